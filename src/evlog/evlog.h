/* evlog.h - tamper-evident, forward-secure evidence log: writer, reader, verifier. */
#ifndef VMMSEC_EVLOG_H
#define VMMSEC_EVLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A log is one file per run (DIR/vmmsec-<UTC time>-<logid8>.evl).  It holds
 * a fixed file header followed by records.  Every record carries a sequence
 * number that increases by exactly one, a host timestamp, a kind and a list
 * of TLV fields, and ends with the BLAKE2b-256 chain head over every byte of
 * the file so far.  Checkpoint records are signed with an Ed25519 key that
 * evolves at every checkpoint (the old secret key is erased), so whoever takes
 * the host later cannot rewrite records sealed before.  The first public key
 * is pinned in the file header and in the anchor file.  docs/FORMAT.md has the
 * byte layout.
 */

enum evlog_kind {
	EVLOG_GUEST_START = 1,
	EVLOG_GUEST_EXIT = 2,
	EVLOG_SYSLOG = 3,
	EVLOG_LOST = 4,
	EVLOG_CHECKPOINT = 5,
	EVLOG_ACCESS = 6, /* reserved for the MAC backends */
};

/* Field tags.  Integers are little-endian: u8/u32/u64/i32 as named. */
enum evlog_tag {
	EVF_PID = 1,		/* u32: sender pid as the guest sees it */
	EVF_HOST_PID = 2,	/* u32: sender pid as the host sees it */
	EVF_UID = 3,		/* u32: true uid as the guest sees it */
	EVF_GID = 4,		/* u32: true gid as the guest sees it */
	EVF_COMM = 5,		/* bytes */
	EVF_EXE = 6,		/* bytes (path) */
	EVF_CLAIMED_UID = 7,	/* u32: uid in SCM_CREDENTIALS, guest view */
	EVF_CLAIMED_GID = 8,	/* u32: gid in SCM_CREDENTIALS, guest view */
	EVF_SENDER_FLAGS = 9,	/* u32: EVLOG_SENDER_* bits */
	EVF_TRANSPORT = 10,	/* u8: enum evlog_transport */
	EVF_SOCKET = 11,	/* bytes: socket path as the guest sees it */
	EVF_RAW = 12,		/* bytes: exactly what was received */
	EVF_STREAM_HEADER = 13, /* bytes: journald stdout stream header */
	EVF_RAW_FLAGS = 14,	/* u32: EVLOG_RAW_* bits */
	EVF_ARGV = 20,		/* bytes: NUL-terminated arguments */
	EVF_NAMESPACES = 21,	/* bytes: e.g. "user,pid,mnt,ipc,uts" */
	EVF_POLICY_HASH = 22,	/* 32 bytes: BLAKE2b-256 of the policy, zero if none */
	EVF_UID_MAP = 23,	/* bytes: "GUEST HOST COUNT" */
	EVF_WAIT_STATUS = 24,	/* i32: raw wait(2) status of the guest command */
	EVF_EXIT_CODE = 25,	/* i32: vmmsec run's exit code */
	EVF_LOST_COUNT = 30,	/* u64 */
	EVF_LOST_REASON = 31,	/* bytes */
	EVF_BACKEND = 32,	/* bytes: "seccomp" ... */
	/* access records (MAC decisions, issue #3/#4) */
	EVF_PATH = 40,	   /* bytes: the path as the guest asked for it */
	EVF_RESOLVED = 41, /* bytes: the kernel's path of the object */
	EVF_DEV = 42,	   /* u64: st_dev of the object */
	EVF_INO = 43,	   /* u64: st_ino of the object */
	EVF_ACCESS = 44,   /* u32: EVLOG_ACCESS_R/W/A bits requested */
	EVF_DECISION = 45, /* u8: 1 allow, 0 deny */
	EVF_REASON = 46,   /* bytes: rule FILE:LINE, "default", or the BLP clause */
	EVF_SYSCALL = 47,  /* bytes: system call name */
			   /* 64..79 are reserved for checkpoint internals (see FORMAT.md). */
};

enum evlog_transport {
	EVLOG_TRANSPORT_DGRAM = 1,   /* /dev/log style datagram */
	EVLOG_TRANSPORT_STREAM = 2,  /* journald stdout stream (systemd-cat) */
	EVLOG_TRANSPORT_JOURNAL = 3, /* journald native protocol */
};

