/* filter.c - build and load the guest's seccomp filter with libseccomp. */
#include <fcntl.h>
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

#ifndef RWF_NOAPPEND
#define RWF_NOAPPEND 0x00000020 /* Linux 6.9 */
#endif

/*
 * Side doors: each would reach files without passing the MAC broker, or
 * change what a path means.  io_uring opens in kernel threads; ptrace and
 * process_vm_writev could steer another guest thread; mounts would make
 * new names; open_by_handle_at opens by inode without any path;
 * userfaultfd could stall the broker while it reads guest memory.  Closed
 * under --backend lsm too, so that both backends give the same answers
 * (the BPF-LSM hooks would see io_uring's opens; the rest they cannot
 * tell from legitimate use).
 */
static int add_side_doors(scmp_filter_ctx c)
{
	static const int eperm[] = {
		SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter),    SCMP_SYS(io_uring_register),
		SCMP_SYS(ptrace),	  SCMP_SYS(process_vm_writev), SCMP_SYS(mount),
		SCMP_SYS(umount2),	  SCMP_SYS(open_tree),	       SCMP_SYS(move_mount),
		SCMP_SYS(fsopen),	  SCMP_SYS(fsconfig),	       SCMP_SYS(fsmount),
		SCMP_SYS(fspick),	  SCMP_SYS(mount_setattr),     SCMP_SYS(open_by_handle_at),
		SCMP_SYS(userfaultfd),
	};
	/*
	 * Newer than this kernel's headers (and than libseccomp's tables): the
	 * *at variants of xattr calls (Linux 6.13), and file
	 * attribute setting (6.17).  libc falls back to the trapped calls.
	 */
	static const int enosys[] = {463 /* setxattrat */, 466 /* removexattrat */,
				     467 /* open_tree_attr */, 469 /* file_setattr */};
	int r;

	for (size_t i = 0; i < VMM_ARRAY_SIZE(eperm); i++)
		if ((r = seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), eperm[i], 0)) < 0)
			return r;
	for (size_t i = 0; i < VMM_ARRAY_SIZE(enosys); i++)
		if ((r = seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS), enosys[i], 0)) < 0)
			return r;
	/*
	 * A cwd, root or fd table shared with another process (not a thread):
	 * that process could change what an exec's relative path or dirfd
	 * names after the broker's check (src/mac/exec.c).
	 */
	static const uint64_t shared[] = {CLONE_FS, CLONE_FILES};
	for (size_t i = 0; i < VMM_ARRAY_SIZE(shared); i++) {
		struct scmp_arg_cmp a0 =
			SCMP_A0(SCMP_CMP_MASKED_EQ, shared[i] | CLONE_THREAD, shared[i]);
		if ((r = seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1, a0)) < 0)
			return r;
	}
	/* pwritev2(RWF_NOAPPEND) writes anywhere through an O_APPEND fd: say it is not supported. */
	return seccomp_rule_add(c, SCMP_ACT_ERRNO(EOPNOTSUPP), SCMP_SYS(pwritev2), 1,
				SCMP_A5(SCMP_CMP_MASKED_EQ, RWF_NOAPPEND, RWF_NOAPPEND));
}

/*
 * With a policy: the file operations the access file governs go to the MAC
 * broker (src/mac), which performs them itself after deciding on the
 * object.  Credential changes and umask go there too, so that it never
 * acts on stale credentials.  See docs/DESIGN.md section 7.
 */
