/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace side of the device-model platform (see platform.h): pthread
 * mutexes and a deterministic virtual clock, so that unit tests and fuzzers
 * decide exactly when time passes.  Included only through platform.h.
 */
#ifndef HVMM_DEVICES_PLATFORM_USER_H
#define HVMM_DEVICES_PLATFORM_USER_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <linux/types.h>
#include <linux/kvm.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), #cond)
#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif
#define __acquires(x)
#define __releases(x)
#define __must_check __attribute__((warn_unused_result))
#define fallthrough __attribute__((fallthrough))

typedef struct {
	pthread_mutex_t mutex;
} hvmm_lock_t;

static inline void hvmm_lock_init(hvmm_lock_t *l)
{
	pthread_mutex_init(&l->mutex, NULL);
}

static inline void hvmm_lock(hvmm_lock_t *l)
{
	pthread_mutex_lock(&l->mutex);
}

static inline void hvmm_unlock(hvmm_lock_t *l)
{
	pthread_mutex_unlock(&l->mutex);
}

struct hvmm_timer;
typedef void (*hvmm_timer_fn)(struct hvmm_timer *t);

/*
 * A virtual clock: time stands still until hvmm_clock_advance() moves it,
 * firing every timer that falls due on the way, in expiry order, with the
 * clock reading exactly the timer's expiry inside its callback.
 */
struct hvmm_clock {
	u64 now_ns;
	struct hvmm_timer *timers;	/* armed timers, unsorted */
};

struct hvmm_timer {
	struct hvmm_clock *clock;
	hvmm_timer_fn fn;
	u64 expires_ns;
	bool armed;
	struct hvmm_timer *next;
};

void hvmm_clock_init(struct hvmm_clock *clock, u64 start_ns);
void hvmm_clock_advance(struct hvmm_clock *clock, u64 delta_ns);
/* Fires due timers up to @max_fires times; returns how many fired. */
u64 hvmm_clock_advance_bounded(struct hvmm_clock *clock, u64 delta_ns,
			       u64 max_fires);

static inline u64 hvmm_clock_now_ns(struct hvmm_clock *clock)
{
	return clock->now_ns;
}

int hvmm_timer_init(struct hvmm_timer *t, struct hvmm_clock *clock,
		    hvmm_timer_fn fn);
void hvmm_timer_start(struct hvmm_timer *t, u64 expires_ns);
void hvmm_timer_cancel(struct hvmm_timer *t);
void hvmm_timer_destroy(struct hvmm_timer *t);

static inline u64 hvmm_mul_div_u64(u64 a, u32 mul, u32 div)
{
	return (u64)((__uint128_t)a * mul / div);
}

extern int hvmm_log_verbose;
#define hvmm_log_ratelimited(fmt, ...) \
	do { \
		if (hvmm_log_verbose) \
			fprintf(stderr, "hvmm: " fmt, ##__VA_ARGS__); \
	} while (0)

#endif /* HVMM_DEVICES_PLATFORM_USER_H */
