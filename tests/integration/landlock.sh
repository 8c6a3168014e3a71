#!/usr/bin/env bash
# landlock.sh - the policy's Landlock outer wall: the same answers with and without it, applied in the guest, --no-landlock.
#
# A realistic default-deny access file runs sh and python3 workloads twice,
# with the wall and with --no-landlock: output, exit status and denial
# records must be identical (the wall is a superset of the policy, the
# broker stays the precise layer). That the wall is really there is shown
# from inside the guest: Landlock stacks at most 16 domains, so a guest
# under the wall can add 15, one without it 16. Without Landlock in the
# kernel, a default-deny run says so in one line. The ruleset's content is
# tested exactly in tests/unit/test_landlock.c.
source "$(dirname "$0")/lib.sh"

export LC_ALL=C
GR=1879048192 # host uid of guest uid 0

ABI=$(python3 -c 'import ctypes
print(max(ctypes.CDLL(None).syscall(444, None, 0, 1), 0))')
if [ "$ABI" -lt 2 ]; then
	ok "# SKIP the kernel's Landlock ABI is $ABI (the wall needs 2)"
	exit 0
fi

# backend DIR: the guest-start record's backend.
backend() { jlog "$1" 'print(recs[0]["backend"])' guest-start; }
# deny_set DIR: "PATH ACCESS REASON SYSCALL" of every deny record, sorted.
deny_set() {
	jlog "$1" 'for l in sorted("%s %s %s %s" % (r["path"], r["access"], r["reason"], r["syscall"])
		for r in recs if r["decision"] == "deny"): print(l)' access
}

W=$T/work # the guest's work dir, granted rw
O=$T/out  # outside every grant
U=$T/u1000 # granted r to uid 1000 only
mkdir -p "$O" "$U"
printf 'secret' >"$O/secret"
printf '#!/bin/sh\necho outside ran\n' >"$O/run.sh"
printf 'for 1000' >"$U/f"
chmod 0755 "$O/run.sh"

# Counts the Landlock domains this process can still add (16 at most).
cat >"$T/depth.py" <<'EOF'
import ctypes, errno, os, struct
libc = ctypes.CDLL(None, use_errno=True)
attr = ctypes.create_string_buffer(struct.pack("Q", 1), 8) # handles EXECUTE only
n = 0
while True:
    fd = libc.syscall(444, attr, 8, 0)
    if fd < 0:
        print("create:", errno.errorcode[ctypes.get_errno()])
        break
    r = libc.syscall(446, fd, 0)
    e = ctypes.get_errno()
    os.close(fd)
    if r < 0:
        print(n, errno.errorcode[e])
        break
    n += 1
EOF

# Every kind of file operation, each printed as "WHAT ok|ERRNO".
{ echo "$PYOPS"; cat <<'EOF'; } >"$T/ops.py"
import json, subprocess
W, O, U = sys.argv[1:4]
def wr(p, data, flags=os.O_WRONLY | os.O_CREAT | os.O_TRUNC):
    fd = os.open(p, flags, 0o644)
    os.write(fd, data)
    os.close(fd)
def rd(p):
    with open(p, "rb") as f:
        return f.read().decode()
t("create", lambda: wr(W + "/a", b"one\n"))
t("append", lambda: wr(W + "/a", b"two\n", os.O_WRONLY | os.O_APPEND))
t("read", lambda: rd(W + "/a").replace("\n", "|"))
t("truncate", lambda: os.truncate(W + "/a", 3))
t("rw", lambda: os.close(os.open(W + "/a", os.O_RDWR)))
t("mkdir", lambda: os.mkdir(W + "/d"))
t("rename into", lambda: os.rename(W + "/a", W + "/d/a"))
t("link", lambda: os.link(W + "/d/a", W + "/b"))
t("symlink", lambda: os.symlink("d/a", W + "/s"))
t("read via symlink", lambda: rd(W + "/s"))
t("mkfifo", lambda: os.mkfifo(W + "/f"))
t("chmod", lambda: os.chmod(W + "/b", 0o600))
t("unlink", lambda: os.unlink(W + "/b"))
t("listdir", lambda: " ".join(sorted(os.listdir(W))))
t("write ro (deny rule)", lambda: wr(W + "/ro", b"x", os.O_WRONLY))
t("read ro", lambda: rd(W + "/ro"))
t("read outside", lambda: rd(O + "/secret"))
t("create outside", lambda: wr(O + "/new", b"x"))
t("list outside", lambda: os.listdir(O))
t("read uid 1000's", lambda: rd(U + "/f"))
t("write /etc", lambda: wr("/etc/vmmsec-landlock-test", b"x"))
t("read /etc/passwd", lambda: rd("/etc/passwd")[:5])
t("proc status", lambda: rd("/proc/self/status").split("\n")[0])
t("dev null", lambda: wr("/dev/null", b"x", os.O_WRONLY))
t("json", lambda: json.dumps({"k": [1, 2]}))
t("subprocess", lambda: subprocess.run(["sh", "-c", "echo sub; cat " + O + "/secret"],
    capture_output=True, text=True).stdout.strip() + "/" + str(
    subprocess.run(["cat", O + "/secret"], capture_output=True).returncode))
