# lib.sh - shared helpers for integration tests: TAP output, temp dirs, JSON queries.
# Sourced by every tests/integration/*.sh; each test prints "ok N - ..." or
# "not ok N - ..." lines that tests/run counts.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
VMMSEC=${VMMSEC:-$BUILD/vmmsec}
CLIENTS=$BUILD/tests/clients
TOOLS=$BUILD/tests/tools
T=$(mktemp -d /tmp/vmmsec-test.XXXXXX)
chmod 0755 "$T" # the guest runs as an unprivileged host uid and must reach it
trap 'rm -rf "$T"' EXIT
_n=0

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); echo "not ok $_n - $*"; }

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else
		not_ok "$1"
		printf '#   got:  %q\n#   want: %q\n' "$2" "$3"
	fi
}

# expect_match NAME GOT REGEX
expect_match() {
	if [[ $2 =~ $3 ]]; then ok "$1"; else
		not_ok "$1"
		printf '#   got:  %q\n#   want match: %s\n' "$2" "$3"
	fi
}

# vrun LOGDIR [run options] -- CMD...: run a guest; prints nothing of its own.
vrun() {
	local dir=$1; shift
	"$VMMSEC" run --log "$dir" "$@"
}

# jq-like query over `vmmsec log --json`: jlog DIR PYEXPR [KIND]
# PYEXPR sees `recs` (list of dicts) and must print what it wants.
jlog() {
	local dir=$1 expr=$2 kind=${3:-syslog}
	"$VMMSEC" log "$dir" --json --kind "$kind" | python3 -c "
import json, sys, base64
recs = [json.loads(l) for l in sys.stdin if l.strip()]
$expr"
}

# dd_system: the head of a default-deny access file: what a guest's programs
# need of the system (read the system directories, /proc and /dev).
dd_system() {
	echo "default deny"
	local d
	for d in /usr/ /lib/ /lib64/ /etc/ /bin/ /proc/ /dev/; do
		[ -e "$d" ] && echo "r $d *"
	done
	return 0
}

# vm_require: for the VM tier (tests/vm): skip without QEMU, fail without vmmsec.
vm_require() {
	if ! command -v qemu-system-x86_64 >/dev/null; then
		echo "ok 1 # SKIP qemu-system-x86_64 not installed"
		exit 0
	fi
	if [ ! -x "$VMMSEC" ]; then
		not_ok "vmmsec is built ($VMMSEC missing: run make tests)"
		exit 1
	fi
}

# The single .evl file of a log dir.
logfile() { ls "$1"/vmmsec-*.evl | head -1; }

# The head of a Python script that runs operations in a guest: t("WHAT", fn)
# prints "WHAT ok", "WHAT VALUE" (what fn returned) or "WHAT ERRNO".
PYOPS='import errno, os, sys
def t(what, fn):
    try:
        r = fn()
        print(what, "ok" if r is None else r)
    except OSError as x:
        print(what, errno.errorcode[x.errno])'

# Python snippet runner inside a guest that prints an errno name: pyerr CODE
PYERR='
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def e(rc):
    return "ok" if rc >= 0 else errno.errorcode[ctypes.get_errno()]
'
