/* bpf.c - load the BPF-LSM programs, mirror the compiled policy into their maps, read decisions. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <linux/types.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "lsm/lsm.h"
#include "lsm/lsm_abi.h"
#include "lsm/sendq.h"
#include "util/util.h"
#include "vmmsec.skel.h"

_Static_assert(sizeof(struct vlsm_key) == sizeof(struct policy_key), "vlsm_key mirrors policy_key");
_Static_assert(LSM_LEVEL_NONE == POLICY_XLEVEL_NONE, "level encodings agree");
_Static_assert(LSM_LEVEL_EXEMPT == POLICY_LEVEL_EXEMPT, "level encodings agree");
_Static_assert(LSM_R == POLICY_R && LSM_W == POLICY_W && LSM_A == POLICY_A, "permission bits");

struct lsm_bpf {
	struct vmmsec_bpf *skel;
	struct ring_buffer *rb;
	struct ring_buffer *sends; /* vm_sends: read on demand, never polled */
	char *file;		   /* the access file's name, for reasons */
	uint64_t lost_seen, send_lost_seen, send_dropped;
	uint64_t sock_ino[GUEST_NSOCK]; /* 0: not a capture datagram socket */
	struct lsm_sendq sq[GUEST_NSOCK];
	struct lsm_connq *conns; /* one per connection with writes noted */
	size_t nconns;
	/* While the maps are filled: vm_filter's bits (lsm_abi.h). */
	uint64_t *filter;
	uint32_t filter_shift;
	/* During lsm_bpf_consume. */
	lsm_bpf_record_fn fn;
	void *fnctx;
	int nrec, err;
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	/* libbpf's own diagnostics only on request: vmmsec says what failed itself. */
	const char *dbg = getenv("VMMSEC_BPF_DEBUG");
	if (!dbg || !*dbg)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Is "bpf" among the active LSMs?  1 yes, 0 no, -errno when the list cannot be read. */
static int bpf_lsm_listed(void)
{
	char buf[512];
	cleanup_fd int fd = open("/sys/kernel/security/lsm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	for (char *save = NULL, *t = strtok_r(buf, ",\n", &save); t;
	     t = strtok_r(NULL, ",\n", &save))
		if (!strcmp(t, "bpf"))
			return 1;
	return 0;
}

/*
 * Does the running kernel have LSM hook @name?  Only a definite no (the
 * kernel's BTF read, no bpf_lsm_@name in it) is false: a program left out
 * on a kernel that has its hook would be a hook nobody decides.
 */
static bool kernel_has_hook(const char *name)
{
	char fn[64];
	struct btf *btf = btf__load_vmlinux_btf();

	if (!btf)
		return true;
	snprintf(fn, sizeof(fn), "bpf_lsm_%s", name);
	bool has = btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC) >= 0;
	btf__free(btf);
	return has;
}

/* The programs syslog capture needs; the rest decide file accesses. */
static bool capture_prog(const struct vmmsec_bpf *s, const struct bpf_program *p)
{
	return p == s->progs.vmmsec_unix_stream_connect || p == s->progs.vmmsec_socket_sendmsg ||
	       p == s->progs.vmmsec_unix_may_send;
}

/*
 * Open the skeleton with only the probe, or every program but the probe,
 * to be loaded; without @files, only syslog capture's.  (With no access
 * file and no --audit all, a file hook could only allow: not attaching
 * them spares every open on the machine the hook's call.)
 */
static int open_skel(struct vmmsec_bpf **out, bool probe_only, bool files)
{
	libbpf_set_print(libbpf_print);
	struct vmmsec_bpf *s = vmmsec_bpf__open();
	if (!s)
		return errno ? -errno : -ENOMEM;
	struct bpf_program *p;
	bpf_object__for_each_program(p, s->obj)
	{
		bool probe = p == s->progs.vmmsec_probe;
		bool load = probe_only ? probe : !probe && (files || capture_prog(s, p));
		bpf_program__set_autoload(p, load);
		if (getenv("VMMSEC_BPF_STATS"))
			bpf_program__set_log_level(p, 4);
	}
	/* Linux 6.2+: ftruncate(2) asks file_truncate; before, path_truncate (always loaded). */
	if (!probe_only && files && !kernel_has_hook("file_truncate"))
		bpf_program__set_autoload(s->progs.vmmsec_file_truncate, false);
	*out = s;
	return 0;
}

