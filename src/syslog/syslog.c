/* syslog.c - RFC 3164 / RFC 5424 datagram parsing (heuristics documented in syslog.h). */
#include "syslog/syslog.h"

#include <errno.h>
#include <string.h>

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(uint8_t c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 5424 PRINTUSASCII. */
static bool is_print_ascii(uint8_t c)
{
	return c >= 33 && c <= 126;
}

static struct syslog_slice slice(const uint8_t *p, size_t len)
{
	return (struct syslog_slice){.ptr = p, .len = len};
}

static void msg_init(struct syslog_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->facility = -1;
	m->severity = -1;
}

/* Two decimal digits in [lo, hi], or -1. */
static int two_digits(const uint8_t *p, int lo, int hi)
{
	int v;

	if (!is_digit(p[0]) || !is_digit(p[1]))
		return -1;
	v = (p[0] - '0') * 10 + (p[1] - '0');
	return v >= lo && v <= hi ? v : -1;
}

int syslog_pri_parse(const void *buf, size_t len, int *pri)
{
	const uint8_t *p = buf;
	size_t i = 1;
	int v = 0;

	if (len < 3 || p[0] != '<')
		return -EBADMSG;
	/* Look at one digit more than allowed so "<0013>" is refused, not cut. */
	while (i < len && i <= 4 && is_digit(p[i]))
		v = v * 10 + (p[i++] - '0');
	if (i == 1 || i > 4 || (p[1] == '0' && i > 2))
		return -EBADMSG;
	if (i >= len || p[i] != '>' || v > 191)
		return -EBADMSG;
	*pri = v;
	return (int)i + 1;
}

/* "Mmm dd hh:mm:ss" followed by a space; returns 15 or 0. */
static size_t bsd_timestamp(const uint8_t *p, size_t len)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	bool month = false;
	int day;

	if (len < 16 || p[3] != ' ' || p[6] != ' ' || p[9] != ':' || p[12] != ':' || p[15] != ' ')
		return 0;
	for (size_t m = 0; m < 12; m++)
		month |= memcmp(p, months + 3 * m, 3) == 0;
	if (!month || !is_digit(p[5]))
		return 0;
	if (p[4] == ' ')
		day = p[5] - '0';
	else if (is_digit(p[4]))
		day = (p[4] - '0') * 10 + (p[5] - '0');
	else
		return 0;
	if (day < 1 || day > 31 || two_digits(p + 7, 0, 23) < 0 || two_digits(p + 10, 0, 59) < 0 ||
	    two_digits(p + 13, 0, 60) < 0)
		return 0;
	return 15;
}

/* "Z" or "+hh:mm"/"-hh:mm"; returns its length or 0. */
static size_t rfc3339_offset(const uint8_t *p, size_t len)
{
	if (len >= 1 && p[0] == 'Z')
		return 1;
	if (len < 6 || (p[0] != '+' && p[0] != '-') || p[3] != ':')
		return 0;
	if (two_digits(p + 1, 0, 23) < 0 || two_digits(p + 4, 0, 59) < 0)
		return 0;
	return 6;
}

/* RFC 3339 "YYYY-MM-DDThh:mm:ss[.ffffff](Z|+hh:mm)"; returns its length or 0. */
static size_t rfc3339_timestamp(const uint8_t *p, size_t len)
{
	size_t i = 19, frac = 0, off;

	if (len < 20 || p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':')
		return 0;
	for (size_t k = 0; k < 4; k++)
		if (!is_digit(p[k]))
			return 0;
	if (two_digits(p + 5, 1, 12) < 0 || two_digits(p + 8, 1, 31) < 0 ||
	    two_digits(p + 11, 0, 23) < 0 || two_digits(p + 14, 0, 59) < 0 ||
	    two_digits(p + 17, 0, 59) < 0)
		return 0;
	if (p[i] == '.') {
		i++;
		while (i < len && frac < 7 && is_digit(p[i]))
			i++, frac++;
		if (frac == 0 || frac > 6)
			return 0;
	}
	off = rfc3339_offset(p + i, len - i);
	return off ? i + off : 0;
}

