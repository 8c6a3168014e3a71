#!/usr/bin/env bash
# capture.sh - real syslog clients inside real guests: every message recorded, exact and attributed.
source "$(dirname "$0")/lib.sh"

# --- logger(1) ---
D=$T/logger
vrun "$D" -- logger -t lgtag -p local3.warning "hello from logger"
expect_eq "run exits with the guest's status" "$?" 0
got=$(jlog "$D" 'r = recs[0]; print(len(recs), r["comm"], r["exe"], r["transport"], r["socket"], r["tag"], r["facility"], r["severity"], r["message"], r["parsed"], r["uid"], r["gid"], r["sender_exited"])')
expect_eq "logger: one record, attributed by the monitor" "$got" \
	"1 logger /usr/bin/logger dgram /dev/log lgtag 19 4 hello from logger True 0 0 False"
got=$(jlog "$D" 'r = recs[0]; print(r["pid"] > 1, r["host_pid"] > 1, r["host_pid"] != r["pid"])')
expect_eq "logger: guest pid and host pid both recorded" "$got" "True True True"

# --- glibc syslog(3) from C ---
D=$T/libc
vrun "$D" -- "$CLIENTS/syslog3" -i cident -f 16 -p 3 "from syslog(3)"
got=$(jlog "$D" 'r = recs[0]; print(len(recs), r["comm"], r["exe"].endswith("/syslog3"), r["tag"], r["facility"], r["severity"], r["message"], r["syslog_pid"] is None or r["syslog_pid"].isdigit())')
expect_eq "syslog(3): tag, facility, severity, message" "$got" "1 syslog3 True cident 16 3 from syslog(3) True"

# --- python3 syslog module and logging.handlers.SysLogHandler ---
D=$T/py
vrun "$D" -- python3 -c '
import syslog, logging, logging.handlers
syslog.openlog("pyident", 0, syslog.LOG_DAEMON)
syslog.syslog(syslog.LOG_ERR, "from python syslog")
h = logging.handlers.SysLogHandler(address="/dev/log")
log = logging.getLogger("x"); log.addHandler(h)
log.warning("from SysLogHandler")
'
got=$(jlog "$D" 'print(len(recs)); print(recs[0]["tag"], recs[0]["facility"], recs[0]["severity"], recs[0]["message"], recs[0]["comm"]); print(recs[1]["message"], recs[1]["severity"], base64.b64decode(recs[1]["raw_b64"]))')
expect_eq "python3: syslog module and SysLogHandler both recorded" "$got" "2
pyident 3 3 from python syslog python3
from SysLogHandler 4 b'<12>from SysLogHandler\\x00'"

# --- shell: several messages, order per sender, both syslog sockets ---
D=$T/sh
vrun "$D" -- sh -c 'for i in 1 2 3 4 5; do logger "m$i"; done; logger -u /run/systemd/journal/dev-log via-journal-devlog'
got=$(jlog "$D" 'print(" ".join(r["message"] for r in recs)); print(recs[-1]["socket"])')
expect_eq "sh: messages in order, /run/systemd/journal/dev-log captured" "$got" "m1 m2 m3 m4 m5 via-journal-devlog
/run/systemd/journal/dev-log"

