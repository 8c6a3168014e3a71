/* dacseq.c - a fixed filesystem syscall sequence whose results must not change under a policy. */
/*
 * usage: dacseq DIR
 *
 * Runs the same deterministic sequence of open/openat/openat2/creat, /proc
 * re-opens, execve, namespace, attribute and FIFO calls in DIR/w (DIR: an
 * empty directory writable by the caller) and prints one line per step:
 * "NAME: ok[ DETAIL]" or "NAME: ERRNONAME". Details are relative facts only
 * (file type, mode, uid:gid, sizes, open flags, same-inode), never inode
 * numbers, pids, fd numbers, times or DIR itself, so two runs in two
 * directories - one native, one under the policy supervisor - must print the
 * same lines. Steps that need guest root print "NAME: skipped-not-root" when
 * run as another uid. Exit: 0 the sequence ran (whatever the results), 1 DIR
 * unusable, 2 usage.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

/* The kernel sets O_LARGEFILE on every 64-bit open; glibc defines O_LARGEFILE as 0 there. */
#if defined(__aarch64__) || defined(__arm__)
#define KERNEL_O_LARGEFILE 0400000
#else
#define KERNEL_O_LARGEFILE 0100000
#endif

extern char **environ;

/* The absolute path of the work directory: used in symlink targets, never printed. */
static char g_abs[PATH_MAX];

static const struct {
	int e;
	const char *name;
} errnames[] = {
#define E(x)                                                                                       \
	{                                                                                          \
		x, #x                                                                              \
	}
	E(EPERM),     E(ENOENT),    E(ESRCH),	 E(EINTR),	  E(EIO),	 E(ENXIO),
	E(E2BIG),     E(ENOEXEC),   E(EBADF),	 E(ECHILD),	  E(EAGAIN),	 E(ENOMEM),
	E(EACCES),    E(EFAULT),    E(EBUSY),	 E(EEXIST),	  E(EXDEV),	 E(ENODEV),
	E(ENOTDIR),   E(EISDIR),    E(EINVAL),	 E(ENFILE),	  E(EMFILE),	 E(ENOTTY),
	E(ETXTBSY),   E(EFBIG),	    E(ENOSPC),	 E(ESPIPE),	  E(EROFS),	 E(EMLINK),
	E(EPIPE),     E(ERANGE),    E(EDEADLK),	 E(ENAMETOOLONG), E(ENOLCK),	 E(ENOSYS),
	E(ENOTEMPTY), E(ELOOP),	    E(ENODATA),	 E(EOVERFLOW),	  E(EOPNOTSUPP), E(ESTALE),
	E(EDQUOT),    E(ECANCELED), E(ENOTCONN), E(EMSGSIZE),	  E(ENOTSOCK),	 E(EPROTO),
#undef E
};

static const char *ename(int e)
{
	static char buf[32];

	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].e == e)
			return errnames[i].name;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

__attribute__((format(printf, 2, 3))) static void out(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* "NAME: ok" or "NAME: ERRNO" for a call returning < 0 on failure (errno read first). */
static void show(const char *name, long rc)
{
	int e = errno;

	if (rc < 0)
		out(name, "%s", ename(e));
	else
		out(name, "ok");
}

static void closefd(int fd)
{
	if (fd >= 0)
		close(fd);
}

static const char *ftype(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG:
		return "reg";
	case S_IFDIR:
		return "dir";
	case S_IFLNK:
		return "lnk";
	case S_IFIFO:
		return "fifo";
	case S_IFCHR:
		return "chr";
	case S_IFBLK:
		return "blk";
	case S_IFSOCK:
		return "sock";
	}
	return "unknown";
}

/* Type, permission bits, uid:gid, and for regular files size and link count. */
static void describe(char *buf, size_t n, const struct stat *st)
{
	int len = snprintf(buf, n, "%s %04o %u:%u", ftype(st->st_mode),
			   (unsigned)(st->st_mode & 07777), (unsigned)st->st_uid,
			   (unsigned)st->st_gid);
	if (S_ISREG(st->st_mode) && len > 0 && (size_t)len < n)
		snprintf(buf + len, n - len, " size=%lld nlink=%lu", (long long)st->st_size,
			 (unsigned long)st->st_nlink);
}

/* The open file description's access mode and status flags, then FD_CLOEXEC. */
static void fdflags(char *buf, size_t n, int fd)
{
	static const struct {
		int flag;
		const char *name;
	} named[] = {
		{O_TMPFILE, "tmpfile"}, /* before "directory": it includes O_DIRECTORY */
		{O_APPEND, "append"},	  {O_NONBLOCK, "nonblock"}, {O_DIRECTORY, "directory"},
		{O_NOFOLLOW, "nofollow"}, {O_NOATIME, "noatime"},   {O_DIRECT, "direct"},
		{O_SYNC, "sync"},	  {O_DSYNC, "dsync"},
	};
	int fl = fcntl(fd, F_GETFL), fdf = fcntl(fd, F_GETFD), len;
	const char *acc;

	if (fl < 0 || fdf < 0) {
		snprintf(buf, n, "fcntl-%s", ename(errno));
		return;
	}
	if (fl & O_PATH)
		acc = "path";
	else if ((fl & O_ACCMODE) == O_RDONLY)
		acc = "rdonly";
	else if ((fl & O_ACCMODE) == O_WRONLY)
		acc = "wronly";
	else if ((fl & O_ACCMODE) == O_RDWR)
		acc = "rdwr";
	else
		acc = "accmode3";
	len = snprintf(buf, n, "%s", acc);
	fl &= ~(O_ACCMODE | O_PATH | KERNEL_O_LARGEFILE);
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if ((fl & named[i].flag) != named[i].flag || (size_t)len >= n)
			continue;
		if (named[i].flag == O_DSYNC && (fl & O_SYNC) == O_SYNC)
			continue; /* O_SYNC includes O_DSYNC */
		len += snprintf(buf + len, n - len, " %s", named[i].name);
		fl &= ~named[i].flag;
	}
	if (fl && (size_t)len < n)
		len += snprintf(buf + len, n - len, " other=0%o", (unsigned)fl);
	if ((fdf & FD_CLOEXEC) && (size_t)len < n)
		snprintf(buf + len, n - len, " cloexec");
}

/* Whether FD is the object at PATH (followed, or not with AT_SYMLINK_NOFOLLOW). */
static const char *sameness(int fd, const char *path, int atflags)
{
	struct stat a, b;

	if (fstat(fd, &a) < 0 || fstatat(AT_FDCWD, path, &b, atflags) < 0)
		return "same-unknown";
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino ? "same-inode" : "other-inode";
}

/*
 * Prints the outcome of an open-like call FD: the errno name, or "ok" with the
 * object, its flags and, with SAME, whether it is the object at SAME.
 * Returns FD (the caller closes it) or -1.
 */
static int show_fd_at(const char *name, int fd, const char *same, int atflags)
{
	int e = errno;
	char d[160], f[160];
	struct stat st;

	if (fd < 0) {
		out(name, "%s", ename(e));
		return -1;
	}
	if (fstat(fd, &st) < 0)
		snprintf(d, sizeof(d), "fstat-%s", ename(errno));
	else
		describe(d, sizeof(d), &st);
	fdflags(f, sizeof(f), fd);
	if (same)
		out(name, "ok %s %s %s", d, f, sameness(fd, same, atflags));
	else
		out(name, "ok %s %s", d, f);
	return fd;
}

