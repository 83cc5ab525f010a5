#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest test plan of the vmx tier (Bochs, VT-x).  One boot runs it all:
#  0. 64 MiB of swap on zram, for reclaim_test (which skips without it);
#  1. stock kvm_intel: every VM selftest on /dev/kvm (kvm-<test>), which
#     proves the tests themselves right on real VMX, and exit_bench;
#  2. hvmm.ko loaded beside it: vmx_busy_test (EBUSY either way);
#  3. kvm_intel unloaded: every selftest and exit_bench twice on /dev/hvmm;
#  4. hvmm unloaded after all of it;
#  5. kvm_intel loaded again: exit_bench once more on /dev/kvm.
# So the benchmark runs kvm, hvmm, hvmm, kvm (each side twice, in both
# orders); tests/vm/tier.sh grades every run and compares them.
. /opt/hvmm/lib.sh
export HVMM_EXPECT_VMX=1
K=/lib/modules/$(cat /opt/hvmm/kver)/kernel

# Swap on a compressed RAM disk (boot.sh -K carries the modules):
# reclaim_test swaps guest memory out and back.
tap_step kvm "insmod zsmalloc" insmod $K/mm/zsmalloc.ko
tap_step kvm "insmod zram" insmod $K/drivers/block/zram/zram.ko
tap_step kvm "64 MiB swap on zram0" sh -c 'echo 64M > /sys/block/zram0/disksize &&
	mkswap /dev/zram0 && swapon /dev/zram0 && grep -q "^/dev/zram0 " /proc/swaps'
tap_step kvm "insmod irqbypass" insmod $K/virt/lib/irqbypass.ko
tap_step kvm "insmod kvm" insmod $K/arch/x86/kvm/kvm.ko
tap_step kvm "insmod kvm-intel" insmod $K/arch/x86/kvm/kvm-intel.ko
tap_step kvm "/dev/kvm present" test -c /dev/kvm
for t in /opt/hvmm/*_test; do
	n=$(basename "$t")
	[ "$n" = vmx_busy_test ] && continue
	run_test "kvm-$n" 240 env HVMM_DEV=/dev/kvm "$t"
done
run_test bench-kvm-1 180 env HVMM_DEV=/dev/kvm /opt/hvmm/bench-run.sh

tap_step module "insmod hvmm.ko" insmod /opt/hvmm/hvmm.ko
tap_step module "/dev/hvmm is a character device" test -c /dev/hvmm
# An open /dev/hvmm pins the module (file_operations.owner).
tap_step module "rmmod refused while /dev/hvmm is open" \
	sh -c 'exec 3< /dev/hvmm && ! rmmod hvmm && grep -q "^hvmm " /proc/modules'
run_test vmx_busy_test 90 env HVMM_DEV=/dev/hvmm HVMM_OTHER_DEV=/dev/kvm \
	/opt/hvmm/vmx_busy_test
tap_step kvm "rmmod kvm-intel kvm irqbypass" rmmod kvm_intel kvm irqbypass
tap_done kvm

export HVMM_DEV=/dev/hvmm
# stress_test unloads and reloads hvmm.ko right after a fast-PIT VM.
export HVMM_MODULE=/opt/hvmm/hvmm.ko
for t in /opt/hvmm/*_test; do
	n=$(basename "$t")
	[ "$n" = vmx_busy_test ] && continue
	run_test "$n" 240 "$t"
done
run_test bench-hvmm-1 180 /opt/hvmm/bench-run.sh
run_test bench-hvmm-2 180 /opt/hvmm/bench-run.sh

tap_step module "rmmod hvmm after all tests" rmmod hvmm
tap_step module "/dev/hvmm gone after rmmod" test ! -e /dev/hvmm
tap_done module

# Stock KVM once more, after hvmm: the second half of kvm, hvmm, hvmm, kvm.
tap_step kvm-again "insmod irqbypass" insmod $K/virt/lib/irqbypass.ko
tap_step kvm-again "insmod kvm" insmod $K/arch/x86/kvm/kvm.ko
tap_step kvm-again "insmod kvm-intel" insmod $K/arch/x86/kvm/kvm-intel.ko
run_test bench-kvm-2 180 env HVMM_DEV=/dev/kvm /opt/hvmm/bench-run.sh
tap_step kvm-again "rmmod kvm-intel kvm irqbypass" rmmod kvm_intel kvm irqbypass
tap_done kvm-again
