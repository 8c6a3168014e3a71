#!/usr/bin/env bash
# unpriv.sh - vmmsec run by an ordinary user: one mapped id, same capture and guarantees.
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	ok "# SKIP needs root (to become an ordinary user with setpriv)"
	exit 0
fi
U=65534 # nobody
as_user() { setpriv --reuid=$U --regid=$U --clear-groups --inh-caps=-all "$@"; }
chown $U:$U "$T"

out=$(as_user "$VMMSEC" run --log "$T/ev" -- sh -c 'id -u; cat /proc/self/uid_map; logger -t unpriv hello'); rc=$?
expect_eq "an ordinary user runs a guest (exit 0)" "$rc" 0
expect_match "guest root is the caller's single uid" "$out" "^0
 +0 +0 +1$"
got=$(jlog "$T/ev" 'r = recs[0]; print(len(recs), r["tag"], r["message"], r["comm"], r["uid"], r["host_pid"] > 1)')
expect_eq "its syslog is captured and attributed" "$got" "1 unpriv hello logger 0 True"
got=$(stat -c %u "$(logfile "$T/ev")")
expect_eq "the evidence log belongs to the caller" "$got" "$U"

out=$(as_user "$VMMSEC" run --log "$T/ev2" --uid 1000 --gid 1000 -- sh -c 'id -u; id -g; logger as-1000')
expect_eq "--uid/--gid name the one mapped id" "$out" "1000
1000"
got=$(jlog "$T/ev2" 'r = recs[0]; print(r["uid"], r["gid"])')
expect_eq "... and the record shows the guest's view of it" "$got" "1000 1000"

out=$(as_user "$VMMSEC" run --log "$T/ev3" -- python3 -c "$PYERR"'
print("rm /dev/log", e(libc.unlink(b"/dev/log")))
print("mount", e(libc.mount(b"none", b"/dev", b"tmpfs", 0, None)))
print("log dir", os.listdir("'"$T/ev3"'"))
')
expect_eq "the same walls hold: read-only sockets, no mounts, hidden log" "$out" "rm /dev/log EROFS
mount EPERM
log dir []"

out=$(as_user "$VMMSEC" verify "$T/ev"); rc=$?
expect_match "the caller can verify its own log" "$rc $out" "^0 .*intact"
