/* run.c - `vmmsec run`: start a guest under the monitor and record it in the evidence log. */
#include <fcntl.h>
#include <signal.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "evlog/evlog.h"
#include "guest/guest.h"
#include "lsm/lsm.h"
#include "mac/mac.h"
#include "monitor/monitor.h"
#include "util/util.h"

struct run_args {
	const char *log_dir;
	const char *anchor;
	unsigned long uid, gid;
	unsigned long checkpoint_every, checkpoint_secs;
	enum evlog_sync sync;
	const char *policy_file;
	enum mac_audit audit;
	struct policy *policy; /* parsed --policy, or NULL */
	bool no_landlock;      /* --no-landlock */
	bool landlock;	       /* the policy's Landlock wall restricts the command */
	bool lsm;	       /* --backend lsm */
	char **argv;
};

static int parse_ulong(const char *opt, const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > max || s[0] == '-') {
		cli_say("invalid %s '%s': expected an integer from 0 to %lu", opt, s, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
	static const struct option opts[] = {
		{"log", required_argument, NULL, 'l'},
		{"anchor", required_argument, NULL, 'a'},
		{"uid", required_argument, NULL, 'u'},
		{"gid", required_argument, NULL, 'g'},
		{"sync", required_argument, NULL, 's'},
		{"checkpoint-every", required_argument, NULL, 'c'},
		{"checkpoint-secs", required_argument, NULL, 't'},
		{"policy", required_argument, NULL, 'p'},
		{"audit", required_argument, NULL, 'A'},
		{"no-landlock", no_argument, NULL, 'N'},
		{"backend", required_argument, NULL, 'B'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;
	/* A privileged guest has ids 0-65535; an unprivileged one, one id of any value. */
	unsigned long idmax = geteuid() == 0 ? 65535 : 4294967294ul;

	*a = (struct run_args){.log_dir = "vmmsec-log", .checkpoint_secs = 5};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+l:a:u:g:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			a->log_dir = optarg;
			break;
		case 'a':
			a->anchor = optarg;
			break;
		case 'u':
			if (parse_ulong("--uid", optarg, idmax, &a->uid) < 0)
				return -1;
			break;
		case 'g':
			if (parse_ulong("--gid", optarg, idmax, &a->gid) < 0)
				return -1;
			break;
		case 'c':
			if (parse_ulong("--checkpoint-every", optarg, 1000000,
					&a->checkpoint_every) < 0)
				return -1;
			break;
		case 't':
			if (parse_ulong("--checkpoint-secs", optarg, 86400, &a->checkpoint_secs) <
				    0 ||
			    a->checkpoint_secs == 0) {
				if (a->checkpoint_secs == 0)
					cli_say("invalid --checkpoint-secs '0': must be at least "
						"1");
				return -1;
			}
			break;
		case 'p':
			a->policy_file = optarg;
			break;
		case 'A':
			if (!strcmp(optarg, "deny"))
				a->audit = MAC_AUDIT_DENY;
			else if (!strcmp(optarg, "all"))
				a->audit = MAC_AUDIT_ALL;
			else {
				cli_say("invalid --audit '%s': expected deny or all", optarg);
				return -1;
			}
			break;
		case 'N':
			a->no_landlock = true;
			break;
		case 'B':
			if (!strcmp(optarg, "seccomp") || !strcmp(optarg, "lsm")) {
				a->lsm = !strcmp(optarg, "lsm");
			} else {
				cli_say("invalid --backend '%s': expected seccomp or lsm", optarg);
				return -1;
			}
			break;
		case 's':
			if (!strcmp(optarg, "batch"))
				a->sync = EVLOG_SYNC_BATCH;
			else if (!strcmp(optarg, "always"))
				a->sync = EVLOG_SYNC_ALWAYS;
			else if (!strcmp(optarg, "none"))
				a->sync = EVLOG_SYNC_NONE;
			else {
				cli_say("invalid --sync '%s': expected batch, always or none",
					optarg);
				return -1;
			}
			break;
		case 'h':
			printf("usage: vmmsec run [--log DIR] [--anchor FILE] [--uid UID] [--gid "
			       "GID] [--policy FILE] [--audit deny|all] [--no-landlock] "
			       "[--backend seccomp|lsm] "
			       "[--sync batch|always|none] -- COMMAND [ARG...]\n");
			exit(0);
		default:
			cli_say("run: unknown or incomplete option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (optind >= argc) {
		cli_say("run: no command given (usage: vmmsec run [OPTIONS] -- COMMAND [ARG...])");
		return -1;
	}
	a->argv = argv + optind;
	return 0;
}

static int open_log_dir(const char *dir)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int start_record(struct evlog_writer *w, const struct guest *g, const struct run_args *a)
{
	char argvbuf[8192], map[96];
	size_t n = 0;
	uint8_t u[4][4], hash[EVLOG_HASH_BYTES] = {0};
	int r;
	uint32_t v[4] = {(uint32_t)g->cmd_guest_pid, (uint32_t)g->cmd_host_pid, (uint32_t)a->uid,
			 (uint32_t)a->gid};
	static const char ns[] = "user,pid,mnt,ipc,uts";
	const char *backend = a->lsm ? "lsm" : a->landlock ? "seccomp+landlock" : "seccomp";

	for (char **p = a->argv; *p; p++) {
		size_t l = strlen(*p) + 1;
		if (n + l > sizeof(argvbuf))
			break; /* long command lines are cut at 8 KiB */
		memcpy(argvbuf + n, *p, l);
		n += l;
	}
	for (int i = 0; i < 4; i++)
		util_put_le32(u[i], v[i]);
	if (a->policy && (r = policy_hash(a->policy, hash)) < 0)
		return r;
	int ml = snprintf(map, sizeof(map), "%u %u %u", g->uidmap.guest_first, g->uidmap.host_first,
			  g->uidmap.count);
	struct evlog_field f[] = {
		{EVF_PID, 4, u[0]},
		{EVF_HOST_PID, 4, u[1]},
		{EVF_UID, 4, u[2]},
		{EVF_GID, 4, u[3]},
		{EVF_ARGV, (uint32_t)n, argvbuf},
		{EVF_NAMESPACES, sizeof(ns) - 1, ns},
		{EVF_POLICY_HASH, sizeof(hash), hash},
		{EVF_UID_MAP, (uint32_t)ml, map},
		{EVF_BACKEND, (uint32_t)strlen(backend), backend},
	};
	return evlog_append(w, EVLOG_GUEST_START, f, VMM_ARRAY_SIZE(f));
}

/* What to tell the user when a setup step fails for a known reason. */
static void hint(uint32_t step, int err)
{
	if (step == GUEST_STEP_CLONE && (err == EPERM || err == ENOSPC || err == EINVAL))
		cli_say("hint: user namespaces look disabled; enable them with "
			"'sysctl -w user.max_user_namespaces=15000' (and, on Debian kernels before "
			"6.x, "
			"'sysctl -w kernel.unprivileged_userns_clone=1'), or run as root");
	if (step == GUEST_STEP_SECCOMP && (err == EINVAL || err == ENOSYS || err == EOPNOTSUPP))
		cli_say("hint: the kernel lacks seccomp user notification (Linux 5.0+ with "
			"CONFIG_SECCOMP_FILTER=y is required)");
	if (step == GUEST_STEP_PROC && err == EPERM)
		cli_say("hint: the host's /proc has mounts on top of it (a container?), which "
			"forbids mounting a new /proc in a user namespace");
}

/* Find the command's host pid: init's only child at start. */
static pid_t child_of(pid_t init)
{
	char path[64];
	long pid = 0;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)init, (int)init);
	FILE *f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return (pid_t)pid;
}

/*
 * Bind the access file to the guest's objects and start the broker that
 * enforces it.  The command waits meanwhile: its exec is the first call
 * the filter traps, and nobody serves the listener yet.
 */
static int start_broker(const struct run_args *a, const struct guest *g, struct mac_broker **out)
{
	struct policy_errors errs = {0};
	int r = mac_broker_start(g, a->policy, a->audit, a->landlock, &errs, out);

	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s:%u:%u: %s\n", a->policy_file, errs.v[i].line, errs.v[i].col,
			errs.v[i].msg);
	policy_errors_release(&errs);
	if (r < 0)
		cli_cannot(-r, "apply policy %s to the guest", a->policy_file);
	return r;
}

