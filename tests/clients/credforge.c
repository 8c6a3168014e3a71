/* credforge.c - sends a datagram with explicit, possibly forged, SCM_CREDENTIALS. */
/*
 * usage: credforge PATH PID UID GID MESSAGE
 *
 * The kernel accepts credentials other than the sender's own only with
 * CAP_SYS_ADMIN (pid) or CAP_SETUID/CAP_SETGID (uid/gid) in the relevant
 * user namespace; a receiver must never trust the claim beyond that.
 * Exit: 0 sent, 3 the kernel refused the credentials (EPERM, ESRCH or
 * EINVAL; the errno name is printed), 1 any other failure, 2 usage.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static long parse_num(const char *s, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 0x7fffffffL)
		errx(2, "bad %s '%s'", what, s);
	return v;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;

	if (argc != 6)
		errx(2, "usage: credforge PATH PID UID GID MESSAGE");
	if (strlen(argv[1]) >= sizeof(sa.sun_path))
		errx(2, "socket path too long: %s", argv[1]);
	strcpy(sa.sun_path, argv[1]);
	struct ucred cred = {
		.pid = (pid_t)parse_num(argv[2], "PID"),
		.uid = (uid_t)parse_num(argv[3], "UID"),
		.gid = (gid_t)parse_num(argv[4], "GID"),
	};

	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err(1, "socket");
	struct iovec iov = {.iov_base = argv[5], .iov_len = strlen(argv[5])};
	struct msghdr mh = {
		.msg_name = &sa,
		.msg_namelen = sizeof(sa),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	memset(ctl.buf, 0, sizeof(ctl.buf));
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof(cred));
	memcpy(CMSG_DATA(cm), &cred, sizeof(cred));

	ssize_t r;
	do
		r = sendmsg(fd, &mh, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		int e = errno;
		fprintf(stderr, "credforge: sendmsg pid=%d uid=%u gid=%u: %s (%s)\n", (int)cred.pid,
			cred.uid, cred.gid, strerrorname_np(e), strerror(e));
		return (e == EPERM || e == ESRCH || e == EINVAL) ? 3 : 1;
	}
	if ((size_t)r != iov.iov_len)
		errx(1, "short send %zd of %zu", r, iov.iov_len);
	close(fd);
	return 0;
}
