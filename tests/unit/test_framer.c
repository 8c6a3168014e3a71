/* test_framer.c - the journald stream framer: header, lines, long lines, chunking, errors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evlog/evlog.h"
#include "monitor/framer.h"
#include "test.h"

#define HDR "ident\n\n6\n1\n0\n0\n0\n"

struct got {
	char text[256];
	size_t n, lines, continued;
	size_t lens[8];
};

static int cb(void *ctx, const char *line, size_t len, uint32_t flags)
{
	struct got *g = ctx;
	if (g->lines < 8)
		g->lens[g->lines] = len;
	g->lines++;
	g->continued += !!(flags & EVLOG_RAW_CONTINUED);
	if (len < 64 && g->n + len + 2 < sizeof(g->text)) {
		memcpy(g->text + g->n, line, len);
		g->n += len;
		g->text[g->n++] = '|';
		g->text[g->n] = 0;
	}
	return 0;
}

static int fail_cb(void *ctx, const char *line, size_t len, uint32_t flags)
{
	(void)ctx, (void)line, (void)len, (void)flags;
	return -ENOSPC;
}

static void test_header_and_lines_in_chunks(void)
{
	const char *in = HDR "one\ntwo\n\nlast";
	struct monitor_framer f;
	struct got g = {0};

	CHECK_EQ(monitor_framer_init(&f), 0);
	/* One byte at a time: every split point of header and lines. */
	for (size_t i = 0; in[i]; i++)
		CHECK_EQ(monitor_framer_feed(&f, (const uint8_t *)in + i, 1, cb, &g), 0);
	CHECK_EQ(f.hdr_len, strlen(HDR));
	CHECK_MEM(f.hdr, f.hdr_len, HDR, strlen(HDR));
	CHECK_STR(g.text, "one|two||");
	CHECK_EQ(monitor_framer_finish(&f, cb, &g), 0);
	CHECK_STR(g.text, "one|two||last|");
	CHECK_EQ(monitor_framer_finish(&f, cb, &g), 0); /* nothing left: no line */
	CHECK_EQ(g.lines, 4);
	monitor_framer_release(&f);
}

static void test_long_line_is_cut_and_flagged(void)
{
	size_t big = MONITOR_FRAMER_LINE_MAX * 2 + 10;
	uint8_t *buf = malloc(big + 1);
	struct monitor_framer f;
	struct got g = {0};

	memset(buf, 'x', big);
	buf[big] = '\n';
	CHECK_EQ(monitor_framer_init(&f), 0);
	CHECK_EQ(monitor_framer_feed(&f, (const uint8_t *)HDR, strlen(HDR), cb, &g), 0);
	CHECK_EQ(monitor_framer_feed(&f, buf, big + 1, cb, &g), 0);
	CHECK_EQ(g.lines, 3);
	CHECK_EQ(g.continued, 2);
	CHECK_EQ(g.lens[0], MONITOR_FRAMER_LINE_MAX);
	CHECK_EQ(g.lens[1], MONITOR_FRAMER_LINE_MAX);
	CHECK_EQ(g.lens[2], 10);
	/* Exactly LINE_MAX bytes then '\n' is one whole line, not continued. */
	memset(&g, 0, sizeof(g));
	CHECK_EQ(monitor_framer_feed(&f, buf, MONITOR_FRAMER_LINE_MAX, cb, &g), 0);
	CHECK_EQ(monitor_framer_feed(&f, (const uint8_t *)"\n", 1, cb, &g), 0);
	CHECK_EQ(g.lines, 1);
	CHECK_EQ(g.continued, 0);
	CHECK_EQ(g.lens[0], MONITOR_FRAMER_LINE_MAX);
	monitor_framer_release(&f);
	free(buf);
}

static void test_overlong_header_is_eproto(void)
{
	uint8_t *junk = malloc(MONITOR_FRAMER_HEADER_MAX + 1);
	struct monitor_framer f;
	struct got g = {0};

	memset(junk, 'h', MONITOR_FRAMER_HEADER_MAX + 1);
	CHECK_EQ(monitor_framer_init(&f), 0);
	CHECK_EQ(monitor_framer_feed(&f, junk, MONITOR_FRAMER_HEADER_MAX, cb, &g), 0);
	CHECK_EQ(monitor_framer_feed(&f, junk, 1, cb, &g), -EPROTO);
	CHECK_EQ(f.hdr_len, MONITOR_FRAMER_HEADER_MAX);
	CHECK_EQ(g.lines, 0);
	monitor_framer_release(&f);
	free(junk);
}

static void test_callback_error_stops_feed(void)
{
	struct monitor_framer f;

	CHECK_EQ(monitor_framer_init(&f), 0);
	CHECK_EQ(monitor_framer_feed(&f, (const uint8_t *)HDR "a\nb\n", strlen(HDR) + 4, fail_cb,
				     NULL),
		 -ENOSPC);
	monitor_framer_release(&f);
}

int main(void)
{
	RUN(test_header_and_lines_in_chunks);
	RUN(test_long_line_is_cut_and_flagged);
	RUN(test_overlong_header_is_eproto);
	RUN(test_callback_error_stops_feed);
	return TEST_DONE();
}
