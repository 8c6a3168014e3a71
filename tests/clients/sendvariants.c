/* sendvariants.c - send one syslog datagram with each send-family call: send, sendto, sendmsg, sendmmsg, write, writev. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(const char *what)
{
	perror(what);
	return 1;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/log";
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char m[7][32];

	if (strlen(path) >= sizeof(sa.sun_path))
		return fail("path");
	strcpy(sa.sun_path, path);
	for (int i = 0; i < 7; i++)
		snprintf(m[i], sizeof(m[i]), "<13>variant %d", i);
	int u = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int c = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (u < 0 || c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail("socket/connect");
	/* 0: unconnected sendto */
	if (sendto(u, m[0], strlen(m[0]), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail("sendto");
	/* 1: send on a connected socket */
	if (send(c, m[1], strlen(m[1]), 0) < 0)
		return fail("send");
	/* 2: unconnected sendmsg */
	struct iovec iov = {m[2], strlen(m[2])};
	struct msghdr mh = {
		.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1};
	if (sendmsg(u, &mh, 0) < 0)
		return fail("sendmsg");
	/* 3, 4: one sendmmsg call with two datagrams */
	struct iovec v2[2] = {{m[3], strlen(m[3])}, {m[4], strlen(m[4])}};
	struct mmsghdr mm[2] = {{.msg_hdr = {.msg_iov = &v2[0], .msg_iovlen = 1}},
				{.msg_hdr = {.msg_iov = &v2[1], .msg_iovlen = 1}}};
	if (sendmmsg(c, mm, 2, 0) != 2)
		return fail("sendmmsg");
	/* 5: write(2) */
	if (write(c, m[5], strlen(m[5])) < 0)
		return fail("write");
	/* 6: writev(2) with the datagram split across two buffers */
	struct iovec wv[2] = {{m[6], 5}, {m[6] + 5, strlen(m[6]) - 5}};
	if (writev(c, wv, 2) < 0)
		return fail("writev");
	return 0;
}
