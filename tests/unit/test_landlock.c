/* test_landlock.c - the Landlock wall from real access files, applied in a child: exact errnos. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lsm/lsm.h"
#include "policy/policy.h"
#include "test.h"

static char T[64]; /* the test tree */
static int abi;

static struct policy *parse(const char *text)
{
	struct policy_errors errs = {0};
	struct policy *p = NULL;

	CHECK_EQ(policy_parse("t.acl", text, strlen(text), &p, &errs), 0);
	for (size_t i = 0; i < errs.n; i++)
		printf("#   policy error %u:%u: %s\n", errs.v[i].line, errs.v[i].col,
		       errs.v[i].msg);
	policy_errors_release(&errs);
	return p;
}

static void put(const char *rel, const char *text, mode_t mode)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", T, rel);
	FILE *f = fopen(path, "we");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0 || chmod(path, mode) < 0) {
		printf("# cannot create %s\n", path);
		exit(1);
	}
}

static void dir(const char *rel)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", T, rel);
	if (mkdir(path, 0755) < 0) {
		printf("# cannot create %s\n", path);
		exit(1);
	}
}

enum kind { OPEN, CREAT, MKDIR, UNLINK, EXEC, RENAME };

struct op {
	const char *what;
	enum kind kind;
	const char *rel, *rel2; /* rel2: RENAME's target */
	int flags;		/* OPEN's */
	int want;		/* errno, 0 for success (EXEC: the script exits 7) */
};

/* One operation under the wall: 0 or its errno. */
static int try_op(const struct op *o)
{
	char p[256], p2[256];
	int fd, st;

	snprintf(p, sizeof(p), "%s/%s", T, o->rel);
	snprintf(p2, sizeof(p2), "%s/%s", T, o->rel2 ? o->rel2 : "");
	switch (o->kind) {
	case OPEN:
	case CREAT:
		fd = o->kind == OPEN ? open(p, o->flags | O_CLOEXEC)
				     : open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	case MKDIR:
		return mkdir(p, 0700) < 0 ? errno : 0;
	case UNLINK:
		return unlink(p) < 0 ? errno : 0;
	case RENAME:
		return rename(p, p2) < 0 ? errno : 0;
	case EXEC: {
		int pfd[2];
		if (pipe2(pfd, O_CLOEXEC) < 0)
			return errno;
		pid_t c = fork();
		if (c == 0) {
			execl(p, p, (char *)NULL);
			int e = errno;
			if (write(pfd[1], &e, sizeof(e)) != sizeof(e))
				_exit(2);
			_exit(1);
		}
		close(pfd[1]);
		int e = 0;
		ssize_t n = read(pfd[0], &e, sizeof(e));
		close(pfd[0]);
		if (c < 0 || waitpid(c, &st, 0) < 0)
			return EIO;
		if (n == (ssize_t)sizeof(e))
			return e;
		return WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : EIO;
	}
	}
	return EINVAL;
}

/* Apply ruleset @rs (closed here) in a child, run @ops there, check each errno. */
static void run_ops(int rs, const struct op *ops, int *got, size_t n)
{
	int pfd[2];
	size_t len = n * sizeof(*got);

	CHECK_EQ(pipe2(pfd, O_CLOEXEC), 0);
	pid_t c = fork();
	if (c == 0) {
		close(pfd[0]);
		int r = lsm_landlock_apply(rs);
		for (size_t i = 0; i < n; i++)
			got[i] = r < 0 ? -r + 1000 : try_op(&ops[i]);
		_exit(write(pfd[1], got, len) == (ssize_t)len ? 0 : 1);
	}
	close(pfd[1]);
	close(rs);
	ssize_t rd = read(pfd[0], got, len);
	close(pfd[0]);
	int st = -1;
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK_EQ(st, 0);
	CHECK_EQ(rd, (ssize_t)len);
	for (size_t i = 0; rd == (ssize_t)len && i < n; i++) {
		if (got[i] != ops[i].want)
			printf("#   %s: got %s, want %s\n", ops[i].what, strerror(got[i]),
			       strerror(ops[i].want));
		CHECK_EQ(got[i], ops[i].want);
	}
}

/*
 * A default-deny access file over a real tree: grants on files and
 * subtrees, an exact directory rule, a uid rule, a deny rule, a path with
 * nothing at it yet, and the system directories /bin/sh needs.
 */
