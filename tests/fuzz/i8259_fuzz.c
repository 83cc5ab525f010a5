// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the 8259A pair: the input is a program of port
 * reads/writes (any port around the three ranges, any width 0-9), line
 * changes on any irq number, INTA cycles, state save/restore with
 * arbitrary bytes and resets.  After every step it checks what must hold
 * whatever the guest or userspace did:
 *   - the last output() level equals hvmm_pic_has_interrupt();
 *   - callbacks run with the PIC lock free, acked() only for 0-15, not 2;
 *   - an INTA with INT low gives the master's IR7 and changes no ISR; with
 *     INT high, a vector of one of the chips;
 *   - reads of odd widths are all-ones, others fit in their width;
 *   - get_state always yields a state set_state accepts and reproduces;
 *     set_state accepts exactly the valid states and then reads back as
 *     given.
 */
#include <stdlib.h>
#include "../../src/devices/i8259.h"

struct fuzz {
	struct hvmm_pic pic;
	int level;
};

struct input {
	const u8 *p;
	size_t n;
};

static u8 take(struct input *in)
{
	u8 b;

	if (!in->n)
		return 0;
	b = *in->p++;
	in->n--;
	return b;
}

static u32 take32(struct input *in)
{
	u32 v = take(in);

	v |= (u32)take(in) << 8;
	v |= (u32)take(in) << 16;
	return v | (u32)take(in) << 24;
}

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "invariant failed: %s (line %d)\n", \
				#cond, __LINE__); \
			abort(); \
		} \
	} while (0)

static void lock_is_free(struct hvmm_pic *pic)
{
	CHECK(pthread_mutex_trylock(&pic->lock.mutex) == 0);
	pthread_mutex_unlock(&pic->lock.mutex);
}

static void on_output(void *opaque, int level)
{
	struct fuzz *f = opaque;

	lock_is_free(&f->pic);
	CHECK(level == 0 || level == 1);
	f->level = level;
}

static void on_acked(void *opaque, u32 irq)
{
	struct fuzz *f = opaque;

	lock_is_free(&f->pic);
	CHECK(irq < 16 && irq != 2);
}

/* Ports in and around 0x20-0x21, 0xa0-0xa1 and 0x4d0-0x4d1. */
static u64 pick_port(u8 b)
{
	static const u64 base[] = { 0x1e, 0x9e, 0x4ce };

	return base[(b >> 3) % 3] + (b & 7) - 1;
}

static void port_access(struct fuzz *f, struct input *in, bool write)
{
	struct hvmm_iodev *devs[] = { &f->pic.master, &f->pic.slave,
				      &f->pic.elcr };
	u64 port = pick_port(take(in));
	u32 len = take(in) % 10;
	u64 val = take32(in);
	bool claimed = false;
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		u64 v = val;

		if (write) {
			rc = hvmm_iodev_write(devs[i], port, len, val);
		} else {
			rc = hvmm_iodev_read(devs[i], port, len, &v);
			if (!rc && len != 1 && len != 2 && len != 4)
				CHECK(v == hvmm_all_ones(len));
			if (!rc && len)
				CHECK(len >= 8 || v <= hvmm_all_ones(len));
		}
		CHECK(rc == 0 || rc == -EOPNOTSUPP);
		claimed |= rc == 0;
		/* The device must also survive offsets a bus never gives. */
		if (!write && (val & 1)) {
			rc = devs[i]->ops->read(devs[i], val >> 1, len, &v);
			CHECK(rc == 0);
		}
	}
	CHECK(claimed == ((port >= 0x20 && port <= 0x21) ||
			  (port >= 0xa0 && port <= 0xa1) ||
			  (port >= 0x4d0 && port <= 0x4d1)));
}

