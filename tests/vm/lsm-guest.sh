#!/bin/sh
# lsm-guest - runs inside the VM for tests/vm/lsm.sh: --backend lsm and --backend seccomp side by side.
# Prints KEY=VALUE lines; access records as "json-KEY=JSON" lines.
GR=1879048192 # host uid of guest uid 0
V=vmmsec
jlog() { $V log "$1" --json --kind access | sed "s/^/json-$2=/"; }
# start_guest FIFO OUT CMD...: CMD (a vmmsec run whose guest writes "r" to
# FIFO when it is ready) in the background, its output to OUT and its pid
# in OUT.pid (its exit status in OUT.rc after).  Returns 0 once the guest is ready, 1 if vmmsec exited first
# (it then writes "exit N" to the FIFO itself: nobody waits for a guest
# that never came).
start_guest() {
	sg_f=$1 sg_o=$2
	shift 2
	{
		"$@" &
		echo $! >"$sg_o.pid"
		wait $!
		sg_r=$?
		echo $sg_r >"$sg_o.rc"
		exec 3<>"$sg_f"
		echo "exit $sg_r" >&3
	} >"$sg_o" 2>&1 &
	read sg_x <"$sg_f"
	[ "$sg_x" = r ]
}

echo "lsm=$(cat /sys/kernel/security/lsm)"

# 1. The seed example: root may write /srv/seed/log but not read it; uid 1000 may not read it.
seed() { # BACKEND
	rm -rf /srv/seed && mkdir -p /srv/seed && : >/srv/seed/log && chmod 0666 /srv/seed/log
	chown -R $GR:$GR /srv/seed
	printf -- '-r /srv/seed/log 1000\n-r /srv/seed/log 0\nw /srv/seed/log 0\n' >/srv/seed.acl
	$V run --backend "$1" --policy /srv/seed.acl --log "/tmp/seed0-$1" -- sh -c \
		'echo root >"$1"; echo "trunc=$?"; echo root2 >>"$1"; echo "append=$?"; cat "$1"; echo "read=$?"' \
		sh /srv/seed/log 2>&1 | sed "s/^/seed0-$1=/"
	echo "seed0-$1-rc=$?"
	$V run --backend "$1" --uid 1000 --gid 1000 --policy /srv/seed.acl --log "/tmp/seed1000-$1" -- sh -c \
		'cat "$1"; echo "read=$?"; echo u1000 >>"$1"; echo "append=$?"' sh /srv/seed/log 2>&1 |
		sed "s/^/seed1000-$1=/"
	sed "s/^/seedfile-$1=/" /srv/seed/log
	jlog "/tmp/seed0-$1" "seed0-$1"
	$V log "/tmp/seed0-$1" --json --kind guest-start | sed "s/^/json-start-$1=/"
	jlog "/tmp/seed1000-$1" "seed1000-$1"
}

# 2. Bell-LaPadula: guest root with clearance 2 against levels 1, 2, 3, exempt, unlabelled.
blp() { # BACKEND
	D=/srv/b/g/d
	rm -rf /srv/b && mkdir -p $D
	for f in low eq high exempt zero; do echo $f >$D/$f; done
	chown -R $GR:$GR /srv/b
	printf 'blp on\nlevel %s/low 1\nlevel %s/eq 2\nlevel %s/high 3\nlevel %s/exempt -\nlevel /dev/ -\nclearance 0 2\n' \
		$D $D $D $D >/srv/blp.acl
	$V run --backend "$1" --policy /srv/blp.acl --log "/tmp/blp-$1" -- /vmtest/bypass --blp $D 2>&1 |
		sed "s/^/blp-$1=/"
	jlog "/tmp/blp-$1" "blp-$1"
}