static int show_fd(const char *name, int fd, const char *same)
{
	return show_fd_at(name, fd, same, 0);
}

/* As show(), then on success the lstat() description of PATH. */
static void show_st(const char *name, long rc, const char *path)
{
	int e = errno;
	char d[160];
	struct stat st;

	if (rc < 0) {
		out(name, "%s", ename(e));
		return;
	}
	if (lstat(path, &st) < 0)
		snprintf(d, sizeof(d), "lstat-%s", ename(errno));
	else
		describe(d, sizeof(d), &st);
	out(name, "ok %s", d);
}

/* The lstat() of PATH as a step of its own. */
static void show_lstat(const char *name, const char *path)
{
	struct stat st;

	show_st(name, lstat(path, &st), path);
}

/* Reads once (or to EOF with ALL) up to 64 bytes; prints the count and bytes, escaped. */
static void show_read(const char *name, int fd, bool all)
{
	char buf[64], esc[260];
	size_t got = 0, k = 0;
	ssize_t n;

	do {
		n = read(fd, buf + got, sizeof(buf) - got);
		if (n < 0) {
			out(name, "%s", ename(errno));
			return;
		}
		got += (size_t)n;
	} while (all && n > 0 && got < sizeof(buf));
	for (size_t i = 0; i < got && k + 5 < sizeof(esc); i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c > 32 && c < 127 && c != '\\')
			esc[k++] = (char)c;
		else
			k += (size_t)snprintf(esc + k, sizeof(esc) - k, "\\x%02x", c);
	}
	esc[k] = 0;
	out(name, "ok bytes=%zu data=%s", got, esc);
}

static void write_str(int fd, const char *s)
{
	size_t len = strlen(s);

	if (write(fd, s, len) != (ssize_t)len)
		warn("write");
}

/* Creates PATH with CONTENT (a setup step, printed like any other). */
static void make_file(const char *name, const char *path, const char *content, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode), e = errno;

	if (fd >= 0) {
		write_str(fd, content);
		close(fd);
	}
	errno = e;
	show_st(name, fd, path);
}

static void show_file(const char *name, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		out(name, "%s", ename(errno));
		return;
	}
	show_read(name, fd, true);
	close(fd);
}

static int sys_open(const char *path, int flags, mode_t mode)
{
#ifdef SYS_open
	return (int)syscall(SYS_open, path, flags, mode);
#else
	return openat(AT_FDCWD, path, flags, mode);
#endif
}

static int sys_creat(const char *path, mode_t mode)
{
#ifdef SYS_creat
	return (int)syscall(SYS_creat, path, mode);
#else
	return open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
#endif
}

static int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
	struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};

	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

static void fdpath(char *buf, size_t n, const char *prefix, int fd)
{
	snprintf(buf, n, "%s/%d", prefix, fd);
}

/* Waits for PID; "ok exit=N", "ok signal=N", or the errno name the child exited with. */
static void show_wait(const char *name, pid_t pid, bool exit_is_errno)
{
	int status;

	if (pid < 0) {
		out(name, "fork-%s", ename(errno));
		return;
	}
	if (waitpid(pid, &status, 0) < 0)
		out(name, "waitpid-%s", ename(errno));
	else if (WIFSIGNALED(status))
		out(name, "ok signal=%d", WTERMSIG(status));
	else if (exit_is_errno && WEXITSTATUS(status))
		out(name, "%s", ename(WEXITSTATUS(status)));
	else
		out(name, "ok exit=%d", WEXITSTATUS(status));
}

static pid_t do_fork(void)
{
	fflush(stdout);
	return fork();
}

/* 1. Creation: modes under two umasks, ownership, setgid inheritance, creat. */
static void sec_create(void)
{
	int fd, dfd;

	umask(022);
	fd = show_fd("open-creat-umask022", open("file", O_CREAT | O_EXCL | O_WRONLY, 0666), NULL);
	if (fd >= 0) {
		write_str(fd, "hello\n");
		close(fd);
	}
	umask(077);
	closefd(show_fd("open-creat-umask077", open("f077", O_CREAT | O_WRONLY, 0666), NULL));
	umask(022);
	closefd(show_fd("creat", sys_creat("c1", 0640), NULL));
	closefd(show_fd("open-creat-mode-07777", open("f7777", O_CREAT | O_RDWR, 07777), NULL));
	fd = show_fd("open-syscall-rdonly", sys_open("file", O_RDONLY, 0), "file");
	if (fd >= 0) {
		show_read("read-file", fd, true);
		close(fd);
	}
	show_st("mkdir-sub", mkdir("sub", 0755), "sub");
	show("mkdir-exists", mkdir("sub", 0755));
	show("mkdir-missing-parent", mkdir("nodir/x", 0755));
	show_st("mkdir-trailing-slash", mkdir("emptyd/", 0700), "emptyd");
	dfd = open("sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	closefd(show_fd("openat-creat-dirfd", openat(dfd, "inner", O_CREAT | O_WRONLY, 0600),
			"sub/inner"));
	closefd(dfd);

	show_st("mkdir-sgid", mkdir("sgid", 0775), "sgid");
	show("chown-sgid-group", chown("sgid", (uid_t)-1, 1000));
	show_st("chmod-sgid", chmod("sgid", 02775), "sgid");
	closefd(show_fd("open-creat-in-sgid", open("sgid/f", O_CREAT | O_WRONLY, 0666), NULL));
	closefd(show_fd("open-creat-sgid-exec-in-sgid", open("sgid/x", O_CREAT | O_WRONLY, 02755),
			NULL));
	show_st("mkdir-in-sgid", mkdir("sgid/d", 0777), "sgid/d");
}

