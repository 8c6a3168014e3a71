/* notify_cost.c - cost of an open under seccomp user notification: native, CONTINUE, emulated in the supervisor, emulated one process further. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Design data for MAC on open (issue 3): what one trapped openat costs
 * before any policy work.  "emulate" is the supervisor reading the path,
 * opening it and injecting the fd (SECCOMP_ADDFD_FLAG_SEND); "hop" adds a
 * round trip to a separate opener process, the price of opening with
 * exactly the guest's credentials from a sibling user namespace.
 */

/* Linux 6.6: wake the supervisor synchronously (defined here: headers are 6.1). */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

enum mode { NATIVE, CONTINUE, EMULATE, HOP, CONTINUE_SYNC, EMULATE_SYNC, HOP_SYNC, NMODES };
static const char *const names[] = {
	"native",	 "notify+CONTINUE", "notify+emulate",  "notify+emulate+hop",
	"sync+CONTINUE", "sync+emulate",    "sync+emulate+hop"};
static int sync_ok = 1;
static const char *target = "/etc/hostname";

static void send_fd(int sock, int fd)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} u = {0};
	char c = 'f';
	struct iovec iov = {&c, 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.b,
			    .msg_controllen = sizeof(u.b)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(sock, &mh, 0) < 0)
		_exit(3);
}

static int recv_fd(int sock)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} u;
	char c;
	struct iovec iov = {&c, 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.b,
			    .msg_controllen = sizeof(u.b)};
	int fd = -1;
	if (recvmsg(sock, &mh, 0) <= 0)
		return -1;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* The opener process: path in, fd out. */
static void opener(int sock)
{
	char path[4096];
	for (;;) {
		ssize_t n = read(sock, path, sizeof(path) - 1);
		if (n <= 0)
			_exit(0);
		path[n] = 0;
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		send_fd(sock, fd < 0 ? open("/dev/null", O_RDONLY | O_CLOEXEC) : fd);
		close(fd);
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void loop(long n, int report)
{
	double t0 = now();
	for (long i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, target, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			_exit(4);
		close(fd);
	}
	double ns = (now() - t0) * 1e9 / (double)n;
	if (write(report, &ns, sizeof(ns)) != sizeof(ns))
		_exit(5);
}

static void supervise(int listener, enum mode m, int hop)
{
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	char path[4096];

	if (seccomp_notify_alloc(&req, &resp) < 0)
		exit(6);
	if (m >= CONTINUE_SYNC) {
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
			  SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0)
			sync_ok = 0, fprintf(stderr, "sync wake-up: %s\n", strerror(errno));
		m -= CONTINUE_SYNC - CONTINUE;
	}
	for (;;) {
		memset(req, 0, sizeof(*req));
		if (seccomp_notify_receive(listener, req) < 0)
			break;
		memset(resp, 0, sizeof(*resp));
		resp->id = req->id;
		if (m == CONTINUE) {
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
			seccomp_notify_respond(listener, resp);
			continue;
		}
		/* Read the path once, then act on our copy. */
		struct iovec l = {path, sizeof(path) - 1},
			     r = {(void *)(uintptr_t)req->data.args[1], sizeof(path) - 1};
		ssize_t got = process_vm_readv(req->pid, &l, 1, &r, 1, 0);
		if (got <= 0) {
			resp->error = -EFAULT;
			seccomp_notify_respond(listener, resp);
			continue;
		}
		path[got] = 0;
		int fd;
		if (m == HOP) {
			if (write(hop, path, strlen(path)) < 0)
				exit(7);
			fd = recv_fd(hop);
		} else {
			fd = open(path, O_RDONLY | O_CLOEXEC);
		}
		struct seccomp_notif_addfd add = {.id = req->id,
						  .flags = SECCOMP_ADDFD_FLAG_SEND,
						  .srcfd = (unsigned)fd,
						  .newfd_flags = O_CLOEXEC};
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0) {
			resp->error = -errno;
			seccomp_notify_respond(listener, resp);
		}
		close(fd);
	}
	seccomp_notify_free(req, resp);
}

static double run(enum mode m, long n)
{
	int sp[2], rep[2], hop[2] = {-1, -1};
	double ns = -1;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0 || pipe(rep) < 0)
		exit(8);
	if (m == HOP || m == HOP_SYNC) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, hop) < 0)
			exit(8);
		if (fork() == 0) {
			close(hop[0]);
			opener(hop[1]);
		}
		close(hop[1]);
	}
	pid_t c = fork();
	if (c == 0) {
		if (m != NATIVE) {
			scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
			if (!f || seccomp_attr_set(f, SCMP_FLTATR_CTL_NNP, 1) < 0 ||
			    seccomp_rule_add(f, SCMP_ACT_NOTIFY, SCMP_SYS(openat), 0) < 0 ||
			    seccomp_load(f) < 0)
				_exit(9);
			send_fd(sp[1], seccomp_notify_fd(f));
		}
		loop(n, rep[1]);
		_exit(0);
	}
	close(rep[1]);
	if (m != NATIVE) {
		int listener = recv_fd(sp[0]);
		if (fork() == 0) { /* the supervisor, until the child is gone */
			supervise(listener, m, hop[0]);
			_exit(0);
		}
		close(listener);
	}
	if (read(rep[0], &ns, sizeof(ns)) != sizeof(ns))
		ns = -1;
	waitpid(c, NULL, 0);
	close(sp[0]);
	close(sp[1]);
	close(rep[0]);
	if (hop[0] >= 0)
		close(hop[0]);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return ns;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	int reps = argc > 2 ? atoi(argv[2]) : 5;
	double v[NMODES][16];

	if (reps < 1 || reps > 16 || n < 1)
		return 2;
	for (int r = 0; r < reps; r++) /* interleaved: the machine drifts */
		for (int m = 0; m < NMODES; m++)
			v[m][r] = run((enum mode)m, n);
	printf("openat(\"%s\")+close, %ld per run, median of %d interleaved runs\n", target, n,
	       reps);
	double base = 0;
	for (int m = 0; m < NMODES; m++) {
		qsort(v[m], (size_t)reps, sizeof(double), cmpd);
		double med = v[m][reps / 2];
		if (m == NATIVE)
			base = med;
		printf("  %-20s %8.0f ns/op  %5.2fx native\n", names[m], med, med / base);
	}
	while (wait(NULL) > 0)
		;
	return 0;
}
