#!/usr/bin/env bash
# adversarial.sh - a hostile guest root attacks capture: exact errnos, exact bytes, no loss.
source "$(dirname "$0")/lib.sh"

# --- guest root deletes /dev/log and binds its own, then logs ---
D=$T/rebind
out=$(vrun "$D" -- python3 -c "$PYERR"'
import socket
try:
    os.unlink("/dev/log"); print("unlink ok")
except OSError as x: print("unlink", errno.errorcode[x.errno])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log"); print("bind ok")
c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
c.sendto(b"<13>attacker-owned?", "/dev/log")
print("own socket got", s.recv(100))
')
expect_eq "unlink /dev/log fails EROFS; the attacker's bind gets a relay copy" "$out" "unlink EROFS
bind ok
own socket got b'<13>attacker-owned?'"
got=$(jlog "$D" 'print([r["raw"] for r in recs])')
expect_eq "... and the monitor recorded the message" "$got" "['<13>attacker-owned?']"

# --- mounts over /dev and /run, new namespaces ---
out=$(vrun "$T/mnt" -- python3 -c "$PYERR"'
print("mount /dev", e(libc.mount(b"none", b"/dev", b"tmpfs", 0, None)))
print("mount /run", e(libc.mount(b"none", b"/run/systemd/journal", b"tmpfs", 0, None)))
print("bind over /dev/log", e(libc.mount(b"/tmp", b"/dev/log", None, 4096, None)))
print("umount /dev", e(libc.umount2(b"/dev", 2)))
print("unshare NEWNS", e(libc.unshare(0x00020000)))
print("unshare NEWUSER", e(libc.unshare(0x10000000)))
print("clone3", e(libc.syscall(435, None, 0)))
print("setns", e(libc.setns(0, 0)))
print("TIOCSTI", e(libc.ioctl(0, 0x5412, b"x")))
print("chroot", e(libc.chroot(b"/tmp")))
print("pivot_root", e(libc.syscall(155, b"/tmp", b"/tmp")))
')
expect_eq "guest root cannot change mounts, root or namespaces" "$out" "mount /dev EPERM
mount /run EPERM
bind over /dev/log EPERM
umount /dev EPERM
unshare NEWNS EPERM
unshare NEWUSER EPERM
clone3 ENOSYS
setns EPERM
TIOCSTI EPERM
chroot EPERM
pivot_root EPERM"
got=$(vrun "$T/mnt2" -- sh -c 'ls -A '"$T/mnt2"' | wc -l')
expect_eq "the evidence log directory is hidden inside the guest" "$got" 0

# --- chmod: a no-op on the capture sockets, the kernel's answer elsewhere ---
out=$(vrun "$T/chmod" -- python3 -c "$PYERR"'
import stat
open("/dev/shm/f", "w").close()
print("chmod /dev/log", e(libc.chmod(b"/dev/log", 0o600)), oct(stat.S_IMODE(os.stat("/dev/log").st_mode)))
print("chmod file", e(libc.chmod(b"/dev/shm/f", 0o600)), oct(stat.S_IMODE(os.stat("/dev/shm/f").st_mode)))
print("chmod missing", e(libc.chmod(b"/dev/shm/none", 0o600)))
d = os.open("/run/systemd/journal", os.O_RDONLY)
print("fchmodat socket", e(libc.fchmodat(d, b"socket", 0o600, 0)))
')
expect_eq "chmod of a capture socket succeeds without effect; other paths keep kernel semantics" "$out" "chmod /dev/log ok 0o777
chmod file ok 0o600
chmod missing ENOENT
fchmodat socket ok"

# --- forged SCM_CREDENTIALS ---
D=$T/forge
out=$(vrun "$D" -- sh -c "$CLIENTS/credforge /dev/log 1 0 0 forged-pid; echo rc=\$?; sh -c 'exec $CLIENTS/credforge /dev/log \$\$ 1234 5678 forged-uid'; echo rc=\$?" 2>&1)
expect_match "a guest cannot claim another pid (EPERM), only its own" "$out" "EPERM.*rc=3.*rc=0"
got=$(jlog "$D" 'r = [x for x in recs if "forged-uid" in x["message"]][0]; print(r["uid"], r["gid"], r["claimed_uid"], r["claimed_gid"])')
expect_eq "a claimed uid/gid is recorded beside the true one" "$got" "0 0 1234 5678"

# --- io_uring ---
if [ -x "$CLIENTS/uring_send" ]; then
	D=$T/uring
	vrun "$D" -- sh -c "$CLIENTS/uring_send /dev/log '<14>via io_uring sendmsg' && $CLIENTS/uring_send -c /dev/log '<14>via io_uring connect+send'"
	got=$(jlog "$D" 'print([(r["raw"], r["comm"]) for r in recs])')
	expect_eq "io_uring sends are captured and attributed" "$got" \
		"[('<14>via io_uring sendmsg', 'uring_send'), ('<14>via io_uring connect+send', 'uring_send')]"
else
	not_ok "io_uring client missing"
fi

# --- malformed bytes: NUL, invalid UTF-8, 64 KiB ---
if [ -x "$CLIENTS/rawsend" ]; then
	D=$T/raw
	vrun "$D" -- "$CLIENTS/rawsend" /dev/log hex:3c31333e610062 hex:3c31333ec0af hex:ff rep:65536:41 hex:
	got=$(jlog "$D" '
for r in recs:
    b = base64.b64decode(r["raw_b64"]) if "raw_b64" in r else r["raw"].encode()
    print(len(b), b[:8].hex(), r["parsed"])')
	expect_eq "NUL, invalid UTF-8, 64 KiB and empty messages are kept byte-exact" "$got" "7 3c31333e610062 False
6 3c31333ec0af False
1 ff False
65536 4141414141414141 False
0  False"
else
	not_ok "rawsend client missing"
fi

# --- an unsealed memfd rewritten after sending: the record says it could be ---
D=$T/memfd
vrun "$D" -- "$CLIENTS/journal_send" memfd-race >/dev/null
got=$(jlog "$D" 'r = recs[0]; print(len(recs), r["from_fd"], r["fd_unsealed"], r["message"] in ("original", "changed"))')
expect_eq "an unsealed journald memfd is snapshotted once and flagged fd_unsealed" "$got" "1 True True True"

# --- i386 and x32 system calls ---
# Where the kernel runs i386 code natively, the filter must kill it (SIGSYS);
# where ia32 emulation is off, the CPU faults first and the guest fares the same.
native=$("$CLIENTS/int80" 2>/dev/null); nrc=$?
gout=$(vrun "$T/i386" -- "$CLIENTS/int80" 2>/dev/null); grc=$?
if [ "$nrc" -eq 0 ]; then want=159; else want=$((nrc)); fi
expect_eq "an i386 system call never completes in the guest (native: ${native:-status $nrc})" "$grc:$gout" "$want:"
gout=$(vrun "$T/x32" -- "$CLIENTS/int80" x32 2>/dev/null); grc=$?
expect_eq "an x32 system call kills the process (SIGSYS: 128+31)" "$grc:$gout" "159:"

# --- kill(0, SIGKILL) reaches the guest's process group only ---
out=$(vrun "$T/pgrp" -- sh -c 'kill -9 0'; echo "rc=$?")
expect_eq "kill(0) inside the guest kills the guest, not the monitor" "$out" "rc=137"
out=$("$VMMSEC" verify "$T/pgrp"); rc=$?
expect_match "... which still seals its log" "$rc $out" "^0 .*sealed by the final checkpoint"

# --- the monitor is invisible ---
out=$(vrun "$T/ps" -- sh -c 'ls /proc | grep -c "^[0-9]"')
expect_match "the guest sees only its own processes" "$out" "^[2-6]$"

# --- flood: 8 processes x 100k messages, every one recorded exactly once ---
D=$T/flood
out=$(vrun "$D" -- "$CLIENTS/flood" -p 8 -n 100000); rc=$?
expect_eq "flood: 8x100k sent" "$rc" 0
got=$("$VMMSEC" log "$D" --json --kind syslog | python3 -c '
import json, sys, re, collections
seen = collections.Counter()
for l in sys.stdin:
    m = re.search(r"flood p=(\d+) n=(\d+)", json.loads(l)["raw"])
    seen[(int(m.group(1)), int(m.group(2)))] += 1
print(len(seen), sum(seen.values()), max(seen.values()), all(seen[(p, n)] == 1 for p in range(8) for n in range(100000)))')
expect_eq "flood: 800000 distinct messages, each exactly once" "$got" "800000 800000 1 True"
got=$("$VMMSEC" log "$D" --kind lost | wc -l)
expect_eq "flood: no lost records" "$got" 0
"$VMMSEC" verify "$D" >/dev/null
expect_eq "flood: log verifies" "$?" 0

# --- a flood while the guest runs its own syslogd: the daemon gets every message too ---
D=$T/relayflood
out=$(vrun "$D" -- sh -c "
busybox syslogd -n -S -O /dev/shm/bb.log & pid=\$!
i=0; until grep -q probe /dev/shm/bb.log 2>/dev/null || [ \$i -ge 5000 ]; do logger -t probe p; i=\$((i+1)); done
$CLIENTS/flood -p 2 -n 20000 >/dev/null
i=0; until [ \$(grep -c 'flood p=' /dev/shm/bb.log) -ge 40000 ] || [ \$i -ge 600 ]; do sleep 0.1; i=\$((i+1)); done
grep -c 'flood p=' /dev/shm/bb.log; kill \$pid" 2>&1)
expect_eq "flood through the relay: the guest's syslogd received all 40000" "$out" 40000
got=$("$VMMSEC" log "$D" --json --kind syslog | grep -c 'flood p=')
expect_eq "... and the monitor recorded all 40000" "$got" 40000

# --- a guest "daemon" that binds /dev/log and never reads cannot hold capture up ---
D=$T/stuck
out=$(vrun "$D" -- python3 -c '
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind("/dev/log")
c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for i in range(3000): c.sendto(b"<13>stuck %d " % i + b"x" * 4000, "/dev/log")
print("sent")'); rc=$?
expect_eq "a stuck guest daemon is cut off; its senders finish (exit 0)" "$rc $out" "0 sent"
got=$("$VMMSEC" log "$D" --json --kind syslog | grep -c '"stuck ')
expect_eq "... every message is in the evidence log" "$got" 3000
got=$(jlog "$D" 'print(len(recs), recs[0]["count"] > 0, "did not take" in recs[0]["reason"])' lost)
expect_eq "... and the copies it never got are a lost record with a count" "$got" "1 True True"

# --- kill -9 of the monitor mid-flood ---
D=$T/crash
"$VMMSEC" run --log "$D" -- "$CLIENTS/flood" -p 4 -n 1000000 >/dev/null 2>&1 &
mon=$!
# Wait until the flood is being recorded (the log grows past 1 MB), then kill.
for i in $(seq 1 2000); do
	f=$(ls "$D"/*.evl 2>/dev/null | head -1)
	[ -n "$f" ] && [ "$(stat -c %s "$f")" -gt 1000000 ] && break
	sleep 0.01
done
kill -9 $mon
wait $mon 2>/dev/null
# Every guest process dies with the monitor: none may be left (ppid chain gone).
left=1
for i in $(seq 1 500); do
	pgrep -f "$CLIENTS/flood -p 4 -n 1000000" >/dev/null || { left=0; break; }
	sleep 0.01
done
expect_eq "kill -9 of the monitor: the whole guest is gone" "$left" 0
out=$("$VMMSEC" verify "$D"); rc=$?
expect_match "kill -9 of the monitor: the log verifies to its last complete record" "$rc $out" "^0 .*NOT finally sealed"

# --- the evidence log cannot be written: fail closed ---
if [ "$(id -u)" -eq 0 ]; then
	mkdir "$T/small" && mount -t tmpfs -o size=256k tmpfs "$T/small"
	out=$(vrun "$T/small/ev" -- "$CLIENTS/flood" -p 1 -n 100000 2>&1 >/dev/null); rc=$?
	umount "$T/small"
	expect_match "a full evidence disk kills the guest and exits 125" "$rc $out" \
		"^125 vmmsec: cannot record the guest \(it was killed\): No space left on device"
else
	ok "# SKIP full-disk test needs root to mount a small tmpfs"
fi

# --- a kernel without what vmmsec needs: found by trying, named, exit 125 ---
for sc in pidfd_getfd openat2 pidfd_open; do
	out=$("$TOOLS/nosys" "$sc" -- "$VMMSEC" run --log "$T/nosys" -- true 2>&1); rc=$?
	expect_match "without $sc: exit 125 naming it, with a hint" "$rc $out" \
		"^125 vmmsec: cannot run a guest: this kernel lacks $sc\(2\): Function not implemented.*hint: vmmsec needs Linux 5.6"
done
out=$("$TOOLS/nosys" seccomp -- "$VMMSEC" run --log "$T/nosys" -- true 2>&1); rc=$?
expect_match "without seccomp user notification: exit 125 naming it" "$rc $out" \
	"^125 vmmsec: cannot run a guest: this kernel lacks seccomp user notification"
