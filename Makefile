# SPDX-License-Identifier: GPL-2.0
#
# hvmm: `make` builds hvmm.ko and the userspace tools; `make check` runs
# every test tier (unit, qemu, vmx) and ends with prove's summary.

KDIR ?= $(shell tools/kdir.sh)
BUILD := build
LINUX_SRC := $(BUILD)/linux-source-6.1
SELFTESTS_INC := $(LINUX_SRC)/tools/testing/selftests
FUZZ_SECONDS ?= 20

CC ?= gcc
CLANG ?= clang
WARN := -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare
USER_CFLAGS := -O1 -g $(WARN) -Iinclude/uapi -Isrc -D_GNU_SOURCE
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined


DEV_HDRS := $(wildcard src/devices/*.h include/uapi/linux/*.h)
ULIB_SRCS := $(sort $(wildcard userspace/lib/*.c))

.PHONY: all module userspace clean check check-unit check-qemu check-vmx \
	unit fuzz bench checkpatch sparse linux-source kcheck check-unit-run \
	check-core check-core-run check-core-vmx-run fuzz-ioctl

all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

linux-source: $(LINUX_SRC)/.stamp
$(LINUX_SRC)/.stamp:
	tools/linux-source.sh $(LINUX_SRC)

# ---- tier 1: host userspace unit tests and fuzzers ----------------------
# Each device's tests/unit/<dev>.mk names the sources its programs link:
#   <name>_SRCS := src/devices/foo.c ...   (for <name>_test and <name>_fuzz)
# so one half-written device never breaks another's tests.
-include $(sort $(wildcard tests/unit/*.mk))

UNIT_SRCS := $(sort $(wildcard tests/unit/*_test.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
# Shell unit tests (of the test tools themselves), run as they are.
UNIT_SCRIPTS := $(sort $(wildcard tests/unit/*_test.sh))
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/*_fuzz.c))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))

.SECONDEXPANSION:
$(BUILD)/unit/%_test: tests/unit/%_test.c $$($$*_SRCS) $(ULIB_SRCS) \
		$(DEV_HDRS) $(wildcard tests/unit/*.h) $(LINUX_SRC)/.stamp
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SAN) -I$(SELFTESTS_INC) -o $@ $< \
		$($*_SRCS) $(ULIB_SRCS) -lpthread

$(BUILD)/fuzz/%_fuzz: tests/fuzz/%_fuzz.c $$($$*_SRCS) $(ULIB_SRCS) \
		$(DEV_HDRS) $(wildcard tests/fuzz/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(USER_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -o $@ $< $($*_SRCS) \
		$(ULIB_SRCS) -lpthread

# Compile device models as kernel code, with sparse, in a throw-away
# module: make kcheck DEVS="i8259 i8254".
KCHECK_DIR = $(BUILD)/kcheck-$(firstword $(DEVS) none)
kcheck:
	rm -rf $(KCHECK_DIR) && mkdir -p $(KCHECK_DIR)
	printf 'obj-m := kcheck.o\nkcheck-y := kcheck_main.o platform.o %s\nccflags-y := -I$(CURDIR)/include/uapi -I$(CURDIR)/src -I$(CURDIR)/src/devices\n' \
		"$(patsubst %,%.o,$(DEVS))" > $(KCHECK_DIR)/Kbuild
	printf '#include <linux/module.h>\nMODULE_LICENSE("GPL");\n' \
		> $(KCHECK_DIR)/kcheck_main.c
	ln -s $(CURDIR)/src/core/platform.c $(KCHECK_DIR)/platform.c
	for d in $(DEVS); do ln -s $(CURDIR)/src/devices/$$d.c $(KCHECK_DIR)/$$d.c; done
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(KCHECK_DIR) C=2 W=1 modules

unit: $(UNIT_BINS)
fuzz: $(FUZZ_BINS)

check-unit: check-unit-run
	@tools/tap-report.sh $(BUILD)/results/unit

# ---- benchmarks (run on demand, never from check) ------------------------
-include tools/bench/bench.mk

# ---- tiers 2 and 3: the stock kernel in QEMU TCG and in Bochs (VT-x) -----
-include tests/selftests/selftests.mk
-include tests/vm/vm.mk

# Every tier runs even when an earlier one failed.  Each tier clears its
# old results before it builds anything, and records a build failure as
# a "not ok" in its own results; a tier that could not run at all leaves
# no TAP and tap-report.sh counts that as a failure.
check:
	@$(MAKE) --no-print-directory check-unit-run || true
	@$(MAKE) --no-print-directory check-qemu-run || true
	@$(MAKE) --no-print-directory check-core-run || true
	@$(MAKE) --no-print-directory check-vmx-run || true
	@$(MAKE) --no-print-directory check-core-vmx-run || true
	@tools/tap-report.sh $(BUILD)/results/unit $(BUILD)/results/qemu \
		$(BUILD)/results/core-fake $(BUILD)/results/vmx \
		$(BUILD)/results/core-vmx

# The whole of src/core/ in QEMU TCG, with a fake VT-x backend standing in
# for src/vmx/, so that every ioctl path runs on machines without VT-x.
check-core-run:
	@MAKE="$(MAKE)" tests/core/run.sh fake

check-core: check-core-run
	@tools/tap-report.sh $(BUILD)/results/core-fake

# The ioctl fuzzer (tests/core/ioctl_fuzz.c) alone, on demand: QEMU with
# the fake backend, two vCPUs, until stopped (^C), or for
# IOCTL_FUZZ_SECONDS; IOCTL_FUZZ_SEED replays a run.  check-core runs it
# for 60 s (IOCTL_FUZZ_SECONDS there too).
fuzz-ioctl: $(LINUX_SRC)/.stamp
	-@tests/core/run.sh fuzz
	@tools/tap-report.sh $(BUILD)/results/core-fuzz

# The same core tests against the real hvmm.ko in Bochs: the device
# ioctls with guests (devices_test), then module unload (unload_test).
check-core-vmx-run:
	@MAKE="$(MAKE)" tests/core/run.sh vmx

# No prerequisites: run.sh clears the old results, then builds each
# program itself, so that a build failure is a "not ok" in this tier's
# results and never leaves the previous run's results in place.
check-unit-run:
	@MAKE="$(MAKE)" tests/unit/run.sh $(BUILD)/results/unit $(FUZZ_SECONDS) \
		$(UNIT_BINS) $(UNIT_SCRIPTS) -- $(FUZZ_BINS)

checkpatch: $(LINUX_SRC)/.stamp
	$(LINUX_SRC)/scripts/checkpatch.pl --no-tree --terse -f \
		$(shell git ls-files 'src/*.[ch]' 'include/*.h' 'userspace/*.[ch]' \
		'tools/*.c' 'tests/*.[ch]')

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -rf $(BUILD)
