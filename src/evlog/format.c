/* format.c - evidence-log structure: read window, header and record parsing, names, hex. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "evlog/format.h"
#include "util/util.h"

#define WIN_MIN (64u << 10)

void evlog_win_init(struct evlog_win *w, int fd)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
}

void evlog_win_release(struct evlog_win *w)
{
	free(w->buf);
	w->buf = NULL;
	w->cap = w->len = 0;
}

/* Bytes the file holds from @off on (0 when shorter), or -errno. */
static ssize_t file_avail(int fd, uint64_t off, size_t want)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size < 0 || (uint64_t)st.st_size <= off)
		return 0;
	if ((uint64_t)st.st_size - off < want)
		return (ssize_t)((uint64_t)st.st_size - off);
	return (ssize_t)want;
}

static int win_reserve(struct evlog_win *w, size_t n)
{
	size_t cap = w->cap ? w->cap : WIN_MIN;
	uint8_t *nb;

	while (cap < n)
		cap *= 2;
	if (cap == w->cap)
		return 0;
	nb = realloc(w->buf, cap);
	if (!nb)
		return -ENOMEM;
	w->buf = nb;
	w->cap = cap;
	return 0;
}

static ssize_t win_fill(struct evlog_win *w, uint64_t off, size_t n)
{
	ssize_t avail = n;
	size_t got = 0;
	int r;

	if (n > WIN_MIN) {
		/* Size the buffer by what the file holds, never by a claimed length. */
		avail = file_avail(w->fd, off, n);
		if (avail < 0)
			return avail;
	}
	r = win_reserve(w, (size_t)avail > WIN_MIN ? (size_t)avail : WIN_MIN);
	if (r < 0)
		return r;
	w->base = off;
	w->len = 0;
	while (got < w->cap) {
		ssize_t k =
			RETRY_EINTR(pread(w->fd, w->buf + got, w->cap - got, (off_t)(off + got)));
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		got += (size_t)k;
		if (got >= n)
			break;
	}
	w->len = got;
	return 0;
}

ssize_t evlog_win_get(struct evlog_win *w, uint64_t off, size_t n, const uint8_t **p)
{
	ssize_t r;

	if (off > INT64_MAX - (uint64_t)n)
		return -EOVERFLOW;
	if (!(w->buf && off >= w->base && off + n <= w->base + w->len)) {
		r = win_fill(w, off, n);
		if (r < 0)
			return r;
	}
	*p = w->buf + (off - w->base);
	if (w->base + w->len - off < n)
		return (ssize_t)(w->base + w->len - off);
	return (ssize_t)n;
}

int evlog_header_parse(const uint8_t *buf, size_t len, struct evlog_header *out,
		       uint8_t hash_out[EVLOG_HASH_BYTES])
{
	const struct evlog_disk_header *h = (const void *)buf;
	uint8_t hash[EVLOG_HASH_BYTES];

	if (len < EVLOG_HDR_SIZE || memcmp(h->magic, EVLOG_MAGIC, 8) != 0 ||
	    get_le16(h->version) != EVLOG_VERSION || get_le16(h->header_len) != EVLOG_HDR_SIZE ||
	    get_le32(h->flags) != 0)
		return -EBADMSG;
	crypto_generichash(hash, sizeof(hash), buf, EVLOG_HDR_HASHED, NULL, 0);
	if (sodium_memcmp(hash, h->hash, sizeof(hash)) != 0)
		return -EBADMSG;
	if (out) {
		memcpy(out->logid, h->logid, EVLOG_LOGID_BYTES);
		memcpy(out->pubkey, h->pubkey, EVLOG_PUBKEY_BYTES);
		out->created_ns = (int64_t)get_le64(h->created_ns);
	}
	if (hash_out)
		memcpy(hash_out, hash, sizeof(hash));
	return 0;
}

/* Walk the TLV fields; every length is checked against the record end. */
static int parse_fields(const uint8_t *p, size_t len, size_t nfields, struct evlog_rec_view *v)
{
	size_t pos = 0;

	for (size_t i = 0; i < nfields; i++) {
		const struct evlog_disk_field *f = (const void *)(p + pos);
		uint32_t flen;

		if (len - pos < sizeof(*f))
			return EVLOG_LOAD_MALFORMED;
		flen = get_le32(f->len);
		pos += sizeof(*f);
		if (flen > len - pos)
			return EVLOG_LOAD_MALFORMED;
		v->fields[i].tag = get_le16(f->tag);
		v->fields[i].len = flen;
		v->fields[i].data = p + pos;
		pos += flen;
	}
	return pos == len ? EVLOG_LOAD_OK : EVLOG_LOAD_MALFORMED;
}

int evlog_rec_load(struct evlog_win *w, uint64_t off, struct evlog_rec_view *v)
{
	const struct evlog_disk_rec *r;
	const uint8_t *p;
	uint32_t len;
	ssize_t got;

	got = evlog_win_get(w, off, 8, &p);
	if (got < 0)
		return (int)got;
	if (got == 0)
		return EVLOG_LOAD_EOF;
	if (got < 8)
		return EVLOG_LOAD_PARTIAL;
	len = get_le32(p);
	if (get_le32(p + 4) != (uint32_t)~len || len < EVLOG_REC_MIN || len > EVLOG_REC_MAX)
		return EVLOG_LOAD_MALFORMED;
	got = evlog_win_get(w, off, len, &p);
	if (got < 0)
		return (int)got;
	if ((size_t)got < len)
		return EVLOG_LOAD_PARTIAL;
	r = (const void *)p;
	v->offset = off;
	v->len = len;
	v->seq = get_le64(r->seq);
	v->time_ns = (int64_t)get_le64(r->time_ns);
	v->kind = get_le16(r->kind);
	v->nfields = get_le16(r->nfields);
	v->bytes = p;
	v->prev = r->prev;
	v->head = p + len - EVLOG_HASH_BYTES;
	if (get_le32(r->flags) != 0 || v->nfields > EVLOG_MAX_FIELDS)
		return EVLOG_LOAD_MALFORMED;
	return parse_fields(p + sizeof(*r), len - sizeof(*r) - EVLOG_HASH_BYTES, v->nfields, v);
}