static void test_wall(void)
{
	char text[4096];
	size_t n = 0;

	dir("ro");
	put("ro/file", "ro", 0644);
	put("ro/denied", "dn", 0644);
	put("ro/script", "#!/bin/sh\nexit 7\n", 0755);
	dir("other");
	put("other/file", "ot", 0644);
	put("other/script", "#!/bin/sh\nexit 7\n", 0755);
	dir("wdir");
	put("wdir/old", "", 0644);
	put("wdir/mv", "", 0644);
	dir("wdir2");
	dir("wonly");
	put("wonly/f", "", 0644);
	put("app", "", 0644);
	dir("exact");
	put("exact/f", "", 0644);
	dir("uid");
	put("uid/f", "", 0644);
	dir("pend");
	dir("extra");
	put("extra/f", "", 0644);

	n += (size_t)snprintf(text + n, sizeof(text) - n,
			      "default deny\n"
			      "r %s/ro/ *\n"
			      "-r %s/ro/denied *\n" /* ignored: the wall is a superset */
			      "rw %s/wdir/ *\n"
			      "w %s/wdir2/ 0\n"
			      "r %s/wdir2/ 0\n"
			      "w %s/wonly/ *\n"
			      "a %s/app *\n"
			      "r %s/exact 5\n"	      /* a directory without '/': widened */
			      "r %s/uid/ 1000\n"      /* another uid: union over subjects */
			      "rw %s/pend/sub/x 0\n", /* nothing there yet: on pend */
			      T, T, T, T, T, T, T, T, T, T);
	/* What /bin/sh needs to run, only where it exists (a missing PATH widens to '/'). */
	const char *sys[] = {"/usr/", "/bin/", "/lib/", "/lib64/", "/etc/"};
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (access(sys[i], F_OK) == 0)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "r %s *\n", sys[i]);
	CHECK(n < sizeof(text));
	struct policy *p = parse(text);
	if (!p)
		return;

	char extra_path[128];
	snprintf(extra_path, sizeof(extra_path), "%s/extra", T);
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int extra = open(extra_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int rs = -1;
	struct lsm_landlock_info info;
	CHECK_EQ(lsm_landlock_build(p, root, &extra, 1, &rs, &info), 0);
	CHECK(rs >= 0);
	CHECK_EQ(info.abi, abi);
	CHECK(info.why == NULL);
	CHECK_EQ(info.nwidened, 1);
	CHECK_EQ(info.nancestor, 1);
	CHECK_EQ(info.nrules, p->nrules - 1 + 1); /* every grant, no deny, one extra dir */
	CHECK((info.handled & 0x1fffull) == 0x1fffull);
	CHECK_EQ(!!(info.handled & (1ull << 14)), abi >= 3); /* TRUNCATE */
	CHECK_EQ(!!(info.handled & (1ull << 15)), abi >= 5); /* IOCTL_DEV */
	close(root);
	close(extra);
	policy_free(p);
	if (rs < 0)
		return;

	const struct op ops[] = {
		{"read a granted file", OPEN, "ro/file", NULL, O_RDONLY, 0},
		{"write an r-only file", OPEN, "ro/file", NULL, O_WRONLY, EACCES},
		{"read an ungranted file", OPEN, "other/file", NULL, O_RDONLY, EACCES},
		{"list a granted dir", OPEN, "ro", NULL, O_RDONLY | O_DIRECTORY, 0},
		{"list an ungranted dir", OPEN, "other", NULL, O_RDONLY | O_DIRECTORY, EACCES},
		{"create in a w dir", CREAT, "wdir/new", NULL, 0, 0},
		{"create in an r dir", CREAT, "ro/new", NULL, 0, EACCES},
		{"create elsewhere", CREAT, "other/new", NULL, 0, EACCES},
		{"mkdir in a w dir", MKDIR, "wdir/d", NULL, 0, 0},
		{"unlink in a w dir", UNLINK, "wdir/old", NULL, 0, 0},
		{"unlink in an r dir", UNLINK, "ro/file", NULL, 0, EACCES},
		{"append to an a file", OPEN, "app", NULL, O_WRONLY | O_APPEND, 0},
		{"read an a file", OPEN, "app", NULL, O_RDONLY, EACCES},
		{"truncate an a file", OPEN, "app", NULL, O_WRONLY | O_TRUNC,
		 abi >= 3 ? EACCES : 0},
		{"read past a deny rule", OPEN, "ro/denied", NULL, O_RDONLY, 0},
		{"read under an exact dir rule", OPEN, "exact/f", NULL, O_RDONLY, 0},
		{"read under another uid's rule", OPEN, "uid/f", NULL, O_RDONLY, 0},
		{"mkdir on a pending path's way", MKDIR, "pend/sub", NULL, 0, 0},
		{"read in an extra dir", OPEN, "extra/f", NULL, O_RDONLY, 0},
		{"write in an extra dir", OPEN, "extra/f", NULL, O_WRONLY, EACCES},
		{"exec a granted script", EXEC, "ro/script", NULL, 0, 0},
		{"exec an ungranted script", EXEC, "other/script", NULL, 0, EACCES},
		{"rename between w dirs", RENAME, "wdir/mv", "wdir2/mv", 0, 0},
		/* Landlock refuses a move that gains rights (the broker renames for guests). */
		{"rename gaining r", RENAME, "wonly/f", "wdir/f", 0, EXDEV},
	};
	int got[sizeof(ops) / sizeof(ops[0])];
	run_ops(rs, ops, got, sizeof(ops) / sizeof(ops[0]));
	/* The parent was never restricted. */
	char other[128];
	snprintf(other, sizeof(other), "%s/other/file", T);
	int fd = open(other, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
}

/* Landlock cannot express a deny-list: default allow builds nothing, and says why. */
static void test_default_allow(void)
{
	struct policy *p = parse("r /etc/ *\n-r /etc/shadow *\n");
	struct lsm_landlock_info info;
	int rs = 123;

	if (!p)
		return;
	CHECK_EQ(lsm_landlock_build(p, -1, NULL, 0, &rs, &info), 0);
	CHECK_EQ(rs, -1);
	CHECK_STR(info.why, "not expressible (default allow)");
	CHECK_EQ(info.nrules, 0);
	policy_free(p);
}

static void test_expressible(void)
{
	struct policy *p = parse("default deny\nr /etc/ *\n");
	const char *why = "x";

	if (!p)
		return;
	CHECK_EQ(lsm_landlock_expressible(p, 0, &why), 0);
	CHECK(why && strstr(why, "Landlock unavailable"));
	CHECK_EQ(lsm_landlock_expressible(p, 1, &why), 0);
	CHECK(why && strstr(why, "ABI 1"));
	CHECK_EQ(lsm_landlock_expressible(p, 2, &why), 1);
	CHECK(why == NULL);
	CHECK_EQ(lsm_landlock_expressible(p, 7, NULL), 1);
	policy_free(p);
}

/*
 * A path that does not resolve for another reason than ENOENT (the broker
 * refuses those) still leaves a superset: its rights go to the nearest
 * ancestor directory, never to the file in the way.
 */
static void test_unresolvable(void)
{
	char text[256];
	snprintf(text, sizeof(text), "default deny\nr %s/ro/file/x *\n", T);
	struct policy *p = parse(text);
	struct lsm_landlock_info info;
	int rs = -1;

	if (!p)
		return;
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK_EQ(lsm_landlock_build(p, root, NULL, 0, &rs, &info), 0);
	CHECK(rs >= 0);
	CHECK_EQ(info.nancestor, 1);
	CHECK_EQ(info.nrules, 1);
	close(root);
	policy_free(p);
	if (rs < 0)
		return;
	const struct op ops[] = {
		{"list the ancestor", OPEN, "ro", NULL, O_RDONLY | O_DIRECTORY, 0},
		{"read beside", OPEN, "ro/denied", NULL, O_RDONLY, 0},
		{"read elsewhere", OPEN, "other/file", NULL, O_RDONLY, EACCES},
	};
	int got[3];
	run_ops(rs, ops, got, 3);
}

static void cleanup(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", T);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", T);
}

int main(void)
{
	abi = lsm_landlock_abi();
	printf("# Landlock ABI %d\n", abi);
	RUN(test_expressible);
	RUN(test_default_allow);
	if (abi < LSM_LANDLOCK_ABI_MIN) {
		printf("ok %d - test_wall # SKIP Landlock ABI %d\n", ++t_count, abi);
		return TEST_DONE();
	}
	snprintf(T, sizeof(T), "/tmp/vmmsec-ll.XXXXXX");
	if (!mkdtemp(T))
		return 1;
	RUN(test_wall);
	RUN(test_unresolvable);
	cleanup();
	return TEST_DONE();
}