int lsm_bpf_probe(char *msg, size_t len)
{
	int listed = bpf_lsm_listed();
	const char *enable = "add bpf to the lsm= list on the kernel command line, e.g. "
			     "lsm=landlock,lockdown,yama,apparmor,bpf, on a kernel built with "
			     "CONFIG_BPF_LSM=y";

	if (geteuid() != 0) {
		snprintf(msg, len,
			 "--backend lsm needs root (CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN to load "
			 "BPF-LSM programs)");
		return -EPERM;
	}
	if (listed == 0) {
		snprintf(msg, len, "bpf LSM not active: /sys/kernel/security/lsm lacks bpf (%s)",
			 enable);
		return -EOPNOTSUPP;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0) {
		snprintf(msg, len,
			 "kernel BTF missing: /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF=y "
			 "is needed for CO-RE BPF programs)");
		return -EOPNOTSUPP;
	}
	struct vmmsec_bpf *s = NULL;
	int r = open_skel(&s, true, false);
	if (r < 0) {
		snprintf(msg, len, "cannot open the BPF object: %s", strerror(-r));
		return r;
	}
	if ((r = vmmsec_bpf__load(s)) < 0) {
		r = r < 0 ? r : -EINVAL;
		if (listed < 0)
			snprintf(msg, len,
				 "cannot load a BPF-LSM program: %s (/sys/kernel/security/lsm is "
				 "unreadable, so whether bpf is an active LSM is unknown: %s)",
				 strerror(-r), enable);
		else
			snprintf(msg, len,
				 "cannot load a BPF-LSM program: %s (bpf is listed in "
				 "/sys/kernel/security/lsm, but this kernel refuses "
				 "BPF_PROG_TYPE_LSM programs)",
				 strerror(-r));
		vmmsec_bpf__destroy(s);
		return r;
	}
	struct bpf_link *l = bpf_program__attach_lsm(s->progs.vmmsec_probe);
	if (!l) {
		r = errno ? -errno : -EINVAL;
		snprintf(msg, len, "cannot attach a BPF-LSM program: %s%s", strerror(-r),
			 listed < 0 ? " (is bpf in the lsm= list? /sys/kernel/security/lsm is "
				      "unreadable)"
				    : "");
		vmmsec_bpf__destroy(s);
		return r;
	}
	bpf_link__destroy(l);
	vmmsec_bpf__destroy(s);
	/*
	 * The programs walk paths with bpf_loop (Linux 5.17), which every
	 * program type has: libbpf cannot probe helpers for LSM programs.
	 */
	if ((r = libbpf_probe_bpf_helper(BPF_PROG_TYPE_SOCKET_FILTER, BPF_FUNC_loop, NULL)) <= 0) {
		snprintf(msg, len,
			 "this kernel lacks the bpf_loop helper for BPF-LSM programs%s%s (Linux "
			 "5.17 or later is needed; use --backend seccomp)",
			 r < 0 ? ": " : "", r < 0 ? strerror(-r) : "");
		return r < 0 ? r : -EOPNOTSUPP;
	}
	return 0;
}

/* ---- compiling against the guest ---- */

/*
 * The programs key an object by its super block's device (sb->s_dev) and
 * inode number; policy_compile by what stat(2) says.  Most file systems
 * report the super block's device, but overlayfs over several file systems
 * may report a layer's.  So each object's mount is looked up in the guest's
 * mountinfo (statx STATX_MNT_ID), whose major:minor is sb->s_dev, and a
 * difference is refused rather than binding a key the programs would never
 * meet.  btrfs is the exception: each subvolume numbers its inodes anew
 * under one super block, and stat(2) reports the subvolume's device, which
 * the programs also read from the inode (vmmsec.bpf.c btrfs_dev) where
 * btrfs's BTF tells them how (btrfs_keyed); without that BTF, btrfs
 * objects are refused.
 */
struct mount_dev {
	int id;
	unsigned major, minor;
	char fstype[32];
	char *point; /* where it is mounted, in the guest's root */
};

struct resolver {
	int root;		/* the guest's /proc/PID/root */
	struct util_pins *pins; /* every object resolved is kept here (NULL: not kept) */
	struct mount_dev *m;
	size_t n;
	char bad_fs[32]; /* a file system whose objects could not be keyed */
	int btrfs;	 /* btrfs_keyed(): 1, 0, or -1 when not asked yet */
};

/* Has struct @type of @btf a member @name? */
static bool btf_has_member(const struct btf *btf, const char *type, const char *name)
{
	__s32 id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);
	const struct btf_type *t = id < 0 ? NULL : btf__type_by_id(btf, (__u32)id);

	if (!t)
		return false;
	const struct btf_member *m = btf_members(t);
	for (__u16 i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, m[i].name_off), name))
			return true;
	return false;
}

/*
 * Can the programs key btrfs inodes by their subvolume's device
 * (vmmsec.bpf.c BTRFS_KEYED)?  Where libbpf looks when it loads them:
 * the kernel's BTF, else the btrfs module's.
 */
static bool btrfs_keyed(void)
{
	struct btf *vml = btf__load_vmlinux_btf(), *mod = NULL, *b = vml;

	if (vml && btf__find_by_name_kind(vml, "btrfs_inode", BTF_KIND_STRUCT) < 0)
		b = mod = btf__load_module_btf("btrfs", vml);
	bool ok = b && btf_has_member(b, "btrfs_inode", "root") &&
		  btf_has_member(b, "btrfs_inode", "vfs_inode") &&
		  btf_has_member(b, "btrfs_root", "anon_dev");
	btf__free(mod);
	btf__free(vml);
	return ok;
}

/* mountinfo's mount point field at @p (up to a space; \ooo escapes), as a string. */
static char *mount_point(const char *p)
{
	size_t n = strcspn(p, " \n");
	char *out = malloc(n + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\' && i + 3 < n && p[i + 1] >= '0' && p[i + 1] <= '3' &&
		    p[i + 2] >= '0' && p[i + 2] <= '7' && p[i + 3] >= '0' && p[i + 3] <= '7') {
			*o++ = (char)((p[i + 1] - '0') << 6 | (p[i + 2] - '0') << 3 |
				      (p[i + 3] - '0'));
			i += 3;
		} else {
			*o++ = p[i];
		}
	}
	*o = '\0';
	return out;
}

