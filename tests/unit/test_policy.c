/* test_policy.c - access-file parser, compiled table, precedence, BLP and pending paths. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "policy/policy.h"
#include "test.h"

/* ---- a fake guest file system: path -> inode, dev 7 ---- */

struct fobj {
	const char *path;
	uint64_t ino;
};

static struct fobj fs[64] = {
	{"/", 2},
	{"/tmp", 10},
	{"/tmp/log", 11},
	{"/tmp/sub", 12},
	{"/tmp/sub/file", 13},
	{"/tmp/sub/deep", 14},
	{"/tmp/sub/deep/x", 15},
	{"/etc", 20},
	{"/etc/passwd", 21},
	{"/etc/shadow", 22},
	{"/dev", 30},
	{"/dev/null", 31},
	{"/secret", 40},
	{"/secret/a", 41},
	{"/etc/passwd-link", 21}, /* a hard link */
	{"/srv", 50},
	{"/srv/low", 51},
	{"/srv/high", 52},
	{"/srv/mid", 53},
	{"/srv/open", 54},
};
static size_t nfs = 20;

static int fake_resolve(void *ctx, const char *path, struct policy_key *key)
{
	(void)ctx;
	if (!strcmp(path, "/eio"))
		return -EIO;
	for (size_t i = 0; i < nfs; i++) {
		if (!strcmp(fs[i].path, path)) {
			*key = (struct policy_key){.dev = 7, .ino = fs[i].ino};
			return 0;
		}
	}
	return -ENOENT;
}

static void fs_add(const char *path, uint64_t ino)
{
	fs[nfs++] = (struct fobj){path, ino};
}

static struct policy_key key_of(const char *path)
{
	struct policy_key k = {0};

	if (fake_resolve(NULL, path, &k) < 0)
		abort();
	return k;
}

/* Decide on @path by key: the object and its ancestors, nearest first. */
static int decide(const struct policy_compiled *c, const char *path, uint32_t uid, unsigned want,
		  struct policy_verdict *v)
{
	struct policy_key obj = key_of(path), anc[16];
	char buf[256];
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	while (strcmp(buf, "/")) {
		char *slash = strrchr(buf, '/');
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
		anc[n++] = key_of(buf);
	}
	return policy_decide(c, &obj, anc, n, uid, want, v);
}

static struct policy *parse(const char *text)
{
	struct policy_errors errs = {0};
	struct policy *p = NULL;
	int r = policy_parse("t.acl", text, strlen(text), &p, &errs);

	CHECK_EQ(r, 0);
	for (size_t i = 0; i < errs.n; i++)
		printf("#   unexpected error %u:%u: %s\n", errs.v[i].line, errs.v[i].col,
		       errs.v[i].msg);
	policy_errors_release(&errs);
	return p;
}

static struct policy_compiled *build(const char *text)
{
	struct policy *p = parse(text);
	struct policy_compiled *c = NULL;

	if (!p)
		return NULL;
	CHECK_EQ(policy_compile(p, fake_resolve, NULL, &c, NULL), 0);
	policy_free(p);
	return c;
}

/* ---- parser ---- */

static void test_parse_accepts(void)
{
	const char *text = "# access file\r\n"
			   "\n"
			   "   \t\n"
			   "default deny   # trailing comment\n"
			   "blp on\r\n"
			   "-r /tmp/log 1000\n"
			   "+wa\t/tmp/sub/  *\n"
			   "rwa \"/tmp/a \\\"q\\\" b\\\\c\" 4294967294\n"
			   "a / 0\n"
			   "level /secret/ 3\n"
			   "level /dev/null -\n"
			   "level /secret/ 3\n" /* identical repeat: dropped */
			   "clearance 1000 2\n"
			   "clearance 0 255\n"
			   "r /a#b 5";
	struct policy *p = parse(text);

	if (!p)
		return;
	CHECK_STR(p->file, "t.acl");
	CHECK_EQ(p->default_deny, 1);
	CHECK_EQ(p->default_line, 4);
	CHECK_EQ(p->blp, 1);
	CHECK_EQ(p->blp_line, 5);
	CHECK_EQ(p->nrules, 5);
	CHECK_STR(p->rules[0].path, "/tmp/log");
	CHECK_EQ(p->rules[0].deny, 1);
	CHECK_EQ(p->rules[0].perms, POLICY_R);
	CHECK_EQ(p->rules[0].uid, 1000);
	CHECK_EQ(p->rules[0].subtree, 0);
	CHECK_EQ(p->rules[0].line, 6);
	CHECK_EQ(p->rules[0].col, 4);
	CHECK_STR(p->rules[1].path, "/tmp/sub");
	CHECK_EQ(p->rules[1].deny, 0);
	CHECK_EQ(p->rules[1].perms, POLICY_W | POLICY_A);
	CHECK_EQ(p->rules[1].uid, POLICY_UID_ANY);
	CHECK_EQ(p->rules[1].subtree, 1);
	CHECK_STR(p->rules[2].path, "/tmp/a \"q\" b\\c");
	CHECK_EQ(p->rules[2].perms, POLICY_R | POLICY_W | POLICY_A);
	CHECK_EQ(p->rules[2].uid, 4294967294u);
	CHECK_STR(p->rules[3].path, "/");
	CHECK_EQ(p->rules[3].subtree, 1);
	CHECK_EQ(p->rules[3].perms, POLICY_A);
	CHECK_STR(p->rules[4].path, "/a#b");
	CHECK_EQ(p->rules[4].line, 15);
	CHECK_EQ(p->nlevels, 2);
	CHECK_STR(p->levels[0].path, "/secret");
	CHECK_EQ(p->levels[0].subtree, 1);
	CHECK_EQ(p->levels[0].level, 3);
	CHECK_STR(p->levels[1].path, "/dev/null");
	CHECK_EQ(p->levels[1].level, POLICY_LEVEL_EXEMPT);
	CHECK_EQ(p->nclearances, 2);
	CHECK_EQ(p->clearances[0].uid, 1000);
	CHECK_EQ(p->clearances[0].level, 2);
	CHECK_EQ(p->clearances[1].uid, 0);
	CHECK_EQ(p->clearances[1].level, 255);
	policy_free(p);

	/* An empty file is a valid, empty policy: default allow, blp off. */
	p = parse("");
	if (p) {
		CHECK_EQ(p->nrules + p->nlevels + p->nclearances, 0);
		CHECK_EQ(p->default_deny, 0);
		CHECK_EQ(p->blp, 0);
	}
	policy_free(p);
	policy_free(NULL);
}

