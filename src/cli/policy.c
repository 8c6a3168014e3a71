/* policy.c - `vmmsec policy check FILE`: validate an access file, print every error. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "evlog/evlog.h"
#include "policy/policy.h"

int cli_policy_load(const char *path, struct policy **out)
{
	struct policy_errors errs = {0};
	int r = policy_parse_file(path, out, &errs);

	if (r == -EINVAL) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s:%u:%u: %s\n", path, errs.v[i].line, errs.v[i].col,
				errs.v[i].msg);
		if (errs.dropped)
			fprintf(stderr, "%s: %zu more errors not shown\n", path, errs.dropped);
	} else if (r < 0) {
		cli_cannot(-r, "read policy %s", path);
	}
	policy_errors_release(&errs);
	return r;
}

static int policy_check(const char *path)
{
	struct policy *p = NULL;
	uint8_t hash[32];
	char hex[2 * sizeof(hash) + 1];
	int r = cli_policy_load(path, &p);

	if (r < 0)
		return CLI_USAGE;
	r = policy_hash(p, hash);
	if (r < 0) {
		cli_cannot(-r, "hash policy %s", path);
		policy_free(p);
		return CLI_USAGE;
	}
	evlog_hex(hash, sizeof(hash), hex);
	printf("%s: valid: %zu rules, %zu levels, %zu clearances, default %s, blp %s\n"
	       "policy hash %s\n",
	       path, p->nrules, p->nlevels, p->nclearances, p->default_deny ? "deny" : "allow",
	       p->blp ? "on" : "off", hex);
	policy_free(p);
	return CLI_OK;
}

int cli_policy(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "check"))
		return policy_check(argv[2]);
	cli_say("usage: vmmsec policy check FILE");
	return CLI_USAGE;
}