static int read_mounts(pid_t pid, struct resolver *rs)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int r = 0;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	while (r == 0 && getline(&line, &cap, f) > 0) {
		struct mount_dev d = {0};
		const char *sep = strstr(line, " - ");
		int at = 0;
		if (sscanf(line, "%d %*d %u:%u %*s %n", &d.id, &d.major, &d.minor, &at) != 3 ||
		    !at || !sep || sscanf(sep + 3, "%31s", d.fstype) != 1)
			continue;
		struct mount_dev *m = realloc(rs->m, (rs->n + 1) * sizeof(*m));
		if (!m || !(d.point = mount_point(line + at))) {
			if (m)
				rs->m = m;
			r = -ENOMEM;
			break;
		}
		rs->m = m;
		rs->m[rs->n++] = d;
	}
	free(line);
	fclose(f);
	return r;
}

static int resolve_in_root(void *ctx, const char *path, struct policy_key *key)
{
	struct resolver *rs = ctx;
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
	struct statx stx;
	cleanup_fd int fd = (int)syscall(SYS_openat2, rs->root, path, &how, sizeof(how));

	if (fd < 0)
		return -errno;
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT, STATX_INO | STATX_MNT_ID, &stx) <
	    0)
		return -errno;
	const struct mount_dev *m = NULL;
	for (size_t i = 0; (stx.stx_mask & STATX_MNT_ID) && i < rs->n && !m; i++)
		if ((uint64_t)rs->m[i].id == stx.stx_mnt_id)
			m = &rs->m[i];
	if (!m) {
		/* No STATX_MNT_ID (before Linux 5.8), or a mount made since: unknown. */
		snprintf(rs->bad_fs, sizeof(rs->bad_fs), "a mount not in mountinfo");
		return -EOPNOTSUPP;
	}
	bool btrfs = !strcmp(m->fstype, "btrfs");
	if (btrfs && rs->btrfs < 0)
		rs->btrfs = btrfs_keyed();
	if (btrfs ? !rs->btrfs : stx.stx_dev_major != m->major || stx.stx_dev_minor != m->minor) {
		snprintf(rs->bad_fs, sizeof(rs->bad_fs), "%s", m->fstype);
		return -EOPNOTSUPP;
	}
	*key = (struct policy_key){.dev = makedev(stx.stx_dev_major, stx.stx_dev_minor),
				   .ino = stx.stx_ino};
	if (rs->pins) {
		int r = util_pins_add(rs->pins, fd);
		if (r < 0)
			return r;
		fd = -1;
	}
	return 0;
}

static int resolver_open(struct resolver *rs, pid_t pid)
{
	char root[64];

	memset(rs, 0, sizeof(*rs));
	rs->btrfs = -1;
	snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	rs->root = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rs->root < 0)
		return -errno;
	return read_mounts(pid, rs);
}

static void resolver_close(struct resolver *rs)
{
	if (rs->root >= 0)
		close(rs->root);
	for (size_t i = 0; i < rs->n; i++)
		free(rs->m[i].point);
	free(rs->m);
}

int lsm_bpf_compile(const struct policy *p, pid_t pid, struct policy_compiled **out,
		    struct util_pins *pins, struct policy_errors *errs, char *bad_fs, size_t len)
{
	struct resolver rs;
	int r = resolver_open(&rs, pid);

	rs.pins = pins;
	if (r == 0)
		r = policy_compile(p, resolve_in_root, &rs, out, errs);
	snprintf(bad_fs, len, "%s", rs.bad_fs);
	resolver_close(&rs);
	return r;
}

static int on_event(void *ctx, void *data, size_t size);
static int on_send(void *ctx, void *data, size_t size);

/* Depth of this process's pid namespace: NSpid in /proc/self/status lists one id per level. */
static int pidns_level(__u32 *level)
{
	char buf[4096];
	cleanup_fd int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	const char *p = strstr(buf, "\nNSpid:");
	if (!p)
		return -ENOENT;
	__u32 ids = 0;
	for (p += 7; *p && *p != '\n';) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p >= '0' && *p <= '9') {
			ids++;
			while (*p >= '0' && *p <= '9')
				p++;
		} else if (*p && *p != '\n')
			return -EBADMSG;
	}
	if (!ids)
		return -EBADMSG;
	*level = ids - 1;
	return 0;
}

/* The monitor's capture sockets (three datagram, one listening), by sockfs inode, into vm_capture. */
static int put_capture(struct lsm_bpf *b, const struct guest *g)
{
	for (unsigned i = 0; i < GUEST_NSOCK; i++) {
		struct stat st;
		if (g->sock_fd[i] < 0)
			continue;
		if (fstat(g->sock_fd[i], &st) < 0)
			return -errno;
		__u64 ino = st.st_ino;
		__u32 v = i == GUEST_SOCK_JSTDOUT ? LSM_CAPTURE_STREAM : LSM_CAPTURE_DGRAM;
		int r = bpf_map__update_elem(b->skel->maps.vm_capture, &ino, sizeof(ino), &v,
					     sizeof(v), BPF_ANY);
		if (r < 0)
			return r;
		if (i != GUEST_SOCK_JSTDOUT)
			b->sock_ino[i] = ino;
	}
	return 0;
}

/*
 * The pending paths of @c (@rs: the guest's /proc/PID/root and mounts):
 * (directory, name) -> the path's key, into vm_pending.  The programs can
 * only see a path appear in a directory that exists now: a pending path
 * whose directory does not (or cannot be keyed) is refused, with *@bad
 * pointing at it, rather than left unenforced (docs/DESIGN.md section 12).
 * With @b NULL, only checks (before the programs are loaded: that is slow).
 */
