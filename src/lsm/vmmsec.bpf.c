/* vmmsec.bpf.c - BPF-LSM programs: the compiled access file enforced in the guest's security hooks. */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lsm/lsm_abi.h"

/*
 * CO-RE only: every kernel structure is read through the build host's
 * vmlinux.h with relocated offsets, so the object loads on other kernels
 * (the VM tier's 6.1): directly through the BTF pointers the hooks get
 * (the verifier turns such loads into fault-safe ones), with BPF_CORE_READ
 * where the address is computed (struct mount, struct pid).
 *
 * The decision is policy_decide (src/policy/decide.c) bit for bit: per
 * requested permission the most specific cell decides (the object
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
#define FMODE_WRITE 0x2
#define EPERM 1
#define F_SETFL 4
#define RENAME_EXCHANGE 2
#define PROC_SUPER_MAGIC 0x9fa0
#define BTRFS_SUPER_MAGIC 0x9123683e
#define NR_FALLOCATE 285 /* x86_64; other ABIs never get past the seccomp filter */
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
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, struct vlsm_pkey);
	__type(value, __u64);
} vm_pending SEC(".maps");

/* A bit per vm_nodes key (lsm_abi.h vlsm_filter_bit): clear means no lookup needed. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, __u32);
	__type(value, __u64);
} vm_filter SEC(".maps");

/* The directories vm_pending names: checked before a name is read (d_instantiate runs for every dentry). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, struct vlsm_key);
	__type(value, __u8);
} vm_pdirs SEC(".maps");

/*
 * Devices of file systems mounted below a directory the policy has
 * directives for (bpf.c xattr_cuts): the xattr hooks, which get no mount,
 * refuse there what is not decided at the file system's root.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, __u64);
	__type(value, __u8);
} vm_xcut SEC(".maps");

/*
 * Room for one vm_pending key, off the stack.  busy: taken by the program
 * filling it.  A program can be preempted (migration is disabled, not
 * preemption), and the next one on the CPU must not write over its key.
 */
struct pscratch {
	struct vlsm_pkey pk;
	__u64 busy;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pscratch);
} vm_scratch SEC(".maps");

/* The subjects the no-widening rule checks: the policy's uids, then one it does not name. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, __u32);
	__type(value, __u32);
} vm_subjects SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} vm_events SEC(".maps");

/*
 * A record under construction: the path is written backwards, ending where
 * the event begins, so that path and event go out as one ring buffer
 * record.  busy: taken by the program filling it (a preempted program's
 * buffer is not shared: the next one on this CPU records no path).
 */
struct recbuf {
	char path[LSM_PATH_MAX];
	struct vlsm_event e;
	char name[LSM_NAME_MAX + 1];
	__u32 pos; /* the path starts at path[pos] */
	__u64 busy;
	char slack[LSM_PATH_MAX]; /* bounds the verifier can see for any pos */
};
_Static_assert(__builtin_offsetof(struct recbuf, e) == LSM_PATH_MAX, "the path ends at the event");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct recbuf);
} vm_rec SEC(".maps");

/*
 * What a walk has decided so far: all that vmmsec_walk_consider() touches.
 * Small: vmmsec_widen_subject's frame holds one inside struct walk, four
 * frames deep in the rename hook, where newer kernels count the frames of
 * bpf_loop callbacks into the stack limit too.
 */
struct wstate {
	__u64 seg_dev; /* the current mount's device, read once per mount (btrfs: per inode) */
	__u32 uid;
	__u32 line[3];
	__s16 level;
	__u8 want, decided, allowed;
	__u8 first_exact; /* step 0 is the object itself (exact rules apply) */
	__u8 blp;
	__u8 shift; /* vlsm_config.filter_shift */
};

/*
 * Decision state, shared with the bpf_loop callbacks.  The walk reads the
 * hook's own objects directly (BTF pointers: one load per field, no helper
 * call) up to the first mount root it meets; past it, where the kernel's
 * struct mount has to be reached by pointer arithmetic that 6.1's verifier
 * does not allow on BTF pointers, with bpf_probe_read_kernel.  The two
 * halves are two loops so that every slot keeps one kind of pointer.
 */
struct walk {
	struct dentry *d;	   /* near: the current entry (BTF) */
	struct vfsmount *mnt;	   /* near: its mount (BTF); NULL: not known (the xattr hooks) */
	struct dentry *root_d;	   /* the task's root (BTF) */
	struct vfsmount *root_mnt; /* BTF */
	struct dentry *fd;	   /* far: the current entry (a plain address) */
	struct mount *fm;	   /* far: its mount (a plain address) */
	struct dentry *seg_root;   /* far: fm's root, read once per mount */
	__u16 steps;		   /* levels the near loop looked at */
	__u8 done;		   /* the walk ended (else LSM_MAX_DEPTH levels were not enough) */
	__u8 far;		   /* the near loop stopped at a mount root: the far loop goes on */
	struct wstate st;
};

