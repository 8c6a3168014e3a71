/* fsop.c - each trapped file operation: resolve to an object, decide on its inode, then perform it. */
#include <errno.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "mac/internal.h"
#include "util/util.h"

#define MAX_SYMLINKS 40 /* the kernel's MAXSYMLINKS */
/*
 * Policy directories above one object: as many as a path within PATH_MAX
 * has components ("/a" each), so none is ever left out.
 */
#define MAX_ANC (PATH_MAX / 2)

/* ---------------- reading the guest, once ---------------- */

static uint64_t arg(const struct mac_req *r, int i)
{
	return r->n->data.args[i];
}

static int read_str(const struct mac_req *r, uint64_t addr, char *buf, size_t len)
{
	return util_vm_read_str((pid_t)r->n->pid, addr, buf, len);
}

static int read_mem(const struct mac_req *r, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = {buf, len}, remote = {(void *)(uintptr_t)addr, len};
	if (!len)
		return 0;
	return process_vm_readv(r->n->pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -EFAULT;
}

static int read_path(const struct mac_req *r, uint64_t addr, char *buf)
{
	int e = read_str(r, addr, buf, PATH_MAX);
	if (e < 0)
		return e;
	return mac_req_valid(r) ? 0 : -ESRCH;
}

/* ---------------- where a path starts ---------------- */

/* An O_PATH fd for the guest thread's cwd (AT_FDCWD) or its fd @dirfd.  Needs full caps. */
static int base_fd(const struct mac_req *r, int dirfd)
{
	char p[64];

	if (dirfd == AT_FDCWD)
		snprintf(p, sizeof(p), "%d/cwd", (int)r->n->pid);
	else if (dirfd < 0)
		return -EBADF;
	else
		snprintf(p, sizeof(p), "%d/fd/%d", (int)r->n->pid, dirfd);
	int fd = openat(r->b->hostproc, p, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -EBADF : -errno;
	return fd;
}

/* The guest's own fd @gfd as the same open file (for ftruncate, fcntl...).  Needs full caps. */
static int guest_file(const struct mac_req *r, int gfd)
{
	cleanup_fd int pidfd = (int)syscall(SYS_pidfd_open, r->cred->tgid, 0);
	if (pidfd < 0)
		return -ESRCH;
	int fd = (int)syscall(SYS_pidfd_getfd, pidfd, gfd, 0);
	if (fd < 0)
		return errno == EBADF ? -EBADF : -errno;
	/* pidfd_getfd hands out O_PATH files, which these calls refuse. */
	if (fcntl(fd, F_GETFL) & O_PATH) {
		close(fd);
		return -EBADF;
	}
	return fd;
}

/*
 * /proc/self, /proc/thread-self and /dev/{fd,stdin,stdout,stderr} name the
 * caller; resolved by the broker they would name the broker.  Rewrite the
 * leading component to the caller's pid in the guest's /proc.  Only a
 * leading, literal prefix is rewritten: a symlink elsewhere that leads into
 * /proc/self resolves to nothing the broker can see (ENOENT), never to
 * another object.  Returns true when rewritten (the caller's own /proc).
 */
static bool rewrite_self(const struct mac_req *r, const char *path, char *out, size_t len)
{
	static const struct {
		const char *from;
		int kind; /* 0 self, 1 thread-self, 2 fd dir, 3.. std fd */
	} map[] = {{"/proc/self", 0}, {"/proc/thread-self", 1}, {"/dev/fd", 2},
		   {"/dev/stdin", 3}, {"/dev/stdout", 4},	{"/dev/stderr", 5}};

	for (size_t i = 0; i < VMM_ARRAY_SIZE(map); i++) {
		size_t l = strlen(map[i].from);
		if (strncmp(path, map[i].from, l) || (path[l] && path[l] != '/'))
			continue;
		if (map[i].kind >= 3 && path[l])
			continue; /* /dev/stdin/x: let the kernel's answer (ENOTDIR) stand */
		const struct mac_cred *c = r->cred;
		int n;
		switch (map[i].kind) {
		case 0:
			n = snprintf(out, len, "/proc/%d%s", (int)c->ns_tgid, path + l);
			break;
		case 1:
			n = snprintf(out, len, "/proc/%d/task/%d%s", (int)c->ns_tgid,
				     (int)c->ns_tid, path + l);
			break;
		case 2:
			n = snprintf(out, len, "/proc/%d/fd%s", (int)c->ns_tgid, path + l);
			break;
		default:
			n = snprintf(out, len, "/proc/%d/fd/%d", (int)c->ns_tgid, map[i].kind - 3);
		}
		return n > 0 && (size_t)n < len;
	}
	return false;
}

static int openat2_fd(int dirfd, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = {.flags = (uint64_t)(unsigned)flags | O_CLOEXEC, .resolve = resolve};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/*
 * The calls below that make a file description or change the file system
 * run in the broker's walled thread (wall.c): behind the policy's Landlock
 * wall, when the guest has one, as the guest's own calls would.
 */
static int walled_openat2(const struct mac_req *r, int dirfd, const char *path,
			  const struct open_how *how)
{
	return (int)mac_wall_syscall(r->b, SYS_openat2, dirfd, (long)path, (long)how, sizeof(*how),
				     0);
}

static int walled_openat(const struct mac_req *r, int dirfd, const char *path, int flags,
			 mode_t mode)
{
	return (int)mac_wall_syscall(r->b, SYS_openat, dirfd, (long)path, flags | O_CLOEXEC, mode,
				     0);
}

/* Open @fd's object anew through /proc/self/fd: the kernel and the wall check @flags. */
static int reopen(const struct mac_req *r, int fd, int flags)
{
	char p[16];
	snprintf(p, sizeof(p), "%d", fd);
	return walled_openat(r, r->b->selffd, p, flags, 0);
}

/* Do the permission checks but Landlock's (access(2), as the caller) allow @mode on @fd? */
static bool dac_allows(const struct mac_req *r, int fd, int mode)
{
	char p[16];
	snprintf(p, sizeof(p), "%d", fd);
	return faccessat(r->b->selffd, p, mode, AT_EACCESS) == 0;
}

/*
 * A call the broker allowed failed with EACCES (or EXDEV) in the walled
 * thread.  When the other permission checks allow @mode on @fd's object,
 * the wall refused it: the two layers disagree, which is what the wall is
 * there for.  That refusal is recorded.  Returns -EACCES.
 */
static int wall_refused(const struct mac_req *r, const char *path, int fd, unsigned want, int mode)
{
	struct stat st;

	if (!r->b->wall || !dac_allows(r, fd, mode) || fstat(fd, &st) < 0)
		return -EACCES;
	struct policy_verdict v = {.allow = false, .failed = want & -want};
	snprintf(v.reason, sizeof(v.reason), "landlock");
	mac_req_record(r, path, fd, NULL, &st, want, &v);
	return -EACCES;
}

/* Are directories @a and @b on one mount (where only Landlock makes a rename EXDEV)? */
static bool same_mount(int a, int b)
{
	struct statx x, y;

	return statx(a, "", AT_EMPTY_PATH, STATX_MNT_ID, &x) == 0 &&
	       statx(b, "", AT_EMPTY_PATH, STATX_MNT_ID, &y) == 0 && (x.stx_mask & STATX_MNT_ID) &&
	       (y.stx_mask & STATX_MNT_ID) && x.stx_mnt_id == y.stx_mnt_id;
}

/* access(2)'s mode for the permissions of an open with @flags. */
static int access_of_open(int flags)
{
	int acc = flags & O_ACCMODE;
	return (acc == O_RDONLY	  ? R_OK
		: acc == O_WRONLY ? W_OK
				  : R_OK | W_OK) |
	       (flags & O_TRUNC ? W_OK : 0);
}

static ssize_t kpath_of(const struct mac_req *r, int fd, char *buf, size_t len)
{
	char p[16];
	snprintf(p, sizeof(p), "%d", fd);
	ssize_t n = readlinkat(r->b->selffd, p, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return n;
}

/* The kernel path of entry @name in directory @dir: @dir's path, '/', @name. */
static int join_kpath(const struct mac_req *r, int dir, const char *name, char *kp, size_t len)
{
	ssize_t n = kpath_of(r, dir, kp, len);
	size_t nl = strlen(name);

	if (n < 0)
		return (int)n;
	while (nl > 1 && name[nl - 1] == '/')
		nl--;
	if ((size_t)n + 1 + nl >= len)
		return -ENAMETOOLONG;
	if (n > 1)
		kp[n++] = '/';
	memcpy(kp + n, name, nl);
	kp[n + nl] = 0;
	return 0;
}

/* ---------------- decisions ---------------- */

struct anc {
	const struct mac_dir *d;
};

static int cmp_anc(const void *a, const void *b)
{
	const struct mac_dir *x = ((const struct anc *)a)->d, *y = ((const struct anc *)b)->d;
	return (x->klen < y->klen) - (x->klen > y->klen); /* longest (nearest) first */
}

/*
 * The pinned subtree directories above the object whose kernel path is
 * @kp (@inclusive: the object is a directory that counts as its own
 * ancestor, as for a new entry in it).  Nearest first.
 */
static size_t ancestors(const struct mac_req *r, const char *kp, bool inclusive,
			struct policy_key *out)
{
	const struct mac_policy *mp = r->b->mp;
	struct anc a[MAX_ANC];
	size_t n = 0, kl = strlen(kp);

	if (kp[0] != '/')
		return 0; /* a pipe, socket or anonymous inode: beneath no directory */
	for (size_t i = 0; i < mp->ndirs && n < MAX_ANC; i++) {
		const struct mac_dir *d = &mp->dirs[i];
		if (!d->kpath)
			continue;
		bool under;
		if (d->klen == 1)
			under = kl > 1 || inclusive;
		else
			under = kl >= d->klen && !memcmp(kp, d->kpath, d->klen) &&
				(kp[d->klen] == '/' || (inclusive && !kp[d->klen]));
		if (under)
			a[n++].d = d;
	}
	qsort(a, n, sizeof(a[0]), cmp_anc);
	for (size_t i = 0; i < n; i++)
		out[i] = a[i].d->key;
	return n;
}

static unsigned want_of_open(int flags)
{
	unsigned w = policy_want_from_open(flags);
	/* A read-write append fd can be mapped shared and written anywhere: that is w. */
	if ((flags & O_ACCMODE) == O_RDWR && (w & POLICY_A))
		w = (w & ~POLICY_A) | POLICY_W;
	return w;
}

/*
 * Decide @want on the object pinned by @fd (stat @st), or on a new object
 * named @kp when @fd < 0 (@key is then its POLICY_DEV_PATH key or zero).
 * Records the decision.  0 or -EACCES.
 */
static int decide(const struct mac_req *r, const char *path, int fd, const struct stat *st,
		  const struct policy_key *newkey, const char *newkp, unsigned want)
{
	struct policy_key anc[MAX_ANC], key = {0};
	struct policy_verdict v;
	char kp[PATH_MAX];
	size_t na = 0;

	if (fd >= 0) {
		key = (struct policy_key){.dev = st->st_dev, .ino = st->st_ino};
		ssize_t kl = r->b->mp->ndirs ? kpath_of(r, fd, kp, sizeof(kp)) : 0;
		if (kl < 0) {
			/*
			 * Fail closed: without its path (longer than PATH_MAX), the
			 * directories above the object are not known.
			 */
			v = (struct policy_verdict){.allow = false, .failed = want & -want};
			snprintf(v.reason, sizeof(v.reason),
				 "not checkable: its path cannot be read (%s)", strerror((int)-kl));
			mac_req_record(r, path, fd, NULL, st, want, &v);
			return -EACCES;
		}
		if (kl > 0)
			na = ancestors(r, kp, false, anc);
	} else {
		key = *newkey;
		na = ancestors(r, newkp, false, anc);
	}
	/* Fail closed: a request the policy code cannot decide is refused. */
	if (policy_decide(r->b->mp->c, &key, anc, na, r->cred->fsuid, want, &v) < 0)
		return -EACCES;
#ifdef VMMSEC_FAULT_BROKER_ALLOWS
	/* Test builds only (tests/integration/wall.sh): a broker that allows everything. */
	v = (struct policy_verdict){.allow = true, .reason = "fault"};
#endif
	mac_req_record(r, path, fd, fd < 0 ? newkp : NULL, st, want, &v);
	return v.allow ? 0 : -EACCES;
}

/*
 * A new entry @name in the directory pinned by @dir: the directory is
 * modified (w on it) and an object appears at its path (w on that path,
 * which may be a path of the policy).  On success *key and kp describe
 * the would-be object for binding after the call.
 */
static int decide_create(const struct mac_req *r, const char *path, int dir, const char *name,
			 struct policy_key *key, char *kp, size_t kplen)
{
	struct stat dst;
	int e;

	if (fstat(dir, &dst) < 0)
		return -errno;
	if ((e = decide(r, path, dir, &dst, NULL, NULL, POLICY_W)) < 0)
		return e;
	if ((e = join_kpath(r, dir, name, kp, kplen)) < 0)
		return e == -ENAMETOOLONG ? e : -EACCES;
	*key = (struct policy_key){0};
	policy_path_key(r->b->mp->c, kp, key);
	return decide(r, path, -1, NULL, key, kp, POLICY_W);
}

/* After an object appeared at @kp: rules written for that path now cover it too. */
static void bind_new(const struct mac_req *r, const char *kp, int dir, const char *name, int flags)
{
	struct stat st;
	struct policy_key pk;

	if (!kp[0] || !policy_path_key(r->b->mp->c, kp, &pk))
		return;
	/*
	 * Pinned like the policy's first objects (load.c), so that its number
	 * cannot pass to another object.  Gone already: nothing to bind.  Out
	 * of fds or memory, the binding could not be made safe: stop, failing
	 * closed (the guest ends with the broker).
	 */
	int pin = openat(dir, name,
			 O_PATH | O_CLOEXEC | (flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0));
	if (pin < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOMEM))
		_exit(1);
	if (pin < 0 || fstat(pin, &st) < 0) {
		util_closep(&pin);
		return;
	}
	if (util_pins_add(&r->b->mp->pins, pin) < 0)
		_exit(1);
	struct policy_key k = {.dev = st.st_dev, .ino = st.st_ino};
	policy_bind_pending(r->b->mp->c, kp, &k);
	/* A directory with subtree directives appeared: pin it. */
	for (size_t i = 0; i < r->b->mp->ndirs; i++) {
		struct mac_dir *d = &r->b->mp->dirs[i];
		if (d->fd < 0 && !strcmp(d->path, kp)) {
			d->fd = openat(dir, name, O_PATH | O_CLOEXEC | O_NOFOLLOW);
			d->key = k;
			mac_dirs_refresh(r->b);
		}
	}
}

/* ---------------- paths: parent directory and last component ---------------- */

struct at {
	int parent;	     /* O_PATH directory fd, owned */
	char last[PATH_MAX]; /* final component, trailing slashes kept */
};

/*
 * Split @path at its final component and open the directory before it,
 * relative to @base, as the kernel walks it (with the adopted creds).
 * A path of only slashes names "." of the root.
 */
static int at_split(const struct mac_req *r, int base, const char *path, uint64_t resolve,
		    struct at *a)
{
	size_t l = strlen(path), e = l;
	(void)r;

	while (e > 0 && path[e - 1] == '/')
		e--;
	if (e == 0) { /* "/" or "//": the root itself */
		strcpy(a->last, ".");
		a->parent = openat2_fd(base, "/", O_PATH | O_DIRECTORY, resolve);
		return a->parent < 0 ? a->parent : 0;
	}
	size_t s = e;
	while (s > 0 && path[s - 1] != '/')
		s--;
	memcpy(a->last, path + s, l - s + 1);
	if (s == 0) {
		a->parent = fcntl(base, F_DUPFD_CLOEXEC, 0);
		return a->parent < 0 ? -errno : 0;
	}
	char dir[PATH_MAX];
	memcpy(dir, path, s);
	dir[s] = 0;
	a->parent = openat2_fd(base, dir, O_PATH | O_DIRECTORY, resolve);
	return a->parent < 0 ? a->parent : 0;
}

static void at_release(struct at *a)
{
	util_closep(&a->parent);
}

/* ---------------- open ---------------- */

struct fifo_job {
	struct mac_req r;
	struct seccomp_notif n;
	struct mac_cred cred; /* a copy: the serving thread's cache changes meanwhile */
	int pin, flags;
	char path[PATH_MAX];
};

/* A FIFO's open blocks until its other end is opened: not on the broker's only thread. */
static void *fifo_open(void *p)
{
	struct fifo_job *j = p;
	j->r.n = &j->n;
	j->r.cred = &j->cred;
	/* Not the walled thread, which must not block: this one is walled itself. */
	char self[16];
	snprintf(self, sizeof(self), "%d", j->pin);
	int fd = mac_wall_enter(j->r.b);
	if (fd == 0) {
		fd = openat(j->r.b->selffd, self,
			    (j->flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
		fd = fd < 0 ? -errno : fd;
	}
	if (fd == -EACCES)
		wall_refused(&j->r, j->path, j->pin, want_of_open(j->flags),
			     access_of_open(j->flags));
	if (fd < 0)
		mac_req_respond(&j->r, 0, -fd, false);
	else
		mac_req_addfd(&j->r, fd, (unsigned)(j->flags & O_CLOEXEC), false);
	close(j->pin);
	free(j);
	return NULL;
}

/* The calling thread's controlling terminal, found among its stdio fds; /dev/tty names it. */
static int open_ctty(const struct mac_req *r, int flags)
{
	char p[64], st[1024];

	snprintf(p, sizeof(p), "%d/stat", (int)r->n->pid);
	cleanup_fd int sfd = openat(r->b->hostproc, p, O_RDONLY | O_CLOEXEC);
	ssize_t n = sfd < 0 ? -1 : read(sfd, st, sizeof(st) - 1);
	if (n <= 0)
		return -ENXIO;
	st[n] = 0;
	const char *c = strrchr(st, ')');
	unsigned long tty = 0;
	if (!c || sscanf(c + 1, " %*c %*d %*d %*d %lu", &tty) != 1 || !tty)
		return -ENXIO;
	for (int i = 0; i < 3; i++) {
		struct stat s;
		snprintf(p, sizeof(p), "%d/fd/%d", (int)r->n->pid, i);
		if (fstatat(r->b->hostproc, p, &s, 0) == 0 && S_ISCHR(s.st_mode) &&
		    s.st_rdev == (dev_t)tty) {
			/* Found through the caller's /proc (outside the wall), opened behind it. */
			cleanup_fd int pin = openat(r->b->hostproc, p, O_PATH | O_CLOEXEC);
			return pin < 0 ? -errno : reopen(r, pin, flags & ~(O_CREAT | O_EXCL));
		}
	}
	return -ENXIO;
}

/*
 * Writing another process's /proc/PID/mem is ptrace by another name: it
 * could rewrite a path between the broker's read and the kernel's.
 */
static bool foreign_mem(const struct mac_req *r, int pin)
{
	char kp[PATH_MAX];
	int pid, tid, n = 0;

	if (kpath_of(r, pin, kp, sizeof(kp)) <= 0)
		return true;
	if (sscanf(kp, "/proc/%d/mem%n", &pid, &n) == 1 && !kp[n])
		return pid != r->cred->ns_tgid;
	n = 0;
	if (sscanf(kp, "/proc/%d/task/%d/mem%n", &pid, &tid, &n) == 2 && !kp[n])
		return pid != r->cred->ns_tgid;
	return false;
}

/* Decide on the pinned object, then open it with the caller's flags and hand it over. */
static int open_existing(const struct mac_req *r, const char *path, int pin, int flags)
{
	struct stat st;
	int e;

	if (fstat(pin, &st) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP; /* O_NOFOLLOW met a symlink */
	unsigned want = want_of_open(flags);
	if ((want & (POLICY_W | POLICY_A)) && st.st_dev == r->b->proc_dev && foreign_mem(r, pin))
		return -EPERM;
	if (want && (e = decide(r, path, pin, &st, NULL, NULL, want)) < 0)
		return e;
	int fd;
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(5, 0)) {
		fd = open_ctty(r, flags);
	} else if (S_ISFIFO(st.st_mode) && !(flags & O_NONBLOCK)) {
		struct fifo_job *j = malloc(sizeof(*j));
		pthread_t t;
		pthread_attr_t at;
		if (!j)
			return -ENOMEM;
		*j = (struct fifo_job){.r = *r, .n = *r->n, .cred = *r->cred, .flags = flags};
		snprintf(j->path, sizeof(j->path), "%s", path);
		j->pin = fcntl(pin, F_DUPFD_CLOEXEC, 0);
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		int te = j->pin < 0 ? EMFILE : pthread_create(&t, &at, fifo_open, j);
		pthread_attr_destroy(&at);
		if (te) {
			util_closep(&j->pin);
			free(j);
			return -te;
		}
		return 0; /* answered by the thread */
	} else {
		fd = reopen(r, pin, flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW));
	}
	if (fd == -EACCES && want)
		return wall_refused(r, path, pin, want, access_of_open(flags));
	if (fd < 0)
		return fd;
	bool ro = (flags & O_ACCMODE) == O_RDONLY && !(flags & O_TRUNC) &&
		  (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode));
	return mac_req_addfd(r, fd, (unsigned)(flags & O_CLOEXEC), ro) < 0 ? -EIO : 0;
}

/*
 * The common case, a read-only open of @pin's object: when it is a regular
 * file or a directory, open it (with O_NONBLOCK, so a lease cannot block the
 * broker) and decide on the opened file.  Opening those for reading changes
 * nothing, so nothing happened if the answer is no.  Anything else goes the
 * careful way (-EAGAIN): decide first, then open.  Never open first what the
 * type is not known of: a FIFO's read end, even opened for a moment, lets a
 * writer waiting outside through, and its bytes are lost when it closes.
 */
static int open_rdonly(const struct mac_req *r, const char *path, int pin, int flags)
{
	struct stat st;
	int e;

	if (fstat(pin, &st) < 0)
		return -errno;
	if (!(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
		return -EAGAIN;
	int fd = reopen(r, pin, (flags | O_NONBLOCK | O_NOCTTY) & ~(O_NOFOLLOW | O_DIRECTORY));
	if (fd == -EAGAIN || fd == -ENXIO || fd == -EWOULDBLOCK)
		return -EAGAIN;
	if (fd == -EACCES && r->b->wall)
		/*
		 * The permission bits (answered as without the wall: nothing
		 * decided or recorded) or the wall: then the careful way decides
		 * first, and records whose refusal it is.
		 */
		return dac_allows(r, pin, R_OK) ? -EAGAIN : -EACCES;
	if (fd < 0)
		return fd;
	e = decide(r, path, fd, &st, NULL, NULL, POLICY_R);
	if (e == 0 && !(flags & O_NONBLOCK) &&
	    fcntl(fd, F_SETFL, flags & (O_APPEND | O_DIRECT | O_NOATIME)) < 0)
		e = -errno;
	if (e < 0) {
		close(fd);
		return e;
	}
	return mac_req_addfd(r, fd, (unsigned)(flags & O_CLOEXEC), true) < 0 ? -EIO : 0;
}

static int open_create(const struct mac_req *r, const char *orig, int base, const char *path,
		       int flags, mode_t mode, uint64_t resolve, int depth)
{
	struct at a __attribute__((cleanup(at_release))) = {.parent = -1};
	struct stat st;
	int e;

	if ((e = at_split(r, base, path, resolve, &a)) < 0)
		return e;
	size_t ll = strlen(a.last);
	if (a.last[ll - 1] == '/' || !strcmp(a.last, ".") || !strcmp(a.last, ".."))
		return -EISDIR;
	for (int tries = 0; tries < 8; tries++) {
		if (fstatat(a.parent, a.last, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (flags & O_EXCL)
				return -EEXIST;
			if (S_ISLNK(st.st_mode)) {
				if (flags & O_NOFOLLOW)
					return -ELOOP;
				int pin = openat2_fd(a.parent, a.last, O_PATH, resolve);
				if (pin >= 0) {
					e = open_existing(r, orig, pin, flags);
					close(pin);
					return e;
				}
				if (pin != -ENOENT)
					return pin;
				/* A dangling symlink: the kernel creates its target. */
				char tgt[PATH_MAX];
				ssize_t n = readlinkat(a.parent, a.last, tgt, sizeof(tgt) - 1);
				if (n < 0)
					return -errno;
				tgt[n] = 0;
				if (depth >= MAX_SYMLINKS)
					return -ELOOP;
				return open_create(r, orig, a.parent, tgt, flags, mode, resolve,
						   depth + 1);
			}
			if (S_ISDIR(st.st_mode))
				return -EISDIR;
			int pin = openat2_fd(a.parent, a.last, O_PATH | O_NOFOLLOW, resolve);
			if (pin < 0)
				return pin;
			e = open_existing(r, orig, pin, flags);
			close(pin);
			return e;
		}
		if (errno != ENOENT)
			return -errno;
		struct policy_key key;
		char kp[PATH_MAX];
		if ((e = decide_create(r, orig, a.parent, a.last, &key, kp, sizeof(kp))) < 0)
			return e;
		/* O_EXCL: never open an object that appeared unchecked since the lookup. */
		struct open_how how = {.flags = (uint64_t)(unsigned)(flags | O_EXCL | O_CLOEXEC),
				       .mode = mode,
				       .resolve = resolve};
		int fd = walled_openat2(r, a.parent, a.last, &how);
		if (fd == -EEXIST && !(flags & O_EXCL))
			continue;
		if (fd == -EACCES)
			return wall_refused(r, orig, a.parent, POLICY_W, W_OK | X_OK);
		if (fd < 0)
			return fd;
		bind_new(r, kp, a.parent, a.last, AT_SYMLINK_NOFOLLOW);
		return mac_req_addfd(r, fd, (unsigned)(flags & O_CLOEXEC), false) < 0 ? -EIO : 0;
	}
	return -EAGAIN;
}

/* The kernel's own verdict on the flags alone (EINVAL, E2BIG), before any path is walked. */
static int check_flags(const struct open_how *how)
{
	long fd = syscall(SYS_openat2, -1, "", how, sizeof(*how));
	if (fd >= 0) {
		close((int)fd);
		return 0;
	}
	return errno == EINVAL || errno == E2BIG ? -errno : 0;
}

static int do_open(const struct mac_req *r, int dirfd, uint64_t path_addr, struct open_how *how,
		   bool strict)
{
	char path[PATH_MAX], self[PATH_MAX];
	int flags = (int)how->flags, e;
	const unsigned plain = O_ACCMODE | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_LARGEFILE |
			       O_DIRECTORY | O_NOFOLLOW | O_APPEND;

	/*
	 * O_PATH grants no access to content: nothing to decide, and every
	 * later use of the fd (a *at base, a /proc/self/fd reopen, execveat,
	 * AT_EMPTY_PATH) is itself trapped.  The kernel may answer it (and
	 * seccomp could not inject an O_PATH file anyway).
	 */
	if (how->flags & O_PATH)
		return mac_req_respond(r, 0, 0, true) < 0 ? -EIO : 0;
	if (strict || (how->flags & ~(uint64_t)plain)) {
		if (!strict) /* open/openat ignore unknown flags; openat2 refuses them */
			how->flags &= (uint64_t)(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC |
						 O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC | FASYNC |
						 O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW |
						 O_NOATIME | O_CLOEXEC | O_PATH | O_TMPFILE);
		if ((e = check_flags(how)) < 0)
			return e;
		flags = (int)how->flags;
	}
	if ((e = read_path(r, path_addr, path)) < 0)
		return e;
	if (!path[0])
		return -ENOENT;
	bool is_self = rewrite_self(r, path, self, sizeof(self));
	const char *p = is_self ? self : path;
	bool needs_base = p[0] != '/' || (how->resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT));
	cleanup_fd int base = needs_base ? base_fd(r, dirfd) : -1;
	if (needs_base && base < 0)
		return base;
	int b = needs_base ? base : AT_FDCWD;
	cleanup_fd int pin = -1;
	if (is_self) {
		/* The caller's own /proc: it may always look there, so resolve with full caps. */
		pin = openat2_fd(b, p, O_PATH | (flags & (O_NOFOLLOW | O_DIRECTORY)), how->resolve);
		if (pin < 0)
			return pin;
	}
	bool create = (flags & O_CREAT) && (flags & O_TMPFILE) != O_TMPFILE;
	if ((e = mac_cred_adopt(r->b, r->cred, create || (flags & O_TMPFILE) == O_TMPFILE)) < 0)
		return -EPERM;
	if (create && pin < 0)
		return open_create(r, path, b, p, flags, (mode_t)how->mode, how->resolve, 0);
	if (pin < 0) {
		int pf = O_PATH | (flags & (O_NOFOLLOW | O_DIRECTORY));
		if ((flags & O_TMPFILE) == O_TMPFILE)
			pf |= O_DIRECTORY;
		pin = openat2_fd(b, p, pf, how->resolve);
		if (pin < 0)
			return pin;
	}
	if (!is_self && (flags & O_ACCMODE) == O_RDONLY && !(flags & (O_TRUNC | O_TMPFILE))) {
		int v = open_rdonly(r, path, pin, flags);
		if (v != -EAGAIN)
			return v;
	}
	if ((flags & O_TMPFILE) == O_TMPFILE) {
		struct policy_key key;
		char kp[PATH_MAX];
		if ((e = decide_create(r, path, pin, ".", &key, kp, sizeof(kp))) < 0)
			return e;
		int fd = walled_openat(r, pin, ".", flags, (mode_t)how->mode);
		if (fd == -EACCES)
			return wall_refused(r, path, pin, POLICY_W, W_OK | X_OK);
		if (fd < 0)
			return fd;
		return mac_req_addfd(r, fd, (unsigned)(flags & O_CLOEXEC), false) < 0 ? -EIO : 0;
	}
	return open_existing(r, path, pin, flags);
}

static int sys_open(const struct mac_req *r, int nr)
{
	struct open_how how = {0};
	int dirfd = AT_FDCWD;
	uint64_t pa;

	if (nr == SCMP_SYS(open)) {
		pa = arg(r, 0);
		how.flags = (uint32_t)arg(r, 1);
		how.mode = (uint32_t)arg(r, 2);
	} else if (nr == SCMP_SYS(creat)) {
		pa = arg(r, 0);
		how.flags = O_CREAT | O_WRONLY | O_TRUNC;
		how.mode = (uint32_t)arg(r, 1);
	} else if (nr == SCMP_SYS(openat)) {
		dirfd = (int)arg(r, 0);
		pa = arg(r, 1);
		how.flags = (uint32_t)arg(r, 2);
		how.mode = (uint32_t)arg(r, 3);
	} else {
		unsigned char buf[4096] = {0};
		size_t sz = arg(r, 3);
		dirfd = (int)arg(r, 0);
		pa = arg(r, 1);
		if (sz < sizeof(how))
			return -EINVAL;
		if (sz > sizeof(buf))
			return -E2BIG;
		if (read_mem(r, arg(r, 2), buf, sz) < 0)
			return -EFAULT;
		for (size_t i = sizeof(how); i < sz; i++)
			if (buf[i])
				return -E2BIG;
		memcpy(&how, buf, sizeof(how));
		return do_open(r, dirfd, pa, &how, true);
	}
	/* open(2) and openat(2) on 64-bit always add O_LARGEFILE. */
	how.flags |= O_LARGEFILE;
	if (!(how.flags & (O_CREAT | O_TMPFILE)))
		how.mode = 0;
	else
		how.mode &= 07777;
	return do_open(r, dirfd, pa, &how, false);
}

/* ---------------- exec ---------------- */

#ifndef KCMP_VM
#define KCMP_VM 1
#endif

/* A numeric field of /proc/PID/status, or -1. */
static long status_num(const struct mac_req *r, pid_t pid, const char *key)
{
	char p[32], buf[4096];
	snprintf(p, sizeof(p), "%d/status", (int)pid);
	cleanup_fd int fd = openat(r->b->hostproc, p, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	const char *k = strstr(buf, key);
	return k ? strtol(k + strlen(key), NULL, 10) : -1;
}

/*
 * Could another task change the bytes [@lo, @hi) of thread @tid's memory?
 * Only private anonymous memory, private mappings of the process's own
 * executable (the kernel refuses writes to it: ETXTBSY) and private
 * mappings of files no guest id may write are safe: a private file mapping
 * shows the file's later changes until the process writes the page.
 */
static bool others_can_write(const struct mac_req *r, pid_t tid, uint64_t lo, uint64_t hi)
{
	char p[32], line[PATH_MAX + 128];
	struct stat exe = {0};

	snprintf(p, sizeof(p), "%d/exe", (int)tid);
	if (fstatat(r->b->hostproc, p, &exe, 0) < 0)
		return true;
	snprintf(p, sizeof(p), "%d/maps", (int)tid);
	int fd = openat(r->b->hostproc, p, O_RDONLY | O_CLOEXEC);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "re");
	if (!f) {
		if (fd >= 0)
			close(fd);
		return true;
	}
	uint64_t covered = lo;
	bool unsafe = false;
	while (!unsafe && covered < hi && fgets(line, sizeof(line), f)) {
		unsigned long mlo, mhi, ino;
		unsigned dmaj, dmin;
		char perms[8];
		int off = 0;
		if (sscanf(line, "%lx-%lx %7s %*x %x:%x %lu %n", &mlo, &mhi, perms, &dmaj, &dmin,
			   &ino, &off) < 6 ||
		    mhi <= covered || mlo > covered)
			continue;
		covered = mhi;
		if (perms[3] != 'p') {
			unsafe = true; /* shared with whoever maps it too */
		} else if (ino) {
			struct stat st;
			char *path = line + off;
			path[strcspn(path, "\n")] = 0;
			bool own = exe.st_ino == ino && major(exe.st_dev) == dmaj &&
				   minor(exe.st_dev) == dmin;
			/* A file owned by ids outside the guest, writable by nobody else. */
			unsafe = !own &&
				 (path[0] != '/' || stat(path, &st) < 0 || st.st_ino != ino ||
				  st.st_uid != 65534 || st.st_gid != 65534 || (st.st_mode & 022));
		}
	}
	fclose(f);
	return unsafe || covered < hi;
}

/*
 * The kernel reads execve's path again after the broker has decided, so
 * the decision holds only if nobody else can rewrite that string meanwhile:
 * the caller must be its process's only thread, the string must not be in
 * a shared mapping, and a vfork parent sharing its memory must be
 * single-threaded too (the filter refuses CLONE_VM without CLONE_THREAD or
 * CLONE_VFORK; ptrace, process_vm_writev and writes to another process's
 * /proc/PID/mem are refused).  NULL when safe, else why not.
 */
static const char *exec_race(const struct mac_req *r, uint64_t addr, size_t len)
{
	pid_t tid = (pid_t)r->n->pid;

	if (status_num(r, tid, "\nThreads:") != 1)
		return "the caller has other threads";
	if (others_can_write(r, tid, addr, addr + len))
		return "the path is in memory another task can change";
	pid_t cur = tid;
	for (int depth = 0; depth < 16; depth++) {
		long pp = status_num(r, cur, "\nPPid:");
		if (pp <= 0)
			return NULL;
		errno = 0;
		long k = syscall(SYS_kcmp, cur, (pid_t)pp, KCMP_VM, 0, 0);
		if (k > 0 || (k < 0 && errno == ESRCH))
			return NULL; /* its memory is its own (or the parent is gone) */
		/*
		 * A vfork child, or no way to tell (no kcmp, or a parent the
		 * broker may not inspect, such as the guest's init): then the
		 * parent's other threads could write.
		 */
		bool nokcmp = k < 0;
		if (status_num(r, (pid_t)pp, "\nThreads:") != 1)
			return "a vfork parent sharing the memory has other threads";
		if (nokcmp)
			return NULL;
		cur = (pid_t)pp;
	}
	return "vfork chain too deep";
}

/* Is @p (rewritten by rewrite_self) exactly the caller's own /proc/PID/exe or /proc/PID/fd/N? */
static bool own_link(const struct mac_req *r, const char *p)
{
	int pid = -1, fd, n = 0;

	if (sscanf(p, "/proc/%d/exe%n", &pid, &n) == 1 && n > 0 && !p[n])
		return pid == (int)r->cred->ns_tgid;
	n = 0;
	if (sscanf(p, "/proc/%d/fd/%d%n", &pid, &fd, &n) == 2 && n > 0 && !p[n])
		return pid == (int)r->cred->ns_tgid;
	return false;
}

/*
 * Resolve an exec's (or its interpreter's) path as the kernel will, and
 * tell (*foreign) whether it runs through a /proc magic link other than
 * the caller's own exe or fd/N.  Another process can change where its
 * /proc/PID/cwd, root or fd/N lead without any call the broker sees, and
 * the kernel resolves the path again after the check (exec.c).  The
 * caller's own fd table and exe stay put while it execs: it has one
 * thread, and shares its fd table with nobody (exec_race, the filter).
 */
static int exec_resolve(const struct mac_req *r, int dirfd, const char *p, int flags, bool *foreign)
{
	int fd = openat2_fd(dirfd, p, flags, RESOLVE_NO_MAGICLINKS);

	*foreign = false;
	if (fd != -ELOOP)
		return fd;
	fd = openat2_fd(dirfd, p, flags, 0);
	*foreign = fd >= 0 && !own_link(r, p);
	return fd;
}

/* The PT_INTERP path (ld.so) of a 64-bit ELF executable whose header is @hdr; false if none. */
static bool elf_interp(const struct mac_req *r, int pin, const char *hdr, size_t n, char *out,
		       size_t len)
{
	Elf64_Ehdr eh;

	if (n < sizeof(eh) || memcmp(hdr, ELFMAG, SELFMAG) || hdr[EI_CLASS] != ELFCLASS64)
		return false;
	memcpy(&eh, hdr, sizeof(eh));
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 128)
		return false;
	cleanup_fd int fd = reopen(r, pin, O_RDONLY);
	for (unsigned i = 0; fd >= 0 && i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) !=
		    (ssize_t)sizeof(ph))
			return false;
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz < 2 || ph.p_filesz > len)
			return false;
		if (pread(fd, out, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz)
			return false;
		out[ph.p_filesz - 1] = 0;
		return true;
	}
	return false;
}

/*
 * A "#!" script names an interpreter, and a dynamic ELF executable its
 * loader (PT_INTERP), that the kernel opens itself during exec: decide r on
 * it too (and on its own interpreter, as the kernel recurses).  The header is read with the broker's full capabilities,
 * since the kernel reads it whatever the caller may read.
 */
static int check_interp(const struct mac_req *r, int pin, const struct stat *st, int depth)
{
	char hdr[256], interp[256];

	if (!S_ISREG(st->st_mode) || depth > 4)
		return 0;
	if (mac_cred_full(r->b) < 0)
		return -EPERM;
	int fd = reopen(r, pin, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : pread(fd, hdr, sizeof(hdr) - 1, 0);
	if (fd >= 0)
		close(fd);
	if (n < 0)
		return -EACCES; /* fail closed: the kernel could read it, the broker could not */
	hdr[n] = 0;
	size_t l;
	if (n >= 2 && hdr[0] == '#' && hdr[1] == '!') {
		const char *b = hdr + 2 + strspn(hdr + 2, " \t");
		l = strcspn(b, " \t\n");
		memcpy(interp, b, l);
		interp[l] = 0;
	} else if (!elf_interp(r, pin, hdr, (size_t)n, interp, sizeof(interp))) {
		return mac_cred_adopt(r->b, r->cred, false) < 0 ? -EPERM : 0;
	} else {
		l = strlen(interp);
	}
	cleanup_fd int base = interp[0] != '/' ? base_fd(r, AT_FDCWD) : -1;
	if (mac_cred_adopt(r->b, r->cred, false) < 0)
		return -EPERM;
	if (!l || (interp[0] != '/' && base < 0))
		return 0; /* the kernel will refuse the exec itself */
	bool foreign;
	cleanup_fd int ipin =
		exec_resolve(r, interp[0] == '/' ? AT_FDCWD : base, interp, O_PATH, &foreign);
	struct stat ist;
	if (ipin < 0 || fstat(ipin, &ist) < 0)
		return 0;
	if (foreign)
		return mac_exec_unchecked(r, interp, ipin, &ist,
					  "its interpreter's path runs through a /proc link other "
					  "than the caller's own exe or fd/N");
	int e = decide(r, interp, ipin, &ist, NULL, NULL, POLICY_R);
	return e < 0 ? e : check_interp(r, ipin, &ist, depth + 1);
}

static int sys_exec(const struct mac_req *r, int nr)
{
	char path[PATH_MAX], self[PATH_MAX];
	int dirfd = AT_FDCWD, atflags = 0, e;
	uint64_t pa = arg(r, 0);

	if (nr == SCMP_SYS(execveat)) {
		dirfd = (int)arg(r, 0);
		pa = arg(r, 1);
		atflags = (int)arg(r, 4);
	}
	if ((e = read_path(r, pa, path)) < 0)
		return e;
	cleanup_fd int pin = -1;
	bool foreign = false;
	if (!path[0] && (atflags & AT_EMPTY_PATH)) {
		if ((pin = base_fd(r, dirfd)) < 0)
			return pin;
	} else if (!path[0]) {
		return -ENOENT;
	} else {
		bool is_self = rewrite_self(r, path, self, sizeof(self));
		const char *p = is_self ? self : path;
		cleanup_fd int base = p[0] != '/' ? base_fd(r, dirfd) : -1;
		if (p[0] != '/' && base < 0)
			return base;
		if (!is_self && (e = mac_cred_adopt(r->b, r->cred, false)) < 0)
			return -EPERM;
		pin = exec_resolve(r, p[0] == '/' ? AT_FDCWD : base, p,
				   O_PATH | ((atflags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0),
				   &foreign);
		if (pin < 0)
			return pin;
	}
	struct stat st;
	if (fstat(pin, &st) < 0)
		return -errno;
	if (foreign) {
		mac_cred_full(r->b);
		return mac_exec_unchecked(r, path, pin, &st,
					  "its path runs through a /proc link other than the "
					  "caller's own exe or fd/N");
	}
	if ((e = decide(r, path, pin, &st, NULL, NULL, POLICY_R)) < 0 ||
	    (e = check_interp(r, pin, &st, 0)) < 0)
		return e;
	/*
	 * Exec cannot be performed for the guest: it is the one call passed
	 * through (CONTINUE) after the check, so the check must be race-free.
	 * Its path string must stay put (exec_race), and so must what the path
	 * names (exec.c).
	 */
	if (mac_cred_full(r->b) < 0)
		return -EPERM;
	const char *why = path[0] ? exec_race(r, pa, strlen(path) + 1) : NULL;
	if (why)
		return mac_exec_unchecked(r, path, pin, &st, why);
	/* The monitor continues it, after recording what the caller sent. */
	e = mac_exec_continue(r, path, pin, &st);
	mac_cred_forget(r->b, (pid_t)r->n->pid, true); /* an exec may change credentials */
	return e;
}

/* ---------------- namespace changes ---------------- */

static int path_at(const struct mac_req *r, int dirfd, uint64_t addr, char *path, struct at *a)
{
	char self[PATH_MAX];
	int e = read_path(r, addr, path);
	if (e < 0)
		return e;
	if (!path[0])
		return -ENOENT;
	const char *p = rewrite_self(r, path, self, sizeof(self)) ? self : path;
	cleanup_fd int base = p[0] != '/' ? base_fd(r, dirfd) : -1;
	if (p[0] != '/' && base < 0)
		return base;
	if ((e = mac_cred_adopt(r->b, r->cred, true)) < 0)
		return -EPERM;
	e = at_split(r, p[0] == '/' ? AT_FDCWD : base, p, 0, a);
	mac_cred_full(r->b); /* a second path may follow */
	return e;
}

/* Decide w on the existing entry a->last (lstat) and, if @dir_too, on its directory. */
static int decide_entry(const struct mac_req *r, const char *path, struct at *a, int stflags,
			struct stat *st, bool dir_too)
{
	struct stat dst;
	int e;

	if (fstatat(a->parent, a->last, st, stflags) < 0)
		return -errno;
	int ofl = O_PATH | O_CLOEXEC | ((stflags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0);
	cleanup_fd int fd = openat(a->parent, a->last, ofl);
	if (fd < 0)
		return -errno;
	if ((e = decide(r, path, fd, st, NULL, NULL, POLICY_W)) < 0 || !dir_too)
		return e;
	if (fstat(a->parent, &dst) < 0)
		return -errno;
	return decide(r, path, a->parent, &dst, NULL, NULL, POLICY_W);
}

static int sys_unlink(const struct mac_req *r, int nr)
{
	struct at a __attribute__((cleanup(at_release))) = {.parent = -1};
	char path[PATH_MAX];
	struct stat st;
	int dirfd = AT_FDCWD, flags = 0, e;
	uint64_t pa = arg(r, 0);

	if (nr == SCMP_SYS(unlinkat)) {
		dirfd = (int)arg(r, 0);
		pa = arg(r, 1);
		flags = (int)arg(r, 2);
		if (flags & ~AT_REMOVEDIR)
			return -EINVAL;
	} else if (nr == SCMP_SYS(rmdir)) {
		flags = AT_REMOVEDIR;
	}
	if ((e = path_at(r, dirfd, pa, path, &a)) < 0)
		return e;
	if ((e = mac_cred_adopt(r->b, r->cred, false)) < 0)
		return -EPERM;
	if ((e = decide_entry(r, path, &a, AT_SYMLINK_NOFOLLOW, &st, true)) < 0)
		return e;
	if ((e = (int)mac_wall_syscall(r->b, SYS_unlinkat, a.parent, (long)a.last, flags, 0, 0)) <
	    0)
		return e == -EACCES ? wall_refused(r, path, a.parent, POLICY_W, W_OK | X_OK) : e;
	if (S_ISDIR(st.st_mode))
		mac_dirs_refresh(r->b);
	return 0;
}

/* mkdir, mknod, symlink: a new entry. */
static int sys_mknew(const struct mac_req *r, int nr)
{
	struct at a __attribute__((cleanup(at_release))) = {.parent = -1};
	char path[PATH_MAX], target[PATH_MAX];
	struct stat st;
	int dirfd = AT_FDCWD, e;
	uint64_t pa;
	mode_t mode = 0;
	dev_t dev = 0;

	if (nr == SCMP_SYS(mkdir) || nr == SCMP_SYS(mknod)) {
		pa = arg(r, 0);
		mode = (mode_t)arg(r, 1);
		dev = (dev_t)arg(r, 2);
	} else if (nr == SCMP_SYS(mkdirat) || nr == SCMP_SYS(mknodat)) {
		dirfd = (int)arg(r, 0);
		pa = arg(r, 1);
		mode = (mode_t)arg(r, 2);
		dev = (dev_t)arg(r, 3);
	} else { /* symlink(target, path), symlinkat(target, dirfd, path) */
		if ((e = read_path(r, arg(r, 0), target)) < 0)
			return e;
		if (nr == SCMP_SYS(symlinkat)) {
			dirfd = (int)arg(r, 1);
			pa = arg(r, 2);
		} else {
			pa = arg(r, 1);
		}
	}
	if ((e = path_at(r, dirfd, pa, path, &a)) < 0)
		return e;
	if ((e = mac_cred_adopt(r->b, r->cred, true)) < 0)
		return -EPERM;
	if (fstatat(a.parent, a.last, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST;
	if (errno != ENOENT)
		return -errno;
	struct policy_key key;
	char kp[PATH_MAX];
	if ((e = decide_create(r, path, a.parent, a.last, &key, kp, sizeof(kp))) < 0)
		return e;
	bool isdir = nr == SCMP_SYS(mkdir) || nr == SCMP_SYS(mkdirat);
	if (isdir)
		e = (int)mac_wall_syscall(r->b, SYS_mkdirat, a.parent, (long)a.last, mode, 0, 0);
	else if (nr == SCMP_SYS(mknod) || nr == SCMP_SYS(mknodat))
		e = (int)mac_wall_syscall(r->b, SYS_mknodat, a.parent, (long)a.last, mode,
					  (long)dev, 0);
	else
		e = (int)mac_wall_syscall(r->b, SYS_symlinkat, (long)target, a.parent, (long)a.last,
					  0, 0);
	if (e < 0)
		return e == -EACCES ? wall_refused(r, path, a.parent, POLICY_W, W_OK | X_OK) : e;
	bind_new(r, kp, a.parent, a.last, AT_SYMLINK_NOFOLLOW);
	return 0;
}

/*
 * Would the object @st, moved (or linked) from kernel path @from to @to,
 * become accessible to someone who may not access it where it is?  Its own
 * rules travel with it; the rules of the directories above it, and a rule
 * written for the path it lands on, do not.  Checked for every subject the
 * policy can tell apart and every permission (BLP included): as with
 * Landlock's refer right, a rename may never widen access.
 */
static int widens(const struct mac_req *r, const char *path, int fd, const struct stat *st,
		  const char *from, const char *to)
{
	const struct policy_compiled *c = r->b->mp->c;
	struct policy_key src[MAX_ANC], dst[MAX_ANC];
	struct policy_key key = {.dev = st->st_dev, .ino = st->st_ino}, dkey = key;
	size_t ns = ancestors(r, from, false, src), nd = ancestors(r, to, false, dst);

#ifdef VMMSEC_FAULT_BROKER_ALLOWS
	return 0; /* test builds only: see decide() */
#endif
	/* Landing on a path of the policy: a bare object takes that path's directives. */
	if (!policy_has_directives(c, &key))
		policy_path_key(c, to, &dkey);
	for (size_t i = 0; i < policy_subject_count(c); i++) {
		uint32_t uid = policy_subject_at(c, i);
		for (unsigned bit = POLICY_R; bit <= POLICY_A; bit <<= 1) {
			struct policy_verdict vs, vd;
			if (policy_decide(c, &key, src, ns, uid, bit, &vs) < 0 ||
			    policy_decide(c, &dkey, dst, nd, uid, bit, &vd) < 0)
				return -EACCES;
			if (vs.allow || !vd.allow)
				continue;
			struct policy_verdict v = {.allow = false, .failed = bit};
			char who[32] = "another uid";
			if (i + 1 < policy_subject_count(c))
				snprintf(who, sizeof(who), "uid %u", uid);
			snprintf(v.reason, sizeof(v.reason),
				 "would widen access for %s (%.200s here)", who, vs.reason);
			mac_req_record(r, path, fd, NULL, st, POLICY_W, &v);
			return -EACCES;
		}
	}
	return 0;
}

static int sys_rename_link(const struct mac_req *r, int nr)
{
	struct at a __attribute__((cleanup(at_release))) = {.parent = -1};
	struct at b __attribute__((cleanup(at_release))) = {.parent = -1};
	char p1[PATH_MAX], p2[PATH_MAX];
	struct stat s1, s2;
	int d1 = AT_FDCWD, d2 = AT_FDCWD, flags = 0, e;
	uint64_t a1 = arg(r, 0), a2 = arg(r, 1);
	bool link = nr == SCMP_SYS(link) || nr == SCMP_SYS(linkat);

	if (nr == SCMP_SYS(renameat) || nr == SCMP_SYS(renameat2) || nr == SCMP_SYS(linkat)) {
		d1 = (int)arg(r, 0);
		a1 = arg(r, 1);
		d2 = (int)arg(r, 2);
		a2 = arg(r, 3);
		if (nr != SCMP_SYS(renameat))
			flags = (int)arg(r, 4);
	}
	if (link && (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)))
		return -EINVAL;
	if (!link &&
	    ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) ||
	     ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))))
		return -EINVAL;
	if (link && (flags & AT_EMPTY_PATH)) {
		if ((e = read_path(r, a1, p1)) < 0)
			return e;
		if (p1[0])
			flags &= ~AT_EMPTY_PATH;
	}
	if (link && (flags & AT_EMPTY_PATH)) {
		/*
		 * The guest's fd d1 itself, through its /proc magic link (what
		 * linkat(AT_SYMLINK_FOLLOW) on /proc/self/fd/N does for anyone).
		 */
		if (d1 < 0)
			return d1 == AT_FDCWD ? -ENOENT : -EBADF;
		if ((a.parent = dup(r->b->hostproc)) < 0)
			return -errno;
		snprintf(a.last, sizeof(a.last), "%d/fd/%d", (int)r->n->pid, d1);
		flags = (flags & ~AT_EMPTY_PATH) | AT_SYMLINK_FOLLOW;
	} else if ((e = path_at(r, d1, a1, p1, &a)) < 0) {
		return e;
	}
	if ((e = path_at(r, d2, a2, p2, &b)) < 0)
		return e;
	if ((e = mac_cred_adopt(r->b, r->cred, false)) < 0)
		return -EPERM;
	int sf = (link && (flags & AT_SYMLINK_FOLLOW)) ? 0 : AT_SYMLINK_NOFOLLOW;
	if ((e = decide_entry(r, p1, &a, sf, &s1, !link)) < 0)
		return e;
	struct policy_key key = {0};
	char kp[PATH_MAX] = "", kp1[PATH_MAX] = "";
	bool exists = fstatat(b.parent, b.last, &s2, AT_SYMLINK_NOFOLLOW) == 0;
	if (!exists && errno != ENOENT)
		return -errno;
	if (exists && (link || (flags & RENAME_NOREPLACE)))
		return -EEXIST;
	if (exists) {
		if ((e = decide_entry(r, p2, &b, AT_SYMLINK_NOFOLLOW, &s2, true)) < 0)
			return e;
		if (join_kpath(r, b.parent, b.last, kp, sizeof(kp)) < 0)
			kp[0] = 0;
	} else {
		if (flags & RENAME_EXCHANGE)
			return -ENOENT;
		if ((e = decide_create(r, p2, b.parent, b.last, &key, kp, sizeof(kp))) < 0)
			return e;
	}
	if ((flags & RENAME_EXCHANGE) && join_kpath(r, a.parent, a.last, kp1, sizeof(kp1)) < 0)
		kp1[0] = 0;
	/* Where the moved object sits now, and where it will. */
	char from[PATH_MAX], dkp[PATH_MAX];
	if (join_kpath(r, a.parent, a.last, from, sizeof(from)) < 0 ||
	    join_kpath(r, b.parent, b.last, dkp, sizeof(dkp)) < 0)
		return -EACCES;
	cleanup_fd int sfd = openat(a.parent, a.last, O_PATH | O_CLOEXEC | (sf ? O_NOFOLLOW : 0));
	if (sfd < 0 || (e = widens(r, p1, sfd, &s1, from, dkp)) < 0)
		return sfd < 0 ? -errno : e;
	if (flags & RENAME_EXCHANGE) {
		cleanup_fd int dfd = openat(b.parent, b.last, O_PATH | O_CLOEXEC | O_NOFOLLOW);
		if (dfd < 0 || (e = widens(r, p2, dfd, &s2, dkp, from)) < 0)
			return dfd < 0 ? -errno : e;
	}
	e = (int)mac_wall_syscall(r->b, link ? SYS_linkat : SYS_renameat2, a.parent, (long)a.last,
				  b.parent, (long)b.last, flags);
	if (e == -EACCES && (link || dac_allows(r, a.parent, W_OK | X_OK)))
		return wall_refused(r, p2, b.parent, POLICY_W, W_OK | X_OK);
	if (e == -EXDEV && same_mount(a.parent, b.parent)) {
		/* Landlock's refer right: the wall's widened rights grow on the way (DESIGN 8.6). */
		wall_refused(r, p2, b.parent, POLICY_W, W_OK | X_OK);
		return -EXDEV;
	}
	if (e < 0)
		return e;
	/* The object now at the new path takes that path's rules too (denials only, if it had some). */
	bind_new(r, kp, b.parent, b.last, AT_SYMLINK_NOFOLLOW);
	if (kp1[0])
		bind_new(r, kp1, a.parent, a.last, AT_SYMLINK_NOFOLLOW);
	if (!link)
		mac_dirs_refresh(r->b);
	return 0;
}

/* ---------------- content and attributes ---------------- */

/* Resolve a path-or-fd argument to a pinned object, adopting the caller's creds. */
static int pin_target(const struct mac_req *r, int dirfd, uint64_t pa, bool empty_ok, bool follow,
		      char *path)
{
	char self[PATH_MAX];
	int e;

	if (pa == 0 && empty_ok) {
		path[0] = 0;
	} else if ((e = read_path(r, pa, path)) < 0) {
		return e;
	}
	if (!path[0]) {
		if (!empty_ok)
			return -ENOENT;
		int fd = base_fd(r, dirfd);
		if (fd >= 0 && (e = mac_cred_adopt(r->b, r->cred, false)) < 0) {
			close(fd);
			return -EPERM;
		}
		return fd;
	}
	bool is_self = rewrite_self(r, path, self, sizeof(self));
	const char *p = is_self ? self : path;
	cleanup_fd int base = p[0] != '/' ? base_fd(r, dirfd) : -1;
	if (p[0] != '/' && base < 0)
		return base;
	if (!is_self && mac_cred_adopt(r->b, r->cred, false) < 0)
		return -EPERM;
	int fd =
		openat2_fd(p[0] == '/' ? AT_FDCWD : base, p, O_PATH | (follow ? 0 : O_NOFOLLOW), 0);
	if (is_self && mac_cred_adopt(r->b, r->cred, false) < 0) {
		if (fd >= 0)
			close(fd);
		return -EPERM;
	}
	return fd;
}

static bool capture_socket(const struct mac_req *r, const struct stat *st)
{
	for (int s = 0; s < GUEST_NSOCK; s++)
		if (st->st_dev == r->b->g->sock_dev[s] && st->st_ino == r->b->g->sock_ino[s])
			return true;
	return false;
}

#define NR_FCHMODAT2 452 /* Linux 6.6 */

static bool is_chmod(int nr)
{
	return nr == SCMP_SYS(chmod) || nr == SCMP_SYS(fchmodat) || nr == SCMP_SYS(fchmod) ||
	       nr == NR_FCHMODAT2;
}

static bool is_chown(int nr)
{
	return nr == SCMP_SYS(chown) || nr == SCMP_SYS(lchown) || nr == SCMP_SYS(fchown) ||
	       nr == SCMP_SYS(fchownat);
}

/* chmod, chown and xattr changes: w on the object, performed through the pinned fd. */
static int sys_attr(const struct mac_req *r, int nr)
{
	char path[PATH_MAX], name[XATTR_NAME_MAX + 1], p[32];
	int dirfd = AT_FDCWD, e, fl = 0;
	bool follow = true, empty_ok = false, byfd = false, xattr = !is_chmod(nr) && !is_chown(nr);
	bool remove = nr == SCMP_SYS(removexattr) || nr == SCMP_SYS(lremovexattr) ||
		      nr == SCMP_SYS(fremovexattr);
	uint64_t pa = 0;
	cleanup_free void *val = NULL;
	size_t size = 0;

	if (nr == SCMP_SYS(chmod) || nr == SCMP_SYS(chown) || nr == SCMP_SYS(setxattr) ||
	    nr == SCMP_SYS(removexattr)) {
		pa = arg(r, 0);
	} else if (nr == SCMP_SYS(lchown) || nr == SCMP_SYS(lsetxattr) ||
		   nr == SCMP_SYS(lremovexattr)) {
		pa = arg(r, 0);
		follow = false;
	} else if (nr == SCMP_SYS(fchmodat) || nr == NR_FCHMODAT2 || nr == SCMP_SYS(fchownat)) {
		dirfd = (int)arg(r, 0);
		pa = arg(r, 1);
		fl = nr == NR_FCHMODAT2		? (int)arg(r, 3)
		     : nr == SCMP_SYS(fchownat) ? (int)arg(r, 4)
						: 0;
		if (fl & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
			return -EINVAL;
		follow = !(fl & AT_SYMLINK_NOFOLLOW);
		empty_ok = fl & AT_EMPTY_PATH;
	} else { /* fchmod, fchown, fsetxattr, fremovexattr */
		dirfd = (int)arg(r, 0);
		byfd = true;
		empty_ok = true;
	}
	if (xattr) { /* read once, before anything: a guest thread may rewrite them */
		int rn = read_str(r, arg(r, 1), name, sizeof(name));
		if (rn == -ENAMETOOLONG)
			return -ERANGE;
		if (rn < 0)
			return rn;
		size = remove ? 0 : arg(r, 3);
		if (size > XATTR_SIZE_MAX)
			return -E2BIG;
		if (size && !(val = malloc(size)))
			return -ENOMEM;
		if ((e = read_mem(r, arg(r, 2), val, size)) < 0)
			return e;
	}
	int fd;
	if (byfd) {
		/* The open file itself: an O_PATH fd is refused (EBADF), as by the kernel. */
		if ((fd = guest_file(r, dirfd)) >= 0 &&
		    (!mac_req_valid(r) || mac_cred_adopt(r->b, r->cred, false) < 0)) {
			close(fd);
			return -EPERM;
		}
		path[0] = 0;
	} else {
		fd = pin_target(r, dirfd, pa, empty_ok, follow, path);
	}
	if (fd < 0)
		return fd;
	cleanup_fd int pin = fd;
	struct stat st;
	if (fstat(pin, &st) < 0)
		return -errno;
	/* rsyslogd chmods the socket it bound; ours already is world-writable and read-only mounted. */
	if (is_chmod(nr) && capture_socket(r, &st))
		return 0;
	if ((e = decide(r, byfd ? NULL : path, pin, &st, NULL, NULL, POLICY_W)) < 0)
		return e;
	snprintf(p, sizeof(p), "self/fd/%d", pin);
	if (is_chmod(nr)) {
		if (S_ISLNK(st.st_mode))
			return -EOPNOTSUPP; /* fchmodat2(AT_SYMLINK_NOFOLLOW) on a symlink */
		mode_t mode =
			(mode_t)arg(r, nr == SCMP_SYS(fchmod) || nr == SCMP_SYS(chmod) ? 1 : 2);
		e = fchmodat(r->b->hostproc, p, mode, 0);
	} else if (is_chown(nr)) {
		int base = nr == SCMP_SYS(fchownat) ? 2 : 1;
		e = fchownat(pin, "", (uid_t)arg(r, base), (gid_t)arg(r, base + 1), AT_EMPTY_PATH);
	} else if (remove) {
		e = removexattr(p, name);
	} else {
		e = setxattr(p, name, val, size, (int)arg(r, 4));
	}
	return e < 0 ? -errno : 0;
}

static int sys_truncate(const struct mac_req *r, int nr)
{
	(void)nr;
	char path[PATH_MAX];
	int e;

	if ((int64_t)arg(r, 1) < 0)
		return -EINVAL;
	cleanup_fd int pin = pin_target(r, AT_FDCWD, arg(r, 0), false, true, path);
	if (pin < 0)
		return pin;
	struct stat st;
	if (fstat(pin, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if ((e = decide(r, path, pin, &st, NULL, NULL, POLICY_W)) < 0)
		return e;
	cleanup_fd int fd = reopen(r, pin, O_WRONLY | O_NONBLOCK);
	if (fd == -EACCES)
		return wall_refused(r, path, pin, POLICY_W, W_OK);
	if (fd < 0)
		return fd == -ENXIO ? -EINVAL : fd;
	return ftruncate(fd, (off_t)arg(r, 1)) < 0 ? -errno : 0;
}

/*
 * ftruncate, fallocate and fcntl(F_SETFL without O_APPEND) on an open file:
 * only an append-only grant makes them a question (they would let an 'a'
 * writer rewrite what is there).  Performed on the guest's own open file.
 */
static int sys_fdop(const struct mac_req *r, int nr)
{
	int e;
	cleanup_fd int fd = guest_file(r, (int)arg(r, 0));

	if (fd < 0)
		return fd;
	if (!mac_req_valid(r))
		return -ESRCH;
	if ((e = mac_cred_adopt(r->b, r->cred, false)) < 0)
		return -EPERM;
	int fl = fcntl(fd, F_GETFL);
	struct stat st;
	if (fl < 0 || fstat(fd, &st) < 0)
		return -errno;
	if ((fl & O_APPEND) && (e = decide(r, NULL, fd, &st, NULL, NULL, POLICY_W)) < 0)
		return e;
	long v;
	if (nr == SCMP_SYS(ftruncate))
		v = ftruncate(fd, (off_t)arg(r, 1));
	else if (nr == SCMP_SYS(fallocate))
		v = fallocate(fd, (int)arg(r, 1), (off_t)arg(r, 2), (off_t)arg(r, 3));
	else
		v = fcntl(fd, F_SETFL, (int)arg(r, 2));
	return v < 0 ? -errno : (int)v;
}

/* ---------------- bind: a socket appears at a path ---------------- */

static int bind_path(struct mac_req *r, int sock, const char *path, const struct sockaddr_un *sa,
		     socklen_t len)
{
	struct at a __attribute__((cleanup(at_release))) = {.parent = -1};
	struct stat st;
	int e;

	cleanup_fd int base = path[0] != '/' ? base_fd(r, AT_FDCWD) : -1;
	if (path[0] != '/' && base < 0)
		return base;
	if (mac_cred_adopt(r->b, r->cred, true) < 0)
		return -EPERM;
	if ((e = at_split(r, path[0] == '/' ? AT_FDCWD : base, path, 0, &a)) < 0)
		return e;
	if (fstatat(a.parent, a.last, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return capture_socket(r, &st) ? 1 : -EADDRINUSE;
	if (errno != ENOENT)
		return -errno;
	struct policy_key key;
	char kp[PATH_MAX];
	if ((e = decide_create(r, path, a.parent, a.last, &key, kp, sizeof(kp))) < 0)
		return e;
	/*
	 * Bind with the guest's own address, so the socket keeps the name it
	 * asked for (getsockname); a relative one from the guest's cwd.  The
	 * walk meets the objects just decided on: every change to the guest's
	 * file tree passes through this thread or, while it waits, the walled
	 * one (which shares its working directory).
	 */
	if (base >= 0 && fchdir(base) < 0)
		return -errno;
	e = (int)mac_wall_syscall(r->b, SYS_bind, sock, (long)sa, len, 0, 0);
	if (e > 0)
		e = 0;
	if (base >= 0 && fchdir(r->b->hostproc) < 0)
		_exit(1); /* every later relative path would be wrong: stop, fail closed */
	if (e == 0)
		bind_new(r, kp, a.parent, a.last, AT_SYMLINK_NOFOLLOW);
	return e == -EACCES ? wall_refused(r, path, a.parent, POLICY_W, W_OK | X_OK) : e;
}

/*
 * A unix socket bound to a path creates an object there, so it is decided
 * like a create and performed on the guest's own socket.  The address is
 * read once; other address families cannot touch the file system whatever
 * the buffer says, so their bind is the kernel's.
 */
int mac_fsop_bind(struct mac_req *r)
{
	struct sockaddr_un sa;
	char path[sizeof(sa.sun_path) + 1];
	int domain = 0;
	socklen_t ol = sizeof(domain);
	size_t len = arg(r, 2);

	r->sysname = "bind";
	cleanup_fd int sock = guest_file(r, (int)arg(r, 0));
	bool other = sock == -EBADF; /* no such fd: the kernel says EBADF */
	if (sock >= 0 && getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &ol) == 0)
		other = domain != AF_UNIX;
	else if (sock >= 0)
		other = errno == ENOTSOCK;
	if (other)
		/* Not a unix socket (or not a socket): nothing here names a file. */
		return mac_req_respond(r, 0, 0, true), 0;
	if (sock < 0 || !mac_req_valid(r)) {
		/* Fail closed: a socket the broker cannot inspect is not bound. */
		mac_req_respond(r, 0, EPERM, false);
		return 0;
	}
	int e = 0;
	if (len > sizeof(sa) || len < sizeof(sa_family_t))
		e = -EINVAL;
	else if (read_mem(r, arg(r, 1), &sa, len) < 0 || !mac_req_valid(r))
		e = -EFAULT;
	else if (sa.sun_family != AF_UNIX)
		e = -EINVAL;
	else if (len == sizeof(sa_family_t) || sa.sun_path[0] == 0)
		/* Autobind or an abstract name: no file; bind the guest's socket as asked. */
		e = bind(sock, (struct sockaddr *)&sa, (socklen_t)len) < 0 ? -errno : 0;
	else {
		size_t pl = len - offsetof(struct sockaddr_un, sun_path);
		memcpy(path, sa.sun_path, pl);
		path[pl] = 0;
		e = bind_path(r, sock, path, &sa, (socklen_t)len);
		if (e == 1)
			return 1;
	}
	mac_req_respond(r, 0, e < 0 ? -e : 0, false);
	return 0;
}

/* ---------------- dispatch ---------------- */

int mac_fsop_dispatch(struct mac_req *r, int nr, bool *handled)
{
	static const struct {
		int nr;
		const char *name;
		int (*fn)(const struct mac_req *r, int nr);
		bool answers; /* answers the call itself (fd injection, CONTINUE) */
	} tab[] = {
		{SCMP_SYS(open), "open", sys_open, true},
		{SCMP_SYS(openat), "openat", sys_open, true},
		{SCMP_SYS(openat2), "openat2", sys_open, true},
		{SCMP_SYS(creat), "creat", sys_open, true},
		{SCMP_SYS(execve), "execve", sys_exec, true},
		{SCMP_SYS(execveat), "execveat", sys_exec, true},
		{SCMP_SYS(unlink), "unlink", sys_unlink, false},
		{SCMP_SYS(unlinkat), "unlinkat", sys_unlink, false},
		{SCMP_SYS(rmdir), "rmdir", sys_unlink, false},
		{SCMP_SYS(mkdir), "mkdir", sys_mknew, false},
		{SCMP_SYS(mkdirat), "mkdirat", sys_mknew, false},
		{SCMP_SYS(mknod), "mknod", sys_mknew, false},
		{SCMP_SYS(mknodat), "mknodat", sys_mknew, false},
		{SCMP_SYS(symlink), "symlink", sys_mknew, false},
		{SCMP_SYS(symlinkat), "symlinkat", sys_mknew, false},
		{SCMP_SYS(rename), "rename", sys_rename_link, false},
		{SCMP_SYS(renameat), "renameat", sys_rename_link, false},
		{SCMP_SYS(renameat2), "renameat2", sys_rename_link, false},
		{SCMP_SYS(link), "link", sys_rename_link, false},
		{SCMP_SYS(linkat), "linkat", sys_rename_link, false},
		{SCMP_SYS(chmod), "chmod", sys_attr, false},
		{SCMP_SYS(fchmod), "fchmod", sys_attr, false},
		{SCMP_SYS(fchmodat), "fchmodat", sys_attr, false},
		{NR_FCHMODAT2, "fchmodat2", sys_attr, false},
		{SCMP_SYS(chown), "chown", sys_attr, false},
		{SCMP_SYS(lchown), "lchown", sys_attr, false},
		{SCMP_SYS(fchown), "fchown", sys_attr, false},
		{SCMP_SYS(fchownat), "fchownat", sys_attr, false},
		{SCMP_SYS(setxattr), "setxattr", sys_attr, false},
		{SCMP_SYS(lsetxattr), "lsetxattr", sys_attr, false},
		{SCMP_SYS(fsetxattr), "fsetxattr", sys_attr, false},
		{SCMP_SYS(removexattr), "removexattr", sys_attr, false},
		{SCMP_SYS(lremovexattr), "lremovexattr", sys_attr, false},
		{SCMP_SYS(fremovexattr), "fremovexattr", sys_attr, false},
		{SCMP_SYS(truncate), "truncate", sys_truncate, false},
		{SCMP_SYS(ftruncate), "ftruncate", sys_fdop, false},
		{SCMP_SYS(fallocate), "fallocate", sys_fdop, false},
		{SCMP_SYS(fcntl), "fcntl", sys_fdop, false},
	};
	for (size_t i = 0; i < VMM_ARRAY_SIZE(tab); i++) {
		if (tab[i].nr != nr)
			continue;
		r->sysname = tab[i].name;
		*handled = true;
		int v = tab[i].fn(r, nr);
		if (v < 0 || !tab[i].answers)
			mac_req_respond(r, v < 0 ? 0 : v, v < 0 ? -v : 0, false);
		return v;
	}
	*handled = false;
	return 0;
}
