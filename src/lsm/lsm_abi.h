/* lsm_abi.h - layout shared by the BPF-LSM programs (vmmsec.bpf.c) and their loader (bpf.c). */
#ifndef VMMSEC_LSM_ABI_H
#define VMMSEC_LSM_ABI_H

/*
 * Included by BPF C (after vmlinux.h) and by userspace (after
 * <linux/types.h>): only __u8/__u16/__u32/__u64 and fixed layouts here.
 * The maps mirror struct policy_compiled (src/policy/internal.h): one node
 * per object, keyed like struct policy_key, and one uid cell per (object,
 * scope, uid).  Masks are POLICY_R/W/A request bits (1, 2, 4).
 */

#define LSM_R 0x1u
#define LSM_W 0x2u
#define LSM_A 0x4u
#define LSM_LEVEL_NONE (-2)
#define LSM_LEVEL_EXEMPT (-1)
#define LSM_MAX_DEPTH 2048   /* levels from an object up to the root looked at; deeper: refused */
#define LSM_MAX_NODES 262144 /* objects (and uid cells) a policy may bind */

struct vlsm_key {
	__u64 dev; /* st_dev as userspace sees it (new_encode_dev) */
	__u64 ino;
	__u64 gen; /* zero */
};

struct vlsm_cell {
	__u8 grant, deny, pad[2];
	__u32 grant_line[3], deny_line[3]; /* index: 0 = R, 1 = W, 2 = A */
};

/*
 * Scope 0: rules on the object itself; 1: on it and everything beneath it.
 * A node the programs add for an object that appeared at a pending path
 * (lsm/d_instantiate) is that path's node, with alias its group + 1: its
 * uid cells are the path's (LSM_DEV_PATH, group).
 */
struct vlsm_node {
	struct vlsm_cell any[2]; /* subject '*' */
	__s16 level[2];		 /* LSM_LEVEL_NONE, LSM_LEVEL_EXEMPT or 0..255 */
	__u32 nuid[2];		 /* uid cells at this scope */
	__u64 alias;		 /* 0, or the pending path's group + 1 */
};
#define LSM_MAX_BOUND 4096 /* objects bound at pending paths at once (room in vm_nodes) */

/*
 * vm_filter: a bit for every vm_nodes key (1 << (64 - shift) bits, shift
 * in vlsm_config.filter_shift).  A clear bit means no node, so the walk
 * skips the hash lookup for most directories; a set bit means look it up.
 * Every key put into vm_nodes has its bit set first, by the loader or by
 * the programs (bind_pending); bits are never cleared.
 */
#define LSM_FILTER_BITS_PER_NODE 16
#define LSM_FILTER_MIN_SHIFT 41 /* at most 1 << 23 bits (1 MiB) */
#define LSM_FILTER_MAX_SHIFT 48 /* at least 1 << 16 bits */
static inline __u64 vlsm_filter_bit(__u64 dev, __u64 ino, __u32 shift)
{
	return ((dev * 0x9e3779b97f4a7c15ull) ^ ino) * 0xbf58476d1ce4e5b9ull >> (shift & 63);
}

struct vlsm_ukey {
	struct vlsm_key key;
	__u32 uid;
	__u32 scope;
};

/*
 * A path of the policy that did not exist at start, whose directory did:
 * (directory, name) -> the path's node, keyed (LSM_DEV_PATH, group).
 */
#define LSM_NAME_MAX 255
#define LSM_DEV_PATH 0xffffffffffffffffull /* POLICY_DEV_PATH */
struct vlsm_pkey {
	__u64 dev, ino;		     /* the directory */
	char name[LSM_NAME_MAX + 1]; /* zero-padded */
};

struct vlsm_config {
	__u64 userns_inum;     /* the guest's user namespace (U2): only its tasks are checked */
	__u32 uid_guest_first; /* kernel uid -> guest uid: one extent */
	__u32 uid_host_first;
	__u32 uid_count;
	__u32 gid_guest_first;
	__u32 gid_host_first;
	__u32 gid_count;
	__u8 active; /* 0 until the maps are filled */
	__u8 default_deny, blp, audit_all;
	__u32 nsubjects;  /* vm_subjects entries: the policy's uids, then "another uid" */
	__u32 host_level; /* depth of vmmsec's pid namespace: host ids are read there */
	__u32 npending;	  /* vm_pending entries: objects appearing there are bound */
	/* Set by the programs; from then on, all is refused. */
	__u8 bind_full;	  /* LSM_MAX_BOUND bindings, and one more was refused */
	__u8 bind_unsure; /* an object appeared where a pending path's lookup could not be made */
	__u8 bind_pad[2];
	__u32 filter_shift; /* vm_filter has 1 << (64 - filter_shift) bits */
	__u64 nbound;	    /* objects bound at pending paths now (the programs count them) */
};