# 3. A differential mini-corpus: deny rules, subtree, append-only, exec, precedence, default.
corpus() { # BACKEND
	S=/srv/c/s
	rm -rf /srv/c && mkdir -p $S/sub /srv/c/w
	echo TOPSECRET >$S/secret; echo NOREAD >$S/noread; echo PROTECTED >$S/protected
	echo LOG1 >$S/applog; echo SUBFILE >$S/sub/file; echo OPEN >$S/open
	cp /vmtest/true $S/secretbin; cp /vmtest/true $S/okbin
	chmod 0666 $S/*; chmod 0755 $S/secretbin $S/okbin $S/sub
	chown -R $GR:$GR /srv/c
	cat >/srv/c.acl <<ACL
-rw $S/secret *
-r $S/noread *
-w $S/protected *
-w $S/applog *
a $S/applog *
-r $S/sub/ *
-r $S/secretbin *
-w $S/open 1000
w $S/open *
ACL
	cat >/srv/c/script.sh <<'SCRIPT'
S=/srv/c/s
for f in secret noread protected applog sub/file open; do
	cat $S/$f >/dev/null 2>&1; r=$?
	true 2>/dev/null >>$S/$f; a=$?
	printf '%s r=%s a=%s\n' "$f" "$r" "$a"
done
$S/secretbin 2>/dev/null; echo "exec-secretbin=$?"
$S/okbin; echo "exec-okbin=$?"
cat $S/sub/nosuch 2>/dev/null; echo "sub-missing=$?"
ls $S/sub >/dev/null 2>&1; echo "ls-sub=$?"
true 2>/dev/null >$S/noread; echo "trunc-noread=$?"
true 2>/dev/null >$S/protected; echo "trunc-protected=$?"
mkdir $S/sub/new 2>/dev/null; echo "mkdir-sub=$?"
rm -f $S/protected 2>/dev/null; echo "rm-protected=$?"
SCRIPT
	$V run --backend "$1" --policy /srv/c.acl --log "/tmp/c0-$1" -- sh /srv/c/script.sh 2>&1 |
		sed "s/^/c0-$1=/"
	$V run --backend "$1" --uid 1000 --gid 1000 --policy /srv/c.acl --log "/tmp/c1000-$1" -- \
		sh /srv/c/script.sh 2>&1 | sed "s/^/c1000-$1=/"
	jlog "/tmp/c0-$1" "c0-$1"
	jlog "/tmp/c1000-$1" "c1000-$1"
}

# 3b. The bypass suite (tests/integration/bypass.sh: the same tree and access file), races short.
bypass() { # BACKEND
	T=/srv/bp-$1
	s=$T/g/s w=$T/g/w
	rm -rf $T && mkdir -p "$s/sub" "$w"
	printf 'TOPSECRET\n' >"$s/secret"
	chmod 0755 "$s/secret"
	printf 'NOREAD\n' >"$s/noread"
	printf 'PROTECTED\n' >"$s/protected"
	printf 'LOG1\n' >"$s/applog"
	printf 'SUBFILE\n' >"$s/sub/file"
	cp /vmtest/true "$s/secretbin"
	printf 'ALLOWED\n' >"$w/allowed"
	cp /vmtest/false "$w/allowedbin"
	ln "$s/secret" "$w/secret.hl"
	chown -R $GR:$GR $T/g
	cat >$T/p.acl <<ACL
-rw $s/secret *
-r  $s/noread *
-w  $s/protected *
-w  $s/applog *
a   $s/applog *
-w  $s/future *
-r  $s/sub/ *
-r  $s/secretbin *
ACL
	$V run --backend "$1" --policy $T/p.acl --log "/tmp/bp-$1" -- /vmtest/bypass "$s" "$w" 300 \
		2>/tmp/bp-$1.err | sed "s/^/bp-$1=/"
	echo "bp-$1-rc=$?"
	sed -n "s/^# \(race-[a-z0-9-]*\): \(leaked=[0-9]*\).*/bprace-$1=\1 \2/p" /tmp/bp-$1.err
	echo "bpfiles-$1=$(cat "$s/secret" "$s/protected" "$s/applog" "$s/sub/file" | tr '\n' ' ')$(cd "$s" && ls -A . sub | tr '\n' ' ')"
	# The distinct (access, decision, reason) of its records: thousands with the races.
	$V log "/tmp/bp-$1" --json --kind access |
		sed -n 's/.*"access":"\([a-z]*\)".*"decision":"\([a-z]*\)".*"reason":"\([^"]*\)".*/\1 \2 \3/p' |
		sed "s#$T/##" | sort -u | sed "s/^/bpwhy-$1=/"
}

