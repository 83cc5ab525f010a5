# SPDX-License-Identifier: GPL-2.0
#
# hvmm selftests (KVM selftests layout: lib/, include/, x86/), static so
# they run in the busybox initramfs of the VM tiers, and the exit
# benchmark.  Included by the top Makefile.
#   make selftests        build/selftests/<test> for every x86/*_test.c
#   make selftests-host   run them here against the host's /dev/kvm

SELFTESTS_DIR := tests/selftests
SELFTESTS_BUILD := $(BUILD)/selftests
SELFTESTS_CFLAGS := -O2 -g -static -pthread $(WARN) -D_GNU_SOURCE \
	-I$(SELFTESTS_DIR)/include -I$(SELFTESTS_INC)
SELFTESTS_LIB := $(sort $(wildcard $(SELFTESTS_DIR)/lib/*.c))
SELFTESTS_HDRS := $(wildcard $(SELFTESTS_DIR)/include/*.h)
SELFTESTS_SRCS := $(sort $(wildcard $(SELFTESTS_DIR)/x86/*_test.c))
SELFTESTS_BINS := $(patsubst $(SELFTESTS_DIR)/x86/%.c,$(SELFTESTS_BUILD)/%,\
	$(SELFTESTS_SRCS))
EXIT_BENCH := $(BUILD)/bench/exit_bench

.PHONY: selftests selftests-host exit_bench

selftests: $(SELFTESTS_BINS) $(EXIT_BENCH)

$(SELFTESTS_BUILD)/%: $(SELFTESTS_DIR)/x86/%.c $(SELFTESTS_LIB) \
		$(SELFTESTS_HDRS) $(LINUX_SRC)/.stamp
	@mkdir -p $(@D)
	$(CC) $(SELFTESTS_CFLAGS) -o $@ $< $(SELFTESTS_LIB)

exit_bench: $(EXIT_BENCH)
$(EXIT_BENCH): tools/bench/exit_bench.c $(SELFTESTS_LIB) $(SELFTESTS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(SELFTESTS_CFLAGS) -o $@ $< $(SELFTESTS_LIB)

# Validate the tests against KVM's own ABI on this host's /dev/kvm.
selftests-host: $(SELFTESTS_BINS)
	@for t in $(SELFTESTS_BINS); do \
		echo "== $$t"; HVMM_DEV=/dev/kvm $$t; echo "== $$t: exit $$?"; \
	done
