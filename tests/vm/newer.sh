#!/usr/bin/env bash
# newer.sh - `--backend lsm` loads and decides on newer kernels too: Debian 13's, and the newest in trixie-backports.
# Newer verifiers follow bpf_loop callbacks through every iteration, count
# the stack of callbacks and assume more of kernel objects; a program 6.1
# accepts may be refused there.  It happened twice: "BPF program is too
# large" on 6.12 (fixed in the sixth session), and on 7.3 for the rename
# hook (tenth session).  This boots the kernel linux-image-amd64 points at
# in Debian 13 and in trixie-backports (each fetched once into its cache
# with apt-get download from Debian's archive, never installed), starts a
# guest under a small policy and checks its decisions, renames and links
# among them, and that the open cache forgets an answer when a rename or a
# new link changes what the walk would find.  The full suite on such a kernel is
# `VM_KERNEL=build/vm-trixie/kernel/boot/vmlinuz-* bash tests/vm/lsm.sh`.
# Environment: VM_TRIXIE_CACHE (build/vm-trixie), VM_BACKPORTS_CACHE
# (build/vm-backports), NEWER_SUITES (the suites to boot: "trixie
# trixie-backports").
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../integration/lib.sh"
VMRUN=$ROOT/tools/vm/vm-run

vm_require

