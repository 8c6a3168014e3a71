/* test.h - minimal TAP-style harness for unit tests (one binary per module). */
#ifndef VMMSEC_TEST_H
#define VMMSEC_TEST_H

#include <stdio.h>
#include <string.h>

static int t_failed_total;
static int t_count;
static int t_cur_failed;
static const char *t_cur_skip; /* set by a test that could not check what it is for */

/* Each check that fails marks the current test failed and says where. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("#   %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);        \
			t_cur_failed = 1;                                                          \
		}                                                                                  \
	} while (0)

#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		long long _a = (long long)(a), _b = (long long)(b);                                \
		if (_a != _b) {                                                                    \
			printf("#   %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a,   \
			       _a, _b);                                                            \
			t_cur_failed = 1;                                                          \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *_a = (a), *_b = (b);                                                   \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                                           \
			printf("#   %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__,   \
			       #a, _a ? _a : "(null)", _b ? _b : "(null)");                        \
			t_cur_failed = 1;                                                          \
		}                                                                                  \
	} while (0)

#define CHECK_MEM(a, alen, b, blen)                                                                \
	do {                                                                                       \
		size_t _al = (alen), _bl = (blen);                                                 \
		if (_al != _bl || memcmp((a), (b), _al) != 0) {                                    \
			printf("#   %s:%d: %s differs (len %zu vs %zu)\n", __FILE__, __LINE__, #a, \
			       _al, _bl);                                                          \
			t_cur_failed = 1;                                                          \
		}                                                                                  \
	} while (0)

#define RUN(fn)                                                                                    \
	do {                                                                                       \
		t_cur_failed = 0;                                                                  \
		t_cur_skip = NULL;                                                                 \
		fn();                                                                              \
		t_count++;                                                                         \
		printf("%s %d - %s%s%s\n", t_cur_failed ? "not ok" : "ok", t_count, #fn,           \
		       t_cur_skip ? " # SKIP " : "", t_cur_skip ? t_cur_skip : "");                \
		t_failed_total += t_cur_failed;                                                    \
	} while (0)

#define TEST_DONE() (printf("1..%d\n", t_count), t_failed_total ? 1 : 0)

#endif
