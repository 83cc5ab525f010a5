// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace platform's virtual clock: timers fire in expiry order, at
 * exactly their expiry, and only while the clock is advanced.  Every device
 * test depends on this determinism.
 */
#include "../../src/devices/platform.h"
#include "kselftest_harness.h"

struct probe {
	struct hvmm_timer timer;
	u64 fired_at[8];
	int fires;
	u64 period;
};

static void probe_fn(struct hvmm_timer *t)
{
	struct probe *p = container_of(t, struct probe, timer);

	if (p->fires < 8)
		p->fired_at[p->fires] = hvmm_clock_now_ns(t->clock);
	p->fires++;
	if (p->period)
		hvmm_timer_start(t, hvmm_clock_now_ns(t->clock) + p->period);
}

TEST(clock_stands_still)
{
	struct hvmm_clock c;

	hvmm_clock_init(&c, 1000);
	EXPECT_EQ(1000, hvmm_clock_now_ns(&c));
	hvmm_clock_advance(&c, 5);
	EXPECT_EQ(1005, hvmm_clock_now_ns(&c));
}

TEST(one_shot_fires_at_expiry)
{
	struct hvmm_clock c;
	struct probe p = { 0 };

	hvmm_clock_init(&c, 0);
	ASSERT_EQ(0, hvmm_timer_init(&p.timer, &c, probe_fn));
	hvmm_timer_start(&p.timer, 100);
	hvmm_clock_advance(&c, 99);
	EXPECT_EQ(0, p.fires);
	hvmm_clock_advance(&c, 50);
	ASSERT_EQ(1, p.fires);
	EXPECT_EQ(100, p.fired_at[0]);
	EXPECT_EQ(149, hvmm_clock_now_ns(&c));
}

TEST(periodic_rearm_and_cancel)
{
	struct hvmm_clock c;
	struct probe p = { .period = 10 };

	hvmm_clock_init(&c, 0);
	ASSERT_EQ(0, hvmm_timer_init(&p.timer, &c, probe_fn));
	hvmm_timer_start(&p.timer, 10);
	hvmm_clock_advance(&c, 35);
	ASSERT_EQ(3, p.fires);
	EXPECT_EQ(10, p.fired_at[0]);
	EXPECT_EQ(30, p.fired_at[2]);
	hvmm_timer_cancel(&p.timer);
	hvmm_clock_advance(&c, 100);
	EXPECT_EQ(3, p.fires);
}

TEST(bounded_advance_stops_runaway)
{
	struct hvmm_clock c;
	struct probe p = { .period = 1 };

	hvmm_clock_init(&c, 0);
	ASSERT_EQ(0, hvmm_timer_init(&p.timer, &c, probe_fn));
	hvmm_timer_start(&p.timer, 0);
	EXPECT_EQ(5, hvmm_clock_advance_bounded(&c, 1000000, 5));
	hvmm_timer_destroy(&p.timer);
}

TEST(all_ones_by_width)
{
	EXPECT_EQ(0xffULL, hvmm_all_ones(1));
	EXPECT_EQ(0xffffULL, hvmm_all_ones(2));
	EXPECT_EQ(0xffffffffULL, hvmm_all_ones(4));
	EXPECT_EQ(~0ULL, hvmm_all_ones(8));
}

TEST_HARNESS_MAIN
