/* test_syslog.c - table-driven tests for the syslog / journald parsers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "syslog/syslog.h"
#include "test.h"
#include "util/util.h"

#define ABSENT NULL

/* An expected slice: NULL means absent; otherwise exact bytes inside the input. */
static void check_slice(const char *ctx, const char *what, struct syslog_slice s, const char *exp,
			size_t explen, const void *in, size_t inlen)
{
	const uint8_t *b = in;

	if (!exp) {
		if (s.ptr) {
			printf("#   %s: %s present (%zu bytes), expected absent\n", ctx, what,
			       s.len);
			t_cur_failed = 1;
		}
		return;
	}
	if (!s.ptr || s.len != explen || memcmp(s.ptr, exp, explen) != 0) {
		printf("#   %s: %s = \"%.*s\" (%zu), expected \"%s\"\n", ctx, what,
		       s.ptr ? (int)s.len : 6, s.ptr ? (const char *)s.ptr : "(null)", s.len, exp);
		t_cur_failed = 1;
		return;
	}
	if (s.ptr < b || s.ptr + s.len > b + inlen) {
		printf("#   %s: %s slice outside the input\n", ctx, what);
		t_cur_failed = 1;
	}
}

#define SL(ctx, what, s, exp, in, inlen)                                                           \
	check_slice(ctx, what, s, exp, (exp) ? strlen(exp) : 0, in, inlen)

/* ---- datagrams ---- */

struct dcase {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	int ret;
	enum syslog_format fmt;
	int fac, sev;
	const char *ts, *host, *tag, *pid, *msgid, *sd, *msg;
	size_t msglen; /* 0: strlen(msg) */
};