/* 2. Lookup errors and the flags that change them. */
static void sec_errors(void)
{
	char longname[300], longpath[5100];
	int fd;

	show("open-enoent", open("missing", O_RDONLY));
	show("open-enoent-parent", open("missingdir/x", O_RDONLY));
	show("open-enotdir-middle", open("file/x", O_RDONLY));
	show("open-enotdir-odirectory", open("file", O_RDONLY | O_DIRECTORY));
	show("open-eisdir-wronly", open("sub", O_WRONLY));
	show("open-eisdir-rdwr", open("sub", O_RDWR));
	show("open-eisdir-creat", open("sub", O_CREAT | O_RDONLY, 0644));
	closefd(show_fd("open-dir-rdonly", open("sub", O_RDONLY | O_DIRECTORY), "sub"));
	show("open-creat-odirectory", open("newdir", O_CREAT | O_DIRECTORY | O_RDONLY, 0755));
	show("open-trailing-slash-file", open("file/", O_RDONLY));
	closefd(show_fd("open-trailing-slash-dir", open("sub/", O_RDONLY), "sub"));
	show("open-trailing-slash-creat-new", open("newfile/", O_CREAT | O_WRONLY, 0644));
	show_lstat("stat-trailing-slash-creat-new", "newfile");
	show("open-trailing-slash-creat-dir", open("sub/", O_CREAT | O_RDONLY, 0644));
	show("open-trailing-slash-creat-file", open("file/", O_CREAT | O_WRONLY, 0644));
	show("open-creat-excl-exists", open("file", O_CREAT | O_EXCL | O_WRONLY, 0644));

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	show("open-enametoolong-component", open(longname, O_RDONLY));
	/* "." then slashes then "file": only the total length is at issue. */
	memset(longpath, '/', sizeof(longpath));
	longpath[0] = '.';
	strcpy(longpath + 4091, "file"); /* strlen 4095: fits PATH_MAX with its NUL */
	closefd(show_fd("open-path-4095", open(longpath, O_RDONLY), "file"));
	longpath[4091] = '/';
	strcpy(longpath + 4092, "file"); /* strlen 4096 */
	show("open-path-4096", open(longpath, O_RDONLY));
	show("open-empty-path", open("", O_RDONLY));
	show("open-efault", syscall(SYS_openat, AT_FDCWD, (char *)1, O_RDONLY, 0));
	show("openat-ebadf", openat(12345, "file", O_RDONLY));
	show("openat-ebadf-negative", openat(-7, "file", O_RDONLY));

	char apath[PATH_MAX + 8];
	snprintf(apath, sizeof(apath), "%s/file", g_abs);
	closefd(show_fd("openat-ebadf-abspath", openat(12345, apath, O_RDONLY), "file"));
	fd = open("file", O_RDONLY | O_CLOEXEC);
	show("openat-enotdir-dirfd", openat(fd, "x", O_RDONLY));
	show("openat-enotdir-dirfd-dot", openat(fd, ".", O_RDONLY));
	closefd(fd);
}

