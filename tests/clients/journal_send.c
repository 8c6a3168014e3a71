/* journal_send.c - journald native-protocol client, including the memfd paths. */
/*
 * usage: journal_send [-s PATH] MODE ARGS...
 *   text KEY=VAL...   one entry, one "KEY=VAL\n" text field per argument
 *   binary KEY VALUE  one field in binary form "KEY\n" <le64 len> VALUE "\n"
 *                     (VALUE may contain newlines)
 *   multi N           N entries "MESSAGE=entry k" (k = 1..N) in ONE
 *                     datagram, separated by an empty line
 *   memfd KEY=VAL...  the entry in a memfd sealed like sd_journal does
 *                     (F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_WRITE|F_SEAL_SEAL),
 *                     sent as an EMPTY datagram carrying it in SCM_RIGHTS
 *   memfd-race        an UNSEALED memfd holding "MESSAGE=original\n" that is
 *                     rewritten to "MESSAGE=changed\n" once sendmsg returns;
 *                     prints "first: ..." and "later: ..." to stdout
 * PATH defaults to /run/systemd/journal/socket.  Datagrams are sent
 * unconnected with sendmsg(msg_name = PATH), as sd_journal_send does.
 * Exit: 0 sent, 1 a system call failed, 2 usage.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/util.h"

#define RACE_FIRST "MESSAGE=original\n"
#define RACE_LATER "MESSAGE=changed\n"

/* A growable byte buffer that dies on allocation failure. */
struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = (b->len + n) * 2 + 64;
		char *p = realloc(b->p, cap);
		if (!p)
			err(1, "realloc");
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void usage(void)
{
	fprintf(stderr,
		"usage: journal_send [-s PATH] text KEY=VAL... | binary KEY VALUE | multi N |\n"
		"                    memfd KEY=VAL... | memfd-race\n");
	exit(2);
}

/* Send data (may be empty) to path, with fd in SCM_RIGHTS when fd >= 0. */
static void send_dgram(const char *path, const void *data, size_t len, int fd)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	if (strlen(path) >= sizeof(sa.sun_path))
		errx(2, "socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	cleanup_fd int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		err(1, "socket");
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	struct msghdr mh = {
		.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	ssize_t r = RETRY_EINTR(sendmsg(s, &mh, 0));
	if (r < 0)
		err(1, "sendmsg %s (%zu bytes%s): %s", path, len, fd >= 0 ? " + memfd" : "",
		    strerrorname_np(errno));
	if ((size_t)r != len)
		errx(1, "short send %zd of %zu", r, len);
}

static void put_text_fields(struct buf *b, int n, char **kv)
{
	for (int i = 0; i < n; i++) {
		if (!strchr(kv[i], '='))
			errx(2, "field '%s' lacks '='", kv[i]);
		put_str(b, kv[i]);
		put_str(b, "\n");
	}
}

static void put_binary_field(struct buf *b, const char *key, const char *val)
{
	uint64_t n = strlen(val);
	unsigned char le[8];
	for (int i = 0; i < 8; i++)
		le[i] = (unsigned char)(n >> (8 * i));
	put_str(b, key);
	put_str(b, "\n");
	put(b, le, sizeof(le));
	put(b, val, (size_t)n);
	put_str(b, "\n");
}

static void put_multi(struct buf *b, const char *count)
{
	char *end, line[64];
	errno = 0;
	long n = strtol(count, &end, 10);
	if (errno || end == count || *end || n < 1 || n > 100000)
		errx(2, "bad entry count '%s'", count);
	for (long k = 1; k <= n; k++) {
		if (k > 1)
			put_str(b, "\n");
		snprintf(line, sizeof(line), "MESSAGE=entry %ld\n", k);
		put_str(b, line);
	}
}

/* A memfd holding data; returns its fd (caller owns). */
static int memfd_with(const void *data, size_t len)
{
	int fd = memfd_create("journal_send", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		err(1, "memfd_create");
	if (pwrite(fd, data, len, 0) != (ssize_t)len)
		err(1, "pwrite memfd");
	return fd;
}

static void send_memfd(const char *path, const struct buf *b)
{
	cleanup_fd int fd = memfd_with(b->p, b->len);
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		err(1, "F_ADD_SEALS");
	send_dgram(path, "", 0, fd);
}

/* The receiver sees whichever content it reads; a correct monitor copied "first" at capture. */
static void send_memfd_race(const char *path)
{
	cleanup_fd int fd = memfd_with(RACE_FIRST, strlen(RACE_FIRST));
	send_dgram(path, "", 0, fd);
	if (pwrite(fd, RACE_LATER, strlen(RACE_LATER), 0) != (ssize_t)strlen(RACE_LATER) ||
	    ftruncate(fd, (off_t)strlen(RACE_LATER)) < 0)
		err(1, "rewrite memfd");
	printf("first: %slater: %s", RACE_FIRST, RACE_LATER);
}

int main(int argc, char **argv)
{
	const char *path = "/run/systemd/journal/socket";
	struct buf b = {0};
	int c;

	while ((c = getopt(argc, argv, "+s:")) != -1) {
		if (c != 's')
			usage();
		path = optarg;
	}
	if (optind >= argc)
		usage();
	const char *mode = argv[optind];
	int nargs = argc - optind - 1;
	char **args = argv + optind + 1;

	if (strcmp(mode, "text") == 0 && nargs >= 1) {
		put_text_fields(&b, nargs, args);
		send_dgram(path, b.p, b.len, -1);
	} else if (strcmp(mode, "binary") == 0 && nargs == 2) {
		put_binary_field(&b, args[0], args[1]);
		send_dgram(path, b.p, b.len, -1);
	} else if (strcmp(mode, "multi") == 0 && nargs == 1) {
		put_multi(&b, args[0]);
		send_dgram(path, b.p, b.len, -1);
	} else if (strcmp(mode, "memfd") == 0 && nargs >= 1) {
		put_text_fields(&b, nargs, args);
		send_memfd(path, &b);
	} else if (strcmp(mode, "memfd-race") == 0 && nargs == 0) {
		send_memfd_race(path);
	} else {
		usage();
	}
	free(b.p);
	return fflush(stdout) == 0 ? 0 : 1;
}