static const struct dcase dcases[] = {
	{"glibc local, space-padded day", "<13>Nov  6 15:53:21 myprog[123]: hello world", 0, 0,
	 SYSLOG_FMT_RFC3164, 1, 5, "Nov  6 15:53:21", ABSENT, "myprog", "123", ABSENT, ABSENT,
	 "hello world", 0},
	{"logger local form", "<13>Nov 26 15:53:21 root: hello", 0, 0, SYSLOG_FMT_RFC3164, 1, 5,
	 "Nov 26 15:53:21", ABSENT, "root", ABSENT, ABSENT, ABSENT, "hello", 0},
	{"zero-padded day", "<13>Nov 06 01:02:03 a: b", 0, 0, SYSLOG_FMT_RFC3164, 1, 5,
	 "Nov 06 01:02:03", ABSENT, "a", ABSENT, ABSENT, ABSENT, "b", 0},
	{"RFC 3164 example with host",
	 "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8", 0, 0,
	 SYSLOG_FMT_RFC3164, 4, 2, "Oct 11 22:14:15", "mymachine", "su", ABSENT, ABSENT, ABSENT,
	 "'su root' failed for lonvick on /dev/pts/8", 0},
	{"host and tag[pid]", "<86>Dec 31 23:59:60 web-01.example.com sshd[4242]: Accepted", 0, 0,
	 SYSLOG_FMT_RFC3164, 10, 6, "Dec 31 23:59:60", "web-01.example.com", "sshd", "4242", ABSENT,
	 ABSENT, "Accepted", 0},
	{"timestamp, no tag", "<13>Nov 26 15:53:21 hello world", 0, 0, SYSLOG_FMT_RFC3164, 1, 5,
	 "Nov 26 15:53:21", ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, "hello world", 0},
	{"python SysLogHandler NUL", "<12>hello world", 16, 0, SYSLOG_FMT_RFC3164, 1, 4, ABSENT,
	 ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, "hello world", 0},
	{"python ident, NUL", "<14>myapp: started", 19, 0, SYSLOG_FMT_RFC3164, 1, 6, ABSENT, ABSENT,
	 "myapp", ABSENT, ABSENT, ABSENT, "started", 0},
	{"trailing newline", "<14>myapp[7]: x\n", 0, 0, SYSLOG_FMT_RFC3164, 1, 6, ABSENT, ABSENT,
	 "myapp", "7", ABSENT, ABSENT, "x", 0},
	{"tag colon at end", "<14>Nov 26 15:53:21 prog:", 0, 0, SYSLOG_FMT_RFC3164, 1, 6,
	 "Nov 26 15:53:21", ABSENT, "prog", ABSENT, ABSENT, ABSENT, "", 0},
	{"empty message after tag", "<14>prog: ", 0, 0, SYSLOG_FMT_RFC3164, 1, 6, ABSENT, ABSENT,
	 "prog", ABSENT, ABSENT, ABSENT, "", 0},
	{"PRI 0", "<0>x", 0, 0, SYSLOG_FMT_RFC3164, 0, 0, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT,
	 ABSENT, "x", 0},
	{"PRI 191", "<191>x", 0, 0, SYSLOG_FMT_RFC3164, 23, 7, ABSENT, ABSENT, ABSENT, ABSENT,
	 ABSENT, ABSENT, "x", 0},
	{"PRI only", "<5>", 0, 0, SYSLOG_FMT_RFC3164, 0, 5, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT,
	 ABSENT, "", 0},
	{"URL is no tag", "<14>http://x", 0, 0, SYSLOG_FMT_RFC3164, 1, 6, ABSENT, ABSENT, ABSENT,
	 ABSENT, ABSENT, ABSENT, "http://x", 0},
	{"non-numeric pid is no tag", "<14>a[b]: c", 0, 0, SYSLOG_FMT_RFC3164, 1, 6, ABSENT, ABSENT,
	 ABSENT, ABSENT, ABSENT, ABSENT, "a[b]: c", 0},
	{"RFC 3339 in 3164", "<14>2026-11-26T15:53:21.123456+00:00 host app[1]: m", 0, 0,
	 SYSLOG_FMT_RFC3164, 1, 6, "2026-11-26T15:53:21.123456+00:00", "host", "app", "1", ABSENT,
	 ABSENT, "m", 0},
	{"bad month is no timestamp", "<14>Foo 26 15:53:21 x: y", 0, 0, SYSLOG_FMT_RFC3164, 1, 6,
	 ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, "Foo 26 15:53:21 x: y", 0},
	{"UTF-8 message", "<14>app: h\xc3\xa9llo \xf0\x9f\x98\x80", 0, 0, SYSLOG_FMT_RFC3164, 1, 6,
	 ABSENT, ABSENT, "app", ABSENT, ABSENT, ABSENT, "h\xc3\xa9llo \xf0\x9f\x98\x80", 0},
	{"RFC 5424 example",
	 "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
	 "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] "
	 "\xef\xbb\xbf"
	 "An application event",
	 0, 0, SYSLOG_FMT_RFC5424, 20, 5, "2003-10-11T22:14:15.003Z", "mymachine.example.com",
	 "evntslog", ABSENT, "ID47",
	 "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]",
	 "An application event", 0},
	{"RFC 5424 all nil", "<13>1 - - - - - -", 0, 0, SYSLOG_FMT_RFC5424, 1, 5, ABSENT, ABSENT,
	 ABSENT, ABSENT, ABSENT, ABSENT, "", 0},
	{"RFC 5424 logger",
	 "<13>1 2026-11-26T15:53:21.123456+00:00 host root - - "
	 "[timeQuality tzKnown=\"1\" isSynced=\"0\"] hello",
	 0, 0, SYSLOG_FMT_RFC5424, 1, 5, "2026-11-26T15:53:21.123456+00:00", "host", "root", ABSENT,
	 ABSENT, "[timeQuality tzKnown=\"1\" isSynced=\"0\"]", "hello", 0},
	{"RFC 5424 SD escapes, two elements",
	 "<13>1 - h app 12 - [x@1 a=\"q\\\"b\\]c\\\\\"][y@2] m", 0, 0, SYSLOG_FMT_RFC5424, 1, 5,
	 ABSENT, "h", "app", "12", ABSENT, "[x@1 a=\"q\\\"b\\]c\\\\\"][y@2]", "m", 0},
	{"RFC 5424 no MSG", "<13>1 - h a p m [x@1]", 0, 0, SYSLOG_FMT_RFC5424, 1, 5, ABSENT, "h",
	 "a", "p", "m", "[x@1]", "", 0},
	/* rejects */
	{"PRI 192", "<192>x", 0, -EBADMSG, SYSLOG_FMT_NONE, -1, -1, ABSENT, ABSENT, ABSENT, ABSENT,
	 ABSENT, ABSENT, "<192>x", 0},
	{"PRI leading zero", "<013>x", 0, -EBADMSG, SYSLOG_FMT_NONE, -1, -1, ABSENT, ABSENT, ABSENT,
	 ABSENT, ABSENT, ABSENT, "<013>x", 0},
	{"PRI missing >", "<13 x", 0, -EBADMSG, SYSLOG_FMT_NONE, -1, -1, ABSENT, ABSENT, ABSENT,
	 ABSENT, ABSENT, ABSENT, "<13 x", 0},
	{"PRI 4 digits", "<0013>x", 0, -EBADMSG, SYSLOG_FMT_NONE, -1, -1, ABSENT, ABSENT, ABSENT,
	 ABSENT, ABSENT, ABSENT, "<0013>x", 0},
	{"PRI empty", "<>x", 0, -EBADMSG, SYSLOG_FMT_NONE, -1, -1, ABSENT, ABSENT, ABSENT, ABSENT,
	 ABSENT, ABSENT, "<>x", 0},
	{"no PRI", "hello", 0, -EBADMSG, SYSLOG_FMT_NONE, -1, -1, ABSENT, ABSENT, ABSENT, ABSENT,
	 ABSENT, ABSENT, "hello", 0},
	{"embedded NUL", "<13>app: a\0b", 12, -EBADMSG, SYSLOG_FMT_RFC3164, 1, 5, ABSENT, ABSENT,
	 "app", ABSENT, ABSENT, ABSENT, "a\0b", 3},
	{"two trailing NULs", "<13>ab\0", 8, -EBADMSG, SYSLOG_FMT_RFC3164, 1, 5, ABSENT, ABSENT,
	 ABSENT, ABSENT, ABSENT, ABSENT, "ab\0", 3},
	{"overlong C0 80", "<13>a\xc0\x80", 0, -EBADMSG, SYSLOG_FMT_RFC3164, 1, 5, ABSENT, ABSENT,
	 ABSENT, ABSENT, ABSENT, ABSENT, "a\xc0\x80", 0},
	{"surrogate ED A0 80", "<13>a\xed\xa0\x80", 0, -EBADMSG, SYSLOG_FMT_RFC3164, 1, 5, ABSENT,
	 ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, "a\xed\xa0\x80", 0},
	{"truncated sequence", "<13>a\xe2\x82", 0, -EBADMSG, SYSLOG_FMT_RFC3164, 1, 5, ABSENT,
	 ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, "a\xe2\x82", 0},
	{"RFC 5424 bad timestamp", "<13>1 2026-13-01T00:00:00Z h a p m -", 0, -EBADMSG,
	 SYSLOG_FMT_NONE, -1, -1, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT,
	 "<13>1 2026-13-01T00:00:00Z h a p m -", 0},
	{"RFC 5424 unterminated SD", "<13>1 - h a p m [x@1 a=\"b] m", 0, -EBADMSG, SYSLOG_FMT_NONE,
	 -1, -1, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, "<13>1 - h a p m [x@1 a=\"b] m",
	 0},
	{"RFC 5424 APP-NAME too long",
	 "<13>1 - h aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa p m -", 0, -EBADMSG,
	 SYSLOG_FMT_NONE, -1, -1, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT,
	 "<13>1 - h aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa p m -", 0},
	{"RFC 5424 missing SD", "<13>1 - h a p m", 0, -EBADMSG, SYSLOG_FMT_NONE, -1, -1, ABSENT,
	 ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, "<13>1 - h a p m", 0},
};

