/* framer.c - bounded splitting of journald stdout streams (header, then newline-terminated lines). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evlog/evlog.h"
#include "monitor/framer.h"

int monitor_framer_init(struct monitor_framer *f)
{
	memset(f, 0, sizeof(*f));
	f->line = malloc(MONITOR_FRAMER_LINE_MAX);
	return f->line ? 0 : -ENOMEM;
}

void monitor_framer_release(struct monitor_framer *f)
{
	free(f->line);
	f->line = NULL;
}

/* Take header bytes up to its 7th newline; returns bytes used or -EPROTO. */
static long take_header(struct monitor_framer *f, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n && f->hdr_lines < MONITOR_FRAMER_HEADER_LINES) {
		if (f->hdr_len >= MONITOR_FRAMER_HEADER_MAX)
			return -EPROTO;
		f->hdr[f->hdr_len++] = (char)p[i];
		if (p[i++] == '\n')
			f->hdr_lines++;
	}
	return (long)i;
}

/* Append to the pending line, handing over full buffers as continued lines. */
static int append(struct monitor_framer *f, const uint8_t *p, size_t n, monitor_framer_fn fn,
		  void *ctx)
{
	while (n > 0) {
		if (f->line_len == MONITOR_FRAMER_LINE_MAX) {
			int r = fn(ctx, f->line, f->line_len, EVLOG_RAW_CONTINUED);
			f->line_len = 0;
			if (r < 0)
				return r;
		}
		size_t k = MONITOR_FRAMER_LINE_MAX - f->line_len;
		if (k > n)
			k = n;
		memcpy(f->line + f->line_len, p, k);
		f->line_len += k;
		p += k;
		n -= k;
	}
	return 0;
}

int monitor_framer_feed(struct monitor_framer *f, const uint8_t *p, size_t n, monitor_framer_fn fn,
			void *ctx)
{
	int r;

	if (f->hdr_lines < MONITOR_FRAMER_HEADER_LINES) {
		long used = take_header(f, p, n);
		if (used < 0)
			return (int)used;
		p += used;
		n -= (size_t)used;
	}
	while (n > 0) {
		const uint8_t *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;
		if (!nl)
			return append(f, p, k, fn, ctx);
		if (f->line_len == 0 && k <= MONITOR_FRAMER_LINE_MAX) {
			r = fn(ctx, (const char *)p, k, 0); /* whole line in this read: no copy */
		} else {
			if ((r = append(f, p, k, fn, ctx)) < 0)
				return r;
			r = fn(ctx, f->line, f->line_len, 0);
			f->line_len = 0;
		}
		if (r < 0)
			return r;
		p += k + 1;
		n -= k + 1;
	}
	return 0;
}

int monitor_framer_finish(struct monitor_framer *f, monitor_framer_fn fn, void *ctx)
{
	if (f->line_len == 0)
		return 0;
	int r = fn(ctx, f->line, f->line_len, 0);
	f->line_len = 0;
	return r;
}
