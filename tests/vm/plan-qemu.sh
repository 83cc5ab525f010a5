#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest test plan of the qemu tier (no VT-x): module load/unload, the
# /dev/hvmm node, and every selftest; those that need a VM must SKIP.
. /opt/hvmm/lib.sh
export HVMM_DEV=/dev/hvmm HVMM_EXPECT_VMX=0

tap_step module "insmod hvmm.ko without VT-x" insmod /opt/hvmm/hvmm.ko
tap_step module "/dev/hvmm is a character device" test -c /dev/hvmm
# An open /dev/hvmm pins the module (file_operations.owner).
tap_step module "rmmod refused while /dev/hvmm is open" \
	sh -c 'exec 3< /dev/hvmm && ! rmmod hvmm && grep -q "^hvmm " /proc/modules'
tap_step module "hvmm listed in /proc/modules" grep -q '^hvmm ' /proc/modules
for t in /opt/hvmm/*_test; do
	[ -x "$t" ] && run_test "$(basename "$t")" 120 "$t"
done
tap_step module "rmmod hvmm" rmmod hvmm
tap_step module "/dev/hvmm gone after rmmod" test ! -e /dev/hvmm
# Again through modprobe, from the module tree, as a distribution would.
mods=/lib/modules/$(uname -r)
mkdir -p "$mods/extra" && cp /opt/hvmm/hvmm.ko "$mods/extra/"
tap_step module "depmod" depmod
tap_step module "modprobe hvmm" modprobe hvmm
tap_step module "api_test passes on the reloaded module" \
	sh -c '/opt/hvmm/api_test > /tmp/api2.log 2>&1 || { cat /tmp/api2.log; exit 1; }'
tap_step module "modprobe -r hvmm" modprobe -r hvmm
tap_step module "hvmm gone from /proc/modules" sh -c '! grep -q "^hvmm " /proc/modules'
tap_done module
