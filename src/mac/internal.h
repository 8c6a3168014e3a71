/* internal.h - the broker's state, shared by its files (broker, creds, objects, file operations). */
#ifndef VMMSEC_MAC_INTERNAL_H
#define VMMSEC_MAC_INTERNAL_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "guest/guest.h"
#include "mac/mac.h"
#include "policy/policy.h"
#include "util/util.h"

/* A directory that carries subtree directives, pinned so renames cannot hide it. */
struct mac_dir {
	struct policy_key key;
	const char *path; /* the policy's path (owned by the compiled policy) */
	int fd;		  /* O_PATH pin, or -1 while nothing exists at path */
	char *kpath;	  /* the kernel's current path of the pin (broker's root) */
	size_t klen;
};

struct mac_policy {
	struct policy_compiled *c;
	struct mac_dir *dirs;
	size_t ndirs;
	struct util_pins pins; /* every object the policy named at start */
};

/* What the broker knows of a guest thread: identity and credentials. */
struct mac_cred {
	pid_t tid, tgid;       /* host view */
	pid_t ns_tid, ns_tgid; /* the guest's view */
	int pidfd;	       /* reuse guard: this very thread, or -1 (then not cached) */
	uint32_t uid, fsuid, fsgid, gid; /* the guest's view (U2) */
	uint32_t ngroups;
	uint32_t groups[64];
	uint64_t capeff;
	mode_t umask;
	char comm[16];
	bool valid;
};

#define MAC_CRED_SLOTS 1024

/* The file-system credentials and effective capabilities one broker thread holds. */
struct mac_tcred {
	uint32_t fsuid, fsgid, ngroups;
	uint32_t groups[64];
	uint64_t capeff; /* ~0: not known (an id change may have cleared some) */
};

struct mac_wall;

struct mac_broker_state {
	const struct guest *g;
	struct mac_policy *mp;
	enum mac_audit audit;
	int listener, chan, hostproc;
	int selffd;	/* the broker's /proc/self/fd: "N" names its fd N */
	dev_t proc_dev; /* st_dev of the guest's /proc */
	uint64_t fullcaps;
	struct mac_tcred cur;  /* what the serving thread holds right now */
	mode_t cur_umask;      /* the process's (threads share it) */
	struct mac_wall *wall; /* NULL: no wall, operations are performed unwalled */
	bool pidfd_thread;     /* PIDFD_THREAD works (Linux 6.9+) */
	struct mac_cred cache[MAC_CRED_SLOTS];
};

/* One trapped call being served. */
struct mac_req {
	struct mac_broker_state *b;
	const struct seccomp_notif *n;
	struct mac_cred *cred;
	const char *sysname;
};

/* creds.c */
struct mac_cred *mac_cred_get(struct mac_broker_state *b, pid_t tid);
void mac_cred_forget(struct mac_broker_state *b, pid_t tid, bool whole_process);
int mac_cred_full(struct mac_broker_state *b);
int mac_cred_adopt(struct mac_broker_state *b, const struct mac_cred *c, bool with_umask);
int mac_cred_init(struct mac_broker_state *b);
/* Make the calling thread, which holds *@cur, hold *@want (updating *@cur). */
int mac_tcred_apply(const struct mac_broker_state *b, struct mac_tcred *cur,
		    const struct mac_tcred *want);

/*
 * wall.c: the thread that performs the guest's file operations under the
 * policy's Landlock ruleset (docs/DESIGN.md 8.6).  mac_wall_start takes
 * @ruleset_fd (closed by the broker's exit only) and returns once the
 * thread is restricted, or -errno.
 */
int mac_wall_start(struct mac_broker_state *b, int ruleset_fd);
/*
 * syscall(@nr, @a...) as the serving thread's credentials are now: in the
 * walled thread when there is one, else here.  The result or -errno.
 */
long mac_wall_syscall(struct mac_broker_state *b, long nr, long a0, long a1, long a2, long a3,
		      long a4);
/* Restrict the calling thread (one the broker starts for a blocking open) with the wall, if any. */
int mac_wall_enter(const struct mac_broker_state *b);

/* fsop.c: each returns the value for the guest (>= 0) or -errno; *fd_out for open results. */
int mac_fsop_dispatch(struct mac_req *r, int nr, bool *handled);
/* bind(2): answered here (0), or 1 when it names a capture socket (for the monitor). */
int mac_fsop_bind(struct mac_req *r);

/*
 * exec.c: let an allowed exec proceed, serving nothing else until the
 * kernel has resolved its paths (0), or refuse it (-EACCES, recorded) when
 * the caller cannot be held.
 */
int mac_exec_continue(const struct mac_req *r, const char *path, int pin, const struct stat *st);
/* Refuse (-EACCES), and record, an exec whose decision would not hold when the kernel makes it. */
int mac_exec_unchecked(const struct mac_req *r, const char *path, int pin, const struct stat *st,
		       const char *why);

/* broker.c */
void mac_dirs_refresh(struct mac_broker_state *b);
bool mac_req_valid(const struct mac_req *r);
int mac_req_respond(const struct mac_req *r, int64_t val, int err, bool cont);
/*
 * Pass the call on to the monitor, which records what the thread sent to
 * the syslog sockets and then lets it proceed (CONTINUE): for an exec the
 * broker has allowed.  Exits the broker if the monitor is gone.
 */
int mac_req_forward(const struct mac_req *r);
/* The same, waiting for the monitor's word that it has let the call proceed. */
void mac_req_forward_continued(const struct mac_req *r);
int mac_req_addfd(const struct mac_req *r, int fd, unsigned newfd_flags, bool atomic);
/*
 * Record a decision on the object pinned by @objfd (its path read from
 * /proc), or on the new entry @newpath when @objfd < 0.
 */
void mac_req_record(const struct mac_req *r, const char *path, int objfd, const char *newpath,
		    const struct stat *st, unsigned want, const struct policy_verdict *v);

#endif
