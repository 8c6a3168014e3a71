/* syslog3.c - sends messages through glibc's openlog/syslog(3)/closelog. */
/*
 * usage: syslog3 [-i IDENT] [-f FACILITY] [-p SEVERITY] [-n COUNT] MESSAGE
 *
 * FACILITY is the facility number 0..23 (default 1, user), SEVERITY 0..7
 * (default 5, notice).  openlog() gets LOG_PID, so glibc sends
 *   <PRI>Mmm dd hh:mm:ss IDENT[PID]: MESSAGE
 * to /dev/log.  With COUNT > 1 the k-th copy (k = 1..COUNT) is suffixed
 * with " #k".  IDENT defaults to glibc's choice (the program name).
 * syslog(3) reports no errors, so exit 0 only means the calls were made.
 * Exit: 0 done, 2 usage.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>

#include "client.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: syslog3 [-i IDENT] [-f FACILITY] [-p SEVERITY] [-n COUNT] MESSAGE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *ident = NULL;
	long facility = 1, severity = LOG_NOTICE, count = 1;
	int c;

	while ((c = getopt(argc, argv, "i:f:p:n:")) != -1) {
		switch (c) {
		case 'i':
			ident = optarg;
			break;
		case 'f':
			facility = client_parse_num(optarg, 0, 23);
			break;
		case 'p':
			severity = client_parse_num(optarg, 0, 7);
			break;
		case 'n':
			count = client_parse_num(optarg, 1, 100000000L);
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	const char *msg = argv[optind];
	int pri = (int)(facility << 3 | severity);

	openlog(ident, LOG_PID | LOG_NDELAY, (int)(facility << 3));
	for (long k = 1; k <= count; k++) {
		if (count > 1)
			syslog(pri, "%s #%ld", msg, k);
		else
			syslog(pri, "%s", msg);
	}
	closelog();
	return 0;
}
