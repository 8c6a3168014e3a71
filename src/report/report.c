/* report.c - render one evidence-log record as human text or JSON Lines (format in report.h). */
#include "report/report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "syslog/syslog.h"

/* ---- record field access (fields come from disk: sizes are checked) ---- */

static const struct evlog_field *field(const struct evlog_record *r, uint16_t tag)
{
	size_t n = r->nfields < EVLOG_MAX_FIELDS ? r->nfields : EVLOG_MAX_FIELDS;

	for (size_t i = 0; i < n; i++)
		if (r->fields[i].tag == tag)
			return &r->fields[i];
	return NULL;
}

/* Little-endian integer of exactly @width bytes; false if absent or mis-sized. */
static bool field_uint(const struct evlog_record *r, uint16_t tag, size_t width, uint64_t *out)
{
	const struct evlog_field *f = field(r, tag);
	const uint8_t *p;
	uint64_t v = 0;

	if (!f || f->len != width || !f->data)
		return false;
	p = f->data;
	for (size_t i = width; i-- > 0;)
		v = (v << 8) | p[i];
	*out = v;
	return true;
}

static uint32_t field_u32_or(const struct evlog_record *r, uint16_t tag, uint32_t dflt)
{
	uint64_t v;

	return field_uint(r, tag, 4, &v) ? (uint32_t)v : dflt;
}

/* A field's bytes as a slice; ptr NULL when absent (never NULL when present). */
static struct syslog_slice field_slice(const struct evlog_record *r, uint16_t tag)
{
	const struct evlog_field *f = field(r, tag);

	if (!f)
		return (struct syslog_slice){0};
	if (!f->data || f->len == 0)
		return (struct syslog_slice){.ptr = (const uint8_t *)"", .len = 0};
	return (struct syslog_slice){.ptr = f->data, .len = f->len};
}

/* The JSON "kind" strings are a stable interface, so they live here. */
static const char *kind_name(uint16_t kind)
{
	switch (kind) {
	case EVLOG_GUEST_START:
		return "guest-start";
	case EVLOG_GUEST_EXIT:
		return "guest-exit";
	case EVLOG_SYSLOG:
		return "syslog";
	case EVLOG_LOST:
		return "lost";
	case EVLOG_CHECKPOINT:
		return "checkpoint";
	case EVLOG_ACCESS:
		return "access";
	default:
		return NULL;
	}
}

static const char *transport_name(const struct evlog_record *r)
{
	uint64_t t;

	if (!field_uint(r, EVF_TRANSPORT, 1, &t))
		return NULL;
	switch (t) {
	case EVLOG_TRANSPORT_DGRAM:
		return "dgram";
	case EVLOG_TRANSPORT_STREAM:
		return "stream";
	case EVLOG_TRANSPORT_JOURNAL:
		return "journal";
	default:
		return NULL;
	}
}

/* One rendered syslog line: a whole record, or one journald entry of it. */
struct sys_line {
	struct syslog_msg msg;
	struct syslog_slice raw;   /* the bytes this line stands for */
	struct syslog_slice entry; /* journald fields to list (journal only) */
	long entry_idx;		   /* -1: do not show */
	bool journal;
};

/* ---- JSON ---- */

static void jkey(struct report_buf *b, const char *key)
{
	report_buf_printf(b, ",\"%s\":", key);
}

static void j_slice(struct report_buf *b, const char *key, struct syslog_slice s)
{
	jkey(b, key);
	if (s.ptr)
		report_json_string(b, s.ptr, s.len);
	else
		report_buf_append(b, "null", 4);
}

static void j_field_str(struct report_buf *b, const char *key, const struct evlog_record *r,
			uint16_t tag)
{
	j_slice(b, key, field_slice(r, tag));
}

/* An integer field as decimal, or @missing when absent or malformed. */
static void put_num(struct report_buf *b, const struct evlog_record *r, uint16_t tag, size_t width,
		    bool is_signed, const char *missing)
{
	uint64_t v;

	if (!field_uint(r, tag, width, &v))
		report_buf_append(b, missing, strlen(missing));
	else if (is_signed)
		report_buf_printf(b, "%" PRId32, (int32_t)(uint32_t)v);
	else
		report_buf_printf(b, "%" PRIu64, v);
}

static void j_field_num(struct report_buf *b, const char *key, const struct evlog_record *r,
			uint16_t tag, size_t width, bool is_signed)
{
	jkey(b, key);
	put_num(b, r, tag, width, is_signed, "null");
}