# 3c. Pending paths: a path absent at start is decided at its creation.
pending() { # BACKEND
	D=/srv/pd
	rm -rf $D && mkdir -p $D/d && chown -R $GR:$GR $D
	printf -- '-r %s/d/new *\n-w %s/d/ro *\n' $D $D >/srv/pd.acl
	$V run --backend "$1" --policy /srv/pd.acl --log "/tmp/pd-$1" -- sh -c \
		'echo x >"$1/new"; echo "create=$?"; cat "$1/new" >/dev/null 2>&1; echo "read-new=$?"
		rm "$1/new"; echo y >"$1/new"; cat "$1/new" >/dev/null 2>&1; echo "read-new-again=$?"; rm "$1/new"; echo z >"$1/mv"; mv "$1/mv" "$1/new"; cat "$1/new" >/dev/null 2>&1; echo "read-renamed=$?"
		echo x >"$1/ro" 2>/dev/null; echo "create-ro=$?"; mkdir "$1/ro" 2>/dev/null; echo "mkdir-ro=$?"
		echo y >"$1/other"; mv "$1/other" "$1/ro" 2>/dev/null; echo "rename-onto-ro=$?"' \
		sh $D/d 2>&1 | sed "s/^/pd-$1=/"
	jlog "/tmp/pd-$1" "pd-$1"
	# Created outside the guest while it runs: uid 1000's rule for that path binds it too.
	printf -- '-r %s/d/late 1000\n' $D >/srv/pd3.acl
	mkfifo $D/ready $D/go && chmod 0666 $D/ready $D/go
	if start_guest $D/ready /tmp/pd3.out $V run --backend "$1" --uid 1000 --gid 1000 \
		--policy /srv/pd3.acl --log "/tmp/pd3-$1" -- sh -c \
		'echo r >"$1/ready"; read x <"$1/go"; cat "$1/d/late" >/dev/null 2>&1; echo "read-late=$?"' \
		sh $D; then
		echo late >$D/d/late && chmod 0644 $D/d/late
		echo go >$D/go
	else
		echo "pd3: no guest"
	fi
	wait
	sed "s/^/pd3-$1=/" /tmp/pd3.out
	rm -f $D/d/late $D/ready $D/go
	# More objects bound at a pending path than vm_nodes has room for (lsm only: the
	# guest is then refused everything, rather than leave an object there unbound).
	if [ "$1" = lsm ]; then
		rm -rf $D/f && mkdir -p $D/f && echo o >$D/f/other && chown -R $GR:$GR $D/f
		printf -- '-r %s/f/p *\n' $D >/srv/pd4.acl
		$V run --backend lsm --policy /srv/pd4.acl --log "/tmp/pd4-$1" -- \
			/vmtest/bypass --bindflood $D/f/p $D/f/other 4100 2>&1 | sed "s/^/pd4-$1=/"
		$V log "/tmp/pd4-$1" --json --kind access | tail -n 1 | sed "s/^/json-pd4-$1=/"
		rm -rf $D/f
	fi
	# The programs' scratch key for pending paths held (as by a program preempted while
	# filling it: the VM's root sets its busy word with bpftool): whether a new name is a
	# pending path cannot be told, so a create or a rename there is refused; once free, allowed.
	if [ "$1" = lsm ] && command -v bpftool >/dev/null; then
		rm -rf $D/h && mkdir -p $D/h && echo o >$D/h/other && chown -R $GR:$GR $D/h
		printf -- '-r %s/h/new *\n' $D >/srv/pd5.acl
		mkfifo $D/ready $D/go && chmod 0666 $D/ready $D/go
		if start_guest $D/ready /tmp/pd5.out $V run --backend lsm --policy /srv/pd5.acl \
			--log "/tmp/pd5-$1" -- sh -c 'echo r >"$1/ready"; read x <"$1/go"
			{ echo x >"$1/h/new"; } 2>/dev/null; echo "create-held=$?"
			mv "$1/h/other" "$1/h/new" 2>/dev/null; echo "rename-held=$?"
			echo r >"$1/ready"; read x <"$1/go"
			echo x >"$1/h/new"; echo "create-free=$?"' sh $D; then
			held=$(awk 'BEGIN { for (i = 0; i < 272; i++) printf "00 "; printf "01 00 00 00 00 00 00 00" }')
			free=$(awk 'BEGIN { for (i = 0; i < 280; i++) printf "00 " }')
			# shellcheck disable=SC2086 # one word per byte
			bpftool map update name vm_scratch key 0 0 0 0 value $held && echo "pd5-$1=held=ok"
			echo go >$D/go
			read x <$D/ready
			# shellcheck disable=SC2086
			bpftool map update name vm_scratch key 0 0 0 0 value $free && echo "pd5-$1=freed=ok"
			echo go >$D/go
		else
			echo "pd5: no guest"
		fi
		wait
		sed "s/^/pd5-$1=/" /tmp/pd5.out
		jlog "/tmp/pd5-$1" "pd5-$1"
		rm -rf $D/h $D/ready $D/go
	fi
	# A pending path whose directory does not exist yet either.
	printf -- '-r %s/x/deep *\n' $D >/srv/pd2.acl
	{ $V run --backend "$1" --policy /srv/pd2.acl --log "/tmp/pd2-$1" -- sh -c \
		'mkdir "$1/x" && echo s >"$1/x/deep" && cat "$1/x/deep"' sh $D 2>&1; echo "rc=$?"; } |
		sed "s/^/pd2-$1=/"
}

