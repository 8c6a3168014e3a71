/* test_report.c - exact-output tests for JSON Lines and human rendering of records. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "test.h"

#define T_2026 (1795708401LL * 1000000000LL + 123456789LL) /* 2026-11-26T15:53:21.123456Z */

/* A hand-built record; integer fields live in ints[] so they outlive add_int. */
struct rb {
	struct evlog_record r;
	uint8_t ints[EVLOG_MAX_FIELDS][8];
};

static void rb_init(struct rb *b, uint16_t kind, uint64_t seq, int64_t t)
{
	memset(b, 0, sizeof(*b));
	b->r.kind = kind;
	b->r.seq = seq;
	b->r.time_ns = t;
}

static void add(struct rb *b, uint16_t tag, const void *d, size_t len)
{
	struct evlog_field *f = &b->r.fields[b->r.nfields++];

	f->tag = tag;
	f->len = (uint32_t)len;
	f->data = d;
}

static void add_str(struct rb *b, uint16_t tag, const char *s)
{
	add(b, tag, s, strlen(s));
}

static void add_int(struct rb *b, uint16_t tag, uint64_t v, size_t width)
{
	uint8_t *p = b->ints[b->r.nfields];

	for (size_t i = 0; i < width; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	add(b, tag, p, width);
}

/* Attribution fields shared by the syslog tests. */
static void add_sender(struct rb *b, uint8_t transport)
{
	add_int(b, EVF_PID, 42, 4);
	add_int(b, EVF_HOST_PID, 4242, 4);
	add_int(b, EVF_UID, 0, 4);
	add_int(b, EVF_GID, 0, 4);
	add_int(b, EVF_CLAIMED_UID, 0, 4);
	add_int(b, EVF_CLAIMED_GID, 0, 4);
	add_int(b, EVF_TRANSPORT, transport, 1);
}

static void expect(const struct evlog_record *r, enum report_format fmt, const char *want)
{
	struct report_buf b;

	report_buf_init(&b);
	CHECK_EQ(report_render(r, fmt, &b), 0);
	CHECK_STR(b.data, want);
	CHECK_EQ(b.len, strlen(want));
	report_buf_release(&b);
}

#define COMMON_42                                                                                  \
	"{\"seq\":42,\"time\":\"2026-11-26T15:53:21.123456Z\",\"kind\":\"syslog\","                \
	"\"pid\":42,\"host_pid\":4242,\"uid\":0,\"gid\":0,"
#define FLAGS_0                                                                                    \
	"\"claimed_uid\":0,\"claimed_gid\":0,\"sender_exited\":false,\"sender_at_send\":false,"    \
	"\"from_fd\":false,\"fd_unsealed\":false,\"truncated\":false,\"continued\":false"

static void test_dgram_parsed(void)
{
	struct rb b;

	rb_init(&b, EVLOG_SYSLOG, 42, T_2026);
	add_sender(&b, EVLOG_TRANSPORT_DGRAM);
	add_str(&b, EVF_COMM, "logger");
	add_str(&b, EVF_EXE, "/usr/bin/logger");
	add_str(&b, EVF_SOCKET, "/dev/log");
	add_str(&b, EVF_RAW, "<13>Nov 26 15:53:21 root[7]: hello \"world\"\n");
	add_int(&b, EVF_RAW_FLAGS, 0, 4);
	expect(&b.r, REPORT_JSON,
	       COMMON_42 "\"comm\":\"logger\",\"exe\":\"/usr/bin/logger\","
			 "\"transport\":\"dgram\",\"socket\":\"/dev/log\",\"facility\":1,"
			 "\"severity\":5,\"tag\":\"root\",\"syslog_pid\":\"7\","
			 "\"message\":\"hello \\\"world\\\"\",\"parsed\":true,"
			 "\"raw\":\"<13>Nov 26 15:53:21 root[7]: hello \\\"world\\\"\\n\"," FLAGS_0
			 "}\n");
	expect(&b.r, REPORT_HUMAN,
	       "2026-11-26T15:53:21.123456Z seq=42 syslog logger[42/4242] uid=0: "
	       "root[7]: hello \"world\"\n");
}

/* --backend lsm: the sender as the kernel recorded it when it sent. */
static void test_dgram_at_send(void)
{
	struct rb b;

	rb_init(&b, EVLOG_SYSLOG, 42, T_2026);
	add_sender(&b, EVLOG_TRANSPORT_DGRAM);
	add_str(&b, EVF_COMM, "logger");
	add_str(&b, EVF_RAW, "<13>hi");
	add_int(&b, EVF_SENDER_FLAGS, EVLOG_SENDER_AT_SEND, 4);
	expect(&b.r, REPORT_HUMAN,
	       "2026-11-26T15:53:21.123456Z seq=42 syslog logger[42/4242] uid=0 at-send: hi\n");
	struct report_buf out;
	report_buf_init(&out);
	CHECK_EQ(report_render(&b.r, REPORT_JSON, &out), 0);
	CHECK(strstr(out.data, "\"sender_exited\":false,\"sender_at_send\":true,") != NULL);
	report_buf_release(&out);
}

static void test_dgram_invalid_utf8(void)
{
	struct rb b;

	rb_init(&b, EVLOG_SYSLOG, 42, T_2026);
	add_sender(&b, EVLOG_TRANSPORT_DGRAM);
	add_str(&b, EVF_RAW, "<13>bad \xff\xfe bytes");
	add_int(&b, EVF_SENDER_FLAGS, EVLOG_SENDER_EXITED, 4);
	add_int(&b, EVF_RAW_FLAGS, EVLOG_RAW_TRUNCATED | EVLOG_RAW_FROM_FD, 4);
	expect(&b.r, REPORT_JSON,
	       COMMON_42
	       "\"comm\":null,\"exe\":null,\"transport\":\"dgram\","
	       "\"socket\":null,\"facility\":1,\"severity\":5,\"tag\":null,"
	       "\"syslog_pid\":null,\"message\":\"bad \xef\xbf\xbd\xef\xbf\xbd bytes\","
	       "\"parsed\":false,\"raw_b64\":\"PDEzPmJhZCD//iBieXRlcw==\","
	       "\"claimed_uid\":0,\"claimed_gid\":0,\"sender_exited\":true,\"sender_at_send\":"
	       "false,"
	       "\"from_fd\":true,\"fd_unsealed\":false,\"truncated\":true,\"continued\":false}\n");
	expect(&b.r, REPORT_HUMAN,
	       "2026-11-26T15:53:21.123456Z seq=42 syslog ?[42/4242] uid=0 exited "
	       "from-fd truncated: (unparsed, 16 bytes) <13>bad \\xff\\xfe bytes\n");
}

static void test_dgram_nul(void)
{
	static const char raw[] = "<13>a\0b";
	static const char raw2[] = "<12>hi"; /* sizeof includes the NUL */
	struct rb b;

	rb_init(&b, EVLOG_SYSLOG, 42, T_2026);
	add_sender(&b, EVLOG_TRANSPORT_DGRAM);
	add(&b, EVF_RAW, raw, sizeof(raw) - 1);
	expect(&b.r, REPORT_JSON,
	       COMMON_42 "\"comm\":null,\"exe\":null,\"transport\":\"dgram\","
			 "\"socket\":null,\"facility\":1,\"severity\":5,\"tag\":null,"
			 "\"syslog_pid\":null,\"message\":\"a\\u0000b\",\"parsed\":false,"
			 "\"raw_b64\":\"PDEzPmEAYg==\"," FLAGS_0 "}\n");

	/* A trailing NUL is framing: parsed, but raw keeps it (so base64). */
	rb_init(&b, EVLOG_SYSLOG, 42, T_2026);
	add_sender(&b, EVLOG_TRANSPORT_DGRAM);
	add(&b, EVF_RAW, raw2, sizeof(raw2));
	expect(&b.r, REPORT_JSON,
	       COMMON_42 "\"comm\":null,\"exe\":null,\"transport\":\"dgram\","
			 "\"socket\":null,\"facility\":1,\"severity\":4,\"tag\":null,"
			 "\"syslog_pid\":null,\"message\":\"hi\",\"parsed\":true,"
			 "\"raw_b64\":\"PDEyPmhpAA==\"," FLAGS_0 "}\n");
	expect(&b.r, REPORT_HUMAN,
	       "2026-11-26T15:53:21.123456Z seq=42 syslog ?[42/4242] uid=0: hi\n");
}

/* Terminal escapes and spoofed separators in comm/message stay inert. */
static void test_human_escaping(void)
{
	struct rb b;

	rb_init(&b, EVLOG_SYSLOG, 1, T_2026);
	add_int(&b, EVF_PID, 3, 3); /* wrong width: shown as unknown */
	add_str(&b, EVF_COMM, "a b]");
	add_int(&b, EVF_TRANSPORT, EVLOG_TRANSPORT_DGRAM, 1);
	add_str(&b, EVF_RAW, "<13>t: \x1b[2J\\x41 \xe2\x80\xae\xc3\xa9\nseq=2");
	expect(&b.r, REPORT_HUMAN,
	       "2026-11-26T15:53:21.123456Z seq=1 syslog a\\x20b][?/?] uid=?: "
	       "t: \\x1b[2J\\\\x41 \\xe2\\x80\\xae\xc3\xa9\\x0aseq=2\n");
}

static void test_journal_multi(void)
{
	static const char raw[] = "SYSLOG_IDENTIFIER=app\nMESSAGE=a\nPRIORITY=3\n"
				  "\nMESSAGE=b\nX=1\nX=\xff\n";
	struct rb b;

	rb_init(&b, EVLOG_SYSLOG, 42, T_2026);
	add_sender(&b, EVLOG_TRANSPORT_JOURNAL);
	add_str(&b, EVF_COMM, "python3");
	add_str(&b, EVF_SOCKET, "/run/systemd/journal/socket");
	add(&b, EVF_RAW, raw, sizeof(raw) - 1);
	expect(&b.r, REPORT_JSON,
	       COMMON_42
	       "\"comm\":\"python3\",\"exe\":null,\"transport\":\"journal\","
	       "\"socket\":\"/run/systemd/journal/socket\",\"facility\":null,"
	       "\"severity\":3,\"tag\":\"app\",\"syslog_pid\":null,\"message\":\"a\","
	       "\"parsed\":true,"
	       "\"raw\":\"SYSLOG_IDENTIFIER=app\\nMESSAGE=a\\nPRIORITY=3\\n\"," FLAGS_0
	       ",\"entry\":0,\"fields\":{\"MESSAGE\":\"a\",\"PRIORITY\":\"3\","
	       "\"SYSLOG_IDENTIFIER\":\"app\"}}\n" COMMON_42
	       "\"comm\":\"python3\",\"exe\":null,\"transport\":\"journal\","
	       "\"socket\":\"/run/systemd/journal/socket\",\"facility\":null,"
	       "\"severity\":null,\"tag\":null,\"syslog_pid\":null,\"message\":\"b\","
	       "\"parsed\":true,\"raw_b64\":\"TUVTU0FHRT1iClg9MQpYPf8K\"," FLAGS_0
	       ",\"entry\":1,\"fields\":{\"MESSAGE\":\"b\",\"X\":[\"1\",{\"b64\":\"/w==\"}]}}\n");
	expect(&b.r, REPORT_HUMAN,
	       "2026-11-26T15:53:21.123456Z seq=42 entry=0 syslog python3[42/4242] uid=0: app: a\n"
	       "2026-11-26T15:53:21.123456Z seq=42 entry=1 syslog python3[42/4242] uid=0: b\n");
}

static void test_journal_single_and_empty(void)
{
	struct rb b;

	/* one entry: no "entry" key, raw is the whole datagram */
	rb_init(&b, EVLOG_SYSLOG, 42, T_2026);
	add_sender(&b, EVLOG_TRANSPORT_JOURNAL);
	add_str(&b, EVF_RAW, "MESSAGE=x\n\n");
	expect(&b.r, REPORT_JSON,
	       COMMON_42 "\"comm\":null,\"exe\":null,\"transport\":\"journal\","
			 "\"socket\":null,\"facility\":null,\"severity\":null,\"tag\":null,"
			 "\"syslog_pid\":null,\"message\":\"x\",\"parsed\":true,"
			 "\"raw\":\"MESSAGE=x\\n\\n\"," FLAGS_0
			 ",\"fields\":{\"MESSAGE\":\"x\"}}\n");

	/* no entry at all: one unparsed line */
	rb_init(&b, EVLOG_SYSLOG, 42, T_2026);
	add_sender(&b, EVLOG_TRANSPORT_JOURNAL);
	add_str(&b, EVF_RAW, "\n");
	expect(&b.r, REPORT_JSON,
	       COMMON_42 "\"comm\":null,\"exe\":null,\"transport\":\"journal\","
			 "\"socket\":null,\"facility\":null,\"severity\":null,\"tag\":null,"
			 "\"syslog_pid\":null,\"message\":null,\"parsed\":false,"
			 "\"raw\":\"\\n\"," FLAGS_0 ",\"fields\":{}}\n");
	expect(&b.r, REPORT_HUMAN,
	       "2026-11-26T15:53:21.123456Z seq=42 syslog ?[42/4242] uid=0: "
	       "(unparsed, 1 bytes) \\x0a\n");
}

static void test_stream(void)
{
	struct rb b;

	rb_init(&b, EVLOG_SYSLOG, 42, T_2026);
	add_sender(&b, EVLOG_TRANSPORT_STREAM);
	add_str(&b, EVF_STREAM_HEADER, "myid\n\n6\n1\n0\n0\n0\n");
	add_str(&b, EVF_RAW, "<3>disk\n");
	add_int(&b, EVF_RAW_FLAGS, EVLOG_RAW_CONTINUED, 4);
	expect(&b.r, REPORT_JSON,
	       COMMON_42 "\"comm\":null,\"exe\":null,\"transport\":\"stream\","
			 "\"socket\":null,\"facility\":null,\"severity\":3,\"tag\":\"myid\","
			 "\"syslog_pid\":null,\"message\":\"disk\",\"parsed\":true,"
			 "\"raw\":\"<3>disk\\n\",\"claimed_uid\":0,\"claimed_gid\":0,"
			 "\"sender_exited\":false,\"sender_at_send\":false,\"from_fd\":false,"
			 "\"fd_unsealed\":false,"
			 "\"truncated\":false,"
			 "\"continued\":true}\n");
	expect(&b.r, REPORT_HUMAN,
	       "2026-11-26T15:53:21.123456Z seq=42 syslog ?[42/4242] uid=0 continued: "
	       "myid: disk\n");

	/* a stored header with trailing junk is not a header */
	rb_init(&b, EVLOG_SYSLOG, 42, T_2026);
	add_sender(&b, EVLOG_TRANSPORT_STREAM);
	add_str(&b, EVF_STREAM_HEADER, "myid\n\n6\n1\n0\n0\n0\nX");
	add_str(&b, EVF_RAW, "disk\n");
	expect(&b.r, REPORT_HUMAN,
	       "2026-11-26T15:53:21.123456Z seq=42 syslog ?[42/4242] uid=0: "
	       "(unparsed, 5 bytes) disk\\x0a\n");
}

static void test_guest_start(void)
{
	static const char argv[] = "/bin/sh\0-c\0echo hi\0";
	uint8_t hash[32];
	struct rb b;

	for (int i = 0; i < 32; i++)
		hash[i] = (uint8_t)i;
	rb_init(&b, EVLOG_GUEST_START, 0, 0);
	add(&b, EVF_ARGV, argv, sizeof(argv) - 1);
	add_int(&b, EVF_UID, 1000, 4);
	add_int(&b, EVF_GID, 1000, 4);
	add_str(&b, EVF_NAMESPACES, "user,pid,mnt,ipc,uts");
	add(&b, EVF_POLICY_HASH, hash, sizeof(hash));
	add_str(&b, EVF_UID_MAP, "0 1000 1");
	add_str(&b, EVF_BACKEND, "seccomp");
	add_int(&b, EVF_PID, 1, 4);
	add_int(&b, EVF_HOST_PID, 5000, 4);
	expect(&b.r, REPORT_JSON,
	       "{\"seq\":0,\"time\":\"1970-01-01T00:00:00.000000Z\",\"kind\":\"guest-start\","
	       "\"pid\":1,\"host_pid\":5000,\"uid\":1000,\"gid\":1000,\"comm\":null,"
	       "\"exe\":null,\"argv\":[\"/bin/sh\",\"-c\",\"echo hi\"],"
	       "\"namespaces\":\"user,pid,mnt,ipc,uts\",\"policy_hash\":"
	       "\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\","
	       "\"uid_map\":\"0 1000 1\",\"backend\":\"seccomp\"}\n");
	expect(&b.r, REPORT_HUMAN,
	       "1970-01-01T00:00:00.000000Z seq=0 guest-start uid=1000 gid=1000 "
	       "pid=1/5000 backend=seccomp argv=/bin/sh -c echo\\x20hi\n");

	/* unterminated last argument and an empty one */
	rb_init(&b, EVLOG_GUEST_START, 0, 0);
	add(&b, EVF_ARGV, "a\0\0b", 4);
	expect(&b.r, REPORT_JSON,
	       "{\"seq\":0,\"time\":\"1970-01-01T00:00:00.000000Z\",\"kind\":\"guest-start\","
	       "\"pid\":null,\"host_pid\":null,\"uid\":null,\"gid\":null,\"comm\":null,"
	       "\"exe\":null,\"argv\":[\"a\",\"\",\"b\"],\"namespaces\":null,"
	       "\"policy_hash\":null,\"uid_map\":null,\"backend\":null}\n");
}

static void test_guest_exit_lost_checkpoint(void)
{
	struct rb b;

	rb_init(&b, EVLOG_GUEST_EXIT, 9, -1); /* 1 ns before the epoch */
	add_int(&b, EVF_WAIT_STATUS, 9, 4);   /* killed by SIGKILL */
	add_int(&b, EVF_EXIT_CODE, 137, 4);
	expect(&b.r, REPORT_JSON,
	       "{\"seq\":9,\"time\":\"1969-12-31T23:59:59.999999Z\",\"kind\":\"guest-exit\","
	       "\"pid\":null,\"host_pid\":null,\"uid\":null,\"gid\":null,\"comm\":null,"
	       "\"exe\":null,\"wait_status\":9,\"exit_code\":137,\"signal\":9}\n");
	expect(&b.r, REPORT_HUMAN,
	       "1969-12-31T23:59:59.999999Z seq=9 guest-exit status=9 code=137 signal=9\n");

	rb_init(&b, EVLOG_GUEST_EXIT, 9, 0);
	add_int(&b, EVF_WAIT_STATUS, 256, 4);
	add_int(&b, EVF_EXIT_CODE, (uint32_t)-1, 4);
	expect(&b.r, REPORT_HUMAN,
	       "1970-01-01T00:00:00.000000Z seq=9 guest-exit status=256 code=-1\n");

	rb_init(&b, EVLOG_LOST, 10, 0);
	add_int(&b, EVF_LOST_COUNT, 5000000000ULL, 8);
	add_str(&b, EVF_LOST_REASON, "queue full");
	expect(&b.r, REPORT_JSON,
	       "{\"seq\":10,\"time\":\"1970-01-01T00:00:00.000000Z\",\"kind\":\"lost\","
	       "\"pid\":null,\"host_pid\":null,\"uid\":null,\"gid\":null,\"comm\":null,"
	       "\"exe\":null,\"count\":5000000000,\"reason\":\"queue full\"}\n");
	expect(&b.r, REPORT_HUMAN,
	       "1970-01-01T00:00:00.000000Z seq=10 lost count=5000000000 reason=queue full\n");

	rb_init(&b, EVLOG_CHECKPOINT, 11, 0);
	add_str(&b, 64, "internal");
	add_int(&b, EVF_PID, 7, 4); /* never shown for a checkpoint */
	expect(&b.r, REPORT_JSON,
	       "{\"seq\":11,\"time\":\"1970-01-01T00:00:00.000000Z\",\"kind\":\"checkpoint\","
	       "\"pid\":null,\"host_pid\":null,\"uid\":null,\"gid\":null,\"comm\":null,"
	       "\"exe\":null}\n");
	expect(&b.r, REPORT_HUMAN, "1970-01-01T00:00:00.000000Z seq=11 checkpoint\n");

	rb_init(&b, 99, 12, 0);
	expect(&b.r, REPORT_JSON,
	       "{\"seq\":12,\"time\":\"1970-01-01T00:00:00.000000Z\",\"kind\":\"unknown\","
	       "\"kind_id\":99,\"pid\":null,\"host_pid\":null,\"uid\":null,\"gid\":null,"
	       "\"comm\":null,\"exe\":null}\n");
	expect(&b.r, REPORT_HUMAN, "1970-01-01T00:00:00.000000Z seq=12 kind=99\n");
}

static void test_json_string(void)
{
	static const char in[] = "a\"b\\c\n\t\x01\x7f\xc2\x85\xe2\x80\xa8\xff\xc3\xa9/\0z";
	struct report_buf b;

	report_buf_init(&b);
	CHECK_EQ(report_json_string(&b, in, sizeof(in) - 1), 0);
	CHECK_STR(b.data, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\\u0085\\u2028\xef\xbf\xbd"
			  "\xc3\xa9/\\u0000z\"");
	report_buf_reset(&b);
	CHECK_EQ(report_json_string(&b, NULL, 0), 0);
	CHECK_STR(b.data, "\"\"");
	/* overlong and surrogate bytes each become U+FFFD */
	report_buf_reset(&b);
	report_json_string(&b, "\xc0\x80\xed\xa0\x80", 5);
	CHECK_STR(b.data, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	report_buf_release(&b);
	CHECK(b.data == NULL);
}

static void test_escape_base64_time(void)
{
	struct report_buf b;
	char big[1000];

	report_buf_init(&b);
	report_escape(&b, "a\\b\x1b[31m\xe2\x80\xae\xc3\xa9 x\xc2\x9b", 17, false);
	CHECK_STR(b.data, "a\\\\b\\x1b[31m\\xe2\\x80\\xae\xc3\xa9 x\\xc2\\x9b");
	report_buf_reset(&b);
	report_escape(&b, "a b", 3, true);
	CHECK_STR(b.data, "a\\x20b");

	report_buf_reset(&b);
	CHECK_EQ(report_base64(&b, "", 0), 0);
	CHECK_STR(b.data ? b.data : "", "");
	CHECK_EQ(report_base64(&b, "f", 1), 0);
	CHECK_STR(b.data, "Zg==");
	report_buf_reset(&b);
	report_base64(&b, "foobar", 6);
	CHECK_STR(b.data, "Zm9vYmFy");

	report_buf_reset(&b);
	CHECK_EQ(report_time(&b, 1000), 0);
	CHECK_STR(b.data, "1970-01-01T00:00:00.000001Z");
	report_buf_reset(&b);
	report_time(&b, -1000000001LL);
	CHECK_STR(b.data, "1969-12-31T23:59:58.999999Z");

	/* growth past the first allocation keeps every byte */
	report_buf_reset(&b);
	memset(big, 'q', sizeof(big));
	for (int i = 0; i < 10; i++)
		CHECK_EQ(report_buf_append(&b, big, sizeof(big)), 0);
	CHECK_EQ(report_buf_printf(&b, "%d", 12345), 0);
	CHECK_EQ(b.len, 10005);
	CHECK_MEM(b.data + 9995, 10, "qqqqq12345", 10);
	CHECK_EQ(b.data[b.len], '\0');
	report_buf_release(&b);
}

static void test_access(void)
{
	struct rb b;

	rb_init(&b, EVLOG_ACCESS, 9, T_2026);
	add_int(&b, EVF_PID, 7, 4);
	add_int(&b, EVF_HOST_PID, 7007, 4);
	add_int(&b, EVF_UID, 1000, 4);
	add_int(&b, EVF_GID, 1000, 4);
	add_str(&b, EVF_COMM, "cat");
	add_str(&b, EVF_EXE, "/usr/bin/cat");
	add_str(&b, EVF_PATH, "../tmp/log");
	add_str(&b, EVF_RESOLVED, "/tmp/log");
	add_int(&b, EVF_DEV, 2049, 8);
	add_int(&b, EVF_INO, 131074, 8);
	add_int(&b, EVF_ACCESS, EVLOG_ACCESS_R | EVLOG_ACCESS_W, 4);
	add_int(&b, EVF_DECISION, 0, 1);
	add_str(&b, EVF_REASON, "seed.acl:1");
	add_str(&b, EVF_SYSCALL, "openat");
	expect(&b.r, REPORT_JSON,
	       "{\"seq\":9,\"time\":\"2026-11-26T15:53:21.123456Z\",\"kind\":\"access\",\"pid\":7,"
	       "\"host_pid\":7007,\"uid\":1000,\"gid\":1000,\"comm\":\"cat\",\"exe\":\"/usr/bin/"
	       "cat\",\"path\":\"../tmp/log\",\"resolved\":\"/tmp/"
	       "log\",\"dev\":2049,\"ino\":131074,"
	       "\"access\":\"rw\",\"decision\":\"deny\",\"reason\":\"seed.acl:1\",\"syscall\":"
	       "\"openat\"}\n");
	expect(&b.r, REPORT_HUMAN,
	       "2026-11-26T15:53:21.123456Z seq=9 access cat[7/7007] uid=1000 deny rw ../tmp/log "
	       "(/tmp/log) syscall=openat reason=seed.acl:1\n");
	/* A malformed decision or unknown access bits render as null / ?. */
	rb_init(&b, EVLOG_ACCESS, 10, T_2026);
	add_int(&b, EVF_ACCESS, 0x80, 4);
	add_int(&b, EVF_DECISION, 7, 1);
	expect(&b.r, REPORT_HUMAN,
	       "2026-11-26T15:53:21.123456Z seq=10 access ?[?/?] uid=? ? ? ? (?) syscall=? "
	       "reason=?\n");
}

static void test_bad_format(void)
{
	struct report_buf b;
	struct rb r;

	rb_init(&r, EVLOG_LOST, 1, 0);
	report_buf_init(&b);
	CHECK_EQ(report_render(&r.r, (enum report_format)7, &b), -EINVAL);
	CHECK_EQ(b.len, 0);
	report_buf_release(&b);
}

int main(void)
{
	RUN(test_dgram_parsed);
	RUN(test_dgram_at_send);
	RUN(test_dgram_invalid_utf8);
	RUN(test_dgram_nul);
	RUN(test_human_escaping);
	RUN(test_journal_multi);
	RUN(test_journal_single_and_empty);
	RUN(test_stream);
	RUN(test_guest_start);
	RUN(test_guest_exit_lost_checkpoint);
	RUN(test_json_string);
	RUN(test_escape_base64_time);
	RUN(test_access);
	RUN(test_bad_format);
	return TEST_DONE();
}
