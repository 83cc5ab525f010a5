#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the version of the Debian kernel the VM tiers boot: the one that
# tools/kdir.sh builds hvmm.ko against, so that the module's vermagic
# matches.  $KVER overrides it.  Never hard-coded (design.md).
set -e
if [ -n "${KVER:-}" ]; then
	echo "$KVER"
	exit 0
fi
here=$(dirname "$0")
kdir=$("$here/../../tools/kdir.sh")
case "$kdir" in
/lib/modules/*/build)
	v=${kdir#/lib/modules/}
	v=${v%/build}
	;;
*/linux-headers-*)
	v=${kdir##*/linux-headers-}
	;;
*)
	echo "kver.sh: cannot tell the kernel version of $kdir" >&2
	exit 1
	;;
esac
if [ ! -e "/boot/vmlinuz-$v" ]; then
	echo "kver.sh: /boot/vmlinuz-$v missing: apt-get install linux-image-$v" >&2
	exit 1
fi
echo "$v"
