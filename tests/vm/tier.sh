#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run one VM test tier end to end and leave TAP files in
# build/results/<tier>/:
#   tests/vm/tier.sh qemu    QEMU TCG, no VT-x   (make check-qemu-run)
#   tests/vm/tier.sh vmx     Bochs with VT-x     (make check-vmx-run)
# Builds hvmm.ko and the selftests (build.tap says whether that worked),
# boots the stock Debian kernel with tests/vm/plan-<tier>.sh, and turns
# the console into TAP with check-console.sh.  $VM_TIMEOUT overrides the
# emulator's time limit (seconds).
set -u
tier=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
make=${MAKE:-make}
res=$top/build/results/$tier
work=$top/build/vm/$tier
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
if $make --no-print-directory selftests > "$work/selftests.log" 2>&1; then
	echo "ok 2 selftests and exit_bench build" >> "$build"
else
	echo "not ok 2 selftests and exit_bench build (see $work/selftests.log)" >> "$build"
	grep -m 20 'error' "$work/selftests.log" | sed 's/^/# /' >> "$build"
fi
echo "1..2" >> "$build"
if [ -z "$mod" ]; then
	echo "tier $tier: hvmm.ko did not build; nothing to boot" >&2
	exit 1
fi

tests=$(ls build/selftests/*_test 2>/dev/null)
names=
for t in $tests; do
	names="$names $(basename "$t")"
done
bench=
[ -x build/bench/exit_bench ] && bench=build/bench/exit_bench
case $tier in
qemu)
	emu=qemu kvm= secs=${VM_TIMEOUT:-300}
	expected="module$names"
	noskip="module api_test"
	strict=
	;;
vmx)
	emu=bochs kvm=-K secs=${VM_TIMEOUT:-840}
	expected="kvm module"
	for n in $names; do
		[ "$n" = vmx_busy_test ] && expected="$expected $n" && continue
		expected="$expected kvm-$n $n"
	done
	# With VT-x nothing may skip but what tests/vm/accepted-skips
	# lists (e.g. hvmm's own i8042 on stock KVM, which has none).
	strict="-s $here/accepted-skips"
	;;
*)
	echo "usage: $0 qemu|vmx" >&2
	exit 2
	;;
esac

"$here/boot.sh" -e $emu $kvm -t "$secs" -o "$work" -p "$here/plan-$tier.sh" \
	hvmm.ko $tests $bench
cp "$work/console.log" "$res/console.log" 2>/dev/null
[ -e "$work/bochs.log" ] && cp "$work/bochs.log" "$res/bochs.log"
# shellcheck disable=SC2086
"$here/check-console.sh" $strict "$work/console.log" "$res" "$expected" \
	"${noskip:-}"
rc=$?
if [ "$tier" = vmx ]; then
	# The plan prints each comparison twice (live and replayed).
	lines=$(tr -d '\r' < "$work/console.log" |
		grep -a '^exit_bench: [a-z_]* hvmm=' | sort -u)
	echo "${lines:-exit_bench: no result on the console}" | tee "$res/bench.txt"
fi
exit $rc
