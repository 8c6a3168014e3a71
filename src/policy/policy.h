/* policy.h - the access-file language: parser, inode-keyed compiled form and decisions. */
#ifndef VMMSEC_POLICY_H
#define VMMSEC_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An access file (docs/POLICY.md) is parsed into a struct policy, which keeps
 * every directive with its source line.  policy_compile then resolves each
 * PATH to the kernel object it names (device + inode) through a callback,
 * because decisions must never be made on path strings: a guest can reach
 * one object through many names.  The compiled form is a flat hash table
 * keyed by inode, one entry per object, holding the rules attached to that
 * exact object and those attached to it as a subtree, so a decision costs
 * one O(1) lookup per path component however many rules there are, and a
 * BPF hash map can later mirror the same table.
 */

/* Permission bits, both in rules (letters as written) and in requests. */
#define POLICY_R 0x1u /* read, list a directory, execute */
#define POLICY_W 0x2u /* any modification (includes append) */
#define POLICY_A 0x4u /* append-only write */
#define POLICY_ALL (POLICY_R | POLICY_W | POLICY_A)

#define POLICY_UID_ANY UINT32_MAX /* subject '*' (4294967295 is not a valid uid) */
#define POLICY_LEVEL_EXEMPT (-1)  /* `level PATH -` */
#define POLICY_LEVEL_MAX 255
#define POLICY_FILE_MAX (16u << 20) /* largest access file accepted */
#define POLICY_LINE_MAX 8192	    /* longest line, in bytes, without its newline */
#define POLICY_ERRORS_MAX 1000	    /* errors kept; later ones are only counted */
#define POLICY_REASON_MAX 512

struct policy_rule {
	char *path;    /* absolute, normalised, no trailing '/' except "/" itself */
	uint32_t uid;  /* POLICY_UID_ANY for '*' */
	uint32_t line; /* source line (1-based) */
	uint32_t col;  /* column of the path token */
	uint8_t perms; /* POLICY_R|W|A as written */
	bool deny;     /* '-' sign */
	bool subtree;  /* written with a trailing '/' */
};

struct policy_level {
	char *path;
	uint32_t line;
	uint32_t col, vcol; /* columns of the path and of the value */
	int16_t level;	    /* 0..255 or POLICY_LEVEL_EXEMPT */
	bool subtree;
};

struct policy_clearance {
	uint32_t uid;
	uint32_t line, col; /* col of the clearance value */
	uint8_t level;
};

/* A parsed access file.  Read-only for users; build with policy_parse. */
struct policy {
	char *file; /* name used in reasons ("FILE:LINE") */
	bool default_deny;
	bool blp;
	uint32_t default_line, blp_line; /* 0 when not written */
	size_t nrules, nlevels, nclearances;
	struct policy_rule *rules;	     /* file order */
	struct policy_level *levels;	     /* file order, duplicates removed */
	struct policy_clearance *clearances; /* file order, duplicates removed */
};

struct policy_error {
	uint32_t line, col; /* 1-based; col points at the offending token */
	char msg[256];
};

/* Zero-initialise; release with policy_errors_release. */
struct policy_errors {
	size_t n;	/* entries in v (at most POLICY_ERRORS_MAX) */
	size_t dropped; /* further errors that were counted but not kept */
	struct policy_error *v;
};

