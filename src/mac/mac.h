/* mac.h - mandatory access control on guest file operations: the broker that decides and performs them. */
#ifndef VMMSEC_MAC_H
#define VMMSEC_MAC_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "guest/guest.h"
#include "policy/policy.h"

/*
 * With --policy, every file operation a guest thread makes is trapped by
 * seccomp and handed to the BROKER, a process forked from the monitor that
 * joins the guest's user namespace (U2) and mount namespace, outside its
 * pid namespace.  The broker reads the trapped call's arguments once,
 * adopts the calling thread's fsuid, fsgid, groups, capabilities and umask,
 * resolves the path to an object (an O_PATH fd, so nothing is opened,
 * created or truncated yet), decides on that object's device and inode,
 * and only then performs the call and injects the resulting fd into the
 * guest (SECCOMP_IOCTL_NOTIF_ADDFD).  The object decided on is the object
 * the guest gets, and the broker never holds more privilege than the
 * thread it acts for.  docs/DESIGN.md section 7 has the full argument.
 *
 * The broker is the only reader of the seccomp listener.  Notifications
 * that are not file operations (bind on a capture socket, exits) are
 * forwarded to the monitor over a SOCK_SEQPACKET channel, which also
 * carries the access records the monitor writes into the evidence log.
 */

/* A policy resolved against the guest's root (the broker's, internal.h). */
struct mac_policy;

/*
 * mac_policy_load - compile @p against the guest whose root directory is
 * @root_fd (resolving every PATH as the caller would see it from there,
 * absolute symlinks kept inside that root).  @errs gets located errors.
 * Returns 0, or -errno as policy_compile.
 */
int mac_policy_load(const struct policy *p, int root_fd, struct mac_policy **out,
		    struct policy_errors *errs);
void mac_policy_free(struct mac_policy *mp);

enum mac_audit {
	MAC_AUDIT_DENY = 0, /* record denials only */
	MAC_AUDIT_ALL,	    /* record every decision */
};

struct mac_broker;

/*
 * mac_broker_start - fork the broker for guest @g (its command must be
 * alive: the broker joins its namespaces) and have it bind @p to the
 * guest's objects, as guest root reaches them.  @errs (may be NULL) gets
 * each path that could not be bound, located.  @wall: the broker performs
 * the guest's file operations under @p's Landlock wall too (the guest's
 * command has it; lsm_landlock_build).
 * Returns 0, or -errno (the broker reported why it could not start).
 */
int mac_broker_start(const struct guest *g, const struct policy *p, enum mac_audit audit, bool wall,
		     struct policy_errors *errs, struct mac_broker **out);
/* The channel to poll for mac_broker_read. */
int mac_broker_fd(const struct mac_broker *b);
/*
 * mac_broker_wait - reap the broker once its channel has closed.  Returns
 * 0 when it left because no guest task was left, else non-zero.
 */
int mac_broker_wait(struct mac_broker *b);
/* Tell the broker that the notification it asked about (MAC_EV_NOTIF_ACK) is answered. */
int mac_broker_continued(struct mac_broker *b);
/*
 * mac_exec_probe - can the broker hold an exec's caller (ptrace)?  0, or
 * -EPERM where Yama forbids every attach (kernel.yama.ptrace_scope = 3).
 */
int mac_exec_probe(void);
/* Kill and reap the broker (no-op for NULL). */
void mac_broker_free(struct mac_broker *b);

/* One access decision, as the monitor records it. */
struct mac_access {
	uint32_t host_tid, guest_pid, uid, gid;
	uint64_t dev, ino;
	uint32_t access; /* POLICY_R/W/A */
	bool allow;
	char comm[16];
	const char *path, *resolved, *reason, *syscall; /* point into the message */
};

enum mac_event {
	MAC_EV_NONE = 0,
	MAC_EV_NOTIF,	  /* a notification for the monitor to answer */
	MAC_EV_NOTIF_ACK, /* the same; then tell the broker (mac_broker_continued) */
	MAC_EV_ACCESS,	  /* an access record */
	MAC_EV_EOF,	  /* the broker has exited */
};

/* Receive buffer for mac_broker_read (one message). */
struct mac_msgbuf {
	union {
		uint64_t align;
		unsigned char bytes[16384];
	};
};

/*
 * mac_broker_read - receive one message without blocking.
 * Returns an enum mac_event (MAC_EV_NONE when nothing is queued) with *req
 * or *acc filled (acc's strings live in @buf), or -errno (-EBADMSG for a
 * malformed message).
 */
int mac_broker_read(struct mac_broker *b, struct mac_msgbuf *buf, struct seccomp_notif *req,
		    struct mac_access *acc);

#endif
