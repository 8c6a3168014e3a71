/* lsm.h - kernel-enforced layers under the broker: the access file as a Landlock wall. */
#ifndef VMMSEC_LSM_H
#define VMMSEC_LSM_H

#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

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

#endif
