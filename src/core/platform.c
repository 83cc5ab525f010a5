// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel glue for the device-model platform (src/devices/platform.h):
 * timers are an hrtimer that expires in hard-IRQ context and only hands
 * the work to a kthread worker, so that the device code (spinlock_t,
 * the IRQ router, vCPU wake-ups) never runs in hard-IRQ context, which
 * PREEMPT_RT forbids for sleeping locks.  See platform_kernel.h.
 */
#include <linux/sched.h>
#include "../devices/platform.h"

static enum hrtimer_restart hvmm_hrtimer_fn(struct hrtimer *hrt)
{
	struct hvmm_timer *t = container_of(hrt, struct hvmm_timer, hrt);

	/* Hard-IRQ context, also on PREEMPT_RT: raw locks only. */
	raw_spin_lock(&t->lock);
	if (!t->dying)
		kthread_queue_work(t->worker, &t->work);
	raw_spin_unlock(&t->lock);
	/* A periodic device re-arms with hvmm_timer_start() from fn. */
	return HRTIMER_NORESTART;
}

static void hvmm_timer_work(struct kthread_work *work)
{
	struct hvmm_timer *t = container_of(work, struct hvmm_timer, work);

	/*
	 * The contract that makes fn right on PREEMPT_RT, checked on every
	 * kernel (a splat fails the VM tiers): process context, IRQs on, so
	 * spinlock_t and wake-ups may sleep here on RT.
	 */
	WARN_ON_ONCE(in_interrupt() || irqs_disabled());
	t->fn(t);
}

/**
 * hvmm_timer_init() - set up a one-shot timer and the worker that runs it
 * @t: the timer
 * @clock: unused in the kernel (CLOCK_MONOTONIC, as ktime_get())
 * @fn: runs in @t's kthread worker, in process context
 *
 * Context: may sleep.
 * Return: 0, or a negative errno when the worker cannot be created.
 */
int hvmm_timer_init(struct hvmm_timer *t, struct hvmm_clock *clock,
		    hvmm_timer_fn fn)
{
	struct kthread_worker *w;

	w = kthread_create_worker(0, "hvmm-timer/%d",
				  task_tgid_vnr(current));
	if (IS_ERR(w))
		return PTR_ERR(w);
	/*
	 * The lowest RT priority: a CFS worker woken on the CPU of a vCPU
	 * thread that is running the guest waits for that thread's time
	 * slice (a late IRQ0, then the missed one right behind it; pit_test
	 * caught that in Bochs), while the hard-IRQ callback it replaces
	 * never waited.  Each run is short and bounded (the PIT catches up
	 * arithmetically), RT throttling still applies, and an RT admin can
	 * move it, as KVM's kvm-pit worker.
	 */
	sched_set_fifo_low(w->task);
	t->worker = w;
	kthread_init_work(&t->work, hvmm_timer_work);
	raw_spin_lock_init(&t->lock);
	t->dying = false;
	t->fn = fn;
	hrtimer_init(&t->hrt, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	t->hrt.function = hvmm_hrtimer_fn;
	return 0;
}

/**
 * hvmm_timer_start() - (re)arm @t for an absolute CLOCK_MONOTONIC time
 * @t: the timer
 * @expires_ns: when; a time in the past expires at once
 *
 * Context: any; also from @t's own fn.
 */
void hvmm_timer_start(struct hvmm_timer *t, u64 expires_ns)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&t->lock, flags);
	if (!t->dying)
		hrtimer_start(&t->hrt, ns_to_ktime(expires_ns),
			      HRTIMER_MODE_ABS_HARD);
	raw_spin_unlock_irqrestore(&t->lock, flags);
}

/**
 * hvmm_timer_destroy() - stop @t for good and free its worker
 * @t: the timer
 *
 * After this neither the hrtimer nor fn runs, and fn is not running.
 * Context: may sleep; the caller holds no lock fn takes.
 */
void hvmm_timer_destroy(struct hvmm_timer *t)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&t->lock, flags);
	t->dying = true;
	raw_spin_unlock_irqrestore(&t->lock, flags);
	/* No new arming or queueing now; wait out what is in flight. */
	hrtimer_cancel(&t->hrt);
	kthread_cancel_work_sync(&t->work);
	kthread_destroy_worker(t->worker);
}
