/* landlock.c - the access file's default-deny allow-list as a Landlock ruleset (the outer wall). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lsm/lsm.h"
#include "util/util.h"

/* The build headers may be older than the running kernel (Debian 12: Linux 6.1, ABI 2). */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef SYS_landlock_add_rule
#define SYS_landlock_add_rule 445
#endif
#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13) /* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif

#define FS(x) LANDLOCK_ACCESS_FS_##x
/* ABI 1's rights: EXECUTE (bit 0) to MAKE_SYM (bit 12). */
#define FS_ABI1 ((FS(MAKE_SYM) << 1) - 1)
/* Rights Landlock accepts on a rule whose object is not a directory. */
#define FS_FILE (FS(EXECUTE) | FS(WRITE_FILE) | FS(READ_FILE) | FS(TRUNCATE) | FS(IOCTL_DEV))
#define FS_R (FS(READ_FILE) | FS(READ_DIR) | FS(EXECUTE))
#define FS_A FS(WRITE_FILE)
#define FS_W                                                                                       \
	(FS(WRITE_FILE) | FS(TRUNCATE) | FS(REMOVE_DIR) | FS(REMOVE_FILE) | FS(MAKE_CHAR) |        \
	 FS(MAKE_DIR) | FS(MAKE_REG) | FS(MAKE_SOCK) | FS(MAKE_FIFO) | FS(MAKE_BLOCK) |            \
	 FS(MAKE_SYM) | FS(REFER))

/*
 * Only the file-system part of the ruleset attribute: ABI 4's network and
 * ABI 6's scope rights are not used, and the kernel takes a shorter struct
 * as that part alone (the header's would grow with newer headers).
 */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
};
_Static_assert(sizeof(struct ll_ruleset_attr) == 8, "landlock_ruleset_attr, ABI 1-3 layout");
_Static_assert(sizeof(struct landlock_path_beneath_attr) == 12, "landlock_path_beneath_attr");

int lsm_landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (v >= 0)
		return v > INT_MAX ? INT_MAX : (int)v;
	/* ENOSYS: not built in; EOPNOTSUPP: built in, not enabled (lsm= at boot). */
	return errno == ENOSYS || errno == EOPNOTSUPP ? 0 : -errno;
}

/* Every file-system right the kernel's ABI has (a newer ABI's new rights stay unhandled). */
static uint64_t abi_fs_rights(int abi)
{
	uint64_t r = FS_ABI1;
	if (abi >= 2)
		r |= FS(REFER);
	if (abi >= 3)
		r |= FS(TRUNCATE);
	if (abi >= 5)
		r |= FS(IOCTL_DEV);
	return r;
}

int lsm_landlock_expressible(const struct policy *p, int abi, const char **why)
{
	const char *w = NULL;

	if (!p->default_deny)
		w = "not expressible (default allow)";
	else if (abi <= 0)
		w = "Landlock unavailable (not in this kernel, or not enabled at boot)";
	else if (abi < LSM_LANDLOCK_ABI_MIN)
		w = "Landlock unusable (ABI 1 refuses every cross-directory rename and link)";
	if (why)
		*why = w;
	return w == NULL;
}

/*
 * The wall's rights for permission letters @perms on an object: what any
 * operation the policy allows with them needs from Landlock.  ioctl is not
 * the policy's business, so a device anyone may open keeps its ioctls.
 */
static uint64_t rights_of(unsigned perms, bool dir, uint64_t handled)
{
	uint64_t r = 0;

	if (perms & POLICY_R)
		r |= FS_R;
	if (perms & POLICY_A)
		r |= FS_A;
	if (perms & POLICY_W)
		r |= FS_W;
	if (r)
		r |= FS(IOCTL_DEV);
	if (!dir)
		r &= FS_FILE;
	return r & handled;
}

