#!/usr/bin/env bash
# policy.sh - `vmmsec policy check`: valid files pass, every error is located as FILE:LINE:COL.
source "$(dirname "$0")/lib.sh"

printf -- '-r /tmp/log 1000\n-r /tmp/log 0\nw /tmp/log 0\n' >"$T/seed.acl"
out=$("$VMMSEC" policy check "$T/seed.acl"); rc=$?
expect_match "the seed's access file is valid (exit 0)" "$rc $out" "^0 .*valid: 3 rules"

printf '# two bad lines\nx /tmp 1\nrw relative 0\nr "/un terminated 0\nlevel /secret 300\n' >"$T/bad.acl"
out=$("$VMMSEC" policy check "$T/bad.acl" 2>&1); rc=$?
expect_eq "an invalid access file: exit 2" "$rc" 2
got=$(printf '%s\n' "$out" | cut -d: -f2,3 | tr '\n' ' ')
expect_eq "every error is reported with its line and column" "$got" "2:1 3:4 4:3 5:15 "
expect_match "errors are FILE:LINE:COL: message" "$out" "^$T/bad.acl:2:1: unknown permission 'x'"

"$VMMSEC" policy check "$T/missing.acl" >/dev/null 2>&1
expect_eq "a missing access file: exit 2" "$?" 2
"$VMMSEC" policy >/dev/null 2>&1
expect_eq "policy without a subcommand: exit 2" "$?" 2