/* A byte that may appear in a 3164 TAG (non-ASCII allowed, checked as UTF-8 later). */
static bool tag_char(uint8_t c)
{
	return c > ' ' && c != 0x7f && c != ':' && c != '[' && c != ']';
}

/*
 * "TAG[PID]: " or "TAG: " (or ':' at the very end).  Returns the bytes
 * consumed and sets @tag/@pid, or 0 (outputs untouched) when it is no tag.
 */
static size_t match_tag(const uint8_t *p, size_t len, struct syslog_slice *tag,
			struct syslog_slice *pid)
{
	struct syslog_slice t, d = {0};
	size_t i = 0;

	while (i < len && i <= SYSLOG_TAG_MAX && tag_char(p[i]))
		i++;
	if (i == 0 || i > SYSLOG_TAG_MAX)
		return 0;
	t = slice(p, i);
	if (i < len && p[i] == '[') {
		size_t j = i + 1;

		while (j < len && j - i <= 11 && is_digit(p[j]))
			j++;
		if (j == i + 1 || j - i > 11 || j >= len || p[j] != ']')
			return 0;
		d = slice(p + i + 1, j - i - 1);
		i = j + 1;
	}
	if (i >= len || p[i] != ':')
		return 0;
	i++;
	if (i < len) {
		if (p[i] != ' ')
			return 0;
		i++;
	}
	*tag = t;
	*pid = d;
	return i;
}

static bool host_char(uint8_t c)
{
	return is_alnum(c) || c == '.' || c == '-' || c == '_' || c == ':';
}

/* "HOST TAG...: " after a timestamp; returns the bytes consumed or 0. */
static size_t match_host_tag(const uint8_t *p, size_t len, struct syslog_msg *m)
{
	size_t i = 0, n;

	while (i < len && i < 255 && host_char(p[i]))
		i++;
	if (i == 0 || i >= len || p[i] != ' ')
		return 0;
	n = match_tag(p + i + 1, len - i - 1, &m->tag, &m->pid);
	if (n == 0)
		return 0;
	m->hostname = slice(p, i);
	return i + 1 + n;
}

/* RFC 3164 after "<PRI>": always matches; only the PRI decided the framing. */
static void parse_3164(const uint8_t *p, size_t len, struct syslog_msg *m)
{
	size_t n = bsd_timestamp(p, len);

	if (n == 0) {
		n = rfc3339_timestamp(p, len);
		if (n >= len || p[n] != ' ')
			n = 0;
	}
	if (n) {
		m->timestamp = slice(p, n);
		p += n + 1;
		len -= n + 1;
	}
	n = match_tag(p, len, &m->tag, &m->pid);
	if (n == 0 && m->timestamp.ptr)
		n = match_host_tag(p, len, m);
	m->message = slice(p + n, len - n);
	m->format = SYSLOG_FMT_RFC3164;
}

/*
 * One space-terminated RFC 5424 header field of 1..@max PRINTUSASCII bytes
 * starting at *@i; "-" is the nil value (absent slice).  Advances *@i past
 * the space.  Returns false when malformed.
 */
static bool header_field(const uint8_t *p, size_t len, size_t *i, size_t max,
			 struct syslog_slice *out)
{
	size_t s = *i, e = s;

	while (e < len && e - s <= max && is_print_ascii(p[e]))
		e++;
	if (e == s || e - s > max || e >= len || p[e] != ' ')
		return false;
	if (!(e - s == 1 && p[s] == '-'))
		*out = slice(p + s, e - s);
	*i = e + 1;
	return true;
}

/* SD-NAME: 1..32 PRINTUSASCII except '=', ' ', ']', '"'; returns its length or 0. */
static size_t sd_name(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len && i <= 32 && is_print_ascii(p[i]) && p[i] != '=' && p[i] != ']' &&
	       p[i] != '"')
		i++;
	return i <= 32 ? i : 0;
}