struct bad_case {
	const char *text;
	uint32_t line, col;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{"frobnicate /x 0\n", 1, 1, "unknown directive 'frobnicate'"},
	{"\"r\" /x 0\n", 1, 1, "unknown directive 'r'"},
	{"- /x 0\n", 1, 1, "missing permissions after '-'"},
	{"+ /x 0\n", 1, 1, "missing permissions after '+'"},
	{"rx /x 0\n", 1, 2, "unknown permission 'x'"},
	{"-rwr /x 0\n", 1, 4, "duplicate permission 'r'"},
	{"r tmp/x 0\n", 1, 3, "relative path 'tmp/x'"},
	{"r \"\" 0\n", 1, 3, "empty path"},
	{"r /a/../b 0\n", 1, 3, "'.' or '..' component"},
	{"r /a/./b 0\n", 1, 3, "'.' or '..' component"},
	{"r /a//b 0\n", 1, 3, "empty component"},
	{"r /a// 0\n", 1, 3, "empty component"},
	{"r // 0\n", 1, 3, "empty component"},
	{"r \"/a\\n\" 0\n", 1, 6, "unknown escape"},
	{"r \"/a 0\n", 1, 3, "unterminated quoted path"},
	{"r \"/a\"x 0\n", 1, 7, "expected a space after the closing quote"},
	{"r /a\\b 0\n", 1, 5, "'\\' outside quotes"},
	{"r /x\n", 1, 5, "missing subject"},
	{"r\n", 1, 2, "missing path"},
	{"r /x 4294967295\n", 1, 6, "uid out of range"},
	{"r /x 99999999999999999999\n", 1, 6, "uid out of range"},
	{"r /x root\n", 1, 6, "invalid subject 'root'"},
	{"r /x -1\n", 1, 6, "invalid subject '-1'"},
	{"r /x 0 extra\n", 1, 8, "unexpected 'extra' after the subject"},
	{"default maybe\n", 1, 9, "invalid default 'maybe'"},
	{"default\n", 1, 8, "missing value after 'default'"},
	{"default allow\ndefault deny\n", 2, 1, "duplicate 'default' (first at line 1)"},
	{"default deny deny\n", 1, 14, "unexpected 'deny'"},
	{"blp yes\n", 1, 5, "invalid blp 'yes'"},
	{"blp on\nblp on\n", 2, 1, "duplicate 'blp' (first at line 1)"},
	{"level /x 256\n", 1, 10, "level out of range (0..255)"},
	{"level /x high\n", 1, 10, "invalid level 'high'"},
	{"level /x\n", 1, 9, "missing level"},
	{"level x 1\n", 1, 7, "relative path"},
	{"level /x 1\nlevel /x 2\n", 2, 10, "conflicting level 2 for /x (line 1 sets 1)"},
	{"level /x/ 1\nlevel /x/ -\n", 2, 11, "conflicting level - for /x/ (line 1 sets 1)"},
	{"clearance 1000 2\nclearance 1000 3\n", 2, 16,
	 "conflicting clearance 3 for uid 1000 (line 1 sets 2)"},
	{"clearance * 2\n", 1, 11, "clearance needs a numeric uid"},
	{"clearance 5 300\n", 1, 13, "clearance out of range"},
	{"clearance 5\n", 1, 12, "missing clearance level"},
	{"r /x\x01 0\n", 1, 5, "control character 0x01"},
	{"r /x\r0\n", 1, 5, "control character 0x0d"},
};