static void j_int(struct report_buf *b, const char *key, int v)
{
	jkey(b, key);
	if (v < 0)
		report_buf_append(b, "null", 4);
	else
		report_buf_printf(b, "%d", v);
}

static void j_bool(struct report_buf *b, const char *key, bool v)
{
	jkey(b, key);
	report_buf_printf(b, "%s", v ? "true" : "false");
}

static void json_time(struct report_buf *b, int64_t t)
{
	size_t mark = b->len;

	report_buf_append(b, "\"", 1);
	if (report_time(b, t) == -EOVERFLOW) {
		if (!b->err)
			b->len = mark;
		report_buf_append(b, "null", 4);
		return;
	}
	report_buf_append(b, "\"", 1);
}

static void json_common(struct report_buf *b, const struct evlog_record *r)
{
	const char *kind = kind_name(r->kind);
	/* Checkpoints carry only internals; never let stray tags show. */
	bool proc = r->kind != EVLOG_CHECKPOINT;
	const struct evlog_record none = {0};
	const struct evlog_record *pr = proc ? r : &none;

	report_buf_printf(b, "{\"seq\":%" PRIu64 ",\"time\":", r->seq);
	json_time(b, r->time_ns);
	if (kind)
		report_buf_printf(b, ",\"kind\":\"%s\"", kind);
	else
		report_buf_printf(b, ",\"kind\":\"unknown\",\"kind_id\":%u", (unsigned)r->kind);
	j_field_num(b, "pid", pr, EVF_PID, 4, false);
	j_field_num(b, "host_pid", pr, EVF_HOST_PID, 4, false);
	j_field_num(b, "uid", pr, EVF_UID, 4, false);
	j_field_num(b, "gid", pr, EVF_GID, 4, false);
	j_field_str(b, "comm", pr, EVF_COMM);
	j_field_str(b, "exe", pr, EVF_EXE);
}

/* A journald value: a string when it is clean text, else {"b64": ...}. */
static void json_jvalue(struct report_buf *b, struct syslog_slice v)
{
	if (syslog_text_clean(v.ptr, v.len)) {
		report_json_string(b, v.ptr, v.len);
		return;
	}
	report_buf_append(b, "{\"b64\":\"", 8);
	report_base64(b, v.ptr, v.len);
	report_buf_append(b, "\"}", 2);
}

struct jf {
	struct syslog_jfield f;
	size_t idx;
};

static int jf_cmp(const void *a, const void *b)
{
	const struct jf *x = a, *y = b;
	size_t n = x->f.name.len < y->f.name.len ? x->f.name.len : y->f.name.len;
	int c = n ? memcmp(x->f.name.ptr, y->f.name.ptr, n) : 0;

	if (c)
		return c;
	if (x->f.name.len != y->f.name.len)
		return x->f.name.len < y->f.name.len ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static bool same_name(const struct jf *x, const struct jf *y)
{
	return x->f.name.len == y->f.name.len &&
	       (x->f.name.len == 0 || memcmp(x->f.name.ptr, y->f.name.ptr, x->f.name.len) == 0);
}

/*
 * "fields": sorting groups repeated names in O(n log n); a guest can send
 * millions of fields in one memfd, so no quadratic duplicate search.
 */
static int json_fields(struct report_buf *b, struct syslog_slice entry)
{
	struct syslog_jfield_iter it;
	struct syslog_jfield f;
	struct jf *v;
	size_t n = 0;

	syslog_jfield_iter_init(&it, entry.ptr, entry.len);
	while (syslog_jfield_next(&it, &f) > 0)
		n++;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return b->err = -ENOMEM;
	syslog_jfield_iter_init(&it, entry.ptr, entry.len);
	for (size_t i = 0; i < n && syslog_jfield_next(&it, &v[i].f) > 0; i++)
		v[i].idx = i;
	qsort(v, n, sizeof(*v), jf_cmp);
	report_buf_append(b, ",\"fields\":{", 11);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && same_name(&v[i], &v[j]))
			j++;
		if (i > 0)
			report_buf_append(b, ",", 1);
		report_json_string(b, v[i].f.name.ptr, v[i].f.name.len);
		report_buf_append(b, j - i > 1 ? ":[" : ":", j - i > 1 ? 2 : 1);
		for (size_t k = i; k < j; k++) {
			if (k > i)
				report_buf_append(b, ",", 1);
			json_jvalue(b, v[k].f.value);
		}
		if (j - i > 1)
			report_buf_append(b, "]", 1);
		i = j;
	}
	free(v);
	return report_buf_append(b, "}", 1);
}

