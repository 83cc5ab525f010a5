// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel 8254 PIT and port 0x61, seen from a real-mode guest
 * whose TSC is the reference clock.  Checks follow the Intel 8254
 * datasheet (order no. 231164): "Mode 2 - Rate Generator" (IRQ0 every
 * N CLKs at 1.193182 MHz), "Mode 0 - Interrupt on Terminal Count" (OUT
 * low until the count expires), "Counter Latch Command", "Read-Back
 * Command" and its status byte; and the IBM PC/AT Technical Reference,
 * "System Control Port B" (port 61h: bits 0-1 read back, bit 4 refresh
 * toggle, bit 5 OUT2), which Linux's pit_calibrate_tsc() relies on.
 *
 * Guest time is kept short (tenths of a second) for the Bochs tier.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"
#include "irq_guest.h"

#define PIT_HZ		1193182ull
#define PIT_MODE2_LH	0x34	/* counter 0, LSB then MSB, mode 2, binary */
#define PIT_CH2_MODE0	0xb0	/* counter 2, LSB then MSB, mode 0, binary */
#define PIT_LATCH0	0x00	/* counter latch command, counter 0 */
#define PIT_RB_COUNT0	0xd2	/* read-back: latch count of counter 0 */
#define PIT_RB_STATUS0	0xe2	/* read-back: latch status of counter 0 */

FIXTURE(pit) {
	struct ig_vm g;
	uint64_t khz;
};

FIXTURE_SETUP(pit)
{
	ASSERT_EQ(0, ig_create(&self->g, 1, 1)) TH_LOG("%s", self->g.err);
	self->khz = ig_tsc_khz(&self->g);
	ASSERT_LT(0, self->khz) TH_LOG("no TSC rate");
	TH_LOG("guest TSC %llu kHz", (unsigned long long)self->khz);
}

FIXTURE_TEARDOWN(pit)
{
	ig_destroy(&self->g);
}

static uint32_t ms_cycles(uint64_t khz, uint32_t ms)
{
	uint64_t c = khz * ms;

	return c > 0xf0000000ull ? 0xf0000000u : (uint32_t)c;
}

static int pit_program(struct ig_vm *g, uint16_t port, uint8_t ctl,
		       uint16_t count)
{
	int err = ig_out(g, 0x43, ctl);

	if (!err)
		err = ig_out(g, port, count & 0xff);
	if (!err)
		err = ig_out(g, port, count >> 8);
	return err;
}

/* Largest deviation of one IRQ0 interval from the period, in periods. */
#define IRQ0_JITTER	0.25

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Mode 2 with count N: IRQ0 at 1193182/N Hz ("Mode 2 - Rate Generator":
 * OUT low for one CLK every N).  The guest stamps the MSB write of the
 * count and every interrupt with its TSC.  Two checks:
 *  - the rate: the n-th IRQ0 comes n periods after that write, within
 *    2%, so no tick is lost or invented;
 *  - every single interval between two IRQ0s is one period within
 *    IRQ0_JITTER of it, so a host that is late and then delivers the
 *    missed ticks back to back (reinject catch-up), or bunches them,
 *    fails even where the overall rate comes out right.
 * Inside Bochs the TSC counts emulated instructions (design.md) and the
 * host's timers run on the same count, so the intervals are the host's
 * interrupt latency jitter, not wall-clock noise.
 */
