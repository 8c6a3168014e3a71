/* sendswap.c - sends to /dev/log, then changes its identity at once: who is the sender? */
/*
 * usage: sendswap COUNT [kill|stream]
 *
 * COUNT times, a child process sends
 *   <13>sendswap: before k=K
 * to /dev/log with sendto(), then at once renames itself "swapped"
 * (PR_SET_NAME), takes uid and gid 1000 (setresgid, setresuid) and sends
 *   <13>sendswap: after k=K
 * and at once execs itself again (/proc/self/exe, so its comm becomes
 * "exe"), with COUNT 0, which exits.  A monitor that reads the sender's
 * identity when it receives a datagram, not when it was sent, often names
 * the next identity for it.  With "kill" the child kills itself with
 * SIGKILL instead of exec'ing: it never reaches exit(2), and is reaped at
 * once (tag "sendswapk").  With "stream" the lines go to journald's stdout stream instead
 * (/run/systemd/journal/stdout, identifier "sendswaps"): "before k=K",
 * "after k=K", then a grandchild named "sschild" writes "child k=K" on
 * the same connection before the child execs.  Must start as (guest) root.
 * Exit: 0 all sent, 1 a call failed, 2 usage.
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"

/* The syslog tag (stream: identifier): sendswap, sendswapk (kill), sendswaps (stream). */
static const char *tag = "sendswap";

static void send_line(int fd, const struct sockaddr_un *sa, const char *what, long k)
{
	char msg[64];
	int n = snprintf(msg, sizeof(msg), "<13>%s: %s k=%ld", tag, what, k);

	if (sendto(fd, msg, (size_t)n, 0, (const struct sockaddr *)sa, sizeof(*sa)) != n)
		err(1, "sendto /dev/log");
}

static void write_str(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err(1, "write");
		s += n;
		len -= (size_t)n;
	}
}

static void stream_child(long k)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = "/run/systemd/journal/stdout"};
	char line[64];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0)
		err(1, "connect journal/stdout");
	write_str(fd, "sendswaps\n\n6\n0\n0\n0\n0\n");
	snprintf(line, sizeof(line), "before k=%ld\n", k);
	write_str(fd, line);
	if (prctl(PR_SET_NAME, "swapped") < 0 || setresgid(1000, 1000, 1000) < 0 ||
	    setresuid(1000, 1000, 1000) < 0)
		err(1, "change identity");
	snprintf(line, sizeof(line), "after k=%ld\n", k);
	write_str(fd, line);
	pid_t g = fork();
	if (g < 0)
		err(1, "fork");
	if (g == 0) {
		snprintf(line, sizeof(line), "child k=%ld\n", k);
		if (prctl(PR_SET_NAME, "sschild") < 0)
			err(1, "prctl");
		write_str(fd, line);
		_exit(0);
	}
	if (waitpid(g, NULL, 0) < 0)
		err(1, "waitpid");
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = "/dev/log"};

	if (argc < 2 || argc > 3 ||
	    (argc == 3 && strcmp(argv[2], "kill") && strcmp(argv[2], "stream"))) {
		fprintf(stderr, "usage: sendswap COUNT [kill|stream]\n");
		return 2;
	}
	bool kill_self = argc == 3 && !strcmp(argv[2], "kill");
	bool stream = argc == 3 && !strcmp(argv[2], "stream");
	tag = kill_self ? "sendswapk" : stream ? "sendswaps" : "sendswap";
	long count = client_parse_num(argv[1], 0, 100000);
	for (long k = 0; k < count; k++) {
		pid_t pid = fork();
		if (pid < 0)
			err(1, "fork");
		if (pid == 0 && stream) {
			stream_child(k);
			execl("/proc/self/exe", "sendswap", "0", (char *)NULL);
			err(1, "exec /proc/self/exe");
		}
		if (pid == 0) {
			int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			if (fd < 0)
				err(1, "socket");
			send_line(fd, &sa, "before", k);
			if (prctl(PR_SET_NAME, "swapped") < 0 || setresgid(1000, 1000, 1000) < 0 ||
			    setresuid(1000, 1000, 1000) < 0)
				err(1, "change identity");
			send_line(fd, &sa, "after", k);
			if (kill_self)
				raise(SIGKILL);
			execl("/proc/self/exe", "sendswap", "0", (char *)NULL);
			err(1, "exec /proc/self/exe");
		}
		int st;
		if (waitpid(pid, &st, 0) < 0)
			err(1, "waitpid");
		bool ok = kill_self ? WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL
				    : WIFEXITED(st) && WEXITSTATUS(st) == 0;
		if (!ok)
			errx(1, "child %ld failed", k);
	}
	return 0;
}
