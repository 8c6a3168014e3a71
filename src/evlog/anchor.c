/* anchor.c - strict parser for anchor files (pinned keys and checkpoint heads of many logs). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evlog/format.h"
#include "util/util.h"

#define PREFIX "vmmsec-anchor 1 logid="
#define READ_CHUNK (64u << 10)

/* One parsed line.  Either a header (pubkey) or a checkpoint (seq, head). */
struct aline {
	uint8_t logid[EVLOG_LOGID_BYTES];
	bool is_header;
	uint8_t key[EVLOG_HASH_BYTES]; /* pubkey or head: both 32 bytes */
	uint64_t seq;
	unsigned seq_col;
};
_Static_assert(EVLOG_HASH_BYTES == EVLOG_PUBKEY_BYTES, "shared key/head buffer");

/* Parse sequential pieces of a line; on failure *col is the 1-based bad column. */
struct cursor {
	const char *s;
	size_t n, pos;
	unsigned col;
};

static bool fail_at(struct cursor *c, size_t pos)
{
	c->col = (unsigned)pos + 1;
	return false;
}

static bool lit(struct cursor *c, const char *word)
{
	for (size_t i = 0; word[i]; i++)
		if (c->pos + i >= c->n || c->s[c->pos + i] != word[i])
			return fail_at(c, c->pos + i);
	c->pos += strlen(word);
	return true;
}

static bool hex(struct cursor *c, uint8_t *out, size_t bytes)
{
	size_t digits = 2 * bytes;
	int bad;

	for (size_t i = 0; i < digits; i++)
		if (c->pos + i >= c->n)
			return fail_at(c, c->pos + i);
	bad = evlog_hex_decode(c->s + c->pos, digits, out);
	if (bad)
		return fail_at(c, c->pos + (size_t)bad - 1);
	c->pos += digits;
	return true;
}

/* Decimal without sign, without leading zeros, without overflow. */
static bool dec(struct cursor *c, uint64_t *out)
{
	size_t start = c->pos;
	uint64_t v = 0;

	while (c->pos < c->n && c->s[c->pos] >= '0' && c->s[c->pos] <= '9') {
		unsigned d = (unsigned)(c->s[c->pos] - '0');

		if (c->pos > start && v == 0)
			return fail_at(c, c->pos); /* leading zero */
		if (v > (UINT64_MAX - d) / 10)
			return fail_at(c, c->pos);
		v = v * 10 + d;
		c->pos++;
	}
	if (c->pos == start)
		return fail_at(c, c->pos);
	*out = v;
	return true;
}

static bool at_end(struct cursor *c)
{
	return c->pos == c->n ? true : fail_at(c, c->pos);
}

static bool parse_line(const char *s, size_t n, struct aline *l, unsigned *col)
{
	struct cursor c = {.s = s, .n = n};
	bool ok;

	memset(l, 0, sizeof(*l));
	ok = lit(&c, PREFIX) && hex(&c, l->logid, EVLOG_LOGID_BYTES) && lit(&c, " ");
	if (ok && c.pos < n && s[c.pos] == 'p') {
		l->is_header = true;
		ok = lit(&c, "pubkey=") && hex(&c, l->key, EVLOG_PUBKEY_BYTES) && at_end(&c);
	} else if (ok) {
		ok = lit(&c, "ckpt=");
		l->seq_col = (unsigned)c.pos + 1;
		ok = ok && dec(&c, &l->seq) && lit(&c, " head=") &&
		     hex(&c, l->key, EVLOG_HASH_BYTES) && at_end(&c);
	}
	*col = c.col;
	return ok;
}

