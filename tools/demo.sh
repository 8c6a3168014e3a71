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
echo "== demo done; files in $D"
