/* parse.c - access-file parser: every error located by line and column, nothing guessed. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"
#include "policy/policy.h"
#include "util/util.h"

#define MAX_TOKENS 6
#define UID_MAX_VALID 4294967294u

struct token {
	const char *v; /* decoded, NUL-terminated (in parser.buf) */
	size_t len;
	uint32_t col;
	bool quoted;
};

struct parser {
	struct policy *p;
	struct policy_errors *errs;
	size_t nerr; /* every error, kept or not */
	size_t cap_rules, cap_levels, cap_clear;
	bool oom;
	uint32_t line;
	size_t line_len; /* bytes of the current line, for "missing X" columns */
	size_t ntok;	 /* tokens on the line (may exceed MAX_TOKENS) */
	struct token tok[MAX_TOKENS];
	char buf[POLICY_LINE_MAX + MAX_TOKENS + 1]; /* decoded tokens; never longer than the line */
};

void policy_errors_release(struct policy_errors *e)
{
	if (!e)
		return;
	free(e->v);
	memset(e, 0, sizeof(*e));
}

int policy_errors_add(struct policy_errors *e, uint32_t line, uint32_t col, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return 0;
	if (e->n >= POLICY_ERRORS_MAX) {
		e->dropped++;
		return 0;
	}
	if ((e->n & (e->n - 1)) == 0) { /* grow at powers of two */
		size_t cap = e->n ? 2 * e->n : 8;
		struct policy_error *v = reallocarray(e->v, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		e->v = v;
	}
	struct policy_error *pe = &e->v[e->n++];
	pe->line = line;
	pe->col = col;
	va_start(ap, fmt);
	vsnprintf(pe->msg, sizeof(pe->msg), fmt, ap);
	va_end(ap);
	return 0;
}

static void err(struct parser *ps, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void err(struct parser *ps, uint32_t col, const char *fmt, ...)
{
	struct policy_errors *e = ps->errs;
	char msg[sizeof(e->v[0].msg)];
	va_list ap;

	ps->nerr++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (policy_errors_add(e, ps->line, col, "%s", msg) < 0)
		ps->oom = true;
}

/* Column just past the end of the line: where a missing token was expected. */
static uint32_t eol_col(const struct parser *ps)
{
	return (uint32_t)ps->line_len + 1;
}

/* ---- tokenizer ---- */

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * Decode one double-quoted token starting at line[*pos] == '"'.  Only \" and
 * \\ are escapes, so a quoted path means exactly its bytes.
 * Returns 0 or -1 after reporting.
 */
static int lex_quoted(struct parser *ps, const char *line, size_t len, size_t *pos, char *out,
		      size_t *outlen)
{
	size_t i = *pos + 1, n = 0;

	for (;;) {
		if (i >= len) {
			err(ps, (uint32_t)*pos + 1, "unterminated quoted path");
			return -1;
		}
		char ch = line[i];
		if (ch == '"')
			break;
		if (ch == '\\') {
			if (i + 1 >= len || (line[i + 1] != '"' && line[i + 1] != '\\')) {
				err(ps, (uint32_t)i + 1,
				    "unknown escape in quoted path (only \\\" and \\\\)");
				return -1;
			}
			ch = line[++i];
		}
		out[n++] = ch;
		i++;
	}
	i++; /* closing quote */
	if (i < len && !is_space(line[i])) {
		err(ps, (uint32_t)i + 1, "expected a space after the closing quote");
		return -1;
	}
	out[n] = '\0';
	*outlen = n;
	*pos = i;
	return 0;
}

/* Split a line into tokens (comments start with '#' at a token start). */
static int lex_line(struct parser *ps, const char *line, size_t len)
{
	char *out = ps->buf;
	size_t pos = 0;

	ps->ntok = 0;
	for (;;) {
		while (pos < len && is_space(line[pos]))
			pos++;
		if (pos >= len || line[pos] == '#')
			return 0;
		struct token t = {.v = out, .col = (uint32_t)pos + 1, .quoted = line[pos] == '"'};
		if (t.quoted) {
			if (lex_quoted(ps, line, len, &pos, out, &t.len) < 0)
				return -1;
		} else {
			size_t start = pos;
			while (pos < len && !is_space(line[pos])) {
				if (line[pos] == '"' || line[pos] == '\\') {
					err(ps, (uint32_t)pos + 1,
					    "'%c' outside quotes (quote the whole path)",
					    line[pos]);
					return -1;
				}
				pos++;
			}
			t.len = pos - start;
			memcpy(out, line + start, t.len);
			out[t.len] = '\0';
		}
		out += t.len + 1;
		if (ps->ntok < MAX_TOKENS)
			ps->tok[ps->ntok] = t;
		ps->ntok++;
	}
}

/* ---- values ---- */

/* Decimal without sign; 0 or -1 (-2 when out of range). */
static int parse_num(const struct token *t, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (t->quoted || t->len == 0)
		return -1;
	for (size_t i = 0; i < t->len; i++) {
		if (t->v[i] < '0' || t->v[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(t->v[i] - '0');
		if (v > max)
			return -2;
	}
	*out = v;
	return 0;
}

/*
 * Check and normalise a path token.  Only absolute paths without '.', '..'
 * or empty components are accepted: the monitor resolves them in the
 * guest's view, where '..' after a symlink does not mean what it looks
 * like, so the text must name one place unambiguously.
 * Returns a malloc'd path (no trailing '/', except "/"), or NULL.
 */
static char *parse_path(struct parser *ps, const struct token *t, bool *subtree)
{
	const char *v = t->v;
	size_t len = t->len;

	if (len == 0) {
		err(ps, t->col, "empty path");
		return NULL;
	}
	if (v[0] != '/') {
		err(ps, t->col, "relative path '%.64s' (paths must start with '/')", v);
		return NULL;
	}
	if (len > POLICY_PATH_MAX) {
		err(ps, t->col, "path longer than %d bytes", POLICY_PATH_MAX);
		return NULL;
	}
	*subtree = v[len - 1] == '/';
	if (len > 1 && *subtree) {
		len--;
		if (len == 1 || v[len - 1] == '/') { /* "//", "/a//" */
			err(ps, t->col, "empty component ('//') in path");
			return NULL;
		}
	}
	for (size_t i = 1; i < len;) {
		size_t j = i;
		while (j < len && v[j] != '/')
			j++;
		size_t clen = j - i;
		if (clen == 0) {
			err(ps, t->col, "empty component ('//') in path");
			return NULL;
		}
		if ((clen == 1 && v[i] == '.') || (clen == 2 && v[i] == '.' && v[i + 1] == '.')) {
			err(ps, t->col, "'.' or '..' component in path (write the path it means)");
			return NULL;
		}
		if (clen > POLICY_NAME_MAX) {
			err(ps, t->col, "path component longer than %d bytes", POLICY_NAME_MAX);
			return NULL;
		}
		i = j + 1;
	}
	char *s = strndup(v, len);
	if (!s)
		ps->oom = true;
	return s;
}

/* Subject: a uid as the guest sees it, or '*'. */
static int parse_subject(struct parser *ps, const struct token *t, uint32_t *uid)
{
	uint64_t v;

	if (!t->quoted && t->len == 1 && t->v[0] == '*') {
		*uid = POLICY_UID_ANY;
		return 0;
	}
	int r = parse_num(t, UID_MAX_VALID, &v);
	if (r == -2) {
		err(ps, t->col, "uid out of range (0..4294967294)");
		return -1;
	}
	if (r < 0) {
		err(ps, t->col, "invalid subject '%.64s' (expected a numeric uid or '*')", t->v);
		return -1;
	}
	*uid = (uint32_t)v;
	return 0;
}

static int parse_perms(struct parser *ps, const struct token *t, uint8_t *perms, bool *deny)
{
	size_t i = 0;
	int bad = 0;

	*perms = 0;
	*deny = false;
	if (t->v[0] == '+' || t->v[0] == '-') {
		*deny = t->v[0] == '-';
		i = 1;
	}
	if (i == t->len) {
		err(ps, t->col, "missing permissions after '%c' (expected r, w or a)", t->v[0]);
		return -1;
	}
	for (; i < t->len; i++) {
		char ch = t->v[i];
		uint8_t bit = ch == 'r'	  ? POLICY_R
			      : ch == 'w' ? POLICY_W
			      : ch == 'a' ? POLICY_A
					  : 0;
		if (!bit) {
			if ((unsigned char)ch >= 0x21 && (unsigned char)ch < 0x7f)
				err(ps, t->col + (uint32_t)i,
				    "unknown permission '%c' (expected r, w or a)", ch);
			else
				err(ps, t->col + (uint32_t)i,
				    "unknown permission byte 0x%02x (expected r, w or a)",
				    (unsigned char)ch);
			bad = -1;
			continue;
		}
		if (*perms & bit) {
			err(ps, t->col + (uint32_t)i, "duplicate permission '%c'", ch);
			bad = -1;
		}
		*perms |= bit;
	}
	return bad;
}

/* Report tokens beyond the expected @n. */
static int check_trailing(struct parser *ps, size_t n, const char *after)
{
	if (ps->ntok <= n)
		return 0;
	err(ps, ps->tok[n].col, "unexpected '%.32s' after the %s", ps->tok[n].v, after);
	return -1;
}

static bool need(struct parser *ps, size_t i, const char *what)
{
	if (ps->ntok > i)
		return true;
	err(ps, eol_col(ps), "missing %s", what);
	return false;
}

/* ---- growing arrays ---- */

static void *grow(struct parser *ps, void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	size_t ncap = *cap ? 2 * *cap : 16;
	void *nv = reallocarray(v, ncap, size);
	if (!nv) {
		ps->oom = true;
		return NULL;
	}
	*cap = ncap;
	return nv;
}

/* ---- directives ---- */

static void directive_rule(struct parser *ps)
{
	struct policy *p = ps->p;
	struct policy_rule r = {.line = ps->line};
	int bad = parse_perms(ps, &ps->tok[0], &r.perms, &r.deny);

	if (!need(ps, 1, "path"))
		return;
	r.col = ps->tok[1].col;
	cleanup_free char *path = parse_path(ps, &ps->tok[1], &r.subtree);
	if (!path)
		bad = -1;
	if (!need(ps, 2, "subject (a numeric uid or '*')"))
		return;
	if (parse_subject(ps, &ps->tok[2], &r.uid) < 0)
		bad = -1;
	if (check_trailing(ps, 3, "subject") < 0 || bad < 0)
		return;
	struct policy_rule *v = grow(ps, p->rules, p->nrules, &ps->cap_rules, sizeof(*v));
	if (!v)
		return;
	p->rules = v;
	r.path = steal_pointer(&path);
	v[p->nrules++] = r;
}

/* A once-only two-word directive: "default allow|deny", "blp off|on". */
static void directive_switch(struct parser *ps, const char *missing, const char *what,
			     const char *no, const char *yes, bool *value, unsigned *line)
{
	if (!need(ps, 1, missing))
		return;
	const struct token *t = &ps->tok[1];
	bool on = !strcmp(t->v, yes);
	if (t->quoted || (!on && strcmp(t->v, no))) {
		err(ps, t->col, "invalid %s '%.32s' (expected %s or %s)", ps->tok[0].v, t->v, no,
		    yes);
		return;
	}
	if (check_trailing(ps, 2, what) < 0)
		return;
	if (*line) {
		err(ps, ps->tok[0].col, "duplicate '%s' (first at line %u)", ps->tok[0].v, *line);
		return;
	}
	*value = on;
	*line = ps->line;
}

static void directive_default(struct parser *ps)
{
	directive_switch(ps, "value after 'default' (allow or deny)", "default value", "allow",
			 "deny", &ps->p->default_deny, &ps->p->default_line);
}

static void directive_blp(struct parser *ps)
{
	directive_switch(ps, "value after 'blp' (on or off)", "blp value", "off", "on", &ps->p->blp,
			 &ps->p->blp_line);
}

static void directive_level(struct parser *ps)
{
	struct policy *p = ps->p;
	struct policy_level l = {.line = ps->line};
	uint64_t n = 0;
	int bad = 0;

	if (!need(ps, 1, "path after 'level'"))
		return;
	l.col = ps->tok[1].col;
	cleanup_free char *path = parse_path(ps, &ps->tok[1], &l.subtree);
	if (!path)
		bad = -1;
	if (!need(ps, 2, "level (0..255 or '-')"))
		return;
	const struct token *t = &ps->tok[2];
	l.vcol = t->col;
	if (!t->quoted && t->len == 1 && t->v[0] == '-') {
		l.level = POLICY_LEVEL_EXEMPT;
	} else {
		int r = parse_num(t, POLICY_LEVEL_MAX, &n);
		if (r == -2)
			err(ps, t->col, "level out of range (0..255)");
		else if (r < 0)
			err(ps, t->col, "invalid level '%.32s' (expected 0..255 or '-')", t->v);
		if (r < 0)
			bad = -1;
		l.level = (int16_t)n;
	}
	if (check_trailing(ps, 3, "level") < 0 || bad < 0)
		return;
	struct policy_level *v = grow(ps, p->levels, p->nlevels, &ps->cap_levels, sizeof(*v));
	if (!v)
		return;
	p->levels = v;
	l.path = steal_pointer(&path);
	v[p->nlevels++] = l;
}

static void directive_clearance(struct parser *ps)
{
	struct policy *p = ps->p;
	struct policy_clearance c = {.line = ps->line};
	uint64_t n = 0, uid = 0;
	int bad = 0, r;

	if (!need(ps, 1, "uid after 'clearance'"))
		return;
	const struct token *t = &ps->tok[1];
	r = parse_num(t, UID_MAX_VALID, &uid);
	if (r == -2) {
		err(ps, t->col, "uid out of range (0..4294967294)");
		bad = -1;
	} else if (r < 0) {
		err(ps, t->col, "invalid uid '%.32s' (clearance needs a numeric uid)", t->v);
		bad = -1;
	}
	if (!need(ps, 2, "clearance level (0..255)"))
		return;
	t = &ps->tok[2];
	c.col = t->col;
	r = parse_num(t, POLICY_LEVEL_MAX, &n);
	if (r == -2) {
		err(ps, t->col, "clearance out of range (0..255)");
		bad = -1;
	} else if (r < 0) {
		err(ps, t->col, "invalid clearance '%.32s' (expected 0..255)", t->v);
		bad = -1;
	}
	if (check_trailing(ps, 3, "clearance") < 0 || bad < 0)
		return;
	struct policy_clearance *v =
		grow(ps, p->clearances, p->nclearances, &ps->cap_clear, sizeof(*v));
	if (!v)
		return;
	p->clearances = v;
	c.uid = (uint32_t)uid;
	c.level = (uint8_t)n;
	v[p->nclearances++] = c;
}

/*
 * A rule starts with a sign, or with permission letters; a short word before
 * a path ("rwx /bin 0") is a rule with a bad letter, a long one a typo'd
 * directive.
 */
static bool looks_like_rule(const struct parser *ps)
{
	const struct token *t = &ps->tok[0];

	if (t->quoted)
		return false;
	if (t->v[0] == '+' || t->v[0] == '-')
		return true;
	if (strspn(t->v, "rwa") == t->len)
		return true;
	return t->len <= 4 && ps->ntok > 1 && (ps->tok[1].quoted || ps->tok[1].v[0] == '/');
}

static void parse_line(struct parser *ps, const char *line, size_t len)
{
	ps->line_len = len;
	if (len > POLICY_LINE_MAX) {
		err(ps, POLICY_LINE_MAX + 1, "line longer than %d bytes", POLICY_LINE_MAX);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			err(ps, (uint32_t)i + 1, "control character 0x%02x", ch);
			return;
		}
	}
	if (lex_line(ps, line, len) < 0 || ps->ntok == 0)
		return;
	const char *d = ps->tok[0].quoted ? "" : ps->tok[0].v;
	if (!strcmp(d, "default"))
		directive_default(ps);
	else if (!strcmp(d, "blp"))
		directive_blp(ps);
	else if (!strcmp(d, "level"))
		directive_level(ps);
	else if (!strcmp(d, "clearance"))
		directive_clearance(ps);
	else if (looks_like_rule(ps))
		directive_rule(ps);
	else
		err(ps, ps->tok[0].col, "unknown directive '%.32s'", ps->tok[0].v);
}

/* ---- whole-file checks ---- */

static int cmp_level(const void *a, const void *b)
{
	const struct policy_level *x = *(const struct policy_level *const *)a;
	const struct policy_level *y = *(const struct policy_level *const *)b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	if (x->subtree != y->subtree)
		return x->subtree ? 1 : -1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static const char *level_str(int level, char buf[8])
{
	if (level == POLICY_LEVEL_EXEMPT)
		return "-";
	snprintf(buf, 8, "%d", level);
	return buf;
}

/*
 * One object (or subtree) has one level: a second, different level for the
 * same path is an error rather than "last wins", so a later line cannot
 * silently declassify.  Identical repeats are dropped.
 */
static void check_levels(struct parser *ps)
{
	struct policy *p = ps->p;
	size_t n = p->nlevels, k = 0;

	if (n < 2)
		return;
	cleanup_free struct policy_level **v = calloc(n, sizeof(*v));
	cleanup_free bool *drop = calloc(n, sizeof(*drop));
	if (!v || !drop) {
		ps->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = &p->levels[i];
	qsort(v, n, sizeof(*v), cmp_level);
	for (size_t i = 1; i < n; i++) {
		const struct policy_level *a = v[i - 1], *b = v[i];
		if (strcmp(a->path, b->path) || a->subtree != b->subtree)
			continue;
		size_t first = i - 1;
		while (first > 0 && !strcmp(v[first - 1]->path, b->path) &&
		       v[first - 1]->subtree == b->subtree)
			first--;
		drop[b - p->levels] = true;
		if (v[first]->level != b->level) {
			char b1[8], b2[8];
			ps->line = b->line;
			err(ps, b->vcol, "conflicting level %s for %.200s%s (line %u sets %s)",
			    level_str(b->level, b1), b->path,
			    b->subtree && strcmp(b->path, "/") ? "/" : "", v[first]->line,
			    level_str(v[first]->level, b2));
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (drop[i])
			free(p->levels[i].path);
		else
			p->levels[k++] = p->levels[i];
	}
	p->nlevels = k;
}

static int cmp_clearance(const void *a, const void *b)
{
	const struct policy_clearance *x = *(const struct policy_clearance *const *)a;
	const struct policy_clearance *y = *(const struct policy_clearance *const *)b;

	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Same rule as levels: one clearance per uid, a conflicting repeat is an error. */
static void check_clearances(struct parser *ps)
{
	struct policy *p = ps->p;
	size_t n = p->nclearances, k = 0;

	if (n < 2)
		return;
	cleanup_free struct policy_clearance **v = calloc(n, sizeof(*v));
	cleanup_free bool *drop = calloc(n, sizeof(*drop));
	if (!v || !drop) {
		ps->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = &p->clearances[i];
	qsort(v, n, sizeof(*v), cmp_clearance);
	for (size_t i = 1, first = 0; i < n; i++) {
		const struct policy_clearance *b = v[i];
		if (v[first]->uid != b->uid) {
			first = i;
			continue;
		}
		drop[b - p->clearances] = true;
		if (v[first]->level != b->level) {
			ps->line = b->line;
			err(ps, b->col, "conflicting clearance %u for uid %u (line %u sets %u)",
			    b->level, b->uid, v[first]->line, v[first]->level);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!drop[i])
			p->clearances[k++] = p->clearances[i];
	p->nclearances = k;
}

static int cmp_error(const void *a, const void *b)
{
	const struct policy_error *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return strcmp(x->msg, y->msg);
}

void policy_errors_sort(struct policy_errors *e)
{
	if (e && e->n)
		qsort(e->v, e->n, sizeof(e->v[0]), cmp_error);
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nrules; i++)
		free(p->rules[i].path);
	for (size_t i = 0; i < p->nlevels; i++)
		free(p->levels[i].path);
	free(p->rules);
	free(p->levels);
	free(p->clearances);
	free(p->file);
	free(p);
}

int policy_parse(const char *file_name, const char *text, size_t len, struct policy **out,
		 struct policy_errors *errs)
{
	cleanup_free struct parser *ps = calloc(1, sizeof(*ps));
	struct policy *p;

	*out = NULL;
	if (len > POLICY_FILE_MAX)
		return -EFBIG;
	if (!ps)
		return -ENOMEM;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->file = strdup(file_name ? file_name : "-"))) {
		policy_free(p);
		return -ENOMEM;
	}
	ps->p = p;
	ps->errs = errs;
	for (size_t pos = 0; pos < len && !ps->oom;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, l = end - pos;
		ps->line++;
		if (l > 0 && text[end - 1] == '\r') /* CRLF files are accepted */
			l--;
		parse_line(ps, text + pos, l);
		pos = end + 1;
	}
	if (!ps->oom) {
		check_levels(ps);
		check_clearances(ps);
	}
	policy_errors_sort(errs);
	if (ps->oom || ps->nerr) {
		policy_free(p);
		return ps->oom ? -ENOMEM : -EINVAL;
	}
	*out = p;
	return 0;
}

int policy_parse_file(const char *path, struct policy **out, struct policy_errors *errs)
{
	cleanup_free char *buf = NULL;
	size_t cap = 1 << 16, len = 0;

	*out = NULL;
	/* Symlinks are followed: the administrator names the file, the guest cannot touch it. */
	cleanup_fd int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (len == cap || !buf) {
			/* Read at most one byte past the cap, then refuse. */
			if (buf)
				cap = cap * 2 > POLICY_FILE_MAX + 1 ? POLICY_FILE_MAX + 1 : cap * 2;
			char *nb = realloc(buf, cap);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		ssize_t n = util_read_full(fd, buf + len, cap - len);
		if (n < 0)
			return (int)n;
		len += (size_t)n;
		if (len > POLICY_FILE_MAX)
			return -EFBIG;
		if (n == 0 || len < cap)
			break;
	}
	return policy_parse(path, buf, len, out, errs);
}
