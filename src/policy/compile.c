/* compile.c - resolve policy paths to inodes and build the flat inode-keyed table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"
#include "policy/policy.h"
#include "util/util.h"

/*
 * The tables are filled only from the administrator's policy; the guest
 * merely chooses which keys are looked up.  Inode numbers are often
 * sequential, so keys are mixed well before probing.
 */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t key_hash(const struct policy_key *k)
{
	return mix(k->ino ^ mix(k->dev + 0x9e3779b97f4a7c15ULL) ^
		   mix(k->gen ^ 0x2545f4914f6cdd1dULL));
}

static bool key_eq(const struct policy_key *a, const struct policy_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->gen == b->gen;
}

static uint64_t ucell_hash(const struct policy_key *k, uint8_t scope, uint32_t uid)
{
	return mix(key_hash(k) ^ ((uint64_t)uid << 1 | scope));
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return mix(h);
}

/* ---- node table ---- */

const struct policy_node *policy_node_find(const struct policy_compiled *c,
					   const struct policy_key *key)
{
	size_t mask = c->nodes_cap - 1;

	if (!c->nodes_cap)
		return NULL;
	for (size_t i = key_hash(key) & mask;; i = (i + 1) & mask) {
		const struct policy_node *n = &c->nodes[i];
		if (!n->used)
			return NULL;
		if (key_eq(&n->key, key))
			return n;
	}
}

static void node_init(struct policy_node *n, const struct policy_key *key)
{
	memset(n, 0, sizeof(*n));
	n->key = *key;
	n->used = true;
	n->sc[SC_EXACT].level = LEVEL_NONE;
	n->sc[SC_SUBTREE].level = LEVEL_NONE;
}

static struct policy_node *node_slot(struct policy_node *v, size_t cap,
				     const struct policy_key *key)
{
	for (size_t i = key_hash(key) & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!v[i].used || key_eq(&v[i].key, key))
			return &v[i];
}

static int nodes_grow(struct policy_compiled *c)
{
	size_t cap = c->nodes_cap ? 2 * c->nodes_cap : 64;
	struct policy_node *v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < c->nodes_cap; i++)
		if (c->nodes[i].used)
			*node_slot(v, cap, &c->nodes[i].key) = c->nodes[i];
	free(c->nodes);
	c->nodes = v;
	c->nodes_cap = cap;
	return 0;
}

static struct policy_node *node_get(struct policy_compiled *c, const struct policy_key *key)
{
	if (2 * (c->nodes_n + 1) > c->nodes_cap && nodes_grow(c) < 0)
		return NULL;
	struct policy_node *n = node_slot(c->nodes, c->nodes_cap, key);
	if (!n->used) {
		node_init(n, key);
		c->nodes_n++;
	}
	return n;
}

/* ---- uid cell table ---- */

static struct policy_ucell *ucell_slot(struct policy_ucell *v, size_t cap,
				       const struct policy_key *key, uint8_t scope, uint32_t uid)
{
	for (size_t i = ucell_hash(key, scope, uid) & (cap - 1);; i = (i + 1) & (cap - 1)) {
		struct policy_ucell *u = &v[i];
		if (!u->used || (u->uid == uid && u->scope == scope && key_eq(&u->key, key)))
			return u;
	}
}

const struct policy_cell *policy_ucell_find(const struct policy_compiled *c,
					    const struct policy_key *key, uint8_t scope,
					    uint32_t uid)
{
	if (!c->ucells_cap)
		return NULL;
	const struct policy_ucell *u = ucell_slot(c->ucells, c->ucells_cap, key, scope, uid);
	return u->used ? &u->cell : NULL;
}

static int ucells_grow(struct policy_compiled *c)
{
	size_t cap = c->ucells_cap ? 2 * c->ucells_cap : 64;
	struct policy_ucell *v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < c->ucells_cap; i++) {
		const struct policy_ucell *u = &c->ucells[i];
		if (u->used)
			*ucell_slot(v, cap, &u->key, u->scope, u->uid) = *u;
	}
	free(c->ucells);
	c->ucells = v;
	c->ucells_cap = cap;
	return 0;
}

/* The uid cell, created if needed; *created tells the caller to count it. */
static struct policy_cell *ucell_get(struct policy_compiled *c, const struct policy_key *key,
				     uint8_t scope, uint32_t uid, bool *created)
{
	if (2 * (c->ucells_n + 1) > c->ucells_cap && ucells_grow(c) < 0)
		return NULL;
	struct policy_ucell *u = ucell_slot(c->ucells, c->ucells_cap, key, scope, uid);
	*created = !u->used;
	if (!u->used) {
		memset(u, 0, sizeof(*u));
		u->key = *key;
		u->scope = scope;
		u->uid = uid;
		u->used = true;
		c->ucells_n++;
	}
	return &u->cell;
}