/* The kernel's dev_t (MAJOR << 20 | MINOR) as stat(2) reports it (new_encode_dev). */
static __always_inline __u64 user_dev(__u32 kdev)
{
	__u32 major = kdev >> 20, minor = kdev & 0xfffff;

	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/*
 * @p as a plain address (read back with a helper): what the verifier then
 * lets a program do with it is compare it and hand it to helpers, which
 * is what the code past a mount root and the path walk do.
 */
static __always_inline unsigned long plain(const void *p)
{
	unsigned long v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

/*
 * btrfs's own structures, as far as the programs need them.  btrfs is a
 * module on most kernels: libbpf relocates these against its BTF, and
 * where it finds none (no btrfs, or no module BTF) the code that reads
 * them is never reached (bpf_core_type_exists() is then 0).
 */
struct btrfs_root___vmm {
	dev_t anon_dev;
} __attribute__((preserve_access_index));

struct btrfs_inode___vmm {
	struct btrfs_root___vmm *root;
	struct inode vfs_inode;
} __attribute__((preserve_access_index));

/* Can btrfs inodes be keyed by their subvolume's device?  (src/lsm/bpf.c btrfs_keyed agrees.) */
#define BTRFS_KEYED                                                                                \
	(bpf_core_type_exists(struct btrfs_inode___vmm) &&                                         \
	 bpf_core_field_exists(struct btrfs_inode___vmm, root) &&                                  \
	 bpf_core_field_exists(struct btrfs_inode___vmm, vfs_inode) &&                             \
	 bpf_core_field_exists(struct btrfs_root___vmm, anon_dev))

/*
 * The device stat(2) reports for the btrfs inode at plain address @inode:
 * its subvolume's (btrfs_getattr), not the super block's.  Each subvolume
 * numbers its inodes anew, so only this device tells them apart.
 */
static __always_inline __u64 subvol_dev(unsigned long inode)
{
	const struct btrfs_inode___vmm *bi =
		(const void *)(inode - bpf_core_field_offset(struct btrfs_inode___vmm, vfs_inode));
	return user_dev(BPF_CORE_READ(bi, root, anon_dev));
}

/* subvol_dev() of @inode (BTF or plain): a function of its own, so that its stack is not the walk's. */
static __noinline __u64 btrfs_dev(const struct inode *inode)
{
	return BTRFS_KEYED ? subvol_dev(plain(inode)) : 0;
}

/* Is @sb a btrfs super block whose inodes are keyed by subvolume (BTRFS_KEYED)? */
static __always_inline int sb_btrfs(const struct super_block *sb)
{
	return BTRFS_KEYED && BPF_CORE_READ(sb, s_magic) == BTRFS_SUPER_MAGIC;
}

/*
 * The device stat(2) reports for the inode at plain address @inode: its
 * super block's, or on btrfs its subvolume's.  Global, so verified once on
 * its own: inline, its branch multiplied the states of the code after it
 * (Linux 6.1 checked 558,000 instructions of file_open rather than
 * 178,000).  Even so, a call costs the verifier more than the loads it
 * replaces (file_open: 168,000 against 35,000), so callers make it only
 * where btrfs is keyed (inode_dev), but for key_of (rename, link and
 * create hooks), whose inline reads overflowed the rename hook's stack.
 */
__noinline __u64 vmmsec_inode_dev(__u64 inode)
{
	const struct inode *i = (const struct inode *)inode;
	const struct super_block *sb = BPF_CORE_READ(i, i_sb);

	return sb_btrfs(sb) ? subvol_dev(inode) : user_dev(BPF_CORE_READ(sb, s_dev));
}

/* The device stat(2) reports for @inode (BTF or a plain address). */
static __always_inline __u64 inode_dev(const struct inode *inode)
{
	return BTRFS_KEYED ? vmmsec_inode_dev(plain(inode))
			   : user_dev(BPF_CORE_READ(inode, i_sb, s_dev));
}

static __always_inline int key_of(struct dentry *d, struct vlsm_key *k)
{
	struct inode *inode = BPF_CORE_READ(d, d_inode);

	if (!inode)
		return -1;
	k->dev = vmmsec_inode_dev((__u64)inode); /* always: see there */
	k->ino = BPF_CORE_READ(inode, i_ino);
	k->gen = 0;
	return 0;
}

static __always_inline void apply_cell(const struct vlsm_cell *c, struct wstate *w)
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

/*
 * Apply node @n, found under uk->key, at @scope: its uid cell for w->uid,
 * then its '*' cell.  @uk: on the caller's own stack (6.1 takes map keys
 * from nowhere else).
 */
static __always_inline void apply_scope(const struct vlsm_node *n, __u32 scope, struct wstate *w,
					struct vlsm_ukey *uk)
{
	if (n->nuid[scope & 1] && (w->decided & w->want) != w->want) {
		uk->uid = w->uid;
		uk->scope = scope;
		if (n->alias) {
			/* Bound at a pending path: that path's uid cells. */
			uk->key.dev = LSM_DEV_PATH;
			uk->key.ino = n->alias - 1;
			uk->key.gen = 0;
		}
		const struct vlsm_cell *c = bpf_map_lookup_elem(&vm_ucells, uk);
		if (c)
			apply_cell(c, w);
	}
	apply_cell(&n->any[scope & 1], w);
	if (w->level == LSM_LEVEL_NONE)
		w->level = n->level[scope & 1];
}

/*
 * Apply the node of *@k, if there is one, at both scopes (a key named
 * before the walk).  Global: its lookup key is on its own stack, not in
 * every walk's state.
 */
__noinline int vmmsec_apply_key(struct wstate *w, const struct vlsm_key *k)
{
	if (!w || !k)
		return 0; /* never: both are on the caller's stack (the verifier wants the test) */
	struct vlsm_ukey uk = {.key = *k};
	const struct vlsm_node *n = bpf_map_lookup_elem(&vm_nodes, &uk.key);
	if (n) {
		apply_scope(n, 0, w, &uk);
		apply_scope(n, 1, w, &uk);
	}
	return 0;
}

/* Nothing above can change the answer. */
static __always_inline int settled(const struct wstate *w)
{
	return (w->decided & w->want) == w->want && (!w->blp || w->level != LSM_LEVEL_NONE);
}

/*
 * Decide with the entry whose inode is @ino on the current mount (@exact:
 * it is the object itself); 1 when nothing above can change the answer.
 * Global, so verified once on its own: to a verifier that follows the
 * walk's loops through every iteration, a call is then one instruction
 * and the decision bits are unknown after it, rather than every
 * combination of them a state of its own (Linux 6.12 gave up otherwise).
 */
__noinline int vmmsec_walk_consider(struct wstate *w, __u64 ino, __u32 exact)
{
	if (!w)
		return 1; /* never: @w is on the caller's stack (the verifier wants the test) */
	__u64 bit = vlsm_filter_bit(w->seg_dev, ino, w->shift);
	__u32 word = (__u32)(bit >> 6);
	const __u64 *f = bpf_map_lookup_elem(&vm_filter, &word);
	if (f && !(*f & (1ull << (bit & 63))))
		return settled(w); /* no node (a missing word: looked up) */
	struct vlsm_ukey uk = {.key = {.dev = w->seg_dev, .ino = ino}};
	const struct vlsm_node *n = bpf_map_lookup_elem(&vm_nodes, &uk.key);
	if (n) {
		if (exact)
			apply_scope(n, 0, w, &uk);
		apply_scope(n, 1, w, &uk);
	}
	return settled(w);
}

/* The vfsmount's struct mount, as a plain address (see plain()). */
static __always_inline struct mount *real_mount(struct vfsmount *mnt)
{
	return (struct mount *)(plain(mnt) - bpf_core_field_offset(struct mount, mnt));
}

/*
 * From *@dp in mount *@mp (plain addresses), cross mount roots the way
 * ".." does.  1 when the task's root (@root_d in @root_mnt) or the root of
 * the mount tree is reached, else 0 with *@dp a dentry that is no mount's
 * root, in *@mp.  @mroot: *@mp's root when the caller knows it (else NULL:
 * read here).
 */
static __always_inline int climb(struct dentry **dp, struct mount **mp, struct dentry *root_d,
				 struct vfsmount *root_mnt, struct dentry *mroot)
{
	struct dentry *d = *dp;
	struct mount *m = *mp;

	for (int j = 0; j < 8; j++) {
		if (d == root_d && (struct vfsmount *)&m->mnt == root_mnt)
			return 1;
		if (d != (mroot ? mroot : BPF_CORE_READ(m, mnt.mnt_root)))
			break;
		mroot = NULL;
		struct mount *parent = BPF_CORE_READ(m, mnt_parent);
		if (!parent || parent == m)
			return 1; /* the root of the mount tree */
		d = BPF_CORE_READ(m, mnt_mountpoint);
		m = parent;
	}
	*dp = d;
	*mp = m;
	return 0;
}

/*
 * Up one level from w->fd, crossing mount roots the way ".." does (with
 * helpers: plain addresses).  1 at the task's root or the top of the tree.
 */
static __always_inline int far_up(struct walk *w)
{
	struct mount *m0 = w->fm;

	if (climb(&w->fd, &w->fm, w->root_d, w->root_mnt, w->seg_root))
		return 1;
	/* (Locals: BPF_CORE_READ relocates every access in its first argument.) */
	struct mount *m = w->fm;
	struct dentry *d = w->fd;
	if (m != m0) {
		/* Every dentry of a mount is on the mount's super block. */
		struct super_block *sb = BPF_CORE_READ(m, mnt.mnt_sb);
		w->st.seg_dev = user_dev(BPF_CORE_READ(sb, s_dev));
		w->seg_root = BPF_CORE_READ(m, mnt.mnt_root);
	}
	struct dentry *p = BPF_CORE_READ(d, d_parent);
	if (!p || p == d)
		return 1;
	w->fd = p;
	return 0;
}

/* One level in the object's own mount: decide with the current entry, then move to its parent. */
static long near_step(__u32 idx, void *ctx)
{
	struct walk *w = ctx;
	struct dentry *cur = w->d;
	struct inode *inode = cur->d_inode;

	if (BTRFS_KEYED && inode && cur->d_sb->s_magic == BTRFS_SUPER_MAGIC)
		w->st.seg_dev = btrfs_dev(inode); /* each inode its subvolume's */
	if (inode ? vmmsec_walk_consider(&w->st, inode->i_ino, idx == 0 && w->st.first_exact)
		  : settled(&w->st))
		goto end;
	if (cur == w->root_d && (!w->mnt || w->mnt == w->root_mnt))
		goto end;
	if (w->mnt && cur == w->mnt->mnt_root) {
		/* A mount root: ".." leaves this mount; the far loop goes on from here. */
		w->fd = (struct dentry *)plain(cur);
		w->fm = real_mount(w->mnt);
		w->seg_root = w->fd;
		w->steps = (__u16)(idx + 1);
		w->far = 1;
		return 1;
	}
	/* Within the mount (or, no mount known as in the xattr hooks, the file system). */
	struct dentry *p = cur->d_parent;
	if (!p || p == cur)
		goto end;
	w->d = p;
	return 0;
end:
	w->done = 1;
	return 1;
}

/* Decide with w->fd (@exact: it is the object itself), then move up: 0, or 1 when the walk ended. */
static __always_inline long far_level(struct walk *w, __u32 exact)
{
	struct dentry *d = w->fd;
	struct inode *inode = BPF_CORE_READ(d, d_inode);

	if (BTRFS_KEYED && inode && BPF_CORE_READ(d, d_sb, s_magic) == BTRFS_SUPER_MAGIC)
		w->st.seg_dev = btrfs_dev(inode);
	if (!(inode ? vmmsec_walk_consider(&w->st, BPF_CORE_READ(inode, i_ino), exact)
		    : settled(&w->st)) &&
	    !far_up(w))
		return 0;
	w->done = 1;
	return 1;
}

/*
 * One level past a mount root: decide with the current entry, then move
 * up.  Step 0 first leaves the mount root the near loop decided last.
 */
static long far_step(__u32 idx, void *ctx)
{
	struct walk *w = ctx;

	if (idx == 0 && far_up(w)) {
		w->done = 1;
		return 1;
	}
	return far_level(w, 0);
}

/*
 * Run the walk *@w describes (d, mnt, root_d, root_mnt and, in w->st, uid,
 * want, level, first_exact, blp and shift set; the rest 0) from its object up to the task's
 * root, or until nothing above can change the answer: w->done then.
 */
static __always_inline void walk_run(struct walk *w)
{
	w->st.seg_dev = user_dev(w->d->d_sb->s_dev);
	bpf_loop(LSM_MAX_DEPTH, near_step, w, 0);
	if (w->far && w->steps < LSM_MAX_DEPTH)
		bpf_loop(LSM_MAX_DEPTH - w->steps, far_step, w, 0);
}

/* @uid's clearance (0 when the policy gives it none). */
static __always_inline int clearance_of(__u32 uid)
{
	__u32 *cl = bpf_map_lookup_elem(&vm_clearances, &uid);

	return cl ? (int)*cl : 0;
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
	if (!cfg->active || task->cred->user_ns->ns.inum != cfg->userns_inum)
		return 0;
	return 1;
}

/* Is @task in the guest?  (guest_config without the copy.) */
static __always_inline int in_guest(struct task_struct *task)
{
	__u32 zero = 0;
	const struct vlsm_config *c = bpf_map_lookup_elem(&vm_config, &zero);

	return c && c->active && task->cred->user_ns->ns.inum == c->userns_inum;
}

/*
 * @p's number in the pid namespace at depth @lvl into *@nr (0 when it has
 * none there).  Written in place: the rename hook's stack has no room for a
 * copy.
 */
static __always_inline void pid_nr_at(__u32 *nr, struct pid *p, unsigned int lvl)
{
	*nr = 0;
	if (!p || lvl > 31 || lvl > BPF_CORE_READ(p, level))
		return;
	char *up = (char *)p + bpf_core_field_offset(struct pid, numbers) +
		   lvl * bpf_core_type_size(struct upid);
	bpf_probe_read_kernel(nr, sizeof(*nr), up + bpf_core_field_offset(struct upid, nr));
}

/* The thread id as the guest sees it: in its own (innermost) pid namespace. */
static __always_inline void guest_tid(__u32 *nr, struct task_struct *task)
{
	struct pid *p = BPF_CORE_READ(task, thread_pid);

	pid_nr_at(nr, p, BPF_CORE_READ(p, level));
}

/* The thread id as vmmsec sees it: in the monitor's pid namespace (@host_level). */
static __always_inline void host_tid(__u32 *nr, struct task_struct *task, __u32 host_level)
{
	pid_nr_at(nr, BPF_CORE_READ(task, thread_pid), host_level);
}

static __always_inline void bump_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&vm_lost, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/* The path walk's state, shared with its bpf_loop callback (small: the rename hook's stack is deep). */
struct namewalk {
	struct dentry *d;
	struct mount *m;
	__u32 pos;
	__u32 state; /* enum lsm_path_state */
};

/* One component: put the name of the current entry before the path so far. */
static long name_step(__u32 idx, void *ctx)
{
	struct namewalk *x = ctx;
	__u32 zero = 0;
	struct recbuf *s = bpf_map_lookup_elem(&vm_rec, &zero);
	struct task_struct *task = bpf_get_current_task_btf();
	struct dentry *d = x->d;
	struct mount *m = x->m;

	if (!s || !d)
		return 1;
	if (!m) {
		/* No mount known: up to the task's root, or to the file system's root. */
		if (d == BPF_CORE_READ(task, fs, root.dentry))
			return 1;
	} else if (climb(&d, &m, BPF_CORE_READ(task, fs, root.dentry),
			 BPF_CORE_READ(task, fs, root.mnt), NULL)) {
		return 1;
	}
	struct dentry *p = BPF_CORE_READ(d, d_parent);
	if (!p || p == d) {
		/* A disconnected dentry, or a root with no mount known: what is above is not known. */
		x->state = LSM_PATH_TAIL;
		return 1;
	}
	/* The name without the rename lock: a racing rename may give the old or the new one. */
	long n = bpf_probe_read_kernel_str(s->name, sizeof(s->name), BPF_CORE_READ(d, d_name.name));
	__u32 pos = x->pos;
	if (n < 1 || pos > LSM_PATH_MAX) {
		x->state = LSM_PATH_TAIL;
		return 1;
	}
	__u32 len = (__u32)(n - 1) & LSM_NAME_MAX;
	if (len + 1 > pos) {
		x->state = LSM_PATH_TAIL;
		return 1;
	}
	pos -= len + 1;
	if (pos > LSM_PATH_MAX - 1)
		return 1;
	char *slash = &s->path[pos];
	*slash = '/';
	bpf_probe_read_kernel(slash + 1, len, s->name);
	x->pos = pos;
	x->d = p;
	x->m = m;
	if (idx == LSM_PATH_LEVELS - 1)
		x->state = LSM_PATH_TAIL;
	return 0;
}

/*
 * The path of @d (in @m) as the task sees it, into the record buffer @s:
 * s->pos and s->e.path.  @m NULL: not known (the xattr hooks); then the
 * path within @d's file system, whole only if the walk meets the task's
 * root directory on its way.
 */
static __always_inline void path_into(struct recbuf *s, struct dentry *d, struct mount *m)
{
	struct namewalk x = {.d = (struct dentry *)plain(d), .m = m, .pos = LSM_PATH_MAX};

	if (!s)
		return;
	if (!d) {
		s->pos = LSM_PATH_MAX;
		s->e.path = LSM_PATH_NONE;
		return;
	}
	bpf_loop(LSM_PATH_LEVELS, name_step, &x, 0);
	if (x.pos == LSM_PATH_MAX && x.state == LSM_PATH_WHOLE) {
		x.pos = LSM_PATH_MAX - 1;
		s->path[LSM_PATH_MAX - 1] = '/'; /* the root itself */
	}
	s->pos = x.pos;
	s->e.path = x.state;
}

/*
 * A record: *@own set when the CPU's record buffer was free and the event
 * goes into it (sent with its path by rec_send), else the event is reserved
 * in the ring buffer alone (no path).  NULL: the ring buffer is full.
 */
static __always_inline struct vlsm_event *rec_start(struct recbuf **sp, int *own)
{
	__u32 zero = 0;
	struct recbuf *s = bpf_map_lookup_elem(&vm_rec, &zero);

	*sp = s;
	*own = s && __sync_val_compare_and_swap(&s->busy, 0, 1) == 0;
	if (*own)
		return &s->e;
	struct vlsm_event *e = bpf_ringbuf_reserve(&vm_events, sizeof(*e), 0);
	if (e)
		e->path = LSM_PATH_NONE;
	return e;
}

/* Send the event rec_start gave, with the path of @d in @m when it has room for one. */
static __always_inline void rec_send(struct vlsm_event *e, struct recbuf *s, int own,
				     struct dentry *d, struct mount *m)
{
	if (!own || !s) {
		bpf_ringbuf_submit(e, 0);
		return;
	}
	path_into(s, d, m);
	__u32 pos = s->pos;
	if (pos > LSM_PATH_MAX)
		pos = LSM_PATH_MAX;
	if (bpf_ringbuf_output(&vm_events, &s->path[pos],
			       LSM_PATH_MAX - pos + sizeof(struct vlsm_event), 0))
		bump_lost();
	s->busy = 0;
}

/* A new entry: its dentry (for the record's path) and its pending path's key (dev 0: none). */
struct newent {
	struct dentry *entry;
	struct vlsm_key pre;
};

/* newent.pre.dev: whether the entry is at a pending path could not be told (pending_key). */
#define DEV_UNSURE (LSM_DEV_PATH - 1)

/*
 * Decide @want on the object at (@d, @mnt), or, without EXACT in @how, on
 * the new entry @ne in directory @d (its exact rules do not apply; its
 * pending path's rules do); @mnt NULL: the ancestors within @d's file
 * system only.  Records the decision when it is a denial or under --audit
 * all.  0 or -EACCES.  (At most five arguments: @how carries the hook
 * too.)
 */
#define EXACT 0x100 /* decide_pre's @how: the hook, and whether the object's own rules apply */
/* decide_pre's @how: return 1 for an allow the open cache may keep (no record, one mount). */
#define CACHE 0x200

static __noinline int decide_pre(struct dentry *d, struct vfsmount *mnt, __u32 want, __u32 how,
				 const struct newent *ne)
{
	int exact = !!(how & EXACT);
	__u8 hook = (__u8)how;
	struct task_struct *task = bpf_get_current_task_btf();
	struct vlsm_config conf, *cfg = &conf;

	if (!want || !d || !guest_config(task, cfg))
		return 0;
	struct walk w = {
		.d = d,
		.mnt = mnt,
		.root_d = task->fs->root.dentry,
		.root_mnt = task->fs->root.mnt,
		.st.blp = cfg->blp,
		.st.uid = map_id(task->cred->fsuid.val, cfg->uid_guest_first, cfg->uid_host_first,
				 cfg->uid_count),
		.st.want = (__u8)want,
		.st.level = LSM_LEVEL_NONE,
		.st.first_exact = (__u8)exact,
		.st.shift = (__u8)cfg->filter_shift,
	};
	if (ne && ne->pre.dev == LSM_DEV_PATH)
		vmmsec_apply_key(&w.st, &ne->pre);
	walk_run(&w);

	__u32 failed = 0, cause = 0;
	if (cfg->bind_full || cfg->bind_unsure || (ne && ne->pre.dev == DEV_UNSURE)) {
		/* Fail closed: an object may be at a pending path, not bound to its rules. */
		failed = want & -want;
		cause = cfg->bind_full ? LSM_CAUSE_BOUND : LSM_CAUSE_PENDING;
	} else if (!w.done) {
		/* Fail closed: the directories above are not all known. */
		failed = want & -want;
		cause = LSM_CAUSE_DEPTH;
	} else if (!mnt && w.d != w.root_d &&
		   ((w.st.decided & want) != want || (w.st.blp && w.st.level == LSM_LEVEL_NONE))) {
		/*
		 * Undecided at the root of a file system mounted below a directory
		 * with rules.  vm_xcut is keyed by the super block's device (on
		 * btrfs, seg_dev is now an inode's).
		 */
		if (BTRFS_KEYED)
			w.st.seg_dev = user_dev(w.d->d_sb->s_dev);
		if (bpf_map_lookup_elem(&vm_xcut, &w.st.seg_dev)) {
			failed = want & -want;
			cause = LSM_CAUSE_MOUNT;
		}
	}
	int level = w.st.level == LSM_LEVEL_NONE ? 0 : w.st.level;
	int clearance = cfg->blp ? clearance_of(w.st.uid) : 0;
	/* Undecided bits: `default`. */
#pragma unroll
	for (int i = 0; i < 3; i++) {
		__u32 bit = 1u << i;
		if ((want & bit) && !(w.st.decided & bit)) {
			w.st.line[i] = 0;
			if (!cfg->default_deny)
				w.st.allowed |= bit;
		}
	}
#pragma unroll
	for (int i = 0; i < 3; i++) {
		__u32 bit = 1u << i;
		if (!failed && (want & bit) && !(w.st.allowed & bit)) {
			failed = bit;
			cause = w.st.line[i] ? LSM_CAUSE_RULE : LSM_CAUSE_DEFAULT;
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
		return (how & CACHE) && !w.far ? 1 : 0;
	if (!cfg->blp)
		clearance = clearance_of(w.st.uid); /* for the record */
	struct recbuf *s;
	int own;
	struct vlsm_event *e = rec_start(&s, &own);
	if (!e) {
		bump_lost();
		return failed ? -EACCES : 0;
	}
	struct inode *inode = exact ? d->d_inode : NULL;
	e->dev = inode ? (BTRFS_KEYED ? vmmsec_inode_dev(plain(inode)) : user_dev(d->d_sb->s_dev))
		       : 0;
	e->ino = inode ? inode->i_ino : 0;
	host_tid(&e->host_tid, task, cfg->host_level);
	guest_tid(&e->guest_tid, task);
	e->uid = w.st.uid;
	e->gid = map_id(task->cred->fsgid.val, cfg->gid_guest_first, cfg->gid_host_first,
			cfg->gid_count);
	e->want = want;
	e->failed = failed;
	e->line[0] = w.st.line[0];
	e->line[1] = w.st.line[1];
	e->line[2] = w.st.line[2];
	e->level = level;
	e->clearance = clearance;
	e->allow = !failed;
	e->cause = (__u8)cause;
	e->hook = hook;
	e->pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	rec_send(e, s, own, ne ? ne->entry : d, mnt ? real_mount(mnt) : NULL);
	return failed ? -EACCES : 0;
}

static __always_inline int decide(struct dentry *d, struct vfsmount *mnt, __u32 want, int exact,
				  __u8 hook)
{
	return decide_pre(d, mnt, want, hook | (exact ? EXACT : 0), NULL);
}

/* The configuration, when the policy has pending paths (objects appearing there are bound). */
static __always_inline struct vlsm_config *pending_config(void)
{
	__u32 zero = 0;
	struct vlsm_config *c = bpf_map_lookup_elem(&vm_config, &zero);

	return c && c->active && c->npending ? c : NULL;
}

/*
 * Is the new entry @entry in @dir a pending path of the policy (one that did
 * not exist at start)?  Then 1 with *pre its path key: a create there is
 * decided by that path's rules first, then by @dir's ancestors.  0: it is
 * not.  -1: that cannot be told, as this CPU's scratch key is held by a
 * program preempted while filling it (callers fail closed).
 */
static __noinline int pending_key(struct dentry *dir, struct dentry *entry, struct vlsm_key *pre)
{
	__u32 zero = 0;
	struct vlsm_key k;
	int r = -1;

	if (!dir || !entry || key_of(dir, &k) || !bpf_map_lookup_elem(&vm_pdirs, &k))
		return 0;
	struct pscratch *ps = bpf_map_lookup_elem(&vm_scratch, &zero);
	if (!ps || __sync_val_compare_and_swap(&ps->busy, 0, 1) != 0)
		return -1;
	struct vlsm_pkey *pk = &ps->pk;
	__builtin_memset(pk->name, 0, sizeof(pk->name));
	pk->dev = k.dev;
	pk->ino = k.ino;
	if (bpf_probe_read_kernel_str(pk->name, sizeof(pk->name),
				      BPF_CORE_READ(entry, d_name.name)) >= 0) {
		__u64 *g = bpf_map_lookup_elem(&vm_pending, pk);
		r = 0;
		if (g) {
			pre->dev = LSM_DEV_PATH;
			pre->ino = *g;
			pre->gen = 0;
			r = 1;
		}
	}
	ps->busy = 0;
	return r;
}

/* ---------------- the open cache ---------------- */

/*
 * Per inode, the last allowed open's answer and all that the walk behind
 * it depended on (docs/DESIGN.md, "The open cache").  An entry answers
 * only while every field matches; the lock keeps a reader from seeing
 * half of one entry and half of the next.
 */
struct ocache {
	struct bpf_spin_lock lock;
	__u32 rseq;    /* rename_lock's sequence (even): no dentry has moved since */
	__u64 gen;     /* vm_gen: no node has come or gone, no rename was asked for */
	__u64 dentry;  /* the file's dentry (an alias made later passes d_instantiate) */
	__u64 root;    /* the task's root directory */
	__u64 mnt;     /* the file's mount, which is the task's root mount */
	__u32 uid;     /* the subject */
	__u32 allowed; /* the bits decided allowed to @uid on @dentry */
};

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ocache);
} vm_ocache SEC(".maps");

/*
 * Counted up whenever a node comes or goes, or a rename is asked for:
 * the open cache's answers from before are not used.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vm_gen SEC(".maps");

/* Count vm_gen up. */
static __always_inline void gen_bump(void)
{
	__u32 zero = 0;
	__u64 *g = bpf_map_lookup_elem(&vm_gen, &zero);

	if (g)
		__sync_fetch_and_add(g, 1);
}

/*
 * Inode numbers whose open was allowed once, by a hash of the number: the
 * second allowed open of an inode gets an entry in vm_ocache, so that a
 * file opened once (tar, find) costs no allocation.  A collision or a
 * number overwritten only makes an entry come sooner or later.
 */
#define OSEEN_BITS 12

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << OSEEN_BITS);
	__type(key, __u32);
	__type(value, __u64);
} vm_oseen SEC(".maps");

