/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The whole environment a portable device model may use.
 *
 * Files in src/devices/ include this header and nothing from <linux/...>
 * directly: the same .c files build into hvmm.ko (Kbuild defines
 * __KERNEL__) and into host userspace (unit tests, fuzzers, benchmarks,
 * hvmm-devd).  Each side implements the same small contract:
 *
 *   types      u8 u16 u32 u64 s8 s16 s32 s64, bool, size_t, NULL
 *   errno      EINVAL, ENOMEM, EOPNOTSUPP, ... (negative on return)
 *   helpers    ARRAY_SIZE(), BUILD_BUG_ON(), memset(), memcpy(), memcmp()
 *   uapi       struct kvm_pic_state, struct kvm_pit_state2 (<linux/kvm.h>)
 *
 *   hvmm_lock_t           hvmm_lock_init(), hvmm_lock(), hvmm_unlock()
 *       An IRQ-safe lock.  Lock order: a device's own lock may be held
 *       while calling into the PIC (hvmm_pic_set_irq()); the PIC never calls
 *       back into another device with its lock held.
 *
 *   struct hvmm_clock     u64 hvmm_clock_now_ns(clock)
 *       Monotonic nanoseconds.  Kernel: ktime_get().  Userspace: a
 *       deterministic virtual clock advanced by hvmm_clock_advance().
 *
 *   struct hvmm_timer     hvmm_timer_init(t, clock, fn)    0 or -errno; may sleep
 *                         hvmm_timer_start(t, expires_ns)   absolute time
 *                         hvmm_timer_cancel(t)              never blocks
 *                         hvmm_timer_destroy(t)             blocks; no locks held
 *       One-shot; a periodic device re-arms from its callback.  In the
 *       kernel the callback runs in the timer's kthread worker (process
 *       context, also on PREEMPT_RT: the hrtimer itself only queues the
 *       work), so it may take the device lock and raise IRQ lines.  It may
 *       race with hvmm_timer_cancel(): it must take the device lock and
 *       check that its expiry is still wanted.  Use container_of() to find
 *       the device.
 *
 *   hvmm_mul_div_u64(a, mul, div)   a * mul / div without overflow
 *   hvmm_log_ratelimited(fmt, ...)  for anything a guest can trigger
 */
#ifndef HVMM_DEVICES_PLATFORM_H
#define HVMM_DEVICES_PLATFORM_H

#ifdef __KERNEL__
#include "platform_kernel.h"
#else
#include "platform_user.h"
#endif

/* All-ones of an access of @len bytes: what a read of nothing returns. */
static inline u64 hvmm_all_ones(u32 len)
{
	return len >= 8 ? ~0ULL : (1ULL << (len * 8)) - 1;
}

#endif /* HVMM_DEVICES_PLATFORM_H */
