/* nosys.c - test helper: run a command on a "kernel" without the named system calls (they answer ENOSYS). */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int i;
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);

	if (!c || seccomp_attr_set(c, SCMP_FLTATR_CTL_NNP, 1) < 0)
		return 125;
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		int nr = seccomp_syscall_resolve_name(argv[i]);
		if (nr == __NR_SCMP_ERROR ||
		    seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS), nr, 0) < 0) {
			fprintf(stderr, "nosys: unknown system call %s\n", argv[i]);
			return 125;
		}
	}
	if (i >= argc - 1) {
		fprintf(stderr, "usage: nosys SYSCALL... -- COMMAND [ARG...]\n");
		return 125;
	}
	if (seccomp_load(c) < 0)
		return 125;
	execvp(argv[i + 1], argv + i + 1);
	perror(argv[i + 1]);
	return 127;
}
