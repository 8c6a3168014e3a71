/* lsm.h - kernel-enforced layers: the access file as a Landlock wall and as BPF-LSM programs. */
#ifndef VMMSEC_LSM_H
#define VMMSEC_LSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "guest/guest.h"
#include "mac/mac.h"
#include "monitor/capture.h"
#include "policy/policy.h"
#include "util/util.h"

/*
 * Landlock (docs/DESIGN.md section 8.6) can only grant: a ruleset lists the
 * hierarchies where each handled file-system right is allowed, and denies
 * it everywhere else.  So it expresses a `default deny` access file, and
 * only as a superset of what the file allows anyone: the grants of every
 * rule, for every subject, widened to whole subtrees.  The broker stays the
 * precise layer; the wall must never deny what the policy allows, or the
 * guest would see different answers with and without it.
 */

/* Oldest ABI the wall uses: ABI 1 refuses every cross-directory rename and link. */
#define LSM_LANDLOCK_ABI_MIN 2

struct lsm_landlock_info {
	int abi;	  /* probed ABI, 0 when the kernel has no Landlock */
	uint64_t handled; /* handled_access_fs of the ruleset, 0 without one */
	size_t nrules;	  /* path_beneath rules added (policy rules and extra dirs) */
	size_t nwidened;  /* rules on a directory without '/', widened to its subtree */
	size_t nancestor; /* paths that did not resolve, granted on an ancestor */
	const char *why;  /* without a ruleset: why not (static string), else NULL */
	const char *path; /* on failure: the rule path that failed, if any */
};

/*
 * lsm_landlock_abi - probe the running kernel's Landlock ABI version with
 * LANDLOCK_CREATE_RULESET_VERSION.  Returns it (1 or more), or 0 when
 * Landlock is not built in (ENOSYS) or not enabled at boot (EOPNOTSUPP).
 */
int lsm_landlock_abi(void);

/*
 * lsm_landlock_expressible - can the wall be built for @p on a kernel with
 * Landlock ABI @abi?  Returns 1, or 0 with *why (static string, may be
 * NULL) saying why not: no Landlock, an ABI older than LSM_LANDLOCK_ABI_MIN,
 * or a `default allow` policy (a deny-list Landlock cannot express).
 */
int lsm_landlock_expressible(const struct policy *p, int abi, const char **why);

/*
 * lsm_landlock_build - build the wall for @p: every file-system right of
 * the running kernel's ABI is handled, and each rule that grants anything
 * adds its rights beneath the object its PATH names inside @root_fd
 * (openat2 RESOLVE_IN_ROOT, so absolute symlinks stay inside that root).
 * A PATH with nothing at it yet, or one that does not resolve at all,
 * gives its rights to the nearest ancestor directory that does (the
 * broker refuses to start on the latter, naming the line).  Deny rules,
 * subjects and Bell-LaPadula are ignored: the wall is a superset.
 * Each of the @nextra directory fds in @extra_dirs gets READ_FILE|READ_DIR.
 * When lsm_landlock_expressible() says no, returns 0 with *ruleset_fd = -1
 * and info->why set.  Otherwise returns 0 with *ruleset_fd (owned by the
 * caller, close-on-exec), or -errno from the probe, from opening the root
 * or from the Landlock syscalls (info->path names the rule's path, if
 * one failed).  @info may be NULL.
 */
int lsm_landlock_build(const struct policy *p, int root_fd, const int *extra_dirs, size_t nextra,
		       int *ruleset_fd, struct lsm_landlock_info *info);

/*
 * lsm_landlock_apply - set no_new_privs and restrict the calling thread
 * (and every process it starts later) to @ruleset_fd.  Irreversible.
 * Returns 0 or -errno from prctl or landlock_restrict_self.
 */
int lsm_landlock_apply(int ruleset_fd);

/*
 * With --backend lsm the decisions are made in the kernel, by BPF-LSM
 * programs (src/lsm/vmmsec.bpf.c) whose maps mirror struct policy_compiled
 * (policy_export).  Only tasks in the guest's user namespace (U2) are
 * checked.  The programs, maps and links belong to this process's fds
 * alone (nothing is pinned): when vmmsec exits or dies they are gone.
 * Decisions reach the monitor through a BPF ring buffer.  docs/DESIGN.md
 * section 12.
 */