static void json_raw(struct report_buf *b, struct syslog_slice raw)
{
	if (!raw.ptr) {
		report_buf_append(b, ",\"raw\":null", 11);
	} else if (syslog_text_clean(raw.ptr, raw.len)) {
		jkey(b, "raw");
		report_json_string(b, raw.ptr, raw.len);
	} else {
		report_buf_append(b, ",\"raw_b64\":\"", 12);
		report_base64(b, raw.ptr, raw.len);
		report_buf_append(b, "\"", 1);
	}
}

static void json_syslog_line(struct report_buf *b, const struct evlog_record *r,
			     const struct sys_line *l)
{
	const char *tr = transport_name(r);
	uint32_t sflags = field_u32_or(r, EVF_SENDER_FLAGS, 0);
	uint32_t rflags = field_u32_or(r, EVF_RAW_FLAGS, 0);

	json_common(b, r);
	jkey(b, "transport");
	if (tr)
		report_buf_printf(b, "\"%s\"", tr);
	else
		report_buf_append(b, "null", 4);
	j_field_str(b, "socket", r, EVF_SOCKET);
	j_int(b, "facility", l->msg.facility);
	j_int(b, "severity", l->msg.severity);
	j_slice(b, "tag", l->msg.tag);
	j_slice(b, "syslog_pid", l->msg.pid);
	j_slice(b, "message", l->msg.message);
	j_bool(b, "parsed", l->msg.parsed);
	json_raw(b, l->raw);
	j_field_num(b, "claimed_uid", r, EVF_CLAIMED_UID, 4, false);
	j_field_num(b, "claimed_gid", r, EVF_CLAIMED_GID, 4, false);
	j_bool(b, "sender_exited", sflags & EVLOG_SENDER_EXITED);
	j_bool(b, "sender_at_send", sflags & EVLOG_SENDER_AT_SEND);
	j_bool(b, "from_fd", rflags & EVLOG_RAW_FROM_FD);
	j_bool(b, "fd_unsealed", rflags & EVLOG_RAW_UNSEALED);
	j_bool(b, "truncated", rflags & EVLOG_RAW_TRUNCATED);
	j_bool(b, "continued", rflags & EVLOG_RAW_CONTINUED);
	if (l->journal) {
		if (l->entry_idx >= 0)
			report_buf_printf(b, ",\"entry\":%ld", l->entry_idx);
		json_fields(b, l->entry);
	}
	report_buf_append(b, "}\n", 2);
}

static void json_argv(struct report_buf *b, struct syslog_slice a)
{
	size_t start = 0;
	bool first = true;

	jkey(b, "argv");
	if (!a.ptr) {
		report_buf_append(b, "null", 4);
		return;
	}
	report_buf_append(b, "[", 1);
	for (size_t i = 0; i <= a.len; i++) {
		/* Each NUL ends an argument; unterminated trailing bytes count too. */
		if (i < a.len ? a.ptr[i] != 0 : start == a.len)
			continue;
		if (!first)
			report_buf_append(b, ",", 1);
		report_json_string(b, a.ptr + start, i - start);
		first = false;
		start = i + 1;
	}
	report_buf_append(b, "]", 1);
}

static void json_hex(struct report_buf *b, const char *key, struct syslog_slice s)
{
	jkey(b, key);
	if (!s.ptr) {
		report_buf_append(b, "null", 4);
		return;
	}
	report_buf_append(b, "\"", 1);
	for (size_t i = 0; i < s.len; i++)
		report_buf_printf(b, "%02x", s.ptr[i]);
	report_buf_append(b, "\"", 1);
}

/* "r", "w", "a", "rw", "ra"... for an EVF_ACCESS mask; NULL if absent or unknown bits. */
static const char *access_letters(const struct evlog_record *r, char buf[4])
{
	uint64_t m;
	size_t n = 0;

	if (!field_uint(r, EVF_ACCESS, 4, &m) ||
	    (m & ~(uint64_t)(EVLOG_ACCESS_R | EVLOG_ACCESS_W | EVLOG_ACCESS_A)))
		return NULL;
	if (m & EVLOG_ACCESS_R)
		buf[n++] = 'r';
	if (m & EVLOG_ACCESS_W)
		buf[n++] = 'w';
	if (m & EVLOG_ACCESS_A)
		buf[n++] = 'a';
	buf[n] = 0;
	return buf;
}

