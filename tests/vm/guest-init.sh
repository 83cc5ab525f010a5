#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the VM-tier initramfs (run by busybox sh as PID 1).
#
# Mounts the pseudo file systems, runs /opt/hvmm/run.sh (the test plan
# that tests/vm/boot.sh put there) with its output going live to the
# console and into a RAM file, then replays every result file and the
# whole kernel log between markers and powers off.  The replay comes
# last, after a pause, because Bochs loses the console tail when the
# guest powers off straight away (design.md).
export PATH=/opt/hvmm:/bin:/sbin
export HVMM_RESULTS=/tmp/results
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mkdir -p "$HVMM_RESULTS"
# A hung test must not hold the console: keep the kernel log quiet on it
# (it is replayed in full at the end) but let real emergencies through.
echo 4 > /proc/sys/kernel/printk

echo
echo "HVMM-RUNNER-START $(uname -r)"
if [ -x /opt/hvmm/run.sh ]; then
	/opt/hvmm/run.sh 2>&1 | tee /tmp/runner.log
else
	echo "HVMM-RUNNER-ERROR no /opt/hvmm/run.sh"
fi
echo "HVMM-RUNNER-DONE"

sleep 1
for f in "$HVMM_RESULTS"/*.log; do
	[ -e "$f" ] || continue
	n=$(basename "$f" .log)
	echo "HVMM-RESULT-BEGIN $n rc=$(cat "$HVMM_RESULTS/$n.rc" 2>/dev/null || echo none)"
	cat "$f"
	echo "HVMM-RESULT-END $n"
done
echo "HVMM-DMESG-BEGIN"
dmesg
echo "HVMM-DMESG-END"
echo "HVMM-POWEROFF"
sleep 3
poweroff -f
