#!/usr/bin/env bash
# wall.sh - the broker performs the guest's file operations behind the policy's Landlock wall: what it stops when the broker is wrong.
#
# build/tests/fault/vmmsec-allows is vmmsec with a broker whose every
# decision allows (VMMSEC_FAULT_BROKER_ALLOWS; built for this test only).
# Under a default-deny access file the wall must still refuse, with EACCES
# and a `reason=landlock` record, every operation the file grants nobody:
# opens for reading and writing, creates, O_TMPFILE, mkdir, mknod, symlink,
# unlink, rename and link in and out, truncate, a FIFO, bind of a socket. With --no-landlock
# the same broken broker lets them all through, which shows the refusals
# are the wall's. The real broker refuses the same operations by its
# rules, and the wall never has to (no `landlock` record).
source "$(dirname "$0")/lib.sh"

export LC_ALL=C
# The broken build next to the vmmsec under test (build/, build-asan/...).
FAULT=$(dirname "$VMMSEC")/tests/fault/vmmsec-allows

ABI=$(python3 -c 'import ctypes
print(max(ctypes.CDLL(None).syscall(444, None, 0, 1), 0))')
if [ "$ABI" -lt 2 ]; then
	ok "# SKIP the kernel's Landlock ABI is $ABI (the wall needs 2)"
	exit 0
fi
if [ ! -x "$FAULT" ]; then
	not_ok "$FAULT missing (make tests builds it)"
	exit 0
fi

W=$T/work # granted rw
O=$T/out  # granted nothing

{ echo "$PYOPS"; cat <<'EOF'; } >"$T/ops.py"
import socket
W, O = sys.argv[1:3]
def wr(p, flags=os.O_WRONLY | os.O_CREAT | os.O_TRUNC):
    os.close(os.open(p, flags, 0o644))
t("read", lambda: open(O + "/secret").read().strip())
t("read dir", lambda: os.close(os.open(O, os.O_RDONLY | os.O_DIRECTORY)))
t("write", lambda: wr(O + "/secret", os.O_WRONLY))
t("append", lambda: wr(O + "/secret", os.O_WRONLY | os.O_APPEND))
t("create", lambda: wr(O + "/new"))
t("tmpfile", lambda: wr(O, os.O_TMPFILE | os.O_WRONLY))
t("mkdir", lambda: os.mkdir(O + "/d"))
t("mkfifo", lambda: os.mkfifo(O + "/f"))
t("symlink", lambda: os.symlink("secret", O + "/s"))
t("truncate", lambda: os.truncate(O + "/secret", 1))
t("fifo", lambda: os.close(os.open(O + "/fifo", os.O_RDWR)))
t("rename in", lambda: os.rename(O + "/mv", W + "/mv"))
t("rename out", lambda: os.rename(W + "/a", O + "/a"))
t("link out", lambda: os.link(W + "/l", O + "/b"))
t("unlink", lambda: os.unlink(O + "/rm"))
t("bind", lambda: socket.socket(socket.AF_UNIX).bind(O + "/sock"))
t("inside", lambda: wr(W + "/c"))
EOF

{
	dd_system
	echo "rw $W/ *"
	echo "r $T/ops.py *"
} >"$T/dd.acl"

fresh() {
	rm -rf "$W" "$O" && mkdir -p "$W" "$O" && chmod 0777 "$W" "$O" &&
		printf 'secret\n' >"$O/secret" && chmod 0666 "$O/secret" &&
		touch "$O/mv" "$O/rm" "$W/a" "$W/l" && chmod 0666 "$O/mv" "$O/rm" "$W/a" "$W/l" && mkfifo -m 0666 "$O/fifo"
}

# ops LOGDIR CMD...: the operations' results under `CMD... --log LOGDIR --policy ...`
# (CMD: VMMSEC run [options], possibly behind setpriv), then the status.  -P keeps the
# script's directory, which the policy does not grant, out of the module search.
ops() {
	local dir=$1
	shift
	fresh
	"$@" --log "$dir" --policy "$T/dd.acl" -- python3 -B -P "$T/ops.py" "$W" "$O" 2>&1
	echo "status=$?"
}
# reasons LOGDIR: "SYSCALL ACCESS PATH REASON" of every deny record, in order.
reasons() {
	jlog "$1" 'for r in recs:
	if r["decision"] == "deny": print(r["syscall"], r["access"], r["path"], r["reason"])' access
}

refused="read EACCES
read dir EACCES
write EACCES
append EACCES
create EACCES
tmpfile EACCES
mkdir EACCES
mkfifo EACCES
symlink EACCES
truncate EACCES
fifo EACCES"
moves="rename in EACCES
rename out EACCES
link out EACCES
unlink EACCES
bind EACCES
inside ok
status=0"

out=$(ops "$T/ev-fault" "$FAULT" run)
expect_eq "a broken broker behind the wall: every operation outside the grants refused" \
	"$out" "$refused
$moves"
expect_eq "... each refusal the wall's, recorded as such" "$(reasons "$T/ev-fault")" \
	"openat r $O/secret landlock
openat r $O landlock
openat w $O/secret landlock
openat a $O/secret landlock
openat w $O/new landlock
openat w $O landlock
mkdir w $O/d landlock
mknodat w $O/f landlock
symlink w $O/s landlock
truncate w $O/secret landlock
openat rw $O/fifo landlock
rename w $W/mv landlock
rename w $O/a landlock
link w $O/b landlock
unlink w $O/rm landlock
bind w $O/sock landlock"

out=$(ops "$T/ev-fault-off" "$FAULT" run --no-landlock)
expect_eq "the same broken broker without the wall lets them all through" "$out" \
	"read secret
read dir ok
write ok
append ok
create ok
tmpfile ok
mkdir ok
mkfifo ok
symlink ok
truncate ok
fifo ok
rename in ok
rename out ok
link out ok
unlink ok
bind ok
inside ok
status=0"

out=$(ops "$T/ev-real" "$VMMSEC" run)
expect_eq "the real broker refuses the same by its rules" "$out" "$refused
$moves"
expect_eq "... and the wall never has to" \
	"$(reasons "$T/ev-real" | awk '{ print $NF }' | sort | uniq -c | awk '{ print $2 }')" "default"

# An ordinary user's vmmsec: its broker walls itself the same way (no_new_privs, no root).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	mkdir "$T/ul" && chown 65534:65534 "$T/ul"
	out=$(ops "$T/ul/ev" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$FAULT" run)
	expect_eq "unprivileged: the broken broker's wall holds too" "$out" "$refused
$moves"
else
	ok "# SKIP unprivileged case needs root and setpriv"
fi

# Where the wall is stricter than the policy: it ignores deny rules, so a file moved
# from a w-only directory into an rw one below a -r rule gains READ_FILE in the
# wall's eyes (not in the policy's). Landlock answers EXDEV (its refer right);
# mv(1) would copy instead. Recorded as the wall's refusal.
mkdir -p "$T/wo" "$T/rw/x" && chmod 0777 "$T/wo" "$T/rw/x" && touch "$T/wo/f" && chmod 0666 "$T/wo/f"
{
	dd_system
	echo "w $T/wo/ *"
	echo "rw $T/rw/ *"
	echo "-r $T/rw/x/ *"
} >"$T/refer.acl"
mv_x() { # LOGDIR [run options]
	"$VMMSEC" run --log "$1" "${@:2}" --policy "$T/refer.acl" -- python3 -c '
import errno, os, sys
try:
    os.rename(sys.argv[1] + "/wo/f", sys.argv[1] + "/rw/x/f"); print("ok")
except OSError as x:
    print(errno.errorcode[x.errno])' "$T" 2>&1
}
expect_eq "a rename the policy allows and the wall refuses: EXDEV" "$(mv_x "$T/ev-refer")" "EXDEV"
expect_eq "... recorded as the wall's" "$(reasons "$T/ev-refer")" \
	"rename w $T/rw/x/f landlock"
expect_eq "... and allowed without the wall" "$(mv_x "$T/ev-refer2" --no-landlock)" "ok"
