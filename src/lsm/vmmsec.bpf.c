/* vmmsec.bpf.c - BPF-LSM programs: the compiled access file enforced in the guest's security hooks. */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lsm/lsm_abi.h"

/*
 * CO-RE only: every kernel structure is read with BPF_CORE_READ against
 * the build host's vmlinux.h, so the object loads on other kernels (the VM
 * tier's 6.1).  The decision is policy_decide (src/policy/decide.c) bit for
 * bit: per requested permission the most specific cell decides (the object
 * exactly, then as a subtree, then each ancestor's subtree, nearest first;
 * a uid cell beats '*', a denial beats a grant within a cell), else
 * `default`; then Bell-LaPadula with the nearest level.
 */

char LICENSE[] SEC("license") = "GPL";

#define EACCES 13
#define O_ACCMODE 00000003
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define FMODE_EXEC 0x20
#define OVERFLOW_ID 65534

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, struct vlsm_key);
	__type(value, struct vlsm_node);
} vm_nodes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct vlsm_ukey);
	__type(value, struct vlsm_cell);
} vm_ucells SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} vm_clearances SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vlsm_config);
} vm_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vm_lost SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} vm_events SEC(".maps");

/* Decision state, shared with the bpf_loop callback. */
struct walk {
	struct dentry *d;
	struct mount *m;
	struct dentry *root_d;
	struct vfsmount *root_mnt;
	__u64 obj_dev, obj_ino;
	__u32 uid;
	__u32 want, decided, allowed;
	__u32 line[3];
	__s32 level;
	__u8 first_exact; /* step 0 is the object itself (exact rules apply) */
	__u8 blp;
};

