/* writer.c - evidence-log writer: group-committed records, signed checkpoints, key evolution. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "evlog/format.h"
#include "util/util.h"

#define BATCH_INITIAL (64u << 10)
/* Bound the memory a burst can pin: flush early past this many bytes. */
#define BATCH_FLUSH_AT (4u << 20)
#define CHECKPOINT_DEFAULT 1000

/*
 * Secret keys live only here: guarded, locked, non-dumpable pages from
 * sodium_malloc, kept PROT_NONE except while a checkpoint is being signed.
 */
struct evlog_keys {
	uint8_t sk[crypto_sign_SECRETKEYBYTES]; /* current epoch */
	uint8_t next_sk
		[crypto_sign_SECRETKEYBYTES]; /* next epoch, certified by the next checkpoint */
	uint8_t next_pk[crypto_sign_PUBLICKEYBYTES];
};

struct evlog_writer {
	int fd;
	int dirfd;
	int anchor_fd;
	enum evlog_sync sync;
	unsigned every;
	bool dead;   /* a write failed: fail closed from now on */
	bool closed; /* the final checkpoint was written */
	char name[64];
	uint8_t logid[EVLOG_LOGID_BYTES];
	uint8_t pubkey[EVLOG_PUBKEY_BYTES];
	uint8_t head[EVLOG_HASH_BYTES];
	uint64_t seq;
	uint64_t unsealed;
	uint64_t epoch;
	uint8_t *batch;
	size_t blen, bcap;
	struct evlog_keys *keys;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int fail(struct evlog_writer *w, int err)
{
	w->dead = true;
	return err < 0 ? err : -EIO;
}

static int sync_fd(int fd)
{
	return RETRY_EINTR(fdatasync(fd)) < 0 ? -errno : 0;
}

static int batch_reserve(struct evlog_writer *w, size_t more)
{
	size_t cap = w->bcap ? w->bcap : BATCH_INITIAL;
	uint8_t *nb;

	while (cap - w->blen < more)
		cap *= 2;
	if (cap == w->bcap)
		return 0;
	nb = realloc(w->batch, cap);
	if (!nb)
		return -ENOMEM;
	w->batch = nb;
	w->bcap = cap;
	return 0;
}

/* Serialize one record into the batch and advance the chain: no syscall, no allocation usually. */
static int emit(struct evlog_writer *w, uint16_t kind, int64_t t, const struct evlog_field *fields,
		size_t nfields)
{
	size_t len = EVLOG_REC_MIN;
	struct evlog_disk_rec *r;
	uint8_t *p;
	int ret;

	for (size_t i = 0; i < nfields; i++)
		len += sizeof(struct evlog_disk_field) + fields[i].len;
	ret = batch_reserve(w, len);
	if (ret < 0)
		return ret;
	p = w->batch + w->blen;
	r = (struct evlog_disk_rec *)p;
	put_le32(r->len, (uint32_t)len);
	put_le32(r->len_inv, ~(uint32_t)len);
	put_le64(r->seq, w->seq);
	put_le64(r->time_ns, (uint64_t)t);
	put_le16(r->kind, kind);
	put_le16(r->nfields, (uint16_t)nfields);
	put_le32(r->flags, 0);
	memcpy(r->prev, w->head, EVLOG_HASH_BYTES);
	p += sizeof(*r);
	for (size_t i = 0; i < nfields; i++) {
		struct evlog_disk_field *f = (struct evlog_disk_field *)p;

		put_le16(f->tag, fields[i].tag);
		put_le32(f->len, fields[i].len);
		p += sizeof(*f);
		if (fields[i].len)
			memcpy(p, fields[i].data, fields[i].len);
		p += fields[i].len;
	}
	crypto_generichash(w->head, EVLOG_HASH_BYTES, w->batch + w->blen, len - EVLOG_HASH_BYTES,
			   NULL, 0);
	memcpy(p, w->head, EVLOG_HASH_BYTES);
	w->blen += len;
	w->seq++;
	return 0;
}

/* Write the batch in one go; any failure kills the writer (the caller fails closed). */
static int write_batch(struct evlog_writer *w)
{
	int r;

	if (w->blen == 0)
		return 0;
	r = util_write_all(w->fd, w->batch, w->blen);
	if (r < 0)
		return fail(w, r);
	w->blen = 0;
	return 0;
}

/**
 * evlog_flush - group commit: write the whole batch with one write(2).
 * @w: writer
 *
 * With EVLOG_SYNC_ALWAYS also fdatasync()s the log.  Returns 0, the -errno
 * of a failed write/fdatasync (the writer is then dead), or -EIO when dead.
 */
int evlog_flush(struct evlog_writer *w)
{
	size_t had;
	int r;

	if (w->dead)
		return -EIO;
	had = w->blen;
	r = write_batch(w);
	if (r < 0)
		return r;
	if (had && w->sync == EVLOG_SYNC_ALWAYS) {
		r = sync_fd(w->fd);
		if (r < 0)
			return fail(w, r);
	}
	return 0;
}

static int anchor_write(struct evlog_writer *w, const char *line, size_t len)
{
	ssize_t n;

	if (w->anchor_fd < 0)
		return 0;
	/* One write(2) per line: O_APPEND keeps lines of several logs whole. */
	n = RETRY_EINTR(write(w->anchor_fd, line, len));
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	if (w->sync != EVLOG_SYNC_NONE)
		return sync_fd(w->anchor_fd);
	return 0;
}

static int sign_checkpoint(struct evlog_writer *w, bool final, int64_t t,
			   uint8_t sig[EVLOG_SIG_BYTES], uint8_t next[EVLOG_PUBKEY_BYTES])
{
	struct evlog_ck_msg m;
	int r = 0;

	if (sodium_mprotect_readwrite(w->keys) < 0)
		return errno ? -errno : -EFAULT;
	memset(next, 0, EVLOG_PUBKEY_BYTES);
	if (!final && crypto_sign_keypair(w->keys->next_pk, w->keys->next_sk) < 0)
		r = -EIO;
	if (r == 0) {
		if (!final)
			memcpy(next, w->keys->next_pk, EVLOG_PUBKEY_BYTES);
		evlog_ck_msg_build(&m, w->logid, w->seq, t, w->epoch, w->head, next, final);
		crypto_sign_detached(sig, NULL, (const uint8_t *)&m, sizeof(m), w->keys->sk);
	}
	/* Forward integrity: the key that signed this epoch is gone from here on. */
	sodium_memzero(w->keys->sk, sizeof(w->keys->sk));
	if (r == 0 && !final)
		memcpy(w->keys->sk, w->keys->next_sk, sizeof(w->keys->sk));
	sodium_memzero(w->keys->next_sk, sizeof(w->keys->next_sk));
	sodium_memzero(w->keys->next_pk, sizeof(w->keys->next_pk));
	sodium_mprotect_noaccess(w->keys);
	return r;
}

static int do_checkpoint(struct evlog_writer *w, bool final)
{
	uint8_t sig[EVLOG_SIG_BYTES], next[EVLOG_PUBKEY_BYTES], ep[8], fin = final;
	char line[EVLOG_ANCHOR_LINE_MAX + 1];
	int64_t t = now_ns();
	uint64_t ck_seq = w->seq;
	struct evlog_field f[EVLOG_CK_NFIELDS] = {
		{EVLOG_TAG_CK_EPOCH, sizeof(ep), ep},
		{EVLOG_TAG_CK_NEXT, sizeof(next), next},
		{EVLOG_TAG_CK_FINAL, 1, &fin},
		{EVLOG_TAG_CK_SIG, sizeof(sig), sig},
	};
	int r, n;

	put_le64(ep, w->epoch);
	r = sign_checkpoint(w, final, t, sig, next);
	if (r < 0)
		return fail(w, r); /* the old key is erased: no further checkpoint is possible */
	r = emit(w, EVLOG_CHECKPOINT, t, f, EVLOG_CK_NFIELDS);
	if (r < 0)
		return fail(w, r);
	w->epoch++;
	w->unsealed = 0;
	if (final)
		w->closed = true;
	r = write_batch(w);
	if (r < 0)
		return r;
	/* The log must be durable before the anchor claims it exists. */
	if (w->sync != EVLOG_SYNC_NONE) {
		r = sync_fd(w->fd);
		if (r < 0)
			return fail(w, r);
	}
	n = evlog_anchor_line_ckpt(line, sizeof(line), w->logid, ck_seq, w->head);
	if (n < 0)
		return fail(w, n);
	r = anchor_write(w, line, (size_t)n);
	return r < 0 ? fail(w, r) : 0;
}

/**
 * evlog_checkpoint - seal the records appended since the last checkpoint.
 * @w: writer
 *
 * Signs a checkpoint with the current epoch key, certifies the next key,
 * erases the current one, writes and (unless EVLOG_SYNC_NONE) syncs the log,
 * then appends the anchor line.  Only flushes when nothing is unsealed.
 * Returns 0, -EINVAL after close, -EIO when dead, or the -errno of the
 * failure that killed the writer.
 */
int evlog_checkpoint(struct evlog_writer *w)
{
	if (w->dead)
		return -EIO;
	if (w->closed)
		return -EINVAL;
	if (w->unsealed == 0)
		return evlog_flush(w); /* nothing new to seal */
	return do_checkpoint(w, false);
}

static int check_fields(uint16_t kind, const struct evlog_field *fields, size_t nfields)
{
	size_t total = EVLOG_REC_MIN;

	if (!evlog_kind_name(kind) || kind == EVLOG_CHECKPOINT)
		return -EINVAL; /* only the writer itself may emit checkpoints */
	if (nfields > EVLOG_MAX_FIELDS)
		return -E2BIG;
	if (nfields && !fields)
		return -EINVAL;
	for (size_t i = 0; i < nfields; i++) {
		if (fields[i].tag >= EVLOG_TAG_RESERVED_LO &&
		    fields[i].tag <= EVLOG_TAG_RESERVED_HI)
			return -EINVAL;
		if (fields[i].len && !fields[i].data)
			return -EINVAL;
		if (fields[i].len > EVLOG_REC_MAX)
			return -E2BIG;
		total += sizeof(struct evlog_disk_field) + fields[i].len;
		if (total > EVLOG_REC_MAX)
			return -E2BIG;
	}
	return 0;
}

/**
 * evlog_append - add one record to the batch (no system call in the common case).
 * @w: writer
 * @kind: a known kind other than EVLOG_CHECKPOINT
 * @fields: @nfields fields, copied
 *
 * Returns 0; -EINVAL for a bad kind, reserved tag (64..79), NULL data or a
 * closed writer; -E2BIG for more than EVLOG_MAX_FIELDS fields or a record
 * over the size cap; -ENOMEM; -EIO when dead; or the -errno of an automatic
 * checkpoint or flush that failed (the record is then in the chain but the
 * writer is dead).
 */
int evlog_append(struct evlog_writer *w, uint16_t kind, const struct evlog_field *fields,
		 size_t nfields)
{
	int r;

	if (w->dead)
		return -EIO;
	if (w->closed)
		return -EINVAL;
	r = check_fields(kind, fields, nfields);
	if (r < 0)
		return r;
	r = emit(w, kind, now_ns(), fields, nfields);
	if (r < 0)
		return r; /* nothing was added: the chain is unchanged */
	w->unsealed++;
	if (w->unsealed >= w->every)
		return do_checkpoint(w, false);
	if (w->blen >= BATCH_FLUSH_AT)
		return evlog_flush(w);
	return 0;
}

/**
 * evlog_writer_close - write the final checkpoint, sync, erase the last key.
 * @w: writer
 *
 * Returns 0, -EINVAL if already closed, -EIO when dead, or the -errno of the
 * failure that killed the writer.  The writer must still be freed.
 */
int evlog_writer_close(struct evlog_writer *w)
{
	int r;

	if (w->dead)
		return -EIO;
	if (w->closed)
		return -EINVAL;
	r = do_checkpoint(w, true);
	if (r < 0)
		return r;
	/* The final key was erased by the checkpoint; release the pages now. */
	sodium_free(w->keys);
	w->keys = NULL;
	return 0;
}

/* ---- creation ---- */

static void make_name(struct evlog_writer *w, int64_t created)
{
	char id[2 * EVLOG_LOGID_BYTES + 1];
	time_t secs = (time_t)(created / 1000000000);
	struct tm tm;

	evlog_hex(w->logid, EVLOG_LOGID_BYTES, id);
	gmtime_r(&secs, &tm);
	snprintf(w->name, sizeof(w->name), "vmmsec-%04d%02d%02dT%02d%02d%02dZ-%.8s.evl",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 id);
}

static void build_header(struct evlog_writer *w, int64_t created, struct evlog_disk_header *h)
{
	memcpy(h->magic, EVLOG_MAGIC, sizeof(h->magic));
	put_le16(h->version, EVLOG_VERSION);
	put_le16(h->header_len, EVLOG_HDR_SIZE);
	put_le32(h->flags, 0);
	memcpy(h->logid, w->logid, EVLOG_LOGID_BYTES);
	memcpy(h->pubkey, w->pubkey, EVLOG_PUBKEY_BYTES);
	put_le64(h->created_ns, (uint64_t)created);
	crypto_generichash(h->hash, EVLOG_HASH_BYTES, (const uint8_t *)h, EVLOG_HDR_HASHED, NULL,
			   0);
	memcpy(w->head, h->hash, EVLOG_HASH_BYTES);
}

static int make_keys(struct evlog_writer *w)
{
	w->keys = sodium_malloc(sizeof(*w->keys));
	if (!w->keys)
		return -ENOMEM;
	sodium_mlock(w->keys, sizeof(*w->keys)); /* best effort; sodium_malloc tried already */
	memset(w->keys, 0, sizeof(*w->keys));
	if (crypto_sign_keypair(w->pubkey, w->keys->sk) < 0)
		return -EIO;
	sodium_mprotect_noaccess(w->keys);
	return 0;
}

/* Make the file and its name durable, then pin the key in the anchor file. */
static int write_start(struct evlog_writer *w, const struct evlog_disk_header *h)
{
	char line[EVLOG_ANCHOR_LINE_MAX + 1];
	int r, n;

	r = util_write_all(w->fd, h, sizeof(*h));
	if (r < 0)
		return r;
	if (w->sync != EVLOG_SYNC_NONE) {
		r = sync_fd(w->fd);
		if (r < 0)
			return r;
		if (RETRY_EINTR(fsync(w->dirfd)) < 0 && errno != EINVAL && errno != EBADF)
			return -errno;
	}
	n = evlog_anchor_line_header(line, sizeof(line), w->logid, w->pubkey);
	if (n < 0)
		return n;
	return anchor_write(w, line, (size_t)n);
}

static int writer_open(struct evlog_writer *w, int dirfd)
{
	struct evlog_disk_header h;
	int64_t created = now_ns();
	int r;

	randombytes_buf(w->logid, sizeof(w->logid));
	r = make_keys(w);
	if (r < 0)
		return r;
	make_name(w, created);
	build_header(w, created, &h);
	w->fd = openat(dirfd, w->name,
		       O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (w->fd < 0)
		return -errno;
	w->dirfd = dirfd;
	r = write_start(w, &h);
	if (r < 0) {
		/* Leave no half-created log that a verifier could mistake for evidence. */
		unlinkat(dirfd, w->name, 0);
		return r;
	}
	return 0;
}

/**
 * evlog_writer_new - create a log in @dirfd and pin its key.
 * @out: the new writer
 * @dirfd: directory for the log file
 * @opts: options, or NULL for the defaults (no anchor file)
 *
 * The anchor fd is borrowed, not owned.  Returns 0, -EINVAL for a bad sync
 * policy, -EEXIST, -ENOMEM, or the -errno of creating, writing or syncing
 * the log or the anchor line (the new file is then removed).
 */
int evlog_writer_new(struct evlog_writer **out, int dirfd, const struct evlog_writer_opts *opts)
{
	struct evlog_writer *w;
	int r;

	*out = NULL;
	if (opts && opts->sync != EVLOG_SYNC_BATCH && opts->sync != EVLOG_SYNC_ALWAYS &&
	    opts->sync != EVLOG_SYNC_NONE)
		return -EINVAL;
	if (sodium_init() < 0)
		return -ENOSYS;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fd = -1;
	w->anchor_fd = opts ? opts->anchor_fd : -1;
	w->sync = opts ? opts->sync : EVLOG_SYNC_BATCH;
	w->every = opts && opts->checkpoint_every ? opts->checkpoint_every : CHECKPOINT_DEFAULT;
	r = writer_open(w, dirfd);
	if (r < 0) {
		evlog_writer_free(w);
		return r;
	}
	*out = w;
	return 0;
}

void evlog_writer_free(struct evlog_writer *w)
{
	if (!w)
		return;
	if (w->keys)
		sodium_free(w->keys); /* zeroes the pages before unmapping */
	if (w->fd >= 0)
		close(w->fd);
	free(w->batch);
	free(w);
}

const char *evlog_writer_name(const struct evlog_writer *w)
{
	return w->name;
}

const uint8_t *evlog_writer_pubkey(const struct evlog_writer *w)
{
	return w->pubkey;
}

const uint8_t *evlog_writer_logid(const struct evlog_writer *w)
{
	return w->logid;
}

uint64_t evlog_writer_next_seq(const struct evlog_writer *w)
{
	return w->seq;
}

uint64_t evlog_writer_unsealed(const struct evlog_writer *w)
{
	return w->unsealed;
}
