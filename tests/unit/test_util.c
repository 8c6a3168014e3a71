/* test_util.c - unit tests for the shared helpers: pins keep inode numbers taken, the open-files limit. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "util/util.h"

/* Pins own their fds: every one is open until released, closed after (the array grows past 64). */
static void test_pins_own_fds(void)
{
	struct util_pins p = {0};
	struct rlimit rl;
	int fds[200], n = 200;

	/* Fewer under a low open-files limit (past the first growth when it allows 94 or more). */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 230)
		n = rl.rlim_cur > 38 ? (int)rl.rlim_cur - 30 : 8;
	for (int i = 0; i < n; i++) {
		fds[i] = open("/", O_PATH | O_CLOEXEC);
		CHECK(fds[i] >= 0);
		CHECK_EQ(util_pins_add(&p, fds[i]), 0);
	}
	CHECK_EQ(p.n, n);
	CHECK(p.cap >= (size_t)n);
	for (int i = 0; i < n; i++)
		CHECK_EQ(fcntl(fds[i], F_GETFD) >= 0, 1);
	util_pins_release(&p);
	CHECK_EQ(p.n, 0);
	CHECK(p.fd == NULL);
	for (int i = 0; i < n; i++)
		CHECK_EQ(fcntl(fds[i], F_GETFD), -1);
	util_pins_release(&p); /* twice: nothing left to close */
}

/* Make @path (empty) and stat it into *@st. */
static void make_file(const char *path, struct stat *st)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(stat(path, st), 0);
}

/*
 * What pins are for: a deleted file that is still held keeps its inode,
 * so the next file made in the directory gets another number.  Checked
 * only where a freed number does go to the next file (ext4 does; tmpfs
 * counts up): first with a file nobody holds.
 */
static void test_pin_keeps_number(void)
{
	char dir[] = "/tmp/vmmsec-unit.XXXXXX", a[64], b[64];
	struct stat sa, sb;
	struct util_pins p = {0};

	CHECK(mkdtemp(dir) != NULL);
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	make_file(a, &sa);
	CHECK_EQ(unlink(a), 0);
	make_file(b, &sb);
	CHECK_EQ(unlink(b), 0);
	if (sa.st_ino != sb.st_ino) {
		t_cur_skip = "this file system does not give a freed inode number to the next file";
		rmdir(dir);
		return;
	}
	make_file(a, &sa);
	int fd = open(a, O_PATH | O_CLOEXEC);
	CHECK_EQ(util_pins_add(&p, fd), 0);
	CHECK_EQ(unlink(a), 0);
	make_file(b, &sb);
	CHECK(sa.st_ino != sb.st_ino || sa.st_dev != sb.st_dev);
	util_pins_release(&p);
	unlink(b);
	rmdir(dir);
}

/* The soft limit ends at least at the hard limit the process had. */
static void test_nofile_raise(void)
{
	struct rlimit before, after;

	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
	CHECK_EQ(util_nofile_raise(), 0);
	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &after), 0);
	CHECK(after.rlim_cur >= before.rlim_max);
	CHECK_EQ(after.rlim_cur, after.rlim_max);
}

int main(void)
{
	RUN(test_pins_own_fds);
	RUN(test_pin_keeps_number);
	RUN(test_nofile_raise);
	return TEST_DONE();
}