static void test_parse_errors(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct policy_errors errs = {0};
		struct policy *p = (struct policy *)1;
		int r = policy_parse("t.acl", bc->text, strlen(bc->text), &p, &errs);

		CHECK_EQ(r, -EINVAL);
		CHECK(p == NULL);
		CHECK_EQ(errs.n, 1);
		if (errs.n >= 1) {
			CHECK_EQ(errs.v[0].line, bc->line);
			CHECK_EQ(errs.v[0].col, bc->col);
			if (!strstr(errs.v[0].msg, bc->msg))
				printf("#   case %zu: '%s' lacks '%s'\n", i, errs.v[0].msg,
				       bc->msg);
			CHECK(strstr(errs.v[0].msg, bc->msg) != NULL);
		}
		policy_errors_release(&errs);
	}
}

static void test_parse_errors_special(void)
{
	struct policy_errors errs = {0};
	struct policy *p = NULL;
	char text[16];

	/* A NUL byte inside the text. */
	memcpy(text, "r /a\0b 0\n", 9);
	CHECK_EQ(policy_parse("t", text, 9, &p, &errs), -EINVAL);
	CHECK_EQ(errs.n, 1);
	if (errs.n) {
		CHECK_EQ(errs.v[0].col, 5);
		CHECK_STR(errs.v[0].msg, "control character 0x00");
	}
	policy_errors_release(&errs);

	/* A line over the cap, and a path over PATH_MAX. */
	size_t big = POLICY_LINE_MAX + 10;
	char *line = malloc(big + 1);
	memset(line, 'x', big);
	memcpy(line, "r /", 3);
	line[big] = '\n';
	CHECK_EQ(policy_parse("t", line, big + 1, &p, &errs), -EINVAL);
	CHECK_EQ(errs.n, 1);
	if (errs.n) {
		CHECK_EQ(errs.v[0].col, POLICY_LINE_MAX + 1);
		CHECK(strstr(errs.v[0].msg, "line longer than 8192 bytes") != NULL);
	}
	policy_errors_release(&errs);
	memset(line, 'x', 5000);
	memcpy(line, "r /", 3);
	for (size_t i = 100; i < 5000; i += 100)
		line[i] = '/';
	memcpy(line + 5000, " 0\n", 3);
	CHECK_EQ(policy_parse("t", line, 5003, &p, &errs), -EINVAL);
	CHECK_EQ(errs.n, 1);
	if (errs.n)
		CHECK(strstr(errs.v[0].msg, "path longer than 4095 bytes") != NULL);
	policy_errors_release(&errs);
	memset(line, 'x', 300);
	memcpy(line, "r /", 3);
	memcpy(line + 300, " 0\n", 3);
	CHECK_EQ(policy_parse("t", line, 303, &p, &errs), -EINVAL);
	if (errs.n)
		CHECK(strstr(errs.v[0].msg, "component longer than 255 bytes") != NULL);
	policy_errors_release(&errs);
	free(line);

	/* Errors without an error list are still errors. */
	CHECK_EQ(policy_parse("t", "bogus\n", 6, &p, NULL), -EINVAL);
	CHECK_EQ(policy_parse("t", "", POLICY_FILE_MAX + 1, &p, NULL), -EFBIG);
}

static void test_parse_many_errors(void)
{
	const char *text = "r /ok 0\n"
			   "rq /x 0\n" /* 2:2 */
			   "# fine\n"
			   "r rel 1 junk\n" /* 4:3 and 4:9 */
			   "level /y 1\n"
			   "default sometimes\n" /* 6:9 */
			   "level /y 2\n"	 /* 7:10 */
			   "r /z 1x\n";		 /* 8:6 */
	static const struct {
		uint32_t line, col;
		const char *msg;
	} want[] = {
		{2, 2, "unknown permission 'q' (expected r, w or a)"},
		{4, 3, "relative path 'rel' (paths must start with '/')"},
		{4, 9, "unexpected 'junk' after the subject"},
		{6, 9, "invalid default 'sometimes' (expected allow or deny)"},
		{7, 10, "conflicting level 2 for /y (line 5 sets 1)"},
		{8, 6, "invalid subject '1x' (expected a numeric uid or '*')"},
	};
	struct policy_errors errs = {0};
	struct policy *p = NULL;

	CHECK_EQ(policy_parse("t", text, strlen(text), &p, &errs), -EINVAL);
	CHECK_EQ(errs.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < errs.n && i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK_EQ(errs.v[i].line, want[i].line);
		CHECK_EQ(errs.v[i].col, want[i].col);
		CHECK_STR(errs.v[i].msg, want[i].msg);
	}
	policy_errors_release(&errs);

	/* More than POLICY_ERRORS_MAX errors: the rest are counted. */
	size_t n = POLICY_ERRORS_MAX + 5;
	char *big = malloc(n * 2);
	for (size_t i = 0; i < n; i++)
		memcpy(big + 2 * i, "x\n", 2);
	CHECK_EQ(policy_parse("t", big, n * 2, &p, &errs), -EINVAL);
	CHECK_EQ(errs.n, POLICY_ERRORS_MAX);
	CHECK_EQ(errs.dropped, 5);
	policy_errors_release(&errs);
	free(big);
}