struct lsm_bpf;

/*
 * lsm_bpf_probe - can this kernel run BPF-LSM programs here?  Loads and
 * attaches a trivial lsm/file_open program, then removes it.  Returns 0,
 * or -errno with @msg (@len bytes) saying what is missing and how to get it.
 */
int lsm_bpf_probe(char *msg, size_t len);

/*
 * lsm_bpf_compile - resolve the paths of @p as the guest whose command is
 * @pid sees them (through /proc/PID/root, RESOLVE_IN_ROOT, as the host's
 * root) and compile it.  Returns as policy_compile.  An object whose
 * device as stat(2) reports it is not its super block's (overlayfs with
 * layers on several file systems), or one on btrfs (whose subvolumes
 * share a super block but not inode numbers), cannot be keyed for the
 * programs: its line gets an error (EOPNOTSUPP) and @bad_fs (@len bytes)
 * names the file system type.  Every object resolved stays pinned in @pins
 * (the caller's, to release when the programs are gone: util_pins).
 */
int lsm_bpf_compile(const struct policy *p, pid_t pid, struct policy_compiled **out,
		    struct util_pins *pins, struct policy_errors *errs, char *bad_fs, size_t len);

/*
 * lsm_bpf_start - load the programs, fill their maps from @c (NULL: no
 * rules, everything allowed) for the guest @g (its command @g->cmd_host_pid
 * must be alive: its user namespace is the scope), and attach them.
 * @audit_all: record allows too.  With neither @c nor @audit_all, only
 * syslog capture's programs.  Returns 0, or -errno with @msg filled.
 */
int lsm_bpf_start(const struct policy_compiled *c, const struct guest *g, bool audit_all,
		  struct lsm_bpf **out, char *msg, size_t len);
/* The fd to poll for lsm_bpf_consume. */
int lsm_bpf_fd(const struct lsm_bpf *b);

typedef int (*lsm_bpf_record_fn)(void *ctx, const struct mac_access *a);
/*
 * lsm_bpf_consume - hand every queued decision to @fn as an access record
 * (its strings live until @fn returns).  Returns the number of records, or
 * -errno (@fn's negative return stops it and is returned).
 */
int lsm_bpf_consume(struct lsm_bpf *b, lsm_bpf_record_fn fn, void *ctx);
/* Decisions the ring buffer had no room for since the last call. */
uint64_t lsm_bpf_take_lost(struct lsm_bpf *b);
/*
 * Syslog capture under --backend lsm: lsm/unix_may_send and
 * lsm/socket_sendmsg record, at the moment a guest task sends a message to
 * one of the monitor's capture sockets, who it is.  The identity comes from
 * the sending task itself.  These two answer struct capture_sent_ops.
 */
/*
 * lsm_bpf_sent - who sent the datagram just received from capture socket
 * @s, whose SCM_CREDENTIALS name host process @tgid?  Call once per
 * datagram, in the order received.  Returns 1 with *out, 0 when the kernel
 * recorded nothing for it (the ring buffer was full, or the sender is not
 * in the guest), or -errno.
 */
int lsm_bpf_sent(struct lsm_bpf *b, enum guest_sock s, uint32_t tgid, struct monitor_sent *out);
/*
 * lsm_bpf_stream_sent - who wrote the @len bytes just read, with
 * SCM_CREDENTIALS naming host process @tgid, from the journal/stdout
 * connection whose cookie (SO_COOKIE) is @conn?  Fills up to @max pieces
 * (@max >= 1) that cover the bytes in order: each with its writer as
 * lsm/socket_sendmsg recorded it (known), or, for bytes no noted write
 * covers, not known (the last piece).  Returns the number of pieces, or
 * -errno.
 */
int lsm_bpf_stream_sent(struct lsm_bpf *b, uint64_t conn, uint32_t tgid, size_t len,
			struct capture_piece *pieces, size_t max);
/* The connection @conn is closed: forget its writes. */
void lsm_bpf_stream_closed(struct lsm_bpf *b, uint64_t conn);
/* Senders the ring buffer had no room for since the last call. */
uint64_t lsm_bpf_take_send_lost(struct lsm_bpf *b);
/* Detach and unload everything (no-op for NULL). */
void lsm_bpf_free(struct lsm_bpf *b);

#endif
