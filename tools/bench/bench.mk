# SPDX-License-Identifier: GPL-2.0
#
# Userspace device benchmarks: built with -O2 and no sanitizers, run on
# demand (`make bench`), never from `make check`.
BENCH_DEV_SRCS := src/devices/i8259.c src/devices/i8254.c \
	src/devices/i8042.c src/devices/ps2_kbd.c src/devices/ps2_mouse.c
DEV_BENCH := $(BUILD)/bench/dev_access_bench

$(DEV_BENCH): tools/bench/dev_access_bench.c $(BENCH_DEV_SRCS) $(ULIB_SRCS) \
		$(DEV_HDRS)
	@mkdir -p $(@D)
	$(CC) -O2 -g $(WARN) -Iinclude/uapi -Isrc -D_GNU_SOURCE -o $@ $< \
		$(BENCH_DEV_SRCS) $(ULIB_SRCS) -lpthread

bench: $(DEV_BENCH)
	$(DEV_BENCH)