/* "allow", "deny", or NULL when the field is missing or malformed. */
static const char *decision_word(const struct evlog_record *r)
{
	uint64_t d;

	if (!field_uint(r, EVF_DECISION, 1, &d) || d > 1)
		return NULL;
	return d ? "allow" : "deny";
}

static void json_access(struct report_buf *b, const struct evlog_record *r)
{
	char acc[4];
	const char *a = access_letters(r, acc), *d = decision_word(r);

	j_field_str(b, "path", r, EVF_PATH);
	j_field_str(b, "resolved", r, EVF_RESOLVED);
	j_field_num(b, "dev", r, EVF_DEV, 8, false);
	j_field_num(b, "ino", r, EVF_INO, 8, false);
	jkey(b, "access");
	if (a)
		report_json_string(b, a, strlen(a));
	else
		report_buf_append(b, "null", 4);
	jkey(b, "decision");
	if (d)
		report_json_string(b, d, strlen(d));
	else
		report_buf_append(b, "null", 4);
	j_field_str(b, "reason", r, EVF_REASON);
	j_field_str(b, "syscall", r, EVF_SYSCALL);
}

static void json_kind_fields(struct report_buf *b, const struct evlog_record *r)
{
	uint64_t st;

	switch (r->kind) {
	case EVLOG_GUEST_START:
		json_argv(b, field_slice(r, EVF_ARGV));
		j_field_str(b, "namespaces", r, EVF_NAMESPACES);
		json_hex(b, "policy_hash", field_slice(r, EVF_POLICY_HASH));
		j_field_str(b, "uid_map", r, EVF_UID_MAP);
		j_field_str(b, "backend", r, EVF_BACKEND);
		break;
	case EVLOG_GUEST_EXIT:
		j_field_num(b, "wait_status", r, EVF_WAIT_STATUS, 4, true);
		j_field_num(b, "exit_code", r, EVF_EXIT_CODE, 4, true);
		jkey(b, "signal");
		if (field_uint(r, EVF_WAIT_STATUS, 4, &st) && WIFSIGNALED((int)st))
			report_buf_printf(b, "%d", WTERMSIG((int)st));
		else
			report_buf_append(b, "null", 4);
		break;
	case EVLOG_LOST:
		j_field_num(b, "count", r, EVF_LOST_COUNT, 8, false);
		j_field_str(b, "reason", r, EVF_LOST_REASON);
		break;
	case EVLOG_ACCESS:
		json_access(b, r);
		break;
	default:
		break;
	}
}

/* ---- human ---- */

static void h_num(struct report_buf *b, const struct evlog_record *r, uint16_t tag, size_t width,
		  bool is_signed)
{
	put_num(b, r, tag, width, is_signed, "?");
}

static void h_str(struct report_buf *b, const struct evlog_record *r, uint16_t tag,
		  bool escape_space)
{
	struct syslog_slice s = field_slice(r, tag);

	if (s.ptr)
		report_escape(b, s.ptr, s.len, escape_space);
	else
		report_buf_append(b, "?", 1);
}

static void h_prefix(struct report_buf *b, const struct evlog_record *r)
{
	const char *kind = kind_name(r->kind);

	if (report_time(b, r->time_ns) == -EOVERFLOW)
		report_buf_append(b, "?", 1);
	report_buf_printf(b, " seq=%" PRIu64, r->seq);
	if (kind)
		report_buf_printf(b, " %s", kind);
	else
		report_buf_printf(b, " kind=%u", (unsigned)r->kind);
}

/* " COMM[PID/HOST_PID] uid=UID" */
static void h_proc(struct report_buf *b, const struct evlog_record *r)
{
	report_buf_append(b, " ", 1);
	h_str(b, r, EVF_COMM, true);
	report_buf_append(b, "[", 1);
	h_num(b, r, EVF_PID, 4, false);
	report_buf_append(b, "/", 1);
	h_num(b, r, EVF_HOST_PID, 4, false);
	report_buf_append(b, "] uid=", 6);
	h_num(b, r, EVF_UID, 4, false);
}

