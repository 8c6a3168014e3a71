#!/usr/bin/env bash
# mac.sh - `vmmsec run --policy`: the access file enforced end to end on real programs in real guests.
#
# Issue 3's functional cases: the seed's example, a Bell-LaPadula matrix,
# precedence, subtree and path rules over files created, renamed and
# re-created by the guest, the audit records, fail-closed start, the policy
# hash and ordinary clients under a policy. Adversarial bypasses are in
# bypass.sh, DAC equivalence in dac.sh.
source "$(dirname "$0")/lib.sh"

export LC_ALL=C # coreutils quote names by locale
GR=1879048192 # host uid of guest uid 0
DENIED="Permission denied"

# gdir PATH [GUEST_UID]: a directory owned by that guest uid (default root).
gdir() { mkdir -p "$1" && chown "$(($GR + ${2:-0})):$(($GR + ${2:-0}))" "$1"; }
# gfile PATH MODE CONTENT [GUEST_UID]: a file with that content, mode and guest owner.
gfile() {
	printf '%s' "$3" >"$1" && chmod "$2" "$1" && chown "$(($GR + ${4:-0})):$(($GR + ${4:-0}))" "$1"
}
# acc DIR PYEXPR: jlog over the access records.
acc() { jlog "$1" "$2" access; }
# deny_set DIR PREFIX: "PATH-without-PREFIX ACCESS REASON" of every deny record, sorted.
deny_set() {
	acc "$1" 'for l in sorted("%s %s %s" % (r["path"].replace("'"$2"'", ""), r["access"], r["reason"])
		for r in recs if r["decision"] == "deny"): print(l)'
}

# Reads, or lists (names ending in /), each argument: "NAME ok|ERRNO" per line.
cat >"$T/rd.py" <<'EOF'
import errno, os, sys
for p in sys.argv[1:]:
    try:
        if p.endswith("/"):
            os.listdir(p)
        else:
            os.close(os.open(p, os.O_RDONLY))
        r = "ok"
    except OSError as x:
        r = errno.errorcode[x.errno]
    print(os.path.basename(p.rstrip("/")), r)
EOF
# BLP matrix: opens DIR/NAME as r, a, w and rw: "NAME MODE ok|ERRNO" per line.
cat >"$T/blp.py" <<'EOF'
import errno, os, sys
modes = [("r", os.O_RDONLY), ("a", os.O_WRONLY | os.O_APPEND), ("w", os.O_WRONLY), ("rw", os.O_RDWR)]
for f in sys.argv[2:]:
    for m, fl in modes:
        try:
            os.close(os.open(os.path.join(sys.argv[1], f), fl))
            r = "ok"
        except OSError as x:
            r = errno.errorcode[x.errno]
        print(f, m, r)
EOF

# ---------------------------------------------------------------------------
# 1. The seed's example, as written in the issue (a path under $T for /tmp/log).
S=$T/seed
gdir "$S"
gfile "$S/log" 0666 ""
printf -- '-r %s 1000\n-r %s 0\nw %s 0\n' "$S/log" "$S/log" "$S/log" >"$T/seed.acl"
out=$(vrun "$T/ev-seed0" --policy "$T/seed.acl" -- sh -c \
	'echo root >"$1"; echo "trunc=$?"; echo root2 >>"$1"; echo "append=$?"; cat "$1"; echo "read=$?"' \
	sh "$S/log" 2>&1)
rc=$?
expect_eq "seed: guest root may write (> and >>) /tmp/log but not read it" "$rc|$out" "0|trunc=0
append=0
cat: $S/log: $DENIED
read=1"
expect_eq "seed: root's writes reached the file" "$(cat "$S/log")" "root
root2"
got=$(deny_set "$T/ev-seed0" "$S/")
expect_eq "seed: one deny record for root, reason line 2 (-r ... 0)" "$got" "log r $T/seed.acl:2"

out=$(vrun "$T/ev-seed1000" --uid 1000 --gid 1000 --policy "$T/seed.acl" -- sh -c \
	'cat "$1"; echo "read=$?"; echo u1000 >>"$1"; echo "append=$?"' sh "$S/log" 2>&1)