static int put_pending(struct lsm_bpf *b, const struct policy_compiled *c, struct resolver *rs,
		       const char **bad)
{
	static struct vlsm_pkey k; /* large: not on the stack */

	for (size_t i = 0; i < policy_pending_count(c); i++) {
		const char *path = policy_pending_path(c, i);
		char dir[PATH_MAX];
		struct policy_key pk, dk;
		size_t n = strlen(path);
		while (n > 1 && path[n - 1] == '/')
			n--;
		const char *slash = memrchr(path, '/', n);
		*bad = path;
		if (!slash || n >= sizeof(dir))
			return -ENAMETOOLONG;
		if (policy_path_key(c, path, &pk) != 1)
			return -ENOENT; /* cannot happen: every policy path has a key */
		size_t dl = slash == path ? 1 : (size_t)(slash - path),
		       nl = n - (size_t)(slash + 1 - path);
		if (!nl || nl > LSM_NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(dir, path, dl);
		dir[dl] = '\0';
		int r = resolve_in_root(rs, dir, &dk);
		if (r < 0)
			return r;
		*bad = NULL;
		if (!b)
			continue;
		memset(&k, 0, sizeof(k));
		k.dev = dk.dev;
		k.ino = dk.ino;
		memcpy(k.name, slash + 1, nl);
		__u64 g = pk.ino;
		r = bpf_map__update_elem(b->skel->maps.vm_pending, &k, sizeof(k), &g, sizeof(g),
					 BPF_ANY);
		struct vlsm_key dkey = {dk.dev, dk.ino, 0};
		__u8 one = 1;
		if (r == 0)
			r = bpf_map__update_elem(b->skel->maps.vm_pdirs, &dkey, sizeof(dkey), &one,
						 sizeof(one), BPF_ANY);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- maps ---- */

static void to_cell(struct vlsm_cell *v, const struct policy_xcell *x)
{
	memset(v, 0, sizeof(*v));
	v->grant = x->grant;
	v->deny = x->deny;
	memcpy(v->grant_line, x->grant_line, sizeof(v->grant_line));
	memcpy(v->deny_line, x->deny_line, sizeof(v->deny_line));
}

/* vm_filter sized for @nodes keys: its shift (LSM_FILTER_BITS_PER_NODE bits per key, at least). */
static uint32_t filter_shift(size_t nodes)
{
	uint32_t shift = LSM_FILTER_MAX_SHIFT;

	while (shift > LSM_FILTER_MIN_SHIFT &&
	       (UINT64_C(1) << (64 - shift)) < (uint64_t)nodes * LSM_FILTER_BITS_PER_NODE)
		shift--;
	return shift;
}

/* Write vm_filter: the words with bits set (the rest are zero). */
static int put_filter(struct lsm_bpf *b)
{
	__u32 nwords = (__u32)(UINT64_C(1) << (64 - b->filter_shift) >> 6);

	for (__u32 i = 0; i < nwords; i++) {
		if (!b->filter[i])
			continue;
		int r = bpf_map__update_elem(b->skel->maps.vm_filter, &i, sizeof(i), &b->filter[i],
					     sizeof(b->filter[i]), BPF_ANY);
		if (r < 0)
			return r;
	}
	return 0;
}

static int put_node(void *ctx, const struct policy_xnode *n)
{
	struct lsm_bpf *b = ctx;
	struct vlsm_key k = {n->key.dev, n->key.ino, n->key.gen};
	struct vlsm_node v;
	__u64 bit = vlsm_filter_bit(k.dev, k.ino, b->filter_shift);

	b->filter[bit >> 6] |= UINT64_C(1) << (bit & 63);
	memset(&v, 0, sizeof(v));
	for (int s = 0; s < 2; s++) {
		to_cell(&v.any[s], &n->any[s]);
		v.level[s] = n->level[s];
		v.nuid[s] = n->nuid[s];
	}
	return bpf_map__update_elem(b->skel->maps.vm_nodes, &k, sizeof(k), &v, sizeof(v), BPF_ANY);
}

static int put_ucell(void *ctx, const struct policy_xucell *u)
{
	struct lsm_bpf *b = ctx;
	struct vlsm_ukey k;
	struct vlsm_cell v;

	memset(&k, 0, sizeof(k));
	k.key = (struct vlsm_key){u->key.dev, u->key.ino, u->key.gen};
	k.uid = u->uid;
	k.scope = u->scope;
	to_cell(&v, &u->cell);
	return bpf_map__update_elem(b->skel->maps.vm_ucells, &k, sizeof(k), &v, sizeof(v), BPF_ANY);
}

static int put_clearance(void *ctx, uint32_t uid, uint8_t level)
{
	struct lsm_bpf *b = ctx;
	__u32 v = level;

	return bpf_map__update_elem(b->skel->maps.vm_clearances, &uid, sizeof(uid), &v, sizeof(v),
				    BPF_ANY);
}

static int userns_inum(pid_t pid, __u64 *inum)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	if (stat(path, &st) < 0)
		return -errno;
	*inum = st.st_ino;
	return 0;
}

/* put_pending for the guest @g, with the reason in @msg on failure. */
static int pending(struct lsm_bpf *b, const struct policy_compiled *c, const struct guest *g,
		   char *msg, size_t len)
{
	struct resolver rs;
	const char *bad = NULL;
	int r = resolver_open(&rs, g->cmd_host_pid);

	if (r == 0)
		r = put_pending(b, c, &rs, &bad);
	resolver_close(&rs);
	if (r < 0 && bad)
		snprintf(msg, len,
			 "cannot enforce %.200s: nothing is there yet, and its directory %s (%s); "
			 "--backend lsm sees a path appear only in a directory that exists at "
			 "start: "
			 "create the directory, or use --backend seccomp",
			 bad, rs.bad_fs[0] ? "is on" : "cannot be opened",
			 rs.bad_fs[0] ? rs.bad_fs : strerror(-r));
	else if (r < 0)
		snprintf(msg, len, "cannot fill the BPF maps: %s", strerror(-r));
	return r;
}

static size_t at_least_one(size_t n)
{
	return n ? n : 1;
}

/*
 * The xattr hooks get no mount: their walk ends at the root of the
 * object's file system, and cannot tell which directories are above it.
 * The devices of the file systems mounted (other than at the guest's root)
 * below a directory the policy has directives for, or below one that
 * cannot be resolved, into *@devs: there the programs refuse what is not
 * decided at that root (vm_xcut).  Number of devices, or -errno.
 */
static ssize_t xattr_cuts(const struct policy_compiled *c, const struct guest *g, __u64 **devs)
{
	struct resolver rs;
	ssize_t n = 0;
	int r = resolver_open(&rs, g->cmd_host_pid);

	*devs = NULL;
	for (size_t i = 0; r == 0 && i < rs.n; i++) {
		const struct mount_dev *m = &rs.m[i];
		__u64 dev = makedev(m->major, m->minor);
		char up[PATH_MAX];
		bool cut = false, seen = false;
		for (ssize_t j = 0; j < n; j++)
			seen |= (*devs)[j] == dev;
		if (seen || m->point[0] != '/' || !m->point[1] ||
		    snprintf(up, sizeof(up), "%s", m->point) >= (int)sizeof(up))
			continue;
		/* Each directory above the mount point, the root included. */
		do {
			char *slash = strrchr(up, '/');
			slash[slash == up] = '\0';
			struct policy_key k;
			cut = resolve_in_root(&rs, up, &k) < 0 || policy_has_directives(c, &k);
		} while (!cut && strcmp(up, "/"));
		if (!cut)
			continue;
		__u64 *d = realloc(*devs, (size_t)(n + 1) * sizeof(*d));
		if (!d) {
			r = -ENOMEM;
			break;
		}
		*devs = d;
		d[n++] = dev;
	}
	resolver_close(&rs);
	if (r < 0) {
		free(*devs);
		*devs = NULL;
		return r;
	}
	return n;
}

int lsm_bpf_start(const struct policy_compiled *c, const struct guest *g, bool audit_all,
		  struct lsm_bpf **out, char *msg, size_t len)
{
	struct lsm_bpf *b = calloc(1, sizeof(*b));
	cleanup_free __u64 *cuts = NULL;
	size_t nn = 0, nu = 0, nc = 0;
	struct vlsm_config cfg;
	__u32 zero = 0;
	int r;

	*out = NULL;
	if (!b)
		return -ENOMEM;
	if (c)
		policy_export_counts(c, &nn, &nu, &nc);
	b->file = strdup(c ? policy_compiled_file(c) : "");
	if (!b->file) {
		r = -ENOMEM;
		goto fail;
	}
	if ((r = open_skel(&b->skel, false, c || audit_all)) < 0) {
		snprintf(msg, len, "cannot open the BPF object: %s", strerror(-r));
		goto fail;
	}
	if (nn + nu > LSM_MAX_NODES || nc > LSM_MAX_NODES) {
		snprintf(msg, len, "the policy binds %zu objects and uid cells (at most %u)",
			 nn + nu, LSM_MAX_NODES);
		r = -E2BIG;
		goto fail;
	}
	size_t npend = c ? policy_pending_count(c) : 0;
	/* Room for the objects that appear at pending paths (lsm/d_instantiate binds them). */
	size_t room = at_least_one(nn + (npend ? 2 * LSM_MAX_BOUND : 0));
	bpf_map__set_max_entries(b->skel->maps.vm_nodes, (__u32)room);
	b->filter_shift = filter_shift(room);
	size_t nwords = (size_t)(UINT64_C(1) << (64 - b->filter_shift) >> 6);
	bpf_map__set_max_entries(b->skel->maps.vm_filter, (__u32)nwords);
	b->filter = calloc(nwords, sizeof(*b->filter));
	if (!b->filter) {
		r = -ENOMEM;
		snprintf(msg, len, "cannot allocate the lookup filter: %s", strerror(-r));
		goto fail;
	}
	bpf_map__set_max_entries(b->skel->maps.vm_ucells, (__u32)at_least_one(nu));
	bpf_map__set_max_entries(b->skel->maps.vm_clearances, (__u32)at_least_one(nc));
	size_t ns = c ? policy_subject_count(c) : 0; /* the last one: "another uid" */
	if (ns > LSM_MAX_SUBJECTS) {
		snprintf(msg, len, "the policy names %zu uids (at most %u)", ns - 1,
			 LSM_MAX_SUBJECTS - 1);
		r = -E2BIG;
		goto fail;
	}
	bpf_map__set_max_entries(b->skel->maps.vm_subjects, (__u32)at_least_one(ns));
	bpf_map__set_max_entries(b->skel->maps.vm_pdirs,
				 (__u32)at_least_one(c ? policy_pending_count(c) : 0));
	bpf_map__set_max_entries(b->skel->maps.vm_pending,
				 (__u32)at_least_one(c ? policy_pending_count(c) : 0));
	/* Refuse what cannot be enforced before the slow part: verifying the programs. */
	if (c && (r = pending(NULL, c, g, msg, len)) < 0)
		goto fail;
	ssize_t ncuts = c ? xattr_cuts(c, g, &cuts) : 0;
	if (ncuts < 0) {
		r = (int)ncuts;
		snprintf(msg, len, "cannot read the guest's mounts: %s", strerror(-r));
		goto fail;
	}
	bpf_map__set_max_entries(b->skel->maps.vm_xcut, (__u32)at_least_one((size_t)ncuts));
	if ((r = vmmsec_bpf__load(b->skel)) < 0) {
		if (r == -E2BIG) /* libbpf's answer when the verifier runs out of its budget */
			snprintf(msg, len,
				 "cannot load the BPF-LSM programs: the kernel's verifier gave up "
				 "(%s: more than the million instructions it checks per program); "
				 "--backend seccomp enforces the same policy",
				 strerror(-r));
		else
			snprintf(msg, len, "cannot load the BPF-LSM programs: %s", strerror(-r));
		goto fail;
	}
	struct policy_export_ops ops = {put_node, put_ucell, put_clearance};
	if ((c && (r = policy_export(c, &ops, b)) < 0) || (r = put_filter(b)) < 0) {
		snprintf(msg, len, "cannot fill the BPF maps: %s", strerror(-r));
		goto fail;
	}
	free(b->filter);
	b->filter = NULL;
	for (__u32 i = 0; c && i < ns; i++) {
		__u32 uid = policy_subject_at(c, i);
		if ((r = bpf_map__update_elem(b->skel->maps.vm_subjects, &i, sizeof(i), &uid,
					      sizeof(uid), BPF_ANY)) < 0) {
			snprintf(msg, len, "cannot fill the BPF maps: %s", strerror(-r));
			goto fail;
		}
	}
	if (c && (r = pending(b, c, g, msg, len)) < 0)
		goto fail;
	for (ssize_t i = 0; i < ncuts; i++) {
		__u8 one = 1;
		if ((r = bpf_map__update_elem(b->skel->maps.vm_xcut, &cuts[i], sizeof(cuts[i]),
					      &one, sizeof(one), BPF_ANY)) < 0) {
			snprintf(msg, len, "cannot fill the BPF maps: %s", strerror(-r));
			goto fail;
		}
	}
	if ((r = put_capture(b, g)) < 0) {
		snprintf(msg, len, "cannot fill the BPF maps: %s", strerror(-r));
		goto fail;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.nsubjects = c ? (__u32)ns : 0;
	cfg.npending = (__u32)npend;
	cfg.filter_shift = b->filter_shift;
	if ((r = pidns_level(&cfg.host_level)) < 0) {
		snprintf(msg, len, "cannot read NSpid from /proc/self/status: %s", strerror(-r));
		goto fail;
	}
	if ((r = userns_inum(g->cmd_host_pid, &cfg.userns_inum)) < 0) {
		snprintf(msg, len, "cannot find the guest's user namespace: %s", strerror(-r));
		goto fail;
	}
	cfg.uid_guest_first = g->uidmap.guest_first;
	cfg.uid_host_first = g->uidmap.host_first;
	cfg.uid_count = g->uidmap.count;
	cfg.gid_guest_first = g->gidmap.guest_first;
	cfg.gid_host_first = g->gidmap.host_first;
	cfg.gid_count = g->gidmap.count;
	cfg.default_deny = c && policy_compiled_default_deny(c);
	cfg.blp = c && policy_compiled_blp(c);
	cfg.audit_all = audit_all;
	cfg.active = 1;
	if ((r = bpf_map__update_elem(b->skel->maps.vm_config, &zero, sizeof(zero), &cfg,
				      sizeof(cfg), BPF_ANY)) < 0) {
		snprintf(msg, len, "cannot configure the BPF programs: %s", strerror(-r));
		goto fail;
	}
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.vm_events), on_event, b, NULL);
	if (!b->rb) {
		r = errno ? -errno : -ENOMEM;
		snprintf(msg, len, "cannot map the BPF ring buffer: %s", strerror(-r));
		goto fail;
	}
	b->sends = ring_buffer__new(bpf_map__fd(b->skel->maps.vm_sends), on_send, b, NULL);
	if (!b->sends) {
		r = errno ? -errno : -ENOMEM;
		snprintf(msg, len, "cannot map the BPF ring buffer: %s", strerror(-r));
		goto fail;
	}
	/* Links live in this process's fds only: nothing is pinned, nothing outlives vmmsec. */
	if ((r = vmmsec_bpf__attach(b->skel)) < 0) {
		snprintf(msg, len, "cannot attach the BPF-LSM programs: %s", strerror(-r));
		goto fail;
	}
	*out = b;
	return 0;
fail:
	lsm_bpf_free(b);
	return r;
}

int lsm_bpf_fd(const struct lsm_bpf *b)
{
	return ring_buffer__epoll_fd(b->rb);
}

static const char *hook_name(unsigned hook)
{
	static const char *const names[LSM_HOOK_MAX] = {
		[LSM_HOOK_FILE_OPEN] = "file_open",
		[LSM_HOOK_EXEC_OPEN] = "file_open(exec)",
		[LSM_HOOK_BPRM_CHECK] = "bprm_check_security",
		[LSM_HOOK_PATH_TRUNCATE] = "path_truncate",
		[LSM_HOOK_PATH_UNLINK] = "path_unlink",
		[LSM_HOOK_PATH_RMDIR] = "path_rmdir",
		[LSM_HOOK_PATH_MKDIR] = "path_mkdir",
		[LSM_HOOK_PATH_MKNOD] = "path_mknod",
		[LSM_HOOK_PATH_SYMLINK] = "path_symlink",
		[LSM_HOOK_PATH_LINK] = "path_link",
		[LSM_HOOK_PATH_RENAME] = "path_rename",
		[LSM_HOOK_PATH_CHMOD] = "path_chmod",
		[LSM_HOOK_PATH_CHOWN] = "path_chown",
		[LSM_HOOK_SETXATTR] = "inode_setxattr",
		[LSM_HOOK_REMOVEXATTR] = "inode_removexattr",
		[LSM_HOOK_FILE_FCNTL] = "file_fcntl",
		[LSM_HOOK_FALLOCATE] = "file_permission(fallocate)",
		[LSM_HOOK_FILE_RECEIVE] = "file_receive",
		[LSM_HOOK_FILE_TRUNCATE] = "file_truncate",
	};
	return hook < LSM_HOOK_MAX && names[hook] ? names[hook] : "lsm";
}

static void line_reason(const struct lsm_bpf *b, uint32_t line, char *buf, size_t len)
{
	if (line)
		snprintf(buf, len, "%s:%u", b->file, line);
	else
		snprintf(buf, len, "default");
}

/* The reason text policy_decide gives for the same verdict (src/policy/decide.c). */
static void reason_of(const struct lsm_bpf *b, const struct vlsm_event *e, char *buf, size_t len)
{
	if (!e->allow && e->cause == LSM_CAUSE_WIDEN) {
		char who[32] = "another uid", here[POLICY_REASON_MAX];
		if (!e->pad)
			snprintf(who, sizeof(who), "uid %u", (unsigned)e->level);
		line_reason(b, e->line[0], here, sizeof(here));
		snprintf(buf, len, "would widen access for %s (%.200s here)", who, here);
		return;
	}
	if (!e->allow && e->cause == LSM_CAUSE_BOUND) {
		snprintf(buf, len,
			 "not checkable: %d objects are bound at pending paths, and one more could "
			 "not be",
			 LSM_MAX_BOUND);
		return;
	}
	if (!e->allow && e->cause == LSM_CAUSE_PENDING) {
		snprintf(buf, len,
			 "not checkable: a pending path could not be looked up (its buffer was "
			 "in use)");
		return;
	}
	if (!e->allow && e->cause == LSM_CAUSE_MOUNT) {
		snprintf(buf, len,
			 "not checkable: the xattr hook gets no mount, and this file system is "
			 "mounted below rules");
		return;
	}
	if (!e->allow && e->cause == LSM_CAUSE_DEPTH) {
		snprintf(buf, len, "not checkable: more than %d levels below the root",
			 LSM_MAX_DEPTH);
		return;
	}
	if (!e->allow && e->cause == LSM_CAUSE_BLP) {
		if (e->failed == LSM_R)
			snprintf(buf, len, "blp: no read up (clearance %d < level %d)",
				 e->clearance, e->level);
		else
			snprintf(buf, len, "blp: no write down (clearance %d > level %d)",
				 e->clearance, e->level);
		return;
	}
	if (!e->allow) {
		unsigned i = e->failed == LSM_R ? 0 : e->failed == LSM_W ? 1 : 2;
		line_reason(b, e->line[i], buf, len);
		return;
	}
	/* Allowed: the distinct deciders of the requested bits, R then W then A. */
	uint32_t seen[3];
	size_t nseen = 0, off = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < 3; i++) {
		bool dup = false;
		if (!(e->want & (1u << i)))
			continue;
		for (size_t k = 0; k < nseen; k++)
			dup |= seen[k] == e->line[i];
		if (dup)
			continue;
		if (nseen && off + 2 < len) {
			memcpy(buf + off, ", ", 3);
			off += 2;
		}
		seen[nseen++] = e->line[i];
		if (off < len)
			line_reason(b, e->line[i], buf + off, len - off);
		off += strlen(buf + off);
	}
}

