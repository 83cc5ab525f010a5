#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the kernel build tree to build hvmm.ko against: the running
# kernel's when it has one, else the newest Debian linux-headers-*-amd64
# installed (the kernel that the VM test tiers boot).  Never hard-coded:
# the version moves whenever Debian updates.
set -e
run="/lib/modules/$(uname -r)/build"
if [ -d "$run" ]; then
	echo "$run"
	exit 0
fi
kdir=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
[ -n "$kdir" ] || { echo "no kernel headers: apt-get install linux-headers-amd64" >&2; exit 1; }
echo "$kdir"
