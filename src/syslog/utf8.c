/* utf8.c - strict UTF-8 validation of guest-supplied text (RFC 3629). */
#include "syslog/syslog.h"

#include <string.h>

static bool cont(uint8_t b)
{
	return (b & 0xc0) == 0x80;
}

/*
 * Strictness matters: overlong forms and surrogates are how filters that
 * compare decoded text get bypassed, so the second byte's range is narrowed
 * for E0/ED/F0/F4 exactly as in RFC 3629's table.
 */
size_t syslog_utf8_seq(const uint8_t *p, size_t len)
{
	uint8_t b = p[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		n = 2;
	else if (b >= 0xe0 && b <= 0xef)
		n = 3;
	else if (b >= 0xf0 && b <= 0xf4)
		n = 4;
	else
		return 0; /* continuation byte, C0/C1 overlong lead, F5..FF */
	if (len < n)
		return 0;
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (!cont(p[i]))
			return 0;
	return n;
}

bool syslog_utf8_valid(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i = 0;

	while (i < len) {
		size_t n;

		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = syslog_utf8_seq(p + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

bool syslog_text_clean(const void *buf, size_t len)
{
	if (len == 0)
		return true; /* buf may be NULL for an empty slice */
	return memchr(buf, 0, len) == NULL && syslog_utf8_valid(buf, len);
}
