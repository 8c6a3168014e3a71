/* uring_send.c - sends one syslog datagram through io_uring instead of send(2). */
/*
 * usage: uring_send PATH MESSAGE      IORING_OP_SENDMSG, msg_name = PATH
 *        uring_send -c PATH MESSAGE   IORING_OP_CONNECT, then IORING_OP_SEND
 *
 * A monitor that only watches sendto/sendmsg syscalls misses these sends:
 * the kernel performs them on the ring's behalf.
 * Exit: 0 the CQE result equals the message length, 1 an operation failed
 * (its CQE res and errno name are printed), 2 usage, 4 io_uring setup
 * was refused (e.g. by a seccomp filter).
 */
#include <err.h>
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Submit the prepared SQE and return its CQE result. */
static int submit_one(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int r = io_uring_submit(ring);
	if (r != 1)
		errx(1, "io_uring_submit: %s", r < 0 ? strerrorname_np(-r) : "no SQE consumed");
	while ((r = io_uring_wait_cqe(ring, &cqe)) == -EINTR)
		;
	if (r < 0)
		errx(1, "io_uring_wait_cqe: %s", strerrorname_np(-r));
	r = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return r;
}

static struct io_uring_sqe *sqe_or_die(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	if (!sqe)
		errx(1, "io_uring_get_sqe: ring full");
	return sqe;
}

static void check_res(const char *op, int res, size_t want)
{
	if (res < 0)
		errx(1, "%s: cqe res=%d %s (%s)", op, res, strerrorname_np(-res), strerror(-res));
	if ((size_t)res != want)
		errx(1, "%s: cqe res=%d, expected %zu", op, res, want);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct io_uring ring;
	int connected = argc == 4 && strcmp(argv[1], "-c") == 0;

	if (argc != 3 && !connected)
		errx(2, "usage: uring_send [-c] PATH MESSAGE");
	const char *path = argv[argc - 2], *msg = argv[argc - 1];
	size_t len = strlen(msg);
	if (strlen(path) >= sizeof(sa.sun_path))
		errx(2, "socket path too long: %s", path);
	strcpy(sa.sun_path, path);

	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err(1, "socket");
	int r = io_uring_queue_init(4, &ring, 0);
	if (r < 0)
		errx(4, "io_uring_queue_init: %s (%s)", strerrorname_np(-r), strerror(-r));

	if (connected) {
		io_uring_prep_connect(sqe_or_die(&ring), fd, (struct sockaddr *)&sa, sizeof(sa));
		check_res("connect", submit_one(&ring), 0);
		io_uring_prep_send(sqe_or_die(&ring), fd, msg, len, 0);
		check_res("send", submit_one(&ring), len);
	} else {
		struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
		struct msghdr mh = {.msg_name = &sa,
				    .msg_namelen = sizeof(sa),
				    .msg_iov = &iov,
				    .msg_iovlen = 1};
		io_uring_prep_sendmsg(sqe_or_die(&ring), fd, &mh, 0);
		check_res("sendmsg", submit_one(&ring), len);
	}
	io_uring_queue_exit(&ring);
	close(fd);
	return 0;
}
