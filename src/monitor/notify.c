/* notify.c - seccomp user-notification dispatch: bind() on a captured socket becomes a relay. */
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "monitor/filter.h"
#include "monitor/notify.h"
#include "util/util.h"

struct monitor_notify {
	const struct guest *g;
	struct relay *relay;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int (*drain)(void *ctx);
	void *ctx;
	bool forwarded; /* the MAC broker checked this call and passed it on */
};

int monitor_notify_new(struct monitor_notify **out, const struct guest *g, struct relay *relay,
		       int (*drain)(void *ctx), void *ctx)
{
	struct monitor_notify *n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	int r = seccomp_notify_alloc(&n->req, &n->resp);
	if (r < 0) {
		free(n);
		return r;
	}
	n->g = g;
	n->relay = relay;
	n->drain = drain;
	n->ctx = ctx;
	*out = n;
	return 0;
}

void monitor_notify_free(struct monitor_notify *n)
{
	if (!n)
		return;
	seccomp_notify_free(n->req, n->resp);
	free(n);
}

/* The trapped thread still waits on this very call: else its pid may be reused. */
static bool still_valid(struct monitor_notify *n)
{
	return seccomp_notify_id_valid(n->g->listener_fd, n->req->id) == 0;
}

/*
 * The directory @path (as the guest passed it, relative to @dirfd) names its
 * last component in: /proc/PID/root, /proc/PID/cwd or /proc/PID/fd/N.
 */
static int open_parent(pid_t pid, int dirfd_arg, const char *path, char *last, size_t lastlen)
{
	char base[64], parent[PATH_MAX];
	const char *slash = strrchr(path, '/');
	bool abs = path[0] == '/';

	if (abs)
		snprintf(base, sizeof(base), "/proc/%d/root", (int)pid);
	else if (dirfd_arg == AT_FDCWD)
		snprintf(base, sizeof(base), "/proc/%d/cwd", (int)pid);
	else
		snprintf(base, sizeof(base), "/proc/%d/fd/%d", (int)pid, dirfd_arg);
	cleanup_fd int dirfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	const char *name = slash ? slash + 1 : path;
	if (strlen(name) + 1 > lastlen || !*name)
		return -EINVAL;
	strcpy(last, name);
	if (!slash)
		return steal_fd(&dirfd);
	size_t plen = (size_t)(slash - path);
	memcpy(parent, path, plen);
	parent[plen] = 0;
	if (plen == 0)
		strcpy(parent, "/");
	/* Resolve as the guest would: absolute symlinks stay inside its root. */
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_NO_MAGICLINKS | (abs ? RESOLVE_IN_ROOT : 0)};
	long fd = syscall(SYS_openat2, dirfd, parent, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/*
 * Which captured datagram socket, if any, @path names for the guest: decided
 * on the object (device and inode), not on the string.  -1 for none.
 */
static int match_path(struct monitor_notify *n, pid_t pid, int dirfd_arg, const char *path,
		      int statflags)
{
	char last[NAME_MAX + 1];
	struct stat st;

	cleanup_fd int dirfd = open_parent(pid, dirfd_arg, path, last, sizeof(last));
	if (dirfd < 0 || fstatat(dirfd, last, &st, statflags) < 0)
		return -1;
	for (int s = 0; s < GUEST_NSOCK; s++)
		if (s != GUEST_SOCK_JSTDOUT && st.st_dev == n->g->sock_dev[s] &&
		    st.st_ino == n->g->sock_ino[s])
			return s;
	return -1;
}

/* Which captured socket, if any, the guest's bind address names. */
static int match_socket(struct monitor_notify *n, pid_t pid, const struct sockaddr_un *sa,
			socklen_t len)
{
	char path[sizeof(sa->sun_path) + 1];
	size_t plen = len - offsetof(struct sockaddr_un, sun_path);

	memcpy(path, sa->sun_path, plen);
	path[plen] = 0;
	if (!path[0])
		return -1; /* abstract: never one of ours */
	/* bind never follows a final symlink: it would fail EADDRINUSE. */
	return match_path(n, pid, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW);
}

/*
 * A pidfd for the process of thread @tid.  pidfd_open refuses a thread that
 * does not lead its group (EINVAL, or ENOENT since 6.9): use the tgid.
 */
static int open_pidfd(pid_t tid)
{
	char path[64], buf[1024];
	int fd = (int)syscall(SYS_pidfd_open, tid, 0);

	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	cleanup_fd int sfd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len = sfd < 0 ? -1 : read(sfd, buf, sizeof(buf) - 1);
	if (len <= 0)
		return -1;
	buf[len] = 0;
	const char *t = strstr(buf, "\nTgid:");
	long tgid = t ? strtol(t + 6, NULL, 10) : 0;
	return tgid > 0 ? (int)syscall(SYS_pidfd_open, (pid_t)tgid, 0) : -1;
}

/*
 * Emulate the daemon's bind: auto-bind its own socket (taken with
 * pidfd_getfd, so the monitor acts on the guest's object, not a path) and
 * register the relay.  Returns the errno the guest sees (0 for success).
 */
static int emulate_bind(struct monitor_notify *n, pid_t pid, int gfd, enum guest_sock s)
{
	int type = 0, domain = 0;
	socklen_t ol = sizeof(int);
	struct sockaddr_un sa = {0};
	socklen_t sl = sizeof(sa);

	cleanup_fd int pidfd = open_pidfd(pid);
	if (pidfd < 0 || !still_valid(n))
		return ESRCH;
	cleanup_fd int fd = (int)syscall(SYS_pidfd_getfd, pidfd, gfd, 0);
	if (fd < 0)
		return errno == EBADF ? EBADF : EPERM;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &ol) < 0)
		return ENOTSOCK;
	ol = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &ol) < 0 || domain != AF_UNIX)
		return EINVAL;
	if (type != SOCK_DGRAM)
		return EADDRINUSE; /* what the kernel says for a taken path */
	if (getsockname(fd, (struct sockaddr *)&sa, &sl) < 0)
		return EINVAL;
	if (sl > offsetof(struct sockaddr_un, sun_path))
		return EINVAL; /* already bound, as the kernel would say */
	sa = (struct sockaddr_un){.sun_family = AF_UNIX};
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa_family_t)) < 0)
		return errno;
	sl = sizeof(sa);
	if (getsockname(fd, (struct sockaddr *)&sa, &sl) < 0)
		return errno;
	int r = relay_add(n->relay, s, &sa, sl);
	return r < 0 ? -r : 0;
}

