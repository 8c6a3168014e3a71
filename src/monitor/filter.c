/* filter.c - build and load the guest's seccomp filter with libseccomp. */
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>

#include "monitor/filter.h"
#include "util/util.h"

static void release_ctx(scmp_filter_ctx *c)
{
	if (*c)
		seccomp_release(*c);
}

/* Deny @nr with @err when its argument @arg has any bit of @flag set. */
static int deny_flag(scmp_filter_ctx c, int nr, unsigned arg, unsigned long flag, int err)
{
	return seccomp_rule_add(c, SCMP_ACT_ERRNO(err), nr, 1,
				(struct scmp_arg_cmp){arg, SCMP_CMP_MASKED_EQ, flag, flag});
}

int monitor_filter_install(int *listener)
{
	__attribute__((cleanup(release_ctx))) scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!c)
		return -ENOMEM;
	/*
	 * Only the native ABI passes.  i386 (int 0x80) and x32 system calls
	 * would reach the kernel under other numbers than the rules below
	 * name, so a process using them is killed outright.
	 */
	if ((r = seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0 ||
	    (r = seccomp_attr_set(c, SCMP_FLTATR_CTL_NNP, 1)) < 0)
		return r;
	/* bind() goes to the monitor: a guest syslog daemon binding /dev/log gets a relay. */
	if ((r = seccomp_rule_add(c, SCMP_ACT_NOTIFY, SCMP_SYS(bind), 0)) < 0)
		return r;
	/* ...which then chmods it: succeed without effect on our sockets. */
	if ((r = seccomp_rule_add(c, SCMP_ACT_NOTIFY, SCMP_SYS(chmod), 0)) < 0 ||
	    (r = seccomp_rule_add(c, SCMP_ACT_NOTIFY, SCMP_SYS(fchmodat), 0)) < 0)
		return r;
	/*
	 * Exits go to the monitor too, once per thread: before the process is
	 * gone it records what the process sent, while /proc still shows who
	 * the sender was.  A short-lived logger(1) is otherwise reaped before
	 * its message is read.
	 */
	if ((r = seccomp_rule_add(c, SCMP_ACT_NOTIFY, SCMP_SYS(exit_group), 0)) < 0 ||
	    (r = seccomp_rule_add(c, SCMP_ACT_NOTIFY, SCMP_SYS(exit), 0)) < 0)
		return r;
	/*
	 * A new user or mount namespace would let guest root mount over
	 * /dev/log in a namespace the monitor does not own.  clone3 hides
	 * its flags behind a pointer, so it answers ENOSYS and libc falls
	 * back to clone.  setns could join such a namespace.
	 */
	if ((r = deny_flag(c, SCMP_SYS(unshare), 0, CLONE_NEWUSER, EPERM)) < 0 ||
	    (r = deny_flag(c, SCMP_SYS(unshare), 0, CLONE_NEWNS, EPERM)) < 0 ||
	    (r = deny_flag(c, SCMP_SYS(clone), 0, CLONE_NEWUSER, EPERM)) < 0 ||
	    (r = deny_flag(c, SCMP_SYS(clone), 0, CLONE_NEWNS, EPERM)) < 0 ||
	    (r = seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0)) < 0 ||
	    (r = seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setns), 0)) < 0)
		return r;
	/*
	 * chroot would give "/dev/log" another meaning: guest root could bind
	 * a socket of its own at NEWROOT/dev/log (or hard-link one there) and
	 * run senders inside.  pivot_root already needs CAP_SYS_ADMIN over
	 * the mount namespace's owner, which the guest lacks; deny it plainly.
	 */
	if ((r = seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(chroot), 0)) < 0 ||
	    (r = seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(pivot_root), 0)) < 0)
		return r;
	/* The terminal is shared with the host: no typing into it (TIOCSTI) or TIOCLINUX. */
	if ((r = seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI))) < 0 ||
	    (r = seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX))) < 0)
		return r;
	if ((r = seccomp_load(c)) < 0)
		return r;
	int fd = seccomp_notify_fd(c);
	if (fd < 0)
		return fd;
	*listener = fd;
	return 0;
}
