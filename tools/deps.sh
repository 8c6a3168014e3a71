#!/bin/sh
# deps.sh - install the Debian build and runtime dependencies when missing.
set -eu
pkgs="gcc clang make pkg-config libseccomp-dev libsodium-dev liburing-dev \
libclang-rt-14-dev busybox-static rsyslog bsdutils python3 util-linux \
qemu-system-x86 cpio strace bpftool libbpf-dev libelf-dev zlib1g-dev btrfs-progs"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "vmmsec: missing packages:$missing" >&2
	echo "vmmsec: run as root: apt-get install -y$missing" >&2
	exit 1
fi
echo "vmmsec: installing:$missing" >&2
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
