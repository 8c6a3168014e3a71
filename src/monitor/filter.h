/* filter.h - the guest's seccomp filter: traps bind for the syslog relay, closes namespace side doors. */
#ifndef VMMSEC_MONITOR_FILTER_H
#define VMMSEC_MONITOR_FILTER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * monitor_filter_install - load the guest filter into the calling process
 * (sets no_new_privs) and return its user-notification fd in *listener.
 * What it does, and why, is documented in docs/DESIGN.md ("seccomp filter").
 * With @mac, every file operation the access file governs is trapped too,
 * and the side doors around it (io_uring, ptrace, mounts, ...) are closed;
 * with @side_doors alone (--backend lsm: the kernel's hooks decide), only
 * the side doors are closed, with the same errnos.
 * Returns 0 or -errno (-ENOSYS: the kernel lacks user notification).
 */
int monitor_filter_install(int *listener, bool mac, bool side_doors);

/*
 * monitor_filter_is_identity_change - is system call @nr (first argument
 * @arg0) one the filter traps so that the monitor records what the thread
 * sent before it exits, execs, or changes its real or effective uid or
 * gid or its name (prctl PR_SET_NAME)?  docs/DESIGN.md section 5.
 */
bool monitor_filter_is_identity_change(int nr, uint64_t arg0);

#endif
