#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot Debian's stock kernel with an initramfs holding busybox, the given
# files (hvmm.ko, selftests, ...) and a test plan, in QEMU TCG (no VT-x)
# or in Bochs (VT-x), and capture the serial console.
#
# Usage: tests/vm/boot.sh [options] [FILE...]
#   -e qemu|bochs   emulator (default qemu)
#   -p PLAN         shell script run in the guest as /opt/hvmm/run.sh; it
#                   may `. /opt/hvmm/lib.sh` for run_test/tap_step
#   -c 'CMD'        or: a command line to run in the guest (sh -c)
#                   (with neither: every executable FILE is run in order)
#   -K              carry kvm, kvm-intel and irqbypass .ko (insmod them:
#                   /lib/modules/$(cat /opt/hvmm/kver)/kernel/...), and
#                   zsmalloc and zram for swap (see plan-vmx.sh)
#   -o DIR          output folder (default build/vm/<emulator>): holds
#                   console.log, initramfs.cpio.gz, and for Bochs
#                   bochs.log (the emulated CPU's side: VMX instruction
#                   failures, VM-entry checks, triple faults) and boot.iso
#   -t SECONDS      kill the emulator after this long (default qemu 180,
#                   bochs 900): a hang ends as a failure, never forever
#                   (QEMU: 0 runs until it is stopped)
#   -m MEGS         guest memory (default 512)
#   -j CPUS         QEMU: guest CPUs (default 1)
#   -a 'ARGS'       extra kernel command line arguments
#   FILE            copied into /opt/hvmm/ in the guest (on $PATH)
#
# Examples:
#   tests/vm/boot.sh -c 'insmod /opt/hvmm/hvmm.ko && ls -l /dev/hvmm' hvmm.ko
#   tests/vm/boot.sh -e bochs -c 'insmod /opt/hvmm/hvmm.ko; \
#       HVMM_DEV=/dev/hvmm pio_test' hvmm.ko build/selftests/pio_test
#
# While the emulator runs, each result as the guest reports it (the
# HVMM-TEST-END and HVMM-STEP lines) and any kernel splat
# (tests/vm/splats) is printed on stdout with the seconds since the
# emulator started; $BOOT_LABEL (default the emulator) prefixes them.
#
# Inside the guest everything the plan prints goes to the console live;
# then every run_test result is replayed between HVMM-RESULT-BEGIN/END
# markers, the kernel log between HVMM-DMESG-BEGIN/END, and the guest
# powers off (HVMM-POWEROFF).  Exit status: 0 when the console shows
# HVMM-POWEROFF, 1 on a timeout or when the guest died before it.
# Only one Bochs runs at a time on the shared host: a lock serialises them.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
emu=qemu plan= cmd= kvm= out= secs= megs=512 extra= cpus=1
while getopts e:p:c:Ko:t:m:a:j: o; do
	case $o in
	e) emu=$OPTARG ;;
	p) plan=$OPTARG ;;
	c) cmd=$OPTARG ;;
	K) kvm=-K ;;
	o) out=$OPTARG ;;
	t) secs=$OPTARG ;;
	m) megs=$OPTARG ;;
	a) extra=$OPTARG ;;
	j) cpus=$OPTARG ;;
	*) sed -n '3,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//;$d' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case $emu in
qemu) : "${secs:=180}" ;;
bochs) : "${secs:=900}" ;;
*) echo "boot.sh: unknown emulator $emu" >&2; exit 2 ;;
esac
: "${out:=$top/build/vm/$emu}"
mkdir -p "$out"
out=$(cd "$out" && pwd)
kver=$("$here/kver.sh")
kernel=/boot/vmlinuz-$kver

# The plan: given, made from -c, or "run every executable FILE".
if [ -z "$plan" ]; then
	plan=$out/plan.sh
	{
		echo '#!/bin/sh'
		echo '. /opt/hvmm/lib.sh'
		if [ -n "$cmd" ]; then
			printf 'sh -c %s\n' "'$(printf '%s' "$cmd" | sed "s/'/'\\\\''/g")'"
		else
			for f in "$@"; do
				[ -x "$f" ] || continue
				b=$(basename "$f")
				echo "run_test $b 300 /opt/hvmm/$b"
			done
		fi
	} > "$plan"
fi

initrd=$out/initramfs.cpio.gz
"$here/mkinitramfs.sh" $kvm -p "$plan" "$initrd" "$@"
console=$out/console.log
rm -f "$console"

append="console=ttyS0,115200 panic=-1 oops=panic quiet $extra"
rc=0

