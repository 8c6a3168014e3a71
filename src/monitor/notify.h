/* notify.h - answer the guest's trapped system calls (seccomp user notification). */
#ifndef VMMSEC_MONITOR_NOTIFY_H
#define VMMSEC_MONITOR_NOTIFY_H

#include <linux/seccomp.h>

#include "guest/guest.h"
#include "monitor/relay.h"

struct monitor_notify;

/*
 * @drain runs when a guest thread is about to exit, exec, or take another
 * uid, gid or name (monitor_filter_is_identity_change), while it is still
 * what it was, so that what it sent is recorded with that identity.  An
 * error from it is returned by monitor_notify_handle (the call still
 * proceeds).
 */
int monitor_notify_new(struct monitor_notify **out, const struct guest *g, struct relay *relay,
		       int (*drain)(void *ctx), void *ctx);
void monitor_notify_free(struct monitor_notify *n);

/*
 * monitor_notify_handle - receive one notification and answer it.  Every
 * path answers (a trapped thread never hangs); anything unexpected is
 * refused with EPERM.  Returns 0, or -errno when the listener itself failed.
 */
int monitor_notify_handle(struct monitor_notify *n);

/*
 * monitor_notify_serve - answer @req, a notification another process (the
 * MAC broker) received from the same listener and forwarded.  Returns as
 * monitor_notify_handle.
 */
int monitor_notify_serve(struct monitor_notify *n, const struct seccomp_notif *req);

#endif
