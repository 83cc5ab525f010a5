// SPDX-License-Identifier: GPL-2.0
/*
 * 8254 PIT and port 0x61 against the Intel 8254 datasheet (231164), on the
 * deterministic virtual clock: exact counts at exact CLK pulses, exact
 * IRQ0 edge times.  "d" below is the number of CLK pulses since the CLK in
 * which the count was written; the first one loads the count.
 */
#include "../../src/devices/i8254.h"
#include "kselftest_harness.h"

#define F	1193182ULL
#define RW_MSB_STATE	2	/* KVM's RW_STATE_MSB */
#define START_NS 1000000000ULL		/* CLK 1193182 */

static struct {
	struct hvmm_clock clock;
	struct hvmm_pit pit;
	int level;
	int rises;
	u64 rise_tick[64];
	int calls;
} g;

static u64 tick_ns(u64 k)
{
	return (u64)(((__uint128_t)k * 1000000000ULL + F - 1) / F);
}

static u64 tick_now(void)
{
	return (u64)((__uint128_t)g.clock.now_ns * F / 1000000000ULL);
}

static void irq_rec(void *opaque, u32 irq, int level)
{
	if (irq != 0)
		abort();
	g.calls++;
	if (level && !g.level) {
		if (g.rises < 64)
			g.rise_tick[g.rises] = tick_now();
		g.rises++;
	}
	g.level = level;
}

static void setup(void)
{
	memset(&g, 0, sizeof(g));
	hvmm_clock_init(&g.clock, START_NS);
	if (hvmm_pit_init(&g.pit, &g.clock, irq_rec, NULL))
		abort();
}

static void outb(u16 port, u8 v)
{
	struct hvmm_iodev *d = port == 0x61 ? &g.pit.port61_dev :
					      &g.pit.pit_dev;

	if (hvmm_iodev_write(d, port, 1, v))
		abort();
}

static u8 inb(u16 port)
{
	struct hvmm_iodev *d = port == 0x61 ? &g.pit.port61_dev :
					      &g.pit.pit_dev;
	u64 v = 0;

	if (hvmm_iodev_read(d, port, 1, &v))
		abort();
	return (u8)v;
}

/* Move the clock to the first nanosecond of CLK @k. */
static void goto_tick(u64 k)
{
	u64 ns = tick_ns(k);

	if (ns < g.clock.now_ns)
		abort();
	hvmm_clock_advance(&g.clock, ns - g.clock.now_ns);
}

/* Counter latch command, then LSB, MSB (rw mode 3). */
static u16 latched(int ch)
{
	u16 v;

	outb(0x43, ch << 6);
	v = inb(0x40 + ch);
	return v | inb(0x40 + ch) << 8;
}

static u16 read16(int ch)
{
	u16 v = inb(0x40 + ch);

	return v | inb(0x40 + ch) << 8;
}

static u8 status(int ch)
{
	outb(0x43, 0xe0 | (2 << ch));	/* read-back: status only */
	return inb(0x40 + ch);
}

static u64 program(int ch, u8 mode_bits, u16 count)
{
	u64 w;

	outb(0x43, ch << 6 | 0x30 | mode_bits);
	outb(0x40 + ch, count & 0xff);
	w = tick_now();
	outb(0x40 + ch, count >> 8);
	return w;
}

