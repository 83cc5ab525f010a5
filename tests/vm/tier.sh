#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run one VM test tier end to end and leave TAP files in
# build/results/<tier>/:
#   tests/vm/tier.sh qemu    QEMU TCG, no VT-x   (make check-qemu-run)
#   tests/vm/tier.sh vmx     Bochs with VT-x     (make check-vmx-run)
# Builds hvmm.ko and the selftests (build.tap says whether that worked),
# boots the stock Debian kernel with tests/vm/plan-<tier>.sh, and turns
# the console into TAP with check-console.sh; in the vmx tier
# bench-grade.sh grades the exit_bench runs (bench.tap, bench.txt).  $VM_TIMEOUT overrides the
# emulator's time limit (seconds).
set -u
tier=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
make=${MAKE:-make}
res=$top/build/results/$tier
work=$top/build/vm/$tier
t0=$(date +%s)
case $tier in
qemu) secs=${VM_TIMEOUT:-300} ;;
vmx) secs=${VM_TIMEOUT:-1800} ;;
*) echo "usage: $0 qemu|vmx" >&2; exit 2 ;;
esac
echo "== tier $tier: builds, then one boot with a limit of ${secs}s$([ "$tier" = vmx ] &&
	echo ' (Bochs: ~10 min, plus any wait for the Bochs lock)')"
done_msg()
{
	echo "== tier $tier: done in $(($(date +%s) - t0))s"
}
# Old results go first: nothing of an earlier run may stand in for this one.
rm -rf "$res" "$work"
mkdir -p "$res" "$work"
cd "$top" || exit 1

build=$res/build.tap
echo "TAP version 13" > "$build"
if $make --no-print-directory module > "$work/module.log" 2>&1 && [ -e hvmm.ko ]; then
	echo "ok 1 hvmm.ko builds" >> "$build"
	mod=ok
else
	echo "not ok 1 hvmm.ko builds (see $work/module.log)" >> "$build"
	tail -n 20 "$work/module.log" | sed 's/^/# /' >> "$build"
	mod=
fi
# Every selftest that builds is built (-k); one that does not is a
# "not ok" and is left out of the boot: make -q says which binaries are
# still out of date, so a stale one from an earlier build never runs.
$make --no-print-directory -k selftests > "$work/selftests.log" 2>&1
tests= names= bad= nb=2
for src in tests/selftests/x86/*_test.c; do
	n=$(basename "$src" .c)
	names="$names $n"
	if $make --no-print-directory -q "build/selftests/$n" 2>/dev/null; then
		tests="$tests build/selftests/$n"
	else
		bad="$bad $n"
	fi
done
bench=
if $make --no-print-directory -q build/bench/exit_bench 2>/dev/null; then
	bench=build/bench/exit_bench
else
	bad="$bad exit_bench"
fi
if [ -z "$bad" ]; then
	echo "ok 2 selftests and exit_bench build" >> "$build"
else
	echo "not ok 2 selftests and exit_bench build: not built:$bad (see $work/selftests.log)" >> "$build"
	grep -a -m 20 'error' "$work/selftests.log" | sed 's/^/# /' >> "$build"
	echo "selftests that did not build:$bad"
fi
echo "1..$nb" >> "$build"
if [ -z "$mod" ]; then
	echo "tier $tier: hvmm.ko did not build; nothing to boot" >&2
	done_msg
	exit 1
fi

case $tier in
qemu)
	emu=qemu kvm=
	expected="module$names"
	noskip="module api_test"
	strict=
	;;
vmx)
	emu=bochs kvm=-K
	expected="kvm module kvm-again"
	for n in $names; do
		[ "$n" = vmx_busy_test ] && expected="$expected $n" && continue
		expected="$expected kvm-$n $n"
	done
	# With VT-x nothing may skip but what tests/vm/accepted-skips
	# lists (e.g. hvmm's own i8042 on stock KVM, which has none).
	strict="-s $here/accepted-skips"
	;;
esac

BOOT_LABEL=$tier "$here/boot.sh" -e $emu $kvm -t "$secs" -o "$work" -p "$here/plan-$tier.sh" \
	hvmm.ko $tests $bench $([ "$tier" = vmx ] && echo "$here/bench-run.sh")
cp "$work/console.log" "$res/console.log" 2>/dev/null
tr -d '\r' < "$work/console.log" > "$res/.console.log" 2>/dev/null ||
	: > "$res/.console.log"
[ -e "$work/bochs.log" ] && cp "$work/bochs.log" "$res/bochs.log"
# shellcheck disable=SC2086
"$here/check-console.sh" $strict "$work/console.log" "$res" "$expected" \
	"${noskip:-}"
rc=$?
if [ "$tier" = vmx ]; then
	"$here/bench-grade.sh" "$res/.console.log" "$res/bench.tap" \
		"$res/bench.txt" || rc=1
	cat "$res/bench.txt"
fi
rm -f "$res/.console.log"
done_msg
exit $rc
