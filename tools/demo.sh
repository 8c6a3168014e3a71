#!/usr/bin/env bash
# demo.sh - the main job end to end: a guest logs with several clients, vmmsec records, shows and verifies.
set -eu
cd "$(dirname "$0")/.."
V=build/vmmsec
D=$(mktemp -d /tmp/vmmsec-demo.XXXXXX)
chmod 0755 "$D"
echo "== vmmsec run --log $D/ev --anchor $D/anchor -- sh tools/demo-guest.sh"
echo "   (the guest logs with logger(1) and python3's syslog(3), and tries to evade capture)"
$V run --log "$D/ev" --anchor "$D/anchor" -- sh tools/demo-guest.sh
echo "== guest exited with status $?"
echo
echo "== vmmsec log $D/ev"
$V log "$D/ev"
echo
echo "== vmmsec log $D/ev --json --kind syslog (first record)"
$V log "$D/ev" --json --kind syslog | head -1
echo
echo "== vmmsec verify $D/ev --anchor $D/anchor"
$V verify "$D/ev" --anchor "$D/anchor"
echo
L=$(ls "$D"/ev/*.evl)
echo "== an attacker flips one byte of the log; verify must say so (exit 1)"
printf 'X' | dd of="$L" bs=1 seek=400 conv=notrunc status=none
if $V verify "$D/ev" --anchor "$D/anchor"; then echo "demo: tampering NOT detected" >&2; exit 1; fi
echo
echo "== MAC on open: an access file denies reading $D/case/plans.txt; the guest tries several names"
mkdir "$D/case" && echo 'pay day' >"$D/case/plans.txt" && ln -s plans.txt "$D/case/link"
chown -R 1879048192:1879048192 "$D/case" 2>/dev/null || true
printf -- '-r %s *\n' "$D/case/plans.txt" >"$D/p.acl"
cat "$D/p.acl"
out=$($V run --log "$D/mac" --policy "$D/p.acl" -- sh -c '
cd "$1"; for f in plans.txt ./link ../case/plans.txt /proc/self/cwd/plans.txt; do
	cat "$f" 2>/dev/null && echo "READ $f" || echo "denied: $f"
done' sh "$D/case") || true
echo "$out"
case $out in *READ*) echo "demo: the access file was bypassed" >&2; exit 1 ;; esac
echo "== vmmsec log $D/mac --kind access"
$V log "$D/mac" --kind access
echo "== demo done; files in $D"
