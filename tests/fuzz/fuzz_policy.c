/* fuzz_policy.c - libFuzzer target: access-file parser, compiler and decisions on arbitrary text. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t fnv(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

/* Paths map to a few inodes, so distinct paths share objects; some are absent. */
static int fake_resolve(void *ctx, const char *path, struct policy_key *key)
{
	uint64_t h = fnv(path);

	(void)ctx;
	if (h % 7 == 0)
		return -ENOENT;
	if (h % 101 == 0)
		return -EACCES;
	*key = (struct policy_key){.dev = 1, .ino = h % 13};
	return 0;
}

static void check_errors(const struct policy_errors *e, int r)
{
	if (r == -EINVAL && e->n + e->dropped == 0)
		abort(); /* an invalid file must say why */
	for (size_t i = 0; i < e->n; i++) {
		if (e->v[i].line == 0 || e->v[i].col == 0 ||
		    !memchr(e->v[i].msg, 0, sizeof(e->v[i].msg)))
			abort();
		if (i && (e->v[i].line < e->v[i - 1].line))
			abort(); /* sorted */
	}
}

static void exercise(const struct policy *p, const uint8_t *data, size_t size)
{
	struct policy_errors errs = {0};
	struct policy_compiled *c = NULL;
	struct policy_verdict v;
	uint8_t hash[32];
	int r;

	if (policy_hash(p, hash) < 0)
		abort();
	r = policy_compile(p, fake_resolve, NULL, &c, &errs);
	check_errors(&errs, r);
	policy_errors_release(&errs);
	if (r < 0) {
		if (c)
			abort();
		return;
	}
	for (size_t i = 0; i < p->nrules && i < 4; i++) {
		struct policy_key k = {.dev = 1, .ino = 100 + i};
		if (policy_bind_pending(c, p->rules[i].path, &k) != 1)
			abort(); /* every policy path binds */
	}
	for (size_t i = 0; i + 4 <= size && i < 64; i += 4) {
		struct policy_key obj = {.dev = 1,
					 .ino = data[i] % 16 + (data[i] & 0x80 ? 100 : 0)};
		struct policy_key anc[3] = {{.dev = 1, .ino = data[i + 1] % 13},
					    {.dev = 1, .ino = data[i + 2] % 13},
					    {.dev = 1, .ino = 0}};
		unsigned want = data[i + 3] % 7 + 1;
		if (policy_decide(c, &obj, anc, data[i + 3] % 4, data[i + 1] % 3, want, &v) < 0)
			abort();
		if (!v.reason[0] || (!v.allow && !(v.failed & want)) || (v.allow && v.failed))
			abort();
	}
	policy_compiled_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_errors errs = {0};
	struct policy *p = NULL;
	int r = policy_parse("fuzz", (const char *)data, size, &p, &errs);

	if (r != 0 && r != -EINVAL && r != -EFBIG)
		abort();
	if ((r == 0) != (p != NULL))
		abort();
	check_errors(&errs, r);
	policy_errors_release(&errs);
	if (p)
		exercise(p, data, size);
	policy_free(p);
	return 0;
}
