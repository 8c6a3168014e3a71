/* stream_send.c - minimal systemd-cat protocol client for journald's stdout stream. */
/*
 * usage: stream_send [-s PATH] [-t IDENT] [-p PRIORITY] LINE...
 *
 * Connects SOCK_STREAM to PATH (default /run/systemd/journal/stdout),
 * writes the 7-line header journald expects (identifier IDENT, default
 * "stream_send"; empty unit id; priority PRIORITY, default 6;
 * level_prefix 1; forward to syslog/kmsg/console 0 0 0), then each LINE
 * followed by "\n".
 * Exit: 0 written, 1 a system call failed, 2 usage.
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/util.h"

static void write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t r = RETRY_EINTR(write(fd, s, len));
		if (r < 0)
			err(1, "write (%s)", strerrorname_np(errno));
		s += r;
		len -= (size_t)r;
	}
}

static int connect_stream(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		errx(2, "socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err(1, "socket");
	if (RETRY_EINTR(connect(fd, (struct sockaddr *)&sa, sizeof(sa))) < 0)
		err(1, "connect %s", path);
	return fd;
}

int main(int argc, char **argv)
{
	const char *path = "/run/systemd/journal/stdout", *ident = "stream_send";
	long prio = 6;
	char hdr[512], *end;
	int c;

	while ((c = getopt(argc, argv, "s:t:p:")) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 't':
			ident = optarg;
			break;
		case 'p':
			errno = 0;
			prio = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || prio < 0 || prio > 7)
				errx(2, "bad priority '%s'", optarg);
			break;
		default:
			errx(2, "usage: stream_send [-s PATH] [-t IDENT] [-p PRIORITY] LINE...");
		}
	}
	if (strchr(ident, '\n'))
		errx(2, "identifier must not contain a newline");
	int n = snprintf(hdr, sizeof(hdr), "%s\n\n%ld\n1\n0\n0\n0\n", ident, prio);
	if (n < 0 || (size_t)n >= sizeof(hdr))
		errx(2, "identifier too long");

	/* A receiver that hangs up must turn into an error message, not a silent SIGPIPE death. */
	signal(SIGPIPE, SIG_IGN);
	cleanup_fd int fd = connect_stream(path);
	write_all(fd, hdr, (size_t)n);
	for (int i = optind; i < argc; i++) {
		write_all(fd, argv[i], strlen(argv[i]));
		write_all(fd, "\n", 1);
	}
	if (shutdown(fd, SHUT_WR) < 0)
		err(1, "shutdown");
	return 0;
}
