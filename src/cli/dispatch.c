/* dispatch.c - verb dispatch table, usage text and the CLI's message helpers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

void cli_cannot(int err, const char *fmt, ...)
{
	va_list ap;
	fputs("vmmsec: cannot ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
}

void cli_say(const char *fmt, ...)
{
	va_list ap;
	fputs("vmmsec: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char usage[] =
	"usage: vmmsec run [--log DIR] [--anchor FILE] [--uid UID] [--gid GID]\n"
	"                  [--policy FILE] [--audit deny|all] [--no-landlock]\n"
	"                  [--backend seccomp|lsm]\n"
	"                  [--sync batch|always|none] [--checkpoint-every N]\n"
	"                  [--checkpoint-secs S] -- COMMAND [ARG...]\n"
	"       vmmsec verify DIR|FILE [--anchor FILE]\n"
	"       vmmsec log DIR|FILE [--json] [--kind KIND] [--follow]\n"
	"       vmmsec policy check FILE\n"
	"       vmmsec --help | --version\n";

static const struct {
	const char *name;
	int (*fn)(int, char **);
	int usage_code; /* exit code for a usage error of this verb */
} verbs[] = {
	{"run", cli_run, CLI_EXIT_FAILURE},
	{"verify", cli_verify, CLI_USAGE},
	{"log", cli_log, CLI_USAGE},
	{"policy", cli_policy, CLI_USAGE},
};

int cli_main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, stdout);
		return CLI_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("vmmsec " VMMSEC_VERSION);
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	cli_say("unknown command '%s'", argv[1]);
	fputs(usage, stderr);
	return CLI_USAGE;
}
