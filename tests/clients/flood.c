/* flood.c - syslog flood client: PROCS processes each send MSGS unique datagrams. */
/*
 * usage: flood -p PROCS -n MSGS [-s SOCKPATH] [-z BYTES] [-u]
 *
 * Every datagram is glibc's local RFC 3164 form
 *   <13>Nov 26 15:53:21 flood[PID]: flood p=I n=J
 * where I is the process index (0..PROCS-1) and J the message index
 * (0..MSGS-1), so every (I, J) pair is unique.  With -z BYTES the datagram
 * is padded to exactly BYTES bytes with " xxx..." (no padding when the
 * header is already that long).  -u sends with sendto() on an unconnected
 * socket instead of connect()+send().
 *
 * Sends block; a send that fails for any reason other than EINTR is
 * reported with its errno and makes the run fail: nothing is dropped
 * silently.  On success one line goes to stdout:
 *   sent N msgs in S.SSS s (R msgs/s)
 * Exit: 0 all sent, 1 a send or system call failed, 2 usage.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

#include "client.h"

#define MAX_DGRAM 65536

struct opts {
	long procs;
	long msgs;
	long size;
	const char *path;
	int unconnected;
};

static void usage(void)
{
	fprintf(stderr, "usage: flood -p PROCS -n MSGS [-s SOCKPATH] [-z BYTES] [-u]\n");
	exit(2);
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	int c;
	*o = (struct opts){.procs = -1, .msgs = -1, .path = "/dev/log"};
	while ((c = getopt(argc, argv, "p:n:s:z:u")) != -1) {
		switch (c) {
		case 'p':
			o->procs = client_parse_num(optarg, 1, 4096);
			break;
		case 'n':
			o->msgs = client_parse_num(optarg, 0, 1000000000L);
			break;
		case 's':
			o->path = optarg;
			break;
		case 'z':
			o->size = client_parse_num(optarg, 0, MAX_DGRAM);
			break;
		case 'u':
			o->unconnected = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || o->procs < 0 || o->msgs < 0)
		usage();
}

static socklen_t make_addr(const char *path, struct sockaddr_un *sa)
{
	size_t len = strlen(path);
	if (len >= sizeof(sa->sun_path))
		errx(2, "socket path too long: %s", path);
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, len + 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
}

/* Format message (idx, j) into buf; returns its length. */
static size_t format_msg(char *buf, const char *stamp, pid_t pid, long idx, long j, long size)
{
	int n = snprintf(buf, MAX_DGRAM, "<13>%s flood[%d]: flood p=%ld n=%ld", stamp, (int)pid,
			 idx, j);
	if (n < 0 || n >= MAX_DGRAM)
		errx(1, "message formatting failed");
	if (size > n) {
		buf[n] = ' ';
		memset(buf + n + 1, 'x', (size_t)(size - n - 1));
		n = (int)size;
	}
	return (size_t)n;
}

/* glibc's timestamp "%h %e %T", reformatted only when the second changes. */
static const char *stamp_now(char stamp[32], time_t *cached)
{
	time_t now = time(NULL);
	if (now != *cached) {
		struct tm tm;
		if (!localtime_r(&now, &tm) || !strftime(stamp, 32, "%h %e %T", &tm))
			errx(1, "cannot format timestamp");
		*cached = now;
	}
	return stamp;
}

static void wait_gate(int gate)
{
	char c;
	ssize_t r;
	while ((r = RETRY_EINTR(read(gate, &c, 1))) > 0)
		;
	if (r < 0)
		err(1, "read gate");
}

/* One flooding process; never returns. */
static void __attribute__((noreturn)) child_run(const struct opts *o, long idx, int gate)
{
	static char buf[MAX_DGRAM];
	struct sockaddr_un sa;
	socklen_t salen = make_addr(o->path, &sa);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err(1, "socket");
	if (!o->unconnected && RETRY_EINTR(connect(fd, (struct sockaddr *)&sa, salen)) < 0)
		err(1, "connect %s", o->path);
	wait_gate(gate);

	pid_t pid = getpid();
	char stamp[32];
	time_t cached = (time_t)-1;
	for (long j = 0; j < o->msgs; j++) {
		size_t len = format_msg(buf, stamp_now(stamp, &cached), pid, idx, j, o->size);
		ssize_t r = o->unconnected ? RETRY_EINTR(sendto(fd, buf, len, 0,
								(struct sockaddr *)&sa, salen))
					   : RETRY_EINTR(send(fd, buf, len, 0));
		if (r < 0)
			err(1, "p=%ld n=%ld: send %s failed (%s)", idx, j, o->path,
			    strerrorname_np(errno));
		if ((size_t)r != len)
			errx(1, "p=%ld n=%ld: short send %zd of %zu", idx, j, r, len);
	}
	_exit(0);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reap n children; returns how many failed. */
static long reap(long n)
{
	long failed = 0;
	while (n > 0) {
		int st;
		pid_t p = waitpid(-1, &st, 0);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			err(1, "waitpid");
		}
		n--;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			failed++;
			if (WIFSIGNALED(st))
				warnx("child %d killed by signal %d", (int)p, WTERMSIG(st));
		}
	}
	return failed;
}

int main(int argc, char **argv)
{
	struct opts o;
	int gate[2];
	pid_t *kids;

	parse_opts(argc, argv, &o);
	kids = calloc((size_t)o.procs, sizeof(*kids));
	if (!kids || pipe2(gate, O_CLOEXEC) < 0)
		err(1, "setup");
	/* Children hold at the gate until all exist, so the timing covers sending only. */
	for (long i = 0; i < o.procs; i++) {
		kids[i] = fork();
		if (kids[i] < 0) {
			warn("fork");
			for (long k = 0; k < i; k++)
				kill(kids[k], SIGKILL);
			reap(i);
			exit(1);
		}
		if (kids[i] == 0) {
			free(kids);
			close(gate[1]);
			child_run(&o, i, gate[0]);
		}
	}
	close(gate[0]);
	double t0 = now_s();
	close(gate[1]);
	long failed = reap(o.procs);
	double secs = now_s() - t0;
	free(kids);
	if (failed)
		errx(1, "%ld of %ld processes failed", failed, o.procs);
	long total = o.procs * o.msgs;
	printf("sent %ld msgs in %.3f s (%.0f msgs/s)\n", total, secs,
	       secs > 0 ? (double)total / secs : 0.0);
	return fflush(stdout) == 0 ? 0 : 1;
}
