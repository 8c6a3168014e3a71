/* int80.c - make one foreign-ABI system call: i386 (int $0x80) or x32 getpid. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	long ret;

	if (argc > 1 && !strcmp(argv[1], "x32")) {
		/* x32 numbers carry bit 30; a filter checking x86_64 numbers only would see 39. */
		ret = syscall(0x40000000L | SYS_getpid);
		printf("x32 returned %ld\n", ret);
		return 0;
	}
	/* i386 __NR_getpid is 20. */
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
	printf("int80 returned %ld\n", ret);
	return 0;
}
