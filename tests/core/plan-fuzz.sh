#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest plan of `tests/core/run.sh fuzz` (make fuzz-ioctl): only
# ioctl_fuzz against hvmm.ko with the fake backend, for
# IOCTL_FUZZ_SECONDS (0: until the VM is stopped), then unload.
. /opt/hvmm/lib.sh
. /opt/hvmm/ioctl_fuzz.env
export HVMM_DEV=/dev/hvmm
mount -t debugfs none /sys/kernel/debug 2>/dev/null

tap_step core_fuzz "insmod hvmm.ko (fake backend)" insmod /opt/hvmm/hvmm.ko
run_test ioctl_fuzz "$IOCTL_FUZZ_LIMIT" /opt/hvmm/ioctl_fuzz \
	-t "$IOCTL_FUZZ_SECONDS" ${IOCTL_FUZZ_SEED:+-s "$IOCTL_FUZZ_SEED"}
tap_step core_fuzz "no module reference left after ioctl_fuzz" \
	sh -c 'test "$(cat /sys/module/hvmm/refcnt)" = 0'
tap_step core_fuzz "rmmod" rmmod hvmm
tap_done core_fuzz
