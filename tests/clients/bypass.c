/* bypass.c - a hostile guest tries every way around an access file: one "NAME: result" line each. */
/*
 * Usage: bypass S W [MS]       the bypass suite (tests/integration/bypass.sh, issue 3);
 *                              each race runs MS milliseconds of wall clock (default 3000)
 *        bypass --blp D        the Bell-LaPadula open matrix on D/{low,eq,high,exempt,zero}
 *        bypass --fdpass F UID root opens F for reading and passes the fd
 *                              (SCM_RIGHTS) to a child that became UID
 *
 * S is the protected directory, W a writable work directory; the caller
 * creates, owned by the guest's root:
 *   S/secret    "TOPSECRET\n", mode 0755    -rw S/secret *
 *   S/noread    "NOREAD\n"                  -r  S/noread *
 *   S/protected "PROTECTED\n", mode 0644    -w  S/protected *
 *   S/applog    "LOG1\n"                    -w  S/applog *  and  a S/applog *
 *   S/future    absent                      -w  S/future *
 *   S/sub/file  "SUBFILE\n"                 -r  S/sub/ *
 *   S/secretbin a copy of /bin/true         -r  S/secretbin *
 *   W/allowed   "ALLOWED\n"
 *   W/allowedbin a copy of /bin/false
 *   W/secret.hl a hard link to S/secret, made before the guest starts
 *
 * Each attempt prints "NAME: ok", "NAME: ENAME" (the errno) or
 * "NAME: killed-SIGNAME"; the caller compares every line with the result
 * expected with and without the policy.  An attempt that succeeds where it
 * should not is undone (renamed back, content rewritten) so that it cannot
 * change the outcome of the next one.  Race attempts print "ok" or their
 * counts; diagnostics go to stderr.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

#ifndef RWF_NOAPPEND
#define RWF_NOAPPEND 0x00000020
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

#define RACE_MIN_ALLOWED 100

static const char *S, *W;
static char *s_secret, *s_noread, *s_prot, *s_applog, *s_future, *s_sub, *s_subfile;
static char *w_allowed, *w_hardlink;
static const char *applog_want = "LOG1\n";

/* ---- helpers ---- */

static char *path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *path(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		err(1, "vasprintf");
	va_end(ap);
	return p;
}

/* 0 for success, else the errno of the failed call. */
static int e_of(long rc)
{
	return rc < 0 ? errno : 0;
}

static void put_str(const char *name, const char *res)
{
	printf("%s: %s\n", name, res);
	fflush(stdout);
}

static void put(const char *name, int e)
{
	const char *n = strerrorname_np(e);

	if (!e)
		put_str(name, "ok");
	else if (n)
		put_str(name, n);
	else
		printf("%s: errno-%d\n", name, e);
	fflush(stdout);
}

/* Open @p at @dfd with @flags and read one byte (unless write-only or a directory). */
static int try_open(int dfd, const char *p, int flags)
{
	char c;
	int fd = openat(dfd, p, flags | O_CLOEXEC, 0644);

	if (fd < 0)
		return errno;
	int e = 0;
	if ((flags & O_ACCMODE) != O_WRONLY && !(flags & (O_DIRECTORY | O_PATH)) &&
	    read(fd, &c, 1) < 0)
		e = errno;
	close(fd);
	return e;
}

static int try_read(const char *p)
{
	return try_open(AT_FDCWD, p, O_RDONLY);
}

static int openat2_fd(int dfd, const char *p, uint64_t flags, uint64_t resolve)
{
	struct open_how how = {.flags = flags | O_CLOEXEC, .resolve = resolve};

	return (int)syscall(SYS_openat2, dfd, p, &how, sizeof how);
}

/* File content into @buf (NUL-terminated), or NULL. */
static char *slurp(const char *p, char *buf, size_t len)
{
	int fd = open(p, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = 0;
	return buf;
}

static int has_content(const char *p, const char *want)
{
	char buf[256];
	const char *got = slurp(p, buf, sizeof buf);

	return got && !strcmp(got, want);
}

static void write_file(const char *p, const char *content, mode_t mode)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content))
		warn("cannot write %s", p);
	if (fd >= 0)
		close(fd);
}

/*
 * Undo a modification that got through (in place, so that open fds keep
 * naming the file).  A no-op when nothing changed: with the policy in
 * force it never writes, so it adds no records of its own.
 */
static void restore(const char *p, const char *content, mode_t mode)
{
	struct stat st;

	if (!has_content(p, content))
		write_file(p, content, mode);
	if (!stat(p, &st) && (st.st_mode & 07777) != mode)
		chmod(p, mode);
}

static void unlink_quiet(const char *p)
{
	struct stat st;

	if (!lstat(p, &st))
		S_ISDIR(st.st_mode) ? rmdir(p) : unlink(p);
}

static void cd(const char *dir)
{
	if (chdir(dir))
		err(1, "chdir %s", dir);
}

/* ---- attempts run in a child: the result comes back through a pipe ---- */

typedef int (*attempt_fn)(void);

/*
 * Run @fn in a child and print its result.  A child killed by a signal
 * prints "killed-SIGNAME"; one that exec'd (the pipe closed by O_CLOEXEC
 * without a result) prints "ok".
 */
static void in_child(const char *name, attempt_fn fn)
{
	int p[2], e = 0, st;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC))
		err(1, "pipe2");
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		close(p[0]);
		e = fn();
		if (write(p[1], &e, sizeof e) != sizeof e)
			_exit(127);
		_exit(0);
	}
	close(p[1]);
	do
		n = read(p[0], &e, sizeof e);
	while (n < 0 && errno == EINTR);
	close(p[0]);
	if (waitpid(pid, &st, 0) < 0)
		err(1, "waitpid");
	if (WIFSIGNALED(st)) {
		const char *sig = sigabbrev_np(WTERMSIG(st));
		printf("%s: killed-SIG%s\n", name, sig ? sig : "?");
		fflush(stdout);
	} else if (n == sizeof e) {
		put(name, e);
	} else if (n == 0 && WIFEXITED(st)) {
		put_str(name, "ok");
	} else {
		printf("%s: child-status-%d\n", name, st);
		fflush(stdout);
	}
}

/* A child that waits to be killed: a victim for ptrace and process_vm_writev. */
static char victim_buf[16] = "untouched";

static pid_t victim(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0)
		for (;;)
			pause();
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* ---- S/secret: no read by any name, no link, no rename ---- */

static char *dotdot_path(const char *from, const char *to)
{
	/* From @from up to / with "..", then down to @to: "../../tmp/x/s/secret". */
	size_t ups = 0;
	for (const char *c = from; *c; c++)
		if (*c == '/' && c[1] && c[1] != '/')
			ups++;
	char *p = calloc(ups * 3 + strlen(to) + 1, 1);
	if (!p)
		err(1, "calloc");
	for (size_t i = 0; i < ups; i++)
		strcat(p, "../");
	strcat(p, to + 1);
	return p;
}

static int exec_secret(void)
{
	char *argv[] = {s_secret, NULL}, *envp[] = {NULL};

	execve(s_secret, argv, envp);
	return errno;
}

/* A real program (/bin/true): natively it runs, so only the policy can refuse it. */
static int exec_secretbin(void)
{
	char *bin = path("%s/secretbin", S), *argv[] = {bin, NULL}, *envp[] = {NULL};

	execve(bin, argv, envp);
	return errno;
}

