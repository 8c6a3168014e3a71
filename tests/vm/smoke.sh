#!/usr/bin/env bash
# smoke.sh - vmmsec on Debian's 6.1 kernel under QEMU: capture, log and verify, and the broker behind Landlock ABI 2, in one VM boot.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../integration/lib.sh"
VMRUN=$ROOT/tools/vm/vm-run
# Count failures so that `make vm-check` fails when any check does.
failed=0
eval "$(declare -f not_ok | sed '1s/^not_ok/lib_not_ok/')"
not_ok() { failed=$((failed + 1)); lib_not_ok "$@"; }

vm_require

# Landlock ABI probe: landlock_create_ruleset(NULL, 0, VERSION) returns the ABI.
PROBE=()
if command -v cc >/dev/null && cc -O2 -o "$T/landlock-abi" -x c - 2>/dev/null <<'EOF'; then
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void)
{
	long abi = syscall(444 /* landlock_create_ruleset */, NULL, 0, 1UL /* VERSION */);
	if (abi < 0) { perror("landlock_create_ruleset"); return 1; }
	printf("%ld\n", abi);
	return 0;
}
EOF
	PROBE=(--file "$T/landlock-abi:/usr/bin/landlock-abi")
fi

# Everything runs in one boot (TCG boots take 10-20 s). logger is busybox's
# applet symlink, so the sender's comm is "logger".
cat >"$T/guest.sh" <<'EOF'
#!/bin/sh
echo "uname=$(uname -r)"
vmmsec run --log /tmp/ev -- logger -t vmtest hello-6.1
echo "run=$?"
vmmsec log /tmp/ev --json --kind syslog >/tmp/json
echo "log=$?"
sed 's/^/json=/' /tmp/json
vmmsec verify /tmp/ev >/tmp/verify 2>&1
echo "verify=$?"
sed 's/^/verify-out=/' /tmp/verify
echo "lsm=$(cat /sys/kernel/security/lsm 2>&1)"
if command -v landlock-abi >/dev/null; then echo "landlock=$(landlock-abi 2>&1)"; fi
# The broker behind the wall on this Landlock ABI: a broker built to allow
# everything (tests/integration/wall.sh) is still stopped, and without the
# wall is not.
W=/srv/wall
mkdir -p /srv
{
	echo "default deny"
	for d in /bin/ /sbin/ /usr/ /lib/ /lib64/ /etc/ /proc/ /dev/; do
		[ -e "$d" ] && echo "r $d *"
	done
	echo "rw /dev/null *"
	echo "rw $W/in/ *"
} >/srv/wall.acl
for o in wall nowall real; do
	rm -rf $W && mkdir -p $W/in $W/out && echo secret >$W/out/secret && echo x >$W/out/rm &&
		chmod -R 0777 $W
	case $o in
	wall) set -- /vmtest/vmmsec-allows run ;;
	nowall) set -- /vmtest/vmmsec-allows run --no-landlock ;;
	real) set -- vmmsec run ;;
	esac
	"$@" --policy /srv/wall.acl --log /tmp/ev-$o -- sh -c '
		cat "$1/out/secret" >/dev/null 2>&1; r=$?
		(echo x >"$1/out/new") 2>/dev/null; c=$?
		mkdir "$1/out/d" 2>/dev/null; m=$?
		rm "$1/out/rm" 2>/dev/null; u=$?
		echo y >"$1/in/y"; echo "$r $c $m $u $?"' sh $W 2>&1 | sed "s/^/wall-$o=/"
	echo "wall-$o-landlock=$(vmmsec log /tmp/ev-$o --kind access | grep -c "reason=landlock")"
done
exit 0
EOF
chmod 0755 "$T/guest.sh"

start=$(date +%s)
FAULT=$(dirname "$VMMSEC")/tests/fault/vmmsec-allows
"$VMRUN" --timeout 600 --file "$VMMSEC:/usr/bin/vmmsec" --file "$T/guest.sh:/vmtest/guest.sh" \
	--file "$FAULT:/vmtest/vmmsec-allows" "${PROBE[@]}" -- /vmtest/guest.sh >"$T/out" 2>"$T/err"
rc=$?
echo "# VM boot and run took $(($(date +%s) - start)) s"
field() { sed -n "s/^$1=//p" "$T/out" | head -n 1; }

if [ "$rc" -ne 0 ]; then
	not_ok "vm-run completes (exit $rc)"
	sed 's/^/# /' "$T/err" "$T/out"
	exit 1
fi
ok "vm-run boots the VM and the guest script exits 0"
expect_match "guest kernel is 6.1" "$(field uname)" '^6\.1\.'
expect_eq "vmmsec run -- logger exits 0 in the VM" "$(field run)" 0
expect_eq "vmmsec log --json --kind syslog exits 0" "$(field log)" 0
got=$(field json | python3 -c '
import json, sys
recs = [json.loads(l) for l in sys.stdin if l.strip()]
r = recs[0] if recs else {}
print(len(recs), r.get("tag"), r.get("message"), r.get("comm"), r.get("transport"), r.get("socket"))' 2>&1)
expect_eq "one syslog record: tag, message, comm, transport, socket" "$got" \
	"1 vmtest hello-6.1 logger dgram /dev/log"
expect_eq "vmmsec verify exits 0" "$(field verify)" 0
expect_match "vmmsec verify says intact" "$(field verify-out)" ': intact: .*sealed by the final checkpoint'
# read, create, mkdir and unlink outside the grants, then a create inside: exit statuses.
expect_eq "wall: a broker that allows everything is still stopped by the wall here" \
	"$(field wall-wall)|$(field wall-wall-landlock)" "1 1 1 1 0|4"
expect_eq "wall: ... and without the wall is not" "$(field wall-nowall)|$(field wall-nowall-landlock)" \
	"0 0 0 0 0|0"
expect_eq "wall: the real broker refuses the same itself" "$(field wall-real)|$(field wall-real-landlock)" \
	"1 1 1 1 0|0"

echo "# guest kernel: $(field uname)"
echo "# guest LSMs (/sys/kernel/security/lsm): $(field lsm)"
echo "# guest Landlock ABI: $(field landlock)"
case ",$(field lsm)," in
*,bpf,*) echo "# BPF LSM: active" ;;
*) echo "# BPF LSM: not active" ;;
esac
[ "$failed" -eq 0 ]