void evlog_ck_msg_build(struct evlog_ck_msg *m, const uint8_t *logid, uint64_t seq, int64_t time_ns,
			uint64_t epoch, const uint8_t *prev, const uint8_t *next, uint8_t final)
{
	memcpy(m->domain, EVLOG_CK_DOMAIN, sizeof(m->domain));
	memcpy(m->logid, logid, sizeof(m->logid));
	put_le64(m->seq, seq);
	put_le64(m->time_ns, (uint64_t)time_ns);
	put_le64(m->epoch, epoch);
	memcpy(m->prev, prev, sizeof(m->prev));
	memcpy(m->next, next, sizeof(m->next));
	m->final = final;
}

/* ---- names, fields, hex ---- */

static const char *const kind_names[] = {
	[EVLOG_GUEST_START] = "guest-start", [EVLOG_GUEST_EXIT] = "guest-exit",
	[EVLOG_SYSLOG] = "syslog",	     [EVLOG_LOST] = "lost",
	[EVLOG_CHECKPOINT] = "checkpoint",   [EVLOG_ACCESS] = "access",
};

const char *evlog_kind_name(uint16_t kind)
{
	return kind < VMM_ARRAY_SIZE(kind_names) ? kind_names[kind] : NULL;
}

int evlog_kind_parse(const char *name)
{
	if (!name)
		return -EINVAL;
	for (size_t i = 0; i < VMM_ARRAY_SIZE(kind_names); i++)
		if (kind_names[i] && strcmp(kind_names[i], name) == 0)
			return (int)i;
	return -EINVAL;
}

static const char *const damage_names[] = {
	[EVLOG_INTACT] = "intact",
	[EVLOG_MODIFIED] = "modified",
	[EVLOG_INSERTED] = "inserted",
	[EVLOG_DELETED] = "deleted",
	[EVLOG_REORDERED] = "reordered",
	[EVLOG_TRUNCATED] = "truncated",
	[EVLOG_BAD_SIGNATURE] = "bad-signature",
	[EVLOG_WRONG_KEY] = "wrong-key",
	[EVLOG_ROLLED_BACK] = "rolled-back",
	[EVLOG_BAD_HEADER] = "bad-header",
};

const char *evlog_damage_name(enum evlog_damage d)
{
	if ((unsigned)d < VMM_ARRAY_SIZE(damage_names) && damage_names[d])
		return damage_names[d];
	return "unknown";
}

const struct evlog_field *evlog_record_field(const struct evlog_record *rec, uint16_t tag)
{
	for (size_t i = 0; i < rec->nfields && i < EVLOG_MAX_FIELDS; i++)
		if (rec->fields[i].tag == tag)
			return &rec->fields[i];
	return NULL;
}

int evlog_field_u32(const struct evlog_record *rec, uint16_t tag, uint32_t *out)
{
	const struct evlog_field *f = evlog_record_field(rec, tag);

	if (!f)
		return -ENOENT;
	if (f->len != 4)
		return -EBADMSG;
	*out = get_le32(f->data);
	return 0;
}

int evlog_field_u64(const struct evlog_record *rec, uint16_t tag, uint64_t *out)
{
	const struct evlog_field *f = evlog_record_field(rec, tag);

	if (!f)
		return -ENOENT;
	if (f->len != 8)
		return -EBADMSG;
	*out = get_le64(f->data);
	return 0;
}

void evlog_hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* lower case only: one canonical spelling per value */
}

/* Decode exactly @hexlen lower-case hex digits; returns 0 or the 1-based index of the bad one. */
int evlog_hex_decode(const char *in, size_t hexlen, uint8_t *out)
{
	for (size_t i = 0; i < hexlen; i += 2) {
		int hi = hex_val(in[i]), lo;

		if (hi < 0)
			return (int)i + 1;
		lo = hex_val(in[i + 1]);
		if (lo < 0)
			return (int)i + 2;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int evlog_anchor_line_header(char *buf, size_t size, const uint8_t *logid, const uint8_t *pubkey)
{
	char id[2 * EVLOG_LOGID_BYTES + 1], pk[2 * EVLOG_PUBKEY_BYTES + 1];
	int n;

	evlog_hex(logid, EVLOG_LOGID_BYTES, id);
	evlog_hex(pubkey, EVLOG_PUBKEY_BYTES, pk);
	n = snprintf(buf, size, "vmmsec-anchor 1 logid=%s pubkey=%s\n", id, pk);
	return n < 0 || (size_t)n >= size ? -ENOBUFS : n;
}

int evlog_anchor_line_ckpt(char *buf, size_t size, const uint8_t *logid, uint64_t seq,
			   const uint8_t *head)
{
	char id[2 * EVLOG_LOGID_BYTES + 1], hh[2 * EVLOG_HASH_BYTES + 1];
	int n;

	evlog_hex(logid, EVLOG_LOGID_BYTES, id);
	evlog_hex(head, EVLOG_HASH_BYTES, hh);
	n = snprintf(buf, size, "vmmsec-anchor 1 logid=%s ckpt=%llu head=%s\n", id,
		     (unsigned long long)seq, hh);
	return n < 0 || (size_t)n >= size ? -ENOBUFS : n;
}