/*
 * The record's path (the bytes before the event) as a string: a NUL (a
 * name read while a rename freed it) becomes '?'; a path known only in
 * part starts with "...".
 */
static void path_of(const struct vlsm_event *e, const unsigned char *p, size_t len, char *buf,
		    size_t size)
{
	size_t off = 0;

	if (e->path == LSM_PATH_NONE || len == 0 || len > LSM_PATH_MAX) {
		buf[0] = '\0';
		return;
	}
	if (e->path != LSM_PATH_WHOLE) {
		memcpy(buf, "...", 3);
		off = 3;
	}
	for (size_t i = 0; i < len && off + 1 < size; i++)
		buf[off++] = p[i] ? (char)p[i] : '?';
	buf[off] = '\0';
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct lsm_bpf *b = ctx;
	struct vlsm_event e;
	char reason[POLICY_REASON_MAX], path[LSM_PATH_MAX + 4];

	if (size < sizeof(e))
		return 0; /* not ours: the programs only write whole events */
	/* The event ends the record; the path comes before it. */
	memcpy(&e, (const unsigned char *)data + size - sizeof(e), sizeof(e));
	path_of(&e, data, size - sizeof(e), path, sizeof(path));
	reason_of(b, &e, reason, sizeof(reason));
	struct mac_access a = {
		.host_tid = e.host_tid,
		.guest_pid = e.guest_tid,
		.uid = e.uid,
		.gid = e.gid,
		.dev = e.dev,
		.ino = e.ino,
		.access = e.want,
		.allow = e.allow,
		.path = "",
		.resolved = path,
		.reason = reason,
		.syscall = hook_name(e.hook),
	};
	memcpy(a.comm, e.comm, sizeof(a.comm));
	a.comm[sizeof(a.comm) - 1] = '\0';
	int r = b->fn(b->fnctx, &a);
	if (r < 0) {
		b->err = r;
		return r;
	}
	b->nrec++;
	return 0;
}

