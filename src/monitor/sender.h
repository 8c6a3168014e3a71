/* sender.h - attribute a message to its sending process from kernel-reported identity. */
#ifndef VMMSEC_MONITOR_SENDER_H
#define VMMSEC_MONITOR_SENDER_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

struct monitor_sender {
	uint32_t host_pid;
	uint32_t guest_pid; /* 0 if unknown */
	uint32_t host_uid;  /* real uid, host view */
	uint32_t host_gid;
	uint32_t flags; /* EVLOG_SENDER_* */
	char comm[64];	/* /proc/PID/comm without its newline */
	size_t comm_len;
	char exe[PATH_MAX];
	size_t exe_len;
};

struct monitor_senders;

int monitor_senders_new(struct monitor_senders **out);
void monitor_senders_free(struct monitor_senders *s);

/*
 * monitor_senders_get - identity of host pid @pid, read from /proc at most
 * once per @batch (messages of one batch were all sent before it was read)
 * and whenever @claimed_uid/@claimed_gid (host view, from SCM_CREDENTIALS)
 * disagree with the true ids last read.
 * The pid comes from SCM_CREDENTIALS, which the guest cannot forge (it has
 * no CAP_SYS_ADMIN over its pid namespace's owner), and a cached
 * /proc/PID directory fd pins the process: after it exits, reads through the
 * fd fail instead of reaching a process that reused the pid.
 * Never fails: a process that is gone gets EVLOG_SENDER_EXITED and what was
 * known of it.  The result is valid until the next call.
 */
const struct monitor_sender *monitor_senders_get(struct monitor_senders *s, uint32_t pid,
						 uint32_t claimed_uid, uint32_t claimed_gid,
						 uint64_t batch);

/* An identity the kernel recorded when the message was sent (--backend lsm). */
struct monitor_sent {
	uint32_t host_pid, guest_pid;
	uint32_t host_uid, host_gid; /* real ids, host view */
	char comm[16];		     /* NUL-terminated */
	uint64_t exe_dev, exe_ino;   /* the executable, 0 if none */
};

/*
 * monitor_senders_sent - the sender as @k recorded it, flagged
 * EVLOG_SENDER_AT_SEND.  Only the executable's path is looked up: it is
 * what /proc/PID/exe names now, and is kept only if that is the very file
 * @k recorded (same st_dev and st_ino, before and after reading it), so an
 * exec or a reused pid since cannot give a wrong one (EVLOG_SENDER_NO_EXE
 * instead).  The paths of the last 16 executables so found are kept by
 * (st_dev, st_ino), for senders that are gone by then.  Never fails.  The
 * result is valid until the next call.
 */
const struct monitor_sender *monitor_senders_sent(struct monitor_senders *s,
						  const struct monitor_sent *k);

#endif
