#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest plan of `tests/core/run.sh vmx`: the real hvmm.ko in Bochs
# with VT-x; core_test's VM tests must run (none may skip but the one
# that needs the fake backend), then unload_test unloads the module.
. /opt/hvmm/lib.sh
export HVMM_DEV=/dev/hvmm
mount -t debugfs none /sys/kernel/debug 2>/dev/null
cp /opt/hvmm/hvmm_stat /bin/hvmm_stat

tap_step core_vmx "insmod hvmm.ko" insmod /opt/hvmm/hvmm.ko
run_test core_test 300 /opt/hvmm/core_test
run_test devices_test 600 /opt/hvmm/devices_test
# The ioctl fuzzer, briefly; -N: no KVM_RUN, whose garbage guests could
# spin with IF=0, which Bochs never interrupts (design.md).
. /opt/hvmm/ioctl_fuzz.env
run_test ioctl_fuzz "$IOCTL_FUZZ_LIMIT" /opt/hvmm/ioctl_fuzz -N \
	-t "$IOCTL_FUZZ_SECONDS" ${IOCTL_FUZZ_SEED:+-s "$IOCTL_FUZZ_SEED"}
tap_step core_vmx "core_test created VMs (no EOPNOTSUPP skip)" \
	sh -c '! grep -q "SKIP.*EOPNOTSUPP" "$HVMM_RESULTS/core_test.log"'
tap_step core_vmx "hvmm_stat -1 prints every counter" \
	sh -c 'hvmm_stat -1 | grep -q "^io_exits "'
run_test unload_test 120 /opt/hvmm/unload_test
tap_done core_vmx