# --- uid/gid as the guest sees them ---
D=$T/uid
vrun "$D" --uid 1000 --gid 1001 -- logger "as 1000"
got=$(jlog "$D" 'r = recs[0]; print(r["uid"], r["gid"], r["claimed_uid"], r["claimed_gid"])')
expect_eq "--uid/--gid: the record has the guest's view of the ids" "$got" "1000 1001 1000 1001"
D=$T/setpriv
vrun "$D" -- setpriv --reuid 4242 --regid 4343 --clear-groups logger "dropped"
got=$(jlog "$D" 'r = recs[0]; print(r["uid"], r["gid"])')
expect_eq "a guest process that changed uid is attributed to its new uid" "$got" "4242 4343"
# A sender that changes uid, name and exe right after sending is named as it
# was when it sent: the monitor records what it sent before the change.
# (Without that, most of the 50 "before" datagrams get the later identity.)
for pol in none allow; do
	D=$T/swap-$pol
	P=()
	if [ $pol = allow ]; then printf 'r / *\n' >"$T/allow.acl" && P=(--policy "$T/allow.acl"); fi
	vrun "$D" "${P[@]}" -- "$CLIENTS/sendswap" 50
	got=$(jlog "$D" '
import collections
n = collections.Counter("%s %s %s" % (r["message"].split()[0], r["comm"], r["uid"]) for r in recs)
print(sorted(n.items()))')
	expect_eq "sendswap ($pol policy): each datagram names the sender as it was at sending" "$got" \
		"[('after swapped 1000', 50), ('before sendswap 0', 50)]"
done

# --- journald native protocol, several entries, memfd ---
if [ -x "$CLIENTS/journal_send" ]; then
	D=$T/journal
	vrun "$D" -- sh -c "$CLIENTS/journal_send text MESSAGE=native-text PRIORITY=3 SYSLOG_IDENTIFIER=jtag && $CLIENTS/journal_send multi 3 && $CLIENTS/journal_send memfd MESSAGE=via-memfd SYSLOG_IDENTIFIER=mtag"
	got=$(jlog "$D" 'print(" | ".join("%s %s %s %s %s" % (r["transport"], r.get("entry"), r["tag"], r["severity"], r["message"]) for r in recs))')
	expect_match "journald native: text entry, 3 entries in one datagram, memfd entry" "$got" \
		"^journal None jtag 3 native-text \| journal 0 .* \| journal 1 .* \| journal 2 .* \| journal None mtag .* via-memfd$"
	got=$(jlog "$D" 'print([(r["from_fd"], r["fd_unsealed"]) for r in recs])')
	expect_eq "journald native: sealed memfd entry flagged from_fd, not unsealed" "$got" \
		"[(False, False), (False, False), (False, False), (False, False), (True, False)]"
else
	not_ok "journald clients missing: $CLIENTS/journal_send"
fi

# --- journald stdout stream (systemd-cat protocol) ---
if [ -x "$CLIENTS/stream_send" ]; then
	D=$T/stream
	vrun "$D" -- "$CLIENTS/stream_send" -t streamtag "line one" "<3>line two"
	got=$(jlog "$D" 'print(" | ".join("%s %s %s %s %s" % (r["transport"], r["socket"], r["tag"], r["severity"], r["message"]) for r in recs))')
	expect_eq "journald stream: one record per line, header tag and <N> priority" "$got" \
		"stream /run/systemd/journal/stdout streamtag 6 line one | stream /run/systemd/journal/stdout streamtag 3 line two"
else
	not_ok "stream client missing: $CLIENTS/stream_send"
fi

# --- the real systemd-cat ---
if command -v systemd-cat >/dev/null; then
	D=$T/sdcat
	vrun "$D" -- sh -c 'printf "one\n<2>two" | systemd-cat -t sdcat -p warning'
	got=$(jlog "$D" 'print(" | ".join("%s %s %s %s %s" % (r["transport"], r["comm"], r["tag"], r["severity"], r["message"]) for r in recs))')
	expect_eq "systemd-cat: stream transport, tag, priorities; the writer (the cat it execs) owns even an unterminated last line" "$got" \
		"stream cat sdcat 4 one | stream cat sdcat 2 two"
else
	ok "# SKIP systemd-cat is not installed"
fi

# --- a guest syslog daemon still gets its copy ---
D=$T/busybox
out=$(vrun "$D" -- sh -c '
busybox syslogd -n -O /dev/shm/bb.log & pid=$!
# Probe until the daemon has bound /dev/log and writes what the monitor relays.
i=0; until grep -q probe /dev/shm/bb.log 2>/dev/null || [ $i -ge 5000 ]; do logger -t probe p; i=$((i+1)); done
logger -t bbtest "for the guest daemon"
i=0; until grep -q "for the guest daemon" /dev/shm/bb.log || [ $i -ge 100000 ]; do i=$((i+1)); done
cat /dev/shm/bb.log; kill $pid')
expect_match "busybox syslogd in the guest receives the message" "$out" "bbtest: for the guest daemon"
got=$(jlog "$D" 'print([r["message"] for r in recs if r["tag"] == "bbtest"])')
expect_eq "... and the monitor recorded it too" "$got" "['for the guest daemon']"

# --- rsyslogd in the guest binds /dev/log, chmods it, and still gets every message ---
cat >"$T/rs.conf" <<'RS'
module(load="imuxsock" SysSock.Use="on" SysSock.RateLimit.Interval="0")
global(workDirectory="/dev/shm")
*.* action(type="omfile" file="/dev/shm/rs.log")
RS
chmod 0644 "$T/rs.conf"
D=$T/rsyslogd
out=$(vrun "$D" -- sh -c "
rsyslogd -n -f $T/rs.conf -i /dev/shm/rs.pid & pid=\$!
i=0; until grep -q probe /dev/shm/rs.log 2>/dev/null || [ \$i -ge 5000 ]; do logger -t probe p; i=\$((i+1)); done
logger -t rstest 'for the guest rsyslogd'
i=0; until grep -q 'for the guest rsyslogd' /dev/shm/rs.log || [ \$i -ge 100000 ]; do i=\$((i+1)); done
grep rstest /dev/shm/rs.log; kill \$pid" 2>&1)
expect_match "rsyslogd in the guest receives the message" "$out" "rstest: for the guest rsyslogd"
got=$(jlog "$D" 'print([r["message"] for r in recs if r["tag"] == "rstest"])')
expect_eq "... and the monitor recorded it too" "$got" "['for the guest rsyslogd']"

# --- a daemon that binds /dev/log from a thread other than its main one ---
out=$(vrun "$T/tbind" -- python3 -c '
import socket, threading
res = {}
def t():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("/dev/log")
    res["s"] = s
th = threading.Thread(target=t); th.start(); th.join()
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"<13>via a thread", "/dev/log")
print(res["s"].recv(100))')
expect_eq "bind from a non-leader thread is emulated too" "$out" "b'<13>via a thread'"

# --- verify a real capture ---
out=$("$VMMSEC" verify "$T/logger"); rc=$?
expect_eq "verify: an untouched log is intact (exit 0)" "$rc" 0
expect_match "verify: one-line summary" "$out" "intact: 4 records, last seq 3, sealed by the final checkpoint"

# --- exit statuses and terminal-free stdio passthrough ---
vrun "$T/x1" -- sh -c 'exit 3'
expect_eq "exit status passes through" "$?" 3
vrun "$T/x2" -- sh -c 'kill -TERM $$'
expect_eq "death by signal N gives 128+N" "$?" 143
vrun "$T/x3" -- /nonexistent/cmd 2>/dev/null
expect_eq "command not found gives 127" "$?" 127
vrun "$T/x4" -- /etc 2>/dev/null
expect_eq "command not executable gives 126" "$?" 126
vrun "$T/x5" --uid abc -- true 2>/dev/null
expect_eq "vmmsec's own failure (bad option) gives 125" "$?" 125
got=$(printf 'in-and-out' | vrun "$T/x6" -- cat)
expect_eq "stdin and stdout pass through" "$got" "in-and-out"
got=$(jlog "$T/x2" 'print(recs[0]["exit_code"], recs[0]["signal"])' guest-exit)
expect_eq "guest-exit record carries the code and the signal" "$got" "143 15"

# --- every send-family call, connected or not ---
D=$T/variants
vrun "$D" -- "$CLIENTS/sendvariants" /dev/log
got=$(jlog "$D" 'print(" ".join(r["raw"][-1] for r in recs), set(r["comm"] for r in recs))')
expect_eq "sendto, send, sendmsg, sendmmsg (2), write, writev: all captured in order" "$got" "0 1 2 3 4 5 6 {'sendvariants'}"

# --- checkpoints by time while the guest is quiet ---
D=$T/ckpt
vrun "$D" --checkpoint-secs 1 -- sh -c 'logger before; sleep 3.5; logger after'
got=$("$VMMSEC" log "$D" --json | python3 -c '
import json, sys
kinds = [json.loads(l)["kind"] for l in sys.stdin]
i, j = kinds.index("syslog"), len(kinds) - 1 - kinds[::-1].index("syslog")
print(kinds[i:j].count("checkpoint") >= 1, kinds[-1])')
expect_eq "time-based checkpoint while the guest is quiet; final checkpoint last" "$got" "True checkpoint"

# --- vmmsec log --follow sees records as they are written, from before the log exists ---
D=$T/follow
mkdir "$D" && mkfifo "$T/go"
"$VMMSEC" log "$D" --follow >"$T/follow.out" &
fol=$!
vrun "$D" -- sh -c "logger first; read x < $T/go; logger second" &
run=$!
for i in $(seq 1 1000); do grep -q first "$T/follow.out" && break; sleep 0.01; done
echo go >"$T/go"
wait $run
for i in $(seq 1 1000); do grep -q "guest-exit" "$T/follow.out" && break; sleep 0.01; done
vrun "$D" -- logger third
for i in $(seq 1 1000); do [ "$(grep -c guest-exit "$T/follow.out")" -ge 2 ] && break; sleep 0.01; done
kill $fol 2>/dev/null; wait $fol 2>/dev/null
got=$(grep -o 'syslog.*\|guest-exit.*' "$T/follow.out" | sed 's/ status.*//; s/^syslog.*: //')
expect_eq "log --follow waits for the first log, prints new records, moves on to a new run" "$got" "first
second
guest-exit
third
guest-exit"

# --- many short-lived stream and datagram senders at once (exit trap closes streams) ---
D=$T/mix
vrun "$D" -- sh -c "for i in \$(seq 1 40); do $CLIENTS/stream_send -t s \"s\$i\" & logger \"l\$i\" & done; wait"
expect_eq "40 stream and 40 datagram senders, all short-lived: exit 0" "$?" 0
got=$(jlog "$D" 'import collections; c = collections.Counter(r["transport"] for r in recs); print(c["stream"], c["dgram"], sum(r["sender_exited"] for r in recs))')
expect_eq "... every message recorded, every sender attributed" "$got" "40 40 0"