# The open cache: lsm keeps an allowed open's answer per inode, from the
# inode's second open on (so each case opens twice first).  After a rename
# above the file, through a new name for it, after a binding at a pending
# path, and for another uid, the answer is decided anew.  The seccomp
# backend, which keeps none, agrees.
ocache() { # BACKEND
	D=/srv/oc
	rm -rf $D && mkdir -p $D/pub/dir $D/pub/m $D/sec $D/p
	echo f >$D/pub/dir/f && echo g >$D/pub/g && echo m >$D/pub/m/f && echo u >$D/pub/u
	chown -R $GR:$GR $D
	printf -- '-r %s/sec/ *\n-r %s/p/new/ *\n-r %s/pub/u 1000\n' $D $D $D >/srv/oc.acl
	$V run --backend "$1" --policy /srv/oc.acl --log "/tmp/oc-$1" -- sh -c '
		r() { cat "$1" >/dev/null 2>&1; echo "$2=$?"; }
		r "$1/pub/dir/f" first; r "$1/pub/dir/f" again; r "$1/pub/dir/f" kept
		mv "$1/pub/dir" "$1/sec/dir"; echo "mv-in=$?"; r "$1/sec/dir/f" moved-in
		ln "$1/pub/g" "$1/sec/g"; echo "ln=$?"; r "$1/pub/g" g; r "$1/pub/g" g
		r "$1/sec/g" linked; r "$1/pub/g" g-again
		r "$1/pub/m/f" m; r "$1/pub/m/f" m; mv "$1/pub/m" "$1/p/new"; echo "mv-pending=$?"
		r "$1/p/new/f" bound
		/vmtest/bypass --asuid "$1/pub/u" 1000' sh $D 2>&1 | sed "s/^/oc-$1=/"
	jlog "/tmp/oc-$1" "oc-$1"
}