static void h_body(struct report_buf *b, const struct sys_line *l)
{
	const struct syslog_msg *m = &l->msg;

	if (!m->parsed) {
		size_t n = l->raw.len < REPORT_HUMAN_PREFIX ? l->raw.len : REPORT_HUMAN_PREFIX;

		report_buf_printf(b, "(unparsed, %zu bytes) ", l->raw.len);
		report_escape(b, l->raw.ptr, n, false);
		if (l->raw.len > n)
			report_buf_append(b, "...", 3);
		return;
	}
	if (m->tag.ptr) {
		report_escape(b, m->tag.ptr, m->tag.len, false);
		if (m->pid.ptr) {
			report_buf_append(b, "[", 1);
			report_escape(b, m->pid.ptr, m->pid.len, false);
			report_buf_append(b, "]", 1);
		}
		report_buf_append(b, ": ", 2);
	}
	if (m->message.ptr)
		report_escape(b, m->message.ptr, m->message.len, false);
}

static void human_syslog_line(struct report_buf *b, const struct evlog_record *r,
			      const struct sys_line *l)
{
	uint32_t sflags = field_u32_or(r, EVF_SENDER_FLAGS, 0);
	uint32_t rflags = field_u32_or(r, EVF_RAW_FLAGS, 0);

	if (report_time(b, r->time_ns) == -EOVERFLOW)
		report_buf_append(b, "?", 1);
	report_buf_printf(b, " seq=%" PRIu64, r->seq);
	if (l->entry_idx >= 0)
		report_buf_printf(b, " entry=%ld", l->entry_idx);
	report_buf_append(b, " syslog", 7);
	h_proc(b, r);
	if (sflags & EVLOG_SENDER_EXITED)
		report_buf_append(b, " exited", 7);
	if (sflags & EVLOG_SENDER_AT_SEND)
		report_buf_append(b, " at-send", 8);
	if (rflags & EVLOG_RAW_FROM_FD)
		report_buf_append(b, " from-fd", 8);
	if (rflags & EVLOG_RAW_UNSEALED)
		report_buf_append(b, " unsealed", 9);
	if (rflags & EVLOG_RAW_TRUNCATED)
		report_buf_append(b, " truncated", 10);
	if (rflags & EVLOG_RAW_CONTINUED)
		report_buf_append(b, " continued", 10);
	report_buf_append(b, ": ", 2);
	h_body(b, l);
	report_buf_append(b, "\n", 1);
}

static void human_argv(struct report_buf *b, struct syslog_slice a)
{
	size_t start = 0;

	if (!a.ptr) {
		report_buf_append(b, "?", 1);
		return;
	}
	for (size_t i = 0; i <= a.len; i++) {
		if (i < a.len ? a.ptr[i] != 0 : start == a.len)
			continue;
		if (start > 0)
			report_buf_append(b, " ", 1);
		report_escape(b, a.ptr + start, i - start, true);
		start = i + 1;
	}
}

static void human_other(struct report_buf *b, const struct evlog_record *r)
{
	uint64_t st;

	h_prefix(b, r);
	switch (r->kind) {
	case EVLOG_GUEST_START:
		report_buf_append(b, " uid=", 5);
		h_num(b, r, EVF_UID, 4, false);
		report_buf_append(b, " gid=", 5);
		h_num(b, r, EVF_GID, 4, false);
		report_buf_append(b, " pid=", 5);
		h_num(b, r, EVF_PID, 4, false);
		report_buf_append(b, "/", 1);
		h_num(b, r, EVF_HOST_PID, 4, false);
		report_buf_append(b, " backend=", 9);
		h_str(b, r, EVF_BACKEND, true);
		report_buf_append(b, " argv=", 6);
		human_argv(b, field_slice(r, EVF_ARGV));
		break;
	case EVLOG_GUEST_EXIT:
		report_buf_append(b, " status=", 8);
		h_num(b, r, EVF_WAIT_STATUS, 4, true);
		report_buf_append(b, " code=", 6);
		h_num(b, r, EVF_EXIT_CODE, 4, true);
		if (field_uint(r, EVF_WAIT_STATUS, 4, &st) && WIFSIGNALED((int)st))
			report_buf_printf(b, " signal=%d", WTERMSIG((int)st));
		break;
	case EVLOG_LOST:
		report_buf_append(b, " count=", 7);
		h_num(b, r, EVF_LOST_COUNT, 8, false);
		report_buf_append(b, " reason=", 8);
		h_str(b, r, EVF_LOST_REASON, false);
		break;
	case EVLOG_ACCESS: {
		char acc[4];
		const char *a = access_letters(r, acc), *d = decision_word(r);
		h_proc(b, r);
		report_buf_printf(b, " %s %s ", d ? d : "?", a ? a : "?");
		h_str(b, r, EVF_PATH, true);
		report_buf_append(b, " (", 2);
		h_str(b, r, EVF_RESOLVED, true);
		report_buf_append(b, ") syscall=", 10);
		h_str(b, r, EVF_SYSCALL, true);
		report_buf_append(b, " reason=", 8);
		h_str(b, r, EVF_REASON, false);
		break;
	}
	default:
		break;
	}
	report_buf_append(b, "\n", 1);
}

