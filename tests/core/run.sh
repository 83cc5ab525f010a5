#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Test src/core/ end to end and leave TAP files in build/results/core-<mode>/
# (console.tap also fails on any oops, WARN or BUG on the console):
#
#   tests/core/run.sh [fake]  QEMU TCG, no VT-x needed: the real
#       src/core/*.c built with the fake backend (fake_vmx.c) into a
#       throw-away hvmm.ko, so every core path runs: core_test (all of
#       it), devices_test's ioctl tests, hvmm_stat, unload_test, and
#       iobus_ktest (src/core/iobus.c checked inside the kernel).
#   tests/core/run.sh vmx     Bochs with VT-x: the real hvmm.ko
#       (make module), core_test, devices_test (the in-kernel devices
#       with a guest) and unload_test against the backend.
#   tests/core/run.sh fuzz    as fake, but only ioctl_fuzz, on two
#       vCPUs, unbounded (make fuzz-ioctl; stop it with ^C).
#
# ioctl_fuzz (tests/core/ioctl_fuzz.c) runs in every mode for
# IOCTL_FUZZ_SECONDS (fake 60, vmx 20, fuzz 0 = until stopped), with
# IOCTL_FUZZ_SEED to replay a run.
#
# Clears its old results first; builds `make linux-source`
# (kselftest_harness.h) when missing; every build failure is a "not ok"
# in build.tap.  Prints each result as the guest reports it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mode=${1:-fake}
case $mode in
fake|vmx|fuzz) ;;
*) echo "usage: $0 [fake|vmx|fuzz]" >&2; exit 2 ;;
esac
work=$top/build/core-$mode
res=$top/build/results/core-$mode
kdir=${KDIR:-$("$top/tools/kdir.sh")}
harness=$top/build/linux-source-6.1/tools/testing/selftests
make=${MAKE:-make}
t0=$(date +%s)
if [ "$mode" = fake ]; then
	echo "== tier core-fake: builds, then one QEMU boot with a limit of ${VM_TIMEOUT:-480}s"
else
	echo "== tier core-vmx: builds, then one Bochs boot with a limit of ${VM_TIMEOUT:-900}s (plus any wait for the Bochs lock)"
fi
done_msg()
{
	echo "== tier core-$mode: done in $(($(date +%s) - t0))s"
}
# Old results go first: nothing of an earlier run may stand in for this one.
rm -rf "$work" "$res"
mkdir -p "$work/mod/src/core/testing" "$work/mod/src/vmx" \
	"$work/mod/src/devices" "$work/mod/include/uapi/linux" "$res"