/* The kernel's dev_t (MAJOR << 20 | MINOR) as stat(2) reports it (new_encode_dev). */
static __always_inline __u64 user_dev(__u32 kdev)
{
	__u32 major = kdev >> 20, minor = kdev & 0xfffff;

	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static __always_inline int key_of(struct dentry *d, struct vlsm_key *k)
{
	struct inode *inode = BPF_CORE_READ(d, d_inode);

	if (!inode)
		return -1;
	k->dev = user_dev(BPF_CORE_READ(inode, i_sb, s_dev));
	k->ino = BPF_CORE_READ(inode, i_ino);
	k->gen = 0;
	return 0;
}

static __always_inline void apply_cell(const struct vlsm_cell *c, struct walk *w)
{
#pragma unroll
	for (int i = 0; i < 3; i++) {
		__u32 bit = 1u << i;
		if (!(w->want & bit) || (w->decided & bit) || !((c->grant | c->deny) & bit))
			continue;
		w->decided |= bit;
		if (c->deny & bit) {
			w->line[i] = c->deny_line[i];
		} else {
			w->allowed |= bit;
			w->line[i] = c->grant_line[i];
		}
	}
}

static __always_inline void apply_scope(const struct vlsm_key *k, const struct vlsm_node *n,
					__u32 scope, struct walk *w)
{
	if (n->nuid[scope & 1] && (w->decided & w->want) != w->want) {
		struct vlsm_ukey uk = {.key = *k, .uid = w->uid, .scope = scope};
		const struct vlsm_cell *c = bpf_map_lookup_elem(&vm_ucells, &uk);
		if (c)
			apply_cell(c, w);
	}
	apply_cell(&n->any[scope & 1], w);
	if (w->level == LSM_LEVEL_NONE)
		w->level = n->level[scope & 1];
}

static __always_inline struct mount *real_mount(struct vfsmount *mnt)
{
	return (struct mount *)((char *)mnt - bpf_core_field_offset(struct mount, mnt));
}

/* One step of the walk: decide with the current directory, then move to its parent. */
static long walk_step(__u32 idx, void *ctx)
{
	struct walk *w = ctx;
	struct vlsm_key k;

	struct dentry *cur = w->d;

	if (!cur)
		return 1;
	if (key_of(cur, &k) == 0) {
		if (idx == 0 && w->first_exact) {
			w->obj_dev = k.dev;
			w->obj_ino = k.ino;
		}
		const struct vlsm_node *n = bpf_map_lookup_elem(&vm_nodes, &k);
		if (n) {
			if (idx == 0 && w->first_exact)
				apply_scope(&k, n, 0, w);
			apply_scope(&k, n, 1, w);
		}
	}
	if ((w->decided & w->want) == w->want && (!w->blp || w->level != LSM_LEVEL_NONE))
		return 1;
	/* Up: stop at the task's root; cross mounts the way ".." does. */
	struct dentry *d = w->d;
	struct mount *m = w->m;
	for (int j = 0; j < 8; j++) {
		if (d == w->root_d && (struct vfsmount *)&m->mnt == w->root_mnt)
			return 1;
		if (d != BPF_CORE_READ(m, mnt.mnt_root))
			break;
		struct mount *parent = BPF_CORE_READ(m, mnt_parent);
		if (!parent || parent == m)
			return 1; /* the root of the mount tree */
		d = BPF_CORE_READ(m, mnt_mountpoint);
		m = parent;
	}
	struct dentry *p = BPF_CORE_READ(d, d_parent);
	if (!p || p == d)
		return 1;
	w->d = p;
	w->m = m;
	return 0;
}

static __always_inline __u32 map_id(__u32 id, __u32 guest_first, __u32 host_first, __u32 count)
{
	if (id >= host_first && id - host_first < count)
		return id - host_first + guest_first;
	return OVERFLOW_ID;
}

/* Is the current task in the guest?  Then 1 with *cfg copied, else 0. */
static __always_inline int guest_config(struct task_struct *task, struct vlsm_config *cfg)
{
	__u32 zero = 0;
	const struct vlsm_config *c = bpf_map_lookup_elem(&vm_config, &zero);

	if (!c)
		return 0;
	__builtin_memcpy(cfg, c, sizeof(*cfg));
	if (!cfg->active || BPF_CORE_READ(task, cred, user_ns, ns.inum) != cfg->userns_inum)
		return 0;
	return 1;
}

static __always_inline __u32 guest_tid(struct task_struct *task)
{
	struct pid *p = BPF_CORE_READ(task, thread_pid);
	unsigned int lvl = BPF_CORE_READ(p, level);
	int nr = 0;

	if (lvl > 31)
		return 0;
	char *up = (char *)p + bpf_core_field_offset(struct pid, numbers) +
		   lvl * bpf_core_type_size(struct upid);
	bpf_probe_read_kernel(&nr, sizeof(nr), up + bpf_core_field_offset(struct upid, nr));
	return (__u32)nr;
}

static __always_inline void bump_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&vm_lost, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/*
 * Decide @want on the object at (@d, @mnt), or, with !@exact, on a new
 * entry in directory @d (its exact rules do not apply).  Records the
 * decision when it is a denial or under --audit all.  0 or -EACCES.
 */
static __always_inline int decide(struct dentry *d, struct vfsmount *mnt, __u32 want, int exact,
				  __u8 hook)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vlsm_config conf, *cfg = &conf;

	if (!want || !d || !mnt || !guest_config(task, cfg))
		return 0;
	struct walk w = {
		.d = d,
		.m = real_mount(mnt),
		.root_d = BPF_CORE_READ(task, fs, root.dentry),
		.root_mnt = BPF_CORE_READ(task, fs, root.mnt),
		.blp = cfg->blp,
		.uid = map_id(BPF_CORE_READ(task, cred, fsuid.val), cfg->uid_guest_first,
			      cfg->uid_host_first, cfg->uid_count),
		.want = want,
		.level = LSM_LEVEL_NONE,
		.first_exact = exact,
	};
	bpf_loop(LSM_MAX_DEPTH, walk_step, &w, 0);

	__u32 failed = 0, cause = 0;
	int level = w.level == LSM_LEVEL_NONE ? 0 : w.level, clearance = 0;
	__u32 *cl = bpf_map_lookup_elem(&vm_clearances, &w.uid);
	if (cl)
		clearance = (int)*cl;
		/* Undecided bits: `default`. */
#pragma unroll
	for (int i = 0; i < 3; i++) {
		__u32 bit = 1u << i;
		if ((want & bit) && !(w.decided & bit)) {
			w.line[i] = 0;
			if (!cfg->default_deny)
				w.allowed |= bit;
		}
	}
#pragma unroll
	for (int i = 0; i < 3; i++) {
		__u32 bit = 1u << i;
		if (!failed && (want & bit) && !(w.allowed & bit)) {
			failed = bit;
			cause = w.line[i] ? LSM_CAUSE_RULE : LSM_CAUSE_DEFAULT;
		}
	}
	if (!failed && cfg->blp && level != LSM_LEVEL_EXEMPT) {
		if ((want & LSM_R) && clearance < level)
			failed = LSM_R;
		else if ((want & (LSM_W | LSM_A)) && clearance > level)
			failed = want & LSM_W ? LSM_W : LSM_A;
		if (failed)
			cause = LSM_CAUSE_BLP;
	}
	if (!failed && !cfg->audit_all)
		return 0;
	struct vlsm_event *e = bpf_ringbuf_reserve(&vm_events, sizeof(*e), 0);
	if (!e) {
		bump_lost();
		return failed ? -EACCES : 0;
	}
	e->dev = w.obj_dev;
	e->ino = w.obj_ino;
	e->host_tid = (__u32)bpf_get_current_pid_tgid();
	e->guest_tid = guest_tid(task);
	e->uid = w.uid;
	e->gid = map_id(BPF_CORE_READ(task, cred, fsgid.val), cfg->gid_guest_first,
			cfg->gid_host_first, cfg->gid_count);
	e->want = want;
	e->failed = failed;
	e->line[0] = w.line[0];
	e->line[1] = w.line[1];
	e->line[2] = w.line[2];
	e->level = level;
	e->clearance = clearance;
	e->allow = !failed;
	e->cause = (__u8)cause;
	e->hook = hook;
	e->pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return failed ? -EACCES : 0;
}