/* 8254 datasheet, Mode 0: Interrupt on Terminal Count */
TEST(mode0_terminal_count)
{
	u64 w;

	setup();
	w = program(0, 0x00, 100);
	EXPECT_EQ(0, g.level);			/* OUT low after control word */
	goto_tick(w + 1);			/* load pulse: no decrement */
	EXPECT_EQ(100, latched(0));
	goto_tick(w + 2);
	EXPECT_EQ(99, latched(0));
	goto_tick(w + 100);
	EXPECT_EQ(1, latched(0));
	EXPECT_EQ(0, status(0) >> 7);
	EXPECT_EQ(0, g.rises);
	goto_tick(w + 101);			/* N + 1 CLKs after the write */
	EXPECT_EQ(0, latched(0));
	EXPECT_EQ(1, status(0) >> 7);
	ASSERT_EQ(1, g.rises);
	EXPECT_EQ(w + 101, g.rise_tick[0]);
	goto_tick(w + 102);			/* wraps to FFFF, OUT stays high */
	EXPECT_EQ(0xffff, latched(0));
	goto_tick(w + 200000);
	EXPECT_EQ(1, g.rises);
	EXPECT_EQ(1, status(0) >> 7);
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, Mode 0: "Writing the first byte disables counting" */
TEST(mode0_first_byte_stops_counting)
{
	u64 w;

	setup();
	w = program(0, 0x00, 50);
	goto_tick(w + 60);			/* terminal count passed */
	EXPECT_EQ(1, g.level);
	outb(0x40, 0x10);			/* first byte: OUT low at once */
	EXPECT_EQ(0, g.level);
	EXPECT_EQ(0, status(0) >> 7);
	goto_tick(w + 500);			/* not counting meanwhile */
	outb(0x40, 0x00);			/* N = 16, reloads */
	w = tick_now();
	goto_tick(w + 16);
	EXPECT_EQ(1, latched(0));
	goto_tick(w + 17);
	EXPECT_EQ(2, g.rises);
	EXPECT_EQ(w + 17, g.rise_tick[1]);
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, Mode 1: Hardware Retriggerable One-Shot (gate 2, 0x61) */
TEST(mode1_one_shot_retrigger)
{
	u64 w;

	setup();
	outb(0x61, 0x00);
	program(2, 0x02, 10);
	goto_tick(tick_now() + 50);
	EXPECT_EQ(1, status(2) >> 7);		/* waits for a trigger */
	EXPECT_EQ(0x40, status(2) & 0x40);	/* null count until loaded */
	outb(0x61, 0x01);			/* trigger */
	w = tick_now();
	goto_tick(w + 1);
	EXPECT_EQ(0, inb(0x61) & 0x20);		/* OUT low from load */
	EXPECT_EQ(10, latched(2));
	EXPECT_EQ(0, status(2) & 0x40);
	goto_tick(w + 6);
	EXPECT_EQ(5, latched(2));
	outb(0x61, 0x00);
	outb(0x61, 0x01);			/* retrigger: reload N */
	w = tick_now();
	goto_tick(w + 10);
	EXPECT_EQ(1, latched(2));
	EXPECT_EQ(0, inb(0x61) & 0x20);
	goto_tick(w + 11);
	EXPECT_EQ(0x20, inb(0x61) & 0x20);
	/* a new count waits for the next trigger */
	outb(0x42, 3);
	outb(0x42, 0);
	goto_tick(w + 20);
	EXPECT_EQ(0x10000 - 9, latched(2));
	outb(0x61, 0x00);
	outb(0x61, 0x01);
	w = tick_now();
	goto_tick(w + 1);
	EXPECT_EQ(3, latched(2));
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, Mode 2: Rate Generator */
TEST(mode2_rate_generator)
{
	u64 w;
	int k;

	setup();
	hvmm_pit_set_reinject(&g.pit, false);
	/* 300 CLKs: slower than the IRQ0 floor, every edge on time */
	w = program(0, 0x04, 300);
	for (k = 1; k <= 300; k++) {
		goto_tick(w + k);
		EXPECT_EQ(301 - k, latched(0));
		EXPECT_EQ(k == 300 ? 0 : 1, status(0) >> 7);
	}
	goto_tick(w + 301);			/* reload, OUT back high */
	EXPECT_EQ(300, latched(0));
	EXPECT_EQ(1, status(0) >> 7);
	goto_tick(w + 3000);
	ASSERT_EQ(9, g.rises);
	for (k = 0; k < 9; k++)
		EXPECT_EQ(w + 301 + 300 * k, g.rise_tick[k]);
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, Mode 2: a new count is loaded at the end of the period */
TEST(mode2_reload_at_period_end)
{
	u64 w;

	setup();
	hvmm_pit_set_reinject(&g.pit, false);
	w = program(0, 0x04, 300);
	goto_tick(w + 30);
	outb(0x40, 250);
	outb(0x40, 0);
	EXPECT_EQ(0x40, status(0) & 0x40);	/* null count: not loaded yet */
	goto_tick(w + 300);
	EXPECT_EQ(1, latched(0));		/* current period unaffected */
	goto_tick(w + 301);
	EXPECT_EQ(250, latched(0));
	EXPECT_EQ(0, status(0) & 0x40);
	goto_tick(w + 900);
	ASSERT_EQ(3, g.rises);
	EXPECT_EQ(w + 301, g.rise_tick[0]);
	EXPECT_EQ(w + 551, g.rise_tick[1]);
	EXPECT_EQ(w + 801, g.rise_tick[2]);
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, Mode 3: Square Wave Mode, even and odd counts */
TEST(mode3_square_wave)
{
	static const u16 even[] = { 10, 8, 6, 4, 2, 10, 8, 6, 4, 2, 10 };
	static const u8 even_out[] = { 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1 };
	static const u16 odd[] = { 4, 2, 0, 4, 2, 4 };
	static const u8 odd_out[] = { 1, 1, 1, 0, 0, 1 };
	u64 w;
	int k;

	setup();
	outb(0x61, 0x01);
	w = program(2, 0x06, 10);
	for (k = 0; k < 11; k++) {
		goto_tick(w + 1 + k);
		EXPECT_EQ(even[k], latched(2));
		EXPECT_EQ(even_out[k] << 5, inb(0x61) & 0x20);
	}
	w = program(2, 0x06, 5);	/* high (N+1)/2, low (N-1)/2 */
	for (k = 0; k < 6; k++) {
		goto_tick(w + 1 + k);
		EXPECT_EQ(odd[k], latched(2));
		EXPECT_EQ(odd_out[k], status(2) >> 7);
	}
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, Mode 3: a new count is loaded at the end of the half */
TEST(mode3_reload_at_half_cycle)
{
	u64 w;

	setup();
	outb(0x61, 0x01);
	w = program(2, 0x06, 100);
	goto_tick(w + 20);			/* high half, CE 62 */
	outb(0x42, 40);
	outb(0x42, 0);
	goto_tick(w + 50);
	EXPECT_EQ(2, latched(2));		/* old half runs out */
	EXPECT_EQ(0x20, inb(0x61) & 0x20);
	goto_tick(w + 51);			/* low half of the new count */
	EXPECT_EQ(40, latched(2));
	EXPECT_EQ(0, inb(0x61) & 0x20);
	goto_tick(w + 71);			/* 40 / 2 CLKs later: high */
	EXPECT_EQ(0x20, inb(0x61) & 0x20);
	EXPECT_EQ(40, latched(2));
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, Mode 4: "GATE = 0 disables counting" */
TEST(mode4_gate_pauses)
{
	u64 w;

	setup();
	outb(0x61, 0x01);
	w = program(2, 0x08, 30);
	goto_tick(w + 11);
	outb(0x61, 0x00);
	goto_tick(w + 1000);
	EXPECT_EQ(20, latched(2));
	EXPECT_EQ(0x20, inb(0x61) & 0x20);
	outb(0x61, 0x01);
	w = tick_now();
	goto_tick(w + 19);			/* 20 more CLKs to go */
	EXPECT_EQ(1, latched(2));
	goto_tick(w + 20);			/* count 0: the strobe */
	EXPECT_EQ(0, inb(0x61) & 0x20);
	goto_tick(w + 21);
	EXPECT_EQ(0x20, inb(0x61) & 0x20);
	hvmm_pit_destroy(&g.pit);
}

/* KVM_PIT_FLAGS_HPET_LEGACY: the HPET owns IRQ0, the PIT still counts */
TEST(hpet_legacy_silences_irq0)
{
	struct kvm_pit_state2 st;
	u64 w;

	setup();
	hvmm_pit_set_reinject(&g.pit, false);
	w = program(0, 0x04, 1000);
	ASSERT_EQ(0, hvmm_pit_get_state(&g.pit, &st));
	st.flags |= KVM_PIT_FLAGS_HPET_LEGACY;
	ASSERT_EQ(0, hvmm_pit_set_state(&g.pit, &st));
	goto_tick(w + 10000);
	EXPECT_EQ(0, g.rises);
	EXPECT_EQ(1000 - (10000 - 1) % 1000, latched(0));
	st.flags = 0;
	ASSERT_EQ(0, hvmm_pit_get_state(&g.pit, &st));
	st.flags = 0;
	ASSERT_EQ(0, hvmm_pit_set_state(&g.pit, &st));
	goto_tick(w + 10001);
	EXPECT_EQ(1, g.rises);
	EXPECT_EQ(w + 10001, g.rise_tick[0]);
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, Mode 4: Software Triggered Strobe */
TEST(mode4_strobe)
{
	u64 w;

	setup();
	w = program(0, 0x08, 20);
	EXPECT_EQ(1, status(0) >> 7);
	goto_tick(w + 20);
	EXPECT_EQ(1, status(0) >> 7);
	goto_tick(w + 21);
	EXPECT_EQ(0, status(0) >> 7);		/* low for one CLK */
	EXPECT_EQ(0, g.rises);
	goto_tick(w + 22);
	EXPECT_EQ(1, status(0) >> 7);
	ASSERT_EQ(1, g.rises);
	EXPECT_EQ(w + 22, g.rise_tick[0]);
	goto_tick(w + 200000);
	EXPECT_EQ(1, g.rises);
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, Mode 5: Hardware Triggered Strobe (Retriggerable) */
TEST(mode5_hardware_strobe)
{
	u64 w;

	setup();
	program(2, 0x0a, 7);
	goto_tick(tick_now() + 100);
	EXPECT_EQ(1, status(2) >> 7);
	outb(0x61, 0x01);
	w = tick_now();
	goto_tick(w + 7);
	EXPECT_EQ(1, latched(2));
	goto_tick(w + 8);
	EXPECT_EQ(0, inb(0x61) & 0x20);
	goto_tick(w + 9);
	EXPECT_EQ(0x20, inb(0x61) & 0x20);
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, Control Word Format: BCD; "Counter": 0 is 10^4 in BCD */
TEST(bcd_counting)
{
	u64 w;

	setup();
	outb(0x43, 0x31);			/* ch0, LSB/MSB, mode 0, BCD */
	outb(0x40, 0x00);
	w = tick_now();
	outb(0x40, 0x01);			/* 0100 BCD = 100 CLKs */
	goto_tick(w + 2);
	EXPECT_EQ(0x0099, latched(0));
	goto_tick(w + 101);
	EXPECT_EQ(1, g.rises);
	goto_tick(w + 102);
	EXPECT_EQ(0x9999, latched(0));		/* wraps to 9999 */
	outb(0x43, 0x35);			/* mode 2, BCD, count 0 */
	outb(0x40, 0);
	w = tick_now();
	outb(0x40, 0);
	goto_tick(w + 1);
	EXPECT_EQ(0x0000, latched(0));		/* 10000 shows as 0000 */
	goto_tick(w + 2);
	EXPECT_EQ(0x9999, latched(0));
	goto_tick(w + 10001);
	EXPECT_EQ(0x0000, latched(0));
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, "Counter": the largest count 0 is 2^16 in binary */
TEST(count_zero_is_65536)
{
	u64 w;

	setup();
	hvmm_pit_set_reinject(&g.pit, false);
	w = program(0, 0x04, 0);
	goto_tick(w + 2);
	EXPECT_EQ(0xffff, latched(0));
	goto_tick(w + 65537 + 65536);
	ASSERT_EQ(2, g.rises);
	EXPECT_EQ(w + 65537, g.rise_tick[0]);
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, Write Operations / Read Operations: RW modes */
TEST(access_modes)
{
	u64 w;

	setup();
	outb(0x43, 0x10);			/* ch0, LSB only, mode 0 */
	outb(0x40, 0x50);
	w = tick_now();
	goto_tick(w + 1);
	EXPECT_EQ(0x50, inb(0x40));
	EXPECT_EQ(0x50, inb(0x40));		/* LSB again, no flip-flop */
	outb(0x43, 0x20);			/* MSB only */
	outb(0x40, 0x12);
	w = tick_now();
	goto_tick(w + 1);
	EXPECT_EQ(0x12, inb(0x40));
	goto_tick(w + 2);
	EXPECT_EQ(0x11, inb(0x40));		/* 0x11ff */
	outb(0x43, 0x30);			/* LSB then MSB */
	outb(0x40, 0x34);
	w = tick_now();
	outb(0x40, 0x12);
	goto_tick(w + 3);
	EXPECT_EQ(0x32, inb(0x40));
	EXPECT_EQ(0x12, inb(0x40));
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, Counter Latch Command */
TEST(counter_latch)
{
	u64 w;

	setup();
	w = program(0, 0x04, 1000);
	goto_tick(w + 11);
	outb(0x43, 0x00);
	goto_tick(w + 500);
	outb(0x43, 0x00);			/* ignored: not read yet */
	EXPECT_EQ(990 & 0xff, inb(0x40));
	goto_tick(w + 600);
	EXPECT_EQ(990 >> 8, inb(0x40));
	/* unlatched again: follows the CE */
	EXPECT_EQ(1001 - 600, latched(0));
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, Read-Back Command and Status Byte (Table "Read-Back") */
TEST(read_back)
{
	u64 w;
	u8 s;

	setup();
	outb(0x61, 0x01);
	w = program(0, 0x04, 300);
	program(2, 0x00, 20);
	goto_tick(w + 101);
	outb(0x43, 0xc2);			/* count and status of ch0 */
	s = inb(0x40);				/* status comes first */
	EXPECT_EQ(0x80 | 0x34, s);		/* OUT high, RW 3, mode 2 */
	EXPECT_EQ(200, read16(0));
	outb(0x43, 0xec);			/* status of ch1 and ch2 */
	outb(0x43, 0x34);			/* ch0 reprogrammed: null count */
	outb(0x43, 0xe2);
	EXPECT_EQ(0x40 | 0x80 | 0x34, inb(0x40));
	/* ch1: no control word yet (KVM's mode 0xff): RW 0, mode bits 111 */
	EXPECT_EQ(0x4e, inb(0x41) & 0x7f);
	EXPECT_EQ(0x80 | 0x30, inb(0x42));	/* ch2 mode 0 at TC */
	/* count only, two counters; a second latch is ignored */
	outb(0x43, 0xd4 | 0x08);		/* count of ch1, ch2 */
	goto_tick(w + 150);
	outb(0x43, 0xd8);
	EXPECT_EQ(0x10000 - 80, read16(2));	/* at w + 101 */
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, Figure "Null Count Operation" */
TEST(null_count)
{
	u64 w;

	setup();
	outb(0x43, 0x34);
	EXPECT_EQ(0x40, status(0) & 0x40);
	outb(0x40, 10);
	EXPECT_EQ(0x40, status(0) & 0x40);	/* one byte of two */
	outb(0x40, 0);
	w = tick_now();
	EXPECT_EQ(0x40, status(0) & 0x40);
	goto_tick(w + 1);
	EXPECT_EQ(0, status(0) & 0x40);
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, "Gate Pin Operations Summary" */
TEST(gate_effects)
{
	u64 w;

	setup();
	outb(0x61, 0x01);
	w = program(2, 0x00, 100);
	goto_tick(w + 11);
	EXPECT_EQ(90, latched(2));
	outb(0x61, 0x00);			/* mode 0: disables counting */
	goto_tick(w + 500);
	EXPECT_EQ(90, latched(2));
	outb(0x61, 0x01);
	w = tick_now();
	goto_tick(w + 10);
	EXPECT_EQ(80, latched(2));
	/* mode 2: gate low sets OUT high, a trigger reloads */
	w = program(2, 0x04, 50);
	goto_tick(w + 50);
	EXPECT_EQ(0, inb(0x61) & 0x20);
	outb(0x61, 0x00);
	EXPECT_EQ(0x20, inb(0x61) & 0x20);
	goto_tick(w + 80);
	outb(0x61, 0x01);
	w = tick_now();
	goto_tick(w + 1);
	EXPECT_EQ(50, latched(2));
	goto_tick(w + 11);
	EXPECT_EQ(40, latched(2));
	hvmm_pit_destroy(&g.pit);
}

static void linux_hz(struct __test_metadata *_metadata, u16 latch, int hz)
{
	u64 w, t;
	int k;

	setup();
	hvmm_pit_set_reinject(&g.pit, false);
	/* arch/x86/kernel/i8253.c / clockevent: 0x34, LSB, MSB */
	outb(0x43, 0x34);
	outb(0x40, latch & 0xff);
	w = tick_now();
	outb(0x40, latch >> 8);
	hvmm_clock_advance(&g.clock, 10 * 1000000000ULL);
	t = tick_now();
	EXPECT_EQ((t - (w + 1)) / latch, (u64)g.rises);
	EXPECT_GE(g.rises, 10 * hz - 1);
	EXPECT_LE(g.rises, 10 * hz + 1);
	for (k = 0; k < 64 && k < g.rises; k++)
		EXPECT_EQ(w + 1 + (u64)latch * (k + 1), g.rise_tick[k]);
	hvmm_pit_destroy(&g.pit);
}

/* 8254 datasheet, Mode 2; Linux PIT_LATCH at HZ=100 and HZ=1000 */
TEST(linux_periodic_100hz)
{
	linux_hz(_metadata, 11932, 100);
}

TEST(linux_periodic_1000hz)
{
	linux_hz(_metadata, 1193, 1000);
}

/* arch/x86/kernel/tsc.c pit_calibrate_tsc(): 0x61 bit 5 = OUT2, mode 0 */
TEST(linux_calibrate_via_port61)
{
	u64 w, polls = 0;
	u8 v;

	setup();
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	EXPECT_EQ(0x01, inb(0x61) & 0x03);
	outb(0x43, 0xb0);
	outb(0x42, 0x0b);			/* 50 ms: 59659 = 0xe90b */
	w = tick_now();
	outb(0x42, 0xe9);
	/* quick_pit_calibrate() reads MSBs without latching */
	inb(0x42);
	v = inb(0x42);
	EXPECT_EQ(0xe9, v);
	while (!(inb(0x61) & 0x20) && polls < 100000) {
		hvmm_clock_advance(&g.clock, 1000);
		polls++;
	}
	EXPECT_GE(tick_now(), w + 0xe90b + 1);
	EXPECT_LT(tick_now(), w + 0xe90b + 1 + 2);	/* 1 us polls */
	EXPECT_GE(polls, 49990);
	EXPECT_LE(polls, 50010);
	hvmm_pit_destroy(&g.pit);
}

/* pit_expect_msb(): the MSB of channel 2 steps every 256 CLKs */
TEST(linux_expect_msb)
{
	u64 w;
	int i;

	setup();
	outb(0x61, 0x01);
	outb(0x43, 0xb0);
	outb(0x42, 0xff);
	w = tick_now();
	outb(0x42, 0xff);
	for (i = 0; i < 20; i++) {
		goto_tick(w + 1 + 256 * i + 128);
		inb(0x42);
		EXPECT_EQ(0xff - i, inb(0x42));
	}
	hvmm_pit_destroy(&g.pit);
}

/* Port 0x61 (PC/AT system control port B): bits 2-4, 6-7 */
TEST(port61_bits)
{
	u8 a, b;

	setup();
	outb(0x61, 0xff);
	a = inb(0x61);
	EXPECT_EQ(0x0f, a & 0x0f);		/* gate, speaker, 2-3 rw */
	EXPECT_EQ(0, a & 0xc0);			/* no NMI sources */
	hvmm_clock_advance(&g.clock, HVMM_PIT_REFRESH_NS);
	b = inb(0x61);
	EXPECT_EQ(0x10, (a ^ b) & 0x10);	/* refresh toggled */
	hvmm_clock_advance(&g.clock, HVMM_PIT_REFRESH_NS * 2);
	EXPECT_EQ(b & 0x10, inb(0x61) & 0x10);
	outb(0x61, 0x00);
	EXPECT_EQ(0, inb(0x61) & 0x0f);
	hvmm_pit_destroy(&g.pit);
}

/* Tick policy, reinject (KVM default): one queued tick per ack */
TEST(reinject_queues_until_ack)
{
	u64 w;

	setup();
	w = program(0, 0x04, 1000);
	goto_tick(w + 1 + 5 * 1000);
	EXPECT_EQ(1, g.rises);
	EXPECT_EQ(4, g.pit.pending);
	hvmm_pit_irq_acked(&g.pit);
	EXPECT_EQ(2, g.rises);
	hvmm_pit_irq_acked(&g.pit);
	hvmm_pit_irq_acked(&g.pit);
	hvmm_pit_irq_acked(&g.pit);
	EXPECT_EQ(5, g.rises);
	hvmm_pit_irq_acked(&g.pit);		/* nothing left */
	EXPECT_EQ(5, g.rises);
	goto_tick(w + 1 + 6 * 1000);		/* acked: delivered on time */
	EXPECT_EQ(6, g.rises);
	EXPECT_EQ(w + 1 + 6 * 1000, g.rise_tick[5]);
	/* bounded when never acked */
	goto_tick(w + 1 + 3000 * 1000);
	EXPECT_EQ(HVMM_PIT_MAX_PENDING, g.pit.pending);
	EXPECT_EQ(6, g.rises);
	hvmm_pit_destroy(&g.pit);
}

/* Tick policy, reinject: a guest that acks every tick sees every edge on time */
TEST(reinject_prompt_acks_on_time)
{
	u64 w;
	int k;

	setup();
	w = program(0, 0x04, 11932);
	for (k = 0; k < 1000; k++) {
		goto_tick(w + 1 + 11932ULL * (k + 1));
		ASSERT_EQ(k + 1, g.rises);
		if (k < 64)
			EXPECT_EQ(w + 1 + 11932ULL * (k + 1), g.rise_tick[k]);
		hvmm_pit_irq_acked(&g.pit);
	}
	EXPECT_EQ(0, g.pit.pending);
	EXPECT_EQ(0, g.pit.edges_dropped);
	hvmm_pit_destroy(&g.pit);
}

/* Tick policy, coalesce: every edge to the line, nothing queued */
TEST(coalesce_drops_missed)
{
	u64 w;

	setup();
	hvmm_pit_set_reinject(&g.pit, false);
	w = program(0, 0x04, 1000);
	goto_tick(w + 1 + 5 * 1000);
	EXPECT_EQ(5, g.rises);
	EXPECT_EQ(0, g.pit.pending);
	hvmm_pit_irq_acked(&g.pit);
	EXPECT_EQ(5, g.rises);
	/* a late timer (host busy) coalesces into one edge */
	hvmm_clock_advance_bounded(&g.clock, tick_ns(w + 1 + 10000) -
				   g.clock.now_ns, 0);
	EXPECT_EQ(5, g.rises);
	hvmm_clock_advance(&g.clock, 1);
	EXPECT_EQ(6, g.rises);
	EXPECT_EQ(4, g.pit.edges_dropped);
	hvmm_pit_destroy(&g.pit);
}

/* CLKs of the IRQ0 floor: 200 us (KVM's min_timer_period_us) rounded up */
#define FLOOR_TICKS	((HVMM_PIT_MIN_PERIOD_NS * F + 999999999) / 1000000000)

/*
 * Host protection as KVM's create_pit_timer(): a periodic count faster
 * than min_timer_period_us (200 us) interrupts every 200 us instead, the
 * first IRQ0 after the programmed interval; what the guest reads still
 * follows the datasheet.
 */
TEST(min_period_clamp)
{
	u64 w;
	int k;

	setup();
	EXPECT_EQ(239, FLOOR_TICKS);
	hvmm_pit_set_reinject(&g.pit, false);
	w = program(0, 0x04, 2);
	hvmm_clock_advance(&g.clock, 1000000000ULL);
	EXPECT_LE(g.rises, 1000000000 / HVMM_PIT_MIN_PERIOD_NS + 1);
	EXPECT_GE(g.rises, (F - 3) / FLOOR_TICKS + 1);
	EXPECT_EQ(w + 3, g.rise_tick[0]);	/* the counter's own edge */
	for (k = 1; k < 64; k++)
		EXPECT_EQ(FLOOR_TICKS, g.rise_tick[k] - g.rise_tick[k - 1]);
	goto_tick(tick_now() + 1);
	/* the count the guest sees still follows the datasheet */
	EXPECT_EQ(2 - (tick_now() - w - 1) % 2, latched(0));
	hvmm_pit_destroy(&g.pit);
}

/*
 * The floor is a period, not a thinning of the counter's edges: count 200
 * (168 us) interrupts at 5 kHz like KVM, not at every second edge; the
 * first count at or above the floor is not touched, and neither is mode 3.
 */
TEST(min_period_is_kvm_period)
{
	static const u16 counts[] = { 200, FLOOR_TICKS - 1, FLOOR_TICKS, 300 };
	static const u8 modes[] = { 0x04, 0x06 };
	unsigned int i, j;
	int k;
	u64 w, step;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		for (j = 0; j < ARRAY_SIZE(modes); j++) {
			setup();
			hvmm_pit_set_reinject(&g.pit, false);
			w = program(0, modes[j], counts[i]);
			goto_tick(w + 1 + 70 * 300);
			ASSERT_LE(64, g.rises);
			step = counts[i] < FLOOR_TICKS ? FLOOR_TICKS :
							 counts[i];
			EXPECT_EQ(w + 1 + counts[i], g.rise_tick[0]);
			for (k = 1; k < 64; k++)
				EXPECT_EQ(step, g.rise_tick[k] -
					  g.rise_tick[k - 1])
					TH_LOG("count %u mode %#x edge %d",
					       counts[i], modes[j], k);
			hvmm_pit_destroy(&g.pit);
		}
	}
}

/* One-shot modes are not clamped (KVM clamps is_periodic timers only). */
TEST(min_period_one_shot_not_clamped)
{
	u64 w;

	setup();
	w = program(0, 0x00, 2);		/* mode 0 */
	goto_tick(w + 10);
	ASSERT_EQ(1, g.rises);
	EXPECT_EQ(w + 3, g.rise_tick[0]);
	w = program(0, 0x00, 3);		/* again, 1 CLK after the first */
	goto_tick(w + 10);
	ASSERT_EQ(2, g.rises);
	EXPECT_EQ(w + 4, g.rise_tick[1]);
	hvmm_pit_destroy(&g.pit);
}

static bool fake_blocked;

static bool blocked_fn(void *opaque)
{
	return fake_blocked;
}

/* Advance @ns; return how many times the PIT's timer fired. */
static u64 fires_in(u64 ns)
{
	return hvmm_clock_advance_bounded(&g.clock, ns, ~0ULL);
}

/*
 * IRQ0 masked with its request latched (KVM: the mask notifier): no timer
 * runs; the OCW1 unmask catches up and drops what was queued meanwhile
 * (pit_mask_notifer()), and the next edge comes on the counter's time.
 */
TEST(masked_irq0_stops_timer)
{
	u64 w, fires;

	setup();
	hvmm_pit_set_blocked_fn(&g.pit, blocked_fn);
	fake_blocked = false;
	w = program(0, 0x04, 1193);		/* 1 kHz, reinject on */
	goto_tick(w + 1 + 1193);
	EXPECT_EQ(1, g.rises);
	fake_blocked = true;			/* masked, IRR0 set */
	fires = fires_in(1000000000ULL);	/* one second */
	EXPECT_GE(1, fires);
	EXPECT_EQ(1, g.rises);
	fake_blocked = false;
	hvmm_pit_irq0_unblocked(&g.pit, true);
	EXPECT_EQ(0, g.pit.pending);		/* the masked second dropped */
	EXPECT_FALSE(g.pit.awaiting_ack);
	fires = fires_in(5 * 1000000ULL);	/* 5 ms: 5 edges on the grid */
	EXPECT_EQ(5, fires);
	EXPECT_EQ(2, g.rises);			/* then one per ack */
	EXPECT_EQ(4, g.pit.pending);
	EXPECT_EQ(0, (g.rise_tick[1] - w - 1) % 1193);
	hvmm_pit_destroy(&g.pit);
}

/* Unmasked by ICW1 or KVM_SET_IRQCHIP: the backlog stays, as in KVM. */
TEST(unblocked_without_drop_keeps_backlog)
{
	u64 w;

	setup();
	hvmm_pit_set_blocked_fn(&g.pit, blocked_fn);
	fake_blocked = false;
	w = program(0, 0x04, 1193);
	goto_tick(w + 1 + 1193);
	fake_blocked = true;
	EXPECT_GE(1, fires_in(10 * 1000000ULL));
	fake_blocked = false;
	hvmm_pit_irq0_unblocked(&g.pit, false);
	EXPECT_EQ(1, g.rises);			/* not acked: all queued */
	EXPECT_EQ(10, g.pit.pending);
	hvmm_pit_irq_acked(&g.pit);
	EXPECT_EQ(2, g.rises);
	hvmm_pit_destroy(&g.pit);
}

/*
 * Reinject backlog full: edges would only be counted as dropped, so the
 * timer stops; an ack catches up (dropping beyond the bound) and re-arms.
 */
TEST(full_backlog_stops_timer)
{
	u64 w, fires;

	setup();
	w = program(0, 0x04, FLOOR_TICKS);	/* 5 kHz, never acked */
	fires = fires_in(2 * 1000000000ULL);	/* 10000 edges */
	EXPECT_EQ(HVMM_PIT_MAX_PENDING, g.pit.pending);
	EXPECT_GE(HVMM_PIT_MAX_PENDING + 2, fires);
	EXPECT_EQ(1, g.rises);
	hvmm_pit_irq_acked(&g.pit);
	EXPECT_EQ(2, g.rises);
	EXPECT_EQ(HVMM_PIT_MAX_PENDING - 1, g.pit.pending);
	/* room for one again: the next edge is timed */
	EXPECT_EQ(1, fires_in(tick_ns(w + 1 + FLOOR_TICKS *
			      (1 + (tick_now() - w - 1) / FLOOR_TICKS)) -
			      g.clock.now_ns));
	EXPECT_EQ(HVMM_PIT_MAX_PENDING, g.pit.pending);
	EXPECT_EQ(0, fires_in(1000000000ULL));
	hvmm_pit_destroy(&g.pit);
}

/* Coalescing (reinject off) and masked: one edge latches, then nothing */
TEST(masked_coalesce_stops_timer)
{
	u64 w;

	setup();
	hvmm_pit_set_reinject(&g.pit, false);
	hvmm_pit_set_blocked_fn(&g.pit, blocked_fn);
	fake_blocked = true;
	w = program(0, 0x04, 11932);		/* 100 Hz */
	EXPECT_GE(1, fires_in(1000000000ULL));
	fake_blocked = false;
	hvmm_pit_irq0_unblocked(&g.pit, true);
	EXPECT_LE(1, g.rises);
	EXPECT_GE(2, g.rises);
	g.rises = 0;
	EXPECT_EQ(10, fires_in(100 * 1000000ULL));
	EXPECT_EQ(10, g.rises);
	EXPECT_EQ(0, (g.rise_tick[0] - w - 1) % 11932);
	hvmm_pit_destroy(&g.pit);
}

static void save_restore_check(struct __test_metadata *_metadata,
			       bool pending)
{
	struct kvm_pit_state2 a, b;
	struct hvmm_pit twin;
	int rises_before, k;
	u64 w;

	setup();
	hvmm_pit_set_reinject(&g.pit, false);
	outb(0x61, 0x03);
	w = program(0, 0x04, 700);
	program(2, 0x06, 333);
	outb(0x43, 0x40 | 0x30 | 0x01);		/* ch1 mode 0, waits */
	goto_tick(w + 250);
	if (pending) {
		outb(0x40, 100);
		outb(0x40, 0);
	}
	outb(0x43, 0x80);			/* latched count travels */
	ASSERT_EQ(0, hvmm_pit_get_state(&g.pit, &a));
	EXPECT_EQ(KVM_PIT_FLAGS_SPEAKER_DATA_ON, a.flags);
	ASSERT_EQ(0, hvmm_pit_init(&twin, &g.clock, irq_rec, NULL));
	hvmm_pit_set_reinject(&twin, false);
	ASSERT_EQ(0, hvmm_pit_set_state(&twin, &a));
	ASSERT_EQ(0, hvmm_pit_get_state(&twin, &b));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	hvmm_pit_destroy(&g.pit);		/* the original stops here */
	rises_before = g.rises;
	for (k = 1; k < 3000; k += 7) {
		struct hvmm_pit *p = &g.pit;

		goto_tick(w + 250 + k);
		/* compare twin to a fresh restore of the same state */
		ASSERT_EQ(0, hvmm_pit_set_state(p, &a));
		ASSERT_EQ(0, hvmm_pit_get_state(p, &a));
		ASSERT_EQ(0, hvmm_pit_get_state(&twin, &b));
		EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	}
	EXPECT_GT(g.rises, rises_before);
	hvmm_pit_destroy(&twin);
	hvmm_pit_destroy(&g.pit);
}

/* KVM_GET/SET_PIT2 round trip mid count: the twin goes on identically */
TEST(save_restore_mid_count)
{
	save_restore_check(_metadata, false);
}

/* Mode 2: a count waiting for the end of the period survives restore */
TEST(save_restore_pending_reload)
{
	save_restore_check(_metadata, true);
}

/* KVM_SET_PIT2: every out-of-range field is refused, nothing changes */
TEST(set_state_einval)
{
	struct kvm_pit_state2 good, bad, now;
	int i;

	setup();
	program(0, 0x04, 1000);
	program(1, 0x00, 1000);
	program(2, 0x06, 1000);
	ASSERT_EQ(0, hvmm_pit_get_state(&g.pit, &good));
#define BAD(stmt) do { \
		bad = good; stmt; \
		EXPECT_EQ(-EINVAL, hvmm_pit_set_state(&g.pit, &bad)); \
	} while (0)
	for (i = 0; i < 3; i++) {
		BAD(bad.channels[i].mode = 6);
		BAD(bad.channels[i].mode = 0xfe);
		BAD(bad.channels[i].mode = 0xff);	/* with rw mode 3 */
		BAD(bad.channels[i].bcd = 2);
		BAD(bad.channels[i].gate = 2);
		BAD(bad.channels[i].rw_mode = 0);
		BAD(bad.channels[i].rw_mode = 4);
		BAD(bad.channels[i].read_state = 0);
		BAD(bad.channels[i].read_state = 5);
		BAD(bad.channels[i].write_state = 0);
		BAD(bad.channels[i].write_state = 5);
		BAD(bad.channels[i].count_latched = 5);
		BAD(bad.channels[i].status_latched = 2);
		BAD(bad.channels[i].count = 65537);
		BAD(bad.channels[i].bcd = 1; bad.channels[i].count = 65537);
		BAD(bad.channels[i].count_load_time = -1);
		BAD(bad.reserved[0] |= 0x10 << (8 * i));
		BAD(bad.reserved[4 + i] = 5);
	}
	/* a counter without a control word has nothing else to say */
	for (i = 0; i < 3; i++) {
		struct kvm_pit_channel_state *c = &bad.channels[i];
		u32 *ext = &bad.reserved[0];
#define NONE(stmt) BAD(c->mode = 0xff; c->rw_mode = 0; c->read_state = 0; \
		       c->write_state = 0; c->count_latched = 0; \
		       *ext &= ~(0xffu << (8 * i)); \
		       bad.reserved[1 + i] = 0; stmt)
		NONE(c->read_state = 3);
		NONE(c->write_state = 1);
		NONE(c->count_latched = 3);
		NONE(*ext |= HVMM_PIT_EXT_STOPPED << (8 * i));
		NONE(bad.reserved[1 + i] = 1);
		NONE(c->count = 65537);
		BAD(c->rw_mode = 0);			/* states still set */
#undef NONE
	}
	BAD(bad.flags = 4);
	BAD(bad.reserved[7] = 1);
	BAD(bad.reserved[8] = 1);
	BAD(bad.reserved[0] |= 4u << HVMM_PIT_EXT_PORT61_SHIFT);
#undef BAD
	ASSERT_EQ(0, hvmm_pit_get_state(&g.pit, &now));
	EXPECT_EQ(0, memcmp(&good, &now, sizeof(now)));
	/* a KVM state (reserved zero) is accepted */
	memset(good.reserved, 0, sizeof(good.reserved));
	good.flags = KVM_PIT_FLAGS_HPET_LEGACY;
	EXPECT_EQ(0, hvmm_pit_set_state(&g.pit, &good));
	hvmm_pit_destroy(&g.pit);
}

/*
 * KVM_GET_PIT2 of a fresh PIT reads as KVM's (kvm_pit_reset(): mode 0xff,
 * RW mode and states 0, count 0 loaded as 65536, GATE 2 low, reserved[]
 * zero).  count_load_time is a clock reading, not compared.
 */
TEST(fresh_state_reads_as_kvm)
{
	struct kvm_pit_state2 st;
	int i;

	setup();
	ASSERT_EQ(0, hvmm_pit_get_state(&g.pit, &st));
	EXPECT_EQ(0, st.flags);
	for (i = 0; i < 9; i++)
		EXPECT_EQ(0, st.reserved[i]);
	for (i = 0; i < 3; i++) {
		struct kvm_pit_channel_state *c = &st.channels[i];

		EXPECT_EQ(65536, c->count);
		EXPECT_EQ(0, c->latched_count);
		EXPECT_EQ(0, c->count_latched);
		EXPECT_EQ(0, c->status_latched);
		EXPECT_EQ(0, c->status);
		EXPECT_EQ(0, c->read_state);
		EXPECT_EQ(0, c->write_state);
		EXPECT_EQ(0, c->write_latch);
		EXPECT_EQ(0, c->rw_mode);
		EXPECT_EQ(0xff, c->mode);
		EXPECT_EQ(0, c->bcd);
		EXPECT_EQ(i != 2, c->gate);
	}
	/* and it goes back in, unchanged */
	ASSERT_EQ(0, hvmm_pit_set_state(&g.pit, &st));
	goto_tick(tick_now() + 100000);
	EXPECT_EQ(0, g.rises);
	hvmm_pit_destroy(&g.pit);
}

/*
 * What a PIT saved on KVM looks like: a Linux guest programs counter 0
 * (mode 2) and counter 2, never counter 1 (mode 0xff); KVM keeps counter
 * 0's phase in its hrtimer (count_load_time 0), a count of 0 is 65536
 * (KVM_SET_PIT2 -> pit_load_count()), a partly read latch is RW_MSB,
 * and BCD counts are raw.  All of it restores.
 */
TEST(kvm_states_accepted)
{
	struct kvm_pit_state2 st;
	struct kvm_pit_channel_state *c = st.channels;
	u64 t;

	setup();
	hvmm_pit_set_reinject(&g.pit, false);
	memset(&st, 0, sizeof(st));
	c[0] = (struct kvm_pit_channel_state){ .count = 0, .rw_mode = 3,
		.read_state = 3, .write_state = 3, .mode = 2, .gate = 1,
		.count_latched = RW_MSB_STATE, .latched_count = 0x1234 };
	c[1] = (struct kvm_pit_channel_state){ .count = 65536, .mode = 0xff,
		.gate = 1, .status_latched = 1, .status = 0xfe,
		.count_load_time = 5 };
	c[2] = (struct kvm_pit_channel_state){ .count = 0x9999, .rw_mode = 3,
		.read_state = 4, .write_state = 4, .write_latch = 0x12,
		.mode = 0, .bcd = 1, .count_load_time = START_NS };
	st.flags = KVM_PIT_FLAGS_SPEAKER_DATA_ON;
	ASSERT_EQ(0, hvmm_pit_set_state(&g.pit, &st));
	ASSERT_EQ(0, hvmm_pit_get_state(&g.pit, &st));
	EXPECT_EQ(65536, c[0].count);
	EXPECT_EQ(0xff, c[1].mode);
	EXPECT_EQ(0, c[1].rw_mode);
	EXPECT_EQ(10000, c[2].count);		/* the BCD maximum */
	EXPECT_EQ(0x12, inb(0x40));		/* the rest of the latch */
	EXPECT_EQ(0xfe, inb(0x41));		/* the latched status */
	/* counter 0 interrupts every 65536 CLKs from its old phase */
	t = tick_now();
	goto_tick(t + 3 * 65536);
	ASSERT_EQ(3, g.rises);
	EXPECT_EQ(65536, g.rise_tick[2] - g.rise_tick[1]);
	EXPECT_EQ(0, (g.rise_tick[1] - 1) % 65536);
	hvmm_pit_destroy(&g.pit);
}

/*
 * QEMU's reset state, which QEMU loads into KVM's PIT at every reset
 * (pit_reset_common(): mode 3, count 0x10000, RW mode 0): it counts, and
 * counter 0 interrupts at 18.2 Hz as on KVM; port accesses are LSB only.
 */
TEST(qemu_reset_state_accepted)
{
	struct kvm_pit_state2 st;
	int i;

	setup();
	hvmm_pit_set_reinject(&g.pit, false);
	memset(&st, 0, sizeof(st));
	for (i = 0; i < 3; i++) {
		st.channels[i].count = 0x10000;
		st.channels[i].mode = 3;
		st.channels[i].gate = i != 2;
		st.channels[i].count_load_time = START_NS;
	}
	ASSERT_EQ(0, hvmm_pit_set_state(&g.pit, &st));
	goto_tick(F + 1 + 2 * 65536);
	EXPECT_EQ(2, g.rises);
	EXPECT_EQ(F + 1 + 65536, g.rise_tick[0]);
	outb(0x40, 0x10);			/* LSB only: count 16 */
	ASSERT_EQ(0, hvmm_pit_get_state(&g.pit, &st));
	EXPECT_EQ(0, st.channels[0].rw_mode);
	EXPECT_EQ(0, st.channels[0].write_state);
	hvmm_pit_destroy(&g.pit);
}

/* A count written before any control word: stored, nothing counts */
TEST(unprogrammed_counter_holds)
{
	struct kvm_pit_state2 st;

	setup();
	outb(0x40, 10);				/* LSB only, as KVM */
	goto_tick(tick_now() + 1000);
	EXPECT_EQ(10, inb(0x40));
	EXPECT_EQ(10, inb(0x40));
	EXPECT_EQ(0, g.rises);
	outb(0x61, 0x01);			/* a gate edge starts nothing */
	outb(0x42, 5);
	goto_tick(tick_now() + 1000);
	EXPECT_EQ(5, inb(0x42));
	outb(0x43, 0x00);			/* latch: RW mode 0, no latch */
	EXPECT_EQ(10, inb(0x40));
	ASSERT_EQ(0, hvmm_pit_get_state(&g.pit, &st));
	EXPECT_EQ(10, st.channels[0].count);
	EXPECT_EQ(0xff, st.channels[0].mode);
	EXPECT_EQ(0, st.reserved[0] & 0xffffff);
	/* a control word gives it a mode; counting follows the datasheet */
	program(0, 0x04, 300);
	EXPECT_EQ(2, status(0) >> 1 & 7);
	goto_tick(tick_now() + 1000);
	EXPECT_EQ(1, g.rises);			/* reinject: then one per ack */
	hvmm_pit_destroy(&g.pit);
}

/* iodev.h: any port, size, value; unknown ones read all-ones */
TEST(odd_accesses)
{
	u64 v;

	setup();
	EXPECT_EQ(0, hvmm_iodev_read(&g.pit.pit_dev, 0x43, 1, &v));
	EXPECT_EQ(0xff, v);			/* control word is write-only */
	EXPECT_EQ(0, hvmm_iodev_read(&g.pit.pit_dev, 0x40, 2, &v));
	EXPECT_EQ(0xffff, v);
	EXPECT_EQ(0, hvmm_iodev_read(&g.pit.port61_dev, 0x61, 4, &v));
	EXPECT_EQ(0xffffffff, v);
	EXPECT_EQ(-EOPNOTSUPP, hvmm_iodev_read(&g.pit.pit_dev, 0x44, 1, &v));
	EXPECT_EQ(0, hvmm_iodev_write(&g.pit.pit_dev, 0x43, 4, 0x34));
	/* unchanged: no mode yet (OUT high, NULL COUNT, mode bits 111) */
	EXPECT_EQ(0xce, status(0));
	hvmm_pit_destroy(&g.pit);
}

TEST_HARNESS_MAIN
