/* buf.c - growable output buffer and escaping of untrusted bytes (JSON, terminal, base64). */
#include "report/report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "syslog/syslog.h"

void report_buf_init(struct report_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->err = 0;
}

void report_buf_release(struct report_buf *b)
{
	free(b->data);
	report_buf_init(b);
}

void report_buf_reset(struct report_buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* Make room for @extra more bytes plus the NUL; returns 0 or the sticky error. */
static int reserve(struct report_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->err)
		return b->err;
	if (extra > SIZE_MAX - b->len - 1)
		return b->err = -ENOMEM;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return b->err = -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int report_buf_append(struct report_buf *b, const void *p, size_t len)
{
	int r = reserve(b, len);

	if (r < 0)
		return r;
	if (len)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int report_buf_printf(struct report_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return b->err ? b->err : -EINVAL;
	r = reserve(b, (size_t)n);
	if (r < 0)
		return r;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* Append p[from..to); tolerates p == NULL for empty input. */
static void flush(struct report_buf *b, const uint8_t *p, size_t from, size_t to)
{
	if (to > from)
		report_buf_append(b, p + from, to - from);
}

/* Code point of a sequence syslog_utf8_seq accepted (length @n). */
static uint32_t utf8_decode(const uint8_t *p, size_t n)
{
	static const uint8_t lead_mask[5] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	uint32_t cp = p[0] & lead_mask[n];

	for (size_t i = 1; i < n; i++)
		cp = (cp << 6) | (p[i] & 0x3f);
	return cp;
}

/*
 * Characters valid in JSON that still hurt a reader: C1 controls can act as
 * terminal escapes when the output is cat'ed, and U+2028/9 break JavaScript
 * consumers that treat lines as code.
 */
static bool json_must_escape(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 ||
	       cp == 0x2029;
}

static int json_escape_cp(struct report_buf *b, uint32_t cp)
{
	switch (cp) {
	case '"':
		return report_buf_append(b, "\\\"", 2);
	case '\\':
		return report_buf_append(b, "\\\\", 2);
	case '\b':
		return report_buf_append(b, "\\b", 2);
	case '\f':
		return report_buf_append(b, "\\f", 2);
	case '\n':
		return report_buf_append(b, "\\n", 2);
	case '\r':
		return report_buf_append(b, "\\r", 2);
	case '\t':
		return report_buf_append(b, "\\t", 2);
	default:
		return report_buf_printf(b, "\\u%04x", (unsigned)cp);
	}
}

int report_json_string(struct report_buf *b, const void *s, size_t len)
{
	static const uint8_t replacement[3] = {0xef, 0xbf, 0xbd};
	const uint8_t *p = s;
	size_t i = 0, run = 0;

	report_buf_append(b, "\"", 1);
	while (i < len) {
		size_t n = p[i] < 0x80 ? 1 : syslog_utf8_seq(p + i, len - i);
		uint32_t cp = n ? utf8_decode(p + i, n) : 0xfffd;

		if (n && !json_must_escape(cp) && cp != '"' && cp != '\\') {
			i += n; /* safe: extend the run copied verbatim */
			continue;
		}
		flush(b, p, run, i);
		if (n == 0)
			report_buf_append(b, replacement, sizeof(replacement));
		else
			json_escape_cp(b, cp);
		i += n ? n : 1;
		run = i;
	}
	flush(b, p, run, i);
	return report_buf_append(b, "\"", 1);
}

int report_base64(struct report_buf *b, const void *s, size_t len)
{
	const int variant = sodium_base64_VARIANT_ORIGINAL;
	size_t enc;
	int r;

	if (len == 0)
		return b->err;
	if (len > (SIZE_MAX - 4) / 4 * 3)
		return b->err = -ENOMEM;
	enc = sodium_base64_ENCODED_LEN(len, variant); /* includes the NUL */
	r = reserve(b, enc);
	if (r < 0)
		return r;
	sodium_bin2base64(b->data + b->len, enc, s, len, variant);
	b->len += enc - 1;
	return 0;
}

/*
 * Invisible or reordering characters let a guest make a line read
 * differently from its bytes (bidi overrides, zero-width joiners), and C1
 * controls may drive the terminal; show those as bytes.
 */
static bool human_must_escape(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff;
}

static int hex_bytes(struct report_buf *b, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t k = 0; k < n; k++) {
		char e[4] = {'\\', 'x', digits[p[k] >> 4], digits[p[k] & 15]};

		report_buf_append(b, e, sizeof(e));
	}
	return b->err;
}

int report_escape(struct report_buf *b, const void *s, size_t len, bool escape_space)
{
	const uint8_t *p = s;
	size_t i = 0, run = 0;

	while (i < len) {
		uint8_t c = p[i];
		size_t n = 1;
		bool plain;

		if (c < 0x80) {
			plain = c >= 0x20 && c < 0x7f && c != '\\' && !(escape_space && c == ' ');
		} else {
			n = syslog_utf8_seq(p + i, len - i);
			plain = n && !human_must_escape(utf8_decode(p + i, n));
			n = n ? n : 1;
		}
		if (plain) {
			i += n;
			continue;
		}
		flush(b, p, run, i);
		if (c == '\\')
			report_buf_append(b, "\\\\", 2);
		else
			hex_bytes(b, p + i, n);
		i += n;
		run = i;
	}
	flush(b, p, run, i);
	return b->err;
}

int report_time(struct report_buf *b, int64_t time_ns)
{
	int64_t sec = time_ns / 1000000000, ns = time_ns % 1000000000;
	time_t t;
	struct tm tm;

	if (ns < 0) { /* floor, so 1969 prints as 1969 */
		ns += 1000000000;
		sec--;
	}
	t = (time_t)sec;
	if (!gmtime_r(&t, &tm))
		return -EOVERFLOW;
	return report_buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
				 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
				 (int)(ns / 1000));
}