rc=$?
expect_eq "seed: uid 1000 cannot read it, but may write it (no w rule for 1000: default allow)" \
	"$rc|$out" "0|cat: $S/log: $DENIED
read=1
append=0"
expect_eq "seed: uid 1000's append reached the file" "$(cat "$S/log")" "root
root2
u1000"
got=$(acc "$T/ev-seed1000" 'print([(r["uid"], r["access"], r["decision"], r["reason"]) for r in recs])')
expect_eq "seed: uid 1000's denial is line 1 (-r ... 1000)" "$got" "[(1000, 'r', 'deny', '$T/seed.acl:1')]"

# Control: without --policy the same reads work, so the denials above are the policy's.
out=$(vrun "$T/ev-seed-none" --uid 1000 --gid 1000 -- cat "$S/log" 2>&1)
expect_eq "seed: without --policy uid 1000 reads the file" "$?|$out" "0|root
root2
u1000"

# ---------------------------------------------------------------------------
# 2. Bell-LaPadula: uid 1000 with clearance 2 against levels 1, 2, 3, exempt and unlabelled.
B=$T/blp
gdir "$B"
gdir "$B/sub"
for f in lo mid hi ex un both rok sub/f; do gfile "$B/$f" 0666 "$f"; done
cat >"$T/blp.acl" <<EOF
blp on
clearance 1000 2
level $B/lo 1
level $B/mid 2
level $B/hi 3
level $B/ex -
# BLP never grants: a rule grant does not lift "no read up", a rule denial holds at level 2
r $B/rok 1000
level $B/rok 3
-w $B/both 1000
level $B/both 2
level $B/sub/ 3
EOF
BOTH_LINE=10
out=$(vrun "$T/ev-blp" --uid 1000 --gid 1000 --policy "$T/blp.acl" -- \
	python3 -B "$T/blp.py" "$B" lo mid hi ex un both rok sub/f 2>&1)
expect_eq "blp: uid 1000 (clearance 2) matrix: read needs C>=L, write/append C<=L, rw both" \
	"$?|$out" "0|lo r ok
lo a EACCES
lo w EACCES
lo rw EACCES
mid r ok
mid a ok
mid w ok
mid rw ok
hi r EACCES
hi a ok
hi w ok
hi rw EACCES
ex r ok
ex a ok
ex w ok
ex rw ok
un r ok
un a EACCES
un w EACCES
un rw EACCES
both r ok
both a ok
both w EACCES
both rw EACCES
rok r EACCES
rok a ok
rok w ok
rok rw EACCES
sub/f r EACCES
sub/f a ok
sub/f w ok
sub/f rw EACCES"
got=$(deny_set "$T/ev-blp" "$B/")
expect_eq "blp: each denial's reason is the BLP clause with both levels (read clause first for rw)" \
	"$got" "both rw $T/blp.acl:$BOTH_LINE
both w $T/blp.acl:$BOTH_LINE
hi r blp: no read up (clearance 2 < level 3)
hi rw blp: no read up (clearance 2 < level 3)
lo a blp: no write down (clearance 2 > level 1)
lo rw blp: no write down (clearance 2 > level 1)
lo w blp: no write down (clearance 2 > level 1)
rok r blp: no read up (clearance 2 < level 3)
rok rw blp: no read up (clearance 2 < level 3)
sub/f r blp: no read up (clearance 2 < level 3)
sub/f rw blp: no read up (clearance 2 < level 3)
un a blp: no write down (clearance 2 > level 0)
un rw blp: no write down (clearance 2 > level 0)
un w blp: no write down (clearance 2 > level 0)"

out=$(vrun "$T/ev-blp0" --uid 1001 --gid 1001 --policy "$T/blp.acl" -- \
	python3 -B "$T/blp.py" "$B" lo un 2>&1)
expect_eq "blp: an unlisted uid has clearance 0 (no read of level 1, everything at level 0)" \
	"$?|$out" "0|lo r EACCES
lo a ok
lo w ok
lo rw EACCES
un r ok
un a ok
un w ok
un rw ok"
got=$(deny_set "$T/ev-blp0" "$B/")
expect_eq "blp: clearance 0 reasons" "$got" "lo r blp: no read up (clearance 0 < level 1)
lo rw blp: no read up (clearance 0 < level 1)"

