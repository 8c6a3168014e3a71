/* internal.h - the compiled policy's table layout, shared by compile.c and decide.c. */
#ifndef VMMSEC_POLICY_INTERNAL_H
#define VMMSEC_POLICY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "policy/policy.h"

#define POLICY_PATH_MAX 4095 /* PATH_MAX without its NUL */
#define POLICY_NAME_MAX 255

#define SC_EXACT 0   /* rules on the object itself */
#define SC_SUBTREE 1 /* rules on the object and everything beneath it */
#define LEVEL_NONE (-2)

/*
 * What one subject class ('*' or one uid) gets at one scope of one object.
 * Masks are request bits after expanding "w includes a": a grant of w
 * grants W and A, a denial of a denies A and W (whoever may not append may
 * not modify at all).  The lines are the smallest deciding line per bit.
 */
struct policy_cell {
	uint8_t grant, deny;
	uint32_t grant_line[3], deny_line[3]; /* index: 0 = R, 1 = W, 2 = A */
};

struct policy_scope {
	struct policy_cell any; /* subject '*' */
	int16_t level;		/* LEVEL_NONE, POLICY_LEVEL_EXEMPT or 0..255 */
	uint32_t level_line;
	uint32_t nuid; /* uid cells for this scope in the uid table */
};

/* One object: the unit a BPF hash map would hold under the same key. */
struct policy_node {
	struct policy_key key;
	bool used;
	bool attached; /* some directive is attached */
	struct policy_scope sc[2];
};

struct policy_ucell {
	struct policy_key key;
	uint32_t uid;
	uint8_t scope;
	bool used;
	struct policy_cell cell;
};

/* Directives of the compiled policy, kept for binding paths later. */
struct policy_crule {
	uint32_t uid, line;
	uint8_t perms;
	bool deny, subtree;
};

struct policy_clevel {
	uint32_t line, col;
	int16_t level;
	bool subtree;
};

/* Every directive written for one path (with or without a trailing '/'). */
struct policy_group {
	char *path;
	size_t rule_first, nrules;
	size_t level_first, nlevels;
	uint32_t line, col; /* first directive, for messages */
	size_t pending_pos; /* index in pending[], or SIZE_MAX */
};

struct policy_compiled {
	char *file;
	bool default_deny, blp;
	struct policy_node *nodes;
	size_t nodes_cap, nodes_n; /* cap is a power of two, load at most 1/2 */
	struct policy_ucell *ucells;
	size_t ucells_cap, ucells_n;
	struct policy_crule *rules; /* in group order */
	struct policy_clevel *levels;
	struct policy_group *groups;
	size_t ngroups;
	size_t *gindex; /* path hash: group index + 1, 0 = empty */
	size_t gindex_cap;
	size_t *pending; /* group indices */
	size_t npending;
	struct policy_clearance *clear; /* sorted by uid */
	size_t nclear;
	uint32_t *subjects; /* every uid the policy names (rules, clearances), sorted */
	size_t nsubjects;
};

/* Order errors by line, then column. */
void policy_errors_sort(struct policy_errors *e);
const struct policy_node *policy_node_find(const struct policy_compiled *c,
					   const struct policy_key *key);
const struct policy_cell *policy_ucell_find(const struct policy_compiled *c,
					    const struct policy_key *key, uint8_t scope,
					    uint32_t uid);

#endif