/* ---- attaching directives to an object ---- */

/* Request bits a rule governs (see struct policy_cell). */
static uint8_t expand(uint8_t perms, bool deny)
{
	uint8_t bits = perms & POLICY_R;

	if (perms & POLICY_W)
		bits |= deny ? POLICY_W : POLICY_W | POLICY_A;
	if (perms & POLICY_A)
		bits |= deny ? POLICY_A | POLICY_W : POLICY_A;
	return bits;
}

static void cell_merge(struct policy_cell *cell, const struct policy_crule *r)
{
	uint8_t bits = expand(r->perms, r->deny);

	for (unsigned i = 0; i < 3; i++) {
		if (!(bits & (1u << i)))
			continue;
		uint32_t *line = r->deny ? &cell->deny_line[i] : &cell->grant_line[i];
		if (!*line || r->line < *line)
			*line = r->line;
	}
	if (r->deny)
		cell->deny |= bits;
	else
		cell->grant |= bits;
}

static int attach_rule(struct policy_compiled *c, const struct policy_key *key,
		       const struct policy_crule *r)
{
	uint8_t s = r->subtree ? SC_SUBTREE : SC_EXACT;
	struct policy_cell *cell;
	bool created = false;

	if (r->uid == POLICY_UID_ANY) {
		struct policy_node *n = node_get(c, key);
		if (!n)
			return -ENOMEM;
		cell = &n->sc[s].any;
	} else {
		cell = ucell_get(c, key, s, r->uid, &created);
		if (!cell)
			return -ENOMEM;
	}
	cell_merge(cell, r);
	if (created) {
		struct policy_node *n = node_get(c, key);
		if (!n)
			return -ENOMEM;
		n->sc[s].nuid++;
	}
	return 0;
}

/* Returns 0, or -EINVAL with the conflicting level's line in *conflict. */
static int attach_level(struct policy_compiled *c, const struct policy_key *key,
			const struct policy_clevel *l, uint32_t *conflict)
{
	struct policy_node *n = node_get(c, key);

	if (!n)
		return -ENOMEM;
	struct policy_scope *sc = &n->sc[l->subtree ? SC_SUBTREE : SC_EXACT];
	if (sc->level == LEVEL_NONE || (sc->level == l->level && l->line < sc->level_line)) {
		sc->level = l->level;
		sc->level_line = l->line;
	} else if (sc->level != l->level) {
		*conflict = sc->level_line;
		return -EINVAL;
	}
	return 0;
}

/*
 * Attach group @g to @key.  With @restrict_only (binding a path to an object
 * that already carries directives from another path) only denials are
 * added: a guest that hard-links or renames a protected object onto a path
 * with more generous rules must not gain anything by it.  Levels are left
 * alone for the same reason (a new level could permit writing down).
 */
static int attach_group(struct policy_compiled *c, const struct policy_group *g,
			const struct policy_key *key, bool restrict_only,
			struct policy_errors *errs)
{
	int r;

	for (size_t i = 0; i < g->nrules; i++) {
		const struct policy_crule *cr = &c->rules[g->rule_first + i];
		if (restrict_only && !cr->deny)
			continue;
		if ((r = attach_rule(c, key, cr)) < 0)
			return r;
	}
	for (size_t i = 0; i < g->nlevels && !restrict_only; i++) {
		const struct policy_clevel *l = &c->levels[g->level_first + i];
		uint32_t other = 0;
		r = attach_level(c, key, l, &other);
		if (r == -EINVAL &&
		    policy_errors_add(errs, l->line, l->col,
				      "level of %.200s conflicts with line %u (the same object)",
				      g->path, other) < 0)
			return -ENOMEM;
		if (r < 0)
			return r;
	}
	struct policy_node *n = node_get(c, key);
	if (!n)
		return -ENOMEM;
	n->attached = true;
	return 0;
}

/* ---- groups: directives by path ---- */

