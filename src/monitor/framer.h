/* framer.h - split the journald stdout stream protocol into its header and lines. */
#ifndef VMMSEC_MONITOR_FRAMER_H
#define VMMSEC_MONITOR_FRAMER_H

#include <stddef.h>
#include <stdint.h>

#define MONITOR_FRAMER_HEADER_MAX 4096u /* the 7 header lines together */
#define MONITOR_FRAMER_HEADER_LINES 7
#define MONITOR_FRAMER_LINE_MAX (64u << 10) /* longer lines are split, flagged */

/*
 * One connection's state.  The bytes come from the guest: the header is
 * bounded, a line is bounded, and every byte ends up in exactly one callback
 * (the header is handed over whole with the first line).
 */
struct monitor_framer {
	char hdr[MONITOR_FRAMER_HEADER_MAX];
	size_t hdr_len;
	int hdr_lines;
	char *line; /* MONITOR_FRAMER_LINE_MAX bytes */
	size_t line_len;
};

/*
 * Called for each line without its '\n'.  @flags is EVLOG_RAW_CONTINUED
 * when the line was cut at MONITOR_FRAMER_LINE_MAX and goes on.  Return 0 or
 * -errno (which stops the feed and is returned).
 */
typedef int (*monitor_framer_fn)(void *ctx, const char *line, size_t len, uint32_t flags);

/* monitor_framer_init - 0 or -ENOMEM.  _release frees; both safe on a zeroed framer. */
int monitor_framer_init(struct monitor_framer *f);
void monitor_framer_release(struct monitor_framer *f);
/*
 * monitor_framer_feed - consume @n bytes.  Returns 0, -EPROTO when the
 * header exceeds MONITOR_FRAMER_HEADER_MAX (not the journald protocol), or
 * the callback's error.
 */
int monitor_framer_feed(struct monitor_framer *f, const uint8_t *p, size_t n, monitor_framer_fn fn,
			void *ctx);
/* monitor_framer_finish - at end of stream: a last line without '\n' is still a line. */
int monitor_framer_finish(struct monitor_framer *f, monitor_framer_fn fn, void *ctx);

#endif
