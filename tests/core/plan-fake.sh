#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest plan of tests/core/run.sh: hvmm.ko built with the fake
# backend, so every core path runs in QEMU TCG without VT-x.
. /opt/hvmm/lib.sh
export HVMM_DEV=/dev/hvmm HVMM_FAKE_VMX=1
mount -t debugfs none /sys/kernel/debug 2>/dev/null
cp /opt/hvmm/hvmm_stat /bin/hvmm_stat

tap_step core_fake "insmod hvmm.ko (fake backend)" insmod /opt/hvmm/hvmm.ko
tap_step core_fake "/dev/hvmm is a character device" test -c /dev/hvmm
tap_step core_fake "debugfs /sys/kernel/debug/hvmm/exits" \
	test -r /sys/kernel/debug/hvmm/exits
run_test core_test 180 /opt/hvmm/core_test
run_test devices_test 120 /opt/hvmm/devices_test
# Random ioctl sequences (tests/core/run.sh passes the time and seed).
. /opt/hvmm/ioctl_fuzz.env
run_test ioctl_fuzz "$IOCTL_FUZZ_LIMIT" /opt/hvmm/ioctl_fuzz \
	-t "$IOCTL_FUZZ_SECONDS" ${IOCTL_FUZZ_SEED:+-s "$IOCTL_FUZZ_SEED"}
tap_step core_fake "no module reference left after ioctl_fuzz" \
	sh -c 'test "$(cat /sys/module/hvmm/refcnt)" = 0'
tap_step core_fake "iobus_ktest: src/core/iobus.c in the kernel" \
	sh -c 'insmod /opt/hvmm/iobus_ktest.ko && rmmod iobus_ktest'
tap_step core_fake "hvmm_stat -1 prints every counter" \
	sh -c 'hvmm_stat -1 | grep -q "^io_exits  *0  *0$"'
tap_step core_fake "hvmm_stat -p with no such VM fails" \
	sh -c '! hvmm_stat -1 -p 999999'
run_test unload_test 60 /opt/hvmm/unload_test
tap_step core_fake "insmod after unload" insmod /opt/hvmm/hvmm.ko
tap_step core_fake "rmmod" rmmod hvmm
tap_step core_fake "debugfs directory gone" test ! -e /sys/kernel/debug/hvmm
tap_done core_fake