struct item {
	const char *path;
	uint32_t line;
	size_t idx;
	bool level;
};

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int r = strcmp(x->path, y->path);

	if (r)
		return r;
	if (x->level != y->level)
		return x->level ? 1 : -1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int gindex_build(struct policy_compiled *c)
{
	size_t cap = 16;

	while (cap < 2 * c->ngroups)
		cap *= 2;
	c->gindex = calloc(cap, sizeof(*c->gindex));
	if (!c->gindex)
		return -ENOMEM;
	c->gindex_cap = cap;
	for (size_t g = 0; g < c->ngroups; g++) {
		size_t i = str_hash(c->groups[g].path) & (cap - 1);
		while (c->gindex[i])
			i = (i + 1) & (cap - 1);
		c->gindex[i] = g + 1;
	}
	return 0;
}

static struct policy_group *group_find(const struct policy_compiled *c, const char *path)
{
	size_t mask = c->gindex_cap - 1;

	for (size_t i = str_hash(path) & mask; c->gindex[i]; i = (i + 1) & mask) {
		struct policy_group *g = &c->groups[c->gindex[i] - 1];
		if (!strcmp(g->path, path))
			return g;
	}
	return NULL;
}

static void group_fill(struct policy_compiled *c, const struct policy *p, const struct item *it,
		       struct policy_group *g)
{
	if (it->level) {
		const struct policy_level *l = &p->levels[it->idx];
		struct policy_clevel *cl = &c->levels[g->level_first + g->nlevels++];
		cl->line = l->line;
		cl->col = l->vcol;
		cl->level = l->level;
		cl->subtree = l->subtree;
	} else {
		const struct policy_rule *r = &p->rules[it->idx];
		struct policy_crule *cr = &c->rules[g->rule_first + g->nrules++];
		cr->uid = r->uid;
		cr->line = r->line;
		cr->perms = r->perms;
		cr->deny = r->deny;
		cr->subtree = r->subtree;
	}
}

/* Sort every directive by path and lay rules and levels out group by group. */
static int build_groups(struct policy_compiled *c, const struct policy *p)
{
	size_t n = p->nrules + p->nlevels, nr = 0, nl = 0;
	cleanup_free struct item *it = calloc(n ? n : 1, sizeof(*it));

	c->rules = calloc(p->nrules ? p->nrules : 1, sizeof(*c->rules));
	c->levels = calloc(p->nlevels ? p->nlevels : 1, sizeof(*c->levels));
	c->groups = calloc(n ? n : 1, sizeof(*c->groups));
	if (!it || !c->rules || !c->levels || !c->groups)
		return -ENOMEM;
	for (size_t i = 0; i < p->nrules; i++)
		it[i] = (struct item){p->rules[i].path, p->rules[i].line, i, false};
	for (size_t i = 0; i < p->nlevels; i++)
		it[p->nrules + i] = (struct item){p->levels[i].path, p->levels[i].line, i, true};
	qsort(it, n, sizeof(*it), cmp_item);
	for (size_t i = 0; i < n; i++) {
		struct policy_group *g = &c->groups[c->ngroups - (c->ngroups > 0)];
		if (!c->ngroups || strcmp(g->path, it[i].path)) {
			g = &c->groups[c->ngroups++];
			if (!(g->path = strdup(it[i].path)))
				return -ENOMEM;
			g->rule_first = nr;
			g->level_first = nl;
			g->pending_pos = SIZE_MAX;
			g->line = it[i].line;
			g->col = it[i].level ? p->levels[it[i].idx].col : p->rules[it[i].idx].col;
		}
		group_fill(c, p, &it[i], g);
		if (it[i].level)
			nl++;
		else
			nr++;
		if (it[i].line < g->line) {
			g->line = it[i].line;
			g->col = it[i].level ? p->levels[it[i].idx].col : p->rules[it[i].idx].col;
		}
	}
	return gindex_build(c);
}

static int cmp_clear(const void *a, const void *b)
{
	const struct policy_clearance *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

void policy_compiled_free(struct policy_compiled *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->ngroups; i++)
		free(c->groups[i].path);
	free(c->groups);
	free(c->gindex);
	free(c->pending);
	free(c->rules);
	free(c->levels);
	free(c->nodes);
	free(c->ucells);
	free(c->clear);
	free(c->subjects);
	free(c->file);
	free(c);
}

static int copy_header(struct policy_compiled *c, const struct policy *p)
{
	c->default_deny = p->default_deny;
	c->blp = p->blp;
	c->file = strdup(p->file);
	c->nclear = p->nclearances;
	c->clear = calloc(c->nclear ? c->nclear : 1, sizeof(*c->clear));
	c->pending = calloc(p->nrules + p->nlevels + 1, sizeof(*c->pending));
	if (!c->file || !c->clear || !c->pending)
		return -ENOMEM;
	if (c->nclear)
		memcpy(c->clear, p->clearances, c->nclear * sizeof(*c->clear));
	qsort(c->clear, c->nclear, sizeof(*c->clear), cmp_clear);
	return 0;
}

