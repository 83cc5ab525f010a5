/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel side of the device-model platform (see platform.h): spinlocks,
 * ktime and hrtimers.  Included only through platform.h.
 */
#ifndef HVMM_DEVICES_PLATFORM_KERNEL_H
#define HVMM_DEVICES_PLATFORM_KERNEL_H

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/build_bug.h>
#include <linux/spinlock.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/printk.h>
#include <linux/kvm.h>

/*
 * The flags live in the lock: only its holder touches them, and devices
 * never nest their own lock, so one slot is enough.
 */
typedef struct {
	spinlock_t lock;
	unsigned long flags;
} hvmm_lock_t;

static inline void hvmm_lock_init(hvmm_lock_t *l)
{
	spin_lock_init(&l->lock);
}

static inline void hvmm_lock(hvmm_lock_t *l)
	__acquires(l)
{
	unsigned long flags;

	spin_lock_irqsave(&l->lock, flags);
	l->flags = flags;
}

static inline void hvmm_unlock(hvmm_lock_t *l)
	__releases(l)
{
	spin_unlock_irqrestore(&l->lock, l->flags);
}

struct hvmm_clock {
	int unused;	/* ktime_get() needs no state */
};

static inline u64 hvmm_clock_now_ns(struct hvmm_clock *clock)
{
	return ktime_get_ns();
}

struct hvmm_timer;
typedef void (*hvmm_timer_fn)(struct hvmm_timer *t);

struct hvmm_timer {
	struct hrtimer hrt;
	hvmm_timer_fn fn;
};

enum hrtimer_restart hvmm_hrtimer_trampoline(struct hrtimer *hrt);

static inline void hvmm_timer_init(struct hvmm_timer *t,
				   struct hvmm_clock *clock, hvmm_timer_fn fn)
{
	hrtimer_init(&t->hrt, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	t->hrt.function = hvmm_hrtimer_trampoline;
	t->fn = fn;
}

static inline void hvmm_timer_start(struct hvmm_timer *t, u64 expires_ns)
{
	hrtimer_start(&t->hrt, ns_to_ktime(expires_ns), HRTIMER_MODE_ABS_HARD);
}

static inline void hvmm_timer_cancel(struct hvmm_timer *t)
{
	hrtimer_try_to_cancel(&t->hrt);
}

static inline void hvmm_timer_destroy(struct hvmm_timer *t)
{
	hrtimer_cancel(&t->hrt);
}

static inline u64 hvmm_mul_div_u64(u64 a, u32 mul, u32 div)
{
	return mul_u64_u32_div(a, mul, div);
}

#define hvmm_log_ratelimited(fmt, ...) \
	pr_warn_ratelimited("hvmm: " fmt, ##__VA_ARGS__)

#endif /* HVMM_DEVICES_PLATFORM_KERNEL_H */