static int add_mac_rules(scmp_filter_ctx c)
{
	static const int notify[] = {
		SCMP_SYS(open),		SCMP_SYS(openat),
		SCMP_SYS(openat2),	SCMP_SYS(creat),
		SCMP_SYS(execve),	SCMP_SYS(execveat),
		SCMP_SYS(truncate),	SCMP_SYS(ftruncate),
		SCMP_SYS(fallocate),	SCMP_SYS(rename),
		SCMP_SYS(renameat),	SCMP_SYS(renameat2),
		SCMP_SYS(link),		SCMP_SYS(linkat),
		SCMP_SYS(unlink),	SCMP_SYS(unlinkat),
		SCMP_SYS(rmdir),	SCMP_SYS(mkdir),
		SCMP_SYS(mkdirat),	SCMP_SYS(mknod),
		SCMP_SYS(mknodat),	SCMP_SYS(symlink),
		SCMP_SYS(symlinkat),	SCMP_SYS(fchmod),
		SCMP_SYS(chown),	SCMP_SYS(fchown),
		SCMP_SYS(lchown),	SCMP_SYS(fchownat),
		SCMP_SYS(setxattr),	SCMP_SYS(lsetxattr),
		SCMP_SYS(fsetxattr),	SCMP_SYS(removexattr),
		SCMP_SYS(lremovexattr), SCMP_SYS(fremovexattr),
		SCMP_SYS(setuid),	SCMP_SYS(setgid),
		SCMP_SYS(setreuid),	SCMP_SYS(setregid),
		SCMP_SYS(setresuid),	SCMP_SYS(setresgid),
		SCMP_SYS(setfsuid),	SCMP_SYS(setfsgid),
		SCMP_SYS(setgroups),	SCMP_SYS(capset),
		SCMP_SYS(umask),	452 /* fchmodat2, Linux 6.6 */,
	};
	int r;

	for (size_t i = 0; i < VMM_ARRAY_SIZE(notify); i++)
		if ((r = seccomp_rule_add(c, SCMP_ACT_NOTIFY, notify[i], 0)) < 0)
			return r;
	/*
	 * Memory shared between processes other than as threads or a vfork
	 * child: exec's path could then be rewritten by a process the broker
	 * cannot see (fsop.c exec_race).
	 */
	if ((r = seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
				  SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_VM | CLONE_THREAD | CLONE_VFORK,
					  CLONE_VM))) < 0)
		return r;
	/* Clearing O_APPEND may turn an append-only grant into a full write. */
	if ((r = seccomp_rule_add(c, SCMP_ACT_NOTIFY, SCMP_SYS(fcntl), 2,
				  SCMP_A1(SCMP_CMP_EQ, F_SETFL, 0),
				  SCMP_A2(SCMP_CMP_MASKED_EQ, O_APPEND, 0))) < 0)
		return r;
	return add_side_doors(c);
}

/* The calls that end a thread or change the uid, gid, exe or comm /proc reports. */
static const int identity_calls[] = {
	SCMP_SYS(exit),	     SCMP_SYS(exit_group), SCMP_SYS(execve),   SCMP_SYS(execveat),
	SCMP_SYS(setuid),    SCMP_SYS(setgid),	   SCMP_SYS(setreuid), SCMP_SYS(setregid),
	SCMP_SYS(setresuid), SCMP_SYS(setresgid),
};

bool monitor_filter_is_identity_change(int nr, uint64_t arg0)
{
	for (size_t i = 0; i < VMM_ARRAY_SIZE(identity_calls); i++)
		if (identity_calls[i] == nr)
			return true;
	return nr == SCMP_SYS(prctl) && arg0 == PR_SET_NAME;
}

int monitor_filter_install(int *listener, bool mac, bool side_doors)
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
	 * Exits go to the monitor too, once per thread, and so do the calls
	 * that change what /proc says of a sender: before the process is gone
	 * or has become another, the monitor records what it sent, while /proc
	 * still shows who the sender was.  A short-lived logger(1) is otherwise
	 * reaped before its message is read.  (With @mac the broker traps
	 * exec and the set*id calls already and passes them on.)
	 */
	for (size_t i = 0; i < VMM_ARRAY_SIZE(identity_calls); i++) {
		bool broker_has = identity_calls[i] != SCMP_SYS(exit) &&
				  identity_calls[i] != SCMP_SYS(exit_group);
		if (mac && broker_has)
			continue;
		if ((r = seccomp_rule_add(c, SCMP_ACT_NOTIFY, identity_calls[i], 0)) < 0)
			return r;
	}
	if ((r = seccomp_rule_add(c, SCMP_ACT_NOTIFY, SCMP_SYS(prctl), 1,
				  SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME, 0))) < 0)
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
	if (mac && (r = add_mac_rules(c)) < 0)
		return r;
	if (!mac && side_doors && (r = add_side_doors(c)) < 0)
		return r;
	if ((r = seccomp_load(c)) < 0)
		return r;
	int fd = seccomp_notify_fd(c);
	if (fd < 0)
		return fd;
	*listener = fd;
	return 0;
}
