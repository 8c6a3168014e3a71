/* recv_native.c - trivial native syslog receiver: the benchmark's baseline. */
/*
 * usage: recv_native PATH COUNT
 *
 * Binds a SOCK_DGRAM unix socket at PATH (replacing a stale one), writes
 * "ready\n" to stdout once bound, then receives COUNT datagrams with one
 * recv() each and no processing, prints "received COUNT" and exits 0.
 * Exit: 1 on a system call failure, 2 on usage.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/util.h"

static int bind_dgram(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		errx(2, "socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err(1, "socket");
	if (unlink(path) < 0 && errno != ENOENT)
		err(1, "unlink %s", path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		err(1, "bind %s", path);
	return fd;
}

int main(int argc, char **argv)
{
	static char buf[65536 + 1];
	char *end;

	if (argc != 3)
		errx(2, "usage: recv_native PATH COUNT");
	errno = 0;
	long count = strtol(argv[2], &end, 10);
	if (errno || end == argv[2] || *end || count < 0)
		errx(2, "bad COUNT '%s'", argv[2]);

	int fd = bind_dgram(argv[1]);
	if (RETRY_EINTR(write(STDOUT_FILENO, "ready\n", 6)) != 6)
		err(1, "write ready");
	for (long i = 0; i < count; i++)
		if (RETRY_EINTR(recv(fd, buf, sizeof(buf), 0)) < 0)
			err(1, "recv");
	close(fd);
	unlink(argv[1]);
	printf("received %ld\n", count);
	return fflush(stdout) == 0 ? 0 : 1;
}
