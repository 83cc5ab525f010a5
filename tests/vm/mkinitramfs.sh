#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the VM-tier initramfs: static busybox, tests/vm/guest-init.sh as
# /init, the helpers of tests/vm/guest-lib.sh, and the given files.
#
#   mkinitramfs.sh [-K] [-p PLAN] OUT.cpio.gz [FILE...]
#
#   -K       also carry kvm.ko, kvm-intel.ko and irqbypass.ko of the boot
#            kernel under /lib/modules/<ver>/ (insmod them in that order),
#            and zsmalloc.ko and zram.ko (in that order) for a swap device
#   -p PLAN  shell script to run as /opt/hvmm/run.sh (the test plan)
#   FILE     copied into /opt/hvmm/ (on $PATH in the guest): hvmm.ko,
#            selftest programs, ...  Executables are stripped (if ELF).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kvm=0 plan=
while getopts Kp: o; do
	case $o in
	K) kvm=1 ;;
	p) plan=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-K] [-p PLAN] OUT.cpio.gz [FILE...]" >&2; exit 2; }
out=$1
shift

busybox=$(command -v busybox)
# A dynamic busybox would find no libc in the initramfs.
if readelf -l "$busybox" | grep -q INTERP; then
	echo "$busybox is not static: apt-get install busybox-static" >&2
	exit 1
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" \
	"$root/tmp" "$root/opt/hvmm" "$root/etc"
cp "$busybox" "$root/bin/busybox"
for a in $("$busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
cp "$here/guest-init.sh" "$root/init"
cp "$here/guest-lib.sh" "$root/opt/hvmm/lib.sh"
chmod 755 "$root/init"

if [ -n "$plan" ]; then
	cp "$plan" "$root/opt/hvmm/run.sh"
	chmod 755 "$root/opt/hvmm/run.sh"
fi

for f in "$@"; do
	cp "$f" "$root/opt/hvmm/"
	b=$root/opt/hvmm/$(basename "$f")
	# Smaller initramfs, faster Bochs boot; .ko files keep their symbols.
	case $b in
	*.ko) ;;
	*) [ -x "$b" ] && { strip "$b" 2>/dev/null || true; } ;;
	esac
done

if [ $kvm -eq 1 ]; then
	v=$("$here/kver.sh")
	m=/lib/modules/$v/kernel
	for k in virt/lib/irqbypass.ko arch/x86/kvm/kvm.ko \
		 arch/x86/kvm/kvm-intel.ko mm/zsmalloc.ko \
		 drivers/block/zram/zram.ko; do
		src=$m/$k
		[ -e "$src" ] || src=$(ls "$src".* 2>/dev/null | head -n 1)
		[ -e "$src" ] || { echo "missing $m/$k" >&2; exit 1; }
		mkdir -p "$(dirname "$root$m/$k")"
		# busybox insmod has no decompressor: unpack .ko.xz/.ko.zst.
		case $src in
		*.xz) xz -dc "$src" > "$root$m/$k" ;;
		*.zst) zstd -dc "$src" > "$root$m/$k" ;;
		*.gz) gzip -dc "$src" > "$root$m/$k" ;;
		*) cp "$src" "$root$m/$k" ;;
		esac
	done
	echo "$v" > "$root/opt/hvmm/kver"
fi

(cd "$root" && find . | sort | cpio -o -H newc --quiet) | gzip -6 > "$out"
