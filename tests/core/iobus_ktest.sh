#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build tests/core/iobus_ktest.c (src/core/iobus.c inside a throw-away
# module) and load it in QEMU TCG; its KTAP lands on the console and in
# build/results/iobus-ktest/.  Exit 0 when every check passed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$top/build/iobus-ktest
res=$top/build/results/iobus-ktest
kdir=${KDIR:-$("$top/tools/kdir.sh")}
rm -rf "$work" "$res"
mkdir -p "$work/mod" "$res"
ln -s "$here/iobus_ktest.c" "$work/mod/iobus_ktest.c"
{
	echo 'obj-m := iobus_ktest.o'
	echo "ccflags-y := -I$top/src/core -I$top/src -I$top/include/uapi"
} > "$work/mod/Kbuild"
if ! make -C "$kdir" M="$work/mod" C=2 W=1 modules > "$work/build.log" 2>&1 ||
   grep -q 'warning:' "$work/build.log"; then
	echo "not ok: iobus_ktest build (see $work/build.log)"
	exit 1
fi
"$top/tests/vm/boot.sh" -e qemu -t 120 -o "$work/vm" \
	-c 'insmod /opt/hvmm/iobus_ktest.ko; echo "iobus_ktest insmod rc=$?"' \
	"$work/mod/iobus_ktest.ko" > "$work/boot.log" 2>&1
sed -n 's/.*\] \(\(not \)\{0,1\}ok [0-9].*\|1\.\.[0-9]*\|# iobus_ktest.*\)$/\1/p' \
	"$work/vm/console.log" > "$res/iobus_ktest.tap"
cat "$res/iobus_ktest.tap"
grep -q 'iobus_ktest insmod rc=0' "$work/vm/console.log" &&
	grep -q '# iobus_ktest: 0 of' "$res/iobus_ktest.tap"