static void test_parse_file(void)
{
	struct policy_errors errs = {0};
	struct policy *p = NULL;
	char path[64];
	int fd = memfd_create("policy", MFD_CLOEXEC);

	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "-r /tmp/log 0\n", 14), 14);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	CHECK_EQ(policy_parse_file(path, &p, &errs), 0);
	if (p) {
		CHECK_STR(p->file, path);
		CHECK_EQ(p->nrules, 1);
	}
	policy_free(p);
	CHECK_EQ(ftruncate(fd, POLICY_FILE_MAX + 1), 0);
	CHECK_EQ(policy_parse_file(path, &p, &errs), -EFBIG);
	CHECK(p == NULL);
	CHECK_EQ(ftruncate(fd, POLICY_FILE_MAX), 0); /* exactly the cap: NULs, a parse error */
	CHECK_EQ(policy_parse_file(path, &p, &errs), -EINVAL);
	policy_errors_release(&errs);
	close(fd);
	CHECK_EQ(policy_parse_file("/nonexistent/policy", &p, NULL), -ENOENT);
}

/* ---- hash ---- */

static void test_hash(void)
{
	struct policy *a = parse("# x\nr /tmp/log 0\n-wa \"/a b/\" *\nlevel /s 3\nclearance 1 2\n");
	struct policy *b = parse("+r   \"/tmp/log\"  0   # same\n-aw \"/a b/\" *\n"
				 "level \"/s\" 3\nclearance 1 2\ndefault allow\nblp off\n");
	struct policy *c = parse("r /tmp/log 1\n-wa \"/a b/\" *\nlevel /s 3\nclearance 1 2\n");
	uint8_t ha[32], hb[32], hc[32], want[32];
	static const char canon[] = "vmmsec-policy 1\ndefault allow\nblp off\n"
				    "+r \"/tmp/log\" 0\n-wa \"/a b/\" *\n"
				    "level \"/s\" 3\nclearance 1 2\n";

	if (!a || !b || !c)
		goto out;
	CHECK_EQ(policy_hash(a, ha), 0);
	CHECK_EQ(policy_hash(b, hb), 0);
	CHECK_EQ(policy_hash(c, hc), 0);
	crypto_generichash(want, 32, (const unsigned char *)canon, strlen(canon), NULL, 0);
	CHECK_MEM(ha, 32, want, 32);
	CHECK_MEM(hb, 32, want, 32);
	CHECK(memcmp(hc, want, 32) != 0);
out:
	policy_free(a);
	policy_free(b);
	policy_free(c);
}

/* ---- decisions ---- */

static void expect(const struct policy_compiled *c, const char *path, uint32_t uid, unsigned want,
		   bool allow, const char *reason)
{
	struct policy_verdict v;

	CHECK_EQ(decide(c, path, uid, want, &v), 0);
	if (v.allow != allow || strcmp(v.reason, reason))
		printf("#   %s uid %u want %u: got %s '%s', expected %s '%s'\n", path, uid, want,
		       v.allow ? "allow" : "deny", v.reason, allow ? "allow" : "deny", reason);
	CHECK_EQ(v.allow, allow);
	CHECK_STR(v.reason, reason);
}

static void test_seed_example(void)
{
	struct policy_compiled *c = build("-r /tmp/log 1000\n-r /tmp/log 0\nw /tmp/log 0\n");
	struct policy_verdict v;

	if (!c)
		return;
	expect(c, "/tmp/log", 0, POLICY_W, true, "t.acl:3");
	expect(c, "/tmp/log", 0, POLICY_A, true, "t.acl:3");
	expect(c, "/tmp/log", 0, POLICY_R, false, "t.acl:2");
	expect(c, "/tmp/log", 0, POLICY_R | POLICY_W, false, "t.acl:2");
	expect(c, "/tmp/log", 1000, POLICY_R, false, "t.acl:1");
	expect(c, "/tmp/log", 1000, POLICY_W, true, "default");
	expect(c, "/tmp/log", 5, POLICY_R | POLICY_W, true, "default");
	expect(c, "/tmp/sub/file", 1000, POLICY_R, true, "default");
	CHECK_EQ(decide(c, "/tmp/log", 0, POLICY_R, &v), 0);
	CHECK_EQ(v.failed, POLICY_R);
	CHECK_EQ(v.cause, POLICY_CAUSE_RULE);
	CHECK_EQ(v.line, 2);
	CHECK_EQ(decide(c, "/tmp/log", 0, 0, &v), -EINVAL);
	CHECK_EQ(decide(c, "/tmp/log", 0, 8, &v), -EINVAL);
	policy_compiled_free(c);
}