/* 3. Relative resolution: dirfds, O_PATH dirfds, chdir, "..", "/..". */
static void sec_relative(void)
{
	int dfd = open("sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int pfd = open("sub", O_PATH | O_CLOEXEC);

	closefd(show_fd("openat-dirfd", openat(dfd, "inner", O_RDONLY), "sub/inner"));
	closefd(show_fd("openat-dirfd-dotdot", openat(dfd, "../file", O_RDONLY), "file"));
	closefd(show_fd("openat-opath-dirfd", openat(pfd, "inner", O_RDONLY), "sub/inner"));
	closefd(show_fd("openat-dirfd-dot", openat(dfd, ".", O_RDONLY), "sub"));
	show("chdir-sub", chdir("sub"));
	closefd(show_fd("openat-fdcwd-after-chdir", openat(AT_FDCWD, "inner", O_RDONLY), "inner"));
	closefd(show_fd("open-dotdot-after-chdir", open("../file", O_RDONLY), "../file"));
	show("chdir-back", chdir(".."));
	closefd(show_fd("open-root-dotdot", open("/../../..", O_RDONLY | O_DIRECTORY), "/"));
	closefd(show_fd("openat-root-dotdot-dirfd", openat(dfd, "/..", O_RDONLY | O_DIRECTORY),
			"/"));
	closefd(dfd);
	closefd(pfd);
}

/* 4. Symlinks: loops, O_NOFOLLOW, chains of both kinds, dangling targets, 40-link limit. */
static void sec_symlinks(void)
{
	char apath[PATH_MAX + 8], a[16], b[16];
	int fd, ok = 1;

	show("symlink-loop-a", symlink("loopb", "loopa"));
	show("symlink-loop-b", symlink("loopa", "loopb"));
	show("open-symlink-loop", open("loopa", O_RDONLY));
	show("symlink-file", symlink("file", "lnk"));
	show("symlink-exists", symlink("file", "lnk"));
	show("symlink-empty-target", symlink("", "emptylnk"));
	closefd(show_fd("open-symlink-follow", open("lnk", O_RDONLY), "file"));
	show("open-nofollow-symlink", open("lnk", O_RDONLY | O_NOFOLLOW));
	show("open-creat-nofollow-symlink", open("lnk", O_CREAT | O_WRONLY | O_NOFOLLOW, 0644));
	closefd(show_fd_at("open-path-nofollow-symlink", open("lnk", O_PATH | O_NOFOLLOW), "lnk",
			   AT_SYMLINK_NOFOLLOW));
	show("symlink-chain", symlink("lnk", "chain1"));
	closefd(show_fd("open-chain-relative", open("chain1", O_RDONLY), "file"));
	snprintf(apath, sizeof(apath), "%s/file", g_abs);
	show("symlink-absolute", symlink(apath, "abslnk"));
	show("symlink-chain-absolute", symlink("abslnk", "chain2"));
	closefd(show_fd("open-chain-absolute", open("chain2", O_RDONLY), "file"));
	show("symlink-dir", symlink("sub", "dirlnk"));
	closefd(show_fd("open-through-dirlink", open("dirlnk/inner", O_RDONLY), "sub/inner"));
	show("symlink-dotdot", symlink("../file", "sub/up"));
	closefd(show_fd("open-symlink-dotdot", open("sub/up", O_RDONLY), "file"));
	closefd(show_fd("open-dirlink-dotdot", open("dirlnk/../file", O_RDONLY), "file"));

	char target[64];
	ssize_t n = readlink("chain1", target, sizeof(target) - 1);
	if (n >= 0) {
		target[n] = 0;
		out("readlink-relative", "ok %s", target);
	} else {
		out("readlink-relative", "%s", ename(errno));
	}

	/* s1 -> file, sN -> s(N-1): opening sN follows N links; the kernel allows 40. */
	for (int i = 1; i <= 41 && ok; i++) {
		snprintf(a, sizeof(a), "s%d", i);
		snprintf(b, sizeof(b), "s%d", i - 1);
		ok = symlink(i == 1 ? "file" : b, a) == 0;
	}
	show("symlink-chain-41", ok ? 0 : -1);
	closefd(show_fd("open-symlink-chain-40", open("s40", O_RDONLY), "file"));
	show("open-symlink-chain-41", open("s41", O_RDONLY));

	show("symlink-dangling", symlink("dtarget", "dangle"));
	closefd(show_fd("open-creat-dangling", open("dangle", O_CREAT | O_WRONLY, 0640),
			"dtarget"));
	show_lstat("stat-dangling-target", "dtarget");
	show("symlink-dangling2", symlink("dtarget2", "dangle2"));
	show("open-creat-excl-dangling", open("dangle2", O_CREAT | O_EXCL | O_WRONLY, 0640));
	show_lstat("stat-dangling2-target", "dtarget2");
	show("open-creat-excl-symlink", open("lnk", O_CREAT | O_EXCL | O_WRONLY, 0640));
	show("symlink-dangling-dir", symlink("nodir/x", "dangle3"));
	show("open-creat-dangling-missing-dir", open("dangle3", O_CREAT | O_WRONLY, 0640));

	fd = open("lnk", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	show("fchownat-empty-path-symlink",
	     fchownat(fd, "", (uid_t)-1, (gid_t)-1, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
	closefd(fd);
}

/* 5. Flags that change the file or the description: O_TRUNC, O_APPEND, O_CLOEXEC... */
static void sec_flags(void)
{
	int fd;

	make_file("make-trunc", "tr", "0123456789", 0644);
	closefd(show_fd("open-trunc", open("tr", O_WRONLY | O_TRUNC), "tr"));
	fd = open("tr", O_WRONLY | O_CLOEXEC);
	write_str(fd, "0123456789");
	closefd(fd);
	closefd(show_fd("open-rdonly-trunc", open("tr", O_RDONLY | O_TRUNC), "tr"));
	make_file("make-append", "ap", "abc", 0644);
	fd = show_fd("open-append", open("ap", O_WRONLY | O_APPEND), "ap");
	if (fd >= 0) {
		show("lseek-append-start", lseek(fd, 0, SEEK_SET));
		show("write-append", write(fd, "Z", 1));
		close(fd);
	}
	show_file("read-append-result", "ap");
	closefd(show_fd("open-cloexec", open("file", O_RDONLY | O_CLOEXEC), "file"));
	closefd(show_fd("open-rdwr-nonblock", open("file", O_RDWR | O_NONBLOCK), "file"));
	closefd(show_fd("open-sync", open("file", O_WRONLY | O_SYNC), "file"));
	closefd(show_fd("open-noatime", open("file", O_RDONLY | O_NOATIME), "file"));
	closefd(show_fd("open-accmode3", open("file", 3), "file"));
	closefd(show_fd("open-opath-ignores-creat", open("file", O_PATH | O_CREAT, 0644), "file"));
}

/* 6. O_TMPFILE and linking it in. */
static void sec_tmpfile(void)
{
	char p[64];
	struct stat st;
	int fd;

	fd = show_fd("open-tmpfile", open(".", O_TMPFILE | O_RDWR, 0640), NULL);
	if (fd >= 0) {
		write_str(fd, "tmp");
		fdpath(p, sizeof(p), "/proc/self/fd", fd);
		show("linkat-tmpfile",
		     linkat(AT_FDCWD, p, AT_FDCWD, "tmplinked", AT_SYMLINK_FOLLOW));
		if (stat("tmplinked", &st) < 0)
			out("stat-tmplinked", "%s", ename(errno));
		else
			out("stat-tmplinked", "ok %s", sameness(fd, "tmplinked", 0));
		show_file("read-tmplinked", "tmplinked");
		close(fd);
	}
	show("open-tmpfile-rdonly", open(".", O_TMPFILE | O_RDONLY, 0600));
	fd = show_fd("open-tmpfile-excl", open(".", O_TMPFILE | O_EXCL | O_WRONLY, 0600), NULL);
	if (fd >= 0) {
		fdpath(p, sizeof(p), "/proc/self/fd", fd);
		show("linkat-tmpfile-excl",
		     linkat(AT_FDCWD, p, AT_FDCWD, "tmpx", AT_SYMLINK_FOLLOW));
		close(fd);
	}
	show("open-tmpfile-on-file", open("file", O_TMPFILE | O_RDWR, 0600));
	show("open-tmpfile-missing-dir", open("nodir", O_TMPFILE | O_RDWR, 0600));
	fd = open("file", O_RDONLY | O_CLOEXEC);
	show("linkat-empty-path", linkat(fd, "", AT_FDCWD, "flinked", AT_EMPTY_PATH));
	show_lstat("stat-flinked", "flinked");
	closefd(fd);
}

/* 7. openat2 and its RESOLVE_* restrictions. */
static void sec_openat2(void)
{
	int dfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int sfd = open("sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ffd = open("file", O_RDONLY | O_CLOEXEC);
	char apath[PATH_MAX + 8], p[64];
	struct {
		struct open_how how;
		uint64_t extra;
	} big = {.how = {.flags = O_RDONLY}, .extra = 1};

	closefd(show_fd("openat2-plain", sys_openat2(dfd, "file", O_RDONLY, 0, 0), "file"));
	closefd(show_fd("openat2-cloexec", sys_openat2(dfd, "file", O_RDONLY | O_CLOEXEC, 0, 0),
			"file"));
	closefd(show_fd("openat2-creat",
			sys_openat2(dfd, "o2new", O_CREAT | O_EXCL | O_WRONLY, 0640, 0), "o2new"));
	closefd(show_fd("openat2-beneath",
			sys_openat2(dfd, "sub/inner", O_RDONLY, 0, RESOLVE_BENEATH), "sub/inner"));
	show("openat2-beneath-dotdot", sys_openat2(sfd, "../file", O_RDONLY, 0, RESOLVE_BENEATH));
	snprintf(apath, sizeof(apath), "%s/file", g_abs);
	show("openat2-beneath-abs", sys_openat2(dfd, apath, O_RDONLY, 0, RESOLVE_BENEATH));
	show("openat2-beneath-abssymlink",
	     sys_openat2(dfd, "abslnk", O_RDONLY, 0, RESOLVE_BENEATH));
	closefd(show_fd("openat2-beneath-inner-dotdot",
			sys_openat2(dfd, "sub/../file", O_RDONLY, 0, RESOLVE_BENEATH), "file"));
	show("openat2-no-symlinks", sys_openat2(dfd, "lnk", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
	show("openat2-no-symlinks-dir",
	     sys_openat2(dfd, "dirlnk/inner", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
	closefd(show_fd_at("openat2-no-symlinks-opath-nofollow",
			   sys_openat2(dfd, "lnk", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS),
			   "lnk", AT_SYMLINK_NOFOLLOW));
	closefd(show_fd("openat2-in-root-abs",
			sys_openat2(sfd, "/inner", O_RDONLY, 0, RESOLVE_IN_ROOT), "sub/inner"));
	closefd(show_fd("openat2-in-root-dotdot",
			sys_openat2(sfd, "../../inner", O_RDONLY, 0, RESOLVE_IN_ROOT),
			"sub/inner"));
	show("symlink-rooted", symlink("/inner", "sub/rootlnk"));
	closefd(show_fd("openat2-in-root-abssymlink",
			sys_openat2(sfd, "rootlnk", O_RDONLY, 0, RESOLVE_IN_ROOT), "sub/inner"));
	show("open-rooted-symlink-natively", openat(sfd, "rootlnk", O_RDONLY));
	fdpath(p, sizeof(p), "/proc/self/fd", ffd);
	show("openat2-no-magiclinks", sys_openat2(AT_FDCWD, p, O_RDONLY, 0, RESOLVE_NO_MAGICLINKS));
	closefd(show_fd("openat2-no-magiclinks-plain-symlink",
			sys_openat2(dfd, "lnk", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS), "file"));
	closefd(show_fd("openat2-magiclink", sys_openat2(AT_FDCWD, p, O_RDONLY, 0, 0), "file"));
	show("openat2-no-xdev",
	     sys_openat2(AT_FDCWD, "/proc/self/status", O_RDONLY, 0, RESOLVE_NO_XDEV));
	show("openat2-unknown-flags", sys_openat2(dfd, "file", O_RDONLY | (1ULL << 40), 0, 0));
	show("openat2-unknown-resolve", sys_openat2(dfd, "file", O_RDONLY, 0, 1ULL << 20));
	show("openat2-mode-without-creat", sys_openat2(dfd, "file", O_RDONLY, 0644, 0));
	show("openat2-bad-mode", sys_openat2(dfd, "o2x", O_CREAT | O_WRONLY, 010000, 0));
	show("openat2-beneath-and-in-root",
	     sys_openat2(dfd, "file", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT));
	struct open_how how = {.flags = O_RDONLY};
	show("openat2-small-size", syscall(SYS_openat2, dfd, "file", &how, 8));
	show("openat2-big-size-nonzero", syscall(SYS_openat2, dfd, "file", &big, sizeof(big)));
	big.extra = 0;
	closefd(show_fd("openat2-big-size-zero",
			(int)syscall(SYS_openat2, dfd, "file", &big, sizeof(big)), "file"));
	show("openat2-efault-how", syscall(SYS_openat2, dfd, "file", (void *)8, sizeof(how)));
	show("openat2-efault-path", syscall(SYS_openat2, dfd, (char *)8, &how, sizeof(how)));
	closefd(dfd);
	closefd(sfd);
	closefd(ffd);
}

/* 8. Re-opening through /proc and /dev/fd magic links. */
static void sec_proc(void)
{
	char p[PATH_MAX + 64], link[PATH_MAX];
	int fd = open("file", O_RDONLY | O_CLOEXEC), pfd, dfd, pipefd[2], saved;
	ssize_t n;

	fdpath(p, sizeof(p), "/proc/self/fd", fd);
	closefd(show_fd("reopen-proc-fd-rdonly", open(p, O_RDONLY), "file"));
	closefd(show_fd("reopen-proc-fd-rdwr", open(p, O_RDWR), "file"));
	closefd(show_fd("reopen-proc-fd-append", open(p, O_WRONLY | O_APPEND), "file"));
	n = readlink(p, link, sizeof(link) - 1);
	if (n < 0) {
		out("readlink-proc-fd", "%s", ename(errno));
	} else {
		link[n] = 0;
		size_t al = strlen(g_abs);
		if (strncmp(link, g_abs, al) == 0)
			out("readlink-proc-fd", "ok DIR%s", link + al);
		else
			out("readlink-proc-fd", "ok %s", link);
	}
	fdpath(p, sizeof(p), "/dev/fd", fd);
	closefd(show_fd("reopen-dev-fd", open(p, O_RDONLY), "file"));
	fdpath(p, sizeof(p), "/proc/thread-self/fd", fd);
	closefd(show_fd("reopen-thread-self-fd", open(p, O_RDONLY), "file"));
	closefd(fd);

	pfd = open("file", O_PATH | O_CLOEXEC);
	show("read-opath-fd", read(pfd, p, 1));
	fdpath(p, sizeof(p), "/proc/self/fd", pfd);
	closefd(show_fd("reopen-opath-rdwr", open(p, O_RDWR), "file"));
	closefd(pfd);

	make_file("make-deleted", "del", "gone", 0644);
	fd = open("del", O_RDONLY | O_CLOEXEC);
	show("unlink-open-file", unlink("del"));
	fdpath(p, sizeof(p), "/proc/self/fd", fd);
	pfd = show_fd("reopen-deleted", open(p, O_RDWR), NULL);
	if (pfd >= 0) {
		show_read("read-reopened-deleted", pfd, true);
		close(pfd);
	}
	closefd(fd);

	dfd = open("sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(p, sizeof(p), "/proc/self/fd/%d/inner", dfd);
	closefd(show_fd("open-through-proc-fd-dir", open(p, O_RDONLY), "sub/inner"));
	closefd(dfd);
	closefd(show_fd("open-proc-self-cwd", open("/proc/self/cwd/file", O_RDONLY), "file"));
	snprintf(p, sizeof(p), "/proc/self/root%s/file", g_abs);
	closefd(show_fd("open-proc-self-root", open(p, O_RDONLY), "file"));

	if (pipe2(pipefd, O_CLOEXEC) == 0) {
		write_str(pipefd[1], "pipe");
		fdpath(p, sizeof(p), "/proc/self/fd", pipefd[0]);
		fd = show_fd("reopen-pipe-read", open(p, O_RDONLY), NULL);
		if (fd >= 0) {
			show_read("read-reopened-pipe", fd, false);
			close(fd);
		}
		fdpath(p, sizeof(p), "/dev/fd", pipefd[1]);
		fd = show_fd("reopen-pipe-write", open(p, O_WRONLY), NULL);
		if (fd >= 0) {
			write_str(fd, "x");
			close(fd);
		}
		show_read("read-pipe-after-reopen-write", pipefd[0], false);
		closefd(pipefd[0]);
		closefd(pipefd[1]);
	}

	saved = fcntl(0, F_DUPFD_CLOEXEC, 10);
	if (pipe2(pipefd, O_CLOEXEC) == 0 && saved >= 0) {
		write_str(pipefd[1], "in");
		close(pipefd[1]);
		dup2(pipefd[0], 0);
		close(pipefd[0]);
		fd = show_fd("open-dev-stdin-pipe", open("/dev/stdin", O_RDONLY), NULL);
		if (fd >= 0) {
			show_read("read-dev-stdin", fd, true);
			close(fd);
		}
		dup2(saved, 0);
	}
	closefd(saved);

	fd = show_fd("open-proc-self-status", open("/proc/self/status", O_RDONLY), NULL);
	if (fd >= 0) {
		char buf[4096];
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
		char *u = strstr(buf, "\nUmask:\t");
		out("read-proc-self-status", "%s%.4s", u ? "ok umask=" : "no-umask-line",
		    u ? u + 8 : "");
		close(fd);
	}
	show("open-proc-self-status-wronly", open("/proc/self/status", O_WRONLY));
	show("open-proc-self-fd-missing", open("/proc/self/fd/12345", O_RDONLY));
}

/* 9. Read-only file systems and files the caller cannot write. */
static void sec_rofs(void)
{
	show("open-creat-dev-erofs", open("/dev/dacseq-x", O_CREAT | O_WRONLY, 0644));
	show("mkdir-dev-erofs", mkdir("/dev/dacseq-d", 0755));
	closefd(show_fd("open-dev-null-rdwr", open("/dev/null", O_RDWR), "/dev/null"));
	show("open-host-file-rdwr", open("/etc/passwd", O_RDWR));
	closefd(show_fd("open-host-file-rdonly", open("/etc/passwd", O_RDONLY), "/etc/passwd"));
}

/*
 * Forks a child that execs PATH (or FD with AT_EMPTY_PATH when FD >= 0) with
 * stdin IN (or /dev/null) and stdout /dev/null. Returns the child once the
 * exec has succeeded (the close-on-exec status pipe reached EOF), or -1 with
 * *ERR the child's execve errno (the child is reaped).
 */
static pid_t spawn(int in, int fd, const char *path, int *err)
{
	int sync[2], e = 0;
	pid_t pid;
	ssize_t n;

	if (pipe2(sync, O_CLOEXEC) < 0) {
		*err = errno;
		return -1;
	}
	pid = do_fork();
	if (pid < 0) {
		*err = errno;
		close(sync[0]);
		close(sync[1]);
		return -1;
	}
	if (pid == 0) {
		char *argv[] = {"cat", NULL};
		int nul = open("/dev/null", O_RDWR);

		close(sync[0]);
		dup2(in >= 0 ? in : nul, 0);
		dup2(nul, 1);
		if (fd >= 0)
			syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
		else
			execve(path, argv, environ);
		e = errno;
		if (write(sync[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(sync[1]);
	do
		n = read(sync[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(sync[0]);
	if (n == (ssize_t)sizeof(e)) {
		waitpid(pid, NULL, 0);
		*err = e;
		return -1;
	}
	return pid;
}

static void show_exec(const char *name, int fd, const char *path)
{
	int e;
	pid_t pid = spawn(-1, fd, path, &e);

	if (pid < 0)
		out(name, "%s", ename(e));
	else
		show_wait(name, pid, false);
}

/* 10. execve outcomes, and ETXTBSY while a copied binary runs. */
static void sec_exec(void)
{
	int in = open("/bin/cat", O_RDONLY | O_CLOEXEC), cp, e, pipefd[2];
	char buf[65536], p[64];
	ssize_t n;
	pid_t pid;

	cp = open("cat", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0755);
	while (in >= 0 && cp >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(cp, buf, (size_t)n) != n)
			break;
	closefd(in);
	closefd(cp);
	show_lstat("copy-cat", "cat");

	show_exec("execve-ok", -1, "./cat");
	show_exec("execve-noexec", -1, "file");
	show_exec("execve-dir", -1, "sub");
	show_exec("execve-missing", -1, "missing");
	show_exec("execve-enotdir", -1, "file/x");
	show_exec("execve-symlink-loop", -1, "loopa");
	make_file("make-script-missing-interp", "s-bad", "#!/nonexistent/interp\n", 0755);
	show_exec("execve-script-missing-interp", -1, "./s-bad");
	make_file("make-script", "s-ok", "#!/bin/cat\n", 0755);
	show_exec("execve-script", -1, "./s-ok");
	cp = open("cat", O_RDONLY | O_CLOEXEC);
	show_exec("execveat-empty-path", cp, NULL);
	closefd(cp);
	cp = open("cat", O_PATH | O_CLOEXEC);
	show_exec("execveat-empty-path-opath", cp, NULL);
	closefd(cp);

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return;
	pid = spawn(pipefd[0], -1, "./cat", &e);
	close(pipefd[0]);
	if (pid < 0)
		out("exec-blocking-cat", "%s", ename(e));
	else
		out("exec-blocking-cat", "ok");
	show("open-running-exe-wronly", open("cat", O_WRONLY));
	show("open-running-exe-rdwr", open("cat", O_RDWR));
	closefd(show_fd("open-running-exe-rdonly", open("cat", O_RDONLY), "cat"));
	show("truncate-running-exe", truncate("cat", 0));
	if (pid > 0) {
		snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
		show("open-proc-pid-exe-wronly", open(p, O_WRONLY));
		closefd(show_fd("open-proc-pid-exe-rdonly", open(p, O_RDONLY), "cat"));
	} else {
		out("open-proc-pid-exe-wronly", "no-child");
		out("open-proc-pid-exe-rdonly", "no-child");
	}
	close(pipefd[1]);
	if (pid > 0)
		show_wait("wait-blocking-cat", pid, false);
	else
		out("wait-blocking-cat", "no-child");
	closefd(show_fd("open-exe-after-exit-wronly", open("cat", O_WRONLY), "cat"));
}

/* Prints NAME as skipped when SKIP, so a run as non-root keeps the same step names. */
static bool step(bool skip, const char *name)
{
	if (skip)
		out(name, "skipped-not-root");
	return !skip;
}

/* The steps of a child that switched to uid/gid 1000; RO is an inherited O_RDONLY fd of "pub". */
static void nonroot_steps(bool skip, int ro)
{
	char p[64], v[16];
	struct stat st;
	int fd;

	if (step(skip, "u1000-setresuid")) {
		if (setgroups(0, NULL) < 0 && errno != EPERM)
			warn("setgroups");
		show("u1000-setresuid",
		     setresgid(1000, 1000, 1000) < 0 ? -1 : setresuid(1000, 1000, 1000));
	}
	if (step(skip, "u1000-open-secret-rdonly"))
		show("u1000-open-secret-rdonly", open("secret", O_RDONLY));
	if (step(skip, "u1000-open-secret-wronly"))
		show("u1000-open-secret-wronly", open("secret", O_WRONLY));
	if (step(skip, "u1000-open-private-inside"))
		show("u1000-open-private-inside", open("private/inside", O_RDONLY));
	if (step(skip, "u1000-stat-private-inside"))
		show("u1000-stat-private-inside", stat("private/inside", &st));
	if (step(skip, "u1000-openat-private-dirfd-opath"))
		closefd(show_fd("u1000-openat-private-dirfd-opath",
				open("private", O_PATH | O_DIRECTORY), "private"));
	if (step(skip, "u1000-open-private-rdonly"))
		show("u1000-open-private-rdonly", open("private", O_RDONLY | O_DIRECTORY));
	if (step(skip, "u1000-open-pub-rdonly"))
		closefd(show_fd("u1000-open-pub-rdonly", open("pub", O_RDONLY), "pub"));
	if (step(skip, "u1000-open-pub-wronly"))
		show("u1000-open-pub-wronly", open("pub", O_WRONLY));
	if (step(skip, "u1000-open-pub-append"))
		show("u1000-open-pub-append", open("pub", O_WRONLY | O_APPEND));
	if (step(skip, "u1000-open-pub-rdonly-trunc"))
		show("u1000-open-pub-rdonly-trunc", open("pub", O_RDONLY | O_TRUNC));
	if (step(skip, "u1000-reopen-proc-fd-rdwr")) {
		fdpath(p, sizeof(p), "/proc/self/fd", ro);
		show("u1000-reopen-proc-fd-rdwr", open(p, O_RDWR));
	}
	if (step(skip, "u1000-reopen-proc-fd-rdonly")) {
		fdpath(p, sizeof(p), "/proc/self/fd", ro);
		closefd(show_fd("u1000-reopen-proc-fd-rdonly", open(p, O_RDONLY), "pub"));
	}
	if (step(skip, "u1000-open-creat-in-root-dir"))
		show("u1000-open-creat-in-root-dir", open("newu", O_CREAT | O_WRONLY, 0644));
	if (step(skip, "u1000-open-creat-existing-pub"))
		show("u1000-open-creat-existing-pub", open("pub", O_CREAT | O_WRONLY, 0644));
	if (step(skip, "u1000-open-tmpfile-root-dir"))
		show("u1000-open-tmpfile-root-dir", open(".", O_TMPFILE | O_RDWR, 0600));
	if (step(skip, "u1000-mkdir-in-root-dir"))
		show("u1000-mkdir-in-root-dir", mkdir("newud", 0755));
	if (step(skip, "u1000-mknod-fifo-in-root-dir"))
		show("u1000-mknod-fifo-in-root-dir", mknod("newuf", S_IFIFO | 0644, 0));
	if (step(skip, "u1000-unlink-pub"))
		show("u1000-unlink-pub", unlink("pub"));
	if (step(skip, "u1000-rename-pub"))
		show("u1000-rename-pub", rename("pub", "pub2"));
	if (step(skip, "u1000-link-pub"))
		show("u1000-link-pub", link("pub", "pub3"));
	if (step(skip, "u1000-symlink-in-root-dir"))
		show("u1000-symlink-in-root-dir", symlink("pub", "pub4"));
	if (step(skip, "u1000-rmdir-private"))
		show("u1000-rmdir-private", rmdir("private"));
	if (step(skip, "u1000-chown-pub"))
		show("u1000-chown-pub", chown("pub", 1000, 1000));
	if (step(skip, "u1000-chmod-pub"))
		show("u1000-chmod-pub", chmod("pub", 0666));
	if (step(skip, "u1000-truncate-pub"))
		show("u1000-truncate-pub", truncate("pub", 0));
	if (step(skip, "u1000-setxattr-pub"))
		show("u1000-setxattr-pub", setxattr("pub", "user.test", "u", 1, 0));
	if (step(skip, "u1000-getxattr-secret"))
		show("u1000-getxattr-secret", getxattr("secret", "user.test", v, sizeof(v)));
	if (step(skip, "u1000-execve-secret-exe"))
		show_exec("u1000-execve-secret-exe", -1, "./rootexe");
	if (step(skip, "u1000-open-creat-world-dir"))
		closefd(show_fd("u1000-open-creat-world-dir",
				open("world/mine", O_CREAT | O_EXCL | O_WRONLY, 0666), NULL));
	if (step(skip, "u1000-unlink-sticky-other"))
		show("u1000-unlink-sticky-other", unlink("world/rootfile"));
	if (step(skip, "u1000-rename-sticky-other"))
		show("u1000-rename-sticky-other", rename("world/rootfile", "world/stolen"));
	if (step(skip, "u1000-open-creat-sticky-third-party")) {
		fd = open("world/third", O_CREAT | O_WRONLY, 0644);
		show("u1000-open-creat-sticky-third-party", fd);
		closefd(fd);
	}
	if (step(skip, "u1000-chown-own-to-root"))
		show("u1000-chown-own-to-root", chown("world/mine", 0, (gid_t)-1));
	if (step(skip, "u1000-chmod-own-sgid"))
		show_st("u1000-chmod-own-sgid", chmod("world/mine", 02755), "world/mine");
}

/* 11. Permission checks as uid 1000 against root's files, in a forked child. */
static void sec_nonroot(void)
{
	bool skip = geteuid() != 0;
	int ro = -1;
	pid_t pid;

	if (step(skip, "setup-nonroot")) {
		make_file("make-secret", "secret", "s3cret", 0600);
		make_file("make-pub", "pub", "public", 0644);
		make_file("make-rootexe", "rootexe", "#!/bin/cat\n", 0700);
		show_st("mkdir-private", mkdir("private", 0700), "private");
		make_file("make-private-inside", "private/inside", "in", 0644);
		show_st("mkdir-world", mkdir("world", 0777), "world");
		show_st("chmod-world-sticky", chmod("world", 01777), "world");
		make_file("make-world-rootfile", "world/rootfile", "r", 0666);
		show_st("chmod-world-rootfile", chmod("world/rootfile", 0666), "world/rootfile");
		make_file("make-world-third", "world/third", "t", 0666);
		show_st("chown-world-third", chown("world/third", 1001, 1001), "world/third");
		show_st("chmod-world-third", chmod("world/third", 0666), "world/third");
		ro = open("pub", O_RDONLY);
	}
	if (skip) {
		nonroot_steps(true, -1);
		step(skip, "u1000-child");
		return;
	}
	pid = do_fork();
	if (pid == 0) {
		nonroot_steps(false, ro);
		fflush(stdout);
		_exit(0);
	}
	closefd(ro);
	show_wait("u1000-child", pid, false);
}

/* 12. Names: unlink, rmdir, rename, renameat2, link, mknod. */
static void sec_names(void)
{
	make_file("make-r1", "r1", "one", 0644);
	make_file("make-r2", "r2", "two", 0644);
	show("unlink-missing", unlink("missing"));
	show("unlink-dir", unlink("sub"));
	show("unlink-trailing-slash-file", unlink("r1/"));
	show("unlinkat-removedir", unlinkat(AT_FDCWD, "emptyd", AT_REMOVEDIR));
	show("unlinkat-removedir-file", unlinkat(AT_FDCWD, "r1", AT_REMOVEDIR));
	show("unlinkat-bad-flags", unlinkat(AT_FDCWD, "r1", 0x1));
	show("rmdir-notempty", rmdir("sub"));
	show("rmdir-dot", rmdir("sub/."));
	show("rmdir-dotdot", rmdir("sub/.."));
	show("rmdir-file", rmdir("r1"));
	show("rmdir-symlink-to-dir", rmdir("dirlnk"));
	show("unlink-symlink", unlink("chain1"));
	show_lstat("stat-after-unlink-symlink", "lnk");

	show_st("rename-file", rename("r1", "r3"), "r3");
	show_lstat("stat-rename-source", "r1");
	show_st("rename-over-existing", rename("r3", "r2"), "r2");
	show_file("read-renamed", "r2");
	show("rename-missing", rename("r1", "r4"));
	show_st("mkdir-rd1", mkdir("rd1", 0755), "rd1");
	show_st("mkdir-rd2", mkdir("rd2", 0755), "rd2");
	make_file("make-rd2-x", "rd2/x", "x", 0644);
	show("rename-dir-over-nonempty", rename("rd1", "rd2"));
	show("rename-file-over-dir", rename("r2", "rd1"));
	show("rename-dir-over-file", rename("rd1", "r2"));
	show("rename-into-own-subdir", rename("rd2", "rd2/y"));
	show("rename-dot", rename("rd2/.", "rd3"));
	show_st("rename-dir-over-empty-dir", rename("rd2", "rd1"), "rd1/x");
	show_st("rename-symlink", rename("dangle", "dangle-moved"), "dangle-moved");

	make_file("make-n1", "n1", "first", 0644);
	make_file("make-n2", "n2", "second", 0644);
	show("renameat2-noreplace-exists",
	     renameat2(AT_FDCWD, "n1", AT_FDCWD, "n2", RENAME_NOREPLACE));
	show_st("renameat2-noreplace-new",
		renameat2(AT_FDCWD, "n1", AT_FDCWD, "n3", RENAME_NOREPLACE), "n3");
	show("renameat2-exchange", renameat2(AT_FDCWD, "n2", AT_FDCWD, "n3", RENAME_EXCHANGE));
	show_file("read-exchanged-n2", "n2");
	show_file("read-exchanged-n3", "n3");
	show("renameat2-exchange-missing",
	     renameat2(AT_FDCWD, "n2", AT_FDCWD, "n9", RENAME_EXCHANGE));
	show("renameat2-exchange-file-dir",
	     renameat2(AT_FDCWD, "n2", AT_FDCWD, "rd1", RENAME_EXCHANGE));
	show_lstat("stat-exchanged-dir", "n2");
	show("renameat2-bad-flags",
	     renameat2(AT_FDCWD, "rd1", AT_FDCWD, "n2", RENAME_NOREPLACE | RENAME_EXCHANGE));

	show_st("link-file", link("n3", "n3-link"), "n3");
	show("link-exists", link("n3", "n2"));
	show("link-dir", link("sub", "sub-link"));
	show("link-missing", link("missing", "m-link"));
	show_st("linkat-symlink-nofollow", linkat(AT_FDCWD, "lnk", AT_FDCWD, "lnk-hard", 0),
		"lnk-hard");
	show_st("linkat-symlink-follow",
		linkat(AT_FDCWD, "lnk", AT_FDCWD, "lnk-followed", AT_SYMLINK_FOLLOW),
		"lnk-followed");
	show("linkat-bad-flags", linkat(AT_FDCWD, "n3", AT_FDCWD, "n3-bad", 0x1));

	show_st("mknod-fifo", mknod("fifo", S_IFIFO | 0644, 0), "fifo");
	show("mknod-fifo-exists", mknod("fifo", S_IFIFO | 0644, 0));
	show_st("mknod-reg", mknod("nreg", S_IFREG | 0600, 0), "nreg");
	show("mknod-chr", mknod("nchr", S_IFCHR | 0600, makedev(1, 3)));
	show("mknod-bad-type", mknod("nbad", 0170000 | 0600, 0));
	show("mkfifo-dev-erofs", mknod("/dev/dacseq-fifo", S_IFIFO | 0644, 0));
}

/* 13. Attributes: chmod, chown, truncate, xattrs. */
static void sec_attrs(void)
{
	char v[16];
	int fd;
	ssize_t n;

	make_file("make-attr", "attr", "0123456789", 0644);
	show_st("chmod-file", chmod("attr", 0600), "attr");
	show_st("fchmodat-file", fchmodat(AT_FDCWD, "attr", 0640, 0), "attr");
	show("fchmodat2-symlink-nofollow",
	     syscall(SYS_fchmodat2, AT_FDCWD, "lnk", 0600, AT_SYMLINK_NOFOLLOW));
	show_st("fchmodat2-file-nofollow",
		syscall(SYS_fchmodat2, AT_FDCWD, "attr", 0644, AT_SYMLINK_NOFOLLOW), "attr");
	show("chmod-missing", chmod("missing", 0644));
	show_st("chmod-through-symlink", chmod("lnk", 0640), "file");
	fd = open("attr", O_PATH | O_CLOEXEC);
	show("fchmod-opath", fchmod(fd, 0600));
	closefd(fd);
	make_file("make-owned", "owned", "o", 0644);
	show_st("chown-to-1000", chown("owned", 1000, 1000), "owned");
	make_file("make-suid", "suid", "s", 0755);
	show_st("chmod-suid", chmod("suid", 06755), "suid");
	show_st("chown-clears-suid", chown("suid", 1000, (gid_t)-1), "suid");
	show_st("lchown-symlink", lchown("lnk-hard", 1000, 1000), "lnk-hard");
	show("chown-missing", chown("missing", 0, 0));
	show("chown-unmapped", chown("owned", 70000, (gid_t)-1));

	show_st("truncate-file", truncate("attr", 5), "attr");
	show("truncate-dir", truncate("sub", 0));
	show("truncate-missing", truncate("missing", 0));
	show("truncate-negative", truncate("attr", -1));
	show("truncate-fifo", truncate("fifo", 0));
	fd = open("attr", O_RDONLY | O_CLOEXEC);
	show("ftruncate-rdonly", ftruncate(fd, 1));
	closefd(fd);
	fd = open("attr", O_RDWR | O_CLOEXEC);
	show_st("ftruncate-rdwr", ftruncate(fd, 2), "attr");
	closefd(fd);
	fd = open("attr", O_PATH | O_CLOEXEC);
	show("ftruncate-opath", ftruncate(fd, 1));
	closefd(fd);

	show("setxattr-user", setxattr("attr", "user.test", "v1", 2, 0));
	n = getxattr("attr", "user.test", v, sizeof(v) - 1);
	if (n < 0) {
		out("getxattr-user", "%s", ename(errno));
	} else {
		v[n] = 0;
		out("getxattr-user", "ok value=%s", v);
	}
	show("getxattr-small-buffer", getxattr("attr", "user.test", v, 1));
	show("getxattr-missing", getxattr("attr", "user.none", v, sizeof(v)));
	show("setxattr-create-exists", setxattr("attr", "user.test", "v2", 2, XATTR_CREATE));
	show("setxattr-replace-missing", setxattr("attr", "user.none", "v2", 2, XATTR_REPLACE));
	show("setxattr-through-symlink", setxattr("lnk", "user.test", "v3", 2, 0));
	show("lsetxattr-symlink-user", lsetxattr("lnk", "user.test", "v3", 2, 0));
	show("setxattr-trusted", setxattr("attr", "trusted.test", "t", 1, 0));
	show("setxattr-bad-namespace", setxattr("attr", "bogus.test", "t", 1, 0));
	fd = open("attr", O_RDONLY | O_CLOEXEC);
	show("fsetxattr-rdonly-fd", fsetxattr(fd, "user.fd", "f", 1, 0));
	closefd(fd);
	show("removexattr-user", removexattr("attr", "user.test"));
	show("getxattr-after-remove", getxattr("attr", "user.test", v, sizeof(v)));
	show("removexattr-missing", removexattr("attr", "user.test"));
}

/* 14. FIFOs: ENXIO without a reader, non-blocking opens, and a blocking open with a writer. */
static void sec_fifo(void)
{
	int r, w, fd;
	pid_t pid;

	show("fifo-wronly-nonblock-noreader", open("fifo", O_WRONLY | O_NONBLOCK));
	r = show_fd("fifo-rdonly-nonblock", open("fifo", O_RDONLY | O_NONBLOCK), "fifo");
	w = show_fd("fifo-wronly-nonblock-reader", open("fifo", O_WRONLY | O_NONBLOCK), "fifo");
	closefd(w);
	closefd(r);
	closefd(show_fd("fifo-rdwr", open("fifo", O_RDWR), "fifo"));
	show("fifo-creat-excl", open("fifo", O_CREAT | O_EXCL | O_WRONLY, 0644));
	show("fifo-trunc-nonblock-noreader", open("fifo", O_WRONLY | O_TRUNC | O_NONBLOCK));

	/* The FIFO itself pairs the two blocking opens. A writer that cannot open
	 * still unblocks the reader through an O_RDWR open, then reports its errno. */
	pid = do_fork();
	if (pid == 0) {
		int e;

		fd = open("fifo", O_WRONLY);
		if (fd < 0) {
			e = errno;
			fd = open("fifo", O_RDWR);
			_exit(e);
		}
		write_str(fd, "ff");
		_exit(0);
	}
	fd = show_fd("fifo-rdonly-blocking", open("fifo", O_RDONLY), "fifo");
	if (fd >= 0) {
		show_read("fifo-read-from-writer", fd, true);
		close(fd);
	}
	show_wait("fifo-writer", pid, true);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: dacseq DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(120); /* a watchdog only: a broken FIFO or exec pairing must not hang a test run */
	umask(022);
	if (chdir(argv[1]) < 0)
		err(1, "%s", argv[1]);
	if (mkdir("w", 0755) < 0 || chdir("w") < 0)
		err(1, "%s/w", argv[1]);
	if (!getcwd(g_abs, sizeof(g_abs)))
		err(1, "getcwd");

	sec_create();
	sec_errors();
	sec_relative();
	sec_symlinks();
	sec_flags();
	sec_tmpfile();
	sec_openat2();
	sec_proc();
	sec_rofs();
	sec_exec();
	sec_nonroot();
	sec_names();
	sec_attrs();
	sec_fifo();
	fflush(stdout);
	return 0;
}