# 3d. Syslog capture: under lsm the kernel records each message's sender as
# it is sent.  One run (each lsm start verifies the programs: seconds under
# TCG) also passes an open file (SCM_RIGHTS) from root, who may read it, to
# uid 1000, who may not.
capture() { # BACKEND
	D=/srv/fp
	rm -rf $D && mkdir -p $D && echo FDSECRET >$D/secret && chmod 0644 $D/secret
	chown -R $GR:$GR $D
	printf -- '-r %s/secret 1000\n' $D >/srv/fp.acl
	$V run --backend "$1" --policy /srv/fp.acl --log "/tmp/cap-$1" -- sh -c \
		'logger -t lg "hello from logger"; /vmtest/sendswap 10; /vmtest/flood -p 4 -n 100 >/dev/null
		/vmtest/sendswap 10 kill; /vmtest/sendswap 10 stream; /vmtest/bypass --fdpass "$1" 1000' \
		sh $D/secret 2>&1 | sed "s/^/cap-$1=/"
	echo "cap-$1-rc=$?"
	$V log "/tmp/cap-$1" --json --kind syslog | sed "s/^/json-cap-$1=/"
	$V log "/tmp/cap-$1" --json --kind lost | sed "s/^/json-caplost-$1=/"
	jlog "/tmp/cap-$1" "fp-$1"
}

# 3f. A protected file on overlayfs whose layers are two file systems: stat(2)
# may report a layer's device, not the overlay's.  Never a silent bypass.
overlay() { # BACKEND
	O=/srv/ov
	[ -e /vmtest/overlay.ko ] && ! grep -qw overlay /proc/filesystems && insmod /vmtest/overlay.ko
	umount $O/m $O/l $O/uw 2>/dev/null
	rm -rf $O && mkdir -p $O/l $O/uw $O/m
	mount -t tmpfs lower $O/l && mount -t tmpfs upper $O/uw && mkdir $O/uw/u $O/uw/w
	echo OVSECRET >$O/l/secret && chmod 0644 $O/l/secret
	mount -t overlay ov -o lowerdir=$O/l,upperdir=$O/uw/u,workdir=$O/uw/w $O/m
	printf -- '-r %s/m/secret *\n' $O >/srv/ov.acl
	{ $V run --backend "$1" --policy /srv/ov.acl --log "/tmp/ov-$1" -- cat $O/m/secret 2>&1; echo "rc=$?"; } |
		sed "s/^/ov-$1=/"
	umount $O/m $O/l $O/uw
}