/*
 * fs/dcache.c: its sequence moves on every d_move, the only way a dentry
 * gets another parent.  Weak: without it (no kallsyms) nothing is cached.
 */
extern const void rename_lock __ksym __weak;

/*
 * The reads of rename_lock before and after the walk rely on x86-64, which
 * does not reorder loads with loads (BPF has no read barrier).
 */
#ifdef __TARGET_ARCH_x86
#define OCACHE 1
#else
#define OCACHE 0
#endif

/* What an open's answer depends on, besides the policy and the file's inode. */
struct ostamp {
	__u64 gen, dentry, root, mnt;
	__u32 rseq, uid;
};

/* What must not have moved while the walk ran. */
struct opre {
	__u64 gen;
	__u32 rseq;
};

/*
 * Fill *@st for the current task's open of @file (the task is the
 * guest's: file_open checked): 1 when the cache can answer for it, else 0
 * (no rename_lock; a record to make or everything refused; a dentry moving
 * now; a file off the task's root mount, or whose inode is not its
 * dentry's, as on overlayfs).
 */
static __always_inline int ostamp_of(struct file *file, struct ostamp *st)
{
	__u32 zero = 0;
	const struct vlsm_config *c = bpf_map_lookup_elem(&vm_config, &zero);
	const __u64 *g = bpf_map_lookup_elem(&vm_gen, &zero);
	struct task_struct *task = bpf_get_current_task_btf();
	struct dentry *d = file->f_path.dentry;
	struct vfsmount *root_mnt = task->fs->root.mnt;

	if (!OCACHE || !c || !g || !c->active || c->audit_all || c->bind_full || c->bind_unsure ||
	    !&rename_lock || file->f_path.mnt != root_mnt || file->f_inode != d->d_inode)
		return 0;
	if (bpf_probe_read_kernel(&st->rseq, sizeof(st->rseq), &rename_lock) || (st->rseq & 1))
		return 0;
	st->gen = *(volatile const __u64 *)g;
	st->dentry = (__u64)d;
	st->root = (__u64)task->fs->root.dentry;
	st->mnt = (__u64)root_mnt;
	st->uid =
		map_id(task->cred->fsuid.val, c->uid_guest_first, c->uid_host_first, c->uid_count);
	return 1;
}