static void test_datagram_table(void)
{
	for (size_t i = 0; i < VMM_ARRAY_SIZE(dcases); i++) {
		const struct dcase *c = &dcases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		size_t msglen = c->msglen ? c->msglen : strlen(c->msg);
		struct syslog_msg m;
		int before = t_cur_failed, r;

		t_cur_failed = 0;
		r = syslog_parse(c->in, len, &m);
		CHECK_EQ(r, c->ret);
		CHECK_EQ(m.parsed, c->ret == 0);
		CHECK_EQ(m.format, c->fmt);
		CHECK_EQ(m.facility, c->fac);
		CHECK_EQ(m.severity, c->sev);
		SL(c->name, "timestamp", m.timestamp, c->ts, c->in, len);
		SL(c->name, "hostname", m.hostname, c->host, c->in, len);
		SL(c->name, "tag", m.tag, c->tag, c->in, len);
		SL(c->name, "pid", m.pid, c->pid, c->in, len);
		SL(c->name, "msgid", m.msgid, c->msgid, c->in, len);
		SL(c->name, "sd", m.sd, c->sd, c->in, len);
		check_slice(c->name, "message", m.message, c->msg, msglen, c->in, len);
		if (t_cur_failed)
			printf("#   ^ case \"%s\"\n", c->name);
		t_cur_failed |= before;
	}
}