void policy_errors_release(struct policy_errors *e);
/* Append a located error to @e (NULL: ignored).  Returns 0 or -ENOMEM. */
int policy_errors_add(struct policy_errors *e, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * policy_parse - parse the access file @text (@len bytes, need not be
 * NUL-terminated; @file_name is kept for reasons).  Collects every error in
 * @errs (may be NULL) with its line, column and message.
 * Returns 0 and *out, -EINVAL if the text has any error (*out is NULL),
 * -EFBIG if @len exceeds POLICY_FILE_MAX, or -ENOMEM.
 */
int policy_parse(const char *file_name, const char *text, size_t len, struct policy **out,
		 struct policy_errors *errs);
/*
 * policy_parse_file - read @path (at most POLICY_FILE_MAX bytes) and parse it
 * under that name.  Returns as policy_parse, or -errno from open/read.
 */
int policy_parse_file(const char *path, struct policy **out, struct policy_errors *errs);
void policy_free(struct policy *p);

/*
 * policy_hash - BLAKE2b-256 of a canonical serialisation of @p (comments,
 * spacing, quoting, signs and letter order do not change it; the file name
 * does not enter it).  This is the evidence log's policy_hash.
 * Returns 0, or -EIO if libsodium fails to initialise.
 */
int policy_hash(const struct policy *p, uint8_t out[32]);

/*
 * A kernel object's identity.  gen is reserved for an inode generation or
 * similar reuse guard; it is zero for now and must be zero-filled (the
 * callers keep numbers from being reused by holding the objects: util_pins).
 */
struct policy_key {
	uint64_t dev;
	uint64_t ino;
	uint64_t gen;
};
_Static_assert(sizeof(struct policy_key) == 24, "policy_key mirrors a BPF map key");

/*
 * Resolver for policy_compile: fill @key for @path as the guest sees it.
 * Return 0, -ENOENT when nothing exists at @path yet (the path becomes
 * pending), or another -errno, which makes the compile fail (fail closed).
 */
typedef int (*policy_resolve_fn)(void *ctx, const char *path, struct policy_key *key);

struct policy_compiled;

/*
 * policy_compile - resolve every path of @p and build the inode-keyed table.
 * @errs (may be NULL) gets a located message for each path that failed.
 * The result does not reference @p.  Returns 0, -EINVAL when two paths of
 * the policy resolve to one object with different levels, the resolver's
 * -errno for a path it could not resolve, or -ENOMEM.
 */
int policy_compile(const struct policy *p, policy_resolve_fn resolve, void *ctx,
		   struct policy_compiled **out, struct policy_errors *errs);
void policy_compiled_free(struct policy_compiled *c);

/*
 * policy_bind_pending - the object @key has appeared at @path (as the guest
 * sees it, a trailing '/' is ignored): attach the directives written for
 * @path to it.  Works for every path of the policy, pending or not, since a
 * new object at a protected path is protected too.  If @key already carries
 * directives from another path (a hard link or rename of another protected
 * object to @path), only the deny rules are added: binding must never widen
 * what an existing object allows.
 * Returns 1 when attached, 0 when @path is not a path of the policy (not an
 * error: the monitor may ask for every new object), -ENOMEM.
 */
int policy_bind_pending(struct policy_compiled *c, const char *path, const struct policy_key *key);
/*
 * Keys with this dev stand for "a new object at a path of the policy": they
 * carry every directive written for that path, so a create can be decided
 * before the object exists.  Real st_dev values never reach it.
 */
#define POLICY_DEV_PATH UINT64_MAX

/*
 * policy_path_key - the POLICY_DEV_PATH key for @path (a trailing '/' is
 * ignored).  Returns 1 with *key set, or 0 when @path is not a path of the
 * policy.
 */
int policy_path_key(const struct policy_compiled *c, const char *path, struct policy_key *key);
/* Distinct paths of the policy (rules and levels). */
size_t policy_path_count(const struct policy_compiled *c);
/* The @i-th path, or NULL past the end; *subtree (may be NULL): some directive covers beneath it. */
const char *policy_path_at(const struct policy_compiled *c, size_t i, bool *subtree);
/*
 * Subjects whose decisions can differ: every uid the policy names (in a
 * rule or a clearance), then one uid it does not name, standing for
 * everyone else.  For checks that must hold for every possible caller.
 */
size_t policy_subject_count(const struct policy_compiled *c);
uint32_t policy_subject_at(const struct policy_compiled *c, size_t i);
/* Does @key carry directives of its own (bound from some path)? */
bool policy_has_directives(const struct policy_compiled *c, const struct policy_key *key);
/* Paths that did not resolve at compile time (and are not bound yet). */
size_t policy_pending_count(const struct policy_compiled *c);
/* The @i-th pending path, or NULL past the end. */
const char *policy_pending_path(const struct policy_compiled *c, size_t i);
/* Entries in the table: objects, and one per path (POLICY_DEV_PATH). For tests and statistics. */
size_t policy_compiled_objects(const struct policy_compiled *c);

/*
 * Export of the compiled table, for a mirror in another form (the BPF-LSM
 * backend's maps): the same cells decide there with the same algorithm.
 * Scope 0 holds rules on the object itself, scope 1 rules on it as a
 * subtree.  Masks are request bits after expanding "w includes a"; the
 * lines are the smallest deciding line per bit (index 0 = R, 1 = W, 2 = A).
 * Keys with dev POLICY_DEV_PATH (paths, not objects: policy_path_key) are
 * exported too, for creates at pending paths.
 */
#define POLICY_XLEVEL_NONE (-2) /* no level at this scope */
struct policy_xcell {
	uint8_t grant, deny;
	uint32_t grant_line[3], deny_line[3];
};
struct policy_xnode {
	struct policy_key key;
	struct policy_xcell any[2]; /* subject '*' per scope */
	int16_t level[2];	    /* POLICY_XLEVEL_NONE, POLICY_LEVEL_EXEMPT or 0..255 */
	uint32_t nuid[2];	    /* uid cells per scope */
};
struct policy_xucell {
	struct policy_key key;
	uint32_t uid;
	uint8_t scope;
	struct policy_xcell cell;
};
struct policy_export_ops {
	int (*node)(void *ctx, const struct policy_xnode *n);
	int (*ucell)(void *ctx, const struct policy_xucell *u);
	int (*clearance)(void *ctx, uint32_t uid, uint8_t level);
};
/*
 * policy_export - call @ops for every object, uid cell and clearance of
 * @c (any callback may be NULL).  Stops at the first negative return and
 * returns it; else 0.  policy_export_counts gives the sizes beforehand.
 */
int policy_export(const struct policy_compiled *c, const struct policy_export_ops *ops, void *ctx);
void policy_export_counts(const struct policy_compiled *c, size_t *nodes, size_t *ucells,
			  size_t *clearances);
/* The compiled policy's header: file name used in reasons, `default deny`, `blp on`. */
const char *policy_compiled_file(const struct policy_compiled *c);
bool policy_compiled_default_deny(const struct policy_compiled *c);
bool policy_compiled_blp(const struct policy_compiled *c);

enum policy_cause {
	POLICY_CAUSE_RULE = 1, /* a rule decided (line is set) */
	POLICY_CAUSE_DEFAULT,  /* no rule matched a permission: `default` */
	POLICY_CAUSE_BLP,      /* Bell-LaPadula denied */
};

struct policy_verdict {
	bool allow;
	unsigned failed;		/* the denied permission bit (POLICY_R/W/A), 0 if allowed */
	enum policy_cause cause;	/* of the denial, or of the first permission if allowed */
	uint32_t line;			/* the deciding rule's line for POLICY_CAUSE_RULE */
	int level;			/* object level: 0..255, or POLICY_LEVEL_EXEMPT */
	int clearance;			/* subject's clearance */
	char reason[POLICY_REASON_MAX]; /* "FILE:LINE", "default" or the BLP clause */
};

/*
 * policy_decide - may @uid (fsuid as the guest sees it) get @want (a mask of
 * POLICY_R/W/A) on @obj, whose ancestor directories are @ancestors (nearest
 * first, up to and including the guest root; @nanc may be 0)?
 * Each requested permission is decided by its most specific rule (the object
 * itself, then its subtree rules, then each ancestor's, nearest first; a uid
 * rule beats '*' at equal specificity, deny beats allow at a full tie), or by
 * `default`; all must allow, and with `blp on` BLP must allow too.
 * Not safe against a concurrent policy_bind_pending on the same @c.
 * Returns 0 with @v filled, or -EINVAL for an empty or unknown @want.
 */
int policy_decide(const struct policy_compiled *c, const struct policy_key *obj,
		  const struct policy_key *ancestors, size_t nanc, uint32_t uid, unsigned want,
		  struct policy_verdict *v);

/*
 * policy_want_from_open - permissions an open(2) with @flags requests on an
 * existing object: O_RDONLY = R, O_WRONLY = W, O_RDWR = R|W; O_APPEND
 * without O_TRUNC turns W into A; O_TRUNC always needs W (even with
 * O_RDONLY, as the kernel truncates then).  O_PATH alone requests nothing (0).
 */
unsigned policy_want_from_open(int flags);

#endif