/* Was an open of inode number @ino allowed before?  Noted now if not. */
static __always_inline int oseen(__u64 ino)
{
	__u32 slot = (__u32)((ino * 0x9e3779b97f4a7c15ull) >> (64 - OSEEN_BITS));
	__u64 *seen = bpf_map_lookup_elem(&vm_oseen, &slot);

	if (!seen || *seen == ino + 1)
		return 1;
	*seen = ino + 1;
	return 0;
}

/* Does @o hold the answer for @st? */
static __always_inline int ocache_match(const struct ocache *o, const struct ostamp *st)
{
	return o->rseq == st->rseq && o->gen == st->gen && o->dentry == st->dentry &&
	       o->root == st->root && o->mnt == st->mnt && o->uid == st->uid;
}

/*
 * Can the cache answer the current task's open of @file for @want?  1: it
 * allows it.  0: it does not know, *@pre stamped (keep the walk's allow
 * with ocache_keep).  -1: it cannot hold this answer, or it is the
 * inode's first (vm_oseen).  A function of its own: its frame is not on
 * the stack while the walk runs.
 */
static __noinline int ocache_ask(struct file *file, __u32 want, struct opre *pre)
{
	struct ostamp st;

	if (!file || !ostamp_of(file, &st))
		return -1;
	pre->gen = st.gen;
	pre->rseq = st.rseq;
	struct ocache *o = bpf_inode_storage_get(&vm_ocache, file->f_inode, 0, 0);
	if (!o)
		return oseen(file->f_inode->i_ino) ? 0 : -1;
	bpf_spin_lock(&o->lock);
	int hit = ocache_match(o, &st) && !(want & ~o->allowed);
	bpf_spin_unlock(&o->lock);
	return hit;
}