/* Length alone never makes a message unparsed; binary content does. */
static void test_datagram_64k(void)
{
	size_t n = 4 + 65536;
	char *buf = malloc(n);
	struct syslog_msg m;

	CHECK(buf != NULL);
	if (!buf)
		return;
	memcpy(buf, "<13>", 4);
	memset(buf + 4, 'a', 65536);
	CHECK_EQ(syslog_parse(buf, n, &m), 0);
	CHECK_EQ(m.message.len, 65536);
	CHECK(m.message.ptr == (const uint8_t *)buf + 4);
	for (size_t i = 4; i < n; i++)
		buf[i] = (char)(i * 7 + 128);
	CHECK_EQ(syslog_parse(buf, n, &m), -EBADMSG);
	CHECK_EQ(m.parsed, 0);
	free(buf);
}

static void test_datagram_empty(void)
{
	struct syslog_msg m;

	CHECK_EQ(syslog_parse(NULL, 0, &m), -EBADMSG);
	CHECK_EQ(m.format, SYSLOG_FMT_NONE);
	CHECK_EQ(m.message.len, 0);
	CHECK_EQ(syslog_parse("\n", 1, &m), -EBADMSG);
	CHECK_EQ(m.message.len, 0);
}

static void test_pri(void)
{
	int pri = -1;

	CHECK_EQ(syslog_pri_parse("<0>", 3, &pri), 3);
	CHECK_EQ(pri, 0);
	CHECK_EQ(syslog_pri_parse("<191>rest", 9, &pri), 5);
	CHECK_EQ(pri, 191);
	CHECK_EQ(syslog_pri_parse("<13>", 4, &pri), 4);
	CHECK_EQ(pri, 13);
	CHECK_EQ(syslog_pri_parse("<192>", 5, &pri), -EBADMSG);
	CHECK_EQ(syslog_pri_parse("<013>", 5, &pri), -EBADMSG);
	CHECK_EQ(syslog_pri_parse("<00>", 4, &pri), -EBADMSG);
	CHECK_EQ(syslog_pri_parse("<13", 3, &pri), -EBADMSG);
	/* never reads past len, even when the '>' is right after */
	CHECK_EQ(syslog_pri_parse("<13>", 3, &pri), -EBADMSG);
	CHECK_EQ(syslog_pri_parse("<-1>", 4, &pri), -EBADMSG);
	CHECK_EQ(syslog_pri_parse("13>", 3, &pri), -EBADMSG);
	CHECK_EQ(pri, 13);
}

/* ---- UTF-8 ---- */

struct ucase {
	const char *s;
	bool valid;
};

static const struct ucase ucases[] = {
	{"", true},
	{"plain ascii", true},
	{"h\xc3\xa9llo", true},
	{"\xc2\x80", true},	     /* U+0080 */
	{"\xdf\xbf", true},	     /* U+07FF */
	{"\xe0\xa0\x80", true},	     /* U+0800 */
	{"\xed\x9f\xbf", true},	     /* U+D7FF */
	{"\xee\x80\x80", true},	     /* U+E000 */
	{"\xef\xbf\xbf", true},	     /* U+FFFF */
	{"\xf0\x90\x80\x80", true},  /* U+10000 */
	{"\xf4\x8f\xbf\xbf", true},  /* U+10FFFF */
	{"\xc0\x80", false},	     /* overlong NUL */
	{"\xc1\xbf", false},	     /* overlong */
	{"\xe0\x9f\xbf", false},     /* overlong */
	{"\xf0\x8f\xbf\xbf", false}, /* overlong */
	{"\xed\xa0\x80", false},     /* surrogate D800 */
	{"\xed\xbf\xbf", false},     /* surrogate DFFF */
	{"\xf4\x90\x80\x80", false}, /* above U+10FFFF */
	{"\xf5\x80\x80\x80", false},
	{"\xff", false},
	{"\x80", false},	  /* stray continuation */
	{"\xe2\x82", false},	  /* truncated */
	{"\xe2\x82(", false},	  /* bad continuation */
	{"a\xf0\x9f\x98", false}, /* truncated at the end */
};

