/* fuzz_framer.c - the monitor's journald stream framer on arbitrary bytes in arbitrary chunks. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evlog/evlog.h"
#include "monitor/framer.h"

struct out {
	uint8_t *buf; /* what the callbacks reconstruct */
	size_t len, cap;
};

static int line(void *ctx, const char *l, size_t len, uint32_t flags)
{
	struct out *o = ctx;
	if (len > MONITOR_FRAMER_LINE_MAX || (flags & ~EVLOG_RAW_CONTINUED))
		abort();
	if ((flags & EVLOG_RAW_CONTINUED) && len != MONITOR_FRAMER_LINE_MAX)
		abort(); /* only full buffers are cut */
	if (memchr(l, '\n', len))
		abort();
	if (o->len + len + 1 > o->cap)
		abort();
	memcpy(o->buf + o->len, l, len);
	o->len += len;
	if (!(flags & EVLOG_RAW_CONTINUED))
		o->buf[o->len++] = '\n';
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct monitor_framer f;
	struct out o = {.cap = size + 2};
	size_t pos = 0, step = size ? (size_t)data[0] % 97 + 1 : 1;

	if (monitor_framer_init(&f) < 0 || !(o.buf = malloc(o.cap)))
		abort();
	/* Chunk sizes come from the input, so every split point gets tried. */
	int r = 0;
	while (pos < size && r == 0) {
		size_t k = size - pos < step ? size - pos : step;
		r = monitor_framer_feed(&f, data + pos, k, line, &o);
		pos += k;
		step = (step * 7 + data[pos - 1]) % 131 + 1;
	}
	if (r == 0)
		r = monitor_framer_finish(&f, line, &o);
	if (r != 0 && r != -EPROTO)
		abort();
	if (r == 0) {
		/* Header plus lines give back exactly the input (a final '\n' may be added). */
		if (f.hdr_len + o.len < size || f.hdr_len > size ||
		    memcmp(f.hdr, data, f.hdr_len) != 0 ||
		    memcmp(o.buf, data + f.hdr_len, size - f.hdr_len) != 0)
			abort();
	} else if (f.hdr_len != MONITOR_FRAMER_HEADER_MAX) {
		abort(); /* -EPROTO only for an overlong header */
	}
	monitor_framer_release(&f);
	free(o.buf);
	return 0;
}
