/* decide.c - one access decision: most specific rule per permission, then Bell-LaPadula. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "policy/internal.h"
#include "policy/policy.h"

/* Per requested bit: who decided it. */
struct bit_decision {
	bool decided, allow;
	uint32_t line; /* 0: default */
};

/*
 * Decide every still-open bit that @cell speaks about.  Within one cell
 * (one scope, one subject class) a denial beats a grant: the full tie.
 */
static void apply_cell(const struct policy_cell *cell, unsigned want, struct bit_decision d[3])
{
	for (unsigned i = 0; i < 3; i++) {
		unsigned bit = 1u << i;
		if (!(want & bit) || d[i].decided || !((cell->grant | cell->deny) & bit))
			continue;
		d[i].decided = true;
		d[i].allow = !(cell->deny & bit);
		d[i].line = d[i].allow ? cell->grant_line[i] : cell->deny_line[i];
	}
}

static bool all_decided(unsigned want, const struct bit_decision d[3])
{
	for (unsigned i = 0; i < 3; i++)
		if ((want & (1u << i)) && !d[i].decided)
			return false;
	return true;
}

/* One scope of one object: uid rules first (they beat '*'), then '*'. */
static void apply_scope(const struct policy_compiled *c, const struct policy_node *n, uint8_t s,
			uint32_t uid, unsigned want, struct bit_decision d[3], int *level)
{
	const struct policy_scope *sc = &n->sc[s];

	if (sc->nuid && !all_decided(want, d)) {
		const struct policy_cell *cell = policy_ucell_find(c, &n->key, s, uid);
		if (cell)
			apply_cell(cell, want, d);
	}
	apply_cell(&sc->any, want, d);
	if (*level == LEVEL_NONE)
		*level = sc->level;
}

static int clearance_of(const struct policy_compiled *c, uint32_t uid)
{
	size_t lo = 0, hi = c->nclear;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->clear[mid].uid == uid)
			return c->clear[mid].level;
		if (c->clear[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static void reason_of(const struct policy_compiled *c, uint32_t line, char *buf, size_t len)
{
	if (line)
		snprintf(buf, len, "%s:%u", c->file, line);
	else
		snprintf(buf, len, "default");
}

/* Allowed: list the distinct deciders of the requested bits, R then W then A. */
static void allow_reason(const struct policy_compiled *c, unsigned want,
			 const struct bit_decision d[3], struct policy_verdict *v)
{
	uint32_t seen[3];
	size_t nseen = 0, off = 0;

	v->reason[0] = '\0';
	for (unsigned i = 0; i < 3; i++) {
		bool dup = false;
		if (!(want & (1u << i)))
			continue;
		for (size_t k = 0; k < nseen; k++)
			dup |= seen[k] == d[i].line;
		if (dup)
			continue;
		if (!nseen) {
			v->cause = d[i].line ? POLICY_CAUSE_RULE : POLICY_CAUSE_DEFAULT;
			v->line = d[i].line;
		}
		if (nseen && off + 2 < sizeof(v->reason)) {
			memcpy(v->reason + off, ", ", 3);
			off += 2;
		}
		seen[nseen++] = d[i].line;
		if (off < sizeof(v->reason))
			reason_of(c, d[i].line, v->reason + off, sizeof(v->reason) - off);
		off += strlen(v->reason + off);
	}
}

/*
 * Bell-LaPadula: no read up (clearance >= level to read), no write down
 * (clearance <= level to write or append), so information can only flow
 * upwards.  Exempt objects (devices like /dev/null) skip it.
 */
static bool blp_check(unsigned want, struct policy_verdict *v)
{
	if (v->level == POLICY_LEVEL_EXEMPT)
		return true;
	if ((want & POLICY_R) && v->clearance < v->level) {
		v->failed = POLICY_R;
		snprintf(v->reason, sizeof(v->reason), "blp: no read up (clearance %d < level %d)",
			 v->clearance, v->level);
		return false;
	}
	if ((want & (POLICY_W | POLICY_A)) && v->clearance > v->level) {
		v->failed = want & POLICY_W ? POLICY_W : POLICY_A;
		snprintf(v->reason, sizeof(v->reason),
			 "blp: no write down (clearance %d > level %d)", v->clearance, v->level);
		return false;
	}
	return true;
}

int policy_decide(const struct policy_compiled *c, const struct policy_key *obj,
		  const struct policy_key *ancestors, size_t nanc, uint32_t uid, unsigned want,
		  struct policy_verdict *v)
{
	struct bit_decision d[3] = {{0}};
	int level = LEVEL_NONE;

	if (!want || (want & ~POLICY_ALL))
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	/* Nearest first: the object itself (exact, then as a subtree), then each ancestor. */
	for (size_t i = 0; i <= nanc; i++) {
		const struct policy_node *n = policy_node_find(c, i ? &ancestors[i - 1] : obj);
		if (n) {
			if (!i)
				apply_scope(c, n, SC_EXACT, uid, want, d, &level);
			apply_scope(c, n, SC_SUBTREE, uid, want, d, &level);
		}
		if (all_decided(want, d) && (!c->blp || level != LEVEL_NONE))
			break;
	}
	for (unsigned i = 0; i < 3; i++) {
		if ((want & (1u << i)) && !d[i].decided)
			d[i] = (struct bit_decision){true, !c->default_deny, 0};
	}
	v->level = level == LEVEL_NONE ? 0 : level;
	v->clearance = clearance_of(c, uid);
	for (unsigned i = 0; i < 3; i++) {
		if (!(want & (1u << i)) || d[i].allow)
			continue;
		v->failed = 1u << i;
		v->cause = d[i].line ? POLICY_CAUSE_RULE : POLICY_CAUSE_DEFAULT;
		v->line = d[i].line;
		reason_of(c, d[i].line, v->reason, sizeof(v->reason));
		return 0;
	}
	if (c->blp && !blp_check(want, v)) {
		v->cause = POLICY_CAUSE_BLP;
		return 0;
	}
	v->allow = true;
	allow_reason(c, want, d, v);
	return 0;
}

unsigned policy_want_from_open(int flags)
{
	unsigned want = 0;

	if (flags & O_PATH)
		return 0; /* no access to content; a later re-open is checked on its own */
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		want = POLICY_R;
		break;
	case O_WRONLY:
		want = POLICY_W;
		break;
	default: /* O_RDWR, and 3, which the kernel checks as read+write */
		want = POLICY_R | POLICY_W;
		break;
	}
	if (flags & O_TRUNC)
		want |= POLICY_W;
	else if ((flags & O_APPEND) && (want & POLICY_W))
		want = (want & ~POLICY_W) | POLICY_A;
	return want;
}