# ---------------------------------------------------------------------------
# 3. Precedence: object > own subtree > deeper directory > shallower; uid > '*'; deny on a tie.
PR=$T/prec
for d in a b c c/sub d d/sub e t s; do gdir "$PR/$d"; done
for f in a/obj a/other b/obj b/other c/f c/sub/f d/f d/sub/f e/f e/g e/h e/i t/f t/g t/h s/a; do
	gfile "$PR/$f" 0644 x
done
cat >"$T/prec.acl" <<EOF
-r $PR/a/ *
r $PR/a/obj *
r $PR/b/ *
-r $PR/b/obj *
-r $PR/c/ *
r $PR/c/sub/ *
r $PR/d/ *
-r $PR/d/sub/ *
-r $PR/e/f 1000
r $PR/e/f *
r $PR/e/g 1000
-r $PR/e/g *
-r $PR/e/ 1000
r $PR/e/h *
-r $PR/t/f *
r $PR/t/f *
r $PR/t/g *
-r $PR/t/g *
r $PR/t/h 1000
-r $PR/t/h 1000
r $PR/s *
-r $PR/s/ *
EOF
P=$T/prec.acl
PFILES=("$PR"/a/obj "$PR"/a/other "$PR"/b/obj "$PR"/b/other "$PR"/c/f "$PR"/c/sub/f "$PR"/d/f
	"$PR"/d/sub/f "$PR"/e/f "$PR"/e/g "$PR"/e/h "$PR"/e/i "$PR"/t/f "$PR"/t/g "$PR"/t/h "$PR"/s/ "$PR"/s/a)
out=$(vrun "$T/ev-prec1000" --audit all --uid 1000 --gid 1000 --policy "$P" -- python3 -B "$T/rd.py" "${PFILES[@]}" 2>&1)
expect_eq "precedence: reads by uid 1000" "$?|$(echo $out)" \
	"0|obj ok other EACCES obj EACCES other ok f EACCES f ok f ok f EACCES f EACCES g ok h ok i EACCES f EACCES g EACCES h EACCES s ok a EACCES"
