/* canon.c - canonical serialisation of a parsed policy and its BLAKE2b-256 hash. */
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

/*
 * The canonical form is the policy re-written one directive per line, in
 * file order, with `default` and `blp` always stated, signs always written,
 * letters in r, w, a order and paths always quoted.  Quoting makes it
 * unambiguous (a path cannot contain a newline), so two policies with the
 * same hash state the same directives.  Line numbers are not part of it.
 */

static void put(crypto_generichash_state *st, const char *s, size_t len)
{
	crypto_generichash_update(st, (const unsigned char *)s, len);
}

static void puts_(crypto_generichash_state *st, const char *s)
{
	put(st, s, strlen(s));
}

static void put_path(crypto_generichash_state *st, const char *path, bool subtree)
{
	put(st, "\"", 1);
	for (const char *p = path; *p;) {
		size_t run = strcspn(p, "\"\\");
		put(st, p, run);
		p += run;
		if (*p) {
			char esc[2] = {'\\', *p++};
			put(st, esc, 2);
		}
	}
	if (subtree && strcmp(path, "/"))
		put(st, "/", 1);
	put(st, "\"", 1);
}

static void put_rule(crypto_generichash_state *st, const struct policy_rule *r)
{
	char buf[32];
	size_t n = 0;

	buf[n++] = r->deny ? '-' : '+';
	if (r->perms & POLICY_R)
		buf[n++] = 'r';
	if (r->perms & POLICY_W)
		buf[n++] = 'w';
	if (r->perms & POLICY_A)
		buf[n++] = 'a';
	buf[n++] = ' ';
	put(st, buf, n);
	put_path(st, r->path, r->subtree);
	if (r->uid == POLICY_UID_ANY)
		snprintf(buf, sizeof(buf), " *\n");
	else
		snprintf(buf, sizeof(buf), " %" PRIu32 "\n", r->uid);
	puts_(st, buf);
}

int policy_hash(const struct policy *p, uint8_t out[32])
{
	crypto_generichash_state st;
	char buf[64];

	if (sodium_init() < 0)
		return -EIO;
	if (crypto_generichash_init(&st, NULL, 0, 32) != 0)
		return -EIO;
	puts_(&st, "vmmsec-policy 1\n");
	puts_(&st, p->default_deny ? "default deny\n" : "default allow\n");
	puts_(&st, p->blp ? "blp on\n" : "blp off\n");
	for (size_t i = 0; i < p->nrules; i++)
		put_rule(&st, &p->rules[i]);
	for (size_t i = 0; i < p->nlevels; i++) {
		const struct policy_level *l = &p->levels[i];
		puts_(&st, "level ");
		put_path(&st, l->path, l->subtree);
		if (l->level == POLICY_LEVEL_EXEMPT)
			snprintf(buf, sizeof(buf), " -\n");
		else
			snprintf(buf, sizeof(buf), " %d\n", l->level);
		puts_(&st, buf);
	}
	for (size_t i = 0; i < p->nclearances; i++) {
		snprintf(buf, sizeof(buf), "clearance %" PRIu32 " %u\n", p->clearances[i].uid,
			 p->clearances[i].level);
		puts_(&st, buf);
	}
	if (crypto_generichash_final(&st, out, 32) != 0)
		return -EIO;
	return 0;
}