static void test_utf8(void)
{
	for (size_t i = 0; i < VMM_ARRAY_SIZE(ucases); i++) {
		bool v = syslog_utf8_valid(ucases[i].s, strlen(ucases[i].s));

		if (v != ucases[i].valid) {
			printf("#   utf8 case %zu: got %d\n", i, v);
			t_cur_failed = 1;
		}
	}
	CHECK(syslog_utf8_valid("a\0b", 3));
	CHECK(!syslog_text_clean("a\0b", 3));
	CHECK(syslog_text_clean(NULL, 0));
	CHECK_EQ(syslog_utf8_seq((const uint8_t *)"\xf0\x9f\x98\x80", 4), 4);
	CHECK_EQ(syslog_utf8_seq((const uint8_t *)"\xf0\x9f\x98\x80", 3), 0);
}

/* ---- journald native ---- */

/* Build "NAME\n<le64 len>VALUE\n" into @out; returns bytes written. */
static size_t bin_field(uint8_t *out, const char *name, const void *val, size_t vlen,
			uint64_t claimed)
{
	size_t n = strlen(name), o = 0;

	memcpy(out, name, n);
	o += n;
	out[o++] = '\n';
	for (int i = 0; i < 8; i++)
		out[o++] = (uint8_t)(claimed >> (8 * i));
	memcpy(out + o, val, vlen);
	o += vlen;
	out[o++] = '\n';
	return o;
}

static void test_journal_text(void)
{
	static const char in[] = "MESSAGE=hello\nPRIORITY=3\nSYSLOG_IDENTIFIER=app\n"
				 "SYSLOG_PID=42\nSYSLOG_FACILITY=3\nCODE_FILE=x.c\n";
	struct syslog_journal_iter it;
	struct syslog_slice e;
	struct syslog_msg m;

	syslog_journal_iter_init(&it, in, sizeof(in) - 1);
	CHECK_EQ(syslog_journal_next(&it, &e, &m), 1);
	CHECK_EQ(m.format, SYSLOG_FMT_JOURNAL);
	CHECK_EQ(m.parsed, 1);
	CHECK_EQ(m.severity, 3);
	CHECK_EQ(m.facility, 3);
	SL("text", "tag", m.tag, "app", in, sizeof(in) - 1);
	SL("text", "pid", m.pid, "42", in, sizeof(in) - 1);
	SL("text", "message", m.message, "hello", in, sizeof(in) - 1);
	CHECK(e.ptr == (const uint8_t *)in);
	CHECK_EQ(e.len, sizeof(in) - 1);
	CHECK_EQ(syslog_journal_next(&it, &e, &m), 0);
	CHECK_EQ(syslog_journal_next(&it, &e, &m), 0);
}