# The deciding rule of each read (allowed ones too: --audit all), by line.
got=$(acc "$T/ev-prec1000" 'import re
for r in recs:
    if r["path"].startswith("'"$PR/"'") and r["syscall"] == "openat":
        print(r["path"][len("'"$PR/"'"):], r["decision"], re.sub(r".*:", "", r["reason"]))')
expect_eq "precedence: uid 1000, the deciding line of each" "$(echo $got)" \
	"a/obj allow 2 a/other deny 1 b/obj deny 4 b/other allow 3 c/f deny 5 c/sub/f allow 6 d/f allow 7 d/sub/f deny 8 e/f deny 9 e/g allow 11 e/h allow 14 e/i deny 13 t/f deny 15 t/g deny 18 t/h deny 20 s/ allow 21 s/a deny 22"
out=$(vrun "$T/ev-prec1001" --audit all --uid 1001 --gid 1001 --policy "$P" -- python3 -B "$T/rd.py" "$PR"/e/f "$PR"/e/g "$PR"/e/i "$PR"/t/h 2>&1)
expect_eq "precedence: uid 1001 gets the '*' rules, and the default where only uid 1000 is named" \
	"$?|$(echo $out)" "0|f ok g EACCES i ok h ok"
got=$(acc "$T/ev-prec1001" 'import re
print(" ".join(r["path"][len("'"$PR/"'"):] + ":" + re.sub(r"^/.*:", "", r["reason"]) for r in recs
	if r["path"].startswith("'"$PR/"'") and r["syscall"] == "openat"))')
expect_eq "precedence: uid 1001's deciding lines" "$got" "e/f:10 e/g:12 e/i:default t/h:default"

# Many rules above one object: the nearest still decides. 70 nested directories, each granted r,
# the deepest (listed last) denied: the broker once kept only the first 64 ancestors it found.
NE=$T/nest
np=$NE
for i in $(seq 1 70); do np=$np/d; done
gdir "$np"
gfile "$np/f" 0644 x
{
	np=$NE
	for i in $(seq 1 69); do
		np=$np/d
		echo "r $np/ *"
	done
	echo "-r $np/d/ *"
} >"$T/nest.acl"
out=$(vrun "$T/ev-nest" --policy "$T/nest.acl" -- cat "$np/d/f" 2>&1)
expect_eq "nested rules: the nearest of 70 directory rules decides (EACCES)" "$?|$out" \
	"1|cat: $np/d/f: $DENIED"
expect_eq "nested rules: decided by the last line, 70" "$(deny_set "$T/ev-nest" "$np/d/")" "f r $T/nest.acl:70"

# default deny: only what a rule grants. Everything the shell and cat need is under /usr and /etc.
DD=$T/dd
gdir "$DD"
gfile "$DD/ok" 0644 "granted"
gfile "$DD/no" 0644 "secret"
printf 'default deny\nr /usr/ *\nr /etc/ *\nr %s *\n' "$DD/ok" >"$T/dd.acl"
out=$(vrun "$T/ev-dd" --policy "$T/dd.acl" -- sh -c \
	'cat "$1/ok"; echo " read ok=$?"; cat "$1/no"; echo "read no=$?"; echo more >>"$1/ok"; echo "append=$?"' \
	sh "$DD" 2>&1)
expect_eq "default deny: a granted file reads, an unlisted one and any write give EACCES" "$?|$out" \
	"0|granted read ok=0
cat: $DD/no: $DENIED
read no=1
sh: 1: cannot create $DD/ok: $DENIED
append=2"
got=$(deny_set "$T/ev-dd" "$DD/")
expect_eq "default deny: reason 'default'" "$got" "no r default
ok a default"
expect_eq "default deny: the file is unchanged" "$(cat "$DD/ok")" "granted"

# ---------------------------------------------------------------------------
# 4. Subtree rules follow the tree as it is now. A subtree rule covers anything whose current
# kernel path is beneath the (pinned) directory: files created later, and files moved in. An
# object rule (bound to the inode at load) travels with its file. A file that only the subtree
# rule protects may not be moved (or linked) out: that would widen access, as with Landlock's
# refer right (the rename gets EACCES, and the file stays where it was).
ST=$T/st
gdir "$ST/in"
gdir "$ST/out"
gfile "$ST/in/bound" 0644 "bound"
gfile "$ST/in/plain" 0644 $'plain\n'
printf -- '-r %s/ *\n-r %s *\n' "$ST/in" "$ST/in/bound" >"$T/st.acl"
out=$(vrun "$T/ev-st" --policy "$T/st.acl" -- sh -c '
cd "$1" || exit 9
echo new >in/new; cat in/new; echo "new=$?"
mkdir in/d && echo deep >in/d/f; cat in/d/f; echo "deep=$?"
mv in/bound out/bound; cat out/bound; echo "bound moved out=$?"
mv in/plain out/plain; cat out/plain; echo "plain moved out=$?"
echo outside >out/m; cat out/m; echo "outside=$?"
mv out/m in/m; cat in/m; echo "moved in=$?"' sh "$ST" 2>&1)
expect_eq "subtree: covers files made later and moved in; an object rule travels with its inode" \
	"$?|$out" "0|cat: in/new: $DENIED
new=1
cat: in/d/f: $DENIED
deep=1
cat: out/bound: $DENIED
bound moved out=1
mv: cannot move 'in/plain' to 'out/plain': $DENIED
cat: out/plain: No such file or directory
plain moved out=1
outside
outside=0
cat: in/m: $DENIED
moved in=1"
got=$(acc "$T/ev-st" 'for r in recs: print(r["path"], r["resolved"][len("'"$ST/"'"):], r["reason"].replace("'"$T/"'", ""))')
expect_eq "subtree: the deciding rules (the moved bound file: its object rule, line 2; the refused move)" "$got" \
	"in/new in/new st.acl:1
in/d/f in/d/f st.acl:1
out/bound out/bound st.acl:2
in/plain in/plain would widen access for another uid (st.acl:1 here)
in/m in/m st.acl:1"

# ---------------------------------------------------------------------------
# 5. Path rules: a rule for a path that does not exist yet binds whatever appears there; a
# rule for an existing path binds its replacement too.
X=$T/x
gdir "$X"
gfile "$X/f" 0644 "old"
ino_old=$(stat -c %i "$X/f")
# A host-side second name keeps the old inode alive, so its number cannot be reused for the new f.
ln "$X/f" "$T/x-keep"
printf -- '-w %s *\n-r %s *\n' "$X/future" "$X/f" >"$T/x.acl"
out=$(vrun "$T/ev-x" --policy "$T/x.acl" -- sh -c '
cd "$1" || exit 9
echo >future; echo "create=$?"
mkdir future; echo "mkdir=$?"
ln -s f future; echo "symlink=$?"
mkfifo future; echo "mkfifo=$?"
echo other >other
mv other future; echo "rename=$?"
ln other future; echo "link=$?"
rm f && echo new >f; echo "recreate=$?"
cat f; echo "read new f=$?"' sh "$X" 2>&1)
expect_eq "path rules: nothing may appear at a pending -w path; a re-created file stays bound" \
	"$?|$out" "0|sh: 3: cannot create future: $DENIED
create=2
mkdir: cannot create directory 'future': $DENIED
mkdir=1
ln: failed to create symbolic link 'future': $DENIED
symlink=1
mkfifo: cannot create fifo 'future': $DENIED
mkfifo=1
mv: cannot move 'other' to 'future': $DENIED
rename=1
ln: failed to create hard link 'future' => 'other': $DENIED
link=1
recreate=0
cat: f: $DENIED
read new f=1"
got=$( (ls -A "$X"; cat "$X/f" "$X/other") | tr '\n' ' ')
expect_eq "path rules: on the host, no future; f re-created with the new content; other intact" \
	"$got" "f other new other "
ino_new=$(stat -c %i "$X/f")
got=$(acc "$T/ev-x" 'for r in recs: print(r["path"], r["access"], r["syscall"], r["reason"][len("'"$T/"'"):], r["ino"] if r["path"] == "f" else "")')
expect_eq "path rules: one deny per attempt; the read denial is on the new inode" "$got" \
	"future w openat x.acl:1 
future w mkdir x.acl:1 
future w symlinkat x.acl:1 
future w mknodat x.acl:1 
future w renameat2 x.acl:1 
future w linkat x.acl:1 
f r openat x.acl:2 $ino_new"
if [ "$ino_new" != "$ino_old" ]; then ok "path rules: the re-created f is a new inode"
else not_ok "path rules: the re-created f is a new inode (got the old one, $ino_old)"; fi

# ---------------------------------------------------------------------------
# 6. Audit records: --audit all records allowed accesses, the default only denials.
AU=$T/au
gdir "$AU"
gfile "$AU/f" 0644 "fine
"
gfile "$AU/g" 0644 "hidden"
printf '# audit test\nr %s *\n-r %s *\n' "$AU/f" "$AU/g" >"$T/au.acl"
out=$(vrun "$T/ev-au-all" --audit all --uid 1000 --gid 1000 --policy "$T/au.acl" -- cat "$AU/f" "$AU/g" 2>&1)
expect_eq "audit: cat reads f, is refused g" "$?|$out" "1|fine
cat: $AU/g: $DENIED"
# want_rec DECISION NAME LINE LOGDIR: the fields below for cat's open of $AU/NAME; pid and
# host_pid are those of the guest's command, which is cat itself.
want_rec() {
	echo "$AU/$2 $AU/$2 $(stat -c '%d %i' "$AU/$2") r $1 $T/au.acl:$3 openat" \
		"$(jlog "$4" 'r = recs[0]; print(r["pid"], r["host_pid"])' guest-start) 1000 cat"
}
FIELDS='" ".join(str(r[k]) for k in ("path", "resolved", "dev", "ino", "access", "decision", "reason", "syscall", "pid", "host_pid", "uid", "comm"))'
got=$(acc "$T/ev-au-all" "for r in recs:
    if r['path'] in ('$AU/f', '$AU/g'): print($FIELDS)")
expect_eq "audit all: f allowed (line 2) and g denied (line 3), every field exact" "$got" \
	"$(want_rec allow f 2 "$T/ev-au-all")
$(want_rec deny g 3 "$T/ev-au-all")"
got=$(acc "$T/ev-au-all" 'print(sorted({(r["decision"], r["syscall"], r["resolved"]) for r in recs if r["syscall"] == "execve"}))')
ldso=$(readlink -f /lib64/ld-linux-x86-64.so.2)
expect_eq "audit all: the exec of cat and of its loader (PT_INTERP) are allowed r" "$got" \
	"[('allow', 'execve', '/usr/bin/cat'), ('allow', 'execve', '$ldso')]"
got=$(acc "$T/ev-au-all" 'print([r["decision"] for r in recs if r["resolved"].endswith("/libc.so.6")],
	all(r["dev"] > 0 and r["ino"] > 0 for r in recs))')
expect_eq "audit all: the loader's open of libc is there too; every record has a dev and inode" \
	"$got" "['allow'] True"

vrun "$T/ev-au-deny" --uid 1000 --gid 1000 --policy "$T/au.acl" -- cat "$AU/f" "$AU/g" >/dev/null 2>&1
got=$(acc "$T/ev-au-deny" "for r in recs: print($FIELDS)")
expect_eq "audit default (deny): only the denial is recorded" "$got" "$(want_rec deny g 3 "$T/ev-au-deny")"
vrun "$T/ev-au-deny2" --audit deny --uid 1000 --gid 1000 --policy "$T/au.acl" -- cat "$AU/f" "$AU/g" >/dev/null 2>&1
got=$(acc "$T/ev-au-deny2" 'print([(r["path"], r["decision"]) for r in recs])')
expect_eq "audit deny: the same" "$got" "[('$AU/g', 'deny')]"

# ---------------------------------------------------------------------------
# 7. Fail closed: a policy that cannot be applied stops the run before the command starts.
FC=$T/fc
gdir "$FC"
gfile "$FC/reg" 0644 ""
ln -s loop "$FC/loop"
mkdir -m 0700 "$FC/priv" # host root's: guest root cannot search it
RAN=$FC/ran              # what the command would create
printf 'r %s/ *\nbogus line\nr relative *\n' "$FC" >"$T/bad.acl"
err=$(vrun "$T/ev-bad" --policy "$T/bad.acl" -- touch "$RAN" 2>&1 >/dev/null)
rc=$?
expect_eq "fail closed: an invalid policy exits 125" "$rc" 125
expect_eq "fail closed: ... reporting every error as FILE:LINE:COL: message" "$err" \
	"$T/bad.acl:2:1: unknown directive 'bogus'
$T/bad.acl:3:3: relative path 'relative' (paths must start with '/')"
expect_eq "fail closed: ... and the command did not run" "$(ls "$FC")" "loop
priv
reg"

vrun "$T/ev-missing" --policy "$T/missing.acl" -- touch "$RAN" >/dev/null 2>&1
expect_eq "fail closed: a missing policy file exits 125, the command did not run" \
	"$?$(test -e "$RAN" && echo ' ran')" 125
err=$(vrun "$T/ev-audit" --audit bogus --policy "$T/seed.acl" -- touch "$RAN" 2>&1 >/dev/null)
rc=$?
expect_match "--audit bogus is a usage error, the command did not run" \
	"$rc$(test -e "$RAN" && echo ' ran') $err" "^[1-9][0-9]* vmmsec: .*bogus"
# Paths that exist but do not resolve: refused at load (only "does not exist" is pending).
i=0
for c in "reg/x:Not a directory" "loop/x:Too many levels of symbolic links" \
	"loop:Too many levels of symbolic links" "priv/x:Permission denied"; do
	i=$((i + 1))
	p=$FC/${c%%:*}
	printf '# unresolvable\nr %s *\n' "$p" >"$T/e$i.acl"
	err=$(vrun "$T/ev-e$i" --policy "$T/e$i.acl" -- touch "$RAN" 2>&1 >/dev/null)
	expect_eq "fail closed: ${c%%:*} (${c#*:}) refuses to start, at the directive's line" \
		"$?|$(head -1 <<<"$err")|$(test -e "$RAN" && echo ran)" \
		"125|$T/e$i.acl:2:3: cannot resolve $p: ${c#*:}|"
	rm -f "$RAN"
done

# ---------------------------------------------------------------------------
# 8. The policy hash in the guest-start record is the one `policy check` prints.
want=$("$VMMSEC" policy check "$T/seed.acl" | sed -n 's/^policy hash //p')
got=$(jlog "$T/ev-seed0" 'print(recs[0]["policy_hash"])' guest-start)
expect_match "policy hash: guest-start carries policy check's hash" "$got" "^$want\$"
[[ $want =~ ^[0-9a-f]{64}$ ]] && ok "policy hash: it is 64 hex digits" || not_ok "policy hash: '$want' is not 64 hex digits"
want2=$("$VMMSEC" policy check "$T/prec.acl" | sed -n 's/^policy hash //p')
got=$(jlog "$T/ev-prec1000" 'print(recs[0]["policy_hash"])' guest-start)
if [ "$got" == "$want2" ] && [ "$want2" != "$want" ]; then ok "policy hash: another policy, another hash, also matching"
else not_ok "policy hash: another policy's run has '$got' (check: '$want2', seed: '$want')"; fi

# ---------------------------------------------------------------------------
# 9. Ordinary clients under a policy: no spurious denials, capture still works.
CL=$T/cl
gdir "$CL"
gfile "$CL/secret" 0644 "s"
printf -- '-r %s *\nw %s/ *\n' "$CL/secret" "$CL" >"$T/cl.acl"
out=$(vrun "$T/ev-cl" --policy "$T/cl.acl" -- sh -c '
python3 -c "import json, email, http.client, email.mime.text; print(json.dumps([1]))"
logger -t mac under-policy
ls / | wc -l
python3 -c "import subprocess; print(subprocess.run([\"sh\", \"-c\", \"printf \\\"b\\\\na\\\\n\\\" | sort | tr a-z A-Z\"], capture_output=True, text=True).stdout, end=\"\")"
echo piped | cat | cat >"$1/out"; cat "$1/out"
cat "$1/secret"; echo "secret=$?"' sh "$CL" 2>&1)
expect_eq "clients: python imports, logger, ls | wc, a subprocess pipeline, shell pipes" "$?|$out" \
	"0|[1]
$(ls / | wc -l)
A
B
piped
cat: $CL/secret: $DENIED
secret=1"
got=$(jlog "$T/ev-cl" 'print([(r["tag"], r["message"], r["comm"]) for r in recs])')
expect_eq "clients: logger's message is captured" "$got" "[('mac', 'under-policy', 'logger')]"
got=$(deny_set "$T/ev-cl" "$CL/")
expect_eq "clients: the only denial is the secret" "$got" "secret r $T/cl.acl:1"

# Exec through /proc: the caller's own exe (a re-exec) is followed; its cwd
# link is not (another process's could move under the check; the broker
# follows none but the caller's own exe and fd/N).
out=$(vrun "$T/ev-px" --policy "$T/cl.acl" -- python3 -c '
import errno, os, sys
pid = os.fork()
if pid == 0:
    os.chdir("/bin")
    try:
        os.execv("/proc/self/cwd/true", ["true"])
    except OSError as e:
        print("cwd-exec", errno.errorcode[e.errno])
    os._exit(0)
os.waitpid(pid, 0)
os.execv("/proc/self/exe", [sys.executable, "-c", "import sys; print(\"re-exec ok\")"])' 2>&1)
expect_eq "exec of /proc/self/exe is followed, of /proc/self/cwd/X refused" "$?|$out" "0|cwd-exec EACCES
re-exec ok"
got=$(acc "$T/ev-px" 'print([(r["path"], r["syscall"], r["reason"]) for r in recs if r["decision"] == "deny"])')
expect_eq "... and the refusal is recorded as not checkable" "$got" \
	"[('/proc/self/cwd/true', 'execve', \"exec not checkable: its path runs through a /proc link other than the caller's own exe or fd/N\")]"

# A FIFO that a writer outside the guest is already waiting to open: the
# broker must not open its read end to look at it (that would let the writer
# through, and its bytes be lost when the look is over), only the guest's
# own open may.  Under the old first look, cat waited for ever (timeout: 124).
# waiting: the writer's syscall number and kernel wait channel.
waiting() { echo "$(cut -d' ' -f1 "/proc/$wp/syscall" 2>/dev/null) $(cat "/proc/$wp/wchan" 2>/dev/null)"; }
# fifo_writer: a new FIFO $T/ff, and a writer outside ($wp) that waits in
# openat(2) for a reader before this returns (1000 looks at most).
fifo_writer() {
	rm -f "$T/ff" "$T/ff.w" && mkfifo -m 0666 "$T/ff"
	sh -c 'echo go >"$1"; echo "wrote=$?" >"$1.w"' sh "$T/ff" &
	wp=$!
	for _ in $(seq 1000); do
		[ "$(waiting)" = "257 wait_for_partner" ] && return
		sleep 0.01
	done
}
fifo_writer
expect_eq "fifo: the writer waits in openat(2) for a reader first" "$(waiting)" "257 wait_for_partner"
out=$(vrun "$T/ev-ff" --policy "$T/cl.acl" -- timeout 20 cat "$T/ff" 2>&1)
rc=$?
kill "$wp" 2>/dev/null
wait "$wp"
expect_eq "fifo: a guest reads what a waiting writer outside wrote" "$rc|$out|$(cat "$T/ff.w" 2>&1)" \
	"0|go|wrote=0"
# And when the access file refuses the guest that FIFO, its open has no
# effect at all: the writer still waits, until a reader outside comes.
printf -- '-r %s *\n' "$T/ff" >"$T/ff.acl"
fifo_writer
out=$(vrun "$T/ev-ff2" --policy "$T/ff.acl" -- cat "$T/ff" 2>&1)
rc=$?
expect_eq "fifo: a refused open is refused (EACCES) and the writer still waits" "$rc|$out|$(waiting)" \
	"1|cat: $T/ff: $DENIED|257 wait_for_partner"
expect_eq "... the writer's bytes are there for the reader outside" "$(timeout 20 cat "$T/ff")" go
kill "$wp" 2>/dev/null
wait "$wp"
expect_eq "... and its write succeeded" "$(cat "$T/ff.w" 2>&1)" wrote=0

# A signal for vmmsec's whole process group (timeout(1), kill -- -PGID)
# reaches the broker too: it must end the guest (128+N), not the broker.
mkfifo -m 0666 "$T/sig-up"
exec 3<>"$T/sig-up" # open read-write: never blocks, and a guest that fails cannot hang us
setsid "$VMMSEC" run --log "$T/ev-sig" --policy "$T/cl.acl" -- sh -c "echo up >$T/sig-up; exec sleep 600" &
pg=$!
read -r -t 60 up <&3
kill -TERM -- "-$pg"
wait "$pg"
expect_eq "a SIGTERM for vmmsec's process group: the guest's status (143), not a broker failure" \
	"$?|$up" "143|up"
exec 3<&-

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	U=65534
	UP=$T/up
	mkdir "$UP" && chown $U:$U "$UP"
	printf 'open' >"$UP/open" && printf 'secret' >"$UP/secret" && chown $U:$U "$UP/open" "$UP/secret"
	printf -- '-r %s *\n' "$UP/secret" >"$UP/p.acl"
	out=$(setpriv --reuid=$U --regid=$U --clear-groups --inh-caps=-all \
		"$VMMSEC" run --log "$UP/ev" --policy "$UP/p.acl" -- sh -c \
		'cat "$1/open"; echo " open=$?"; cat "$1/secret"; echo "secret=$?"' sh "$UP" 2>&1)
	expect_eq "unprivileged: an ordinary user's guest is held to the policy" "$?|$out" "0|open open=0
cat: $UP/secret: $DENIED
secret=1"
	got=$(acc "$UP/ev" 'print([(r["path"], r["decision"], r["uid"], r["reason"]) for r in recs])')
	expect_eq "unprivileged: and the denial is recorded" "$got" "[('$UP/secret', 'deny', 0, '$UP/p.acl:1')]"
else
	ok "# SKIP unprivileged case needs root and setpriv"
fi
