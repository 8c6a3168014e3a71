/* verify.c - evidence-log verifier: chain, sequence, signatures, key evolution, anchors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "evlog/format.h"
#include "util/util.h"

typedef unsigned long long ull;

struct vstate {
	struct evlog_win win;
	const struct evlog_anchors *anchors;
	struct evlog_verify_result *res;
	struct evlog_header hdr;
	size_t ai;			/* next anchor to meet */
	uint64_t expect;		/* sequence number the next record must carry */
	uint64_t off;			/* offset of the next record */
	uint64_t prev_off;		/* offset of the last verified record */
	uint8_t head[EVLOG_HASH_BYTES]; /* verified chain head so far */
	uint64_t epoch;			/* epoch of the key that must sign the next checkpoint */
	uint8_t pk[EVLOG_PUBKEY_BYTES];
	struct evlog_rec_view v;
};

__attribute__((format(printf, 5, 6))) static int
damage(struct vstate *st, enum evlog_damage d, uint64_t seq, uint64_t off, const char *fmt, ...)
{
	va_list ap;

	st->res->damage = d;
	st->res->bad_seq = seq;
	st->res->bad_offset = off;
	va_start(ap, fmt);
	vsnprintf(st->res->detail, sizeof(st->res->detail), fmt, ap);
	va_end(ap);
	return 1;
}

static int check_header(struct vstate *st)
{
	const uint8_t *p;
	ssize_t got = evlog_win_get(&st->win, 0, EVLOG_HDR_SIZE, &p);
	const struct evlog_anchors *a = st->anchors;

	if (got < 0)
		return (int)got;
	if (evlog_header_parse(p, (size_t)got, &st->hdr, st->head) < 0)
		return damage(st, EVLOG_BAD_HEADER, 0, 0,
			      "file header is malformed or does not match its hash");
	memcpy(st->pk, st->hdr.pubkey, sizeof(st->pk));
	if (a && memcmp(a->logid, st->hdr.logid, EVLOG_LOGID_BYTES) != 0)
		return damage(st, EVLOG_WRONG_KEY, 0, 0,
			      "log id in the header differs from the anchors' log id");
	if (a && sodium_memcmp(a->pubkey, st->hdr.pubkey, EVLOG_PUBKEY_BYTES) != 0)
		return damage(
			st, EVLOG_WRONG_KEY, 0, 0,
			"public key in the header differs from the pinned key in the anchors");
	return 0;
}

/* Sequence number of the structurally sound record at @off, or -1. */
static int64_t seq_at(struct vstate *st, uint64_t off, uint32_t *len)
{
	struct evlog_rec_view v;
	int r = evlog_rec_load(&st->win, off, &v);

	if (r != EVLOG_LOAD_OK || v.seq > INT64_MAX)
		return -1;
	*len = v.len;
	return (int64_t)v.seq;
}

/* Does a record with @seq appear from @off on?  Structure only. */
static bool seq_later(struct vstate *st, uint64_t off, uint64_t seq)
{
	uint32_t len;
	int64_t s;

	while ((s = seq_at(st, off, &len)) >= 0) {
		if ((uint64_t)s == seq)
			return true;
		off += len;
	}
	return false;
}