/*
 * Keep the walk's allow of @want on @file, unless something it depended on
 * moved since *@pre was stamped (before the walk).
 */
static __noinline int ocache_keep(struct file *file, __u32 want, const struct opre *pre)
{
	struct ostamp st;

	if (!file || !ostamp_of(file, &st) || st.gen != pre->gen || st.rseq != pre->rseq)
		return 0;
	struct ocache *o =
		bpf_inode_storage_get(&vm_ocache, file->f_inode, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!o)
		return 0;
	bpf_spin_lock(&o->lock);
	if (ocache_match(o, &st)) {
		o->allowed |= want;
	} else {
		o->rseq = st.rseq;
		o->gen = st.gen;
		o->dentry = st.dentry;
		o->root = st.root;
		o->mnt = st.mnt;
		o->uid = st.uid;
		o->allowed = want;
	}
	bpf_spin_unlock(&o->lock);
	return 0;
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

static __always_inline int foreign_mem(struct file *file, __u32 want);

SEC("lsm/file_open")
int BPF_PROG(vmmsec_file_open, struct file *file, int ret)
{
	/* Every open on the machine comes here: the rest of it costs the guest only. */
	if (ret || !in_guest(bpf_get_current_task_btf()))
		return ret;
	__u32 flags = file->f_flags;
	__u32 mode = file->f_mode;
	bool exec = (flags & FMODE_EXEC) || (mode & FMODE_EXEC);
	__u32 want = exec ? LSM_R : want_from_open(flags);

	/* Only writes can reach another process's memory. */
	if (!exec && (want & (LSM_W | LSM_A)) && foreign_mem(file, want))
		return -EPERM;
	if (exec)
		return decide(file->f_path.dentry, file->f_path.mnt, want, 1, LSM_HOOK_EXEC_OPEN);
	struct opre pre;
	int c = ocache_ask(file, want, &pre);
	if (c > 0)
		return 0;
	int r = decide_pre(file->f_path.dentry, file->f_path.mnt, want,
			   LSM_HOOK_FILE_OPEN | EXACT | (c == 0 ? CACHE : 0), NULL);
	if (r <= 0)
		return r;
	ocache_keep(file, want, &pre);
	return 0;
}

SEC("lsm/bprm_check_security")
int BPF_PROG(vmmsec_bprm_check, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return ret;
	struct file *file = bprm->file;
	return decide(file->f_path.dentry, file->f_path.mnt, LSM_R, 1, LSM_HOOK_BPRM_CHECK);
}

SEC("lsm/path_truncate")
int BPF_PROG(vmmsec_path_truncate, const struct path *path, int ret)
{
	if (ret)
		return ret;
	return decide(path->dentry, path->mnt, LSM_W, 1, LSM_HOOK_PATH_TRUNCATE);
}

/*
 * ftruncate(2) asks file_truncate instead of path_truncate from Linux 6.2
 * on (the loader leaves this program out where the hook does not exist).
 * Without it an append-only fd could be cut short there.
 */
SEC("lsm/file_truncate")
int BPF_PROG(vmmsec_file_truncate, struct file *file, int ret)
{
	if (ret)
		return ret;
	return decide(file->f_path.dentry, file->f_path.mnt, LSM_W, 1, LSM_HOOK_FILE_TRUNCATE);
}

/*
 * A new entry @dentry in @dir: w on the directory, then w on the new object
 * as its path's rules (when it is a pending path) and its ancestors decide.
 */
static __always_inline int decide_create(const struct path *dir, struct dentry *dentry, __u8 hook)
{
	struct dentry *d = dir->dentry;
	struct vfsmount *mnt = dir->mnt;
	struct newent ne = {.entry = dentry};
	int r = decide(d, mnt, LSM_W, 1, hook);

	if (r)
		return r;
	int p = pending_key(d, dentry, &ne.pre);

	if (p <= 0)
		ne.pre.dev = p ? DEV_UNSURE : 0;
	return decide_pre(d, mnt, LSM_W, hook, &ne);
}

SEC("lsm/path_mknod")
int BPF_PROG(vmmsec_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode,
	     unsigned int dev, int ret)
{
	return ret ? ret : decide_create(dir, dentry, LSM_HOOK_PATH_MKNOD);
}

SEC("lsm/path_mkdir")
int BPF_PROG(vmmsec_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode,
	     int ret)
{
	return ret ? ret : decide_create(dir, dentry, LSM_HOOK_PATH_MKDIR);
}

SEC("lsm/path_symlink")
int BPF_PROG(vmmsec_path_symlink, const struct path *dir, struct dentry *dentry,
	     const char *old_name, int ret)
{
	return ret ? ret : decide_create(dir, dentry, LSM_HOOK_PATH_SYMLINK);
}

/* Removing an entry: w on the object, then w on its directory. */
static __always_inline int decide_remove(const struct path *dir, struct dentry *dentry, __u8 hook)
{
	struct vfsmount *mnt = dir->mnt;
	int r = decide(dentry, mnt, LSM_W, 1, hook);

	return r ? r : decide(dir->dentry, mnt, LSM_W, 1, hook);
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
	return decide(path->dentry, path->mnt, LSM_W, 1, LSM_HOOK_PATH_CHMOD);
}

SEC("lsm/path_chown")
int BPF_PROG(vmmsec_path_chown, const struct path *path, __u64 uid, __u64 gid, int ret)
{
	if (ret)
		return ret;
	return decide(path->dentry, path->mnt, LSM_W, 1, LSM_HOOK_PATH_CHOWN);
}

/* ---------------- no widening by rename or link (fsop.c widens()) ---------------- */

/* The state of a widening check, shared with its bpf_loop callback.  Plain addresses (see plain()). */
struct widen {
	__u64 obj, dst_dir; /* struct dentry */
	__u64 mnt;	    /* struct vfsmount: the object's, and its new directory's */
	struct vlsm_key okey;
	__u32 nsubjects;
	__u8 has_okey, default_deny, blp, shift;
	/* The first widening found (or WIDEN_UNSURE). */
	__u8 found, other;
	__u32 uid, bit, line;
};

/* The bits of w->want the walk (already run) leaves allowed: rules, `default`, Bell-LaPadula. */
static __always_inline __u32 settle(struct walk *w, __u8 default_deny)
{
	__u32 allowed = w->st.allowed;

#pragma unroll
	for (int i = 0; i < 3; i++) {
		__u32 bit = 1u << i;
		if ((w->st.want & bit) && !(w->st.decided & bit)) {
			w->st.line[i] = 0;
			if (!default_deny)
				allowed |= bit;
		}
	}
	if (w->st.blp) {
		int level = w->st.level == LSM_LEVEL_NONE ? 0 : w->st.level,
		    clearance = clearance_of(w->st.uid);
		if (level != LSM_LEVEL_EXEMPT) {
			if (clearance < level)
				allowed &= ~LSM_R;
			if (clearance > level)
				allowed &= ~(LSM_W | LSM_A);
		}
	}
	return allowed & w->st.want;
}

/* One level of widen_side's walk: step 0 is where it begins (exact rules when first_exact). */
static long side_step(__u32 idx, void *ctx)
{
	struct walk *w = ctx;

	return far_level(w, idx == 0 && w->st.first_exact);
}

#define WIDEN_DONE 0x100 /* widen_side: the walk ended */

/*
 * What @uid may do, of r, w and a, with the object as seen from @d (@exact:
 * @d is the object itself, else the directory it lands in, in x->mnt both),
 * walking with @w: rules, `default` and Bell-LaPadula, and WIDEN_DONE when
 * the walk ended (else nothing is known).  The deciding lines are left in
 * w->st.line.  With plain addresses, the walk reads every field with
 * helpers, as the far loop does past a mount root.
 */
static __always_inline __u32 widen_side(const struct widen *x, struct walk *w, __u64 d, __u32 uid,
					int exact)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct vfsmount *m = (const struct vfsmount *)x->mnt;

	__builtin_memset(w, 0, sizeof(*w));
	w->fd = (struct dentry *)d;
	w->fm = (struct mount *)(x->mnt - bpf_core_field_offset(struct mount, mnt));
	w->seg_root = BPF_CORE_READ(m, mnt_root);
	w->root_d = task->fs->root.dentry;
	w->root_mnt = task->fs->root.mnt;
	w->st.seg_dev = user_dev(BPF_CORE_READ(m, mnt_sb, s_dev));
	w->st.uid = uid;
	w->st.want = LSM_R | LSM_W | LSM_A;
	w->st.level = LSM_LEVEL_NONE;
	w->st.first_exact = (__u8)exact;
	w->st.blp = x->blp;
	w->st.shift = x->shift;
	/* The object's own rules travel with it; its new directories' rules apply above them. */
	if (!exact && x->has_okey)
		vmmsec_apply_key(&w->st, &x->okey);
	bpf_loop(LSM_MAX_DEPTH, side_step, w, 0);
	return w->done ? WIDEN_DONE | settle(w, x->default_deny) : 0;
}

