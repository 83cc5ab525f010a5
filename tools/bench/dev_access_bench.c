// SPDX-License-Identifier: GPL-2.0
/*
 * Cost of one emulated port access per device model, in host userspace.
 *
 * Each row runs the same access through the device's hvmm_iodev ops, the
 * path the module's io bus takes, and reports ns/op, accesses per second
 * and the ratio to a null device whose read returns a constant (the
 * dispatch cost alone).  Every figure is the best of several rounds, all
 * in one run, so the ratios are comparable; absolute numbers depend on
 * the machine.
 *
 *   make bench            # builds with -O2, no sanitizers, and runs
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "devices/i8042.h"
#include "devices/i8254.h"
#include "devices/i8259.h"

#define ROUNDS 5

/* Keep a result alive without a memory store the compiler could drop. */
static inline void keep(u64 v)
{
	__asm__ __volatile__("" : : "r"(v));
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int null_read(struct hvmm_iodev *dev, u64 offset, u32 len, u64 *val)
{
	*val = 0xff;
	return 0;
}

static int null_write(struct hvmm_iodev *dev, u64 offset, u32 len, u64 val)
{
	return 0;
}

static const struct hvmm_iodev_ops null_ops = {
	.read = null_read,
	.write = null_write,
};

static void no_irq(void *opaque, u32 irq, int level)
{
}

static void no_output(void *opaque, int level)
{
}

static void no_ack(void *opaque, u32 irq)
{
}

static void no_reset(void *opaque)
{
}

struct bench {
	const char *name;
	int accesses;		/* port accesses per iteration */
	void (*fn)(void *ctx);
	void *ctx;
};

static struct hvmm_iodev null_dev = {
	.ops = &null_ops, .name = "null", .base = 0x80, .len = 1,
};

static void do_null_read(void *ctx)
{
	u64 v;

	hvmm_iodev_read(&null_dev, 0x80, 1, &v);
	keep(v);
}

static void do_pic_imr_read(void *ctx)
{
	struct hvmm_pic *pic = ctx;
	u64 v;

	hvmm_iodev_read(&pic->master, 0x21, 1, &v);
	keep(v);
}

static void do_pic_eoi(void *ctx)
{
	struct hvmm_pic *pic = ctx;

	hvmm_iodev_write(&pic->master, 0x20, 1, 0x20);
}

static void do_pit_latch_read(void *ctx)
{
	struct hvmm_pit *pit = ctx;
	u64 lo, hi;

	/* Latch channel 0, then read LSB and MSB: Linux's get_cycles path. */
	hvmm_iodev_write(&pit->pit_dev, 0x43, 1, 0x00);
	hvmm_iodev_read(&pit->pit_dev, 0x40, 1, &lo);
	hvmm_iodev_read(&pit->pit_dev, 0x40, 1, &hi);
	keep(lo | hi << 8);
}

static void do_port61_read(void *ctx)
{
	struct hvmm_pit *pit = ctx;
	u64 v;

	hvmm_iodev_read(&pit->port61_dev, 0x61, 1, &v);
	keep(v);
}

static void do_i8042_status(void *ctx)
{
	struct hvmm_i8042 *kbc = ctx;
	u64 v;

	hvmm_iodev_read(&kbc->cmd_dev, 0x64, 1, &v);
	keep(v);
}

static double run(const struct bench *b, long iters)
{
	double best = 1e30;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		u64 t0 = now_ns();
		long i;

		for (i = 0; i < iters; i++)
			b->fn(b->ctx);
		double ns = (double)(now_ns() - t0) / iters / b->accesses;

		if (ns < best)
			best = ns;
	}
	return best;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 2000000;
	static struct hvmm_pic pic;
	static struct hvmm_pit pit;
	static struct hvmm_i8042 kbc;
	static struct hvmm_clock clock;
	double base;
	size_t i;

	hvmm_clock_init(&clock, 0);
	hvmm_pic_init(&pic, no_output, no_ack, NULL);
	if (hvmm_pit_init(&pit, &clock, no_irq, NULL))
		abort();
	hvmm_i8042_init(&kbc, no_irq, no_reset, NULL);
	/* Linux's PIT setup: channel 0, mode 2, 100 Hz. */
	hvmm_iodev_write(&pit.pit_dev, 0x43, 1, 0x34);
	hvmm_iodev_write(&pit.pit_dev, 0x40, 1, 11932 & 0xff);
	hvmm_iodev_write(&pit.pit_dev, 0x40, 1, 11932 >> 8);

	struct bench benches[] = {
		{ "null device read (dispatch only)", 1, do_null_read, NULL },
		{ "i8259 IMR read (0x21)", 1, do_pic_imr_read, &pic },
		{ "i8259 non-specific EOI (0x20)", 1, do_pic_eoi, &pic },
		{ "i8254 latch+read ch0 (0x43,0x40x2)", 3, do_pit_latch_read, &pit },
		{ "port 0x61 read", 1, do_port61_read, &pit },
		{ "i8042 status read (0x64)", 1, do_i8042_status, &kbc },
	};

	base = run(&benches[0], iters);
	printf("%-38s %9s %14s %9s\n", "access", "ns/op", "accesses/s", "x null");
	for (i = 0; i < ARRAY_SIZE(benches); i++) {
		double ns = i ? run(&benches[i], iters) : base;

		printf("%-38s %9.2f %14.0f %9.2f\n", benches[i].name, ns,
		       1e9 / ns, ns / base);
	}
	hvmm_pit_destroy(&pit);
	return 0;
}