static void test_journal_binary(void)
{
	uint8_t in[128];
	size_t n = bin_field(in, "MESSAGE", "line1\nline2", 11, 11);
	struct syslog_jfield_iter fi;
	struct syslog_jfield f;
	struct syslog_journal_iter it;
	struct syslog_slice e;
	struct syslog_msg m;

	memcpy(in + n, "PRIORITY=6\n", 11);
	n += 11;
	n += bin_field(in + n, "BLOB", "\0\xff", 2, 2);
	syslog_journal_iter_init(&it, in, n);
	CHECK_EQ(syslog_journal_next(&it, &e, &m), 1);
	CHECK_EQ(m.parsed, 1); /* binary non-summary values are legitimate */
	CHECK_EQ(m.severity, 6);
	SL("binary", "message", m.message, "line1\nline2", in, n);
	CHECK_EQ(e.len, n);

	syslog_jfield_iter_init(&fi, in, n);
	CHECK_EQ(syslog_jfield_next(&fi, &f), 1);
	SL("binary", "name", f.name, "MESSAGE", in, n);
	CHECK_EQ(f.binary, 1);
	CHECK_EQ(syslog_jfield_next(&fi, &f), 1);
	SL("binary", "name", f.name, "PRIORITY", in, n);
	SL("binary", "value", f.value, "6", in, n);
	CHECK_EQ(f.binary, 0);
	CHECK_EQ(syslog_jfield_next(&fi, &f), 1);
	check_slice("binary", "blob", f.value, "\0\xff", 2, in, n);
	CHECK_EQ(syslog_jfield_next(&fi, &f), 0);

	/* a NUL inside MESSAGE spoils the entry */
	n = bin_field(in, "MESSAGE", "a\0b", 3, 3);
	syslog_journal_iter_init(&it, in, n);
	CHECK_EQ(syslog_journal_next(&it, &e, &m), 1);
	CHECK_EQ(m.parsed, 0);
	check_slice("nul", "message", m.message, "a\0b", 3, in, n);
}

static void test_journal_multi(void)
{
	static const char in[] = "\n\nMESSAGE=a\n\nMESSAGE=b\nPRIORITY=1\n\n\n";
	size_t n = sizeof(in) - 1;
	struct syslog_journal_iter it;
	struct syslog_jfield_iter fi;
	struct syslog_jfield f;
	struct syslog_slice e;
	struct syslog_msg m;

	syslog_journal_iter_init(&it, in, n);
	CHECK_EQ(syslog_journal_next(&it, &e, &m), 1);
	check_slice("multi", "entry0", e, "MESSAGE=a\n", 10, in, n);
	SL("multi", "message0", m.message, "a", in, n);
	CHECK_EQ(m.severity, -1);
	CHECK_EQ(m.parsed, 1);
	CHECK_EQ(syslog_journal_next(&it, &e, &m), 1);
	check_slice("multi", "entry1", e, "MESSAGE=b\nPRIORITY=1\n", 21, in, n);
	SL("multi", "message1", m.message, "b", in, n);
	CHECK_EQ(m.severity, 1);
	CHECK_EQ(syslog_journal_next(&it, &e, &m), 0);

	/* the field iterator stops at the separator and stays there */
	syslog_jfield_iter_init(&fi, in + 2, n - 2);
	CHECK_EQ(syslog_jfield_next(&fi, &f), 1);
	CHECK_EQ(syslog_jfield_next(&fi, &f), 0);
	CHECK_EQ(fi.off, 10);
	CHECK_EQ(syslog_jfield_next(&fi, &f), 0);
}

static void test_journal_malformed(void)
{
	uint8_t in[64];
	size_t n, k;
	struct syslog_journal_iter it;
	struct syslog_jfield_iter fi;
	struct syslog_jfield f;
	struct syslog_slice e;
	struct syslog_msg m;

	/* binary length far beyond the datagram (and overflowing on addition) */
	memcpy(in, "MESSAGE=a\n\n", 11);
	n = 11 + bin_field(in + 11, "MESSAGE", "abc", 3, UINT64_MAX);
	syslog_journal_iter_init(&it, in, n);
	CHECK_EQ(syslog_journal_next(&it, &e, &m), 1);
	CHECK_EQ(m.parsed, 1);
	CHECK_EQ(syslog_journal_next(&it, &e, &m), 1);
	CHECK_EQ(m.parsed, 0);
	CHECK(e.ptr == in + 11);
	CHECK_EQ(e.len, n - 11);
	CHECK_EQ(syslog_journal_next(&it, &e, &m), 0);

	/* length one past what is there */
	n = bin_field(in, "MESSAGE", "abc", 3, 4);
	syslog_jfield_iter_init(&fi, in, n);
	CHECK_EQ(syslog_jfield_next(&fi, &f), -EBADMSG);
	CHECK_EQ(syslog_jfield_next(&fi, &f), -EBADMSG);
	/* value not followed by a newline */
	k = bin_field(in, "MESSAGE", "abc", 3, 3);
	in[k - 1] = 'X';
	syslog_jfield_iter_init(&fi, in, k);
	CHECK_EQ(syslog_jfield_next(&fi, &f), -EBADMSG);
	/* length cut short */
	syslog_jfield_iter_init(&fi, "MESSAGE\n\x03\x00\x00", 11);
	CHECK_EQ(syslog_jfield_next(&fi, &f), -EBADMSG);
	/* text field without its newline */
	syslog_journal_iter_init(&it, "MESSAGE=hi", 10);
	CHECK_EQ(syslog_journal_next(&it, &e, &m), 1);
	CHECK_EQ(m.parsed, 0);
	CHECK_EQ(syslog_journal_next(&it, &e, &m), 0);
}