/*
 * Subject vm_subjects[@idx]: may it, with the object where it lands, do
 * anything it may not where it is?  Then x->found and the rest set.  1 when
 * the scan is over.  Global, so verified once on its own: inline, the
 * rename hook's two widening checks, of two walks per subject each, took
 * Linux 7.3's verifier past its million instructions.  To the verifier @x
 * is plain memory: every address in it is a plain one (see plain()).
 */
__noinline int vmmsec_widen_subject(struct widen *x, __u32 idx)
{
	__u32 *uidp = bpf_map_lookup_elem(&vm_subjects, &idx);
	const __u32 all = LSM_R | LSM_W | LSM_A;
	struct walk w;

	if (!x || idx >= x->nsubjects || !uidp)
		return 1;
	__u32 uid = *uidp;
	/* Where a walk did not end, nothing is known to be allowed (fail closed). */
	__u32 r = widen_side(x, &w, x->obj, uid, 1);
	__u32 sa = r & WIDEN_DONE ? r & all : 0;
	__u32 sline[3] = {w.st.line[0], w.st.line[1], w.st.line[2]};
	r = widen_side(x, &w, x->dst_dir, uid, 0);
	__u32 wider = (r & WIDEN_DONE ? r & all : all) & ~sa;
	if (!wider)
		return 0;
	x->found = 1;
	x->uid = uid;
	x->other = idx + 1 == x->nsubjects;
	x->bit = wider & LSM_R ? LSM_R : wider & LSM_W ? LSM_W : LSM_A;
	x->line = x->bit == LSM_R ? sline[0] : x->bit == LSM_W ? sline[1] : sline[2];
	return 1;
}

/* One subject (bpf_loop wants 0 or 1 back, which a global function's result is not known to be). */
static long widen_step(__u32 idx, void *ctx)
{
	return vmmsec_widen_subject(ctx, idx) ? 1 : 0;
}

/* widen.found: the pending path the object lands on could not be looked up. */
#define WIDEN_UNSURE 2

/* Record the widening widens() found (x->found): -EACCES. */
static __noinline int widen_record(const struct widen *x, const struct vlsm_config *conf, __u8 hook)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct recbuf *s;
	struct vlsm_key k = {};
	int own;

	key_of((struct dentry *)x->obj, &k);
	struct vlsm_event *e = rec_start(&s, &own);
	if (!e) {
		bump_lost();
		return -EACCES;
	}
	e->dev = k.dev;
	e->ino = k.ino;
	host_tid(&e->host_tid, task, conf->host_level);
	guest_tid(&e->guest_tid, task);
	e->uid = map_id(task->cred->fsuid.val, conf->uid_guest_first, conf->uid_host_first,
			conf->uid_count);
	e->gid = map_id(task->cred->fsgid.val, conf->gid_guest_first, conf->gid_host_first,
			conf->gid_count);
	e->want = LSM_W;
	e->failed = LSM_W;
	e->line[0] = x->line;
	e->line[1] = 0;
	e->line[2] = 0;
	e->level = (__s32)x->uid;
	e->clearance = (__s32)x->bit;
	e->allow = 0;
	e->cause = x->found == WIDEN_UNSURE ? LSM_CAUSE_PENDING : LSM_CAUSE_WIDEN;
	e->hook = hook;
	e->pad = x->other;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	rec_send(e, s, own, (struct dentry *)x->obj, real_mount((struct vfsmount *)x->mnt));
	return -EACCES;
}

/*
 * Would @obj (in the mount @mnt), moved or linked into @dst_dir as @entry,
 * become accessible to a subject that may not access it where it is?  0
 * or -EACCES (recorded).
 */
static __noinline int widens(struct dentry *obj, struct vfsmount *mnt, struct dentry *dst_dir,
			     struct dentry *entry, __u8 hook)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 zero = 0;
	/* The configuration read in place, not copied: this frame is on a deep stack. */
	const struct vlsm_config *conf = bpf_map_lookup_elem(&vm_config, &zero);

	if (!obj || !mnt || !dst_dir || !conf || !conf->active ||
	    task->cred->user_ns->ns.inum != conf->userns_inum)
		return 0;
	struct widen x = {
		.obj = plain(obj),
		.dst_dir = plain(dst_dir),
		.mnt = plain(mnt),
		.nsubjects = conf->nsubjects,
		.default_deny = conf->default_deny,
		.blp = conf->blp,
		.shift = (__u8)conf->filter_shift,
	};
	/* Landing on a pending path: a bare object takes that path's rules. */
	x.has_okey = key_of(obj, &x.okey) == 0;
	if (!x.has_okey || !bpf_map_lookup_elem(&vm_nodes, &x.okey)) {
		int p = pending_key(dst_dir, entry, &x.okey);
		if (p < 0) {
			/* Its rules where it lands are not known: fail closed. */
			x.found = WIDEN_UNSURE;
			return widen_record(&x, conf, hook);
		}
		x.has_okey = p || x.has_okey;
	}
	bpf_loop(LSM_MAX_SUBJECTS, widen_step, &x, 0);
	if (!x.found)
		return 0;
	return widen_record(&x, conf, hook);
}

/* w on an existing entry and on its directory (the broker's decide_entry). */
static __always_inline int decide_entry(struct dentry *dentry, const struct path *dir, int dir_too,
					__u8 hook)
{
	struct vfsmount *mnt = dir->mnt;
	int r = decide(dentry, mnt, LSM_W, 1, hook);

	return r || !dir_too ? r : decide(dir->dentry, mnt, LSM_W, 1, hook);
}

static __noinline int bind_pending(struct dentry *dir, struct dentry *entry, struct inode *inode);