static void check_ack(struct fuzz *f)
{
	struct kvm_pic_state m, s, m2, s2;
	bool had = hvmm_pic_has_interrupt(&f->pic);
	int vector;

	CHECK(!hvmm_pic_get_state(&f->pic, 0, &m));
	CHECK(!hvmm_pic_get_state(&f->pic, 1, &s));
	vector = hvmm_pic_ack(&f->pic);
	CHECK(vector >= 0 && vector <= 255);
	CHECK(!hvmm_pic_get_state(&f->pic, 0, &m2));
	CHECK(!hvmm_pic_get_state(&f->pic, 1, &s2));
	if (!had) {
		CHECK(vector == (m.irq_base | 7));
		CHECK(m.isr == m2.isr && s.isr == s2.isr);
	} else {
		CHECK((vector & ~7) == m.irq_base ||
		      (vector & ~7) == s.irq_base);
	}
}

/*
 * Saves both chips into a fresh PIC: restore must accept them, read back
 * the same bytes, and present the same INT output.  A scratch PIC keeps
 * the fuzzed one's state not representable in kvm_pic_state untouched.
 */
static void check_state_round_trip(struct fuzz *f)
{
	struct hvmm_pic copy;
	struct kvm_pic_state a, b;
	int chip;

	hvmm_pic_init(&copy, NULL, NULL, NULL);
	for (chip = 0; chip < 2; chip++) {
		CHECK(!hvmm_pic_get_state(&f->pic, chip, &a));
		CHECK(!hvmm_pic_set_state(&copy, chip, &a));
		CHECK(!hvmm_pic_get_state(&copy, chip, &b));
		CHECK(!memcmp(&a, &b, sizeof(a)));
	}
	CHECK(hvmm_pic_has_interrupt(&copy) ==
	      hvmm_pic_has_interrupt(&f->pic));
}

static void set_arbitrary_state(struct fuzz *f, struct input *in)
{
	struct kvm_pic_state s, got;
	int chip = (int)(take(in) % 4) - 1;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(s); i++)
		((u8 *)&s)[i] = take(in);
	/* Bias toward valid states so that restore paths get exercised. */
	if (chip >= 0 && (s.poll & 0x80)) {
		s.read_reg_select &= 1;
		s.poll &= 1;
		s.special_mask &= 1;
		s.auto_eoi &= 1;
		s.rotate_on_auto_eoi &= 1;
		s.special_fully_nested_mode &= 1;
		s.init4 &= 1;
		s.init_state &= s.init4 ? 3 : 1;
		s.priority_add &= 7;
		s.irq_base &= 0xf8;
		s.elcr_mask = chip ? 0xde : 0xf8;
		s.elcr &= s.elcr_mask;
	}
	rc = hvmm_pic_set_state(&f->pic, chip, &s);
	CHECK(rc == 0 || rc == -EINVAL);
	if (chip < 0 || chip > 1) {
		CHECK(rc == -EINVAL);
		return;
	}
	if (!rc) {
		CHECK(!hvmm_pic_get_state(&f->pic, chip, &got));
		CHECK(!memcmp(&s, &got, sizeof(s)));
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct input in = { data, size };
	struct fuzz f = { .level = 0 };
	int steps = 0;

	hvmm_pic_init(&f.pic, on_output, on_acked, &f);
	while (in.n && steps++ < 4096) {
		switch (take(&in) % 8) {
		case 0:
			port_access(&f, &in, true);
			break;
		case 1:
			port_access(&f, &in, false);
			break;
		case 2: {
			u8 irq = take(&in);

			hvmm_pic_set_irq(&f.pic, irq < 32 ? irq % 17 : take32(&in),
					 (int)(s8)take(&in));
			break;
		}
		case 3:
			check_ack(&f);
			break;
		case 4:
			set_arbitrary_state(&f, &in);
			break;
		case 5:
			hvmm_pic_reset(&f.pic);
			break;
		case 6: {
			struct kvm_pic_state st;
			int chip = take(&in) & 1;

			/* A chip accepts its own saved state back. */
			CHECK(!hvmm_pic_get_state(&f.pic, chip, &st));
			CHECK(!hvmm_pic_set_state(&f.pic, chip, &st));
			break;
		}
		default:
			hvmm_pic_set_irq(&f.pic, take(&in) % 16, take(&in) & 1);
			break;
		}
		CHECK(f.level == hvmm_pic_has_interrupt(&f.pic));
		check_state_round_trip(&f);
	}
	return 0;
}
