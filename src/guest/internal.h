/* internal.h - guest-module internals shared by launch.c, init.c and view.c. */
#ifndef VMMSEC_GUEST_INTERNAL_H
#define VMMSEC_GUEST_INTERNAL_H

#include "guest/guest.h"

/*
 * guest_view_build - run by the guest's init (root in U1, inside the new
 * mount namespace): make mounts private, mount /proc, build /dev and
 * /run/systemd/journal, bind the syslog sockets into them, seal them
 * read-only and hide @cfg->hide.  Fills @fds/@dev/@ino for every socket.
 * Returns 0 or -errno with *step set.
 */
int guest_view_build(const struct guest_config *cfg, int fds[GUEST_NSOCK],
		     uint64_t dev[GUEST_NSOCK], uint64_t ino[GUEST_NSOCK], uint32_t *step);

/* guest_init_main - body of the guest's pid 1; never returns. */
/* @hold_fd: read end of the command's gate (cfg->hold), or -1. */
__attribute__((noreturn)) void guest_init_main(const struct guest_config *cfg, int ctl_fd,
					       int hold_fd);

#endif