enum vlsm_hook {
	LSM_HOOK_FILE_OPEN = 1,
	LSM_HOOK_EXEC_OPEN, /* file_open of a file being executed (or its loader) */
	LSM_HOOK_BPRM_CHECK,
	LSM_HOOK_PATH_TRUNCATE,
	LSM_HOOK_PATH_UNLINK,
	LSM_HOOK_PATH_RMDIR,
	LSM_HOOK_PATH_MKDIR,
	LSM_HOOK_PATH_MKNOD,
	LSM_HOOK_PATH_SYMLINK,
	LSM_HOOK_PATH_LINK,
	LSM_HOOK_PATH_RENAME,
	LSM_HOOK_PATH_CHMOD,
	LSM_HOOK_PATH_CHOWN,
	LSM_HOOK_SETXATTR,
	LSM_HOOK_REMOVEXATTR,
	LSM_HOOK_FILE_FCNTL,
	LSM_HOOK_FALLOCATE,
	LSM_HOOK_FILE_RECEIVE,	/* an fd passed in (SCM_RIGHTS, pidfd_getfd) */
	LSM_HOOK_FILE_TRUNCATE, /* ftruncate(2) from Linux 6.2 (path_truncate before) */
	LSM_HOOK_MAX,
};

enum vlsm_cause {
	LSM_CAUSE_RULE = 1,
	LSM_CAUSE_DEFAULT,
	LSM_CAUSE_BLP,
	LSM_CAUSE_WIDEN, /* a rename or link would widen access: see vlsm_event */
	LSM_CAUSE_DEPTH, /* the root is more than LSM_MAX_DEPTH levels up: not checkable */
	LSM_CAUSE_MOUNT, /* xattr hooks: undecided at the root of a file system mounted below rules */
	LSM_CAUSE_BOUND,   /* vlsm_config.bind_full: an object at a pending path may be unbound */
	LSM_CAUSE_PENDING, /* whether an object is at a pending path could not be looked up */
};

#define LSM_MAX_SUBJECTS 1024 /* uids an access file may name, plus "another uid" */

/*
 * One decision, from the ring buffer: the object's path (the bytes before
 * the event, not NUL-terminated; see vlsm_event.path), then the event.
 * With LSM_CAUSE_WIDEN: want = failed = W, level is the subject whose
 * access would widen (pad = 1: "another uid") and line[0] the line that
 * refuses it the widened bit where the object is (0: default), clearance
 * the bit.
 */
#define LSM_PATH_MAX 4096 /* bytes of path a record carries: the path's tail when longer */

enum lsm_path_state {
	LSM_PATH_WHOLE = 0, /* from the task's root (or the root of a detached mount) */
	LSM_PATH_TAIL,	    /* longer than LSM_PATH_MAX or LSM_PATH_LEVELS: its last components */
	LSM_PATH_NONE,	    /* not known: no mount (xattr hooks), or the buffer was in use */
};
#define LSM_PATH_LEVELS 512 /* components a path walk takes at most */

struct vlsm_event {
	__u64 dev, ino;
	__u32 host_tid, guest_tid;
	__u32 uid, gid; /* fsuid/fsgid as the guest sees them */
	__u32 want;	/* requested bits */
	__u32 failed;	/* the denied bit, 0 if allowed */
	__u32 line[3];	/* deciding line per bit (0: default) */
	__s32 level, clearance;
	__u8 allow, cause, hook, pad;
	__u32 path; /* enum lsm_path_state */
	char comm[16];
};

/*
 * Syslog capture (docs/DESIGN.md section 12, "Syslog capture"): the
 * monitor's capture sockets, by sockfs inode number, in vm_capture (value:
 * LSM_CAPTURE_DGRAM or LSM_CAPTURE_STREAM, the journal/stdout listener);
 * lsm/unix_may_send records who sends a datagram to them, and
 * lsm/socket_sendmsg who writes to a connection made to the listener, at
 * the moment of sending, in the vm_sends ring buffer.
 */
#define LSM_MAX_CAPTURE 8
#define LSM_CAPTURE_DGRAM 1
#define LSM_CAPTURE_STREAM 2
#define LSM_MAX_CONNS 4096 /* stream connections known at once (vm_conns) */

/*
 * One datagram about to be queued on a capture socket, in queue order.
 * With LSM_SEND_FULL the queue was full when the hook ran: the kernel then
 * queues nothing and the sender asks again (the same serial) or gives up,
 * unless the monitor made room in between.
 */
#define LSM_SEND_FULL 0x1u
struct vlsm_send {
	__u64 sock_ino;		/* datagram: the receiving capture socket; 0 for a stream write */
	__u64 conn;		/* stream write: the connection (SO_COOKIE of the monitor's end) */
	__u64 len;		/* stream write: the bytes it asks to send */
	__u64 serial;		/* the sending thread's send count (socket_sendmsg), 0 unknown */
	__u64 exe_dev, exe_ino; /* the sender's executable (st_dev, st_ino), 0 without one */
	__u32 host_tgid;	/* process and thread ids as vmmsec sees them */
	__u32 host_tid;
	__u32 guest_tgid; /* the pid as the guest sees it */
	__u32 uid, gid;	  /* real ids, the kernel's (host) view */
	__u32 flags;	  /* LSM_SEND_* */
	char comm[16];	  /* the process's (thread-group leader's) comm */
};

#endif
