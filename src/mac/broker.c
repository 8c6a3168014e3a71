/* broker.c - the MAC broker process: joins the guest's namespaces, serves the seccomp listener. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lsm/lsm.h"
#include "mac/internal.h"
#include "monitor/filter.h"
#include "util/util.h"

enum {
	MSG_READY = 1, /* value: 0 or errno of the failed setup step */
	MSG_NOTIF,     /* struct seccomp_notif for the monitor */
	MSG_ACCESS,    /* struct wire_access + strings */
	MSG_ERROR,     /* struct policy_error: the access file cannot be applied */
	MSG_CONTINUED, /* monitor to broker: the notification forwarded with value 1 is answered */
};

struct wire_hdr {
	uint32_t type;
	int32_t value;
};

struct wire_access {
	uint32_t host_tid, guest_pid, uid, gid;
	uint64_t dev, ino;
	uint32_t access;
	uint8_t allow, pad[3];
	char comm[16];
	uint16_t len[4]; /* path, resolved, reason, syscall: bytes that follow, in order */
};
_Static_assert(sizeof(struct wire_hdr) == 8, "wire_hdr layout");
_Static_assert(sizeof(struct wire_access) == 64, "wire_access layout");

struct mac_broker {
	pid_t pid;
	int pidfd, chan;
};

/* ---------------- in the broker ---------------- */