# 3g. btrfs: subvolumes share a super block and number their inodes anew,
# and stat(2) reports each subvolume's device.  Rules on subvolume sv and
# below reach those objects (also through sv mounted on its own at /srv/bs,
# and across the nested subvolume sv2), not the objects with the same inode
# numbers in the top-level subvolume (x and f are both 257, the two
# subvolume roots 256).  A pending path on btrfs is bound when it appears,
# and a sender run from btrfs is recorded with its executable.
btrfs_case() { # BACKEND
	[ -e /vmtest/btrfs/btrfs.ko ] || return 0
	if ! grep -qw btrfs /proc/filesystems; then
		for m in crc32c_generic libcrc32c xor raid6_pq zstd_compress btrfs; do
			insmod /vmtest/btrfs/$m.ko || echo "bt-insmod-$m=failed"
		done
		insmod /vmtest/btrfs/brd.ko rd_nr=1 rd_size=262144 || echo "bt-insmod-brd=failed"
	fi
	S=/srv/bt/sv
	if ! grep -q ' /srv/bt ' /proc/mounts; then
		{ mkfs.btrfs -q /dev/ram0 >/dev/null && mkdir -p /srv/bt /srv/bs &&
			mount -t btrfs /dev/ram0 /srv/bt && btrfs -q subvolume create $S &&
			echo TOP >/srv/bt/x && echo SUB >$S/f && : >/srv/bt/y && mkdir $S/nest /srv/bt/p &&
			btrfs -q subvolume create $S/nest/sv2 && echo G >$S/nest/sv2/g && : >$S/h &&
			cp /bin/busybox $S/busybox && mount -t btrfs -o subvol=sv /dev/ram0 /srv/bs &&
			chmod -R a+rwX /srv/bt; } || echo "bt-setup=failed"
	fi
	rm -f /srv/bt/p/new
	echo "bt-stat-$1=$(stat -c '%d:%i' /srv/bt /srv/bt/x $S $S/f /srv/bs/f $S/nest/sv2/g | tr '\n' ' ')"
	printf -- '-r %s/f *\n-r %s/nest/ *\n-a %s/ *\n-r /srv/bt/p/new *\n' $S $S $S >/srv/bt.acl
	{ $V run --backend "$1" --policy /srv/bt.acl --log "/tmp/bt-$1" -- sh -c '
		S=/srv/bt/sv
		cat /srv/bt/x; echo "x=$?"
		cat $S/f; echo "f=$?"
		cat /srv/bs/f; echo "bs=$?"
		echo A >>/srv/bt/y; echo "append-top=$?"
		echo A >>$S/h; echo "append-sv=$?"
		cat $S/nest/sv2/g; echo "sv2=$?"
		echo N >/srv/bt/p/new; echo "create-pending=$?"
		cat /srv/bt/p/new; echo "read-pending=$?"
		$S/busybox logger -t btrfs-sender from-btrfs; echo "logger=$?"' 2>&1
	  echo "rc=$?"; } | sed "s/^/bt-$1=/"
	jlog "/tmp/bt-$1" "bt-$1"
	$V log "/tmp/bt-$1" --json --kind syslog | sed "s/^/json-btlog-$1=/"
}

# btrfs again, from a btrfs.ko without BTF (as on a kernel built without
# CONFIG_DEBUG_INFO_BTF_MODULES): under lsm btrfs objects are refused, nothing else.
btrfs_nobtf() { # BACKEND
	[ "${1:-lsm}" = lsm ] && [ -e /vmtest/btrfs/nobtf/btrfs.ko ] && grep -q ' /srv/bt ' /proc/mounts ||
		return 0
	umount /srv/bs /srv/bt && rmmod btrfs && insmod /vmtest/btrfs/nobtf/btrfs.ko &&
		mount -t btrfs /dev/ram0 /srv/bt || echo "bt-nobtf=setup failed"
	echo "bt-nobtf=btf=$(ls /sys/kernel/btf | grep -c '^btrfs$')"
	{ $V run --backend lsm --policy /srv/bt.acl -- true 2>&1; echo "rc=$?"; } | sed 's/^/bt-nobtf=/'
	printf -- '-r /srv/seed *\n' >/srv/bt-other.acl
	{ $V run --backend lsm --policy /srv/bt-other.acl -- cat /srv/bt/x 2>&1; echo "rc=$?"; } |
		sed 's/^/bt-nobtf-other=/'
}

# 3b. A path longer than a record carries (LSM_PATH_MAX): the lsm record keeps its tail, after "...".
# (lsm only: the broker refuses a path whose full form is longer than PATH_MAX, ENAMETOOLONG.)
longpath() { # BACKEND
	[ "$1" = lsm ] || return 0
	mkdir -p /srv/lp-$1 && chown $GR:$GR /srv/lp-$1 # (too deep for rm -r)
	printf -- '-r /srv/lp-%s/ *\n' "$1" >/srv/lp.acl
	$V run --backend "$1" --policy /srv/lp.acl --log "/tmp/lp-$1" -- sh -c '
		n=$(printf "%0200d" 0)
		cd -P "$1" || exit 1
		for i in $(seq 1 24); do mkdir "$n" && cd -P "$n" || exit 1; done
		echo x >deepfile; echo "deep-write=$?"
		cat deepfile >/dev/null 2>&1; echo "deep-read=$?"' sh "/srv/lp-$1" 2>&1 | sed "s/^/lp-$1=/"
	jlog "/tmp/lp-$1" "lp-$1"
}