struct jcase {
	const char *in;
	bool parsed;
	int sev, fac;
};

static const struct jcase jcases[] = {
	{"message=hi\n", false, -1, -1},       /* lowercase name */
	{"=hi\n", false, -1, -1},	       /* empty name */
	{"1ABC=x\n", false, -1, -1},	       /* leading digit */
	{"_PID=1\nMESSAGE=x\n", true, -1, -1}, /* trusted name: recorded */
	{"PRIORITY=8\n", false, -1, -1},
	{"PRIORITY=07\n", false, -1, -1},
	{"PRIORITY=\n", false, -1, -1},
	{"PRIORITY=2\nPRIORITY=5\n", true, 2, -1}, /* first wins */
	{"PRIORITY=x\nPRIORITY=5\n", false, -1, -1},
	{"SYSLOG_FACILITY=23\n", true, -1, 23},
	{"SYSLOG_FACILITY=24\n", false, -1, -1},
	{"SYSLOG_IDENTIFIER=\xc0\x80\n", false, -1, -1},
};

static void test_journal_table(void)
{
	for (size_t i = 0; i < VMM_ARRAY_SIZE(jcases); i++) {
		struct syslog_journal_iter it;
		struct syslog_slice e;
		struct syslog_msg m;
		int r;

		syslog_journal_iter_init(&it, jcases[i].in, strlen(jcases[i].in));
		r = syslog_journal_next(&it, &e, &m);
		if (r != 1 || m.parsed != jcases[i].parsed || m.severity != jcases[i].sev ||
		    m.facility != jcases[i].fac) {
			printf("#   journal case %zu: r=%d parsed=%d sev=%d fac=%d\n", i, r,
			       m.parsed, m.severity, m.facility);
			t_cur_failed = 1;
		}
	}
}

static void test_journal_names(void)
{
	char long_name[65];

	CHECK(syslog_journal_name_valid("MESSAGE", 7, false));
	CHECK(syslog_journal_name_valid("A_1", 3, false));
	CHECK(!syslog_journal_name_valid("_PID", 4, false));
	CHECK(syslog_journal_name_valid("_PID", 4, true));
	CHECK(!syslog_journal_name_valid("", 0, true));
	CHECK(!syslog_journal_name_valid("9A", 2, true));
	CHECK(!syslog_journal_name_valid("A-B", 3, true));
	memset(long_name, 'A', sizeof(long_name));
	CHECK(syslog_journal_name_valid(long_name, 64, false));
	CHECK(!syslog_journal_name_valid(long_name, 65, false));
}

/* ---- stdout stream ---- */