static void irq0_rate(struct __test_metadata *_metadata, struct ig_vm *g,
		      uint64_t khz, uint16_t count, uint32_t n)
{
	double want = (double)PIT_HZ / count, got, span_ms, median;
	double period = khz * 1000.0 * count / PIT_HZ;	/* TSC cycles */
	const uint32_t *stamp = ig_mem(g, IG_TSCLOG);
	uint32_t iv[IG_TSCLOG_MAX];
	struct ig_res *r = ig_res(g);
	uint64_t first, last, start;
	unsigned int i, bad = 0;

	ASSERT_LE(n, IG_TSCLOG_MAX);
	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0xfe, 0xff))
		TH_LOG("%s", g->err);
	*(uint8_t *)ig_mem(g, IG_EOI_MODE) = IG_EOI_NONSPEC;
	ASSERT_EQ(0, pit_program(g, 0x40, PIT_MODE2_LH, count));
	start = r->tsc1;	/* just after the MSB write */
	ig_clear_log(g);
	ASSERT_EQ(0, ig_cmd(g, IG_OP_WAIT_IRQS, 0, 0,
			    ms_cycles(khz, 3 * 1000 * n / want + 50), n, 0))
		TH_LOG("%s", g->err);
	ASSERT_EQ(n, ig_nirq(g)) TH_LOG("IRQ0s in %.0f ms", 3000 * n / want);
	EXPECT_EQ(n, ig_count(g, 0x20));
	memcpy(&first, ig_mem(g, IG_FIRST_TSC), 8);
	memcpy(&last, ig_mem(g, IG_LAST_TSC), 8);
	ASSERT_LT(first, last);
	for (i = 1; i < n; i++) {
		iv[i - 1] = stamp[i] - stamp[i - 1];
		if (iv[i - 1] < period * (1 - IRQ0_JITTER) ||
		    iv[i - 1] > period * (1 + IRQ0_JITTER)) {
			if (bad++ < 5)
				TH_LOG("IRQ0 #%u came %.3f periods after #%u",
				       i, iv[i - 1] / period, i - 1);
		}
	}
	/*
	 * Asserted on hvmm, logged on KVM: stock KVM's PIT worker is an
	 * ordinary kthread, and in Bochs it is sometimes late once and
	 * catches up right after (seen: 1.394 then 0.606 periods), which
	 * this bound exists to catch.
	 */
	if (strstr(dev_path(), "hvmm")) {
		EXPECT_EQ(0, bad) TH_LOG("%u of %u intervals off by more than %.0f%%",
					 bad, n - 1, IRQ0_JITTER * 100);
	} else if (bad) {
		TH_LOG("KVM: %u of %u intervals off by more than %.0f%%",
		       bad, n - 1, IRQ0_JITTER * 100);
	}
	qsort(iv, n - 1, sizeof(iv[0]), cmp_u32);
	median = khz * 1000.0 / iv[(n - 1) / 2];
	span_ms = (double)(last - start) / khz;
	got = n * 1000.0 / span_ms;
	TH_LOG("count %u: %u IRQ0s in %.2f ms: %.2f Hz, want %.2f Hz (median interval: %.2f Hz; intervals %.3f..%.3f periods)",
	       count, n, span_ms, got, want, median, iv[0] / period,
	       iv[n - 2] / period);
	EXPECT_LT(abs((int)(got * 1000) - (int)(want * 1000)),
		  (int)(want * 20));
}

TEST_F(pit, irq0_100hz)
{
	irq0_rate(_metadata, &self->g, self->khz, 11932, 31);
}

TEST_F(pit, irq0_1000hz)
{
	irq0_rate(_metadata, &self->g, self->khz, 1193, 201);
}

/*
 * Counter 0 in mode 2 with count 0 (65536), IRQ0 masked: successive
 * latched values decrease at 1.193182 MHz against the TSC, wrapping at
 * the reload.  @cmd is the counter latch command or the read-back
 * command ("Counter Latch Command", "Read-Back Command").
 */
static void latch_samples(struct __test_metadata *_metadata,
			  struct ig_vm *g, uint64_t khz, uint8_t cmd)
{
	const unsigned int n = 100;
	struct ig_sample s[100];
	uint64_t ticks = 0, cycles = 0;
	double rate;
	unsigned int i;

	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0xff, 0xff));
	ASSERT_EQ(0, pit_program(g, 0x40, PIT_MODE2_LH, 0));
	/* one sample every 0.5 ms of TSC: about 600 CLKs apart */
	ASSERT_EQ(0, ig_cmd(g, IG_OP_PIT_SAMPLE, 1, 0x40, cmd, n,
			    ms_cycles(khz, 1) / 2))
		TH_LOG("%s", g->err);
	memcpy(s, ig_mem(g, IG_SAMPLES), sizeof(s));
	for (i = 1; i < n; i++) {
		uint32_t dc = s[i].tsc - s[i - 1].tsc;
		uint32_t dt = (uint16_t)(s[i - 1].count - s[i].count);
		uint64_t want = (uint64_t)dc * PIT_HZ / (khz * 1000);

		/* unambiguous only if less than one reload apart */
		ASSERT_LT(want, 60000) TH_LOG("samples %u ms apart",
					      (unsigned int)(dc / khz));
		EXPECT_LT(llabs((long long)dt - (long long)want),
			  (long long)want / 4 + 600)
			TH_LOG("sample %u: count %u -> %u in %u cycles", i,
			       s[i - 1].count, s[i].count, dc);
		ticks += dt;
		cycles += dc;
	}
	rate = (double)ticks * khz * 1000.0 / (double)cycles;
	TH_LOG("%llu CLKs in %llu TSC cycles: %.0f Hz", (unsigned long long)ticks,
	       (unsigned long long)cycles, rate);
	EXPECT_LT(abs((int)rate - (int)PIT_HZ), (int)(PIT_HZ / 50));
}