static int open_in_root(int root, const char *path)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
	long fd = syscall(SYS_openat2, root, path, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

static int add_beneath(int ruleset, int fd, uint64_t rights)
{
	struct landlock_path_beneath_attr pb = {.allowed_access = rights, .parent_fd = fd};

	if (!rights)
		return 0;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
		return -errno;
	return 1;
}

/*
 * The object at @path inside @root, or the nearest ancestor directory that
 * resolves: whatever appears at @path later lies beneath it.  Sets
 * *ancestor when it had to go up.  A path that does not resolve for another
 * reason than ENOENT makes the broker refuse to start, naming the line; the
 * wall only has to stay a superset meanwhile.
 */
static int open_or_ancestor(int root, const char *path, bool *ancestor)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	struct stat st;

	*ancestor = false;
	if (len >= sizeof(buf) || path[0] != '/')
		return -EINVAL;
	memcpy(buf, path, len + 1);
	for (;;) {
		int fd = open_in_root(root, buf);
		if (fd >= 0 && (!*ancestor || (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))))
			return fd;
		if (!strcmp(buf, "/"))
			return fd;
		if (fd >= 0)
			close(fd);
		char *slash = strrchr(buf, '/');
		slash[slash == buf ? 1 : 0] = 0; /* "/a" -> "/", "/a/b" -> "/a" */
		*ancestor = true;
	}
}

static int add_policy_rule(int ruleset, int root, const struct policy_rule *rule, uint64_t handled,
			   struct lsm_landlock_info *in)
{
	struct stat st;
	bool ancestor;
	int r;

	cleanup_fd int fd = open_or_ancestor(root, rule->path, &ancestor);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	bool dir = S_ISDIR(st.st_mode);
	/* Beneath an ancestor, any kind of object may appear: every right of the letters. */
	uint64_t rights = rights_of(rule->perms, dir, handled);
	if ((r = add_beneath(ruleset, fd, rights)) <= 0)
		return r;
	in->nrules++;
	if (ancestor)
		in->nancestor++;
	else if (dir && !rule->subtree && strcmp(rule->path, "/") != 0)
		in->nwidened++; /* Landlock rules always reach beneath a directory */
	return 0;
}

int lsm_landlock_build(const struct policy *p, int root_fd, const int *extra_dirs, size_t nextra,
		       int *ruleset_fd, struct lsm_landlock_info *info)
{
	struct lsm_landlock_info scratch;
	struct lsm_landlock_info *in = info ? info : &scratch;
	int abi = lsm_landlock_abi(), r;

	*in = (struct lsm_landlock_info){.abi = abi > 0 ? abi : 0};
	*ruleset_fd = -1;
	if (abi < 0)
		return abi;
	if (!lsm_landlock_expressible(p, abi, &in->why))
		return 0;
	uint64_t handled = abi_fs_rights(abi);
	struct ll_ruleset_attr attr = {.handled_access_fs = handled};
	long rs = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rs < 0)
		return -errno;
	cleanup_fd int ruleset = (int)rs;
	/* The union over subjects of every grant: deny rules, uids and BLP stay the broker's. */
	for (size_t i = 0; i < p->nrules; i++) {
		const struct policy_rule *rule = &p->rules[i];
		if (rule->deny || !rule->perms)
			continue;
		if ((r = add_policy_rule(ruleset, root_fd, rule, handled, in)) < 0) {
			in->path = rule->path;
			return r;
		}
	}
	for (size_t i = 0; i < nextra; i++) {
		if ((r = add_beneath(ruleset, extra_dirs[i],
				     (FS(READ_FILE) | FS(READ_DIR)) & handled)) < 0)
			return r;
		in->nrules++;
	}
	in->handled = handled;
	*ruleset_fd = steal_fd(&ruleset);
	return 0;
}

int lsm_landlock_apply(int ruleset_fd)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_landlock_restrict_self, ruleset_fd, 0) < 0)
		return -errno;
	return 0;
}