/* The quoted PARAM-VALUE after '"'; returns bytes through the closing quote or 0. */
static size_t sd_value(const uint8_t *p, size_t len)
{
	size_t i = 0;

	/* A backslash always takes the next byte with it, so \" and \\ work. */
	while (i < len && p[i] != '"')
		i += (p[i] == '\\' && i + 1 < len) ? 2 : 1;
	return i < len ? i + 1 : 0;
}

/* One "[SD-ID *(SP PARAM="VALUE")]"; returns its length or 0. */
static size_t sd_element(const uint8_t *p, size_t len)
{
	size_t i = 1, n;

	if (len < 1 || p[0] != '[')
		return 0;
	n = sd_name(p + i, len - i);
	if (n == 0)
		return 0;
	i += n;
	for (;;) {
		if (i >= len)
			return 0;
		if (p[i] == ']')
			return i + 1;
		if (p[i] != ' ')
			return 0;
		i++;
		n = sd_name(p + i, len - i);
		if (n == 0)
			return 0;
		i += n;
		if (i + 1 >= len || p[i] != '=' || p[i + 1] != '"')
			return 0;
		i += 2;
		n = sd_value(p + i, len - i);
		if (n == 0)
			return 0;
		i += n;
	}
}

/* STRUCTURED-DATA: "-" or one or more elements; returns its length or 0. */
static size_t sd_parse(const uint8_t *p, size_t len)
{
	size_t i = 0, n;

	if (len >= 1 && p[0] == '-')
		return 1;
	while (i < len && p[i] == '[') {
		n = sd_element(p + i, len - i);
		if (n == 0)
			return 0;
		i += n;
	}
	return i;
}

/* TIMESTAMP: "-" or RFC 3339, then a space; advances *@i. */
static bool header_timestamp(const uint8_t *p, size_t len, size_t *i, struct syslog_slice *out)
{
	size_t s = *i, n;

	if (s < len && p[s] == '-')
		n = 1;
	else
		n = rfc3339_timestamp(p + s, len - s);
	if (n == 0 || s + n >= len || p[s + n] != ' ')
		return false;
	if (n > 1)
		*out = slice(p + s, n);
	*i = s + n + 1;
	return true;
}

/* RFC 5424 after "<PRI>" (which is followed by "1 "); returns 0 or -EBADMSG. */
static int parse_5424(const uint8_t *p, size_t len, struct syslog_msg *m)
{
	static const uint8_t bom[3] = {0xef, 0xbb, 0xbf};
	size_t i = 2, n;

	if (!header_timestamp(p, len, &i, &m->timestamp) ||
	    !header_field(p, len, &i, 255, &m->hostname) ||
	    !header_field(p, len, &i, 48, &m->tag) || !header_field(p, len, &i, 128, &m->pid) ||
	    !header_field(p, len, &i, 32, &m->msgid))
		return -EBADMSG;
	n = sd_parse(p + i, len - i);
	if (n == 0)
		return -EBADMSG;
	if (!(n == 1 && p[i] == '-'))
		m->sd = slice(p + i, n);
	i += n;
	if (i < len) {
		if (p[i] != ' ')
			return -EBADMSG;
		i++;
		if (len - i >= 3 && memcmp(p + i, bom, 3) == 0)
			i += 3;
	}
	m->message = slice(p + i, len - i);
	m->format = SYSLOG_FMT_RFC5424;
	return 0;
}

int syslog_parse(const void *buf, size_t len, struct syslog_msg *out)
{
	const uint8_t *p = buf;
	int pri, n;

	msg_init(out);
	if (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\0'))
		len--; /* one framing terminator, see syslog.h */
	out->message = slice(p, len);
	n = syslog_pri_parse(p, len, &pri);
	if (n < 0)
		return -EBADMSG;
	if (len - (size_t)n >= 2 && p[n] == '1' && p[n + 1] == ' ') {
		struct syslog_msg m;

		msg_init(&m);
		if (parse_5424(p + n, len - (size_t)n, &m) < 0)
			return -EBADMSG;
		*out = m;
	} else {
		parse_3164(p + n, len - (size_t)n, out);
	}
	out->facility = pri >> 3;
	out->severity = pri & 7;
	out->parsed = syslog_text_clean(p, len);
	return out->parsed ? 0 : -EBADMSG;
}
