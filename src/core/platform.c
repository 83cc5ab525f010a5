// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel glue for the device-model platform (src/devices/platform.h).
 */
#include "../devices/platform.h"

enum hrtimer_restart hvmm_hrtimer_trampoline(struct hrtimer *hrt)
{
	struct hvmm_timer *t = container_of(hrt, struct hvmm_timer, hrt);

	/* A periodic device re-arms with hvmm_timer_start() from fn. */
	t->fn(t);
	return HRTIMER_NORESTART;
}
