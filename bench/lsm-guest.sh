#!/bin/sh
# lsm-guest - runs inside the VM for bench/lsm_run: open+close, a tar of a tree, a syslog flood and policy scaling, natively and under both backends.
# Usage: lsm-guest.sh REPS OPEN_N (files in /vmbench, copied in by bench/lsm_run).
# Prints "val WORKLOAD CONFIG VALUE" lines (micro/scale: ns per open+close
# from open_bench; tar: wall seconds, timed inside the run) and "info KEY
# VALUE" lines.
# Any failing command, workload or policy denial exits 1.
set -u
REPS=$1
OPEN_N=$2
B=/vmbench
V=vmmsec
GR=1879048192 # host uid of guest uid 0
D=/srv/bench
TREE=/srv/tree
n=0

fail() {
	echo "FAIL: $*"
	exit 1
}

now() { $B/date +%s%N || fail "date"; }

# --- set-up -----------------------------------------------------------------
echo "info lsm $(cat /sys/kernel/security/lsm)"
echo "info kernel $(uname -r) nproc $(nproc)"
mkdir -p $D/files $D/sync $D/absent || fail "mkdir $D"
for f in a b c d; do echo "open_bench file $f" >$D/files/$f || fail "write $D/files/$f"; done
chown -R $GR:$GR $D/files || fail "chown"
[ -d $TREE ] || fail "$TREE missing"
echo "info tree $(find $TREE -type f | wc -l) files, $(du -sk $TREE | cut -f1) KiB"
# Objects the generated rules bind: every 4th generated rule names one of these.
i=0
while [ $i -lt 100 ]; do
	mkdir -p $D/objs/d$i || fail "mkdir objs"
	(cd $D/objs/d$i && awk -v d=$i 'BEGIN { for (k = d * 1000; k < d * 1000 + 1000; k++) if (k % 4 == 0) print "f" k }' |
		xargs touch) || fail "touch objs d$i"
	i=$((i + 1))
done
echo "info objs $(find $D/objs -type f | wc -l) files"
for p in p100 p10 p1k p100k; do
	out=$($V policy check $B/$p.acl 2>&1) || fail "policy check $p: $out"
	echo "info policy-$p $(echo "$out" | head -n 1)"
done

echo "info t-setup $(cut -d' ' -f1 /proc/uptime)"

# One guest command per run: the microbenchmark, then the tar timed from
# inside (the guest's start-up is not part of either number).  The broker
# makes an open ~30x dearer under TCG, so seccomp runs fewer opens; open_bench
# reports the median cost of one open+close either way.
MICRO="$B/open_bench -n $OPEN_N -r 5 $D/files/a $D/files/b $D/files/c $D/files/d"
MICRO_SEC="$B/open_bench -n $((OPEN_N / 8)) -r 3 $D/files/a $D/files/b $D/files/c $D/files/d"
TAR="tar -cf - $TREE | wc -c"
TIMED_TAR="$B/date +tar0=%s%N; $TAR; $B/date +tar1=%s%N"
echo "info cmd micro $MICRO"
echo "info cmd micro-seccomp $MICRO_SEC"
echo "info cmd tar sh -c '$TIMED_TAR'"

# run CFG POLICY SCRIPT: run sh -c SCRIPT natively (CFG native), in a guest
# with no access file (CFG guest: --backend lsm, which then attaches only
# syslog capture's programs) or under vmmsec --backend CFG --policy POLICY;
# sets $out.  Under lsm the guest then
# holds on a FIFO while the VM's root reads the compiled policy's object
# count with bpftool (vm_nodes is sized to it).  Any failure or denial is fatal.
run() {
	cfg=$1 pol=$2 script=$3
	n=$((n + 1))
	ev=/tmp/ev.$n
	if [ "$cfg" = native ]; then
		out=$(sh -c "$script" 2>&1) || fail "native: exit $?: $script: $out"
		return
	fi
	[ "$cfg" = lsm ] && script="$script && echo up >$D/sync/up && read -r _ <$D/sync/go"
	rm -f $D/sync/up $D/sync/go
	mkfifo -m 0666 $D/sync/up $D/sync/go || fail "mkfifo"
	if [ "$cfg" = guest ]; then
		set -- --backend lsm
	else
		set -- --backend "$cfg" --policy "$B/$pol.acl"
	fi
	$V run "$@" --log $ev -- sh -c "$script" >/tmp/out 2>&1 &
	pid=$!
	if [ "$cfg" = lsm ]; then
		# The guest writes "up" only if the workload succeeded.
		if ! timeout 120 sh -c "read -r _ <$D/sync/up"; then
			kill $pid
			fail "$cfg $pol: the guest never reported: $script: $(cat /tmp/out)"
		fi
		nodes=$($B/bpftool map show name vm_nodes | sed -n 's/.*max_entries \([0-9]*\).*/\1/p')
		ucells=$($B/bpftool map show name vm_ucells | sed -n 's/.*max_entries \([0-9]*\).*/\1/p')
		echo go >$D/sync/go
		case $nodes in '' | *[!0-9]*) fail "$pol: no vm_nodes map ($nodes)" ;; esac
		echo "info objects-$pol vm_nodes=$nodes vm_ucells=$ucells"
	fi
	wait $pid
	rc=$?
	out=$(cat /tmp/out)
	[ $rc -eq 0 ] || fail "$cfg $pol: exit $rc: $script: $(echo "$out" | tail -n 5)"
	den=$($V log $ev --json --kind access) || fail "vmmsec log $ev"
	[ -z "$den" ] || fail "$cfg $pol denied the workload: $den"
	rm -rf $ev
}

