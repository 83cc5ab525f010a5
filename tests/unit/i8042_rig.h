/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test rig shared by the i8042, PS/2 keyboard and PS/2 mouse unit
 * tests: an i8042 seen as a guest sees it (ports 0x60/0x64, IRQ lines,
 * the reset line), with checks of which callbacks run under the lock.
 * Include after kselftest_harness.h.
 */
#ifndef HVMM_TESTS_UNIT_I8042_RIG_H
#define HVMM_TESTS_UNIT_I8042_RIG_H

#include "../../src/devices/i8042.h"

/* A guest's view: ports 0x60/0x64, IRQ lines, and the reset line. */
struct rig {
	struct hvmm_i8042 dev;
	int level[16];
	int edges[16];
	int resets;
	int irq_with_lock_free;
	int reset_with_lock_held;
};

static void rig_irq(void *opaque, u32 irq, int level)
{
	struct rig *r = opaque;

	/* The IRQ callback runs with the i8042 lock held. */
	if (pthread_mutex_trylock(&r->dev.lock.mutex) == 0) {
		r->irq_with_lock_free++;
		pthread_mutex_unlock(&r->dev.lock.mutex);
	}
	if (irq >= 16)
		return;
	if (level && !r->level[irq])
		r->edges[irq]++;
	r->level[irq] = level;
}

static void rig_reset(void *opaque)
{
	struct rig *r = opaque;

	/* reset_request runs with the lock dropped. */
	if (pthread_mutex_trylock(&r->dev.lock.mutex) != 0)
		r->reset_with_lock_held++;
	else
		pthread_mutex_unlock(&r->dev.lock.mutex);
	r->resets++;
}

static inline void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	hvmm_i8042_init(&r->dev, rig_irq, rig_reset, r);
}

static inline struct hvmm_iodev *port_dev(struct rig *r, u16 port)
{
	return port == 0x60 ? &r->dev.data_dev : &r->dev.cmd_dev;
}

static inline u8 inb(struct rig *r, u16 port)
{
	u64 v = 0;

	hvmm_iodev_read(port_dev(r, port), port, 1, &v);
	return (u8)v;
}

static inline void outb(struct rig *r, u16 port, u8 val)
{
	hvmm_iodev_write(port_dev(r, port), port, 1, val);
}

/* Next output byte, or -1 when the output buffer is empty. */
static inline int rd(struct rig *r)
{
	if (!(inb(r, 0x64) & 0x01))
		return -1;
	return inb(r, 0x60);
}

/* Reads everything pending into @buf; returns the count (at most @max). */
static inline int drain(struct rig *r, u8 *buf, int max)
{
	int n = 0, b;

	while (n < max && (b = rd(r)) >= 0)
		buf[n++] = (u8)b;
	return n;
}

/* Controller command with an optional data byte. */
static inline void ctl(struct rig *r, u8 cmd)
{
	outb(r, 0x64, cmd);
}

static inline void ctl_data(struct rig *r, u8 cmd, u8 data)
{
	outb(r, 0x64, cmd);
	outb(r, 0x60, data);
}

static inline u8 read_ctr(struct rig *r)
{
	ctl(r, 0x20);
	return (u8)rd(r);
}

static inline void write_ctr(struct rig *r, u8 ctr)
{
	ctl_data(r, 0x60, ctr);
}

static inline void kbd_send(struct rig *r, u8 val)
{
	outb(r, 0x60, val);
}

static inline void aux_send(struct rig *r, u8 val)
{
	ctl_data(r, 0xd4, val);
}

/* Compare what the guest reads next with an expected byte sequence. */
#define EXPECT_BYTES(r, ...) do {					\
	static const u8 want_[] = { __VA_ARGS__ };			\
	u8 got_[64];							\
	int n_ = drain((r), got_, (int)sizeof(got_));			\
	EXPECT_EQ((int)sizeof(want_), n_);				\
	if (n_ != (int)sizeof(want_) ||					\
	    memcmp(want_, got_, sizeof(want_))) {			\
		char s_[200];						\
		int i_, o_ = 0;						\
		for (i_ = 0; i_ < n_ && o_ < 190; i_++)			\
			o_ += snprintf(s_ + o_, sizeof(s_) - o_,	\
				       " %02x", got_[i_]);		\
		s_[o_] = 0;						\
		TH_LOG("got:%s", s_);					\
		EXPECT_TRUE(0);						\
	}								\
} while (0)

#define EXPECT_NOTHING(r) EXPECT_EQ(-1, rd(r))

#endif /* HVMM_TESTS_UNIT_I8042_RIG_H */