/*
 * Decide whether the command gets the policy's Landlock wall.  It is an
 * extra layer, but losing it is never quiet: a default-deny policy the
 * kernel cannot wall gets a notice.  Default allow has no wall to lose.
 */
static void choose_landlock(struct run_args *a)
{
	const char *why;
	int abi = lsm_landlock_abi();

	if (lsm_landlock_expressible(a->policy, abi, &why)) {
		a->landlock = true;
		return;
	}
	if (!a->policy->default_deny)
		return;
	if (abi < 0)
		cli_say("note: Landlock unavailable (probe failed: %s): the broker alone enforces "
			"the policy",
			strerror(-abi));
	else
		cli_say("note: %s: the broker alone enforces the policy", why);
}

/*
 * --backend lsm: bind the access file to the guest's objects (as host root
 * through /proc/PID/root, see docs/DESIGN.md section 12) and attach the
 * BPF-LSM programs, scoped to the command's user namespace.  The command is
 * held before its exec meanwhile, so its first exec is already checked.
 */
static int start_lsm(const struct run_args *a, const struct guest *g, struct lsm_bpf **out,
		     struct util_pins *pins)
{
	struct policy_errors errs = {0};
	struct policy_compiled *c = NULL;
	char msg[512] = "";
	int r = 0;