micro_val() { # CFG: prints open_bench's result from $out
	v=$(echo "$out" | sed -n 's/^open_close_ns=\([0-9][0-9]*\)$/\1/p')
	case $v in '' | *[!0-9]*) fail "$1: open_bench printed: $out" ;; esac
	echo "val micro $1 $v"
}

tar_val() { # CFG: prints the tar's wall seconds from $out
	bytes=$(echo "$out" | sed -n 's/^ *\([0-9][0-9]*\)$/\1/p')
	case $bytes in '' | *[!0-9]*) fail "$1: tar printed: $out" ;; esac
	[ "$bytes" -gt 1000000 ] || fail "$1: tar wrote only $bytes bytes"
	t0=$(echo "$out" | sed -n 's/^tar0=//p')
	t1=$(echo "$out" | sed -n 's/^tar1=//p')
	[ -n "$t0" ] && [ -n "$t1" ] || fail "$1: no tar timestamps: $out"
	echo "val tar $1 $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')"
}

both() { # CFG
	m=$MICRO
	[ "$1" = seccomp ] && m=$MICRO_SEC
	run "$1" p100 "$m; $TIMED_TAR"
	micro_val "$1"
	tar_val "$1"
}

# Syslog flood: 2 processes x FLOOD_N datagrams, the rate flood measures
# itself (vmmsec's start-up is not in it).  native: recv_native on its own
# socket; lsm / seccomp: vmmsec's capture, no access file (the sender hooks
# run under lsm).  Every message must be received or recorded.
FLOOD_N=10000
flood_rate() { # CFG: prints "val flood CFG NS_PER_MSG" from flood's output in $out
	r=$(echo "$out" | sed -n 's/^sent .* (\([0-9][0-9]*\) msgs\/s)$/\1/p')
	case $r in '' | *[!0-9]* | 0) fail "$1: flood printed: $out" ;; esac
	echo "val flood $1 $(awk -v r="$r" 'BEGIN { printf "%.0f", 1e9 / r }')"
}
flood() { # CFG
	if [ "$1" = native ]; then
		rm -f /tmp/nf.sock /tmp/nf.fifo && mkfifo /tmp/nf.fifo || fail "mkfifo"
		$B/recv_native /tmp/nf.sock $((2 * FLOOD_N)) >/tmp/nf.fifo &
		rpid=$!
		exec 3</tmp/nf.fifo
		read -r ready <&3
		[ "$ready" = ready ] || fail "recv_native: $ready"
		out=$($B/flood -p 2 -n $FLOOD_N -s /tmp/nf.sock 2>&1) || fail "native flood: $out"
		read -r got <&3
		exec 3<&-
		wait $rpid || fail "recv_native failed"
		[ "$got" = "received $((2 * FLOOD_N))" ] || fail "recv_native: $got"
	else
		n=$((n + 1))
		out=$($V run --backend "$1" --log /tmp/fl.$n -- $B/flood -p 2 -n $FLOOD_N 2>&1) ||
			fail "$1 flood: $out"
		got=$($V log /tmp/fl.$n --json --kind syslog | wc -l)
		[ "$got" -eq $((2 * FLOOD_N)) ] || fail "$1 flood: recorded $got of $((2 * FLOOD_N))"
		rm -rf /tmp/fl.$n
	fi
	flood_rate "$1"
}
echo "info cmd flood $B/flood -p 2 -n $FLOOD_N"

# Warm-up, untimed: every workload runs natively once.
run native p100 "$MICRO; $TIMED_TAR"
echo "info t-warm $(cut -d' ' -f1 /proc/uptime)"

# --- interleaved reps; the first configuration rotates ----------------------
rot() { # I A B C...: the list rotated left by I
	r=$(($1 % ($# - 1)))
	shift
	while [ "$r" -gt 0 ]; do
		x=$1
		shift
		set -- "$@" "$x"
		r=$((r - 1))
	done
	echo "$@"
}
i=0
while [ $i -lt "$REPS" ]; do
	for c in $(rot $i native guest lsm seccomp); do both $c; done
	for c in $(rot $i native lsm seccomp); do flood $c; done
	for p in $(rot $i p10 p1k p100k); do
		run lsm $p "$MICRO"
		v=$(echo "$out" | sed -n 's/^open_close_ns=\([0-9][0-9]*\)$/\1/p')
		case $v in '' | *[!0-9]*) fail "lsm $p: open_bench printed: $out" ;; esac
		echo "val scale $p $v"
	done
	echo "info t-rep$i $(cut -d' ' -f1 /proc/uptime)"
	i=$((i + 1))
done
echo "info done"