static int push_anchor(struct evlog_anchors *a, const struct aline *l, size_t *cap)
{
	if (a->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct evlog_anchor *nv = reallocarray(a->v, ncap, sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		a->v = nv;
		*cap = ncap;
	}
	memcpy(a->v[a->n].logid, l->logid, EVLOG_LOGID_BYTES);
	a->v[a->n].seq = l->seq;
	memcpy(a->v[a->n].head, l->key, EVLOG_HASH_BYTES);
	a->n++;
	return 0;
}

struct loader {
	const uint8_t *logid; /* NULL: collect every log id (ids, nids) instead */
	struct evlog_anchors *out;
	uint8_t (*ids)[EVLOG_LOGID_BYTES];
	size_t nids, capids;
	size_t cap;
	bool have_header;
	unsigned line;
	unsigned err_col;
};

static int collect_id(struct loader *ld, const uint8_t *id)
{
	if (ld->nids == ld->capids) {
		size_t ncap = ld->capids ? ld->capids * 2 : 16;
		uint8_t(*nv)[EVLOG_LOGID_BYTES] = reallocarray(ld->ids, ncap, sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		ld->ids = nv;
		ld->capids = ncap;
	}
	memcpy(ld->ids[ld->nids++], id, EVLOG_LOGID_BYTES);
	return 0;
}

/* Apply one line; lines of other logs are syntax-checked and skipped. */
static int take_line(struct loader *ld, const char *s, size_t n)
{
	struct aline l;

	if (!parse_line(s, n, &l, &ld->err_col))
		return -EBADMSG;
	if (!ld->logid)
		return l.is_header ? collect_id(ld, l.logid) : 0;
	if (memcmp(l.logid, ld->logid, EVLOG_LOGID_BYTES) != 0)
		return 0;
	if (l.is_header) {
		/* A second header could re-pin the key: refuse it. */
		if (ld->have_header) {
			ld->err_col = 1;
			return -EBADMSG;
		}
		ld->have_header = true;
		memcpy(ld->out->logid, l.logid, EVLOG_LOGID_BYTES);
		memcpy(ld->out->pubkey, l.key, EVLOG_PUBKEY_BYTES);
		return 0;
	}
	if (!ld->have_header) {
		ld->err_col = 1;
		return -EBADMSG;
	}
	if (ld->out->n && l.seq <= ld->out->v[ld->out->n - 1].seq) {
		ld->err_col = l.seq_col;
		return -EBADMSG;
	}
	return push_anchor(ld->out, &l, &ld->cap);
}

/* Feed whole lines from buf; returns bytes consumed or -errno. */
static ssize_t take_lines(struct loader *ld, const char *buf, size_t len)
{
	size_t pos = 0;

	for (;;) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		int r;

		if (!nl) {
			if (len - pos > EVLOG_ANCHOR_LINE_MAX) {
				ld->line++;
				ld->err_col = EVLOG_ANCHOR_LINE_MAX + 1;
				return -EBADMSG;
			}
			return (ssize_t)pos;
		}
		ld->line++;
		if ((size_t)(nl - (buf + pos)) > EVLOG_ANCHOR_LINE_MAX) {
			ld->err_col = EVLOG_ANCHOR_LINE_MAX + 1;
			return -EBADMSG;
		}
		r = take_line(ld, buf + pos, (size_t)(nl - (buf + pos)));
		if (r < 0)
			return r;
		pos = (size_t)(nl - buf) + 1;
	}
}

/* Read from offset 0 whatever the fd's position (the writer's fd is O_APPEND); pipes too. */
static ssize_t read_at(int fd, char *buf, size_t len, off_t off, bool *stream)
{
	ssize_t n;

	if (!*stream) {
		n = RETRY_EINTR(pread(fd, buf, len, off));
		if (n >= 0 || errno != ESPIPE)
			return n < 0 ? -errno : n;
		*stream = true;
	}
	n = RETRY_EINTR(read(fd, buf, len));
	return n < 0 ? -errno : n;
}

static int load(int fd, struct loader *ld)
{
	char buf[READ_CHUNK];
	size_t have = 0;
	off_t off = 0;
	bool stream = false;

	for (;;) {
		ssize_t n = read_at(fd, buf + have, sizeof(buf) - have, off, &stream);
		ssize_t used;

		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		off += n;
		have += (size_t)n;
		used = take_lines(ld, buf, have);
		if (used < 0)
			return (int)used;
		memmove(buf, buf + used, have - (size_t)used);
		have -= (size_t)used;
	}
	if (have) {
		/* Every line is written whole with its newline: a torn line is an error. */
		ld->line++;
		ld->err_col = (unsigned)have + 1;
		return -EBADMSG;
	}
	return ld->have_header || !ld->logid ? 0 : -ENOENT;
}

/**
 * evlog_anchors_load - collect the pinned key and checkpoint heads of one log.
 * @fd: anchor file, read from offset 0 (pread; read for pipes)
 * @logid: the log to select; lines of other logs are checked, then skipped
 * @out: result, release with evlog_anchors_release; zeroed on error
 * @err_line: 1-based line of a syntax error (may be NULL)
 * @err_col: 1-based column of a syntax error (may be NULL)
 *
 * Returns 0; -EBADMSG for a syntax error, torn or over-long line, second
 * header line, checkpoint before its header or non-increasing seq; -ENOENT
 * without a header line for @logid; -ENOMEM; or the -errno of a read.
 */
int evlog_anchors_load(int fd, const uint8_t logid[EVLOG_LOGID_BYTES], struct evlog_anchors *out,
		       unsigned *err_line, unsigned *err_col)
{
	struct loader ld = {.logid = logid, .out = out};
	int r;

	memset(out, 0, sizeof(*out));
	if (err_line)
		*err_line = 0;
	if (err_col)
		*err_col = 0;
	r = load(fd, &ld);
	if (r < 0) {
		if (r == -EBADMSG && err_line)
			*err_line = ld.line;
		if (r == -EBADMSG && err_col)
			*err_col = ld.err_col;
		evlog_anchors_release(out);
	}
	return r;
}

void evlog_anchors_release(struct evlog_anchors *a)
{
	if (!a)
		return;
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/**
 * evlog_anchors_logids - the log ids an anchor file has header lines for.
 * @fd: anchor file, read from offset 0
 * @ids: result array (owned by the caller, free()); NULL when @n is 0
 * @n: number of ids, in file order
 * @err_line, @err_col: location of a syntax error (may be NULL)
 *
 * With it, a verifier notices a log that was deleted whole.  Returns 0,
 * -EBADMSG for any malformed line, -ENOMEM, or the -errno of a read.
 */
int evlog_anchors_logids(int fd, uint8_t (**ids)[EVLOG_LOGID_BYTES], size_t *n, unsigned *err_line,
			 unsigned *err_col)
{
	struct evlog_anchors unused = {0};
	struct loader ld = {.out = &unused};
	int r = load(fd, &ld);

	if (err_line)
		*err_line = r == -EBADMSG ? ld.line : 0;
	if (err_col)
		*err_col = r == -EBADMSG ? ld.err_col : 0;
	if (r < 0) {
		free(ld.ids);
		*ids = NULL;
		*n = 0;
		return r;
	}
	*ids = ld.ids;
	*n = ld.nids;
	return 0;
}
