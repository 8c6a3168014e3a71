/* format.h - private on-disk layout of the evidence log and shared internal helpers. */
#ifndef VMMSEC_EVLOG_FORMAT_H
#define VMMSEC_EVLOG_FORMAT_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "evlog/evlog.h"

/*
 * All on-disk structures are byte arrays with explicit little-endian
 * accessors, so the layout is independent of host alignment and padding.
 * docs/FORMAT.md is the authoritative description.
 */

#define EVLOG_MAGIC "VMMSEVL\n"
#define EVLOG_VERSION 1
#define EVLOG_HDR_HASHED 72 /* header bytes covered by the header hash */

struct evlog_disk_header {
	uint8_t magic[8];      /* EVLOG_MAGIC */
	uint8_t version[2];    /* EVLOG_VERSION */
	uint8_t header_len[2]; /* sizeof(struct evlog_disk_header) */
	uint8_t flags[4];      /* 0 */
	uint8_t logid[EVLOG_LOGID_BYTES];
	uint8_t pubkey[EVLOG_PUBKEY_BYTES]; /* epoch-0 Ed25519 public key */
	uint8_t created_ns[8];		    /* i64 CLOCK_REALTIME */
	uint8_t hash[EVLOG_HASH_BYTES];	    /* BLAKE2b-256(bytes 0..71): chain head 0 */
};
_Static_assert(sizeof(struct evlog_disk_header) == 104, "header layout");
_Static_assert(offsetof(struct evlog_disk_header, logid) == 16, "header layout");
_Static_assert(offsetof(struct evlog_disk_header, pubkey) == 32, "header layout");
_Static_assert(offsetof(struct evlog_disk_header, created_ns) == 64, "header layout");
_Static_assert(offsetof(struct evlog_disk_header, hash) == EVLOG_HDR_HASHED, "header layout");

#define EVLOG_HDR_SIZE sizeof(struct evlog_disk_header)

struct evlog_disk_rec {
	uint8_t len[4];	    /* whole record, head included */
	uint8_t len_inv[4]; /* ~len: a torn tail is told apart from a flipped length */
	uint8_t seq[8];
	uint8_t time_ns[8]; /* i64 CLOCK_REALTIME */
	uint8_t kind[2];
	uint8_t nfields[2];
	uint8_t flags[4];		/* 0 */
	uint8_t prev[EVLOG_HASH_BYTES]; /* chain head before this record */
	/* then nfields x (struct evlog_disk_field, data), then head[32] */
};
_Static_assert(sizeof(struct evlog_disk_rec) == 64, "record layout");
_Static_assert(offsetof(struct evlog_disk_rec, seq) == 8, "record layout");
_Static_assert(offsetof(struct evlog_disk_rec, kind) == 24, "record layout");
_Static_assert(offsetof(struct evlog_disk_rec, prev) == 32, "record layout");

struct evlog_disk_field {
	uint8_t tag[2];
	uint8_t len[4];
};
_Static_assert(sizeof(struct evlog_disk_field) == 6, "field layout");

#define EVLOG_REC_MIN (sizeof(struct evlog_disk_rec) + EVLOG_HASH_BYTES)
/* Cap on one record: a full raw payload plus room for the other fields. */
#define EVLOG_REC_MAX (EVLOG_RAW_MAX + (1u << 20))

/* Checkpoint field tags (64..79 reserved, see evlog.h) and their sizes. */
enum {
	EVLOG_TAG_CK_EPOCH = 64, /* u64: epoch of the signing key */
	EVLOG_TAG_CK_NEXT = 65,	 /* 32 bytes: next epoch's public key (zero if final) */
	EVLOG_TAG_CK_FINAL = 66, /* u8: 1 for the final checkpoint */
	EVLOG_TAG_CK_SIG = 67,	 /* 64 bytes: Ed25519 detached signature */
	EVLOG_TAG_RESERVED_LO = 64,
	EVLOG_TAG_RESERVED_HI = 79,
};
#define EVLOG_CK_NFIELDS 4
#define EVLOG_SIG_BYTES 64
#define EVLOG_CK_SIZE                                                                              \
	(sizeof(struct evlog_disk_rec) + 4 * sizeof(struct evlog_disk_field) + 8 +                 \
	 EVLOG_PUBKEY_BYTES + 1 + EVLOG_SIG_BYTES + EVLOG_HASH_BYTES)