int lsm_bpf_consume(struct lsm_bpf *b, lsm_bpf_record_fn fn, void *ctx)
{
	b->fn = fn;
	b->fnctx = ctx;
	b->nrec = 0;
	b->err = 0;
	int r = ring_buffer__consume(b->rb);
	if (b->err < 0)
		return b->err;
	return r < 0 ? r : b->nrec;
}

uint64_t lsm_bpf_take_lost(struct lsm_bpf *b)
{
	__u32 zero = 0;
	__u64 n = 0;

	if (bpf_map__lookup_elem(b->skel->maps.vm_lost, &zero, sizeof(zero), &n, sizeof(n), 0) < 0)
		return 0;
	uint64_t d = n - b->lost_seen;
	b->lost_seen = n;
	return d;
}

/* ---- syslog senders ---- */

static struct lsm_connq *conn_find(struct lsm_bpf *b, uint64_t cookie)
{
	for (size_t i = 0; i < b->nconns; i++)
		if (b->conns[i].cookie == cookie)
			return &b->conns[i];
	return NULL;
}

/* A write to a journal/stdout connection: queued until the monitor reads its bytes. */
static void on_write(struct lsm_bpf *b, const struct vlsm_send *e)
{
	struct lsm_connq *q = conn_find(b, e->conn);

	if (!e->len)
		return;
	if (!q) {
		struct lsm_connq *v = b->nconns < LSM_MAX_CONNS
					      ? realloc(b->conns, (b->nconns + 1) * sizeof(*v))
					      : NULL;
		if (!v) {
			b->send_dropped++;
			return;
		}
		b->conns = v;
		q = &b->conns[b->nconns++];
		*q = (struct lsm_connq){.cookie = e->conn};
	}
	if (lsm_connq_push(q, e) < 0)
		b->send_dropped++;
}

