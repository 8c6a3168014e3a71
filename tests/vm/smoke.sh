#!/usr/bin/env bash
# smoke.sh - vmmsec on Debian's 6.1 kernel under QEMU: capture, log and verify in one VM boot.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../integration/lib.sh"
VMRUN=$ROOT/tools/vm/vm-run
# Count failures so that `make vm-check` fails when any check does.
failed=0
eval "$(declare -f not_ok | sed '1s/^not_ok/lib_not_ok/')"
not_ok() { failed=$((failed + 1)); lib_not_ok "$@"; }

if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "ok 1 # SKIP qemu-system-x86_64 not installed"
	exit 0
fi
if [ ! -x "$VMMSEC" ]; then
	not_ok "vmmsec is built ($VMMSEC missing: run make tests)"
	exit 1
fi

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
exit 0
EOF
chmod 0755 "$T/guest.sh"

start=$(date +%s)
"$VMRUN" --timeout 600 --file "$VMMSEC:/usr/bin/vmmsec" --file "$T/guest.sh:/vmtest/guest.sh" \
	"${PROBE[@]}" -- /vmtest/guest.sh >"$T/out" 2>"$T/err"
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

echo "# guest kernel: $(field uname)"
echo "# guest LSMs (/sys/kernel/security/lsm): $(field lsm)"
echo "# guest Landlock ABI: $(field landlock)"
case ",$(field lsm)," in
*,bpf,*) echo "# BPF LSM: active" ;;
*) echo "# BPF LSM: not active" ;;
esac
[ "$failed" -eq 0 ]