/* /bin/false exits 1, which is still "ok": the exec itself succeeded. */
static int exec_allowedbin(void)
{
	char *bin = path("%s/allowedbin", W), *argv[] = {bin, NULL}, *envp[] = {NULL};

	execve(bin, argv, envp);
	return errno;
}

/*
 * A script of our own whose interpreter is S/secretbin: the kernel opens
 * the interpreter itself, by a path the guest wrote into a file.
 */
static int exec_shebang(void)
{
	char *script = path("%s/shebang", W), *argv[] = {script, NULL}, *envp[] = {NULL};

	execve(script, argv, envp);
	return errno;
}

static int exec_opath_fd;

static int execveat_secret(void)
{
	char *argv[] = {s_secret, NULL}, *envp[] = {NULL};

	syscall(SYS_execveat, exec_opath_fd, "", argv, envp, AT_EMPTY_PATH);
	return errno;
}

static void secret_by_name(void)
{
	char *p;

	put("secret-abs", try_read(s_secret));

	cd(S);
	put("secret-rel", try_read("secret"));
	put("secret-proc-cwd", try_read("/proc/self/cwd/secret"));
	cd(W);

	p = dotdot_path(W, s_secret);
	put("secret-dotdot-rel", try_read(p));
	free(p);
	const char *base = strrchr(S, '/') + 1;
	p = path("%s/../%s/secret", S, base);
	put("secret-dotdot-abs", try_read(p));
	free(p);

	char *l1 = path("%s/ln1", W);
	int e = e_of(symlink(s_secret, l1));
	put("secret-symlink", e ? e : try_read(l1));
	unlink(l1);
	free(l1);

	/* c1 -> c2 (relative), c2 -> W/c3 (absolute), c3 -> ../../S/secret (dotdot). */
	char *c1 = path("%s/c1", W), *c2 = path("%s/c2", W), *c3 = path("%s/c3", W);
	char *t3 = dotdot_path(W, s_secret);
	e = e_of(symlink("c2", c1));
	e = e ? e : e_of(symlink(c3, c2));
	e = e ? e : e_of(symlink(t3, c3));
	put("secret-symlink-chain", e ? e : try_read(c1));
	unlink(c1), unlink(c2), unlink(c3);
	free(c1), free(c2), free(c3), free(t3);

	put("secret-hardlink-premade", try_read(w_hardlink));

	p = path("/proc/%d/root%s", (int)getpid(), s_secret);
	put("secret-proc-pid-root", try_read(p));
	free(p);
	p = path("/proc/thread-self/root%s", s_secret);
	put("secret-proc-thread-self-root", try_read(p));
	free(p);

	in_child("secret-execve", exec_secret);
	in_child("secretbin-execve", exec_secretbin);
	in_child("allowedbin-execve", exec_allowedbin);
	char *script = path("%s/shebang", W), *line = path("#!%s/secretbin\n", S);
	write_file(script, line, 0755);
	in_child("secretbin-shebang", exec_shebang);
	unlink(script);
	free(script), free(line);
}

