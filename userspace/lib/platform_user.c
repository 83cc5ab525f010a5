// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace implementation of the device-model platform: a deterministic
 * virtual clock whose timers fire only inside hvmm_clock_advance().
 */
#include "../../src/devices/platform.h"

int hvmm_log_verbose;

void hvmm_clock_init(struct hvmm_clock *clock, u64 start_ns)
{
	clock->now_ns = start_ns;
	clock->timers = NULL;
}

static void timer_unlink(struct hvmm_timer *t)
{
	struct hvmm_timer **pp;

	for (pp = &t->clock->timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->next = NULL;
	t->armed = false;
}

int hvmm_timer_init(struct hvmm_timer *t, struct hvmm_clock *clock,
		    hvmm_timer_fn fn)
{
	t->clock = clock;
	t->fn = fn;
	t->expires_ns = 0;
	t->armed = false;
	t->next = NULL;
	return 0;
}

void hvmm_timer_start(struct hvmm_timer *t, u64 expires_ns)
{
	if (t->armed)
		timer_unlink(t);
	t->expires_ns = expires_ns;
	t->armed = true;
	t->next = t->clock->timers;
	t->clock->timers = t;
}

void hvmm_timer_cancel(struct hvmm_timer *t)
{
	if (t->armed)
		timer_unlink(t);
}

void hvmm_timer_destroy(struct hvmm_timer *t)
{
	hvmm_timer_cancel(t);
}

static struct hvmm_timer *earliest_due(struct hvmm_clock *clock, u64 until)
{
	struct hvmm_timer *t, *best = NULL;

	for (t = clock->timers; t; t = t->next)
		if (t->expires_ns <= until &&
		    (!best || t->expires_ns < best->expires_ns))
			best = t;
	return best;
}

u64 hvmm_clock_advance_bounded(struct hvmm_clock *clock, u64 delta_ns,
			       u64 max_fires)
{
	u64 until = clock->now_ns + delta_ns;
	u64 fired = 0;
	struct hvmm_timer *t;

	while (fired < max_fires && (t = earliest_due(clock, until))) {
		/* A timer armed in the past fires now, never in the past. */
		if (t->expires_ns > clock->now_ns)
			clock->now_ns = t->expires_ns;
		timer_unlink(t);
		fired++;
		t->fn(t);
	}
	clock->now_ns = until;
	return fired;
}

void hvmm_clock_advance(struct hvmm_clock *clock, u64 delta_ns)
{
	hvmm_clock_advance_bounded(clock, delta_ns, ~0ULL);
}