/* A self-consistent record with the wrong sequence number: say what happened. */
static int classify_seq(struct vstate *st)
{
	uint64_t seq = st->v.seq, e = st->expect, off = st->off, end = off + st->v.len;
	uint32_t len;
	int64_t next;

	if (seq > e) {
		if (seq_later(st, end, e))
			return damage(st, EVLOG_REORDERED, e, off,
				      "record %llu at offset %llu stands where %llu belongs; %llu "
				      "comes later",
				      (ull)seq, (ull)off, (ull)e, (ull)e);
		return damage(st, EVLOG_DELETED, e, off,
			      "records %llu..%llu are missing before offset %llu", (ull)e,
			      (ull)(seq - 1), (ull)off);
	}
	next = seq_at(st, end, &len);
	if (seq + 1 == e || next < 0 || (uint64_t)next == e)
		return damage(st, EVLOG_INSERTED, e, off,
			      "extra record with seq %llu at offset %llu where %llu belongs",
			      (ull)seq, (ull)off, (ull)e);
	return damage(st, EVLOG_REORDERED, e, off,
		      "record %llu at offset %llu stands where %llu belongs", (ull)seq, (ull)off,
		      (ull)e);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* Field layout of a checkpoint is fixed; anything else cannot carry a valid seal. */
static bool ck_fields_ok(const struct evlog_rec_view *v)
{
	static const struct {
		uint16_t tag;
		uint32_t len;
	} want[EVLOG_CK_NFIELDS] = {
		{EVLOG_TAG_CK_EPOCH, 8},
		{EVLOG_TAG_CK_NEXT, EVLOG_PUBKEY_BYTES},
		{EVLOG_TAG_CK_FINAL, 1},
		{EVLOG_TAG_CK_SIG, EVLOG_SIG_BYTES},
	};

	if (v->nfields != EVLOG_CK_NFIELDS)
		return false;
	for (size_t i = 0; i < EVLOG_CK_NFIELDS; i++)
		if (v->fields[i].tag != want[i].tag || v->fields[i].len != want[i].len)
			return false;
	return true;
}

static int check_checkpoint(struct vstate *st)
{
	const struct evlog_rec_view *v = &st->v;
	const uint8_t *next, *sig;
	struct evlog_ck_msg m;
	uint64_t epoch;
	uint8_t final;

	if (!ck_fields_ok(v))
		return damage(st, EVLOG_BAD_SIGNATURE, st->expect, st->off,
			      "checkpoint %llu is malformed and carries no valid signature",
			      (ull)st->expect);
	epoch = get_le64(v->fields[0].data);
	next = v->fields[1].data;
	final = *(const uint8_t *)v->fields[2].data;
	sig = v->fields[3].data;
	if (epoch != st->epoch || final > 1 || (final && !all_zero(next, EVLOG_PUBKEY_BYTES)))
		return damage(st, EVLOG_BAD_SIGNATURE, st->expect, st->off,
			      "checkpoint %llu breaks key evolution (epoch %llu, expected %llu)",
			      (ull)st->expect, (ull)epoch, (ull)st->epoch);
	evlog_ck_msg_build(&m, st->hdr.logid, v->seq, v->time_ns, epoch, st->head, next, final);
	if (crypto_sign_verify_detached(sig, (const uint8_t *)&m, sizeof(m), st->pk) != 0)
		return damage(st, EVLOG_BAD_SIGNATURE, st->expect, st->off,
			      "signature of checkpoint %llu (epoch %llu) does not verify: it or "
			      "the records it seals were rewritten",
			      (ull)st->expect, (ull)epoch);
	memcpy(st->pk, next, sizeof(st->pk));
	st->epoch++;
	st->res->sealed_seq = v->seq;
	st->res->final = final;
	return 0;
}

static int check_anchors(struct vstate *st)
{
	const struct evlog_anchors *a = st->anchors;

	for (; a && st->ai < a->n && a->v[st->ai].seq == st->expect; st->ai++)
		if (sodium_memcmp(a->v[st->ai].head, st->v.head, EVLOG_HASH_BYTES) != 0)
			return damage(st, EVLOG_MODIFIED, st->expect, st->off,
				      "record %llu differs from its anchor: the log was rewritten "
				      "after it was anchored",
				      (ull)st->expect);
	return 0;
}

static int check_record(struct vstate *st)
{
	const struct evlog_rec_view *v = &st->v;
	uint8_t h[EVLOG_HASH_BYTES];

	crypto_generichash(h, sizeof(h), v->bytes, v->len - EVLOG_HASH_BYTES, NULL, 0);
	if (sodium_memcmp(h, v->head, sizeof(h)) != 0)
		return damage(
			st, EVLOG_MODIFIED, st->expect, st->off,
			"record at offset %llu (seq %llu expected) does not match its chain hash",
			(ull)st->off, (ull)st->expect);
	if (v->seq != st->expect)
		return classify_seq(st);
	if (sodium_memcmp(v->prev, st->head, EVLOG_HASH_BYTES) != 0) {
		if (st->expect == 0)
			return damage(st, EVLOG_MODIFIED, 0, st->off,
				      "record 0 does not chain to the file header");
		return damage(st, EVLOG_MODIFIED, st->expect - 1, st->prev_off,
			      "record %llu does not chain to record %llu: %llu was rewritten",
			      (ull)st->expect, (ull)st->expect - 1, (ull)st->expect - 1);
	}
	if (v->kind == EVLOG_CHECKPOINT) {
		int r = check_checkpoint(st);
		if (r)
			return r;
	}
	return check_anchors(st);
}

static void advance(struct vstate *st)
{
	memcpy(st->head, st->v.head, EVLOG_HASH_BYTES);
	st->res->records++;
	st->res->last_seq = st->v.seq;
	st->prev_off = st->off;
	st->off += st->v.len;
	st->expect++;
}

static int tail_size(struct vstate *st)
{
	struct stat sb;

	if (fstat(st->win.fd, &sb) < 0)
		return -errno;
	st->res->tail_bytes = (uint64_t)sb.st_size > st->off ? (uint64_t)sb.st_size - st->off : 0;
	return 0;
}

static int walk(struct vstate *st)
{
	for (;;) {
		int r = evlog_rec_load(&st->win, st->off, &st->v);

		if (r < 0)
			return r;
		if (r == EVLOG_LOAD_EOF)
			return 0;
		if (st->res->final)
			return damage(st, EVLOG_INSERTED, st->expect, st->off,
				      "data at offset %llu after the final checkpoint %llu",
				      (ull)st->off, (ull)st->res->sealed_seq);
		if (r == EVLOG_LOAD_PARTIAL)
			return tail_size(st);
		if (r == EVLOG_LOAD_MALFORMED)
			return damage(
				st, EVLOG_MODIFIED, st->expect, st->off,
				"record at offset %llu (seq %llu expected) is structurally corrupt",
				(ull)st->off, (ull)st->expect);
		r = check_record(st);
		if (r)
			return r;
		advance(st);
	}
}

static void describe_end(struct vstate *st)
{
	struct evlog_verify_result *res = st->res;
	uint64_t first_unsealed = res->sealed_seq + 1; /* UINT64_MAX + 1 == 0: none sealed */
	char tail[64] = "";

	if (res->tail_bytes)
		snprintf(tail, sizeof(tail), "; %llu bytes of a partial record follow",
			 (ull)res->tail_bytes);
	if (res->final)
		snprintf(res->detail, sizeof(res->detail),
			 "intact: %llu records, sealed by the final checkpoint %llu",
			 (ull)res->records, (ull)res->sealed_seq);
	else if (res->records == 0)
		snprintf(res->detail, sizeof(res->detail),
			 "log ends at offset %llu with no records, not closed%s", (ull)st->off,
			 tail);
	else if (first_unsealed > res->last_seq)
		snprintf(res->detail, sizeof(res->detail),
			 "log ends at offset %llu after record %llu, not closed; all records are "
			 "sealed by checkpoint %llu%s",
			 (ull)st->off, (ull)res->last_seq, (ull)res->sealed_seq, tail);
	else
		snprintf(res->detail, sizeof(res->detail),
			 "log ends at offset %llu after record %llu, not closed; records "
			 "%llu..%llu are not covered by a signed checkpoint%s",
			 (ull)st->off, (ull)res->last_seq, (ull)first_unsealed, (ull)res->last_seq,
			 tail);
}

static int check_end(struct vstate *st)
{
	const struct evlog_anchors *a = st->anchors;
	uint64_t newest;

	if (!a || st->ai >= a->n)
		return 0;
	newest = a->v[a->n - 1].seq;
	if (st->res->tail_bytes)
		return damage(st, EVLOG_TRUNCATED, st->expect, st->off,
			      "log is cut at offset %llu (%llu partial bytes) before anchored "
			      "checkpoint %llu",
			      (ull)st->off, (ull)st->res->tail_bytes, (ull)newest);
	return damage(st, EVLOG_ROLLED_BACK, st->expect, st->off,
		      "log ends cleanly at record %llu but the anchors show checkpoint %llu: an "
		      "older copy",
		      (ull)st->res->last_seq, (ull)newest);
}

static int anchors_sorted(const struct evlog_anchors *a)
{
	if (!a)
		return 1;
	if (a->n && !a->v)
		return 0;
	for (size_t i = 1; i < a->n; i++)
		if (a->v[i].seq <= a->v[i - 1].seq)
			return 0;
	return 1;
}

/**
 * evlog_verify - verify a whole log; see docs/FORMAT.md for the classes.
 * @fd: the log, read with pread (its position is not used)
 * @anchors: pinned key and checkpoint heads, or NULL
 * @res: result; the first problem found wins
 *
 * Returns 0 when the check ran (see @res->damage), -EINVAL if @anchors are
 * not in strictly increasing seq order, -ENOMEM, or the -errno of a read.
 */
int evlog_verify(int fd, const struct evlog_anchors *anchors, struct evlog_verify_result *res)
{
	struct vstate st;
	int r;

	memset(res, 0, sizeof(*res));
	res->damage = EVLOG_INTACT;
	res->last_seq = UINT64_MAX;
	res->sealed_seq = UINT64_MAX;
	if (!anchors_sorted(anchors))
		return -EINVAL;
	if (sodium_init() < 0)
		return -ENOSYS;
	memset(&st, 0, sizeof(st));
	evlog_win_init(&st.win, fd);
	st.anchors = anchors;
	st.res = res;
	st.off = EVLOG_HDR_SIZE;
	r = check_header(&st);
	if (r == 0)
		r = walk(&st);
	if (r == 0)
		r = check_end(&st);
	if (r == 0)
		describe_end(&st);
	evlog_win_release(&st.win);
	return r < 0 ? r : 0;
}