static int on_send(void *ctx, void *data, size_t size)
{
	struct lsm_bpf *b = ctx;
	struct vlsm_send e;
	unsigned s = 0;

	if (size < sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));
	if (e.conn) {
		on_write(b, &e);
		return 0;
	}
	while (s < GUEST_NSOCK && (!b->sock_ino[s] || b->sock_ino[s] != e.sock_ino))
		s++;
	if (s < GUEST_NSOCK && lsm_sendq_push(&b->sq[s], &e) != 0)
		b->send_dropped++;
	return 0;
}

int lsm_bpf_sent(struct lsm_bpf *b, enum guest_sock s, uint32_t tgid, struct monitor_sent *out)
{
	if ((unsigned)s >= GUEST_NSOCK || !b->sock_ino[s])
		return 0;
	/*
	 * The event of a datagram is written before the datagram is queued,
	 * so everything the caller has received has its event in the ring.
	 */
	int r = ring_buffer__consume(b->sends);
	return r < 0 ? r : lsm_sendq_match(&b->sq[s], tgid, out);
}

int lsm_bpf_stream_sent(struct lsm_bpf *b, uint64_t conn, uint32_t tgid, size_t len,
			struct capture_piece *pieces, size_t max)
{
	int r = ring_buffer__consume(b->sends);

