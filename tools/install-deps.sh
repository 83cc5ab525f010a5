#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install everything hvmm's build and its three test tiers need on a fresh
# Debian 12 machine.  Run as root.  The kernel image and headers are
# Debian's current linux-image-amd64/linux-headers-amd64: the VM tiers boot
# exactly the kernel the module is built against.
set -e
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
	make gcc libc6-dev clang libclang-rt-14-dev perl git bc cpio kmod \
	xz-utils zstd sparse \
	linux-image-amd64 linux-headers-amd64 linux-source-6.1 \
	qemu-system-x86 bochs bochsbios vgabios bochs-term \
	busybox-static genisoimage isolinux syslinux-common