static void test_precedence(void)
{
	struct policy_compiled *c = build("-r /tmp/ *\n"	   /* 1 */
					  "r /tmp/sub/ *\n"	   /* 2: deeper subtree */
					  "-r /tmp/sub/deep/x *\n" /* 3: object */
					  "r /tmp/sub/deep/ 5\n"   /* 4 */
					  "-w /etc/ 5\n"	   /* 5 */
					  "w /etc/ *\n"		   /* 6 */
					  "-w /etc/passwd *\n"	   /* 7 */
					  "w /etc/passwd *\n"	   /* 8: tie with 7 */
					  "r /secret *\n"	   /* 9: exact on a directory */
					  "-r /secret/ *\n"	   /* 10 */
					  "a /srv/open *\n"	   /* 11: append-only log */
					  "-w /srv/open *\n"	   /* 12 */
					  "-a /srv/low *\n"	   /* 13 */
					  "w /srv/low 7\n");	   /* 14: uid rule, w includes a */
	if (!c)
		return;
	/* Subtree, deeper subtree, object. */
	expect(c, "/tmp/log", 1, POLICY_R, false, "t.acl:1");
	expect(c, "/tmp", 1, POLICY_R, false, "t.acl:1"); /* a subtree covers its directory */
	expect(c, "/tmp/sub/file", 1, POLICY_R, true, "t.acl:2");
	expect(c, "/tmp/sub", 1, POLICY_R, true, "t.acl:2");
	expect(c, "/tmp/sub/deep/x", 1, POLICY_R, false, "t.acl:3");
	/* The object rule beats a nearer uid subtree rule. */
	expect(c, "/tmp/sub/deep/x", 5, POLICY_R, false, "t.acl:3");
	expect(c, "/tmp/sub/deep", 5, POLICY_R, true, "t.acl:4");
	expect(c, "/tmp/sub/deep", 6, POLICY_R, true, "t.acl:2");
	/* uid beats '*' at equal specificity, whatever the order. */
	expect(c, "/etc/shadow", 5, POLICY_W, false, "t.acl:5");
	expect(c, "/etc/shadow", 6, POLICY_W, true, "t.acl:6");
	/* Full tie: deny wins. */
	expect(c, "/etc/passwd", 6, POLICY_W, false, "t.acl:7");
	/* Rules bind the object: a hard link is the same object. */
	expect(c, "/etc/passwd-link", 6, POLICY_W, false, "t.acl:7");
	/* A rule for the directory itself does not reach its contents. */
	expect(c, "/secret", 1, POLICY_R, true, "t.acl:9");
	expect(c, "/secret/a", 1, POLICY_R, false, "t.acl:10");
	/* Append-only: a grants A, -w denies W only. */
	expect(c, "/srv/open", 1, POLICY_A, true, "t.acl:11");
	expect(c, "/srv/open", 1, POLICY_W, false, "t.acl:12");
	expect(c, "/srv/open", 1, POLICY_R | POLICY_A, true, "default, t.acl:11");
	/* -a also denies W; a uid's w grants A and W. */
	expect(c, "/srv/low", 1, POLICY_W, false, "t.acl:13");
	expect(c, "/srv/low", 7, POLICY_A, true, "t.acl:14");
	expect(c, "/srv/low", 7, POLICY_W, true, "t.acl:14");
	policy_compiled_free(c);

	/* default deny, and the first failing bit is reported. */
	c = build("default deny\nr /tmp/ *\n");
	if (!c)
		return;
	struct policy_verdict v;
	expect(c, "/etc/passwd", 0, POLICY_R, false, "default");
	expect(c, "/tmp/log", 0, POLICY_R, true, "t.acl:2");
	CHECK_EQ(decide(c, "/tmp/log", 0, POLICY_R | POLICY_A, &v), 0);
	CHECK_EQ(v.allow, 0);
	CHECK_EQ(v.failed, POLICY_A);
	CHECK_EQ(v.cause, POLICY_CAUSE_DEFAULT);
	CHECK_STR(v.reason, "default");
	policy_compiled_free(c);

	/* A root subtree rule applies to everything, including "/". */
	c = build("-w / *\n");
	if (c) {
		expect(c, "/", 0, POLICY_W, false, "t.acl:1");
		expect(c, "/tmp/sub/deep/x", 0, POLICY_W, false, "t.acl:1");
		expect(c, "/tmp/sub/deep/x", 0, POLICY_R, true, "default");
	}
	policy_compiled_free(c);
}

