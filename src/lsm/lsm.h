/* lsm.h - the BPF-LSM backend: the compiled access file enforced in the kernel's security hooks. */
#ifndef VMMSEC_LSM_H
#define VMMSEC_LSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "guest/guest.h"
#include "mac/mac.h"
#include "policy/policy.h"

/*
 * With --backend lsm the decisions are made in the kernel, by BPF-LSM
 * programs (src/lsm/vmmsec.bpf.c) whose maps mirror struct policy_compiled
 * (policy_export).  Only tasks in the guest's user namespace (U2) are
 * checked.  The programs, maps and links belong to this process's fds
 * alone (nothing is pinned): when vmmsec exits or dies they are gone.
 * Decisions reach the monitor through a BPF ring buffer.  docs/DESIGN.md
 * section 12.
 */

struct lsm_bpf;

/*
 * lsm_bpf_probe - can this kernel run BPF-LSM programs here?  Loads and
 * attaches a trivial lsm/file_open program, then removes it.  Returns 0,
 * or -errno with @msg (@len bytes) saying what is missing and how to get it.
 */
int lsm_bpf_probe(char *msg, size_t len);

/*
 * lsm_bpf_compile - resolve the paths of @p as the guest whose command is
 * @pid sees them (through /proc/PID/root, RESOLVE_IN_ROOT, as the host's
 * root) and compile it.  Returns as policy_compile.
 */
int lsm_bpf_compile(const struct policy *p, pid_t pid, struct policy_compiled **out,
		    struct policy_errors *errs);

/*
 * lsm_bpf_start - load the programs, fill their maps from @c (NULL: no
 * rules, everything allowed) for the guest @g (its command @g->cmd_host_pid
 * must be alive: its user namespace is the scope), and attach them.
 * @audit_all: record allows too.  Returns 0, or -errno with @msg filled.
 */
int lsm_bpf_start(const struct policy_compiled *c, const struct guest *g, bool audit_all,
		  struct lsm_bpf **out, char *msg, size_t len);
/* The fd to poll for lsm_bpf_consume. */
int lsm_bpf_fd(const struct lsm_bpf *b);

typedef int (*lsm_bpf_record_fn)(void *ctx, const struct mac_access *a);
/*
 * lsm_bpf_consume - hand every queued decision to @fn as an access record
 * (its strings live until @fn returns).  Returns the number of records, or
 * -errno (@fn's negative return stops it and is returned).
 */
int lsm_bpf_consume(struct lsm_bpf *b, lsm_bpf_record_fn fn, void *ctx);
/* Decisions the ring buffer had no room for since the last call. */
uint64_t lsm_bpf_take_lost(struct lsm_bpf *b);
/* Detach and unload everything (no-op for NULL). */
void lsm_bpf_free(struct lsm_bpf *b);

#endif