static void secret_by_fd(void)
{
	char *p, *lnk = path("%s/flink", W);
	int fd = open(s_secret, O_PATH | O_CLOEXEC);

	/* O_PATH grants nothing: allowed; every re-open through it is checked. */
	put("secret-opath", e_of(fd));
	if (fd >= 0) {
		p = path("/proc/self/fd/%d", fd);
		put("secret-proc-self-fd", try_read(p));
		put("secret-proc-self-fd-rdwr", try_open(AT_FDCWD, p, O_RDWR));
		int e = e_of(linkat(AT_FDCWD, p, AT_FDCWD, lnk, AT_SYMLINK_FOLLOW));
		put("secret-proc-self-fd-linkat", e);
		if (!e)
			unlink(lnk);
		free(p);
		p = path("/dev/fd/%d", fd);
		put("secret-dev-fd", try_read(p));
		free(p);
		exec_opath_fd = fd;
		in_child("secret-execveat-opath", execveat_secret);
		close(fd);
	}
	free(lnk);

	int sfd = open(S, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		err(1, "open %s", S);
	put("secret-openat-opath-dir", try_open(sfd, "secret", O_RDONLY));
	p = path("/proc/self/fd/%d/secret", sfd);
	put("secret-proc-self-fd-dir", try_read(p));
	free(p);
	fd = openat2_fd(sfd, "secret", O_RDONLY, RESOLVE_IN_ROOT);
	put("secret-openat2-in-root", e_of(fd));
	if (fd >= 0)
		close(fd);
	fd = openat2_fd(sfd, "/secret", O_RDONLY, RESOLVE_IN_ROOT);
	put("secret-openat2-in-root-abs", e_of(fd));
	if (fd >= 0)
		close(fd);
	fd = openat2_fd(sfd, "secret", O_RDONLY, RESOLVE_BENEATH);
	put("secret-openat2-beneath", e_of(fd));
	if (fd >= 0)
		close(fd);
	close(sfd);

	/* An fd held by another process, reached through its /proc/PID/fd. */
	int go[2], ready[2];
	if (pipe2(go, O_CLOEXEC) || pipe2(ready, O_CLOEXEC))
		err(1, "pipe2");
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		char c = 0;
		close(go[1]), close(ready[0]);
		int pfd = open(s_secret, O_PATH);
		if (pfd < 0 || dup2(pfd, 100) < 0)
			c = 1;
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	char c = 1;
	close(go[0]), close(ready[1]);
	if (read(ready[0], &c, 1) != 1 || c)
		put_str("secret-proc-child-fd", "child-failed");
	p = path("/proc/%d/fd/100", (int)pid);
	if (!c)
		put("secret-proc-child-fd", try_read(p));
	free(p);
	close(go[1]), close(ready[0]);
	waitpid(pid, NULL, 0);

	/* Handles need CAP_DAC_READ_SEARCH in the initial namespace: EPERM. */
	struct {
		struct file_handle h;
		unsigned char space[MAX_HANDLE_SZ];
	} fh = {.h.handle_bytes = MAX_HANDLE_SZ};
	int mnt, e = e_of(name_to_handle_at(AT_FDCWD, s_secret, &fh.h, &mnt, 0));
	if (e) {
		put("secret-open-by-handle", e);
	} else {
		int dfd = open(S, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		fd = open_by_handle_at(dfd, &fh.h, O_RDONLY | O_CLOEXEC);
		put("secret-open-by-handle", e_of(fd));
		if (fd >= 0)
			close(fd);
		close(dfd);
	}
}

static void secret_moves(void)
{
	char *moved = path("%s.moved", s_secret), *lnk = path("%s/newlink", W);

	int e = e_of(linkat(AT_FDCWD, s_secret, AT_FDCWD, lnk, 0));
	put("secret-linkat", e);
	if (!e)
		unlink(lnk);

	e = e_of(rename(s_secret, moved));
	put("secret-rename", e);
	if (!e && rename(moved, s_secret))
		err(1, "cannot undo the rename of %s", s_secret);

	/*
	 * The parent has no rule of its own, so moving it is allowed (the
	 * spec binds rules to objects, it does not pin their paths); the
	 * secret must stay unreadable under its new name.
	 */
	char *smoved = path("%s/s.moved", W), *inner = path("%s/secret", smoved);
	e = e_of(rename(S, smoved));
	put("secret-parent-rename", e);
	put("secret-parent-renamed-read", try_read(e ? s_secret : inner));
	if (!e && rename(smoved, S))
		err(1, "cannot move %s back", S);
	free(moved), free(lnk), free(smoved), free(inner);
}

/* ---- S/sub/: a subtree nobody may read ---- */

/*
 * Read a file @levels directories below @dir (names of @namelen bytes),
 * through relative chdirs: its result.  Each step is a short path: the
 * chain is built by nesting it in a new top directory, @levels times, and
 * taken apart the same way.
 */
static int deep_read(const char *dir, int levels, int namelen)
{
	char name[121];
	int fd, e;

	if (namelen < 1 || namelen >= (int)sizeof(name))
		errx(2, "deep_read: bad name length");
	memset(name, 'd', (size_t)namelen);
	name[namelen] = '\0';
	char *top = path("%s/deep", dir), *tmp = path("%s/deeptmp", dir);
	char *nested = path("%s/deeptmp/%s", dir, name), *inner = path("%s/deep/%s", dir, name);
	char *file = path("%s/deep/file", dir);
	if (mkdir(top, 0755) ||
	    (fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0 ||
	    write(fd, "deep\n", 5) != 5 || close(fd))
		err(1, "cannot make %s", file);
	for (int i = 0; i < levels; i++)
		if (mkdir(tmp, 0755) || rename(top, nested) || rename(tmp, top))
			err(1, "cannot nest %s", top);
	e = e_of(chdir(top));
	for (int i = 0; i < levels && !e; i++)
		e = e_of(chdir(name));
	if (!e)
		e = try_read("file");
	cd(W);
	for (int i = 0; i < levels; i++)
		if (rename(inner, tmp) || rmdir(top) || rename(tmp, top))
			err(1, "cannot unnest %s", top);
	if (unlink(file) || rmdir(top))
		err(1, "cannot remove %s", top);
	free(top), free(tmp), free(nested), free(inner), free(file);
	return e;
}

static void subtree(void)
{
	char *newf = path("%s/new", s_sub), *moved = path("%s/moved", W);
	char *mfile = path("%s/file", moved), *escaped = path("%s/escaped", W);

	put("sub-file-read", try_read(s_subfile));
	put("sub-list", try_open(AT_FDCWD, s_sub, O_RDONLY | O_DIRECTORY));
	int e = e_of(chdir(s_sub));
	put("sub-list-cwd-dot", e ? e : try_open(AT_FDCWD, ".", O_RDONLY | O_DIRECTORY));
	cd(W);

	/* Only r is denied: creating is allowed, reading what was created is not. */
	e = try_open(AT_FDCWD, newf, O_WRONLY | O_CREAT | O_EXCL);
	put("sub-new-file-create", e);
	put("sub-new-file-read", try_read(newf));
	unlink(newf);

	/*
	 * Renaming the subtree's top needs only w, which nobody is denied:
	 * the rename succeeds, and the rule follows the directory (it binds
	 * the object, not the path), so its contents stay unreadable.
	 */
	e = e_of(rename(s_sub, moved));
	put("sub-rename", e);
	put("sub-renamed-read", try_read(e ? s_subfile : mfile));
	put("sub-renamed-list", try_open(AT_FDCWD, e ? s_sub : moved, O_RDONLY | O_DIRECTORY));
	if (!e && rename(moved, s_sub))
		err(1, "cannot move %s back", moved);

	/*
	 * A file moved out of the subtree must not become readable ("moving an
	 * object can never widen what it allows", docs/POLICY.md): either the
	 * rename or the read is refused, both with EACCES.  The line shows the
	 * first refusal, "ok" if the content was read.
	 */
	e = e_of(rename(s_subfile, escaped));
	if (!e) {
		e = try_read(escaped);
		if (rename(escaped, s_subfile))
			err(1, "cannot move %s back", escaped);
	}
	put("sub-file-escape", e);

	/* The same with a second name outside the subtree (the first stays inside). */
	e = e_of(link(s_subfile, escaped));
	if (!e) {
		e = try_read(escaped);
		unlink(escaped);
	}
	put("sub-file-hardlink-out", e);

	int fd = open(s_subfile, O_PATH | O_CLOEXEC);
	if (fd < 0)
		err(1, "open %s", s_subfile);
	char *p = path("/proc/self/fd/%d", fd);
	put("sub-file-proc-self-fd", try_read(p));
	free(p);
	close(fd);
	free(newf), free(moved), free(mfile), free(escaped);

	/*
	 * 41 levels below S/sub, its path 4,900 bytes long: more than PATH_MAX
	 * (the broker cannot read it: refused), and deeper than the lsm walk
	 * once looked (32 levels, then `default`: it would have read the file).
	 */
	put("sub-deep-read", deep_read(s_sub, 40, 120));
	/* Below W, which no rule names, but 2,100 levels down: too deep to check, refused. */
	put("deep-2100-read", deep_read(W, 2100, 1));
}

/* ---- S/protected: readable, never modified ---- */

static void protected_file(void)
{
	const char *want = "PROTECTED\n";
	char *other = path("%s/other", W), *lnk = path("%s/plink", W);
	int e, fd;

	put("protected-read", has_content(s_prot, want) ? 0 : EIO);
	fd = openat2_fd(AT_FDCWD, s_prot, O_RDONLY, 0);
	put("protected-openat2-rdonly", e_of(fd));
	if (fd >= 0)
		close(fd);
	put("protected-wronly", try_open(AT_FDCWD, s_prot, O_WRONLY));
	put("protected-rdwr", try_open(AT_FDCWD, s_prot, O_RDWR));
	put("protected-rdonly-trunc", try_open(AT_FDCWD, s_prot, O_RDONLY | O_TRUNC));
	restore(s_prot, want, 0644);
	fd = creat(s_prot, 0644);
	put("protected-creat", e_of(fd));
	if (fd >= 0)
		close(fd);
	restore(s_prot, want, 0644);
	put("protected-truncate", e_of(truncate(s_prot, 0)));
	restore(s_prot, want, 0644);
	put("protected-unlink", e_of(unlink(s_prot)));
	restore(s_prot, want, 0644);

	write_file(other, "EVIL\n", 0644);
	put("protected-rename-over", e_of(rename(other, s_prot)));
	restore(s_prot, want, 0644);
	write_file(other, "EVIL\n", 0644);
	e = e_of(renameat2(AT_FDCWD, other, AT_FDCWD, s_prot, RENAME_EXCHANGE));
	put("protected-exchange", e);
	if (!e)
		renameat2(AT_FDCWD, other, AT_FDCWD, s_prot, RENAME_EXCHANGE);
	unlink(other);
	restore(s_prot, want, 0644);

	e = e_of(linkat(AT_FDCWD, s_prot, AT_FDCWD, lnk, 0));
	put("protected-linkat", e);
	if (!e)
		unlink(lnk);

	put("protected-chmod", e_of(chmod(s_prot, 0666)));
	restore(s_prot, want, 0644);
	put("protected-chown", e_of(chown(s_prot, 0, 0)));
	e = e_of(setxattr(s_prot, "user.bypass", "x", 1, 0));
	put("protected-setxattr", e);
	if (!e)
		removexattr(s_prot, "user.bypass");

	/* A read-only fd cannot be re-opened wider, nor mapped shared-writable. */
	fd = open(s_prot, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		err(1, "open %s", s_prot);
	char *p = path("/proc/self/fd/%d", fd);
	put("protected-reopen-wronly", try_open(AT_FDCWD, p, O_WRONLY));
	free(p);
	void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	put("protected-mmap-shared-write", m == MAP_FAILED ? errno : 0);
	if (m != MAP_FAILED)
		munmap(m, 4096);
	close(fd);
	restore(s_prot, want, 0644);

	/*
	 * "-w" governs W only (docs/POLICY.md, Rules): appending is a separate
	 * permission that this file does not deny.  Open only, write nothing.
	 */
	put("protected-append-open", try_open(AT_FDCWD, s_prot, O_WRONLY | O_APPEND));

	put("protected-intact", has_content(s_prot, want) ? 0 : EIO);
	free(other), free(lnk);
}

/* ---- S/applog: append-only ---- */

static int applog_check(int fd, const char *add, const char *want)
{
	if (write(fd, add, strlen(add)) != (ssize_t)strlen(add))
		return errno ? errno : EIO;
	return has_content(s_applog, want) ? 0 : EIO;
}

static void applog(void)
{
	int e, afd = open(s_applog, O_WRONLY | O_APPEND | O_CLOEXEC);

	put("applog-append-open", e_of(afd));
	if (afd < 0)
		return;
	put("applog-append-write", applog_check(afd, "LOG2\n", "LOG1\nLOG2\n"));
	applog_want = "LOG1\nLOG2\n";
	/* On an O_APPEND fd the kernel appends whatever offset pwrite names. */
	e = e_of(pwrite(afd, "LOG3\n", 5, 0));
	put("applog-pwrite-appends", e ? e : has_content(s_applog, "LOG1\nLOG2\nLOG3\n") ? 0 : EIO);
	applog_want = "LOG1\nLOG2\nLOG3\n";
	restore(s_applog, applog_want, 0644);

	put("applog-wronly", try_open(AT_FDCWD, s_applog, O_WRONLY));
	/* A read-write append fd could be mapped shared-writable: it needs w. */
	put("applog-rdwr-append", try_open(AT_FDCWD, s_applog, O_RDWR | O_APPEND));
	put("applog-append-trunc", try_open(AT_FDCWD, s_applog, O_WRONLY | O_APPEND | O_TRUNC));
	restore(s_applog, applog_want, 0644);
	char *p = path("/proc/self/fd/%d", afd);
	put("applog-reopen-wronly", try_open(AT_FDCWD, p, O_WRONLY));
	free(p);

	/* The append fd itself must not become a general write fd. */
	e = e_of(fcntl(afd, F_SETFL, 0));
	put("applog-setfl-clear-append", e);
	if (!e)
		fcntl(afd, F_SETFL, O_APPEND);
	put("applog-setfl-keep-append", e_of(fcntl(afd, F_SETFL, O_APPEND | O_NONBLOCK)));
	fcntl(afd, F_SETFL, O_APPEND);
	put("applog-ftruncate", e_of(ftruncate(afd, 0)));
	restore(s_applog, applog_want, 0644);
	put("applog-punch-hole",
	    e_of(fallocate(afd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4)));
	restore(s_applog, applog_want, 0644);
	struct iovec iov = {.iov_base = "EVIL", .iov_len = 4};
	put("applog-pwritev2-noappend", e_of(pwritev2(afd, &iov, 1, 0, RWF_NOAPPEND)));
	restore(s_applog, applog_want, 0644);

	/* Kernel answers that hold only if the fd really carries O_APPEND and no read access. */
	void *m = mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, afd, 0);
	put("applog-mmap-shared", m == MAP_FAILED ? errno : 0);
	if (m != MAP_FAILED)
		munmap(m, 4096);
	int src = open(w_allowed, O_RDONLY | O_CLOEXEC);
	loff_t off = 0;
	put("applog-copy-file-range", e_of(copy_file_range(src, NULL, afd, &off, 4, 0)));
	close(src);
	int pp[2];
	if (pipe2(pp, O_CLOEXEC) || write(pp[1], "EVIL", 4) != 4)
		err(1, "pipe");
	off = 0;
	put("applog-splice", e_of(splice(pp[0], NULL, afd, &off, 4, 0)));
	close(pp[0]), close(pp[1]);
	restore(s_applog, applog_want, 0644);
	close(afd);
	put("applog-intact", has_content(s_applog, applog_want) ? 0 : EIO);
}

/* ---- S/future: nothing may appear there ---- */

static void future(void)
{
	char *wf = path("%s/fut", W), *dangle = path("%s/dangle", W);
	int e, fd;

	put("future-creat", try_open(AT_FDCWD, s_future, O_WRONLY | O_CREAT | O_EXCL));
	unlink_quiet(s_future);
	put("future-creat-rdonly", try_open(AT_FDCWD, s_future, O_RDONLY | O_CREAT));
	unlink_quiet(s_future);
	cd(S);
	put("future-creat-rel", try_open(AT_FDCWD, "future", O_WRONLY | O_CREAT));
	cd(W);
	unlink_quiet(s_future);
	e = e_of(symlink(s_future, dangle));
	put("future-creat-dangling-symlink",
	    e ? e : try_open(AT_FDCWD, dangle, O_WRONLY | O_CREAT));
	unlink(dangle);
	unlink_quiet(s_future);
	put("future-mkdir", e_of(mkdir(s_future, 0755)));
	unlink_quiet(s_future);
	put("future-symlink", e_of(symlink("x", s_future)));
	unlink_quiet(s_future);
	put("future-mkfifo", e_of(mknod(s_future, S_IFIFO | 0644, 0)));
	unlink_quiet(s_future);

	write_file(wf, "FUTURE\n", 0644);
	put("future-rename-onto", e_of(rename(wf, s_future)));
	unlink_quiet(s_future);
	write_file(wf, "FUTURE\n", 0644);
	put("future-link", e_of(link(wf, s_future)));
	unlink_quiet(s_future);
	unlink(wf);

	/* An unnamed file in S is allowed (S has no rule); naming it S/future is not. */
	fd = open(S, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0) {
		put("future-tmpfile-linkat", errno);
	} else {
		char *p = path("/proc/self/fd/%d", fd);
		put("future-tmpfile-linkat",
		    e_of(linkat(AT_FDCWD, p, AT_FDCWD, s_future, AT_SYMLINK_FOLLOW)));
		free(p);
		close(fd);
		unlink_quiet(s_future);
	}
	struct stat st;
	put("future-absent", e_of(lstat(s_future, &st)));
	free(wf), free(dangle);
}

static void noread(void)
{
	put("noread-wronly", try_open(AT_FDCWD, s_noread, O_WRONLY));
	put("noread-rdonly", try_read(s_noread));
	put("noread-rdwr", try_open(AT_FDCWD, s_noread, O_RDWR));
}

/* ---- side doors ---- */

static int sd_uring_setup(void)
{
	struct io_uring_params prm = {0};

	return e_of(syscall(SYS_io_uring_setup, 8, &prm));
}

static int sd_uring_openat(void)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	int r = io_uring_queue_init(8, &ring, 0);

	if (r < 0)
		return -r;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, s_secret, O_RDONLY, 0);
	if ((r = io_uring_submit(&ring)) < 0 || (r = io_uring_wait_cqe(&ring, &cqe)) < 0)
		return -r;
	r = cqe->res;
	return r < 0 ? -r : 0;
}

static int sd_int80(void)
{
	/* i386 open(2) is 5; its path must lie below 4 GiB. */
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		       -1, 0);
	long ret;

	if (p == MAP_FAILED)
		return errno;
	snprintf(p, 4096, "%s", s_secret);
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(5L), "b"((long)(uintptr_t)p), "c"(0L), "d"(0L)
			 : "memory", "r8", "r9", "r10", "r11");
	return ret < 0 ? (int)-ret : 0;
}