struct blp_case {
	const char *path; /* /srv/low = 1, /srv/mid = 2, /srv/high = 3 */
	unsigned want;
	bool allow;
	const char *reason;
};

static void test_blp_matrix(void)
{
	static const struct blp_case cases[] = {
		{"/srv/low", POLICY_R, true, "default"},
		{"/srv/low", POLICY_A, false, "blp: no write down (clearance 2 > level 1)"},
		{"/srv/low", POLICY_W, false, "blp: no write down (clearance 2 > level 1)"},
		{"/srv/low", POLICY_R | POLICY_W, false,
		 "blp: no write down (clearance 2 > level 1)"},
		{"/srv/mid", POLICY_R, true, "default"},
		{"/srv/mid", POLICY_A, true, "default"},
		{"/srv/mid", POLICY_W, true, "default"},
		{"/srv/mid", POLICY_R | POLICY_W, true, "default"},
		{"/srv/high", POLICY_R, false, "blp: no read up (clearance 2 < level 3)"},
		{"/srv/high", POLICY_A, true, "default"},
		{"/srv/high", POLICY_W, true, "default"},
		{"/srv/high", POLICY_R | POLICY_W, false,
		 "blp: no read up (clearance 2 < level 3)"},
		{"/dev/null", POLICY_R | POLICY_W, true, "default"}, /* exempt */
		{"/tmp/log", POLICY_R, true, "default"},	     /* level 0 */
		{"/tmp/log", POLICY_W, false, "blp: no write down (clearance 2 > level 0)"},
		{"/srv", POLICY_R, false, "blp: no read up (clearance 2 < level 5)"}, /* exact */
		{"/srv/open", POLICY_R, false, "blp: no read up (clearance 2 < level 4)"},
	};
	struct policy_compiled *c =
		build("blp on\n"
		      "clearance 1000 2\n"
		      "level /srv/ 4\n"
		      "level /srv 5\n"
		      "level /srv/low 1\n"
		      "level /srv/mid 2\n"
		      "level /srv/high 3\n"
		      "level /dev/ -\n"
		      "-a /srv/high 1000\n" /* rules still apply: both must allow */
		      "r /srv/high 1000\n");
	struct policy_verdict v;

	if (!c)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct blp_case *bc = &cases[i];
		unsigned want = bc->want;
		if (!strcmp(bc->path, "/srv/high") && (want & (POLICY_A | POLICY_W)))
			expect(c, bc->path, 1000, want, false, "t.acl:9");
		else
			expect(c, bc->path, 1000, want, bc->allow, bc->reason);
	}
	CHECK_EQ(decide(c, "/srv/high", 1000, POLICY_R, &v), 0);
	CHECK_EQ(v.cause, POLICY_CAUSE_BLP);
	CHECK_EQ(v.failed, POLICY_R);
	CHECK_EQ(v.level, 3);
	CHECK_EQ(v.clearance, 2);
	CHECK_EQ(decide(c, "/dev/null", 1000, POLICY_R, &v), 0);
	CHECK_EQ(v.level, POLICY_LEVEL_EXEMPT);
	/* The default clearance is 0: uid 5 reads only level 0 and writes anywhere. */
	expect(c, "/srv/low", 5, POLICY_R, false, "blp: no read up (clearance 0 < level 1)");
	expect(c, "/srv/low", 5, POLICY_W, true, "default");
	expect(c, "/srv/high", 5, POLICY_A, true, "default");
	policy_compiled_free(c);

	/* The same levels with blp off decide nothing. */
	c = build("blp off\nclearance 1000 2\nlevel /srv/high 3\nlevel /srv/low 1\n");
	if (c) {
		expect(c, "/srv/high", 1000, POLICY_R, true, "default");
		expect(c, "/srv/low", 1000, POLICY_W, true, "default");
	}
	policy_compiled_free(c);
}