# fetch SUITE CACHE: the kernel SUITE's linux-image-amd64 points at, into CACHE/kernel/boot, once
# (apt with its own lists: the host's stay as they are).  2: SUITE has no such package now.
fetch() {
	local suite=$1 cache=$2 pkg bin dl
	local apt=(-o "Dir::Etc::SourceList=$cache/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$cache/lists" -o "Dir::Cache=$cache/cache")
	compgen -G "$cache/kernel/boot/vmlinuz-*" >/dev/null && return 0
	mkdir -p "$cache/lists/partial" "$cache/cache/archives/partial" || return 1
	echo "deb http://deb.debian.org/debian $suite main" >"$cache/sources.list"
	apt-get "${apt[@]}" update >"$cache/apt.log" 2>&1 || return 1
	depends() { LC_ALL=C apt-cache "${apt[@]}" depends "$1" 2>>"$cache/apt.log"; }
	pkg=$(depends linux-image-amd64 |
		sed -n 's/^ *Depends: \(linux-image-[0-9][0-9.]*+[a-z0-9]*-amd64\)$/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		# A backports suite between releases may have none; any other failure is one.
		grep -q 'No packages found' "$cache/apt.log" && return 2
		return 1
	fi
	# Since 7.x the image is a metapackage too: the kernel itself is in linux-binary-*.
	bin=$(depends "$pkg" | sed -n 's/^ *Depends: \(linux-binary-[^ ]*\)$/\1/p' | head -n 1)
	dl=$(mktemp -d "$cache/dl.XXXXXX") || return 1
	(cd "$dl" && apt-get "${apt[@]}" download "${bin:-$pkg}") >>"$cache/apt.log" 2>&1 &&
		dpkg-deb -x "$dl"/*.deb "$dl/x" && mkdir -p "$dl/boot" &&
		for k in "$dl"/x/boot/vmlinuz-* "$dl"/x/usr/lib/modules/*/vmlinuz; do
			[ -f "$k" ] || continue
			case $k in
			*/boot/*) mv "$k" "$dl/boot/" ;;
			*) mv "$k" "$dl/boot/vmlinuz-$(basename "$(dirname "$k")")" ;;
			esac
		done && compgen -G "$dl/boot/vmlinuz-*" >/dev/null && mkdir -p "$cache/kernel" &&
		mv "$dl/boot" "$cache/kernel/boot" && echo "${bin:-$pkg}" >"$cache/kernel/PACKAGE"
	local rc=$?
	rm -rf "$dl"
	return $rc
}

cat >"$T/guest.sh" <<'EOF'
#!/bin/sh
echo "uname=$(uname -r)"
echo "lsm=$(cat /sys/kernel/security/lsm)"
D=/srv/n
mkdir -p $D/priv && echo ok >$D/ok && echo secret >$D/secret && echo log >$D/app &&
	echo p >$D/priv/f && chmod 0777 $D $D/priv && chmod 0666 $D/ok $D/secret $D/app $D/priv/f
cat >/srv/n.acl <<ACL
-r $D/secret *
a $D/app *
-w $D/app *
-r $D/later *
-r $D/priv/ *
ACL
vmmsec run --backend lsm --policy /srv/n.acl --log /tmp/ev -- sh -c '
	cat "$1/ok" >/dev/null; echo "read=$?"
	cat "$1/secret" >/dev/null 2>&1; echo "secret=$?"
	echo more >>"$1/app"; echo "append=$?"
	(: >"$1/app") 2>/dev/null; echo "truncate=$?"
	echo x >"$1/later"; cat "$1/later" >/dev/null 2>&1; echo "later=$?"
	mv "$1/ok" "$1/ok2"; echo "rename=$?"
	mv "$1/priv/f" "$1/f" 2>/dev/null; echo "rename-out=$?"
	ln "$1/priv/f" "$1/l" 2>/dev/null; echo "link-out=$?"
	[ -e "$1/priv/f" ] && [ ! -e "$1/f" ] && [ ! -e "$1/l" ]; echo "stayed=$?"
	mkdir "$1/pub" && echo c >"$1/pub/c" && cat "$1/pub/c" "$1/pub/c" >/dev/null &&
		mv "$1/pub" "$1/priv/pub"; echo "moved=$?"
	cat "$1/priv/pub/c" >/dev/null 2>&1; echo "moved-in=$?"
	echo h >"$1/h" && ln "$1/h" "$1/priv/h" && cat "$1/h" "$1/h" >/dev/null; echo "link-made=$?"
	cat "$1/priv/h" >/dev/null 2>&1; echo "linked=$?"' sh $D
echo "run=$?"
vmmsec log /tmp/ev --kind access | sed 's/.* deny \([a-z]*\) .* syscall=\([a-z_]*\) .*/deny=\1 \2/'
exit 0
EOF
chmod 0755 "$T/guest.sh"

# boot SUITE CACHE: the checks on SUITE's kernel.
boot() {
	local suite=$1 cache=$2 kernel rc start
	fetch "$suite" "$cache"
	rc=$?
	if [ "$rc" -eq 2 ]; then
		ok "$suite # SKIP it has no linux-image-amd64 now"
		return
	elif [ "$rc" -ne 0 ]; then
		not_ok "$suite: its kernel is fetched (see $cache/apt.log)"
		sed 's/^/# /' "$cache/apt.log" 2>/dev/null | tail -n 20
		return
	fi
	kernel=$(compgen -G "$cache/kernel/boot/vmlinuz-*" | sort -V | tail -n 1)
	start=$(date +%s)
	VM_KERNEL=$kernel "$VMRUN" --timeout 600 --file "$VMMSEC:/usr/bin/vmmsec" \
		--file "$T/guest.sh:/vmtest/guest.sh" -- /vmtest/guest.sh >"$T/out" 2>"$T/err"
	rc=$?
	echo "# $suite: VM boot and run took $(($(date +%s) - start)) s ($(cat "$cache/kernel/PACKAGE"))"
	field() { sed -n "s/^$1=//p" "$T/out"; }
	if [ "$rc" -ne 0 ]; then
		not_ok "$suite: vm-run completes on its kernel (exit $rc)"
		sed 's/^/# /' "$T/err" "$T/out" | tail -n 40
		return
	fi
	# 6.12 or later: Debian 13's is 6.12, backports' newer.
	expect_match "$suite: the kernel boots, with the BPF LSM" "$(field uname)|$(field lsm)" \
		'^(6\.(1[2-9]|[2-9][0-9])|[7-9]\.[0-9]+|[1-9][0-9]+\.[0-9]+)\..*\|.*bpf'
	expect_eq "$suite: --backend lsm loads there and the guest runs" "$(field run)" 0
	expect_eq "$suite: its decisions: read, -r, append-only, a pending path bound at creation" \
		"$(field read) $(field secret) $(field append) $(field truncate) $(field later)" "0 1 0 1 1"
	expect_eq "$suite: a rename is allowed, moving or linking a file out of a -r subtree is not" \
		"$(field rename) $(field rename-out) $(field link-out) $(field stayed)" "0 1 1 0"
	expect_eq "$suite: an open allowed before is refused after a rename above it, and by another name" \
		"$(field moved) $(field moved-in) $(field link-made) $(field linked)" "0 1 0 1"
	expect_eq "$suite: ... each denial recorded, by hook" "$(field deny | sort | tr '\n' ' ')" \
		"r file_open r file_open r file_open r file_open w file_open w path_link w path_rename "
}

for suite in ${NEWER_SUITES:-trixie trixie-backports}; do
	case $suite in
	trixie) boot "$suite" "${VM_TRIXIE_CACHE:-$ROOT/build/vm-trixie}" ;;
	trixie-backports) boot "$suite" "${VM_BACKPORTS_CACHE:-$ROOT/build/vm-backports}" ;;
	*) boot "$suite" "$ROOT/build/vm-$suite" ;;
	esac
done
