# SPDX-License-Identifier: GPL-2.0
#
# VM test tiers (design.md "Where things run"), included by the top
# Makefile.  Each *-run target rebuilds hvmm.ko and the selftests, boots
# Debian's kernel and writes TAP to build/results/<tier>/; a build or boot
# failure is a "not ok" there, never a missing result.
#   make check-qemu   QEMU TCG (no VT-x): module, /dev/hvmm, ioctl surface
#   make check-vmx    Bochs (VT-x): every selftest on hvmm and on kvm_intel,
#                     exit benchmark in build/results/vmx/bench.txt
#   tests/vm/boot.sh  ad-hoc boots for debugging (usage at its top)

.PHONY: check-qemu-run check-vmx-run

check-qemu-run:
	-@MAKE="$(MAKE)" tests/vm/tier.sh qemu

check-vmx-run:
	-@MAKE="$(MAKE)" tests/vm/tier.sh vmx

check-qemu: check-qemu-run
	@tools/tap-report.sh $(BUILD)/results/qemu

check-vmx: check-vmx-run
	@tools/tap-report.sh $(BUILD)/results/vmx