	if (r < 0)
		return r;
	struct lsm_connq *q = conn_find(b, conn);
	if (q)
		return (int)lsm_connq_take(q, tgid, len, pieces, max);
	pieces[0] = (struct capture_piece){.len = len, .known = false};
	return 1;
}

void lsm_bpf_stream_closed(struct lsm_bpf *b, uint64_t conn)
{
	struct lsm_connq *q = conn_find(b, conn);

	bpf_map__delete_elem(b->skel->maps.vm_conns, &conn, sizeof(conn), 0);
	if (!q)
		return;
	lsm_connq_release(q);
	*q = b->conns[--b->nconns];
}

uint64_t lsm_bpf_take_send_lost(struct lsm_bpf *b)
{
	__u32 zero = 0;
	__u64 n = 0;

	if (bpf_map__lookup_elem(b->skel->maps.vm_send_lost, &zero, sizeof(zero), &n, sizeof(n),
				 0) < 0)
		n = b->send_lost_seen;
	uint64_t d = n - b->send_lost_seen + b->send_dropped;
	b->send_lost_seen = n;
	b->send_dropped = 0;
	return d;
}

void lsm_bpf_free(struct lsm_bpf *b)
{
	if (!b)
		return;
	ring_buffer__free(b->sends);
	for (unsigned i = 0; i < GUEST_NSOCK; i++)
		lsm_sendq_release(&b->sq[i]);
	for (size_t i = 0; i < b->nconns; i++)
		lsm_connq_release(&b->conns[i]);
	free(b->conns);
	ring_buffer__free(b->rb);
	vmmsec_bpf__destroy(b->skel);
	free(b->file);
	free(b->filter);
	free(b);
}
