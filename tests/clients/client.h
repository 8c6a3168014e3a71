/* client.h - small helpers shared by the test clients (header-only: clients link no library). */
#ifndef VMMSEC_TEST_CLIENT_H
#define VMMSEC_TEST_CLIENT_H

#include <err.h>
#include <errno.h>
#include <stdlib.h>

/* A decimal in [min, max], or exit 2 with a message. */
static inline long client_parse_num(const char *s, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		errx(2, "bad number '%s' (want %ld..%ld)", s, min, max);
	return v;
}

#endif