static void test_pending(void)
{
	struct policy_compiled *c = build("-r /tmp/new *\n-w /tmp/newdir/ 3\nlevel /tmp/new 2\n"
					  "-r /etc/passwd 9\nr /tmp/gone 9\n");
	struct policy_key nk = {.dev = 7, .ino = 100}, dk = {.dev = 7, .ino = 101};
	struct policy_verdict v;

	if (!c)
		return;
	CHECK_EQ(policy_pending_count(c), 3);
	CHECK_STR(policy_pending_path(c, 0), "/tmp/gone");
	CHECK_STR(policy_pending_path(c, 1), "/tmp/new");
	CHECK_STR(policy_pending_path(c, 2), "/tmp/newdir");
	CHECK(policy_pending_path(c, 3) == NULL);
	fs_add("/tmp/new", 100);
	fs_add("/tmp/newdir", 101);
	fs_add("/tmp/newdir/f", 102);
	/* Before binding, the new objects are unknown to the policy. */
	expect(c, "/tmp/new", 1, POLICY_R, true, "default");
	expect(c, "/tmp/newdir/f", 3, POLICY_W, true, "default");
	CHECK_EQ(policy_bind_pending(c, "/tmp/other", &nk), 0);
	CHECK_EQ(policy_bind_pending(c, "/tmp/new", &nk), 1);
	CHECK_EQ(policy_bind_pending(c, "/tmp/newdir/", &dk), 1);
	CHECK_EQ(policy_pending_count(c), 1);
	CHECK_STR(policy_pending_path(c, 0), "/tmp/gone");
	expect(c, "/tmp/new", 1, POLICY_R, false, "t.acl:1");
	expect(c, "/tmp/newdir/f", 3, POLICY_W, false, "t.acl:2");
	expect(c, "/tmp/newdir", 3, POLICY_W, false, "t.acl:2");
	CHECK_EQ(decide(c, "/tmp/new", 1, POLICY_W, &v), 0);
	CHECK_EQ(v.level, 2);
	/* Rebinding is idempotent. */
	CHECK_EQ(policy_bind_pending(c, "/tmp/new", &nk), 1);
	expect(c, "/tmp/new", 1, POLICY_R, false, "t.acl:1");

	/*
	 * Binding /tmp/gone (which grants uid 9 read) to the object of
	 * /etc/passwd (a hard link made by the guest) must not widen it.
	 */
	struct policy_key pk = key_of("/etc/passwd");
	CHECK_EQ(policy_bind_pending(c, "/tmp/gone", &pk), 1);
	expect(c, "/etc/passwd", 9, POLICY_R, false, "t.acl:4");
	CHECK_EQ(policy_pending_count(c), 0);
	policy_compiled_free(c);
}

/* Path keys decide a create before the object exists; subjects list every named uid. */
static void test_path_keys_and_subjects(void)
{
	struct policy_compiled *c = build("-w /tmp/future *\nr /tmp/log 1000\n"
					  "clearance 7 2\n-r /etc/ 4294967294\n");
	struct policy_key k, real = key_of("/tmp/log");
	struct policy_verdict v;

	if (!c)
		return;
	CHECK_EQ(policy_path_key(c, "/tmp/future", &k), 1);
	CHECK(k.dev == POLICY_DEV_PATH);
	CHECK_EQ(policy_decide(c, &k, NULL, 0, 0, POLICY_W, &v), 0);
	CHECK(!v.allow);
	CHECK_STR(v.reason, "t.acl:1");
	CHECK_EQ(policy_path_key(c, "/tmp/future/", &k), 1); /* a trailing '/' is ignored */
	CHECK_EQ(policy_path_key(c, "/tmp/elsewhere", &k), 0);
	/* A bound path's object carries directives; an unknown object does not. */
	CHECK(policy_has_directives(c, &real));
	struct policy_key none = {.dev = 7, .ino = 9999};
	CHECK(!policy_has_directives(c, &none));
	/* 7, 1000 and the written 4294967294, then one uid nobody named. */
	CHECK_EQ(policy_subject_count(c), 4);
	CHECK_EQ(policy_subject_at(c, 0), 7);
	CHECK_EQ(policy_subject_at(c, 1), 1000);
	CHECK_EQ(policy_subject_at(c, 2), 4294967294u);
	CHECK_EQ(policy_subject_at(c, 3), 4294967293u);
	policy_compiled_free(c);
}

static int eio_resolve(void *ctx, const char *path, struct policy_key *key)
{
	(void)ctx;
	if (!strcmp(path, "/etc") || !strcmp(path, "/secret"))
		return -EACCES;
	return fake_resolve(NULL, path, key);
}

static void test_compile_errors(void)
{
	struct policy *p = parse("r /tmp/log 0\n-r /etc/ 1\nlevel /secret/ 2\n");
	struct policy_errors errs = {0};
	struct policy_compiled *c = (struct policy_compiled *)1;

	if (p) {
		CHECK_EQ(policy_compile(p, eio_resolve, NULL, &c, &errs), -EACCES);
		CHECK(c == NULL);
		CHECK_EQ(errs.n, 2);
		if (errs.n == 2) {
			CHECK_EQ(errs.v[0].line, 2);
			CHECK_EQ(errs.v[0].col, 4);
			CHECK_STR(errs.v[0].msg, "cannot resolve /etc: Permission denied");
			CHECK_EQ(errs.v[1].line, 3);
			CHECK_EQ(errs.v[1].col, 7);
		}
	}
	policy_errors_release(&errs);
	policy_free(p);

	/* Two names of one object with different levels: refuse, do not guess. */
	p = parse("level /etc/passwd 1\nlevel /etc/passwd-link 2\nlevel /etc/passwd/ 3\n");
	if (p) {
		CHECK_EQ(policy_compile(p, fake_resolve, NULL, &c, &errs), -EINVAL);
		CHECK_EQ(errs.n, 1);
		if (errs.n) {
			CHECK_EQ(errs.v[0].line, 2);
			CHECK_EQ(errs.v[0].col, 24);
			CHECK_STR(errs.v[0].msg, "level of /etc/passwd-link conflicts with line 1 "
						 "(the same object)");
		}
	}
	policy_errors_release(&errs);
	policy_free(p);
	policy_compiled_free(NULL);
}