static void test_stream_header(void)
{
	static const char hdr[] = "myid\n\n6\n1\n0\n0\n0\nfirst line\n";
	struct syslog_stream_header h;
	char big[5000];

	CHECK_EQ(syslog_stream_header_parse(hdr, sizeof(hdr) - 1, &h), 0);
	CHECK_EQ(h.len, 16);
	SL("hdr", "identifier", h.identifier, "myid", hdr, sizeof(hdr) - 1);
	SL("hdr", "unit", h.unit_id, "", hdr, sizeof(hdr) - 1);
	CHECK_EQ(h.priority, 6);
	CHECK_EQ(h.level_prefix, 1);
	CHECK_EQ(h.forward_to_syslog, 0);

	CHECK_EQ(syslog_stream_header_parse("myid\n\n6\n", 8, &h), -EAGAIN);
	CHECK_EQ(h.len, 0);
	CHECK_EQ(syslog_stream_header_parse("x\nu.service\n30\nyes\nTrue\noff\nn\n", 30, &h), 0);
	CHECK_EQ(h.priority, 30);
	CHECK_EQ(h.level_prefix, 1);
	CHECK_EQ(h.forward_to_syslog, 1);
	CHECK_EQ(h.forward_to_kmsg, 0);
	CHECK_EQ(syslog_stream_header_parse("x\n\n192\n0\n0\n0\n0\n", 15, &h), -EBADMSG);
	CHECK_EQ(h.len, 15);
	CHECK_EQ(syslog_stream_header_parse("x\n\n6\n2\n0\n0\n0\n", 13, &h), -EBADMSG);
	CHECK_EQ(syslog_stream_header_parse("x\n\n06\n0\n0\n0\n0\n", 14, &h), -EBADMSG);
	CHECK_EQ(syslog_stream_header_parse("\xff\n\n6\n0\n0\n0\n0\n", 13, &h), -EBADMSG);
	memset(big, 'a', sizeof(big));
	CHECK_EQ(syslog_stream_header_parse(big, sizeof(big), &h), -EBADMSG);
	CHECK_EQ(h.len, 0);
	CHECK_EQ(syslog_stream_header_parse(big, 100, &h), -EAGAIN);
	CHECK_EQ(syslog_stream_header_parse(NULL, 0, &h), -EAGAIN);
}

static void test_stream_line(void)
{
	static const char hdr[] = "myid\n\n30\n1\n0\n0\n0\n";
	static const char hdr0[] = "\n\n6\n0\n0\n0\n0\n";
	struct syslog_stream_header h, h0;
	struct syslog_msg m;

	CHECK_EQ(syslog_stream_header_parse(hdr, sizeof(hdr) - 1, &h), 0);
	CHECK_EQ(syslog_stream_header_parse(hdr0, sizeof(hdr0) - 1, &h0), 0);

	CHECK_EQ(syslog_stream_line_parse(&h, "<3>disk failing\n", 16, &m), 0);
	CHECK_EQ(m.format, SYSLOG_FMT_STREAM);
	CHECK_EQ(m.severity, 3);
	CHECK_EQ(m.facility, 3);
	SL("line", "tag", m.tag, "myid", hdr, sizeof(hdr) - 1);
	SL("line", "message", m.message, "disk failing", "<3>disk failing\n", 16);

	CHECK_EQ(syslog_stream_line_parse(&h, "plain", 5, &m), 0);
	CHECK_EQ(m.severity, 6);
	CHECK_EQ(syslog_stream_line_parse(&h, "<8>x", 4, &m), 0);
	CHECK_EQ(m.severity, 6);
	SL("line", "message", m.message, "<8>x", "<8>x", 4);

	/* no level prefix: "<3>" stays text; priority 6 has no facility */
	CHECK_EQ(syslog_stream_line_parse(&h0, "<3>x", 4, &m), 0);
	CHECK_EQ(m.severity, 6);
	CHECK_EQ(m.facility, -1);
	CHECK(m.tag.ptr == NULL);
	SL("line", "message", m.message, "<3>x", "<3>x", 4);

	CHECK_EQ(syslog_stream_line_parse(NULL, "x\n", 2, &m), -EBADMSG);
	CHECK_EQ(m.severity, -1);
	CHECK(m.tag.ptr == NULL);
	SL("line", "message", m.message, "x", "x\n", 2);
	CHECK_EQ(syslog_stream_line_parse(&h, "a\xed\xa0\x80", 4, &m), -EBADMSG);
	CHECK_EQ(syslog_stream_line_parse(&h, "a\0b", 3, &m), -EBADMSG);
	CHECK_EQ(syslog_stream_line_parse(&h, "ab\0", 3, &m), 0);
	CHECK_EQ(m.message.len, 2);
}

int main(void)
{
	RUN(test_datagram_table);
	RUN(test_datagram_64k);
	RUN(test_datagram_empty);
	RUN(test_pri);
	RUN(test_utf8);
	RUN(test_journal_text);
	RUN(test_journal_binary);
	RUN(test_journal_multi);
	RUN(test_journal_malformed);
	RUN(test_journal_table);
	RUN(test_journal_names);
	RUN(test_stream_header);
	RUN(test_stream_line);
	return TEST_DONE();
}