static int sd_x32(void)
{
	/* x32 open(2) is the x86_64 number with bit 30 set. */
	return e_of(syscall(0x40000000L | SYS_open, s_secret, O_RDONLY));
}

static int sd_traceme(void)
{
	return e_of(ptrace(PTRACE_TRACEME, 0, 0, 0));
}

static int sd_seccomp_listener(void)
{
	struct sock_filter f[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_fprog prog = {.len = 1, .filter = f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return errno;
	return e_of(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
			    &prog));
}

/* A child process (not a thread) sharing the caller's cwd and root, or its fd table. */
static int clone_sharing(unsigned long flag)
{
	long pid = syscall(SYS_clone, flag | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return e_of(pid);
}

static int sd_clone_fs(void)
{
	return clone_sharing(CLONE_FS);
}

static int sd_clone_files(void)
{
	return clone_sharing(CLONE_FILES);
}

static int sd_unshare_user(void)
{
	return e_of(unshare(CLONE_NEWUSER));
}

static int sd_unshare_ns(void)
{
	return e_of(unshare(CLONE_NEWNS));
}

static int sd_mount_bind(void)
{
	char *t = path("%s/bindtarget", W);
	write_file(t, "", 0644);
	int e = e_of(mount(s_secret, t, NULL, MS_BIND, NULL));
	if (!e)
		umount2(t, MNT_DETACH);
	unlink(t);
	return e;
}

static int sd_open_tree_clone(void)
{
	return e_of(syscall(SYS_open_tree, AT_FDCWD, S, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
}

static int sd_open_tree(void)
{
	return e_of(syscall(SYS_open_tree, AT_FDCWD, s_secret, OPEN_TREE_CLOEXEC));
}

static int sd_fsopen(void)
{
	return e_of(syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC));
}

static int sd_fspick(void)
{
	return e_of(syscall(SYS_fspick, AT_FDCWD, S, FSPICK_CLOEXEC));
}

static int sd_move_mount(void)
{
	return e_of(syscall(SYS_move_mount, AT_FDCWD, S, AT_FDCWD, W, 0));
}

static int sd_umount(void)
{
	return e_of(umount2(S, MNT_DETACH));
}

static int sd_chroot(void)
{
	return e_of(chroot(S));
}

static int sd_uffd(void)
{
	return e_of(syscall(SYS_userfaultfd, O_CLOEXEC));
}

static int sd_uffd_user(void)
{
	return e_of(syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY));
}

static void side_doors(void)
{
	in_child("io-uring-setup", sd_uring_setup);
	in_child("io-uring-openat", sd_uring_openat);
	in_child("int80-open", sd_int80);
	in_child("x32-open", sd_x32);
	in_child("ptrace-traceme", sd_traceme);

	pid_t v = victim();
	put("ptrace-attach", e_of(ptrace(PTRACE_ATTACH, v, 0, 0)));
	reap(v);
	v = victim();
	put("ptrace-seize", e_of(ptrace(PTRACE_SEIZE, v, 0, 0)));
	reap(v);
	v = victim();
	struct iovec local = {.iov_base = "pwned", .iov_len = 6};
	struct iovec remote = {.iov_base = victim_buf, .iov_len = 6};
	put("process-vm-writev", e_of(process_vm_writev(v, &local, 1, &remote, 1, 0)));
	char *mem = path("/proc/%d/mem", (int)v);
	put("proc-pid-mem-write", try_open(AT_FDCWD, mem, O_WRONLY));
	free(mem);
	reap(v);
	put("proc-self-mem-write", try_open(AT_FDCWD, "/proc/self/mem", O_WRONLY));

	in_child("seccomp-new-listener", sd_seccomp_listener);
	in_child("unshare-newuser", sd_unshare_user);
	in_child("unshare-newns", sd_unshare_ns);
	in_child("mount-bind", sd_mount_bind);
	in_child("open-tree-clone", sd_open_tree_clone);
	in_child("open-tree", sd_open_tree);
	in_child("fsopen", sd_fsopen);
	in_child("fspick", sd_fspick);
	in_child("move-mount", sd_move_mount);
	in_child("umount2", sd_umount);
	in_child("chroot", sd_chroot);
	in_child("clone-shared-fs", sd_clone_fs);
	in_child("clone-shared-files", sd_clone_files);
	in_child("userfaultfd", sd_uffd);
	in_child("userfaultfd-user-mode", sd_uffd_user);
}

/* ---- races: the object checked must be the object used ---- */

enum race_kind {
	RACE_PATH,	/* open(buf): buf flips between W/allowed and S/secret */
	RACE_OPENAT2,	/* the same through openat2 */
	RACE_EXCHANGE,	/* open(target) while a and b are exchanged (dirs, symlinks) */
	RACE_CWD,	/* open("secret") while another thread flips the cwd */
	RACE_DIRFD,	/* openat(K, "secret") while dup2 flips what fd K is */
	RACE_FLAGS,	/* openat2(S/protected) while how.flags flips O_RDONLY/O_WRONLY */
	RACE_CREAT,	/* open(buf, O_CREAT) flipping between W/rc/a/future and W/rc/b/future */
	RACE_EXEC,	/* execve(buf) in a child, buf flipping between W/allowedbin, S/secretbin */
	RACE_EXEC_NAME, /* execve(buf) while a and b (links to the two programs) are exchanged */
	RACE_EXEC_CWD,	/* execve("/proc/PID/cwd/xrun") while a thread of PID flips its cwd */
};

static bool race_execs(enum race_kind k)
{
	return k == RACE_EXEC || k == RACE_EXEC_NAME || k == RACE_EXEC_CWD;
}

struct race {
	enum race_kind kind;
	char *buf;	   /* the path the callers pass */
	const char *a, *b; /* what the swapper alternates; paths of one length */
	size_t len;
	const char *target;  /* the fixed path opened */
	struct open_how how; /* RACE_FLAGS: shared with the swapper */
	int fa, fb, k;	     /* RACE_DIRFD: fd k becomes fa, then fb */
	ino_t ino;	     /* RACE_CREAT: the inode of W/future */
	int wfd;	     /* RACE_EXEC: swap by pwrite to this file (buf maps it), else memcpy */
	bool vfork;	     /* RACE_EXEC: the child shares the caller's memory (CLONE_VFORK) */
	struct timespec deadline, limit; /* race_ms, and the most it may take to get enough calls */
	atomic_int stop;
	atomic_long leaked, allowed, denied, other;
};

static long race_ms = 3000;

static int past(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* Hold a value for a moment, so that both values are seen about as often. */
static void hold(void)
{
	for (volatile int i = 0; i < 200; i++)
		;
}

static void swap_to(struct race *r, const char *p)
{
	if (r->wfd >= 0) {
		if (pwrite(r->wfd, p, r->len + 1, 0) < 0)
			atomic_fetch_add(&r->other, 1);
	} else {
		memcpy(r->buf, p, r->len + 1);
		__asm__ volatile("" ::: "memory");
	}
	hold();
}

static void *swapper(void *arg)
{
	struct race *r = arg;
	volatile __u64 *flags = &r->how.flags;

	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		switch (r->kind) {
		case RACE_PATH:
		case RACE_OPENAT2:
		case RACE_CREAT:
		case RACE_EXEC:
			swap_to(r, r->a);
			swap_to(r, r->b);
			break;
		case RACE_EXCHANGE:
		case RACE_EXEC_NAME:
			renameat2(AT_FDCWD, r->a, AT_FDCWD, r->b, RENAME_EXCHANGE);
			break;
		case RACE_CWD:
		case RACE_EXEC_CWD:
			if (chdir(r->a) || chdir(r->b))
				atomic_fetch_add(&r->other, 1);
			break;
		case RACE_DIRFD:
			dup2(r->fa, r->k);
			dup2(r->fb, r->k);
			break;
		case RACE_FLAGS:
			*flags = O_RDONLY | O_CLOEXEC;
			hold();
			*flags = O_WRONLY | O_CLOEXEC;
			hold();
			break;
		}
	}
	return NULL;
}

static int exec_child(void *arg)
{
	struct race *r = arg;
	char *argv[] = {"race", NULL}, *envp[] = {NULL};

	execve(r->buf, argv, envp);
	_exit(100 + errno);
}

/* One execve of buf in a child: secretbin (/bin/true) exits 0, allowedbin (/bin/false) 1. */
static void exec_once(struct race *r, char *stack_top)
{
	int st;
	pid_t pid;

	if (r->vfork) {
		pid = clone(exec_child, stack_top, CLONE_VM | CLONE_VFORK | SIGCHLD, r);
	} else {
		pid = fork();
		if (pid == 0)
			exec_child(r);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		atomic_fetch_add(&r->other, 1);
	else if (WEXITSTATUS(st) == 0)
		atomic_fetch_add(&r->leaked, 1);
	else if (WEXITSTATUS(st) == 1)
		atomic_fetch_add(&r->allowed, 1);
	else
		atomic_fetch_add(WEXITSTATUS(st) == 100 + EACCES ? &r->denied : &r->other, 1);
}

static int race_open(struct race *r)
{
	switch (r->kind) {
	case RACE_PATH:
		return open(r->buf, O_RDONLY | O_CLOEXEC);
	case RACE_OPENAT2:
		return openat2_fd(AT_FDCWD, r->buf, O_RDONLY, 0);
	case RACE_EXCHANGE:
		return open(r->target, O_RDONLY | O_CLOEXEC);
	case RACE_CWD:
		return open("secret", O_RDONLY | O_CLOEXEC);
	case RACE_DIRFD:
		return openat(r->k, "secret", O_RDONLY | O_CLOEXEC);
	case RACE_FLAGS:
		return (int)syscall(SYS_openat2, AT_FDCWD, r->target, &r->how, sizeof r->how);
	case RACE_CREAT:
		return open(r->buf, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	case RACE_EXEC:
	case RACE_EXEC_NAME:
	case RACE_EXEC_CWD:
		break;
	}
	errno = EINVAL;
	return -1;
}

/* Did the fd reach what the policy forbids? 1 leaked, 0 the allowed object, -1 neither. */
static int race_verdict(struct race *r, int fd)
{
	char b[16];
	struct stat st;
	ssize_t n;

	switch (r->kind) {
	case RACE_FLAGS:
		return (fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDONLY;
	case RACE_CREAT:
		return fstat(fd, &st) ? -1 : st.st_ino != r->ino;
	default:
		n = read(fd, b, 10);
		if (n == 10 && !memcmp(b, "TOPSECRET\n", 10))
			return 1;
		return n == 8 && !memcmp(b, "ALLOWED\n", 8) ? 0 : -1;
	}
}

/* Calls that completed against the allowed object (see race()). */
static long race_done(struct race *r)
{
	long allowed = atomic_load(&r->allowed);

	return race_execs(r->kind) ? allowed + atomic_load(&r->denied) : allowed;
}

/*
 * race_ms have passed and enough calls were made, or the limit: a loaded
 * machine (a sanitizer build, other test tiers) gets more time, not a
 * failure for too few calls.
 */
static bool race_over(struct race *r)
{
	return past(&r->deadline) && (race_done(r) >= RACE_MIN_ALLOWED || past(&r->limit));
}

static void *opener(void *arg)
{
	struct race *r = arg;
	char *stack = r->vfork ? malloc(1 << 16) : NULL;

	if (r->vfork && !stack)
		err(1, "malloc");
	while (!race_over(r)) {
		if (race_execs(r->kind)) {
			exec_once(r, stack ? stack + (1 << 16) : NULL);
			continue;
		}
		int fd = race_open(r);
		if (fd < 0) {
			atomic_fetch_add(errno == EACCES ? &r->denied : &r->other, 1);
			continue;
		}
		int v = race_verdict(r, fd);
		atomic_fetch_add(v > 0 ? &r->leaked : v == 0 ? &r->allowed : &r->other, 1);
		close(fd);
	}
	free(stack);
	return NULL;
}

/*
 * Run one race for race_ms of wall clock (longer, up to ten times and 10
 * s more, until enough calls were made): two threads make the call
 * in a loop while a third swaps what it names.  "ok" needs no leak at all
 * and at least RACE_MIN_ALLOWED calls that reached the allowed object, so
 * that a race that never ran cannot pass.  Exec is the exception: the
 * kernel reads its path again after the check, and a monitor may refuse
 * (EACCES) an exec whose path others can rewrite; a refusal counts as a
 * completed call, running the secret program as a leak.
 */
static void race(const char *name, struct race *r)
{
	pthread_t sw, op[2];

	clock_gettime(CLOCK_MONOTONIC, &r->deadline);
	r->limit = r->deadline;
	r->deadline.tv_sec += race_ms / 1000;
	r->deadline.tv_nsec += race_ms % 1000 * 1000000;
	if (r->deadline.tv_nsec >= 1000000000) {
		r->deadline.tv_sec++;
		r->deadline.tv_nsec -= 1000000000;
	}
	r->limit.tv_sec += 10 * race_ms / 1000 + 10;
	if (pthread_create(&sw, NULL, swapper, r))
		errx(1, "pthread_create");
	for (int i = 0; i < 2; i++)
		if (pthread_create(&op[i], NULL, opener, r))
			errx(1, "pthread_create");
	for (int i = 0; i < 2; i++)
		pthread_join(op[i], NULL);
	atomic_store(&r->stop, 1);
	pthread_join(sw, NULL);

	long leaked = atomic_load(&r->leaked), allowed = atomic_load(&r->allowed);
	long denied = atomic_load(&r->denied);
	long done = race_done(r);
	fprintf(stderr, "# %s: leaked=%ld allowed=%ld denied=%ld other=%ld\n", name, leaked,
		allowed, denied, atomic_load(&r->other));
	if (!leaked && done >= RACE_MIN_ALLOWED)
		put_str(name, "ok");
	else
		printf("%s: leaked=%ld allowed=%ld denied=%ld\n", name, leaked, allowed, denied);
	fflush(stdout);
}

static struct race *race_new(enum race_kind kind)
{
	struct race *r = calloc(1, sizeof *r);

	if (!r)
		err(1, "calloc");
	r->kind = kind;
	r->wfd = -1;
	return r;
}

static void race_free(struct race *r)
{
	free((char *)r->a), free((char *)r->b), free(r);
}

/* @p padded with leading slashes to @len bytes (the kernel reads "///a" as "/a"). */
static char *pad(const char *p, size_t len)
{
	size_t n = strlen(p);
	char *out = malloc(len + 1);

	if (!out)
		err(1, "malloc");
	memset(out, '/', len - n);
	memcpy(out + len - n, p, n + 1);
	return out;
}

/* A race whose callers pass one buffer that flips between @a and @b (padded to one length). */
static struct race *path_race_new(enum race_kind kind, const char *a, const char *b)
{
	struct race *r = race_new(kind);

	r->len = strlen(a) > strlen(b) ? strlen(a) : strlen(b);
	r->a = pad(a, r->len);
	r->b = pad(b, r->len);
	return r;
}

static void *map(void *at, size_t len, int prot, int flags, int fd)
{
	void *m = mmap(at, len, prot, flags | (at ? MAP_FIXED : 0), fd, 0);

	if (m == MAP_FAILED)
		err(1, "mmap");
	return m;
}

/* The path race on a private buffer (threads share it anyway). */
static void path_race(const char *name, enum race_kind kind, const char *a, const char *b)
{
	struct race *r = path_race_new(kind, a, b);

	r->buf = malloc(r->len + 1);
	if (!r->buf)
		err(1, "malloc");
	memcpy(r->buf, r->a, r->len + 1);
	race(name, r);
	free(r->buf);
	race_free(r);
}

/* Exchange @a (a directory or symlink leading to "ALLOWED\n") and @b while opening @target. */
static void exchange_race(const char *name, const char *a, const char *b, const char *target)
{
	struct race *r = race_new(RACE_EXCHANGE);

	r->a = strdup(a);
	r->b = strdup(b);
	r->target = target;
	race(name, r);
	race_free(r);
}

enum exec_mem {
	EXEC_SHARED,   /* a MAP_SHARED page the parent rewrites */
	EXEC_STRADDLE, /* starts on a private page, ends on a shared one */
	EXEC_FILE,     /* a private, never-written mapping of a file the parent pwrite()s */
	EXEC_VFORK,    /* private memory of a multi-threaded parent, exec'd by a vfork child */
};

/*
 * The exec races: each puts the path where a single-threaded child's
 * private view of it can still change under the monitor's check.
 */
static void exec_race(const char *name, enum exec_mem mem, const char *pathfile)
{
	char *a = path("%s/allowedbin", W), *b = path("%s/secretbin", S), *base = NULL;
	struct race *r = path_race_new(RACE_EXEC, a, b);

	free(a), free(b);
	switch (mem) {
	case EXEC_SHARED:
		r->buf = map(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
		break;
	case EXEC_STRADDLE:
		base = map(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
		map(base, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
		map(base + 4096, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
		r->buf = base + 4095; /* the first byte private, the rest shared */
		break;
	case EXEC_FILE:
		r->wfd = open(pathfile, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (r->wfd < 0 || ftruncate(r->wfd, 4096))
			err(1, "%s", pathfile);
		r->buf = map(NULL, 4096, PROT_READ, MAP_PRIVATE, r->wfd);
		break;
	case EXEC_VFORK:
		r->buf = map(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
		r->vfork = true;
		break;
	}
	if (r->wfd >= 0) {
		if (pwrite(r->wfd, r->a, r->len + 1, 0) < 0)
			err(1, "pwrite");
	} else {
		memcpy(r->buf, r->a, r->len + 1);
	}
	race(name, r);
	munmap(base ? base : r->buf, base ? 8192 : 4096);
	if (r->wfd >= 0) {
		close(r->wfd);
		unlink(pathfile);
	}
	race_free(r);
}

/*
 * The exec races on names: the path string stays put, but what it names
 * changes.  "name": another process (here a thread; the broker sees no
 * difference) exchanges W/xrun, a link to W/allowedbin, with W/xalt, a
 * link to S/secretbin.  "proc-cwd": the path runs through this process's
 * /proc/PID/cwd while a thread flips the cwd between W/xa and W/xb, which
 * hold such links as xrun.
 */
static void exec_name_races(void)
{
	char *run = path("%s/xrun", W), *alt = path("%s/xalt", W), *xa = path("%s/xa", W);
	char *xb = path("%s/xb", W), *xar = path("%s/xa/xrun", W), *xbr = path("%s/xb/xrun", W);
	char *ab = path("%s/allowedbin", W), *sb = path("%s/secretbin", S);

	if (link(ab, run) || link(sb, alt))
		err(1, "race setup");
	struct race *r = race_new(RACE_EXEC_NAME);
	r->a = strdup(run);
	r->b = strdup(alt);
	r->buf = run;
	race("race-exec-name", r);
	race_free(r);
	unlink(run), unlink(alt);

	if (mkdir(xa, 0755) || mkdir(xb, 0755) || link(ab, xar) || link(sb, xbr))
		err(1, "race setup");
	r = race_new(RACE_EXEC_CWD);
	r->a = strdup(xa);
	r->b = strdup(xb);
	r->buf = path("/proc/%d/cwd/xrun", (int)getpid());
	race("race-exec-proc-cwd", r);
	free(r->buf);
	race_free(r);
	cd(W);
	unlink(xar), unlink(xbr), rmdir(xa), rmdir(xb);
	free(run), free(alt), free(xa), free(xb), free(xar), free(xbr), free(ab), free(sb);
}

static void races(void)
{
	char *d = path("%s/d", W), *dl = path("%s/dl", W), *f = path("%s/d/secret", W);
	char *cw = path("%s/cwdrace", W), *cwf = path("%s/cwdrace/secret", W);
	char *ln = path("%s/ln", W), *ln2 = path("%s/ln2", W);
	char *rc = path("%s/rc", W), *rca = path("%s/rc/a", W), *rcb = path("%s/rc/b", W);
	char *wfut = path("%s/future", W), *pf = path("%s/pathfile", W);
	struct stat st;

	path_race("race-path", RACE_PATH, w_allowed, s_secret);
	path_race("race-openat2", RACE_OPENAT2, w_allowed, s_secret);

	/* W/d: a directory holding secret = "ALLOWED\n", or a symlink to S. */
	if (mkdir(d, 0755) || symlink(S, dl))
		err(1, "race setup");
	write_file(f, "ALLOWED\n", 0644);
	exchange_race("race-dir-swap", d, dl, f);
	char *in_d = path("%s/secret", d), *in_dl = path("%s/secret", dl);
	if (!lstat(d, &st) && S_ISDIR(st.st_mode))
		unlink(in_d);
	if (!lstat(dl, &st) && S_ISDIR(st.st_mode))
		unlink(in_dl);
	unlink_quiet(d), unlink_quiet(dl);
	free(in_d), free(in_dl);

	/* W/ln: a symlink to W/allowed or to S/secret. */
	if (symlink(w_allowed, ln) || symlink(s_secret, ln2))
		err(1, "race setup");
	exchange_race("race-symlink-swap", ln, ln2, ln);
	unlink(ln), unlink(ln2);

	/* The cwd (shared by all threads) flips between W/cwdrace and S. */
	if (mkdir(cw, 0755))
		err(1, "race setup");
	write_file(cwf, "ALLOWED\n", 0644);
	struct race *r = race_new(RACE_CWD);
	r->a = strdup(cw);
	r->b = strdup(S);
	race("race-cwd", r);
	race_free(r);
	cd(W);

	/* Fd 200 flips between directory fds of W/cwdrace and S. */
	r = race_new(RACE_DIRFD);
	r->fa = open(cw, O_PATH | O_DIRECTORY | O_CLOEXEC);
	r->fb = open(S, O_PATH | O_DIRECTORY | O_CLOEXEC);
	r->k = 200;
	if (r->fa < 0 || r->fb < 0 || dup3(r->fa, r->k, O_CLOEXEC) < 0)
		err(1, "race setup");
	race("race-dirfd", r);
	close(r->k), close(r->fa), close(r->fb);
	race_free(r);
	unlink(cwf), rmdir(cw);

	r = race_new(RACE_FLAGS);
	r->target = s_prot;
	r->how.flags = O_RDONLY | O_CLOEXEC;
	race("race-openat2-flags", r);
	race_free(r);

	/*
	 * W/rc/a -> W and W/rc/b -> S: the two paths differ in one byte, so no
	 * torn copy names a third place.  Creating W/future is allowed.
	 */
	write_file(wfut, "", 0644);
	if (mkdir(rc, 0755) || symlink(W, rca) || symlink(S, rcb) || stat(wfut, &st))
		err(1, "race setup");
	r = race_new(RACE_CREAT);
	r->a = path("%s/a/future", rc);
	r->b = path("%s/b/future", rc);
	r->len = strlen(r->a);
	r->ino = st.st_ino;
	r->buf = strdup(r->a);
	race("race-creat", r);
	free(r->buf);
	race_free(r);
	unlink(rca), unlink(rcb), rmdir(rc), unlink(wfut);
	unlink_quiet(s_future);

	exec_race("race-exec-shared", EXEC_SHARED, pf);
	exec_race("race-exec-straddle", EXEC_STRADDLE, pf);
	exec_race("race-exec-file-private", EXEC_FILE, pf);
	exec_race("race-exec-vfork", EXEC_VFORK, pf);
	exec_name_races();

	free(d), free(dl), free(f), free(cw), free(cwf), free(ln), free(ln2), free(rc);
	free(rca), free(rcb), free(wfut), free(pf);
}

/* ---- Bell-LaPadula: open modes against levels below, equal and above ---- */

static void blp(const char *dir)
{
	static const char *const objs[] = {"low", "eq", "high", "exempt", "zero"};
	static const struct {
		const char *name;
		int flags;
	} modes[] = {{"r", O_RDONLY}, {"a", O_WRONLY | O_APPEND}, {"w", O_WRONLY}, {"rw", O_RDWR}};

	for (size_t i = 0; i < sizeof objs / sizeof *objs; i++) {
		char *p = path("%s/%s", dir, objs[i]);
		for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
			char *name = path("blp-%s-%s", objs[i], modes[m].name);
			put(name, try_open(AT_FDCWD, p, modes[m].flags));
			free(name);
		}
		free(p);
	}
}

/* ---- an open file handed to another uid ---- */

/*
 * "fdpass-open": root's own open; "fdpass-recv": ok when the child got an
 * fd, else "refused" (MSG_CTRUNC, no SCM_RIGHTS); "fdpass-read": the
 * child's read through it.
 */
static void fdpass(const char *file, uid_t uid)
{
	int sv[2];
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	put("fdpass-open", fd < 0 ? errno : 0);
	if (fd < 0 || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
		return;
	pid_t pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		char buf[64] = "", c;
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = {&c, 1};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = u.b,
				    .msg_controllen = sizeof(u.b)};
		if (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
			err(1, "setresuid");
		if (recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC) < 0)
			err(1, "recvmsg");
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		if (!cm || cm->cmsg_type != SCM_RIGHTS) {
			put_str("fdpass-recv", mh.msg_flags & MSG_CTRUNC ? "refused" : "nothing");
			_exit(0);
		}
		int got;
		memcpy(&got, CMSG_DATA(cm), sizeof(got));
		put("fdpass-recv", 0);
		ssize_t n = read(got, buf, sizeof(buf) - 1);
		if (n < 0)
			put("fdpass-read", errno);
		else {
			buf[strcspn(buf, "\n")] = '\0';
			put_str("fdpass-read", buf);
		}
		_exit(0);
	}
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct iovec iov = {"x", 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.b,
			    .msg_controllen = sizeof(u.b)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	if (sendmsg(sv[0], &mh, 0) < 0)
		err(1, "sendmsg");
	waitpid(pid, NULL, 0);
	close(fd);
}

/*
 * Make @n objects at the pending path @p, moving each away (DIR/kept.I):
 * every one stays bound to @p's rules.  Then read @other, a file no rule
 * names: "bindflood-made: N", "bindflood-other-read: RESULT".
 */
static void bindflood(const char *p, const char *other, long n)
{
	long made = 0;

	for (long i = 0; i < n; i++) {
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		char *to = path("%s.kept.%ld", p, i);
		if (fd < 0 || close(fd) || rename(p, to)) {
			free(to);
			break;
		}
		free(to);
		made++;
	}
	printf("bindflood-made: %ld\n", made);
	put("bindflood-other-read", try_read(other));
}

/*
 * Read @p twice as this process's uid (--backend lsm keeps an answer from
 * the second open of an inode on), then as @uid (a child that takes it),
 * then again: an answer kept for one subject must not be another's.
 */
static void asuid(const char *p, uid_t uid)
{
	put("asuid-self", try_read(p));
	put("asuid-self", try_read(p));
	pid_t pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		if (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
			err(1, "setresuid");
		put("asuid-other", try_read(p));
		fflush(stdout);
		_exit(0);
	}
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		errx(1, "the child as uid %u failed", (unsigned)uid);
	put("asuid-self-again", try_read(p));
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--blp")) {
		blp(argv[2]);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "--bindflood")) {
		bindflood(argv[2], argv[3], client_parse_num(argv[4], 1, 1000000));
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--xattr")) {
		put("setxattr", e_of(setxattr(argv[2], "user.bypass", "x", 1, 0)));
		put("removexattr", e_of(removexattr(argv[2], "user.bypass")));
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "--asuid")) {
		asuid(argv[2], (uid_t)client_parse_num(argv[3], 0, 65535));
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "--fdpass")) {
		fdpass(argv[2], (uid_t)client_parse_num(argv[3], 0, 65535));
		return 0;
	}
	if (argc < 3 || argc > 4 || argv[1][0] != '/' || argv[2][0] != '/')
		errx(2,
		     "usage: bypass S W [MS] | bypass --blp DIR | bypass --xattr PATH | "
		     "bypass --bindflood PATH OTHER N | bypass --asuid PATH UID (absolute paths)");
	S = argv[1];
	W = argv[2];
	if (argc == 4)
		race_ms = client_parse_num(argv[3], 1, 60000);
	s_secret = path("%s/secret", S);
	s_noread = path("%s/noread", S);
	s_prot = path("%s/protected", S);
	s_applog = path("%s/applog", S);
	s_future = path("%s/future", S);
	s_sub = path("%s/sub", S);
	s_subfile = path("%s/sub/file", S);
	w_allowed = path("%s/allowed", W);
	w_hardlink = path("%s/secret.hl", W);
	umask(022);
	cd(W);

	secret_by_name();
	secret_by_fd();
	secret_moves();
	subtree();
	protected_file();
	applog();
	future();
	noread();
	side_doors();
	races();
	return 0;
}