/* 100,000 rules on synthetic objects: the table answers by key whatever its size. */
static int synth_resolve(void *ctx, const char *path, struct policy_key *key)
{
	unsigned long n;

	(void)ctx;
	if (!strcmp(path, "/"))
		n = 0;
	else if (sscanf(path, "/d%lu", &n) != 1)
		return -ENOENT;
	*key = (struct policy_key){.dev = 9, .ino = 1000 + n};
	return 0;
}

static void test_scale(void)
{
	size_t n = 100000, len = 0;
	char *text = malloc(n * 32 + 64);
	struct policy *p = NULL;
	struct policy_compiled *c = NULL;
	struct policy_verdict v;

	len += (size_t)sprintf(text, "default deny\n");
	for (size_t i = 1; i <= n; i++)
		len += (size_t)sprintf(text + len, "%sr /d%zu%s %s\n", i % 3 ? "" : "-", i,
				       i % 2 ? "/" : "", i % 5 ? "*" : "42");
	CHECK_EQ(policy_parse("big", text, len, &p, NULL), 0);
	free(text);
	if (!p)
		return;
	CHECK_EQ(p->nrules, n);
	CHECK_EQ(policy_compile(p, synth_resolve, NULL, &c, NULL), 0);
	policy_free(p);
	if (!c)
		return;
	/* Each path is an object, and has a key for what may later appear at it. */
	CHECK_EQ(policy_compiled_objects(c), 2 * n);
	struct policy_key root = {.dev = 9, .ino = 1000};
	for (size_t i = 1; i <= n; i += 997) {
		struct policy_key obj = {.dev = 9, .ino = 1000 + i};
		bool deny = i % 3 == 0;
		bool uid_rule = i % 5 == 0;
		CHECK_EQ(policy_decide(c, &obj, &root, 1, 42, POLICY_R, &v), 0);
		CHECK_EQ(v.allow, !deny);
		CHECK_EQ(v.line, i + 1);
		/* Other uids: the uid-42 rules do not apply, so default deny. */
		CHECK_EQ(policy_decide(c, &obj, &root, 1, 43, POLICY_R, &v), 0);
		CHECK_EQ(v.allow, uid_rule ? 0 : !deny);
		/* Subtree rules (odd i) reach a child; exact rules do not. */
		struct policy_key child = {.dev = 9, .ino = 5000000 + i}, anc[2] = {obj, root};
		CHECK_EQ(policy_decide(c, &child, anc, 2, 42, POLICY_R, &v), 0);
		CHECK_EQ(v.allow, i % 2 ? !deny : 0);
	}
	policy_compiled_free(c);
}

static void test_want_from_open(void)
{
	CHECK_EQ(policy_want_from_open(O_RDONLY), POLICY_R);
	CHECK_EQ(policy_want_from_open(O_WRONLY), POLICY_W);
	CHECK_EQ(policy_want_from_open(O_WRONLY | O_TRUNC), POLICY_W);
	CHECK_EQ(policy_want_from_open(O_WRONLY | O_APPEND), POLICY_A);
	CHECK_EQ(policy_want_from_open(O_WRONLY | O_APPEND | O_TRUNC), POLICY_W);
	CHECK_EQ(policy_want_from_open(O_RDWR), POLICY_R | POLICY_W);
	CHECK_EQ(policy_want_from_open(O_RDWR | O_APPEND), POLICY_R | POLICY_A);
	CHECK_EQ(policy_want_from_open(O_RDONLY | O_TRUNC), POLICY_R | POLICY_W);
	CHECK_EQ(policy_want_from_open(O_RDONLY | O_APPEND), POLICY_R);
	CHECK_EQ(policy_want_from_open(O_PATH), 0);
	CHECK_EQ(policy_want_from_open(O_ACCMODE), POLICY_R | POLICY_W);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(test_parse_accepts);
	RUN(test_parse_errors);
	RUN(test_parse_errors_special);
	RUN(test_parse_many_errors);
	RUN(test_parse_file);
	RUN(test_hash);
	RUN(test_seed_example);
	RUN(test_precedence);
	RUN(test_blp_matrix);
	RUN(test_pending);
	RUN(test_path_keys_and_subjects);
	RUN(test_compile_errors);
	RUN(test_scale);
	RUN(test_want_from_open);
	return TEST_DONE();
}