static int send_msg(int chan, uint32_t type, int32_t value, const void *body, size_t len,
		    const void *tail, size_t tlen)
{
	struct wire_hdr h = {.type = type, .value = value};
	struct iovec iov[3] = {{&h, sizeof(h)}, {(void *)body, len}, {(void *)tail, tlen}};
	struct msghdr m = {.msg_iov = iov, .msg_iovlen = 3};

	return sendmsg(chan, &m, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

bool mac_req_valid(const struct mac_req *r)
{
	return seccomp_notify_id_valid(r->b->listener, r->n->id) == 0;
}

int mac_req_respond(const struct mac_req *r, int64_t val, int err, bool cont)
{
	struct seccomp_notif_resp resp = {.id = r->n->id};

	if (cont)
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else if (err)
		resp.error = -err;
	else
		resp.val = val;
	/* ENOENT: the thread died meanwhile, nobody waits for the answer. */
	return ioctl(r->b->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT
		       ? -errno
		       : 0;
}

/*
 * Install @fd (which this closes) in the guest thread and answer its call
 * with the new number.  A regular file or directory open for reading only
 * (@atomic) is handed over and answered in one step.  Any other is answered
 * only after the broker's own reference is gone: else the guest could close
 * its fd and find the file still open (a FIFO still has a reader or writer,
 * an executable it just wrote still gives ETXTBSY).
 */
int mac_req_addfd(const struct mac_req *r, int fd, unsigned newfd_flags, bool atomic)
{
	struct seccomp_notif_addfd a = {
		.id = r->n->id,
		.flags = atomic ? SECCOMP_ADDFD_FLAG_SEND : 0,
		.srcfd = (uint32_t)fd,
		.newfd_flags = newfd_flags,
	};
	int nfd = ioctl(r->b->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
	int err = errno;

	close(fd);
	if (nfd < 0)
		/* EMFILE and the like: the guest sees what its own open would have said. */
		return err == ENOENT ? 0 : mac_req_respond(r, 0, err, false);
	return atomic ? 0 : mac_req_respond(r, nfd, 0, false);
}

void mac_req_record(const struct mac_req *r, const char *path, int objfd, const char *newpath,
		    const struct stat *st, unsigned want, const struct policy_verdict *v)
{
	struct mac_broker_state *b = r->b;
	char resolved[PATH_MAX], self[32];
	ssize_t rl = -1;

	if (v->allow && b->audit != MAC_AUDIT_ALL)
		return;
	if (objfd >= 0) {
		snprintf(self, sizeof(self), "%d", objfd);
		rl = readlinkat(b->selffd, self, resolved, sizeof(resolved));
	} else if (newpath) {
		rl = (ssize_t)strnlen(newpath, sizeof(resolved) - 1);
		memcpy(resolved, newpath, (size_t)rl);
	}
	if (rl < 0)
		rl = 0;
	struct wire_access w = {
		.host_tid = (uint32_t)r->n->pid,
		.guest_pid = r->cred ? (uint32_t)r->cred->ns_tid : 0,
		.uid = r->cred ? r->cred->fsuid : 0,
		.gid = r->cred ? r->cred->fsgid : 0,
		.dev = st ? st->st_dev : 0,
		.ino = st ? st->st_ino : 0,
		.access = want,
		.allow = v->allow,
	};
	if (r->cred)
		memcpy(w.comm, r->cred->comm, sizeof(w.comm));
	const char *s[4] = {path ? path : "", resolved, v->reason, r->sysname};
	size_t l[4] = {strlen(s[0]), (size_t)rl, strlen(s[2]), strlen(s[3])};
	char tail[3 * PATH_MAX + POLICY_REASON_MAX + 64];
	size_t t = 0;
	for (int i = 0; i < 4; i++) {
		if (l[i] > PATH_MAX)
			l[i] = PATH_MAX;
		w.len[i] = (uint16_t)l[i];
		memcpy(tail + t, s[i], l[i]);
		t += l[i];
	}
	/* A record that cannot be sent is a monitor failure: the channel's EOF ends the guest. */
	if (send_msg(b->chan, MSG_ACCESS, 0, &w, sizeof(w), tail, t) < 0)
		_exit(1);
}

static void forward(struct mac_broker_state *b, const struct seccomp_notif *n, bool ack)
{
	if (send_msg(b->chan, MSG_NOTIF, ack, n, sizeof(*n), NULL, 0) < 0)
		_exit(1); /* fail closed: the monitor is gone or stuck */
}

int mac_req_forward(const struct mac_req *r)
{
	forward(r->b, r->n, false);
	return 0;
}

void mac_req_forward_continued(const struct mac_req *r)
{
	struct wire_hdr h;
	ssize_t n;

	forward(r->b, r->n, true);
	RETRY_EINTR(n = recv(r->b->chan, &h, sizeof(h), 0));
	if (n != (ssize_t)sizeof(h) || h.type != MSG_CONTINUED)
		_exit(1); /* the monitor is gone: fail closed */
}

static bool one_of(int nr, const int *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == nr)
			return true;
	return false;
}

static void serve_one(struct mac_broker_state *b, const struct seccomp_notif *n)
{
	static const int creds[] = {
		SCMP_SYS(setuid),    SCMP_SYS(setgid),	  SCMP_SYS(setreuid), SCMP_SYS(setregid),
		SCMP_SYS(setresuid), SCMP_SYS(setresgid), SCMP_SYS(setfsuid), SCMP_SYS(setfsgid),
		SCMP_SYS(setgroups), SCMP_SYS(capset),	  SCMP_SYS(umask),
	};
	struct mac_req r = {.b = b, .n = n};
	int nr = n->data.nr;
	bool handled = false;

	if (n->data.arch != seccomp_arch_native()) {
		mac_req_respond(&r, 0, EPERM, false); /* the filter kills other ABIs */
		return;
	}
	/*
	 * Credentials are about to change (or, for umask, the process's file
	 * mode mask): forget what we know; the call itself is the kernel's.
	 * Exits, and changes of what /proc says of a syslog sender, go on to
	 * the monitor, which records what the thread sent first and then lets
	 * the call proceed (monitor_filter_is_identity_change).
	 */
	if (one_of(nr, creds, VMM_ARRAY_SIZE(creds)) || nr == SCMP_SYS(exit) ||
	    nr == SCMP_SYS(exit_group)) {
		mac_cred_forget(b, (pid_t)n->pid,
				nr == SCMP_SYS(umask) || nr == SCMP_SYS(exit_group));
		if (monitor_filter_is_identity_change(nr, n->data.args[0]))
			forward(b, n, false);
		else
			mac_req_respond(&r, 0, 0, true);
		return;
	}
	if (nr == SCMP_SYS(prctl)) { /* PR_SET_NAME: the filter traps no other */
		forward(b, n, false);
		return;
	}
	if (mac_cred_full(b) < 0) {
		mac_req_respond(&r, 0, EPERM, false);
		return;
	}
	/*
	 * Every handler checks that the call is still pending after it has
	 * read the guest (the credentials are read before that): only then is
	 * what it read known to be the caller's.
	 */
	r.cred = mac_cred_get(b, (pid_t)n->pid);
	if (!r.cred) {
		/* Fail closed: without the caller's identity nothing is done for it. */
		mac_req_respond(&r, 0, EPERM, false);
		return;
	}
	if (nr == SCMP_SYS(bind)) {
		if (mac_fsop_bind(&r) == 1)
			forward(b, n, false); /* a capture socket's path: the monitor relays it */
		return;
	}
	int v = mac_fsop_dispatch(&r, nr, &handled);
	if (!handled)
		mac_req_respond(&r, 0, EPERM, false); /* the filter traps nothing else */
	(void)v;
}

static void dir_refresh(struct mac_broker_state *b, struct mac_dir *d)
{
	char self[32], buf[PATH_MAX];

	free(d->kpath);
	d->kpath = NULL;
	d->klen = 0;
	if (d->fd < 0)
		return;
	snprintf(self, sizeof(self), "%d", d->fd);
	ssize_t n = readlinkat(b->selffd, self, buf, sizeof(buf) - 1);
	if (n <= 0 || buf[0] != '/')
		return; /* unreachable from the guest's root: no path can be beneath it */
	buf[n] = 0;
	d->kpath = strdup(buf);
	d->klen = d->kpath ? (size_t)n : 0;
}

void mac_dirs_refresh(struct mac_broker_state *b)
{
	for (size_t i = 0; i < b->mp->ndirs; i++)
		dir_refresh(b, &b->mp->dirs[i]);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Close every fd but @keep (sorted here): the broker holds only what it needs. */
static void close_others(int *keep, size_t n)
{
	qsort(keep, n, sizeof(int), cmp_int);
	int lo = 0;
	for (size_t i = 0; i <= n; i++) {
		int hi = i < n ? keep[i] - 1 : INT_MAX;
		if (hi >= lo && syscall(SYS_close_range, (unsigned)lo, (unsigned)hi, 0) < 0)
			for (int fd = lo; fd <= hi && fd < 65536; fd++)
				close(fd);
		if (i < n)
			lo = keep[i] + 1;
	}
}

static int open_ns(pid_t pid, const char *ns)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/ns/%s", (int)pid, ns);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * Enter the guest: U1 (whose owner we are), its mount namespace, then U2,
 * where the guest's command and every process it starts live.  In U2 the
 * broker holds exactly the capabilities guest root holds there, and it
 * narrows them to each calling thread's before acting.
 */
static int enter_guest(const struct guest *g)
{
	int u1 = open_ns(g->init_pid, "user"), mnt = open_ns(g->cmd_host_pid, "mnt"),
	    u2 = open_ns(g->cmd_host_pid, "user");
	int r = 0;

	if (u1 < 0 || mnt < 0 || u2 < 0)
		r = u1 < 0 ? u1 : mnt < 0 ? mnt : u2;
	else if (setns(u1, CLONE_NEWUSER) < 0 || setns(mnt, CLONE_NEWNS) < 0 ||
		 setns(u2, CLONE_NEWUSER) < 0)
		r = -errno;
	if (u1 >= 0)
		close(u1);
	if (mnt >= 0)
		close(mnt);
	if (u2 >= 0)
		close(u2);
	return r;
}

/*
 * Bind the access file's paths to objects as guest root would reach them:
 * from the guest's root, with the broker's credentials in U2 (a directory
 * closed to guest root makes its path fail, not silently pending).  Each
 * error goes to the monitor as MSG_ERROR for it to print.
 */
static int load_policy(struct mac_broker_state *b, const struct policy *p, int *wall_rs)
{
	struct policy_errors errs = {0};
	struct mac_cred groot = {.fsuid = 0, .fsgid = 0, .capeff = b->fullcaps, .umask = 022};
	const struct mac_cred *as = &groot;
	int r;

	/* Guest root, or (unprivileged, with no root mapped) the command's own identity. */
	if (mac_cred_adopt(b, as, false) < 0) {
		if (mac_cred_full(b) < 0 || !(as = mac_cred_get(b, b->g->cmd_host_pid)) ||
		    mac_cred_adopt(b, as, false) < 0)
			return -EPERM;
	}
	cleanup_fd int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	r = root < 0 ? -errno : mac_policy_load(p, root, &b->mp, &errs);
	/* The wall as the guest's command built its own: the same paths, resolved the same way. */
	if (r == 0 && wall_rs && (r = lsm_landlock_build(p, root, NULL, 0, wall_rs, NULL)) == 0 &&
	    *wall_rs < 0)
		r = -EOPNOTSUPP;
	mac_cred_full(b);

	for (size_t i = 0; i < errs.n; i++)
		send_msg(b->chan, MSG_ERROR, 0, &errs.v[i], sizeof(errs.v[i]), NULL, 0);
	policy_errors_release(&errs);
	return r;
}

__attribute__((noreturn)) static void broker_main(const struct guest *g, const struct policy *p,
						  enum mac_audit audit, bool wall, int chan)
{
	static struct mac_broker_state b;
	int r;

	b = (struct mac_broker_state){
		.g = g, .audit = audit, .chan = chan, .listener = g->listener_fd};
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0)
		_exit(1);
	/*
	 * Signals for vmmsec's process group (timeout(1), kill -- -PGID) are
	 * the monitor's to pass on to the guest: the broker ends with the guest
	 * (or, PDEATHSIG, with the monitor), never first.
	 */
	static const int ignore[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU};
	for (size_t i = 0; i < VMM_ARRAY_SIZE(ignore); i++)
		signal(ignore[i], SIG_IGN);
	prctl(PR_SET_NAME, "vmmsec-broker");
	b.hostproc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* Opened once: a lookup of "self" and of our pid per use costs about 2 us an open. */
	b.selffd = b.hostproc < 0 ? -1
				  : openat(b.hostproc, "self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int keep[] = {chan, b.listener, b.hostproc, b.selffd};
	if (b.hostproc < 0 || b.selffd < 0)
		r = -errno;
	else if ((r = enter_guest(g)) < 0)
		;
	else if (fchdir(b.hostproc) < 0)
		r = -errno;
	else
		r = mac_cred_init(&b);
	if (r == 0) {
		close_others(keep, VMM_ARRAY_SIZE(keep));
		int rs = -1;
		r = load_policy(&b, p, wall ? &rs : NULL);
		if (r == 0 && wall)
			r = mac_wall_start(&b, rs);
	}
	struct stat pst;
	if (r == 0 && stat("/proc", &pst) == 0)
		b.proc_dev = pst.st_dev;
	if (r == 0)
		mac_dirs_refresh(&b);
	if (send_msg(chan, MSG_READY, -r, NULL, 0, NULL, 0) < 0 || r < 0)
		_exit(1);
	struct seccomp_notif *n = calloc(1, sizeof(*n) + 64);
	if (!n)
		_exit(1);
	for (;;) {
		struct pollfd pf = {.fd = b.listener, .events = POLLIN};
		if (poll(&pf, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if (!(pf.revents & POLLIN))
			_exit(0); /* every guest task is gone */
		memset(n, 0, sizeof(*n));
		if (ioctl(b.listener, SECCOMP_IOCTL_NOTIF_RECV, n) < 0) {
			if (errno == ENOENT || errno == EINTR)
				continue;
			_exit(1);
		}
		serve_one(&b, n);
	}
}

/* ---------------- in the monitor ---------------- */

int mac_broker_start(const struct guest *g, const struct policy *p, enum mac_audit audit, bool wall,
		     struct policy_errors *errs, struct mac_broker **out)
{
	int sv[2];

	*out = NULL;
	struct mac_broker *b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		free(b);
		return -errno;
	}
	pid_t parent = getpid();
	b->pid = fork();
	if (b->pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		free(b);
		return -e;
	}
	if (b->pid == 0) {
		close(sv[0]);
		if (getppid() != parent)
			_exit(1);
		broker_main(g, p, audit, wall, sv[1]);
	}
	close(sv[1]);
	b->chan = sv[0];
	b->pidfd = (int)syscall(SYS_pidfd_open, b->pid, 0);
	for (;;) {
		struct {
			struct wire_hdr h;
			struct policy_error e;
		} m;
		ssize_t n;
		RETRY_EINTR(n = recv(b->chan, &m, sizeof(m), 0));
		if (n == (ssize_t)sizeof(m) && m.h.type == MSG_ERROR) {
			m.e.msg[sizeof(m.e.msg) - 1] = 0;
			if (policy_errors_add(errs, m.e.line, m.e.col, "%s", m.e.msg) < 0)
				break;
			continue;
		}
		if (n == (ssize_t)sizeof(m.h) && m.h.type == MSG_READY && m.h.value == 0) {
			*out = b;
			return 0;
		}
		int e = n == (ssize_t)sizeof(m.h) && m.h.type == MSG_READY && m.h.value > 0
				? m.h.value
				: EPROTO;
		mac_broker_free(b);
		return -e;
	}
	mac_broker_free(b);
	return -ENOMEM;
}

int mac_broker_fd(const struct mac_broker *b)
{
	return b->chan;
}

int mac_broker_continued(struct mac_broker *b)
{
	struct wire_hdr h = {.type = MSG_CONTINUED};
	ssize_t n;

	RETRY_EINTR(n = send(b->chan, &h, sizeof(h), MSG_NOSIGNAL));
	/* EPIPE: the broker is gone; its exit status tells the rest. */
	return n < 0 && errno != EPIPE ? -errno : 0;
}

int mac_broker_wait(struct mac_broker *b)
{
	int st = 0;
	pid_t p;

	if (b->pid <= 0)
		return 0;
	RETRY_EINTR(p = waitpid(b->pid, &st, 0));
	b->pid = 0;
	return p > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

void mac_broker_free(struct mac_broker *b)
{
	if (!b)
		return;
	if (b->pid > 0) {
		kill(b->pid, SIGKILL);
		RETRY_EINTR(waitpid(b->pid, NULL, 0));
	}
	util_closep(&b->pidfd);
	util_closep(&b->chan);
	free(b);
}

int mac_broker_read(struct mac_broker *b, struct mac_msgbuf *buf, struct seccomp_notif *req,
		    struct mac_access *acc)
{
	ssize_t n = recv(b->chan, buf->bytes, sizeof(buf->bytes), MSG_DONTWAIT);
	struct wire_hdr h;

	if (n < 0)
		return errno == EAGAIN ? MAC_EV_NONE : -errno;
	if (n == 0)
		return MAC_EV_EOF;
	if ((size_t)n < sizeof(h))
		return -EBADMSG;
	memcpy(&h, buf->bytes, sizeof(h));
	const unsigned char *body = buf->bytes + sizeof(h);
	size_t blen = (size_t)n - sizeof(h);
	if (h.type == MSG_NOTIF && blen == sizeof(*req)) {
		memcpy(req, body, sizeof(*req));
		return h.value ? MAC_EV_NOTIF_ACK : MAC_EV_NOTIF;
	}
	if (h.type != MSG_ACCESS || blen < sizeof(struct wire_access))
		return -EBADMSG;
	struct wire_access w;
	memcpy(&w, body, sizeof(w));
	size_t need = sizeof(w);
	for (int i = 0; i < 4; i++)
		need += w.len[i];
	/* Room for four NULs: strings are copied to the end of the buffer's tail. */
	if (need != blen || (size_t)n + 4 > sizeof(buf->bytes))
		return -EBADMSG;
	*acc = (struct mac_access){.host_tid = w.host_tid,
				   .guest_pid = w.guest_pid,
				   .uid = w.uid,
				   .gid = w.gid,
				   .dev = w.dev,
				   .ino = w.ino,
				   .access = w.access,
				   .allow = w.allow != 0};
	memcpy(acc->comm, w.comm, sizeof(acc->comm));
	acc->comm[sizeof(acc->comm) - 1] = 0;
	/* Shift the strings up by one byte each to NUL-terminate them in place. */
	char *dst = (char *)buf->bytes + n + 4;
	const char *src = (const char *)buf->bytes + n;
	const char **out[4] = {&acc->syscall, &acc->reason, &acc->resolved, &acc->path};
	for (int i = 3; i >= 0; i--) {
		src -= w.len[i];
		dst -= w.len[i] + 1;
		memmove(dst, src, w.len[i]);
		dst[w.len[i]] = 0;
		*out[3 - i] = dst;
	}
	return MAC_EV_ACCESS;
}