# The module: everything the real Kbuild builds (src/core, the device
# models, the uapi), with the fake backend instead of src/vmx/*.[cS].
ln -s "$top"/src/core/*.c "$top"/src/core/*.h "$work/mod/src/core/"
ln -s "$here/fake_vmx.c" "$work/mod/src/core/testing/"
ln -s "$top/src/vmx/vmx.h" "$work/mod/src/vmx/"
ln -s "$top"/src/devices/*.[ch] "$work/mod/src/devices/"
ln -s "$top"/include/uapi/linux/*.h "$work/mod/include/uapi/linux/"
{
	grep -v 'src/vmx' "$top/Kbuild"
	echo 'hvmm-y += src/core/testing/fake_vmx.o'
} > "$work/mod/Kbuild"

tap=$res/build.tap
echo "TAP version 13" > "$tap"
nb=0
if ! $make -C "$top" --no-print-directory linux-source > "$work/linux-source.log" 2>&1; then
	nb=$((nb + 1))
	echo "not ok $nb linux-source-6.1 (kselftest_harness.h) unpacks (see $work/linux-source.log)" >> "$tap"
	tail -n 5 "$work/linux-source.log" | sed 's/^/# /' >> "$tap"
fi
nb=$((nb + 1))
if make -C "$kdir" M="$work/mod" C=2 W=1 modules > "$work/module.log" 2>&1 &&
   ! grep -q 'warning:' "$work/module.log"; then
	echo "ok $nb core + fake backend build without warnings (W=1, sparse)" >> "$tap"
else
	echo "not ok $nb core + fake backend build (see $work/module.log)" >> "$tap"
	grep -m 20 'warning:\|error' "$work/module.log" | sed 's/^/# /' >> "$tap"
fi
cflags="-static -O2 -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -I$harness"
stlib="-pthread -D_GNU_SOURCE -I$top/include/uapi -I$top/tests/selftests/include"
if gcc $cflags -o "$work/core_test" "$here/core_test.c" &&
   gcc $cflags -o "$work/unload_test" "$here/unload_test.c" &&
   gcc $cflags $stlib -o "$work/devices_test" "$here/devices_test.c" \
	"$top"/tests/selftests/lib/*.c 2> "$work/tests.log" &&
   gcc $cflags $stlib -o "$work/ioctl_fuzz" "$here/ioctl_fuzz.c" \
	2>> "$work/tests.log"; then
	echo "ok $((nb + 1)) core_test, devices_test, unload_test and ioctl_fuzz build" >> "$tap"
else
	echo "not ok $((nb + 1)) core_test, devices_test, unload_test and ioctl_fuzz build" >> "$tap"
	grep -m 20 'error' "$work/tests.log" | sed 's/^/# /' >> "$tap"
fi
nb=$((nb + 1))
# The guest cannot see our environment: the plans source this file.
case $mode in
vmx) fuzz_secs=${IOCTL_FUZZ_SECONDS:-20} ;;
fuzz) fuzz_secs=${IOCTL_FUZZ_SECONDS:-0} ;;
*) fuzz_secs=${IOCTL_FUZZ_SECONDS:-60} ;;
esac
case $fuzz_secs in
''|*[!0-9]*) echo "IOCTL_FUZZ_SECONDS must be a number" >&2; exit 2 ;;
esac
# Its run_test limit: the run, a hung batch's timeout, the kill, margin.
fuzz_limit=$((fuzz_secs + 120))
[ "$fuzz_secs" -eq 0 ] && fuzz_limit=999999999
{
	echo "IOCTL_FUZZ_SECONDS=$fuzz_secs"
	echo "IOCTL_FUZZ_LIMIT=$fuzz_limit"
	echo "IOCTL_FUZZ_SEED=${IOCTL_FUZZ_SEED:-}"
} > "$work/ioctl_fuzz.env"
# src/core/iobus.c inside a throw-away module (fake tier only: no VM)
mkdir -p "$work/ktest"
ln -s "$here/iobus_ktest.c" "$work/ktest/"
printf 'obj-m := iobus_ktest.o\nccflags-y := -I%s -I%s -I%s\n' \
	"$top/src/core" "$top/src" "$top/include/uapi" > "$work/ktest/Kbuild"
if [ "$mode" = fake ]; then
	nb=$((nb + 1))
	if make -C "$kdir" M="$work/ktest" C=2 W=1 modules > "$work/ktest.log" 2>&1
	then
		echo "ok $nb iobus_ktest.ko builds" >> "$tap"
	else
		echo "not ok $nb iobus_ktest.ko builds (see $work/ktest.log)" >> "$tap"
		grep -m 20 'warning:\|error' "$work/ktest.log" | sed 's/^/# /' >> "$tap"
	fi
fi
if [ "$mode" = vmx ]; then
	# A stale hvmm.ko from an earlier build must not be tested.
	nb=$((nb + 1))
	if $make -C "$top" --no-print-directory module > "$work/real.log" 2>&1 &&
	   [ -e "$top/hvmm.ko" ]
	then
		echo "ok $nb hvmm.ko builds" >> "$tap"
		echo "1..$nb" >> "$tap"
	else
		echo "not ok $nb hvmm.ko builds (see $work/real.log)" >> "$tap"
		echo "1..$nb" >> "$tap"
		done_msg
		exit 1
	fi
else
	echo "1..$nb" >> "$tap"
fi
[ -e "$work/mod/hvmm.ko" ] && [ -x "$work/core_test" ] || { done_msg; exit 1; }

if [ "$mode" = fuzz ]; then
	# Unbounded unless IOCTL_FUZZ_SECONDS says otherwise (timeout 0).
	vmsecs=0
	[ "$fuzz_secs" -gt 0 ] && vmsecs=$((fuzz_limit + 120))
	echo "ioctl_fuzz in QEMU, console: $work/vm/console.log"
	BOOT_LABEL=core-$mode "$top/tests/vm/boot.sh" -e qemu -j 2 \
		-t "$vmsecs" -o "$work/vm" -p "$here/plan-fuzz.sh" \
		"$work/mod/hvmm.ko" "$work/ioctl_fuzz" "$work/ioctl_fuzz.env" \
		2>&1 | tee "$work/boot.log"
	expected="core_fuzz ioctl_fuzz"
elif [ "$mode" = fake ]; then
	BOOT_LABEL=core-$mode "$top/tests/vm/boot.sh" -e qemu \
		-t "${VM_TIMEOUT:-$((300 + fuzz_limit))}" \
		-o "$work/vm" -p "$here/plan-fake.sh" "$work/mod/hvmm.ko" \
		"$work/core_test" "$work/devices_test" "$work/unload_test" \
		"$top/tools/hvmm_stat" "$work/ktest/iobus_ktest.ko" \
		"$work/ioctl_fuzz" "$work/ioctl_fuzz.env" 2>&1 |
		tee "$work/boot.log"
	expected="core_fake core_test devices_test ioctl_fuzz unload_test"
else
	BOOT_LABEL=core-$mode "$top/tests/vm/boot.sh" -e bochs -t "${VM_TIMEOUT:-900}" \
		-o "$work/vm" -p "$here/plan-vmx.sh" "$top/hvmm.ko" \
		"$work/core_test" "$work/devices_test" "$work/unload_test" \
		"$top/tools/hvmm_stat" "$work/ioctl_fuzz" \
		"$work/ioctl_fuzz.env" 2>&1 | tee "$work/boot.log"
	expected="core_vmx core_test devices_test ioctl_fuzz unload_test"
fi
cp "$work/vm/console.log" "$res/console.log" 2>/dev/null
# core-vmx: no skip but those tests/vm/accepted-skips lists (the fake
# tier skips every test that needs a guest: that is its nature).
strict=
[ "$mode" = vmx ] && strict="-s $top/tests/vm/accepted-skips"
# shellcheck disable=SC2086
"$top/tests/vm/check-console.sh" $strict "$work/vm/console.log" "$res" \
	"$expected" "$expected"
rc=$?
done_msg
exit $rc
