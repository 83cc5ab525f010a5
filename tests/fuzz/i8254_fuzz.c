// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the 8254 PIT and port 0x61: any port near the
 * ranges, any access size 0..9, any value, time advances, IRQ0 acks,
 * reinject toggles, resets and KVM_GET/SET_PIT2 with arbitrary bytes.
 * ASan/UBSan catch memory and arithmetic errors; the asserts check that
 * the timer never fires faster than HVMM_PIT_MIN_PERIOD_NS (KVM's 200 us
 * floor) allows per simulated second, that it does not run at all while
 * IRQ0 is blocked at the PIC (masked with its request latched), and that
 * every accepted state round-trips exactly.
 */
#include <stdlib.h>
#include "../../src/devices/i8254.h"

#define MAX_FIRES	20000

static u64 rises;
static int level;
static bool blocked;

static bool blocked_fn(void *opaque)
{
	return blocked;
}

static void irq_count(void *opaque, u32 irq, int lvl)
{
	if (irq != HVMM_PIT_IRQ || (lvl != 0 && lvl != 1))
		abort();
	if (lvl && !level)
		rises++;
	level = lvl;
}

struct input {
	const u8 *p;
	size_t n;
};

static u64 take(struct input *in, int bytes)
{
	u64 v = 0;
	int i;

	for (i = 0; i < bytes && in->n; i++, in->p++, in->n--)
		v |= (u64)*in->p << (8 * i);
	return v;
}

static struct hvmm_iodev *dev_for(struct hvmm_pit *pit, u16 port)
{
	return port >= 0x5c ? &pit->port61_dev : &pit->pit_dev;
}

static void round_trip(struct hvmm_pit *pit)
{
	struct kvm_pit_state2 a, b;

	if (hvmm_pit_get_state(pit, &a) ||
	    hvmm_pit_set_state(pit, &a) ||
	    hvmm_pit_get_state(pit, &b) || memcmp(&a, &b, sizeof(a)))
		abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct input in = { data, size };
	struct hvmm_clock clock;
	struct hvmm_pit pit;
	u64 credit = 2;

	rises = 0;
	level = 0;
	hvmm_clock_init(&clock, take(&in, 5));
	blocked = false;
	if (hvmm_pit_init(&pit, &clock, irq_count, NULL))
		abort();
	hvmm_pit_set_blocked_fn(&pit, blocked_fn);
	while (in.n) {
		u8 op = (u8)take(&in, 1);
		u16 port = 0x3c + (op >> 4) % 12;	/* 0x3c..0x47 */
		u32 lb = (u32)take(&in, 1);
		/* mostly byte accesses, which the PIT decodes */
		u32 len = lb < 0xc0 ? 1 : lb % 10;
		u64 val = 0, delta, fires, before;
		struct kvm_pit_state2 st;

		if (op & 0x08)
			port += 0x61 - 0x40;		/* 0x5d..0x68 */
		switch (op & 7) {
		case 0:
			val = take(&in, 8);
			hvmm_iodev_write(dev_for(&pit, port), port, len, val);
			credit++;
			break;
		case 1:
			if (hvmm_iodev_read(dev_for(&pit, port), port, len,
					    &val) == 0 &&
			    (len != 1 || port == 0x43) &&
			    val != hvmm_all_ones(len))
				abort();
			break;
		case 2:
			delta = take(&in, 3) << (lb % 16);
			before = rises;
			fires = hvmm_clock_advance_bounded(&clock, delta,
							   MAX_FIRES);
			/* the clamp: no timer storm, whatever the guest did */
			if (fires > delta / HVMM_PIT_MIN_PERIOD_NS + credit + 1)
				abort();
			if (rises - before > 2 * fires)
				abort();
			/* blocked: the timer armed before may fire once */
			if (blocked && fires > credit)
				abort();
			credit = 2;
			break;
		case 3:
			if (lb & 1) {
				hvmm_pit_irq_acked(&pit);
				break;
			}
			/* the PIC masks or unmasks IRQ0 */
			blocked = !blocked;
			if (!blocked)
				hvmm_pit_irq0_unblocked(&pit, lb & 2);
			credit++;
			break;
		case 4:
			hvmm_pit_set_reinject(&pit, len & 1);
			break;
		case 5:
			round_trip(&pit);
			credit++;
			break;
		case 6:
			if (hvmm_pit_get_state(&pit, &st))
				abort();
			/* overwrite a run of bytes anywhere in the state */
			val = take(&in, 1) % sizeof(st);
			while (val < sizeof(st) && in.n && len--)
				((u8 *)&st)[val++] = (u8)take(&in, 1);
			switch (hvmm_pit_set_state(&pit, &st)) {
			case 0:
				round_trip(&pit);
				break;
			case -EINVAL:
				break;
			default:
				abort();
			}
			credit++;
			break;
		default:
			hvmm_pit_reset(&pit);
			credit++;
			break;
		}
		if (pit.pending > HVMM_PIT_MAX_PENDING)
			abort();
	}
	hvmm_pit_destroy(&pit);
	return 0;
}