/* The loader's probe: proves BPF-LSM programs load and attach here. */
SEC("lsm/file_open")
int BPF_PROG(vmmsec_probe, struct file *file, int ret)
{
	return ret;
}

static __always_inline __u32 want_from_open(__u32 flags)
{
	__u32 want;

	switch (flags & O_ACCMODE) {
	case 0:
		want = LSM_R;
		break;
	case O_WRONLY:
		want = LSM_W;
		break;
	default:
		want = LSM_R | LSM_W;
		break;
	}
	if (flags & O_TRUNC)
		want |= LSM_W;
	else if ((flags & O_APPEND) && (want & LSM_W))
		want = (want & ~LSM_W) | LSM_A;
	/* A read-write append fd can be mapped shared and written anywhere: that is w. */
	if ((flags & O_ACCMODE) == O_RDWR && (want & LSM_A))
		want = (want & ~LSM_A) | LSM_W;
	return want;
}

SEC("lsm/file_open")
int BPF_PROG(vmmsec_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	__u32 flags = BPF_CORE_READ(file, f_flags);
	__u32 mode = BPF_CORE_READ(file, f_mode);
	bool exec = (flags & FMODE_EXEC) || (mode & FMODE_EXEC);
	__u32 want = exec ? LSM_R : want_from_open(flags);

	return decide(BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt), want, 1,
		      exec ? LSM_HOOK_EXEC_OPEN : LSM_HOOK_FILE_OPEN);
}

SEC("lsm/bprm_check_security")
int BPF_PROG(vmmsec_bprm_check, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return ret;
	struct file *file = BPF_CORE_READ(bprm, file);
	return decide(BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt), LSM_R, 1,
		      LSM_HOOK_BPRM_CHECK);
}

SEC("lsm/path_truncate")
int BPF_PROG(vmmsec_path_truncate, const struct path *path, int ret)
{
	if (ret)
		return ret;
	return decide(BPF_CORE_READ(path, dentry), BPF_CORE_READ(path, mnt), LSM_W, 1,
		      LSM_HOOK_PATH_TRUNCATE);
}

/* A new entry in @dir: w on the directory, then w on the new object (its ancestors decide). */
static __always_inline int decide_create(const struct path *dir, __u8 hook)
{
	struct dentry *d = BPF_CORE_READ(dir, dentry);
	struct vfsmount *mnt = BPF_CORE_READ(dir, mnt);
	int r = decide(d, mnt, LSM_W, 1, hook);

	return r ? r : decide(d, mnt, LSM_W, 0, hook);
}

SEC("lsm/path_mknod")
int BPF_PROG(vmmsec_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode,
	     unsigned int dev, int ret)
{
	return ret ? ret : decide_create(dir, LSM_HOOK_PATH_MKNOD);
}

SEC("lsm/path_mkdir")
int BPF_PROG(vmmsec_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode,
	     int ret)
{
	return ret ? ret : decide_create(dir, LSM_HOOK_PATH_MKDIR);
}

SEC("lsm/path_symlink")
int BPF_PROG(vmmsec_path_symlink, const struct path *dir, struct dentry *dentry,
	     const char *old_name, int ret)
{
	return ret ? ret : decide_create(dir, LSM_HOOK_PATH_SYMLINK);
}

/* Removing an entry: w on the object, then w on its directory. */
static __always_inline int decide_remove(const struct path *dir, struct dentry *dentry, __u8 hook)
{
	struct vfsmount *mnt = BPF_CORE_READ(dir, mnt);
	int r = decide(dentry, mnt, LSM_W, 1, hook);

	return r ? r : decide(BPF_CORE_READ(dir, dentry), mnt, LSM_W, 1, hook);
}

SEC("lsm/path_unlink")
int BPF_PROG(vmmsec_path_unlink, const struct path *dir, struct dentry *dentry, int ret)
{
	return ret ? ret : decide_remove(dir, dentry, LSM_HOOK_PATH_UNLINK);
}

SEC("lsm/path_rmdir")
int BPF_PROG(vmmsec_path_rmdir, const struct path *dir, struct dentry *dentry, int ret)
{
	return ret ? ret : decide_remove(dir, dentry, LSM_HOOK_PATH_RMDIR);
}

SEC("lsm/path_chmod")
int BPF_PROG(vmmsec_path_chmod, const struct path *path, umode_t mode, int ret)
{
	if (ret)
		return ret;
	return decide(BPF_CORE_READ(path, dentry), BPF_CORE_READ(path, mnt), LSM_W, 1,
		      LSM_HOOK_PATH_CHMOD);
}

SEC("lsm/path_chown")
int BPF_PROG(vmmsec_path_chown, const struct path *path, __u64 uid, __u64 gid, int ret)
{
	if (ret)
		return ret;
	return decide(BPF_CORE_READ(path, dentry), BPF_CORE_READ(path, mnt), LSM_W, 1,
		      LSM_HOOK_PATH_CHOWN);
}