# 3c. The xattr hooks get no mount: a file system mounted below a rule's directory (/srv/xr/m
# below "-w /srv/xr/"), and one below no rule (/xm2).  tmpfs on 6.1 has no user xattrs: what
# the policy lets through gets EOPNOTSUPP.
xmount() { # BACKEND
	mkdir -p /srv/xr/m /xm2
	grep -q ' /srv/xr/m ' /proc/mounts || mount -t tmpfs -o mode=0777 xr /srv/xr/m
	grep -q ' /xm2 ' /proc/mounts || mount -t tmpfs -o mode=0777 xm2 /xm2
	: >/srv/xr/m/f && : >/xm2/f && chmod 0666 /srv/xr/m/f /xm2/f
	printf -- '-w /srv/xr/ *\n' >/srv/xr.acl
	$V run --backend "$1" --policy /srv/xr.acl --log "/tmp/xr-$1" -- sh -c \
		'/vmtest/bypass --xattr /srv/xr/m/f; /vmtest/bypass --xattr /xm2/f' 2>&1 | sed "s/^/xr-$1=/"
	jlog "/tmp/xr-$1" "xr-$1"
	# Opens below mounts (the walk goes on past each mount root): a tmpfs on a
	# tmpfs below "-r /srv/xr/", two stacked at one point, and one below no rule.
	grep -q ' /srv/xr/m/m2 ' /proc/mounts || { mkdir -p /srv/xr/m/m2 && mount -t tmpfs xm /srv/xr/m/m2; }
	if ! grep -q ' /srv/xr/s ' /proc/mounts; then
		mkdir -p /srv/xr/s && mount -t tmpfs s1 /srv/xr/s && mount -t tmpfs s2 /srv/xr/s
	fi
	echo a >/srv/xr/m/m2/g && echo b >/srv/xr/s/f && echo c >/xm2/g && echo d >/srv/xr/m/m2/h
	chmod 0666 /srv/xr/m/m2/g /srv/xr/s/f /xm2/g /srv/xr/m/m2/h
	printf -- '-r /srv/xr/ *\n+r /srv/xr/m/m2/h *\n-a /srv/xr/m/m2/ *\n' >/srv/xm.acl
	$V run --backend "$1" --policy /srv/xm.acl --log "/tmp/xm-$1" -- sh -c \
		'for f in /srv/xr/m/f /srv/xr/m/m2/g /srv/xr/s/f /xm2/g /srv/xr/m/m2/h; do
			cat $f >/dev/null 2>&1; echo "read $f $?"; done
		echo x >>/srv/xr/m/m2/h 2>/dev/null; echo "append m2/h $?"' 2>&1 | sed "s/^/xm-$1=/"
	jlog "/tmp/xm-$1" "xm-$1"
	# On the root file system, where the walk meets the task's root: the whole path recorded.
	mkdir -p /srv/xr3 && : >/srv/xr3/f && chmod 0666 /srv/xr3/f
	printf -- '-w /srv/xr3/ *\n' >/srv/xr3.acl
	$V run --backend "$1" --policy /srv/xr3.acl --log "/tmp/xr3-$1" -- /vmtest/bypass --xattr /srv/xr3/f \
		2>&1 | sed "s/^/xr3-$1=/"
	jlog "/tmp/xr3-$1" "xr3-$1"
	# A rule on the root directory itself is above every mount.
	printf -- '-w / *\n' >/srv/xr2.acl
	$V run --backend "$1" --policy /srv/xr2.acl --log "/tmp/xr2-$1" -- /vmtest/bypass --xattr /xm2/f 2>&1 |
		sed "s/^/xr2-$1=/"
}