/* Resolve one group; -ENOENT makes it pending, any other failure is collected. */
static int resolve_group(struct policy_compiled *c, size_t gi, policy_resolve_fn resolve, void *ctx,
			 struct policy_errors *errs)
{
	struct policy_group *g = &c->groups[gi];
	struct policy_key key = {0};
	int r = resolve(ctx, g->path, &key);

	if (r == -ENOENT) {
		g->pending_pos = c->npending;
		c->pending[c->npending++] = gi;
		return 0;
	}
	if (r < 0) {
		if (policy_errors_add(errs, g->line, g->col, "cannot resolve %.200s: %s", g->path,
				      strerror(-r)) < 0)
			return -ENOMEM;
		return r;
	}
	return attach_group(c, g, &key, false, errs);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* The uids the policy names, and one it does not (for everyone else). */
static int collect_subjects(struct policy_compiled *c)
{
	size_t nr = 0, n = 0;
	for (size_t g = 0; g < c->ngroups; g++)
		nr += c->groups[g].nrules;
	c->subjects = malloc((nr + c->nclear + 1) * sizeof(*c->subjects));
	if (!c->subjects)
		return -ENOMEM;
	for (size_t g = 0; g < c->ngroups; g++)
		for (size_t k = 0; k < c->groups[g].nrules; k++) {
			uint32_t uid = c->rules[c->groups[g].rule_first + k].uid;
			if (uid != POLICY_UID_ANY)
				c->subjects[n++] = uid;
		}
	for (size_t i = 0; i < c->nclear; i++)
		c->subjects[n++] = c->clear[i].uid;
	qsort(c->subjects, n, sizeof(*c->subjects), cmp_u32);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (!u || c->subjects[u - 1] != c->subjects[i])
			c->subjects[u++] = c->subjects[i];
	/* Everyone else: the first uid from 4294967294 down that no rule names. */
	uint32_t other = POLICY_UID_ANY - 1;
	while (bsearch(&other, c->subjects, u, sizeof(*c->subjects), cmp_u32))
		other--;
	c->subjects[u++] = other;
	c->nsubjects = u;
	return 0;
}

size_t policy_subject_count(const struct policy_compiled *c)
{
	return c->nsubjects;
}

uint32_t policy_subject_at(const struct policy_compiled *c, size_t i)
{
	return i < c->nsubjects ? c->subjects[i] : POLICY_UID_ANY - 1;
}

int policy_compile(const struct policy *p, policy_resolve_fn resolve, void *ctx,
		   struct policy_compiled **out, struct policy_errors *errs)
{
	struct policy_compiled *c = calloc(1, sizeof(*c));
	int r = 0;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	if ((r = copy_header(c, p)) < 0 || (r = build_groups(c, p)) < 0 || (r = nodes_grow(c)) < 0)
		goto fail;
	/* Keep going after a failure so every bad path is reported; then fail closed. */
	for (size_t g = 0; g < c->ngroups; g++) {
		int rg = resolve_group(c, g, resolve, ctx, errs);
		if (rg == -ENOMEM) {
			r = rg;
			goto fail;
		}
		if (rg < 0 && !r)
			r = rg;
	}
	if (r < 0)
		goto fail;
	if ((r = collect_subjects(c)) < 0)
		goto fail;
	/* Each path also stands for whatever object may later appear at it. */
	for (size_t g = 0; g < c->ngroups; g++) {
		struct policy_key k = {.dev = POLICY_DEV_PATH, .ino = g};
		if ((r = attach_group(c, &c->groups[g], &k, false, NULL)) < 0)
			goto fail;
	}
	*out = c;
	return 0;
fail:
	policy_errors_sort(errs);
	policy_compiled_free(c);
	return r;
}

static void strip_trailing_slash(const char *path, char *buf, size_t cap, const char **out)
{
	size_t len = strlen(path);

	*out = path;
	if (len < 2 || path[len - 1] != '/' || len >= cap)
		return;
	memcpy(buf, path, len - 1);
	buf[len - 1] = '\0';
	*out = buf;
}

int policy_bind_pending(struct policy_compiled *c, const char *path, const struct policy_key *key)
{
	char buf[POLICY_PATH_MAX + 1];
	const char *p;

	strip_trailing_slash(path, buf, sizeof(buf), &p);
	struct policy_group *g = group_find(c, p);
	if (!g)
		return 0;
	const struct policy_node *n = policy_node_find(c, key);
	int r = attach_group(c, g, key, n && n->attached, NULL);
	if (r == -EINVAL)
		r = 0; /* unreachable: a fresh object has no level to conflict with */
	if (r < 0)
		return r;
	if (g->pending_pos != SIZE_MAX) {
		size_t last = c->pending[--c->npending];
		c->pending[g->pending_pos] = last;
		c->groups[last].pending_pos = g->pending_pos;
		g->pending_pos = SIZE_MAX;
	}
	return 1;
}

size_t policy_pending_count(const struct policy_compiled *c)
{
	return c->npending;
}

const char *policy_pending_path(const struct policy_compiled *c, size_t i)
{
	return i < c->npending ? c->groups[c->pending[i]].path : NULL;
}

size_t policy_compiled_objects(const struct policy_compiled *c)
{
	return c->nodes_n;
}

int policy_path_key(const struct policy_compiled *c, const char *path, struct policy_key *key)
{
	char buf[POLICY_PATH_MAX + 1];
	const char *p;

	strip_trailing_slash(path, buf, sizeof(buf), &p);
	const struct policy_group *g = group_find(c, p);
	if (!g)
		return 0;
	*key = (struct policy_key){.dev = POLICY_DEV_PATH, .ino = (uint64_t)(g - c->groups)};
	return 1;
}

size_t policy_path_count(const struct policy_compiled *c)
{
	return c->ngroups;
}

const char *policy_path_at(const struct policy_compiled *c, size_t i, bool *subtree)
{
	if (i >= c->ngroups)
		return NULL;
	const struct policy_group *g = &c->groups[i];
	bool sub = false;
	for (size_t k = 0; k < g->nrules; k++)
		sub |= c->rules[g->rule_first + k].subtree;
	for (size_t k = 0; k < g->nlevels; k++)
		sub |= c->levels[g->level_first + k].subtree;
	if (subtree)
		*subtree = sub;
	return g->path;
}

bool policy_has_directives(const struct policy_compiled *c, const struct policy_key *key)
{
	const struct policy_node *n = policy_node_find(c, key);
	return n && n->attached;
}

/* ---- export ---- */

static void xcell(struct policy_xcell *x, const struct policy_cell *c)
{
	x->grant = c->grant;
	x->deny = c->deny;
	memcpy(x->grant_line, c->grant_line, sizeof(x->grant_line));
	memcpy(x->deny_line, c->deny_line, sizeof(x->deny_line));
}

void policy_export_counts(const struct policy_compiled *c, size_t *nodes, size_t *ucells,
			  size_t *clearances)
{
	size_t n = 0, u = 0;

	for (size_t i = 0; i < c->nodes_cap; i++)
		n += c->nodes[i].used;
	for (size_t i = 0; i < c->ucells_cap; i++)
		u += c->ucells[i].used;
	*nodes = n;
	*ucells = u;
	*clearances = c->nclear;
}

int policy_export(const struct policy_compiled *c, const struct policy_export_ops *ops, void *ctx)
{
	int r;

	for (size_t i = 0; ops->node && i < c->nodes_cap; i++) {
		const struct policy_node *n = &c->nodes[i];
		if (!n->used)
			continue;
		struct policy_xnode x = {.key = n->key};
		for (int s = 0; s < 2; s++) {
			xcell(&x.any[s], &n->sc[s].any);
			x.level[s] = n->sc[s].level;
			x.nuid[s] = n->sc[s].nuid;
		}
		if ((r = ops->node(ctx, &x)) < 0)
			return r;
	}
	for (size_t i = 0; ops->ucell && i < c->ucells_cap; i++) {
		const struct policy_ucell *u = &c->ucells[i];
		if (!u->used)
			continue;
		struct policy_xucell x = {.key = u->key, .uid = u->uid, .scope = u->scope};
		xcell(&x.cell, &u->cell);
		if ((r = ops->ucell(ctx, &x)) < 0)
			return r;
	}
	for (size_t i = 0; ops->clearance && i < c->nclear; i++)
		if ((r = ops->clearance(ctx, c->clear[i].uid, c->clear[i].level)) < 0)
			return r;
	return 0;
}

const char *policy_compiled_file(const struct policy_compiled *c)
{
	return c->file;
}

bool policy_compiled_default_deny(const struct policy_compiled *c)
{
	return c->default_deny;
}

bool policy_compiled_blp(const struct policy_compiled *c)
{
	return c->blp;
}
