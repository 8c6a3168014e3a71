/* monitor.h - the supervisor: owns the guest's syslog sockets and seccomp listener, writes evidence. */
#ifndef VMMSEC_MONITOR_H
#define VMMSEC_MONITOR_H

#include "evlog/evlog.h"
#include "guest/guest.h"
#include "mac/mac.h"

struct lsm_bpf;

struct monitor_opts {
	unsigned checkpoint_secs;  /* time between checkpoints when records are unsealed; 0 = 5 */
	int tty_fd;		   /* terminal to hand to the guest's process group, or -1 */
	struct mac_broker *broker; /* with --policy: serves the listener (mac_broker_start) */
	struct lsm_bpf *lsm; /* with --backend lsm: decisions from the kernel (lsm_bpf_start) */
};

struct monitor_result {
	int wait_status;   /* the command's wait(2) status, valid if exited */
	bool exited;	   /* the command ran and ended */
	int exec_errno;	   /* execve failed with this errno (exited is then false) */
	uint64_t messages; /* syslog records written */
	uint64_t lost;	   /* messages known lost (recorded as lost records) */
};

/*
 * monitor_run - serve the guest until its command has exited and every
 * message it sent is recorded: capture sockets, seccomp notifications,
 * signals (forwarded to the guest), periodic checkpoints.  Writes the
 * guest-exit record but does not close the log.  Returns 0 or -errno; on
 * an evidence-log write error the guest is killed first (fail closed).
 */
int monitor_run(struct guest *g, struct evlog_writer *w, const struct monitor_opts *o,
		struct monitor_result *res);

/* monitor_exit_code - vmmsec run's exit code: the guest's status, 128+N, 126/127 on exec failure. */
int monitor_exit_code(const struct monitor_result *res);

#endif