static void handle_bind(struct monitor_notify *n)
{
	struct seccomp_notif *req = n->req;
	struct seccomp_notif_resp *resp = n->resp;
	struct sockaddr_un sa;
	socklen_t len = (socklen_t)req->data.args[2];
	pid_t pid = (pid_t)req->pid;

	/*
	 * Anything not a named AF_UNIX address is the kernel's business,
	 * except when the broker forwarded the call as a capture socket's
	 * bind: then the guest rewrote the address since, and gets nothing.
	 */
	resp->flags = n->forwarded ? 0 : SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	resp->error = n->forwarded ? -EPERM : 0;
	if (req->data.args[2] > sizeof(sa) || len <= offsetof(struct sockaddr_un, sun_path))
		return;
	/* Read once: a guest thread may rewrite the buffer after this copy. */
	struct iovec local = {&sa, len};
	struct iovec remote = {(void *)(uintptr_t)req->data.args[1], len};
	if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != (ssize_t)len || !still_valid(n))
		return;
	if (sa.sun_family != AF_UNIX)
		return;
	int s = match_socket(n, pid, &sa, len);
	if (s < 0)
		return;
	resp->error = 0;
	/*
	 * CONTINUE here would only ever fail with EADDRINUSE (the path is a
	 * socket the guest cannot remove), so emulating it gives nothing away.
	 */
	resp->flags = 0;
	resp->error = -emulate_bind(n, pid, (int)req->data.args[0], s);
	resp->val = 0;
}

/*
 * chmod of a captured socket: daemons (rsyslogd) make the socket they bound
 * world-writable and give up if that fails.  Ours already is and lives on a
 * read-only mount, so the call succeeds without doing anything.  Any other
 * path is the kernel's business.
 */
static void handle_chmod(struct monitor_notify *n, int dirfd_arg, uint64_t path_addr, int statflags)
{
	char path[PATH_MAX];
	pid_t pid = (pid_t)n->req->pid;

	n->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	if (util_vm_read_str(pid, path_addr, path, sizeof(path)) < 0 || !path[0] || !still_valid(n))
		return;
	if (match_path(n, pid, dirfd_arg, path, statflags) < 0)
		return;
	n->resp->flags = 0;
	n->resp->val = 0;
	n->resp->error = 0;
}

static int dispatch(struct monitor_notify *n);

int monitor_notify_handle(struct monitor_notify *n)
{
	memset(n->req, 0, sizeof(*n->req));
	int r = seccomp_notify_receive(n->g->listener_fd, n->req);
	if (r < 0)
		return r == -ENOENT || r == -EINTR ? 0 : r; /* the trapped task died first */
	return dispatch(n);
}

int monitor_notify_serve(struct monitor_notify *n, const struct seccomp_notif *req)
{
	memcpy(n->req, req, sizeof(*req));
	n->forwarded = true;
	int r = dispatch(n);
	n->forwarded = false;
	return r;
}

static int dispatch(struct monitor_notify *n)
{
	int fd = n->g->listener_fd;
	int r;

	memset(n->resp, 0, sizeof(*n->resp));
	n->resp->id = n->req->id;
	int nr = n->req->data.nr;
	r = 0;
	if (n->req->data.arch != seccomp_arch_native()) {
		n->resp->error = -EPERM; /* the filter kills other ABIs; refuse */
	} else if (nr == SCMP_SYS(bind)) {
		handle_bind(n);
	} else if (nr == SCMP_SYS(chmod)) {
		handle_chmod(n, AT_FDCWD, n->req->data.args[0], 0);
	} else if (nr == SCMP_SYS(fchmodat)) {
		handle_chmod(n, (int)n->req->data.args[0], n->req->data.args[1], 0);
	} else if (monitor_filter_is_identity_change(nr, n->req->data.args[0])) {
		/* Exit, exec, a new uid, gid or name: first record what was sent before. */
		if (n->drain)
			r = n->drain(n->ctx);
		n->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else {
		n->resp->error = -EPERM; /* the filter traps nothing else: refuse */
	}
	/* -ENOENT: the trapped task died meanwhile; nothing waits for the answer. */
	(void)seccomp_notify_respond(fd, n->resp);
	return r;
}
