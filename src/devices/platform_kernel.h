/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel side of the device-model platform (see platform.h): spinlocks,
 * ktime, and hrtimers whose work runs in a kthread worker.  Included only through platform.h.
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
#include <linux/kthread.h>
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

/*
 * Where the device's timer code runs, on both PREEMPT_RT and stock
 * kernels (as KVM's PIT, arch/x86/kvm/i8254.c: pit_timer_fn() only
 * queues kthread work):
 *
 *   hrtimer callback   HRTIMER_MODE_ABS_HARD: hard-IRQ context on every
 *                      kernel.  Takes only @lock (raw_spinlock_t) and
 *                      calls kthread_queue_work(), whose worker lock is a
 *                      raw_spinlock_t too: nothing here may sleep on RT.
 *   @fn                the timer's own kthread worker ("hvmm-timer/<tgid>",
 *                      one per timer, SCHED_FIFO at the lowest priority so
 *                      it is not left behind a vCPU thread; an RT admin can
 *                      re-prioritise it): process context, preemptible, so it may
 *                      take the device's spinlock_t (a sleeping lock on
 *                      PREEMPT_RT), the IRQ router's and wake wait queues.
 *
 * @lock and @dying keep hvmm_timer_destroy() from racing with an @fn that
 * re-arms: once @dying is set, neither hvmm_timer_start() arms the hrtimer
 * nor the hrtimer callback queues work.
 */
struct hvmm_timer {
	struct hrtimer hrt;
	struct kthread_worker *worker;
	struct kthread_work work;
	raw_spinlock_t lock;
	bool dying;
	hvmm_timer_fn fn;
};

int hvmm_timer_init(struct hvmm_timer *t, struct hvmm_clock *clock,
		    hvmm_timer_fn fn);
void hvmm_timer_start(struct hvmm_timer *t, u64 expires_ns);
void hvmm_timer_destroy(struct hvmm_timer *t);

/* Never blocks: an @fn already queued or running sees nothing due. */
static inline void hvmm_timer_cancel(struct hvmm_timer *t)
{
	hrtimer_try_to_cancel(&t->hrt);
}

static inline u64 hvmm_mul_div_u64(u64 a, u32 mul, u32 div)
{
	return mul_u64_u32_div(a, mul, div);
}

#define hvmm_log_ratelimited(fmt, ...) \
	pr_warn_ratelimited("hvmm: " fmt, ##__VA_ARGS__)

#endif /* HVMM_DEVICES_PLATFORM_KERNEL_H */