#define EVLOG_SENDER_EXITED 0x1u /* sender was gone before attribution */
#define EVLOG_SENDER_NO_EXE 0x2u /* exe could not be read */
/* Identity recorded by the kernel as the message was sent (--backend lsm), not read from /proc. */
#define EVLOG_SENDER_AT_SEND 0x4u
#define EVLOG_RAW_FROM_FD 0x1u	 /* raw is the content of an SCM_RIGHTS fd */
#define EVLOG_RAW_TRUNCATED 0x2u /* raw was longer than EVLOG_RAW_MAX */
#define EVLOG_RAW_CONTINUED 0x4u /* stream line split, more follows */
#define EVLOG_RAW_UNSEALED 0x8u	 /* fd was writable by the guest until captured */

#define EVLOG_ACCESS_R 0x1u /* same bits as POLICY_R/W/A */
#define EVLOG_ACCESS_W 0x2u
#define EVLOG_ACCESS_A 0x4u

#define EVLOG_RAW_MAX (16u << 20) /* largest raw payload kept in one record */
#define EVLOG_MAX_FIELDS 32
#define EVLOG_PUBKEY_BYTES 32
#define EVLOG_HASH_BYTES 32
#define EVLOG_LOGID_BYTES 16

struct evlog_field {
	uint16_t tag;
	uint32_t len;
	const void *data;
};

/* ---- writer (the monitor) ---- */

enum evlog_sync {
	EVLOG_SYNC_BATCH = 0, /* default: write(2) every batch, fdatasync at each checkpoint */
	EVLOG_SYNC_ALWAYS,    /* fdatasync after every batch */
	EVLOG_SYNC_NONE,      /* never fdatasync (page cache only) */
};

struct evlog_writer_opts {
	unsigned checkpoint_every; /* records between checkpoints; 0 = 1000 */
	int anchor_fd;		   /* O_APPEND fd for anchors, or -1 */
	enum evlog_sync sync;
};

struct evlog_writer;

/*
 * evlog_writer_new - create a new log file in @dirfd (O_EXCL, mode 0600)
 * with a fresh log id and Ed25519 key, write its header and, if an anchor fd
 * is given, the anchor header line.
 * Returns 0 or -errno.  The secret key lives in sodium_malloc'd memory.
 */
int evlog_writer_new(struct evlog_writer **out, int dirfd, const struct evlog_writer_opts *opts);
/* File name (inside dirfd) of the log; owned by @w. */
const char *evlog_writer_name(const struct evlog_writer *w);
/* Pinned public key (EVLOG_PUBKEY_BYTES) and log id (EVLOG_LOGID_BYTES). */
const uint8_t *evlog_writer_pubkey(const struct evlog_writer *w);
const uint8_t *evlog_writer_logid(const struct evlog_writer *w);
/* Sequence number the next record will get. */
uint64_t evlog_writer_next_seq(const struct evlog_writer *w);
/* Records appended since the last checkpoint. */
uint64_t evlog_writer_unsealed(const struct evlog_writer *w);

/*
 * evlog_append - add one record to the in-memory batch.  Checkpoints
 * automatically every opts->checkpoint_every records.  Fields are copied.
 * Returns 0 or -errno (-E2BIG if a field is too large, -EIO after an earlier
 * write failure: the writer is then dead and the caller must fail closed).
 */
int evlog_append(struct evlog_writer *w, uint16_t kind, const struct evlog_field *fields,
		 size_t nfields);
/* evlog_flush - group commit: write the batch, fdatasync per the sync policy. */
int evlog_flush(struct evlog_writer *w);
/* evlog_checkpoint - append a signed checkpoint now, evolve and erase the key, flush. */
int evlog_checkpoint(struct evlog_writer *w);
/*
 * evlog_writer_close - append the final checkpoint (no record may follow it),
 * fdatasync, erase the key.  Returns 0 or -errno.  Free with _free after.
 */
int evlog_writer_close(struct evlog_writer *w);
/* Free without closing (the log is left unsealed, as after a crash).  NULL is a no-op. */
void evlog_writer_free(struct evlog_writer *w);

/* ---- reader ---- */

struct evlog_header {
	uint8_t logid[EVLOG_LOGID_BYTES];
	uint8_t pubkey[EVLOG_PUBKEY_BYTES];
	int64_t created_ns;
};

struct evlog_record {
	uint64_t seq;
	int64_t time_ns;
	uint16_t kind;
	uint64_t offset; /* byte offset of the record in the file */
	size_t nfields;
	struct evlog_field fields[EVLOG_MAX_FIELDS]; /* point into the reader's buffer */
};

struct evlog_reader;

/*
 * evlog_reader_new - read and check the file header of the log open at @fd.
 * Returns 0, -EBADMSG for a bad header, or -errno.
 */
