#!/usr/bin/env bash
# lsm_probe.sh - `--backend lsm` on a kernel that refuses BPF-LSM programs: exit 125 naming the cause.
# Enforcement itself is tested in the VM tier (tests/vm/lsm.sh), on a kernel with BPF LSM active.
source "$(dirname "$0")/lib.sh"

lsms=$(cat /sys/kernel/security/lsm 2>/dev/null || true)
out=$(vrun "$T/ev" --backend lsm -- sh -c 'echo ran' 2>&1)
rc=$?
if [ "$rc" = 0 ]; then
	# A host where BPF-LSM works: the probe passes and the guest runs.
	expect_eq "--backend lsm runs the guest where BPF LSM works" "$out" "ran"
	exit 0
fi
expect_eq "--backend lsm exits 125 where BPF-LSM programs cannot run" "$rc" 125
case ",$lsms," in
,,)
	expect_match "the message names the failed load and how to enable bpf LSM" "$out" \
		'^vmmsec: cannot use --backend lsm: cannot (load|attach) a BPF-LSM program: .*lsm=.*CONFIG_BPF_LSM' ;;
*,bpf,*)
	expect_match "the message names the failed load and its errno" "$out" \
		'^vmmsec: cannot use --backend lsm: cannot (load|attach) a BPF-LSM program: .+' ;;
*)
	expect_match "the message says bpf LSM is not active and how to enable it" "$out" \
		'^vmmsec: cannot use --backend lsm: bpf LSM not active: .*lsm=.*CONFIG_BPF_LSM=y' ;;
esac
expect_eq "nothing ran: the guest's output is absent" "$(grep -c '^ran$' <<<"$out")" 0
expect_eq "nothing ran: no evidence log was created" "$(ls "$T/ev" 2>/dev/null | wc -l)" 0

out=$(vrun "$T/ev2" --backend bogus -- true 2>&1)
rc=$?
expect_eq "--backend bogus is a usage error (125)" "$rc|$out" \
	"125|vmmsec: invalid --backend 'bogus': expected seccomp or lsm"

out=$(vrun "$T/ev3" --backend seccomp -- sh -c 'echo ran' 2>&1)
expect_eq "--backend seccomp runs the guest" "$?|$out" "0|ran"
got=$(jlog "$T/ev3" 'print([r["backend"] for r in recs])' guest-start)
expect_eq "--backend seccomp: guest-start says backend seccomp" "$got" "['seccomp']"