t("rmdir nonempty", lambda: os.rmdir(W + "/d"))
EOF

# The shell half: redirections, exec of scripts and binaries, coreutils on trees.
cat >"$T/work.sh" <<'EOF'
W=$1 O=$2
echo start >"$W/log"; echo more >>"$W/log"; cat "$W/log"
printf '#!/bin/sh\necho script ran\n' >"$W/s.sh"; chmod +x "$W/s.sh"; "$W/s.sh"; echo "exec script=$?"
cp /bin/true "$W/t"; "$W/t"; echo "exec copy=$?"
"$O/run.sh"; echo "exec outside=$?"
cat "$O/secret"; echo "cat outside=$?"
echo x >"$O/new"; echo "create outside=$?"
mkdir -p "$W/tree/a/b" && touch "$W/tree/a/b/c" && mv "$W/tree/a" "$W/tree/z" && find "$W/tree" | sort
rm -r "$W/tree"; echo "rm tree=$?"
ls -la /dev/null >/dev/null; echo "ls dev=$?"
ls "$W" | sort | tr '\n' ' '; echo
python3 -c 'import sys; print(sys.version_info[0])'
EOF

{
	dd_system
	echo "w /dev/null *"
	echo "rw $W/ *"
	echo "-w $W/ro *"
	echo "r $U/ 1000"
	echo "r $T/ops.py *"
	echo "r $T/work.sh *"
	echo "r $T/depth.py *"
} >"$T/dd.acl"

# fresh_work: the work dir as each run starts it.
fresh_work() {
	rm -rf "$W" && mkdir -p "$W" && printf 'read-only' >"$W/ro" && chmod 1777 "$W" &&
		chown "$GR:$GR" "$W/ro" && chmod 0666 "$W/ro"
}

# workload LOGDIR [run options]: both halves, as guest root; stdout+stderr and status.
workload() {
	local dir=$1; shift
	fresh_work
	vrun "$dir" "$@" --policy "$T/dd.acl" -- sh -c \
		'python3 -B "$1/ops.py" "$2" "$3" "$4"; sh "$1/work.sh" "$2" "$3"' sh "$T" "$W" "$O" "$U" 2>&1
	echo "status=$?"
}

with=$(workload "$T/ev-with")
without=$(workload "$T/ev-without" --no-landlock)
expect_eq "default deny: the workload's output and status are the same with and without the wall" \
	"$with" "$without"
# The comparison means something only if the workload did work and was denied things.
expect_match "default deny: ... and the workload ran, allowed and denied" "$with" \
	"read one\|two\|.*read outside EACCES.*exec script=0.*exec outside=126.*status=0"
expect_eq "default deny: the same denial records with and without the wall" \
	"$(deny_set "$T/ev-with")" "$(deny_set "$T/ev-without")"
expect_match "default deny: ... and there are some" "$(deny_set "$T/ev-with" | wc -l)" "^[1-9]"
expect_eq "guest-start says seccomp+landlock under the wall" "$(backend "$T/ev-with")" \
	"seccomp+landlock"
expect_eq "guest-start says seccomp with --no-landlock" "$(backend "$T/ev-without")" "seccomp"

