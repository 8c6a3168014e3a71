#!/usr/bin/env bash
# newer.sh - `--backend lsm` loads and decides on a newer kernel too: Debian 13's 6.12 under QEMU.
# Newer verifiers follow bpf_loop callbacks through every iteration and
# assume more of kernel objects; a program 6.1 accepts may be refused
# there (it happened: "BPF program is too large" on 6.12, fixed in the
# sixth session).  This boots the kernel linux-image-amd64 points at in
# Debian 13 (fetched once into build/vm-trixie with apt-get download from
# Debian's archive, never installed), starts a guest under a small policy
# and checks its decisions.  The full suite on that kernel is
# `VM_KERNEL=build/vm-trixie/kernel/boot/vmlinuz-* bash tests/vm/lsm.sh`.
# Environment: VM_TRIXIE_CACHE (build/vm-trixie).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../integration/lib.sh"
VMRUN=$ROOT/tools/vm/vm-run
CACHE=${VM_TRIXIE_CACHE:-$ROOT/build/vm-trixie}

vm_require

# fetch: the kernel into $CACHE/kernel/boot, once (apt with its own lists: the host's stay as they are).
fetch() {
	local apt=(-o "Dir::Etc::SourceList=$CACHE/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$CACHE/lists" -o "Dir::Cache=$CACHE/cache") pkg dl
	compgen -G "$CACHE/kernel/boot/vmlinuz-*" >/dev/null && return 0
	mkdir -p "$CACHE/lists/partial" "$CACHE/cache/archives/partial" || return 1
	echo "deb http://deb.debian.org/debian trixie main" >"$CACHE/sources.list"
	apt-get "${apt[@]}" update >"$CACHE/apt.log" 2>&1 || return 1
	pkg=$(LC_ALL=C apt-cache "${apt[@]}" depends linux-image-amd64 2>>"$CACHE/apt.log" |
		sed -n 's/^ *Depends: \(linux-image-6\.[0-9.]*+deb13-amd64\)$/\1/p' | head -n 1)
	[ -n "$pkg" ] || return 1
	dl=$(mktemp -d "$CACHE/dl.XXXXXX") || return 1
	(cd "$dl" && apt-get "${apt[@]}" download "$pkg") >>"$CACHE/apt.log" 2>&1 &&
		dpkg-deb --fsys-tarfile "$dl"/*.deb | tar -x -C "$dl" ./boot &&
		compgen -G "$dl/boot/vmlinuz-*" >/dev/null && mkdir -p "$CACHE/kernel" &&
		mv "$dl/boot" "$CACHE/kernel/boot" && echo "$pkg" >"$CACHE/kernel/PACKAGE"
	local rc=$?
	rm -rf "$dl"
	return $rc
}
if ! fetch; then
	not_ok "Debian 13's kernel is fetched (see $CACHE/apt.log)"
	sed 's/^/# /' "$CACHE/apt.log" 2>/dev/null | tail -n 20
	exit 1
fi
KERNEL=$(compgen -G "$CACHE/kernel/boot/vmlinuz-*" | sort -V | tail -n 1)

cat >"$T/guest.sh" <<'EOF'
#!/bin/sh
echo "uname=$(uname -r)"
echo "lsm=$(cat /sys/kernel/security/lsm)"
D=/srv/n
mkdir -p $D && echo ok >$D/ok && echo secret >$D/secret && echo log >$D/app && chmod 0777 $D &&
	chmod 0666 $D/ok $D/secret $D/app
cat >/srv/n.acl <<ACL
-r $D/secret *
a $D/app *
-w $D/app *
-r $D/later *
ACL
vmmsec run --backend lsm --policy /srv/n.acl --log /tmp/ev -- sh -c '
	cat "$1/ok" >/dev/null; echo "read=$?"
	cat "$1/secret" >/dev/null 2>&1; echo "secret=$?"
	echo more >>"$1/app"; echo "append=$?"
	(: >"$1/app") 2>/dev/null; echo "truncate=$?"
	echo x >"$1/later"; cat "$1/later" >/dev/null 2>&1; echo "later=$?"' sh $D
echo "run=$?"
vmmsec log /tmp/ev --kind access | sed 's/.* deny \([a-z]*\) .* syscall=\([a-z_]*\) .*/deny=\1 \2/'
exit 0
EOF
chmod 0755 "$T/guest.sh"

start=$(date +%s)
VM_KERNEL=$KERNEL "$VMRUN" --timeout 600 --file "$VMMSEC:/usr/bin/vmmsec" --file "$T/guest.sh:/vmtest/guest.sh" \
	-- /vmtest/guest.sh >"$T/out" 2>"$T/err"
rc=$?
echo "# VM boot and run took $(($(date +%s) - start)) s ($(cat "$CACHE/kernel/PACKAGE"))"
field() { sed -n "s/^$1=//p" "$T/out"; }
if [ "$rc" -ne 0 ]; then
	not_ok "vm-run completes on the newer kernel (exit $rc)"
	sed 's/^/# /' "$T/err" "$T/out" | tail -n 40
	exit 1
fi
expect_match "the newer kernel boots, with the BPF LSM" "$(field uname)|$(field lsm)" \
	'^6\.(1[2-9]|[2-9][0-9])\..*\|.*bpf'
expect_eq "--backend lsm loads there and the guest runs" "$(field run)" 0
expect_eq "its decisions: read, -r, append-only, a pending path bound at creation" \
	"$(field read) $(field secret) $(field append) $(field truncate) $(field later)" "0 1 0 1 1"
expect_eq "... each denial recorded, by hook" "$(field deny | sort | tr '\n' ' ')" \
	"r file_open r file_open w file_open "