/* ---- dispatch ---- */

static void emit_line(struct report_buf *b, const struct evlog_record *r, enum report_format fmt,
		      const struct sys_line *l)
{
	if (fmt == REPORT_JSON)
		json_syslog_line(b, r, l);
	else
		human_syslog_line(b, r, l);
}

static void render_journal(struct report_buf *b, const struct evlog_record *r,
			   enum report_format fmt, struct syslog_slice raw)
{
	struct syslog_journal_iter it;
	struct syslog_slice e;
	struct sys_line l = {.raw = raw, .entry = raw, .entry_idx = -1, .journal = true};
	size_t n = 0, k = 0;

	syslog_journal_iter_init(&it, raw.ptr, raw.len);
	while (syslog_journal_next(&it, &e, &l.msg) > 0)
		n++;
	if (n == 0) { /* empty or only blank lines: still one line, unparsed */
		memset(&l.msg, 0, sizeof(l.msg));
		l.msg.format = SYSLOG_FMT_JOURNAL;
		l.msg.facility = l.msg.severity = -1;
		l.entry = (struct syslog_slice){0};
		emit_line(b, r, fmt, &l);
		return;
	}
	syslog_journal_iter_init(&it, raw.ptr, raw.len);
	while (syslog_journal_next(&it, &e, &l.msg) > 0) {
		/* Per-entry raw keeps output linear in the record's size. */
		l.raw = n == 1 ? raw : e;
		l.entry = e;
		l.entry_idx = n > 1 ? (long)k : -1;
		emit_line(b, r, fmt, &l);
		k++;
	}
}

static void render_stream(struct report_buf *b, const struct evlog_record *r,
			  enum report_format fmt, struct syslog_slice raw)
{
	struct syslog_slice hs = field_slice(r, EVF_STREAM_HEADER);
	struct syslog_stream_header h;
	const struct syslog_stream_header *hp = NULL;
	struct sys_line l = {.raw = raw, .entry_idx = -1};

	/* The stored header must be exactly one well-formed header. */
	if (hs.ptr && syslog_stream_header_parse(hs.ptr, hs.len, &h) == 0 && h.len == hs.len)
		hp = &h;
	syslog_stream_line_parse(hp, raw.ptr, raw.len, &l.msg);
	emit_line(b, r, fmt, &l);
}

static void render_syslog(struct report_buf *b, const struct evlog_record *r,
			  enum report_format fmt)
{
	struct syslog_slice raw = field_slice(r, EVF_RAW);
	struct sys_line l = {.raw = raw, .entry_idx = -1};
	uint64_t t = 0;

	field_uint(r, EVF_TRANSPORT, 1, &t);
	if (t == EVLOG_TRANSPORT_JOURNAL) {
		render_journal(b, r, fmt, raw);
	} else if (t == EVLOG_TRANSPORT_STREAM) {
		render_stream(b, r, fmt, raw);
	} else {
		syslog_parse(raw.ptr, raw.len, &l.msg);
		emit_line(b, r, fmt, &l);
	}
}

int report_render(const struct evlog_record *rec, enum report_format fmt, struct report_buf *out)
{
	if (fmt != REPORT_HUMAN && fmt != REPORT_JSON)
		return -EINVAL;
	if (rec->kind == EVLOG_SYSLOG) {
		render_syslog(out, rec, fmt);
	} else if (fmt == REPORT_JSON) {
		json_common(out, rec);
		json_kind_fields(out, rec);
		report_buf_append(out, "}\n", 2);
	} else {
		human_other(out, rec);
	}
	return out->err;
}