TEST_F(pit, counter_latch_decreases_at_1193182hz)
{
	latch_samples(_metadata, &self->g, self->khz, PIT_LATCH0);
}

TEST_F(pit, read_back_count_decreases_at_1193182hz)
{
	latch_samples(_metadata, &self->g, self->khz, PIT_RB_COUNT0);
}

/*
 * Read-back status byte ("Read-Back Command", status format): bits 5-4
 * RW mode, 3-1 mode, 0 BCD as programmed; NULL COUNT (bit 6) clear
 * once the count is loaded.
 */
TEST_F(pit, read_back_status)
{
	struct ig_vm *g = &self->g;
	int st;

	ASSERT_EQ(0, pit_program(g, 0x40, PIT_MODE2_LH, 0x1000));
	ASSERT_EQ(0, ig_cmd(g, IG_OP_SPIN_TSC, 0, 0, ms_cycles(self->khz, 1),
			    0, 0));
	ASSERT_EQ(0, ig_out(g, 0x43, PIT_RB_STATUS0));
	st = ig_inb(g, 0x40);
	ASSERT_LE(0, st);
	EXPECT_EQ(0x34, st & 0x7f) TH_LOG("status %#x", st);
	/* counter 2 in mode 0 right after its control word: NULL COUNT */
	ASSERT_EQ(0, ig_out(g, 0x43, PIT_CH2_MODE0));
	ASSERT_EQ(0, ig_out(g, 0x43, 0xe8));
	st = ig_inb(g, 0x42);
	ASSERT_LE(0, st);
	EXPECT_EQ(0x30, st & 0x3f) TH_LOG("status %#x", st);
	/* KVM does not model NULL COUNT; hvmm does */
	if (strstr(dev_path(), "hvmm"))
		EXPECT_EQ(0x40, st & 0x40) TH_LOG("status %#x", st);
	/* OUT is low in mode 0 after the control word (bit 7) */
	EXPECT_EQ(0, st & 0x80);
}

/* Port 61h bits 0-3 read back as written; bits 6-7 (errors) stay 0. */
TEST_F(pit, port61_readback)
{
	struct ig_vm *g = &self->g;
	int v;

	ASSERT_EQ(0, ig_out(g, 0x61, 0x03));
	v = ig_inb(g, 0x61);
	ASSERT_LE(0, v);
	EXPECT_EQ(0x03, v & 0x03) TH_LOG("port 61h %#x", v);
	EXPECT_EQ(0, v & 0xc0) TH_LOG("port 61h %#x", v);
	ASSERT_EQ(0, ig_out(g, 0x61, 0x00));
	v = ig_inb(g, 0x61);
	ASSERT_LE(0, v);
	EXPECT_EQ(0x00, v & 0x03) TH_LOG("port 61h %#x", v);
}

/* Port 61h bit 4 (refresh detect) toggles as the guest polls it. */
TEST_F(pit, port61_refresh_toggles)
{
	struct ig_vm *g = &self->g;
	const uint8_t *b = ig_mem(g, IG_SAMPLES);
	unsigned int i, seen[2] = { 0, 0 }, flips = 0;

	ASSERT_EQ(0, ig_cmd(g, IG_OP_IN_REPEAT, 1, 0x61, 0, 4000, 0));
	for (i = 0; i < 4000; i++) {
		seen[(b[i] >> 4) & 1]++;
		if (i && ((b[i] ^ b[i - 1]) & 0x10))
			flips++;
	}
	TH_LOG("bit 4: %u low, %u high, %u flips", seen[0], seen[1], flips);
	EXPECT_LT(0, seen[0]);
	EXPECT_LT(0, seen[1]);
	EXPECT_LT(1, flips);
}

/*
 * Linux's pit_calibrate_tsc(): gate 2 on, speaker off, counter 2 in
 * mode 0 with a 50 ms count; port 61h bit 5 (OUT2) must be low at first
 * and go high when the count expires, 50 ms of TSC later (within 3%).
 */