_Static_assert(EVLOG_CK_SIZE == 225, "checkpoint layout");

#define EVLOG_CK_DOMAIN "vmmsec-evlog-ck1" /* 16 bytes, no NUL */

/* The exact message an epoch key signs for a checkpoint. */
struct evlog_ck_msg {
	uint8_t domain[16];
	uint8_t logid[EVLOG_LOGID_BYTES];
	uint8_t seq[8];
	uint8_t time_ns[8];
	uint8_t epoch[8];
	uint8_t prev[EVLOG_HASH_BYTES];
	uint8_t next[EVLOG_PUBKEY_BYTES];
	uint8_t final;
};
_Static_assert(sizeof(struct evlog_ck_msg) == 121, "checkpoint message layout");

/* Anchor lines are short; anything longer is a syntax error. */
#define EVLOG_ANCHOR_LINE_MAX 255

static inline uint16_t get_le16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}
static inline uint32_t get_le32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}
static inline uint64_t get_le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}
static inline void put_le16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, sizeof(v));
}
static inline void put_le32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}
static inline void put_le64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

/*
 * A read window over a log file.  Data past the last read end is never
 * assumed absent (no EOF caching), so a follower sees appended records.
 * The buffer only grows as far as the file really is long, so a forged
 * length cannot make us allocate more than the file holds.
 */
struct evlog_win {
	int fd;
	uint8_t *buf;
	size_t cap;
	uint64_t base;
	size_t len;
};

/* Parsed view of one record; pointers point into the window buffer. */
struct evlog_rec_view {
	uint64_t offset;
	uint32_t len;
	uint64_t seq;
	int64_t time_ns;
	uint16_t kind;
	const uint8_t *bytes; /* the whole record, len bytes */
	const uint8_t *prev;
	const uint8_t *head;
	size_t nfields;
	struct evlog_field fields[EVLOG_MAX_FIELDS];
};

enum evlog_load {
	EVLOG_LOAD_OK = 1,
	EVLOG_LOAD_EOF = 0,
	EVLOG_LOAD_PARTIAL = 2,	  /* a prefix of a record: torn tail or still being written */
	EVLOG_LOAD_MALFORMED = 3, /* complete but structurally impossible */
};

void evlog_win_init(struct evlog_win *w, int fd);
void evlog_win_release(struct evlog_win *w);
/* Make [off, off+n) readable; returns the bytes available there (<= n) or -errno. */
ssize_t evlog_win_get(struct evlog_win *w, uint64_t off, size_t n, const uint8_t **p);

/* Check a header; returns 0 or -EBADMSG.  Fills @out when given. */
int evlog_header_parse(const uint8_t *buf, size_t len, struct evlog_header *out,
		       uint8_t hash_out[EVLOG_HASH_BYTES]);
/* Load the record at @off: enum evlog_load or -errno. */
int evlog_rec_load(struct evlog_win *w, uint64_t off, struct evlog_rec_view *v);

int evlog_hex_decode(const char *in, size_t hexlen, uint8_t *out);
int evlog_anchor_line_header(char *buf, size_t size, const uint8_t *logid, const uint8_t *pubkey);
int evlog_anchor_line_ckpt(char *buf, size_t size, const uint8_t *logid, uint64_t seq,
			   const uint8_t *head);
void evlog_ck_msg_build(struct evlog_ck_msg *m, const uint8_t *logid, uint64_t seq, int64_t time_ns,
			uint64_t epoch, const uint8_t *prev, const uint8_t *next, uint8_t final);

#endif