SEC("lsm/path_rename")
int BPF_PROG(vmmsec_path_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
	int r;

	if (ret)
		return ret;
	if ((r = decide_entry(old_dentry, old_dir, 1, LSM_HOOK_PATH_RENAME)))
		return r;
	/*
	 * With a helper: newer verifiers take a dentry's d_inode as never NULL
	 * ("no negative dentries where bpf can see them") and would drop the
	 * test, but the target of a rename often is one (Linux 6.12 then
	 * decided the new name as an existing object, its pending rule unseen).
	 */
	if (BPF_CORE_READ(new_dentry, d_inode))
		r = decide_entry(new_dentry, new_dir, 1, LSM_HOOK_PATH_RENAME);
	else
		r = decide_create(new_dir, new_dentry, LSM_HOOK_PATH_RENAME);
	if (r)
		return r;
	struct vfsmount *mnt = old_dir->mnt;
	if ((r = widens(old_dentry, mnt, new_dir->dentry, new_dentry, LSM_HOOK_PATH_RENAME)))
		return r;
	if (flags & RENAME_EXCHANGE)
		return widens(new_dentry, mnt, old_dir->dentry, old_dentry, LSM_HOOK_PATH_RENAME);
	/*
	 * Moved onto a pending path: bound now, before the kernel's own checks
	 * (no hook follows d_move).  If the rename still fails, the object
	 * keeps the path's rules where it is: by the widening check above they
	 * allow it nothing more than it had.
	 */
	return bind_pending(BPF_CORE_READ(new_dir, dentry), new_dentry,
			    BPF_CORE_READ(old_dentry, d_inode));
}

/*
 * Any rename on the machine, before it is decided: the open cache's
 * answers are then stale even if rename_lock's 32-bit sequence came
 * round to where it was (2^31 renames).  A program of its own, so that
 * the rename hook's verification does not grow.
 */
SEC("lsm/path_rename")
int BPF_PROG(vmmsec_rename_seen, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
	gen_bump();
	return ret;
}

SEC("lsm/path_link")
int BPF_PROG(vmmsec_path_link, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, int ret)
{
	int r;

	if (ret)
		return ret;
	if ((r = decide_entry(old_dentry, new_dir, 0, LSM_HOOK_PATH_LINK)) ||
	    (r = decide_create(new_dir, new_dentry, LSM_HOOK_PATH_LINK)))
		return r;
	return widens(old_dentry, new_dir->mnt, new_dir->dentry, new_dentry, LSM_HOOK_PATH_LINK);
}

/* ---------------- objects that appear at pending paths ---------------- */

/* @k's bit in vm_filter, set before @k goes into vm_nodes.  0, or -1: no such word. */
static __always_inline int set_filter(const struct vlsm_key *k, const struct vlsm_config *cfg)
{
	__u64 bit = vlsm_filter_bit(k->dev, k->ino, cfg->filter_shift);
	__u32 word = (__u32)(bit >> 6);
	__u64 *f = bpf_map_lookup_elem(&vm_filter, &word);

	if (!f)
		return -1;
	__sync_fetch_and_or(f, 1ull << (bit & 63));
	return 0;
}

/*
 * Bind @inode, now the entry @entry in @dir, to that path's rules when it
 * is a pending path of the policy, as the broker binds what appears
 * there.  A node the inode already has (an object of the policy) is kept.
 */
static __noinline int bind_pending(struct dentry *dir, struct dentry *entry, struct inode *inode)
{
	struct vlsm_config *cfg = pending_config();
	struct vlsm_key pre, k;

	if (!cfg || !inode || !dir || dir == entry)
		return 0;
	int p = pending_key(dir, entry, &pre);
	if (p < 0) {
		/* It may be at a pending path, and stays unbound: from now on all is refused. */
		cfg->bind_unsure = 1;
		return 0;
	}
	if (!p)
		return 0;
	const struct vlsm_node *pn = bpf_map_lookup_elem(&vm_nodes, &pre);
	if (!pn)
		return 0;
	struct vlsm_node n = *pn;
	n.alias = pre.ino + 1;
	k.dev = inode_dev(inode);
	k.ino = BPF_CORE_READ(inode, i_ino);
	k.gen = 0;
	if (bpf_map_lookup_elem(&vm_nodes, &k))
		return 0;
	gen_bump(); /* the open cache's answers may change */
	/*
	 * LSM_MAX_BOUND live bindings (a guest can make that many by moving
	 * what it made away), or no room: this object stays unbound, so from
	 * now on the guest is refused everything (fail closed).
	 */
	if (__sync_fetch_and_add(&cfg->nbound, 1) >= LSM_MAX_BOUND || set_filter(&k, cfg) < 0 ||
	    bpf_map_update_elem(&vm_nodes, &k, &n, BPF_NOEXIST) < 0) {
		__sync_fetch_and_add(&cfg->nbound, -1);
		cfg->bind_full = 1;
	}
	return 0;
}

/* A dentry gets its inode: a create (by anyone), a link, or a lookup after eviction. */
SEC("lsm/d_instantiate")
int BPF_PROG(vmmsec_d_instantiate, struct dentry *dentry, struct inode *inode)
{
	/* A new alias may sit where a freed one was: the entry no longer tells them apart. */
	if (inode)
		bpf_inode_storage_delete(&vm_ocache, inode);
	if (!pending_config())
		return 0;
	return bind_pending(BPF_CORE_READ(dentry, d_parent), dentry, inode);
}

/* The inode is gone: so is its binding (its number may be reused). */
SEC("lsm/inode_free_security")
int BPF_PROG(vmmsec_inode_free_security, struct inode *inode)
{
	struct vlsm_config *cfg = pending_config();
	struct vlsm_key k;

	if (!cfg || !cfg->nbound)
		return 0;
	k.dev = inode_dev(inode);
	k.ino = BPF_CORE_READ(inode, i_ino);
	k.gen = 0;
	const struct vlsm_node *n = bpf_map_lookup_elem(&vm_nodes, &k);
	if (!n || !n->alias)
		return 0;
	gen_bump(); /* the open cache's answers may change */
	if (bpf_map_delete_elem(&vm_nodes, &k) == 0)
		__sync_fetch_and_add(&cfg->nbound, -1);
	return 0;
}

/* ---------------- attributes and open files ---------------- */

/* No vfsmount here: the object's ancestors within its file system decide. */
SEC("lsm/inode_setxattr")
int BPF_PROG(vmmsec_inode_setxattr, void *idmap, struct dentry *dentry, const char *name,
	     const void *value, size_t size, int flags, int ret)
{
	return ret ? ret : decide(dentry, NULL, LSM_W, 1, LSM_HOOK_SETXATTR);
}

SEC("lsm/inode_removexattr")
int BPF_PROG(vmmsec_inode_removexattr, void *idmap, struct dentry *dentry, const char *name,
	     int ret)
{
	return ret ? ret : decide(dentry, NULL, LSM_W, 1, LSM_HOOK_REMOVEXATTR);
}

/* Clearing O_APPEND on a writable file would turn an append grant into w. */
SEC("lsm/file_fcntl")
int BPF_PROG(vmmsec_file_fcntl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	if (cmd != F_SETFL || (arg & O_APPEND) || !(file->f_flags & O_APPEND) ||
	    !(file->f_mode & FMODE_WRITE))
		return 0;
	return decide(file->f_path.dentry, file->f_path.mnt, LSM_W, 1, LSM_HOOK_FILE_FCNTL);
}

/*
 * fallocate through an O_APPEND file (a punched hole rewrites what is
 * there): w, as the broker decides.  The kernel asks file_permission(MAY_WRITE)
 * for writes too; the system call number tells them apart.
 */
SEC("lsm/file_permission")
int BPF_PROG(vmmsec_file_permission, struct file *file, int mask, int ret)
{
	if (ret)
		return ret;
	if (!(mask & 2 /* MAY_WRITE */) || !(file->f_flags & O_APPEND))
		return 0;
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (!regs || BPF_CORE_READ(regs, orig_ax) != NR_FALLOCATE)
		return 0;
	return decide(file->f_path.dentry, file->f_path.mnt, LSM_W, 1, LSM_HOOK_FALLOCATE);
}

#define FMODE_READ 0x1
#define FMODE_PATH 0x4000
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFIFO 0010000

/*
 * An open file passed in (SCM_RIGHTS, pidfd_getfd): the receiver must have
 * the access the file was opened with, as if it had opened it itself (r for
 * reading, w for writing, a for writing an O_APPEND file it cannot read).
 * Files no path names (pipes, sockets, memfds, anything on a kernel-internal
 * mount) and O_PATH files (a later open through /proc/self/fd is decided
 * then) are not decided.
 */