TEST_F(pit, port61_out2_one_shot)
{
	struct ig_vm *g = &self->g;
	const uint16_t latch = PIT_HZ / 20;
	struct ig_res *r = ig_res(g);
	uint64_t start;
	double ms;
	int v;

	v = ig_inb(g, 0x61);
	ASSERT_LE(0, v);
	ASSERT_EQ(0, ig_out(g, 0x61, (v & ~0x02) | 0x01));
	ASSERT_EQ(0, ig_out(g, 0x43, PIT_CH2_MODE0));
	v = ig_inb(g, 0x61);
	ASSERT_LE(0, v);
	EXPECT_EQ(0, v & 0x20) TH_LOG("OUT2 high after mode 0 control word");
	EXPECT_EQ(0x01, v & 0x03);
	ASSERT_EQ(0, ig_out(g, 0x42, latch & 0xff));
	ASSERT_EQ(0, ig_cmd(g, IG_OP_OUT, 1, 0x42, latch >> 8, 0, 0));
	/* timed from the MSB write, as in Linux */
	start = r->tsc1;
	ASSERT_EQ(0, ig_cmd(g, IG_OP_WAIT_BIT, 1, 0x61, 0x20, 100000000,
			    0x20));
	ASSERT_LT(0, r->iters) TH_LOG("OUT2 never went high");
	ms = (double)(r->tsc1 - start) / self->khz;
	TH_LOG("OUT2 high after %.2f ms (want 50)", ms);
	EXPECT_LT(ms, 50 * 1.03 + 1);
	EXPECT_GT(ms, 50 * 0.97 - 1);
	/* it stays high: mode 0 does not reload */
	v = ig_inb(g, 0x61);
	EXPECT_EQ(0x20, v & 0x20);
	/*
	 * A new control word sets OUT low in mode 0 ("Mode 0"): hvmm
	 * models it, KVM only reloads OUT with the count.
	 */
	ASSERT_EQ(0, ig_out(g, 0x43, PIT_CH2_MODE0));
	if (strstr(dev_path(), "hvmm")) {
		v = ig_inb(g, 0x61);
		EXPECT_EQ(0, v & 0x20);
	}
	ASSERT_EQ(0, ig_out(g, 0x42, 0xff));
	ASSERT_EQ(0, ig_out(g, 0x42, 0xff));
	v = ig_inb(g, 0x61);
	EXPECT_EQ(0, v & 0x20);
}

/*
 * Mode 2 with count 2 (596 kHz) and with count 1 (illegal in mode 2):
 * the host must clamp the IRQ0 rate to one per 200 us, KVM's default
 * min_timer_period_us as create_pit_timer() applies it to periodic
 * modes (arch/x86/kvm/i8254.c; hvmm: 239 CLKs, 4992 Hz), the guest
 * keeps running, and the counter is sane afterwards.  The stubs mask
 * IRQ0 after 2000 interrupts so a slow guest cannot be starved.
 */
TEST_F(pit, storm_is_clamped)
{
	struct ig_vm *g = &self->g;
	uint64_t first, last;
	uint16_t count;
	double hz;

	for (count = 2; count >= 1; count--) {
		ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0xfe, 0xff));
		*(uint8_t *)ig_mem(g, IG_EOI_MODE) = IG_EOI_NONSPEC;
		*(uint32_t *)ig_mem(g, IG_NIRQ_LIMIT) = 2000;
		ig_clear_log(g);
		ASSERT_EQ(0, pit_program(g, 0x40, PIT_MODE2_LH, count));
		ASSERT_EQ(0, ig_cmd(g, IG_OP_WAIT_IRQS, 0, 0,
				    ms_cycles(self->khz, 40), 2000, 0))
			TH_LOG("%s", g->err);
		/*
		 * Count 2 must interrupt; count 1 is illegal in mode 2
		 * ("Mode 2"), so any rate up to the clamp, none included,
		 * is right for it.
		 */
		if (count == 2)
			ASSERT_LT(1, ig_nirq(g)) TH_LOG("no IRQ0 at all");
		memcpy(&first, ig_mem(g, IG_FIRST_TSC), 8);
		memcpy(&last, ig_mem(g, IG_LAST_TSC), 8);
		hz = ig_nirq(g) < 2 ? 0 : (ig_nirq(g) - 1) * self->khz *
			1000.0 / (double)(last - first);
		TH_LOG("count %u: %u IRQ0s at %.0f Hz", count, ig_nirq(g), hz);
		/* 5 kHz and the TSC's own error (see irq0_rate()'s 2%) */
		EXPECT_LT(hz, 5000.0 * 1.02);
		ASSERT_EQ(0, pit_program(g, 0x40, PIT_MODE2_LH, 0));
		*(uint32_t *)ig_mem(g, IG_NIRQ_LIMIT) = 0;
	}
	ASSERT_EQ(0, ig_out(g, 0x21, 0xff));
	latch_samples(_metadata, g, self->khz, PIT_LATCH0);
}

/* Skip the whole program, not each test, where no VM can be created. */
int main(int argc, char **argv)
{
	require_vm("pit_test");
	return test_harness_run(argc, argv);
}