	char bad_fs[32] = "";
	if (a->policy)
		r = lsm_bpf_compile(a->policy, g->cmd_host_pid, &c, pins, &errs, bad_fs,
				    sizeof(bad_fs));
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s:%u:%u: %s\n", a->policy_file, errs.v[i].line, errs.v[i].col,
			errs.v[i].msg);
	policy_errors_release(&errs);
	if (!strcmp(bad_fs, "btrfs"))
		cli_say("hint: --backend lsm tells btrfs subvolumes apart through btrfs's BTF, "
			"which this kernel does not show (CONFIG_DEBUG_INFO_BTF_MODULES=y); "
			"--backend seccomp can enforce this policy");
	else if (bad_fs[0])
		cli_say("hint: --backend lsm names objects by the kernel's (device, inode), "
			"which on %s is not what stat(2) reports or not unique; "
			"--backend seccomp can enforce this policy",
			bad_fs);
	if (r < 0) {
		cli_cannot(-r, "apply policy %s to the guest", a->policy_file);
		return r;
	}
	r = lsm_bpf_start(c, g, a->audit == MAC_AUDIT_ALL, out, msg, sizeof(msg));
	policy_compiled_free(c);
	if (r < 0)
		cli_say("cannot start --backend lsm: %s", msg);
	return r;
}

static int launch_and_monitor(const struct run_args *a, struct evlog_writer *w,
			      struct monitor_result *res)
{
	char logpath[PATH_MAX], anchorpath[PATH_MAX];
	const char *hide[2];
	size_t nhide = 0;
	struct guest g;
	uint32_t step = 0;
	int r;

	if (realpath(a->log_dir, logpath))
		hide[nhide++] = logpath;
	if (a->anchor && realpath(a->anchor, anchorpath))
		hide[nhide++] = anchorpath;
	struct guest_config cfg = {.argv = a->argv,
				   .uid = (uid_t)a->uid,
				   .gid = (gid_t)a->gid,
				   .hide = hide,
				   .nhide = nhide,
				   .mac = a->policy != NULL && !a->lsm,
				   .side_doors = a->policy != NULL && a->lsm,
				   .policy = a->policy,
				   .landlock = a->landlock,
				   .hold = a->lsm};
	r = guest_launch(&cfg, &g, &step);
	if (r < 0) {
		cli_cannot(-r, "%s", guest_step_name(step));
		hint(step, -r);
		if (g.init_pidfd >= 0)
			kill(g.init_pid, SIGKILL);
		guest_release(&g);
		return r;
	}
	g.cmd_host_pid = child_of(g.init_pid);
	/*
	 * Stream connections, pinned /proc fds and a pin on every object of
	 * the policy (here for --backend lsm, in the broker it forks next
	 * otherwise): the monitor takes its whole fd allowance, after the
	 * guest has forked with the limit it expects.
	 */
	util_nofile_raise();
	if ((r = start_record(w, &g, a)) < 0 || (r = evlog_flush(w)) < 0) {
		cli_cannot(-r, "write the evidence log");
		kill(g.init_pid, SIGKILL);
		guest_release(&g);
		return r;
	}
	struct mac_broker *broker = NULL;
	struct lsm_bpf *lsm = NULL;
	/* The lsm backend's objects, pinned until its programs are gone (the broker pins its own). */
	__attribute__((cleanup(util_pins_release))) struct util_pins pins = {0};
	if (a->policy && !a->lsm && (r = start_broker(a, &g, &broker)) < 0) {
		kill(g.init_pid, SIGKILL);
		guest_release(&g);
		return r;
	}
	if (a->lsm &&
	    ((r = start_lsm(a, &g, &lsm, &pins)) < 0 || (r = guest_hold_release(&g)) < 0)) {
		if (lsm)
			cli_cannot(-r, "start the guest's command");
		lsm_bpf_free(lsm);
		kill(g.init_pid, SIGKILL);
		guest_release(&g);
		return r;
	}
	struct monitor_opts mo = {.checkpoint_secs = (unsigned)a->checkpoint_secs,
				  .tty_fd = isatty(STDIN_FILENO) ? STDIN_FILENO : -1,
				  .broker = broker,
				  .lsm = lsm};
	r = monitor_run(&g, w, &mo, res);
	if (r < 0)
		cli_cannot(-r, "record the guest (it was killed)");
	mac_broker_free(broker);
	lsm_bpf_free(lsm);
	guest_release(&g);
	return r;
}