# As uid 1000, whom one rule alone grants more: the union over uids keeps it open.
with=$(workload "$T/ev-with1000" --uid 1000 --gid 1000)
without=$(workload "$T/ev-without1000" --uid 1000 --gid 1000 --no-landlock)
expect_eq "uid 1000: the same output and status with and without the wall" "$with" "$without"
expect_match "uid 1000: ... and its own rule reads" "$with" "read uid 1000's for 1000"

# The wall is really applied: one Landlock layer is already taken in the guest.
out=$(vrun "$T/ev-d1" --policy "$T/dd.acl" -- python3 "$T/depth.py" 2>&1)
expect_eq "applied: under the wall the guest can stack 15 more Landlock domains" "$?|$out" \
	"0|15 E2BIG"
out=$(vrun "$T/ev-d2" --policy "$T/dd.acl" --no-landlock -- python3 "$T/depth.py" 2>&1)
expect_eq "applied: with --no-landlock, 16 (no wall)" "$?|$out" "0|16 E2BIG"
# A default-allow policy is a deny-list, which Landlock cannot express: no wall, and no notice.
printf -- '-r %s/ *\n' "$O" >"$T/da.acl"
out=$(vrun "$T/ev-da" --policy "$T/da.acl" -- python3 "$T/depth.py" 2>&1)
expect_eq "default allow: no wall (16), nothing printed" "$?|$out" "0|16 E2BIG"
expect_eq "default allow: guest-start says seccomp" "$(backend "$T/ev-da")" "seccomp"
out=$(vrun "$T/ev-none" -- python3 "$T/depth.py" 2>&1)
expect_eq "no policy: no wall" "$?|$out|$(backend "$T/ev-none")" "0|16 E2BIG|seccomp"

# A kernel without Landlock: a default-deny policy runs under the broker alone, and says so.
fresh_work
out=$("$TOOLS/nosys" landlock_create_ruleset -- "$VMMSEC" run --log "$T/ev-nosys" \
	--policy "$T/dd.acl" -- sh -c 'cat "$1/ro"; echo; cat "$2/secret"; python3 "$3/depth.py"' \
	sh "$W" "$O" "$T" 2>&1)
expect_eq "no Landlock: one notice, then the broker alone holds the policy" "$?|$out" \
	"0|vmmsec: note: Landlock unavailable (not in this kernel, or not enabled at boot): the broker alone enforces the policy
read-only
cat: $O/secret: Permission denied
create: ENOSYS"
expect_eq "no Landlock: guest-start says seccomp" "$(backend "$T/ev-nosys")" "seccomp"
out=$("$TOOLS/nosys" landlock_create_ruleset -- "$VMMSEC" run --log "$T/ev-nosys2" \
	--policy "$T/dd.acl" --no-landlock -- true 2>&1)
expect_eq "no Landlock: --no-landlock asked for it, so no notice" "$?|$out" "0|"

# An ordinary user's guest (one mapped id) builds the wall as that id, like the broker.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	UP=$T/up
	mkdir "$UP" && chown 65534:65534 "$UP"
	printf 'open' >"$UP/open" && printf 'secret' >"$UP/secret"
	chown 65534:65534 "$UP/open" "$UP/secret"
	printf 'default deny\nr /usr/ *\nr /etc/ *\nr %s *\nr %s/open *\nr %s *\n' \
		"$([ -e /lib64 ] && echo /lib64/ || echo /usr/)" "$UP" "$T/depth.py" >"$UP/p.acl"
	chown 65534:65534 "$UP/p.acl"
	upriv() {
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
			"$VMMSEC" run --log "$UP/$1" --policy "$UP/p.acl" "${@:2}" -- sh -c \
			'cat "$1/open"; echo " open=$?"; cat "$1/secret"; echo "secret=$?"; python3 "$2"' \
			sh "$UP" "$T/depth.py" 2>&1
		echo "status=$?"
	}
	with=$(upriv ev1)
	without=$(upriv ev2 --no-landlock)
	expect_eq "unprivileged: under the wall" "$with" "open open=0
cat: $UP/secret: Permission denied
secret=1
15 E2BIG
status=0"
	expect_eq "unprivileged: ... the same answers without it, and no wall" "$without" \
		"${with/15 E2BIG/16 E2BIG}"
else
	ok "# SKIP unprivileged case needs root and setpriv"
fi