int evlog_reader_new(struct evlog_reader **out, int fd);
const struct evlog_header *evlog_reader_header(const struct evlog_reader *r);
/*
 * evlog_reader_next - parse the next record.  Returns 1 with @rec filled
 * (valid until the next call), 0 at a clean end of file, -EBADMSG for a
 * malformed or partial record (evlog_reader_offset tells where), -errno.
 * The reader checks structure only; evlog_verify checks integrity.
 * With follow semantics the caller may call again after 0 to see new data.
 */
int evlog_reader_next(struct evlog_reader *r, struct evlog_record *rec);
uint64_t evlog_reader_offset(const struct evlog_reader *r);
void evlog_reader_free(struct evlog_reader *r);

/* First field with @tag, or NULL. */
const struct evlog_field *evlog_record_field(const struct evlog_record *rec, uint16_t tag);
/* Integer field helpers: return 0 and set *out, or -ENOENT / -EBADMSG. */
int evlog_field_u32(const struct evlog_record *rec, uint16_t tag, uint32_t *out);
int evlog_field_u64(const struct evlog_record *rec, uint16_t tag, uint64_t *out);
const char *evlog_kind_name(uint16_t kind); /* "syslog", ...; NULL if unknown */
int evlog_kind_parse(const char *name);	    /* kind or -EINVAL */

/* ---- anchors and verification ---- */

struct evlog_anchor {
	uint8_t logid[EVLOG_LOGID_BYTES];
	uint64_t seq; /* sequence number of the checkpoint record */
	uint8_t head[EVLOG_HASH_BYTES];
};

struct evlog_anchors {
	uint8_t logid[EVLOG_LOGID_BYTES];
	uint8_t pubkey[EVLOG_PUBKEY_BYTES]; /* pinned key from the header line */
	size_t n;
	struct evlog_anchor *v; /* newest last */
};

/*
 * evlog_anchors_load - parse the anchor lines for @logid from the text at @fd.
 * On a syntax error returns -EBADMSG and sets *err_line and *err_col (1-based).
 * Returns -ENOENT when the file has no header line for @logid.
 */
int evlog_anchors_load(int fd, const uint8_t logid[EVLOG_LOGID_BYTES], struct evlog_anchors *out,
		       unsigned *err_line, unsigned *err_col);
void evlog_anchors_release(struct evlog_anchors *a);
/*
 * evlog_anchors_logids - every log id with a header line in the anchor file
 * at @fd (free *ids).  0, -EBADMSG (with the error line and column), -errno.
 */
int evlog_anchors_logids(int fd, uint8_t (**ids)[EVLOG_LOGID_BYTES], size_t *n, unsigned *err_line,
			 unsigned *err_col);

enum evlog_damage {
	EVLOG_INTACT = 0,
	EVLOG_MODIFIED,	     /* a record's bytes do not match the chain */
	EVLOG_INSERTED,	     /* an extra record (duplicate seq, or after the final checkpoint) */
	EVLOG_DELETED,	     /* a sequence number is missing */
	EVLOG_REORDERED,     /* sequence numbers go backwards */
	EVLOG_TRUNCATED,     /* log ends before the newest anchor, mid-record */
	EVLOG_BAD_SIGNATURE, /* a checkpoint signature does not verify */
	EVLOG_WRONG_KEY,     /* header key differs from the pinned key */
	EVLOG_ROLLED_BACK,   /* log ends cleanly before the newest anchor: older copy */
	EVLOG_BAD_HEADER,    /* file header malformed */
};

struct evlog_verify_result {
	enum evlog_damage damage;
	uint64_t bad_seq;    /* first bad record (expected seq), when damaged */
	uint64_t bad_offset; /* its byte offset */
	uint64_t records;    /* records that verified */
	uint64_t last_seq;   /* seq of the last verified record */
	uint64_t sealed_seq; /* seq of the last verified checkpoint (UINT64_MAX: none) */
	bool final;	     /* log ends with the final checkpoint */
	uint64_t tail_bytes; /* partial-record bytes after the last complete record */
	char detail[256];    /* human-readable explanation */
};

/*
 * evlog_verify - check the whole log at @fd: header, structure, sequence,
 * chain, every checkpoint signature and key evolution, and, when @anchors
 * is not NULL, the pinned key and every anchor.  Returns 0 when the check
 * ran (see res->damage) or -errno on I/O errors.
 */
int evlog_verify(int fd, const struct evlog_anchors *anchors, struct evlog_verify_result *res);
const char *evlog_damage_name(enum evlog_damage d); /* "modified", ... */

/* hex helpers for ids and keys: @out needs 2*len+1 bytes. */
void evlog_hex(const uint8_t *in, size_t len, char *out);

#endif