int cli_run(int argc, char **argv)
{
	struct run_args a;
	struct monitor_result res = {0};
	struct evlog_writer *w = NULL;
	cleanup_fd int dirfd = -1;
	cleanup_fd int anchor_fd = -1;
	int r;

	if (parse_args(argc, argv, &a) < 0)
		return CLI_EXIT_FAILURE;
	/* Fail closed: an access file that does not parse runs nothing. */
	if (a.policy_file && cli_policy_load(a.policy_file, &a.policy) < 0)
		return CLI_EXIT_FAILURE;
	if (a.lsm) {
		char msg[512] = "";
		if ((r = lsm_bpf_probe(msg, sizeof(msg))) < 0) {
			cli_say("cannot use --backend lsm: %s", msg);
			policy_free(a.policy);
			return CLI_EXIT_FAILURE;
		}
	}
	if (a.policy && !a.lsm && (r = mac_exec_probe()) < 0) {
		cli_cannot(-r, "check execs under --policy: kernel.yama.ptrace_scope is 3");
		cli_say("hint: the broker holds an exec's caller with ptrace until the kernel has "
			"resolved its path; set kernel.yama.ptrace_scope to 2 or lower, or use "
			"--backend lsm");
		policy_free(a.policy);
		return CLI_EXIT_FAILURE;
	}
	if (a.policy && !a.no_landlock && !a.lsm)
		choose_landlock(&a);
	const char *what, *why;
	if ((r = guest_probe(&what, &why)) < 0) {
		cli_cannot(-r, "run a guest: this kernel lacks %s", what);
		if (why)
			cli_say("hint: %s", why);
		return CLI_EXIT_FAILURE;
	}
	if ((dirfd = open_log_dir(a.log_dir)) < 0) {
		cli_cannot(-dirfd, "open log directory %s", a.log_dir);
		return CLI_EXIT_FAILURE;
	}
	if (a.anchor) {
		anchor_fd =
			open(a.anchor, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
		if (anchor_fd < 0) {
			cli_cannot(errno, "open anchor file %s", a.anchor);
			return CLI_EXIT_FAILURE;
		}
	}
	struct evlog_writer_opts wo = {.checkpoint_every = (unsigned)a.checkpoint_every,
				       .anchor_fd = anchor_fd,
				       .sync = a.sync};
	if ((r = evlog_writer_new(&w, dirfd, &wo)) < 0) {
		cli_cannot(-r, "create evidence log in %s", a.log_dir);
		return CLI_EXIT_FAILURE;
	}
	r = launch_and_monitor(&a, w, &res);
	int code = r < 0 ? CLI_EXIT_FAILURE : monitor_exit_code(&res);
	if (r == 0 && res.exec_errno)
		cli_cannot(res.exec_errno, "run %s", a.argv[0]);
	int rc = evlog_writer_close(w);
	evlog_writer_free(w);
	policy_free(a.policy);
	if (rc < 0) {
		cli_cannot(-rc, "seal the evidence log");
		return CLI_EXIT_FAILURE;
	}
	return code;
}
