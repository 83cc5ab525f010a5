#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of the vmx tier's exit benchmark (tests/vm/plan-vmx.sh):
# run exit_bench on $HVMM_DEV and print, beside its figures, the
# mitigation settings it ran under, as one line
#   exit_bench-env: l1tf="..." kvm_intel.vmentry_l1d_flush=... ...
# l1tf: /sys/devices/system/cpu/vulnerabilities/l1tf (the host kernel's
# L1TF policy, which both hypervisors follow); kvm_intel's
# vmentry_l1d_flush parameter; hvmm's module parameters (it has none for
# L1D today: src/vmx/mitigate.c follows l1tf= as KVM does); and KVM's
# own count of L1D flushes during the run (debugfs kvm/l1d_flush), where
# there is one.  Exit status: exit_bench's.
mount -t debugfs none /sys/kernel/debug 2>/dev/null
val()
{
	cat "$1" 2>/dev/null || echo "$2"
}
l1tf=$(val /sys/devices/system/cpu/vulnerabilities/l1tf unknown)
kvm=$(val /sys/module/kvm_intel/parameters/vmentry_l1d_flush "(kvm_intel not loaded)")
hvmm=
for p in /sys/module/hvmm/parameters/*; do
	[ -r "$p" ] && hvmm="$hvmm ${p##*/}=$(cat "$p")"
done
[ -n "$hvmm" ] || hvmm=" (no parameters: follows l1tf)"
f0=$(cat /sys/kernel/debug/kvm/l1d_flush 2>/dev/null)
exit_bench
rc=$?
f1=$(cat /sys/kernel/debug/kvm/l1d_flush 2>/dev/null)
if [ -n "$f0" ] && [ -n "$f1" ]; then
	flushes="+$((f1 - f0))"
else
	flushes="n/a"
fi
echo "exit_bench-env: dev=$HVMM_DEV l1tf=\"$l1tf\" kvm_intel.vmentry_l1d_flush=$kvm hvmm:$hvmm kvm.l1d_flush_count=$flushes"
exit $rc