SEC("lsm/file_receive")
int BPF_PROG(vmmsec_file_receive, struct file *file, int ret)
{
	if (ret)
		return ret;
	__u32 mode = file->f_mode;
	__u32 type = file->f_inode->i_mode & S_IFMT;
	struct vfsmount *mnt = file->f_path.mnt;

	if ((mode & FMODE_PATH) || type == S_IFSOCK || type == S_IFIFO ||
	    (mnt->mnt_flags & 0x4000 /* MNT_INTERNAL */))
		return 0;
	__u32 want = mode & FMODE_READ ? LSM_R : 0;
	if (mode & FMODE_WRITE)
		want |= (file->f_flags & O_APPEND) && !(mode & FMODE_READ) ? LSM_A : LSM_W;
	return decide(file->f_path.dentry, mnt, want, 1, LSM_HOOK_FILE_RECEIVE);
}

/*
 * Writing another process's /proc/PID/mem is ptrace by another name: EPERM
 * (fsop.c foreign_mem).  The proc inode names the task by its struct pid.
 */
static __always_inline int foreign_mem(struct file *file, __u32 want)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	char name[4] = {};

	if (!(want & (LSM_W | LSM_A)) || BPF_CORE_READ(inode, i_sb, s_magic) != PROC_SUPER_MAGIC)
		return 0;
	bpf_probe_read_kernel_str(name, sizeof(name),
				  BPF_CORE_READ(file, f_path.dentry, d_name.name));
	if (name[0] != 'm' || name[1] != 'e' || name[2] != 'm' || name[3])
		return 0;
	struct proc_inode *pi =
		(struct proc_inode *)((char *)inode -
				      bpf_core_field_offset(struct proc_inode, vfs_inode));
	struct pid *pid = BPF_CORE_READ(pi, pid);
	struct hlist_node *first = BPF_CORE_READ(pid, tasks[0].first);
	if (!first)
		return 0;
	struct task_struct *t =
		(struct task_struct *)((char *)first -
				       bpf_core_field_offset(struct task_struct, pid_links));
	return BPF_CORE_READ(t, tgid) == (__s32)(bpf_get_current_pid_tgid() >> 32) ? 0 : -EPERM;
}

/* ---- syslog capture: who sends to the monitor's capture sockets ---- */

#define NR_CONNECT 42 /* x86_64, like NR_FALLOCATE */

/* The monitor's capture sockets, by sockfs inode number: LSM_CAPTURE_DGRAM or _STREAM. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LSM_MAX_CAPTURE);
	__type(key, __u64);
	__type(value, __u32);
} vm_capture SEC(".maps");

/*
 * Events wait here until the monitor reads their messages: one per
 * datagram in a capture socket's receive queue (net.unix.max_dgram_qlen
 * each), one per stream write not yet read.  Full: counted in vm_send_lost,
 * and those senders are read from /proc.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} vm_sends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vm_send_lost SEC(".maps");

/* Per guest thread: how many unix-socket sends it has begun. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} vm_serial SEC(".maps");

#define AF_UNIX 1
#define SOCK_STREAM 1

/* Connections made to the journal/stdout capture listener, by cookie. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LSM_MAX_CONNS);
	__type(key, __u64);
	__type(value, __u32);
} vm_conns SEC(".maps");

/* The sender's identity as it is now, into @e (the rest is the caller's). */
static __always_inline void fill_sender(struct vlsm_send *e, struct task_struct *task,
					__u32 host_level)
{
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);
	__u64 *serial = bpf_task_storage_get(&vm_serial, task, 0, 0);

	e->exe_dev = exe ? inode_dev(BPF_CORE_READ(exe, f_inode)) : 0;
	e->exe_ino = exe ? BPF_CORE_READ(exe, f_inode, i_ino) : 0;
	pid_nr_at(&e->host_tgid, BPF_CORE_READ(leader, thread_pid), host_level);
	host_tid(&e->host_tid, task, host_level);
	guest_tid(&e->guest_tgid, leader);
	e->uid = BPF_CORE_READ(task, cred, uid.val);
	e->gid = BPF_CORE_READ(task, cred, gid.val);
	e->serial = serial ? *serial : 0;
	BPF_CORE_READ_STR_INTO(&e->comm, leader, comm);
}

static __always_inline struct vlsm_send *reserve_send(void)
{
	struct vlsm_send *e = bpf_ringbuf_reserve(&vm_sends, sizeof(*e), 0);

	if (!e) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&vm_send_lost, &zero);
		if (n)
			__sync_fetch_and_add(n, 1);
	}
	return e;
}

/* The sockfs inode number of @sock's file. */
static __always_inline __u64 sock_ino(struct socket *sock)
{
	return sock ? BPF_CORE_READ((struct socket_alloc *)sock, vfs_inode.i_ino) : 0;
}

/*
 * A connection to the journal/stdout listener: the kernel asks with the
 * listener locked and cannot fail after.  @newsk is the monitor's end; its
 * cookie is what SO_COOKIE says on the fd accept(2) gives the monitor.
 * Every connection is noted, whoever makes it.
 */
SEC("lsm/unix_stream_connect")
int BPF_PROG(vmmsec_unix_stream_connect, struct sock *sock, struct sock *other, struct sock *newsk,
	     int ret)
{
	if (ret)
		return ret;
	__u64 ino = sock_ino(BPF_CORE_READ(other, sk_socket));
	__u32 *v = bpf_map_lookup_elem(&vm_capture, &ino);
	if (!v || *v != LSM_CAPTURE_STREAM)
		return 0;
	__u64 cookie = bpf_get_socket_cookie(newsk);
	__u32 one = 1;
	bpf_map_update_elem(&vm_conns, &cookie, &one, BPF_ANY); /* full: its writes go unnoted */
	return 0;
}

/*
 * Each datagram is one sock_sendmsg, whichever system call sends it
 * (sendmmsg: one per message), so a retry inside unix_dgram_sendmsg
 * keeps its serial and a new send gets a new one.
 */
SEC("lsm/socket_sendmsg")
int BPF_PROG(vmmsec_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vlsm_config conf;

	if (ret || BPF_CORE_READ(sock, sk, __sk_common.skc_family) != AF_UNIX ||
	    !guest_config(task, &conf))
		return ret;
	__u64 *n = bpf_task_storage_get(&vm_serial, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (n)
		*n += 1;
	/*
	 * A write to a journal/stdout connection: noted before any of its
	 * bytes are queued, so the monitor has the event when it reads them.
	 */
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (BPF_CORE_READ(sk, sk_type) != SOCK_STREAM)
		return 0;
	struct sock *peer = BPF_CORE_READ((struct unix_sock *)sk, peer);
	__u64 cookie = peer ? BPF_CORE_READ(peer, __sk_common.skc_cookie.counter) : 0;
	if (!cookie || !bpf_map_lookup_elem(&vm_conns, &cookie))
		return 0;
	struct vlsm_send *e = reserve_send();
	if (!e)
		return 0;
	e->sock_ino = 0;
	e->conn = cookie;
	e->len = size > 0 ? (__u64)size : 0;
	e->flags = 0;
	fill_sender(e, task, conf.host_level);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * A guest task sends a datagram to a capture socket.  The kernel asks this
 * hook in unix_dgram_sendmsg with the receiver's state lock held, and
 * queues the datagram under the same lock right after, unless the
 * receive queue is full (then it waits and asks again, or fails with
 * EAGAIN).  So the events of datagrams that get queued are in queue order.
 * An event that saw the queue full is flagged: it was usually for nothing
 * (the same serial comes again, or the sender gave up), but the monitor
 * may have made room before the kernel looked.  connect(2) asks too
 * (unix_dgram_connect) but queues nothing.
 */
SEC("lsm/unix_may_send")
int BPF_PROG(vmmsec_unix_may_send, struct socket *sock, struct socket *other, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vlsm_config conf;

	if (ret || !guest_config(task, &conf))
		return ret;
	__u64 ino = sock_ino(other);
	__u32 *v = bpf_map_lookup_elem(&vm_capture, &ino);
	if (!v || *v != LSM_CAPTURE_DGRAM)
		return 0;
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (!regs || BPF_CORE_READ(regs, orig_ax) == NR_CONNECT)
		return 0;
	struct sock *osk = BPF_CORE_READ(other, sk);
	__u32 full =
		BPF_CORE_READ(osk, sk_receive_queue.qlen) > BPF_CORE_READ(osk, sk_max_ack_backlog);
	struct vlsm_send *e = reserve_send();
	if (!e)
		return 0; /* the datagram still arrives; the monitor attributes it from /proc */
	e->sock_ino = ino;
	e->conn = 0;
	e->len = 0;
	e->flags = full ? LSM_SEND_FULL : 0;
	fill_sender(e, task, conf.host_level);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