# With arguments (sections, for development): those sections alone.
[ -n "$1" ] && { for t in "$@"; do for b in lsm seccomp; do "$t" $b; done; done; exit 0; }

for b in lsm seccomp; do
	for t in capture overlay pending ocache seed blp corpus longpath xmount bypass; do
		t0=$(date +%s)
		echo "begin=$t-$b" # what a VM that never finished was doing
		$t $b
		echo "time-$t-$b=$(($(date +%s) - t0))"
	done
done

# 4. Scope: while a guest under --backend lsm runs, the VM's own root is not affected.
echo "begin=scope"
mkdir -p /srv/sc && echo SCOPE >/srv/sc/f && chmod 0644 /srv/sc/f
mkfifo /srv/sc/go /srv/sc/ready && chmod 0666 /srv/sc/go /srv/sc/ready
printf -- '-r /srv/sc/f *\n' >/srv/sc.acl
# Once the guest has been denied, the programs are attached.
if start_guest /srv/sc/ready /tmp/sc.out $V run --backend lsm --policy /srv/sc.acl --log /tmp/sc -- \
	sh -c 'cat /srv/sc/f 2>/dev/null; echo "guest-read=$?"; echo r >/srv/sc/ready; read x </srv/sc/go'; then
	cat /srv/sc/f >/dev/null 2>&1
	echo "host-read-during=$?"
	echo go >/srv/sc/go
else
	echo "scope: no guest"
fi
wait
echo "scope-rc=$(cat /tmp/sc.out.rc)"
sed 's/^/scope-guest=/' /tmp/sc.out

# 5. Lifetime: after a normal exit and after kill -9 of vmmsec, no program, link or pin is left.
echo "begin=lifetime"
if command -v bpftool >/dev/null; then
	# Without an access file only syslog capture's programs are attached; --audit all adds the rest.
	for a in deny all; do
		start_guest /srv/sc/ready /tmp/np.out $V run --backend lsm --audit $a --log /tmp/np-$a -- \
			sh -c 'cat /srv/sc/f >/dev/null; echo r >/srv/sc/ready; read x </srv/sc/go' ||
			echo "no-policy: no guest"
		echo "progs-nopolicy-$a=$(bpftool prog show 2>/dev/null |
			sed -n 's/.* name \(vmmsec_[a-z_]*\) .*/\1/p' | sort | tr '\n' ' ')"
		echo go >/srv/sc/go
		wait
		jlog /tmp/np-$a np-$a
	done
	echo "progs-after-exit=$(bpftool prog show 2>/dev/null | grep -c vmmsec_)"
	start_guest /srv/sc/ready /tmp/k9.out $V run --backend lsm --policy /srv/sc.acl --log /tmp/k9 -- \
		sh -c 'echo r >/srv/sc/ready; read x </srv/sc/go' || echo "lifetime: no guest"
	echo "progs-while-running=$(bpftool prog show 2>/dev/null | grep -c vmmsec_)"
	kill -9 "$(cat /tmp/k9.out.pid)"
	wait
	echo "progs-after-kill=$(bpftool prog show 2>/dev/null | grep -c vmmsec_)"
	echo "links-after-kill=$(bpftool link show 2>/dev/null | grep -c lsm_mac)"
	echo "pins-after-kill=$(ls /sys/fs/bpf | wc -l)"
fi

# Last: once btrfs is loaded, its BTF is there and every later start verifies the btrfs code too.
for b in lsm seccomp; do
	t0=$(date +%s)
	echo "begin=btrfs_case-$b"
	btrfs_case $b
	echo "time-btrfs_case-$b=$(($(date +%s) - t0))"
done
btrfs_nobtf
exit 0
