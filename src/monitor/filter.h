/* filter.h - the guest's seccomp filter: traps bind for the syslog relay, closes namespace side doors. */
#ifndef VMMSEC_MONITOR_FILTER_H
#define VMMSEC_MONITOR_FILTER_H

/*
 * monitor_filter_install - load the guest filter into the calling process
 * (sets no_new_privs) and return its user-notification fd in *listener.
 * What it does, and why, is documented in docs/DESIGN.md ("seccomp filter").
 * Returns 0 or -errno (-ENOSYS: the kernel lacks user notification).
 */
int monitor_filter_install(int *listener);

#endif
