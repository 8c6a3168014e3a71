/* rawsend.c - sends exact byte strings (hostile datagrams or a stream) to a socket. */
/*
 * usage: rawsend [-t stream|dgram] PATH SPEC...
 *
 * Each SPEC is one datagram (with -t stream: one write of the connected
 * stream, in order):
 *   hex:4142003c    bytes given in hex (empty allowed)
 *   rep:N:BB        N copies of the byte 0xBB, e.g. rep:65536:41
 *   str:TEXT        TEXT as is (no escapes, no newline added)
 *   file:PATH       the contents of PATH
 * The send buffer is raised to 2 MiB so 64 KiB datagrams fit; a datagram
 * the kernel still rejects is reported as EMSGSIZE with the buffer size.
 * Exit: 0 all sent, 1 a send or system call failed, 2 usage or bad SPEC.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/util.h"

#define MAX_SPEC (16u << 20)
#define SNDBUF (2 << 20)

struct buf {
	unsigned char *p;
	size_t len;
};

static unsigned char *alloc_or_die(size_t n)
{
	unsigned char *p = malloc(n ? n : 1);
	if (!p)
		err(1, "malloc");
	return p;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void parse_hex(const char *s, struct buf *b)
{
	size_t n = strlen(s);
	if (n % 2)
		errx(2, "hex: odd number of digits in '%s'", s);
	b->p = alloc_or_die(n / 2);
	b->len = n / 2;
	for (size_t i = 0; i < b->len; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			errx(2, "hex: bad digit in '%s'", s);
		b->p[i] = (unsigned char)(hi << 4 | lo);
	}
}

static void parse_rep(const char *s, struct buf *b)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(s, &end, 10);
	if (errno || end == s || *end != ':' || n > MAX_SPEC || s[0] == '-')
		errx(2, "rep: bad count in '%s' (max %u)", s, MAX_SPEC);
	struct buf byte;
	parse_hex(end + 1, &byte);
	if (byte.len != 1)
		errx(2, "rep: want exactly one hex byte in '%s'", s);
	b->p = alloc_or_die(n);
	b->len = n;
	memset(b->p, byte.p[0], n);
	free(byte.p);
}

static void read_file(const char *path, struct buf *b)
{
	cleanup_fd int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		err(1, "open %s", path);
	b->p = alloc_or_die(MAX_SPEC + 1);
	b->len = 0;
	for (;;) {
		ssize_t r = RETRY_EINTR(read(fd, b->p + b->len, MAX_SPEC + 1 - b->len));
		if (r < 0)
			err(1, "read %s", path);
		if (r == 0)
			break;
		b->len += (size_t)r;
		if (b->len > MAX_SPEC)
			errx(2, "file %s larger than %u bytes", path, MAX_SPEC);
	}
}

static void parse_spec(const char *spec, struct buf *b)
{
	if (strncmp(spec, "hex:", 4) == 0)
		parse_hex(spec + 4, b);
	else if (strncmp(spec, "rep:", 4) == 0)
		parse_rep(spec + 4, b);
	else if (strncmp(spec, "str:", 4) == 0) {
		b->len = strlen(spec + 4);
		b->p = alloc_or_die(b->len);
		memcpy(b->p, spec + 4, b->len);
	} else if (strncmp(spec, "file:", 5) == 0)
		read_file(spec + 5, b);
	else
		errx(2, "bad SPEC '%s' (want hex:, rep:, str: or file:)", spec);
}

static int connect_to(const char *path, int type)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		errx(2, "socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err(1, "socket");
	int sz = SNDBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)) < 0)
		err(1, "setsockopt SO_SNDBUF");
	if (RETRY_EINTR(connect(fd, (struct sockaddr *)&sa, sizeof(sa))) < 0)
		err(1, "connect %s", path);
	return fd;
}

static void send_dgram(int fd, int idx, const struct buf *b)
{
	ssize_t r = RETRY_EINTR(send(fd, b->p, b->len, 0));
	if (r < 0 && errno == EMSGSIZE) {
		int sz = 0;
		socklen_t sl = sizeof(sz);
		getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, &sl);
		errx(1,
		     "datagram %d (%zu bytes): EMSGSIZE (SO_SNDBUF is %d; net.core.wmem_max limits "
		     "it)",
		     idx, b->len, sz);
	}
	if (r < 0)
		err(1, "datagram %d (%zu bytes): send (%s)", idx, b->len, strerrorname_np(errno));
	if ((size_t)r != b->len)
		errx(1, "datagram %d: short send %zd of %zu", idx, r, b->len);
}

static void send_stream(int fd, int idx, const struct buf *b)
{
	size_t off = 0;
	while (off < b->len) {
		ssize_t r = RETRY_EINTR(write(fd, b->p + off, b->len - off));
		if (r < 0)
			err(1, "chunk %d: write (%s)", idx, strerrorname_np(errno));
		off += (size_t)r;
	}
}

int main(int argc, char **argv)
{
	int type = SOCK_DGRAM, c;

	while ((c = getopt(argc, argv, "t:")) != -1) {
		if (c == 't' && strcmp(optarg, "stream") == 0)
			type = SOCK_STREAM;
		else if (c == 't' && strcmp(optarg, "dgram") == 0)
			type = SOCK_DGRAM;
		else
			errx(2, "usage: rawsend [-t stream|dgram] PATH SPEC...");
	}
	if (argc - optind < 2)
		errx(2, "usage: rawsend [-t stream|dgram] PATH SPEC...");

	/* Parse every SPEC first: a bad one must not leave a partial send behind. */
	int nspec = argc - optind - 1;
	struct buf *bufs = calloc((size_t)nspec, sizeof(*bufs));
	if (!bufs)
		err(1, "calloc");
	for (int i = 0; i < nspec; i++)
		parse_spec(argv[optind + 1 + i], &bufs[i]);

	int fd = connect_to(argv[optind], type);
	for (int i = 0; i < nspec; i++) {
		if (type == SOCK_DGRAM)
			send_dgram(fd, i, &bufs[i]);
		else
			send_stream(fd, i, &bufs[i]);
		free(bufs[i].p);
	}
	free(bufs);
	if (close(fd) < 0)
		err(1, "close");
	return 0;
}
