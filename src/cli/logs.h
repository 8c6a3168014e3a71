/* logs.h - locate evidence-log files for the verify and log verbs. */
#ifndef VMMSEC_CLI_LOGS_H
#define VMMSEC_CLI_LOGS_H

#include <stdbool.h>
#include <stddef.h>

struct cli_logs {
	char **path;
	size_t n;
};

/* cli_logs_find - @path itself if a file, else DIR's vmmsec-*.evl oldest first.  0 or -errno. */
int cli_logs_find(const char *path, struct cli_logs *out);
void cli_logs_free(struct cli_logs *l);

#endif
