/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel 8254 programmable interval timer (ports 0x40-0x43) and the PC/AT
 * system control port B (port 0x61: gate 2, speaker data, refresh toggle,
 * OUT2).
 *
 * Counting is derived from the clock (1.193182 MHz CLK on a grid of
 * hvmm_clock nanoseconds), never from the number of accesses.  Channel 0
 * OUT drives IRQ0 through the hvmm_irq_fn given to hvmm_pit_init(); a
 * timer is armed only for the next IRQ0 edge.
 *
 * Tick policy (KVM_REINJECT_CONTROL semantics): with reinject on (the
 * default, as in KVM) an IRQ0 edge that comes while the previous one is
 * not yet acked is queued and delivered on the next hvmm_pit_irq_acked(),
 * up to HVMM_PIT_MAX_PENDING queued edges; with reinject off every edge is
 * driven onto the line at once, and the PIC coalesces edges that find
 * IRQ0 still pending.
 *
 * Host protection, as KVM: periodic IRQ0 (modes 2 and 3) comes at most
 * every HVMM_PIT_MIN_PERIOD_NS, KVM's default min_timer_period_us
 * (arch/x86/kvm/x86.c); a faster counter's IRQ0 edges come at that
 * period instead (the first one on time), while its count and OUT still
 * follow the datasheet.  Modes 0, 1, 4 and 5 are one edge per count write
 * and are not clamped, as in KVM.  And no timer runs while IRQ0 edges
 * would go unseen: IRQ0 masked at the PIC with its request latched, or the
 * reinject backlog full; the PIT catches up when that ends.
 */
#ifndef HVMM_DEVICES_I8254_H
#define HVMM_DEVICES_I8254_H

#include "iodev.h"

#define HVMM_PIT_FREQ_HZ	1193182u
#define HVMM_PIT_MIN_PERIOD_NS	200000u		/* 5 kHz IRQ0 at most */
#define HVMM_PIT_MAX_PENDING	1000u		/* queued reinject ticks */
#define HVMM_PIT_REFRESH_NS	15085u		/* port 0x61 bit 4 half period */
#define HVMM_PIT_IRQ		0

/*
 * hvmm's extension of struct kvm_pit_state2: KVM zeroes reserved[] on
 * KVM_GET_PIT2 and ignores it on KVM_SET_PIT2, and all-zero here means
 * "what KVM would mean" (counting from count_load_time, count loaded), so
 * states move both ways.  Layout:
 *   reserved[0]  bits 8*i+0..3: channel i HVMM_PIT_EXT_* flags;
 *                bits 24-25: port 0x61 bits 2-3
 *   reserved[1+i] channel i: elapsed CLKs when stopped, or CLKs from load
 *                to the pending reload when PENDING in mode 2/3
 *   reserved[4+i] channel i: the written count (CLKs) when PENDING
 *   reserved[7], reserved[8]: zero
 * A counter without a control word is KVM's mode 0xff (RW mode and
 * states 0); its flags are implied and its reserved words zero, so a
 * fresh PIT's state is KVM's.  A count of 0 restores as the maximum.
 */
#define HVMM_PIT_EXT_STOPPED	0x1	/* counting element held */
#define HVMM_PIT_EXT_NO_COUNT	0x2	/* control word, no count since */
#define HVMM_PIT_EXT_NULL	0x4	/* status NULL COUNT */
#define HVMM_PIT_EXT_PENDING	0x8	/* written count not yet loaded */
#define HVMM_PIT_EXT_PORT61_SHIFT 24

struct hvmm_pit_channel {
	u32 count;		/* CLKs per cycle of the running sequence */
	u32 cr;			/* count register (CLKs), loaded when pending */
	u64 load_tick;		/* CLK number of the write that started it */
	u64 hold_d;		/* elapsed CLKs while stopped */
	u64 commit_tick;	/* mode 2/3: CLK at which cr is loaded */
	u16 latched_count;
	u8 count_latched;	/* KVM encoding: 0 or RW state still to read */
	u8 status_latched;
	u8 status;
	u8 read_state;
	u8 write_state;
	u8 write_latch;
	u8 rw_mode;		/* 1 LSB, 2 MSB, 3 LSB then MSB */
	u8 mode;		/* 0..5 */
	u8 bcd;
	u8 gate;
	bool stopped;
	bool no_count;
	bool null_count;
	bool pending;
};

struct hvmm_pit {
	struct hvmm_iodev pit_dev;	/* 0x40-0x43 */
	struct hvmm_iodev port61_dev;	/* 0x61 */
	hvmm_lock_t lock;
	struct hvmm_clock *clock;
	struct hvmm_timer timer;
	hvmm_irq_fn irq;
	void *opaque;

	struct hvmm_pit_channel ch[3];
	u32 flags;			/* KVM_PIT_FLAGS_* */
	u8 port61_rw;			/* port 0x61 bits 2-3 */

	/* IRQ0 delivery */
	bool line;			/* level last driven */
	bool reinject;
	bool awaiting_ack;		/* reinject: an edge is not acked yet */
	u32 pending;			/* reinject: queued edges */
	u64 edge_min;			/* next edge no earlier than this CLK */
	bool clamp_phase;		/* clamped: next edge is edge_min */
	bool (*irq0_blocked)(void *opaque);	/* see set_blocked_fn */
	u64 timer_tick;			/* CLK the timer is armed for, or ~0 */

	/* counters for statistics and tests */
	u64 edges_delivered;
	u64 edges_dropped;
};

int hvmm_pit_init(struct hvmm_pit *pit, struct hvmm_clock *clock,
		  hvmm_irq_fn irq, void *opaque);
void hvmm_pit_reset(struct hvmm_pit *pit);
void hvmm_pit_destroy(struct hvmm_pit *pit);
void hvmm_pit_set_reinject(struct hvmm_pit *pit, bool reinject);
void hvmm_pit_irq_acked(struct hvmm_pit *pit);
void hvmm_pit_irq0_unblocked(struct hvmm_pit *pit, bool drop_missed);
void hvmm_pit_set_blocked_fn(struct hvmm_pit *pit, bool (*blocked)(void *));
int hvmm_pit_get_state(struct hvmm_pit *pit, struct kvm_pit_state2 *st);
int hvmm_pit_set_state(struct hvmm_pit *pit,
		       const struct kvm_pit_state2 *st);

#endif /* HVMM_DEVICES_I8254_H */