# follow: print the console's result lines and splats as they come,
# every 2 s, until $out/.follow-stop exists (then one last look).  Only
# the live part: the replay after HVMM-RUNNER-DONE repeats it all.
label=${BOOT_LABEL:-$emu}
stop=$out/.follow-stop
rm -f "$stop"
grep -v '^#' "$here/splats" | grep -v '^$' > "$out/.splats"
follow()
{
	set +e
	seen=0 t0=$(date +%s) last=
	while [ -z "$last" ]; do
		[ -e "$stop" ] && last=1
		[ -e "$console" ] || { sleep 2; continue; }
		total=$(wc -l < "$console")
		end=$(grep -an 'HVMM-RUNNER-DONE' "$console" | head -n 1 |
			cut -d: -f1)
		[ -n "$end" ] && [ "$end" -lt "$total" ] && total=$end
		if [ "$total" -gt "$seen" ]; then
			sed -n "$((seen + 1)),${total}p" "$console" | tr -d '\r' |
			grep -a -e '^HVMM-TEST-END ' -e '^HVMM-STEP ' \
				-e 'HVMM-RUNNER-' -Ef "$out/.splats" |
			sed "s/^/  [$label $(($(date +%s) - t0))s] /"
			seen=$total
		fi
		[ -n "$last" ] || sleep 2
	done
}
stop_follow()
{
	touch "$stop"
	wait "$1" 2>/dev/null || :
	rm -f "$stop"
}
if [ $emu = qemu ]; then
	follow &
	fpid=$!
	timeout -s KILL "$secs" qemu-system-x86_64 -M pc -m "$megs" \
		-cpu qemu64 -smp "$cpus" -nographic -no-reboot -display none \
		-monitor none -serial "file:$console" \
		-kernel "$kernel" -initrd "$initrd" -append "$append" \
		< /dev/null > "$out/qemu.log" 2>&1 || rc=$?
	stop_follow $fpid
else
	iso=$out/boot.iso
	isodir=$out/iso
	rm -rf "$isodir"
	mkdir -p "$isodir/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \
		"$isodir/isolinux/"
	cp "$kernel" "$isodir/vmlinuz"
	cp "$initrd" "$isodir/initrd.gz"
	# tsc_early_khz: Bochs' TSC counts instructions (ips), see design.md.
	# noxsave: Bochs 2.7's Skylake-X reports an XSAVE area size (CPUID
	# 0xd) that disagrees with its features; Linux then WARNs in
	# fpu__init_system_xstate() and turns XSAVE off anyway.  Turning it
	# off up front gives the same FPU set-up without a splat that would
	# fail every boot's console check.
	cat > "$isodir/isolinux/isolinux.cfg" <<-CFG
	default hvmm
	prompt 0
	timeout 0
	label hvmm
	  kernel /vmlinuz
	  append initrd=/initrd.gz $append tsc_early_khz=200000 noxsave
	CFG
	genisoimage -quiet -o "$iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table -J -R "$isodir"
	rm -rf "$isodir"
	sed -e "s|@MEGS@|$megs|" -e "s|@ISO@|$iso|" -e "s|@CONSOLE@|$console|" \
		-e "s|@LOG@|$out/bochs.log|" "$here/bochsrc.in" > "$out/bochsrc"
	printf 'c\nquit\n' > "$out/bochs.rc"
	# One Bochs at a time on this 2-core host, whoever starts it.
	lock=${TMPDIR:-/tmp}/hvmm-bochs.lock
	(
		if ! flock -n 9; then
			echo "  [$label] waiting for the Bochs lock ($lock): another Bochs runs"
			w=$(date +%s)
			flock 9
			echo "  [$label] got the Bochs lock after $(($(date +%s) - w))s"
		fi
		cd "$out"
		bochs -q -f "$out/bochsrc" -rc "$out/bochs.rc" \
			< /dev/null > "$out/bochs.out" 2>&1 &
		bpid=$!
		follow &
		fpid=$!
		# Our own time limit, and: Bochs has no -no-reboot, so after a
		# panic (oops=panic, panic=-1) it would boot the ISO again and
		# again.  Stop it at the first panic or reboot message.
		t=0
		while kill -0 $bpid 2>/dev/null; do
			if grep -aq 'Kernel panic - not syncing\|reboot: Restarting' \
				"$console" 2>/dev/null; then
				sleep 3
				kill -KILL $bpid 2>/dev/null
				wait $bpid || :
				stop_follow $fpid
				exit 3
			fi
			if [ $t -ge "$secs" ]; then
				kill -KILL $bpid 2>/dev/null
				wait $bpid || :
				stop_follow $fpid
				exit 137
			fi
			sleep 2
			t=$((t + 2))
		done
		brc=0
		wait $bpid || brc=$?
		stop_follow $fpid
		exit $brc
	) 9> "$lock" || rc=$?
fi
rm -f "$out/.splats"
touch "$console"
if grep -q '^HVMM-POWEROFF' "$console"; then
	exit 0
fi
if [ $rc -eq 3 ]; then
	echo "boot.sh: the guest panicked or rebooted; Bochs stopped; console: $console" >&2
elif [ $rc -eq 137 ]; then
	echo "boot.sh: $emu killed after ${secs}s; console: $console" >&2
else
	echo "boot.sh: $emu ended (status $rc) before HVMM-POWEROFF; console: $console" >&2
fi
exit 1
