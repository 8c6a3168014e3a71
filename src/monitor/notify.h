/* notify.h - answer the guest's trapped system calls (seccomp user notification). */
#ifndef VMMSEC_MONITOR_NOTIFY_H
#define VMMSEC_MONITOR_NOTIFY_H

#include "guest/guest.h"
#include "monitor/relay.h"

struct monitor_notify;

int monitor_notify_new(struct monitor_notify **out, const struct guest *g, struct relay *relay);
void monitor_notify_free(struct monitor_notify *n);

/*
 * monitor_notify_handle - receive one notification and answer it.  Every
 * path answers (a trapped thread never hangs); anything unexpected is
 * refused with EPERM.  Returns 0, or -errno when the listener itself failed.
 */
int monitor_notify_handle(struct monitor_notify *n);

#endif
