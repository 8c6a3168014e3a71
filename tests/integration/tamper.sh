#!/usr/bin/env bash
# tamper.sh - vmmsec verify on real captured logs: every kind of damage is named, exit 1.
source "$(dirname "$0")/lib.sh"

D=$T/ev
A=$T/anchor
vrun "$D" --anchor "$A" --checkpoint-every 5 -- sh -c 'for i in $(seq 1 20); do logger "msg $i"; done'
L=$(logfile "$D")
"$TOOLS/evlog_dump" "$L" >"$T/dump"
nrec=$(wc -l <"$T/dump")
expect_eq "the log has guest-start, 20 syslog, guest-exit and checkpoints" "$(grep -c syslog "$T/dump") $(grep -c checkpoint "$T/dump")" "20 5"
out=$("$VMMSEC" verify "$D" --anchor "$A"); rc=$?
expect_match "intact log with its anchors: exit 0" "$rc $out" "^0 .*intact: $nrec records.*matches its anchors"

# off SEQ / len SEQ: byte offset and length of record SEQ.
off() { awk -v s="$1" '$1 == s {print $3}' "$T/dump"; }
len() { awk -v s="$1" '$1 == s {print $4}' "$T/dump"; }
# verdict FILE [anchor]: "rc damage-line"
verdict() {
	local d=$T/v; rm -rf "$d"; mkdir "$d"; cp "$1" "$d/$(basename "$L")"
	local out; out=$("$VMMSEC" verify "$d" ${2:+--anchor "$2"}); echo "$? $out"
}
# splice OUT: build a file from byte ranges "START:LEN" of $L.
splice() {
	local out=$1; shift; : >"$out"
	for r in "$@"; do tail -c +$((${r%%:*} + 1)) "$L" | head -c "${r##*:}" >>"$out"; done
}
size=$(stat -c %s "$L")

# flip a byte of a syslog record's message
cp "$L" "$T/flip"
o=$(( $(off 7) + $(len 7) - 40 ))
printf '\x58' | dd of="$T/flip" bs=1 seek="$o" conv=notrunc status=none
expect_match "flipping a byte: modified, exit 1" "$(verdict "$T/flip")" "^1 .*TAMPERED: modified at seq 7"

# delete record 7
splice "$T/del" "0:$(off 7)" "$(off 8):$((size - $(off 8)))"
expect_match "deleting a record: deleted, exit 1" "$(verdict "$T/del")" "^1 .*TAMPERED: deleted at seq 7"

# swap records 7 and 8
splice "$T/swap" "0:$(off 7)" "$(off 8):$(len 8)" "$(off 7):$(len 7)" "$(off 9):$((size - $(off 9)))"
expect_match "swapping two records: reordered, exit 1" "$(verdict "$T/swap")" "^1 .*TAMPERED: reordered at seq 7"

# insert a copy of record 7 after itself
splice "$T/ins" "0:$(off 8)" "$(off 7):$(len 7)" "$(off 8):$((size - $(off 8)))"
expect_match "inserting a duplicate record: inserted, exit 1" "$(verdict "$T/ins")" "^1 .*TAMPERED: inserted at seq 8"

# truncate the tail mid-record (before the newest anchor)
head -c $(( $(off 12) + 10 )) "$L" >"$T/trunc"
expect_match "truncating the tail, against the anchor: truncated, exit 1" "$(verdict "$T/trunc" "$A")" "^1 .*TAMPERED: truncated"
expect_match "... without the anchor it looks like a crash: intact, unsealed" "$(verdict "$T/trunc")" "^0 .*NOT finally sealed"

# restore an older copy: the log as it was right after an earlier checkpoint
ck=$(awk '$2 == "checkpoint" {print $1}' "$T/dump" | sed -n 2p)
head -c $(( $(off "$ck") + $(len "$ck") )) "$L" >"$T/old"
expect_match "restoring an older copy, against the anchor: rolled back, exit 1" "$(verdict "$T/old" "$A")" "^1 .*TAMPERED: rolled-back"

# append a record forged without the key (a copy of a syslog record, renumbered chain or not)
cp "$L" "$T/forged"
tail -c +$(( $(off 7) + 1 )) "$L" | head -c "$(len 7)" >>"$T/forged"
expect_match "appending a forged record after the final checkpoint: exit 1" "$(verdict "$T/forged")" "^1 .*TAMPERED: (inserted|reordered|modified)"

# a log checked against another run's anchor: wrong key
vrun "$T/ev2" --anchor "$T/anchor2" -- logger other
cp "$T/anchor2" "$T/anchor-mixed"
sed -n 1p "$A" | sed 's/pubkey=[0-9a-f]*/pubkey='"$(sed -n 1p "$T/anchor2" | grep -o 'pubkey=[0-9a-f]*' | cut -d= -f2)"'/' >>"$T/anchor-mixed"
expect_match "a different pinned key: wrong key, exit 1" "$(verdict "$L" "$T/anchor-mixed")" "^1 .*TAMPERED: wrong-key"

# usage and I/O errors
"$VMMSEC" verify >/dev/null 2>&1
expect_eq "verify without a path: exit 2" "$?" 2
"$VMMSEC" verify "$T/does-not-exist" >/dev/null 2>&1
expect_eq "verify of a missing path: exit 2" "$?" 2
printf 'garbage\n' >"$T/badanchor"
out=$("$VMMSEC" verify "$D" --anchor "$T/badanchor" 2>&1); rc=$?
expect_match "a malformed anchor file: FILE:LINE:COL error, exit 2" "$rc $out" "^2 $T/badanchor:1:1: "

# a whole log deleted from a directory the anchor file covers
D3=$T/two
vrun "$D3" --anchor "$T/anchor3" -- logger one
vrun "$D3" --anchor "$T/anchor3" -- logger two
out=$("$VMMSEC" verify "$D3" --anchor "$T/anchor3"); rc=$?
expect_match "two runs, one anchor file: both intact (exit 0)" "$rc $(printf '%s' "$out" | grep -c intact)" "^0 2$"
rm "$(ls "$D3"/*.evl | head -1)"
out=$("$VMMSEC" verify "$D3" --anchor "$T/anchor3"); rc=$?
expect_match "deleting a whole log, against the anchor: deleted, exit 1" "$rc $out" "^1 .*TAMPERED: deleted: the anchor file names log [0-9a-f]{32}, which is not in this directory"
