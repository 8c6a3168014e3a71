/* fuzz_syslog.c - libFuzzer target: every syslog/journald parser and the record renderer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "syslog/syslog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *g_base;
static size_t g_size;

/* Every slice must be absent or lie inside the input. */
static void in_input(struct syslog_slice s)
{
	if (!s.ptr)
		return;
	if (s.ptr < g_base || s.len > g_size || s.ptr + s.len > g_base + g_size)
		abort();
}

static void check_msg(const struct syslog_msg *m)
{
	in_input(m->timestamp);
	in_input(m->hostname);
	in_input(m->tag);
	in_input(m->pid);
	in_input(m->msgid);
	in_input(m->sd);
	in_input(m->message);
	if (m->facility < -1 || m->facility > 23 || m->severity < -1 || m->severity > 7)
		abort();
	if (m->parsed && m->message.ptr && !syslog_text_clean(m->message.ptr, m->message.len))
		abort();
}

static void fuzz_dgram(const uint8_t *d, size_t n)
{
	struct syslog_msg m;
	int r = syslog_parse(d, n, &m);

	check_msg(&m);
	if ((r == 0) != m.parsed)
		abort();
	if (m.parsed && !syslog_utf8_valid(d, n))
		abort();
}

static void fuzz_journal(const uint8_t *d, size_t n)
{
	struct syslog_journal_iter it;
	struct syslog_slice e;
	struct syslog_msg m;
	size_t entries = 0;

	syslog_journal_iter_init(&it, d, n);
	while (syslog_journal_next(&it, &e, &m) > 0) {
		struct syslog_jfield_iter fi;
		struct syslog_jfield f;

		in_input(e);
		check_msg(&m);
		if (++entries > n)
			abort(); /* must always make progress */
		syslog_jfield_iter_init(&fi, e.ptr, e.len);
		while (syslog_jfield_next(&fi, &f) > 0) {
			in_input(f.name);
			in_input(f.value);
			if (f.name.ptr < e.ptr || f.value.ptr + f.value.len > e.ptr + e.len)
				abort();
		}
	}
}

static void fuzz_stream(const uint8_t *d, size_t n)
{
	struct syslog_stream_header h;
	struct syslog_msg m;
	int r = syslog_stream_header_parse(d, n, &h);

	in_input(h.identifier);
	in_input(h.unit_id);
	if (h.len > n || (r == 0 && h.len == 0))
		abort();
	syslog_stream_line_parse(r == 0 ? &h : NULL, d + h.len, n - h.len, &m);
	check_msg(&m);
	syslog_stream_line_parse(&h, d, n, &m);
	check_msg(&m);
}

/*
 * Output must be valid UTF-8 with no control byte except line ends; rendered
 * records (@lines) end with '\n', JSON ones with "}\n" on every line.
 */
static void check_output(const struct report_buf *b, bool json, bool lines)
{
	if (b->err)
		return;
	if (!syslog_utf8_valid(b->data, b->len))
		abort();
	for (size_t i = 0; i < b->len; i++) {
		uint8_t c = (uint8_t)b->data[i];

		if ((c < 0x20 && c != '\n') || c == 0x7f)
			abort();
		if (c == '\n' && json && (i == 0 || b->data[i - 1] != '}'))
			abort();
	}
	if (lines && (b->len == 0 || b->data[b->len - 1] != '\n'))
		abort();
	if (!lines && memchr(b->data ? b->data : "", '\n', b->len))
		abort();
}

static void fuzz_render(const uint8_t *d, size_t n)
{
	static const char hdr[] = "fuzz\n\n6\n1\n0\n0\n0\n";
	struct evlog_record r;
	struct report_buf b;
	uint8_t transport = n ? (uint8_t)(d[0] % 4) : 0;

	memset(&r, 0, sizeof(r));
	r.kind = EVLOG_SYSLOG;
	r.seq = n;
	r.time_ns = n ? (int64_t)d[0] << 40 : 0;
	r.fields[r.nfields++] = (struct evlog_field){EVF_TRANSPORT, 1, &transport};
	r.fields[r.nfields++] = (struct evlog_field){EVF_RAW, (uint32_t)n, d};
	r.fields[r.nfields++] = (struct evlog_field){EVF_COMM, (uint32_t)(n < 16 ? n : 16), d};
	r.fields[r.nfields++] = (struct evlog_field){EVF_STREAM_HEADER, sizeof(hdr) - 1, hdr};
	report_buf_init(&b);
	report_render(&r, REPORT_JSON, &b);
	check_output(&b, true, true);
	report_buf_reset(&b);
	report_render(&r, REPORT_HUMAN, &b);
	check_output(&b, false, true);

	/* the same bytes as guest-start argv and as a lost reason */
	report_buf_reset(&b);
	r.kind = EVLOG_GUEST_START;
	r.fields[1].tag = EVF_ARGV;
	report_render(&r, REPORT_JSON, &b);
	check_output(&b, true, true);
	report_buf_reset(&b);
	report_render(&r, REPORT_HUMAN, &b);
	check_output(&b, false, true);
	report_buf_release(&b);
}

static void fuzz_strings(const uint8_t *d, size_t n)
{
	struct report_buf b;

	report_buf_init(&b);
	report_json_string(&b, d, n);
	if (!b.err && (b.len < 2 || b.data[0] != '"' || b.data[b.len - 1] != '"'))
		abort();
	check_output(&b, false, false);
	report_buf_reset(&b);
	report_escape(&b, d, n, true);
	check_output(&b, false, false);
	for (size_t i = 0; !b.err && i < b.len; i++)
		if (b.data[i] == ' ')
			abort();
	report_buf_reset(&b);
	report_base64(&b, d, n);
	if (!b.err && b.len != (n + 2) / 3 * 4)
		abort();
	report_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_base = data;
	g_size = size;
	fuzz_dgram(data, size);
	fuzz_journal(data, size);
	fuzz_stream(data, size);
	fuzz_strings(data, size);
	fuzz_render(data, size);
	return 0;
}
