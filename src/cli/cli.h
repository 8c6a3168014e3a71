/* cli.h - the command-line tier: the only code that prints or chooses exit codes. */
#ifndef VMMSEC_CLI_H
#define VMMSEC_CLI_H

#include <stdarg.h>

/* Exit codes of `run` for vmmsec's own failures (docs/vmmsec.1). */
#define CLI_EXIT_FAILURE 125
#define CLI_EXIT_CANNOT_RUN 126
#define CLI_EXIT_NOT_FOUND 127
/* Exit codes of `verify` and the other verbs. */
#define CLI_OK 0
#define CLI_TAMPERED 1
#define CLI_USAGE 2

/* Print "vmmsec: cannot WHAT: strerror(err)" (err is a positive errno, or 0). */
void cli_cannot(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "vmmsec: MESSAGE". */
void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cli_run(int argc, char **argv);
int cli_verify(int argc, char **argv);
int cli_log(int argc, char **argv);
int cli_policy(int argc, char **argv);
struct policy;
/* Parse access file @path, printing every error as FILE:LINE:COL: message.  0 or -errno. */
int cli_policy_load(const char *path, struct policy **out);
int cli_main(int argc, char **argv);

#endif
