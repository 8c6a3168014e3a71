/* journal.c - journald native-protocol entries and stdout-stream headers/lines. */
#include "syslog/syslog.h"

#include <errno.h>
#include <string.h>

static struct syslog_slice slice(const uint8_t *p, size_t len)
{
	return (struct syslog_slice){.ptr = p, .len = len};
}

static void msg_init(struct syslog_msg *m, enum syslog_format fmt)
{
	memset(m, 0, sizeof(*m));
	m->format = fmt;
	m->facility = -1;
	m->severity = -1;
}

static bool slice_is(struct syslog_slice s, const char *lit)
{
	size_t n = strlen(lit);

	return s.ptr && s.len == n && memcmp(s.ptr, lit, n) == 0;
}

/* Decimal without sign or leading zeros in [0, max], or -1. */
static int small_uint(struct syslog_slice s, int max)
{
	int v = 0;

	if (!s.ptr || s.len == 0 || s.len > 3 || (s.len > 1 && s.ptr[0] == '0'))
		return -1;
	for (size_t i = 0; i < s.len; i++) {
		if (s.ptr[i] < '0' || s.ptr[i] > '9')
			return -1;
		v = v * 10 + (s.ptr[i] - '0');
	}
	return v <= max ? v : -1;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* ---- native protocol ---- */

void syslog_jfield_iter_init(struct syslog_jfield_iter *it, const void *buf, size_t len)
{
	it->buf = buf;
	it->len = len;
	it->off = 0;
}

/* Failure is sticky: park the iterator on an impossible offset. */
static int jfield_fail(struct syslog_jfield_iter *it)
{
	it->off = SIZE_MAX;
	return -EBADMSG;
}

int syslog_jfield_next(struct syslog_jfield_iter *it, struct syslog_jfield *f)
{
	const uint8_t *p, *nl, *eq;
	size_t rest, line;
	uint64_t vlen;

	if (it->off == SIZE_MAX)
		return -EBADMSG;
	if (it->off >= it->len)
		return 0;
	p = it->buf + it->off;
	rest = it->len - it->off;
	nl = memchr(p, '\n', rest);
	if (!nl)
		return jfield_fail(it);
	line = (size_t)(nl - p);
	if (line == 0)
		return 0; /* entry separator, left for the entry iterator */
	eq = memchr(p, '=', line);
	memset(f, 0, sizeof(*f));
	if (eq) {
		f->name = slice(p, (size_t)(eq - p));
		f->value = slice(eq + 1, line - (size_t)(eq - p) - 1);
		it->off += line + 1;
		return 1;
	}
	/*
	 * Binary form: the length is guest-controlled, so compare it with what
	 * is left before any pointer arithmetic (no overflow, no over-read).
	 */
	rest -= line + 1;
	if (rest < 8 + 1)
		return jfield_fail(it);
	vlen = le64(nl + 1);
	if (vlen > rest - 8 - 1)
		return jfield_fail(it);
	if (nl[1 + 8 + vlen] != '\n')
		return jfield_fail(it);
	f->name = slice(p, line);
	f->value = slice(nl + 1 + 8, (size_t)vlen);
	f->binary = true;
	it->off += line + 1 + 8 + (size_t)vlen + 1;
	return 1;
}

bool syslog_journal_name_valid(const void *name, size_t len, bool allow_trusted)
{
	const uint8_t *p = name;

	if (len == 0 || len > 64 || (p[0] >= '0' && p[0] <= '9'))
		return false;
	if (p[0] == '_' && !allow_trusted)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
			return false;
	return true;
}

void syslog_journal_iter_init(struct syslog_journal_iter *it, const void *buf, size_t len)
{
	it->buf = buf;
	it->len = len;
	it->off = 0;
}

#define SEEN_PRIORITY 0x1u
#define SEEN_FACILITY 0x2u

/*
 * Fold one field into the entry summary (the first occurrence of each name
 * wins); returns false if the field spoils `parsed`.
 */
static bool summarise_field(const struct syslog_jfield *f, struct syslog_msg *m, unsigned *seen)
{
	struct syslog_slice *dst = NULL;

	if (!syslog_journal_name_valid(f->name.ptr, f->name.len, true))
		return false;
	if (slice_is(f->name, "MESSAGE")) {
		dst = &m->message;
	} else if (slice_is(f->name, "SYSLOG_IDENTIFIER")) {
		dst = &m->tag;
	} else if (slice_is(f->name, "SYSLOG_PID")) {
		dst = &m->pid;
	} else if (slice_is(f->name, "PRIORITY")) {
		int v = small_uint(f->value, 7);

		if (!(*seen & SEEN_PRIORITY))
			m->severity = v;
		*seen |= SEEN_PRIORITY;
		return v >= 0;
	} else if (slice_is(f->name, "SYSLOG_FACILITY")) {
		int v = small_uint(f->value, 23);

		if (!(*seen & SEEN_FACILITY))
			m->facility = v;
		*seen |= SEEN_FACILITY;
		return v >= 0;
	}
	if (!dst)
		return true;
	if (!dst->ptr)
		*dst = f->value;
	return syslog_text_clean(f->value.ptr, f->value.len);
}

int syslog_journal_next(struct syslog_journal_iter *it, struct syslog_slice *entry,
			struct syslog_msg *msg)
{
	struct syslog_jfield_iter fi;
	struct syslog_jfield f;
	bool ok = true;
	unsigned seen = 0;
	size_t start;
	int r;

	while (it->off < it->len && it->buf[it->off] == '\n')
		it->off++;
	if (it->off >= it->len)
		return 0;
	start = it->off;
	msg_init(msg, SYSLOG_FMT_JOURNAL);
	syslog_jfield_iter_init(&fi, it->buf + start, it->len - start);
	while ((r = syslog_jfield_next(&fi, &f)) > 0)
		ok &= summarise_field(&f, msg, &seen);
	if (r < 0) {
		*entry = slice(it->buf + start, it->len - start);
		it->off = it->len;
		msg->parsed = false;
		return 1;
	}
	*entry = slice(it->buf + start, fi.off);
	it->off = start + fi.off;
	msg->parsed = ok;
	return 1;
}

/* ---- stdout stream ---- */

/* systemd's parse_boolean spellings; -1 if none. */
static int stream_bool(struct syslog_slice s)
{
	static const char *const yes[] = {"1", "yes", "y", "true", "t", "on"};
	static const char *const no[] = {"0", "no", "n", "false", "f", "off"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		size_t n = strlen(yes[i]);

		if (s.len == n && strncasecmp((const char *)s.ptr, yes[i], n) == 0)
			return 1;
		n = strlen(no[i]);
		if (s.len == n && strncasecmp((const char *)s.ptr, no[i], n) == 0)
			return 0;
	}
	return -1;
}

/* Split the first 7 lines; returns the header length or 0 if incomplete. */
static size_t stream_lines(const uint8_t *p, size_t len, struct syslog_slice l[7])
{
	size_t off = 0;

	for (int i = 0; i < 7; i++) {
		const uint8_t *nl = off < len ? memchr(p + off, '\n', len - off) : NULL;

		if (!nl)
			return 0;
		l[i] = slice(p + off, (size_t)(nl - (p + off)));
		off += l[i].len + 1;
	}
	return off;
}

int syslog_stream_header_parse(const void *buf, size_t len, struct syslog_stream_header *h)
{
	struct syslog_slice l[7];
	int b[4];
	size_t n;

	memset(h, 0, sizeof(*h));
	h->priority = -1;
	/* Bound the search: the guest decides when (if ever) a newline comes. */
	n = stream_lines(buf, len < SYSLOG_STREAM_HEADER_MAX ? len : SYSLOG_STREAM_HEADER_MAX, l);
	if (n == 0)
		return len < SYSLOG_STREAM_HEADER_MAX ? -EAGAIN : -EBADMSG;
	h->len = n;
	h->identifier = l[0];
	h->unit_id = l[1];
	h->priority = small_uint(l[2], 191);
	for (int i = 0; i < 4; i++)
		b[i] = stream_bool(l[3 + i]);
	h->level_prefix = b[0] == 1;
	h->forward_to_syslog = b[1] == 1;
	h->forward_to_kmsg = b[2] == 1;
	h->forward_to_console = b[3] == 1;
	if (h->priority < 0 || b[0] < 0 || b[1] < 0 || b[2] < 0 || b[3] < 0 ||
	    !syslog_text_clean(l[0].ptr, l[0].len) || !syslog_text_clean(l[1].ptr, l[1].len))
		return -EBADMSG;
	return 0;
}

int syslog_stream_line_parse(const struct syslog_stream_header *h, const void *line, size_t len,
			     struct syslog_msg *out)
{
	const uint8_t *p = line;
	bool header_ok;

	msg_init(out, SYSLOG_FMT_STREAM);
	if (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\0'))
		len--; /* journald ends stream lines at either */
	header_ok = h && h->len > 0 && h->priority >= 0;
	if (header_ok) {
		if (h->identifier.len > 0)
			out->tag = h->identifier;
		out->severity = h->priority & 7;
		if (h->priority >> 3)
			out->facility = h->priority >> 3;
	}
	if (header_ok && h->level_prefix && len >= 3 && p[0] == '<' && p[1] >= '0' && p[1] <= '7' &&
	    p[2] == '>') {
		out->severity = p[1] - '0';
		p += 3;
		len -= 3;
	}
	out->message = slice(p, len);
	out->parsed = header_ok && syslog_text_clean(p, len) &&
		      syslog_text_clean(h->identifier.ptr, h->identifier.len) &&
		      syslog_text_clean(h->unit_id.ptr, h->unit_id.len);
	return out->parsed ? 0 : -EBADMSG;
}
