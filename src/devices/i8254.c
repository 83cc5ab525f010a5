// SPDX-License-Identifier: GPL-2.0
/*
 * Intel 8254 PIT and PC/AT port 0x61, after the Intel 8254 datasheet
 * (231164): "Mode Definitions", "Read Operations", "Read-Back Command".
 *
 * Time is a grid of CLK pulses: CLK number k is the first nanosecond t of
 * the hvmm_clock with t * 1193182 / 10^9 >= k.  A counter that was started
 * by a write in CLK k has seen d = now - k CLK pulses; the first of them
 * loads the count register (CR) into the counting element (CE) and does
 * not decrement it, so every mode is a pure function of (mode, N, d).
 * Pauses (gate low, control word, mode 1/5 waiting for a trigger) hold d.
 *
 * Known deviations, all below one CLK or undefined by the datasheet:
 * reads in the CLK of a count write (before the load pulse) return the new
 * count, not the old CE contents; invalid BCD digits A-F decode as 9; the
 * status byte reports modes 6/7 as 2/3; channel 0 in mode 3 drives IRQ0
 * as a short low pulse before each rising edge rather than a 50% square
 * wave (the edge-triggered 8259A sees the same edges).
 *
 * Not in the saved state (as in KVM): queued reinject ticks and the ack
 * wait; the phase of IRQ0 edges thinned by the clamp restarts at restore.
 */
#include "i8254.h"

#define NSEC_PER_S	1000000000u
#define NO_TICK		(~0ULL)
/*
 * CLKs between two periodic IRQ0 edges at the least: the shortest whole
 * number of CLKs not below KVM's floor (239 CLKs, 200.3 us).
 */
#define MIN_TICKS	(((u64)HVMM_PIT_MIN_PERIOD_NS * HVMM_PIT_FREQ_HZ + \
			  NSEC_PER_S - 1) / NSEC_PER_S)

/* KVM's read/write states; 0 (never programmed) accesses as RW_LSB. */
enum { RW_LSB = 1, RW_MSB = 2, RW_WORD0 = 3, RW_WORD1 = 4 };

/*
 * A counter that has had no control word yet: KVM reports mode 0xff with
 * RW mode and states 0 (kvm_pit_reset()); the datasheet leaves it
 * undefined.  hvmm: it does not count, OUT is high, no IRQ0; a count
 * written to it is stored (LSB only, as KVM) and waits for a mode.
 */
#define MODE_NONE	0xff

static u64 div_u32(u64 a, u32 b)
{
	return hvmm_mul_div_u64(a, 1, b);
}

static u32 mod_u32(u64 a, u32 b)
{
	return (u32)(a - div_u32(a, b) * b);
}

static u64 ns_to_tick(u64 ns)
{
	return hvmm_mul_div_u64(ns, HVMM_PIT_FREQ_HZ, NSEC_PER_S);
}

/* First nanosecond of CLK @tick: ns_to_tick(tick_to_ns(k)) == k. */
static u64 tick_to_ns(u64 tick)
{
	u64 ns = hvmm_mul_div_u64(tick, NSEC_PER_S, HVMM_PIT_FREQ_HZ);

	if (ns_to_tick(ns) < tick)
		ns++;
	return ns;
}

static u64 now_tick(struct hvmm_pit *pit)
{
	return ns_to_tick(hvmm_clock_now_ns(pit->clock));
}

static u32 modulus(const struct hvmm_pit_channel *c)
{
	return c->bcd ? 10000 : 65536;
}

static bool periodic(const struct hvmm_pit_channel *c)
{
	return c->mode == 2 || c->mode == 3;
}

/*
 * A periodic count faster than the floor: its IRQ0 edges come every
 * MIN_TICKS instead, as KVM raises ps->period to min_timer_period_us
 * (create_pit_timer()).  Count 1 is illegal in modes 2/3 and has no edge.
 */
static bool clamped(const struct hvmm_pit_channel *c)
{
	return periodic(c) && c->count >= 2 && c->count < MIN_TICKS;
}

static u64 elapsed(const struct hvmm_pit_channel *c, u64 t)
{
	if (c->stopped)
		return c->hold_d;
	return t > c->load_tick ? t - c->load_tick : 0;
}

/* The CE after @d CLKs (8254 datasheet, "Mode Definitions"). */
static u32 ce_at(const struct hvmm_pit_channel *c, u64 d)
{
	u32 n = c->count, m = modulus(c), e, v;

	if (d == 0)
		return n;
	switch (c->mode) {
	case 2:		/* N, N-1, ..., 1, reload */
		return n - mod_u32(d - 1, n);
	case 3:		/* by two from N (even) or N-1 (odd), per half */
		e = mod_u32(d - 1, n);
		if (e >= (n + 1) / 2)
			e -= (n + 1) / 2;
		return n - (n & 1) - 2 * e;
	default:	/* 0, 1, 4, 5: wrap to FFFF / 9999 and go on */
		v = n + m - mod_u32(d - 1, m);
		while (v >= m)
			v -= m;
		return v;
	}
}

static bool out_at(const struct hvmm_pit_channel *c, u64 d)
{
	u32 n = c->count;

	switch (c->mode) {
	case 0:
		return d >= (u64)n + 1;
	case 1:
		return d == 0 || d >= (u64)n + 1;
	case 2:
		/* GATE low sets OUT high at once. */
		return c->stopped || d == 0 || mod_u32(d - 1, n) != n - 1;
	case 3:
		return c->stopped || d == 0 || mod_u32(d - 1, n) < (n + 1) / 2;
	default:	/* 4, 5: low for the one CLK when the count expires */
		return d != (u64)n + 1;
	}
}

static bool out_now(const struct hvmm_pit_channel *c, u64 t)
{
	return out_at(c, elapsed(c, t));
}

/* Bound a held d so it fits the saved state: the CE repeats after that. */
static u64 normalize_d(const struct hvmm_pit_channel *c, u64 d)
{
	u64 n = c->count;

	if (d == 0)
		return 0;
	if (periodic(c))
		return 1 + mod_u32(d - 1, c->count);
	if (d > n + 1)
		return n + 2 + mod_u32(d - n - 2, modulus(c));
	return d;
}

static u16 to_bcd(u32 v)
{
	return (u16)((v / 1000) << 12 | (v / 100 % 10) << 8 |
		     (v / 10 % 10) << 4 | (v % 10));
}

static u32 from_bcd(u16 raw)
{
	u32 v = 0;
	int i;

	for (i = 3; i >= 0; i--) {
		u32 digit = (raw >> (4 * i)) & 0xf;

		v = v * 10 + (digit > 9 ? 9 : digit);
	}
	return v;
}

/* What a read of the counter shows: 16 bits, or 4 BCD digits. */
static u16 shown_count(const struct hvmm_pit_channel *c, u64 t)
{
	u32 v = ce_at(c, elapsed(c, t)) % modulus(c);

	return c->bcd ? to_bcd(v) : (u16)v;
}

/* Mode 2/3: the CLK that ends the current period / half period. */
static u64 next_boundary(const struct hvmm_pit_channel *c, u64 t)
{
	u64 d = t - c->load_tick, base;
	u32 n = c->count, e = mod_u32(d - 1, n), half = (n + 1) / 2;

	base = c->load_tick + d - e;
	if (c->mode == 2)
		return base + n;
	return base + (e < half ? half : n);
}

/* Load a pending count at its reload (8254 datasheet, Modes 2 and 3). */
static void commit(struct hvmm_pit_channel *c)
{
	u64 at = c->commit_tick, d = at - c->load_tick, back = 1;

	if (c->mode == 3 && mod_u32(d - 1, c->count) != 0)
		back += (c->cr + 1) / 2;	/* continue with the low half */
	c->count = c->cr;
	c->pending = false;
	c->null_count = false;
	c->load_tick = at >= back ? at - back : 0;
}

static bool commit_due(const struct hvmm_pit_channel *c, u64 t)
{
	return !c->stopped && c->pending && periodic(c) && c->commit_tick <= t;
}

static void settle(struct hvmm_pit_channel *c, u64 t)
{
	if (commit_due(c, t))
		commit(c);
	if (!c->stopped && !c->pending && c->null_count && t > c->load_tick)
		c->null_count = false;
}

/* The first IRQ0 edge (rising edge of OUT0) at or after CLK @lo. */
static bool first_edge(const struct hvmm_pit_channel *c, u64 lo, u64 *e)
{
	u64 n = c->count, base;

	if (c->stopped)
		return false;
	if (!periodic(c)) {
		*e = c->load_tick + n + (c->mode >= 4 ? 2 : 1);
		return *e >= lo;
	}
	if (n < 2)		/* count 1 is illegal in modes 2/3: no edge */
		return false;
	base = c->load_tick + 1 + n;
	*e = base;
	if (lo > base)
		*e = base + div_u32(lo - base + n - 1, (u32)n) * n;
	return true;
}

/*
 * The first IRQ0 edge at or after CLK @lo.  A clamped sequence that has
 * had an edge goes on exactly MIN_TICKS later (@lo is pit->edge_min then);
 * its first edge is the counter's own, as KVM's first expiry comes after
 * the unclamped interval.
 */
static bool next_edge(const struct hvmm_pit *pit, u64 lo, u64 *e)
{
	const struct hvmm_pit_channel *c = &pit->ch[0];

	if (clamped(c) && pit->clamp_phase && !c->stopped) {
		*e = lo;
		return true;
	}
	return first_edge(c, lo, e);
}

/*
 * IRQ0 edges of the current sequence in CLKs [@lo, @hi]: periodic ones
 * every N CLKs, or every MIN_TICKS when clamped.  Returns how many, the
 * last in *@last.
 */
static u64 edges_in(const struct hvmm_pit *pit, u64 lo, u64 hi, u64 *last)
{
	const struct hvmm_pit_channel *c = &pit->ch[0];
	u64 e0, step, cnt;

	if (lo > hi || !next_edge(pit, lo, &e0) || e0 > hi)
		return 0;
	if (!periodic(c)) {
		*last = e0;
		return 1;
	}
	step = clamped(c) ? MIN_TICKS : c->count;
	cnt = 1 + div_u32(hi - e0, (u32)step);
	*last = e0 + (cnt - 1) * step;
	return cnt;
}

static void pulse(struct hvmm_pit *pit)
{
	pit->irq(pit->opaque, HVMM_PIT_IRQ, 0);
	pit->irq(pit->opaque, HVMM_PIT_IRQ, 1);
	pit->line = true;
	pit->edges_delivered++;
}

/* @n edges of OUT0 came due: apply the tick policy. */
static void deliver(struct hvmm_pit *pit, u64 n)
{
	u64 queued;

	if (pit->flags & KVM_PIT_FLAGS_HPET_LEGACY) {
		pit->edges_dropped += n;	/* the HPET owns IRQ0 */
		return;
	}
	if (!pit->reinject) {
		pulse(pit);
		pit->edges_dropped += n - 1;
		return;
	}
	queued = pit->pending + n;
	if (queued > HVMM_PIT_MAX_PENDING) {
		pit->edges_dropped += queued - HVMM_PIT_MAX_PENDING;
		queued = HVMM_PIT_MAX_PENDING;
	}
	pit->pending = (u32)queued;
	if (!pit->awaiting_ack && pit->pending) {
		pit->pending--;
		pit->awaiting_ack = true;
		pulse(pit);
	}
}

/* Deliver every IRQ0 edge up to CLK @t, loading pending counts on time. */
static void ch0_catch_up(struct hvmm_pit *pit, u64 t)
{
	struct hvmm_pit_channel *c = &pit->ch[0];
	u64 n, last, hi;
	int i;

	for (i = 0; i < 4; i++) {
		bool due = commit_due(c, t);

		hi = due ? c->commit_tick : t;
		n = edges_in(pit, pit->edge_min, hi, &last);
		if (n) {
			deliver(pit, n);
			pit->clamp_phase = clamped(c);
			pit->edge_min = last + (periodic(c) ? MIN_TICKS : 1);
		}
		if (!due)
			break;
		commit(c);
	}
}

static void sync(struct hvmm_pit *pit, u64 t)
{
	int i;

	ch0_catch_up(pit, t);
	for (i = 0; i < 3; i++)
		settle(&pit->ch[i], t);
}

/*
 * Would an IRQ0 edge now go unseen by the guest?  With the reinject
 * backlog full it only counts as dropped; with IRQ0 masked at the PIC and
 * its request already latched it changes nothing the guest can see, and
 * whatever it would have queued is dropped at the unmask (KVM's
 * pit_mask_notifer()).  Whoever ends either state calls
 * hvmm_pit_irq_acked() or hvmm_pit_irq0_unblocked(), which catch up.
 */
static bool irq0_idle(struct hvmm_pit *pit)
{
	if (pit->reinject && pit->pending >= HVMM_PIT_MAX_PENDING)
		return true;
	return pit->irq0_blocked && pit->irq0_blocked(pit->opaque);
}

/*
 * Arm the timer for the next IRQ0 edge or count load, if any and if it
 * matters: not while IRQ0 is idle (see irq0_idle()), so a guest cannot
 * keep a host CPU busy with a timer whose interrupts it does not take.
 * A pending count is loaded by sync() whenever the PIT is next looked at.
 */
static void rearm(struct hvmm_pit *pit, u64 t)
{
	struct hvmm_pit_channel *c = &pit->ch[0];
	u64 wake = NO_TICK, lo, e;

	if (!(pit->flags & KVM_PIT_FLAGS_HPET_LEGACY)) {
		lo = pit->edge_min > t ? pit->edge_min : t + 1;
		if (next_edge(pit, lo, &e))
			wake = e;
		if (commit_due(c, NO_TICK - 1) && c->commit_tick < wake)
			wake = c->commit_tick;
	}
	if (wake == pit->timer_tick)
		return;
	/* asked only when the timer would move: the PIC has its own lock */
	if (wake != NO_TICK && irq0_idle(pit))
		wake = NO_TICK;
	if (wake == pit->timer_tick)
		return;
	pit->timer_tick = wake;
	if (wake == NO_TICK)
		hvmm_timer_cancel(&pit->timer);
	else
		hvmm_timer_start(&pit->timer, tick_to_ns(wake));
}

static void timer_fn(struct hvmm_timer *timer)
{
	struct hvmm_pit *pit = container_of(timer, struct hvmm_pit, timer);
	u64 t;

	hvmm_lock(&pit->lock);
	t = now_tick(pit);
	/* A cancelled or moved expiry that raced with us: nothing due. */
	if (pit->timer_tick != NO_TICK && t >= pit->timer_tick) {
		pit->timer_tick = NO_TICK;
		sync(pit, t);
		rearm(pit, t);
	}
	hvmm_unlock(&pit->lock);
}

/* Channel 0 was (re)started: queued ticks of the old program are void. */
static void ch0_restarted(struct hvmm_pit *pit)
{
	pit->pending = 0;
	pit->awaiting_ack = false;
	pit->edge_min = 0;
	pit->clamp_phase = false;
}

/* A write moved OUT0: follow it on the line (edges of counting go by time). */
static void ch0_follow_out(struct hvmm_pit *pit, bool before, u64 t)
{
	bool out = out_now(&pit->ch[0], t);

	if (out == before || (pit->flags & KVM_PIT_FLAGS_HPET_LEGACY))
		return;
	if (!out && pit->line) {
		pit->irq(pit->opaque, HVMM_PIT_IRQ, 0);
		pit->line = false;
	} else if (out && !pit->line) {
		pit->irq(pit->opaque, HVMM_PIT_IRQ, 1);
		pit->line = true;
		pit->edges_delivered++;
	}
}

static void latch_count(struct hvmm_pit_channel *c, u64 t)
{
	/* 8254 datasheet, "Counter Latch Command": a second one is ignored */
	if (c->count_latched)
		return;
	c->latched_count = shown_count(c, t);
	c->count_latched = c->rw_mode;
}

static void latch_status(struct hvmm_pit_channel *c, u64 t)
{
	if (c->status_latched)
		return;
	c->status = (u8)(out_now(c, t) << 7 | c->null_count << 6 |
			 c->rw_mode << 4 | (c->mode & 7) << 1 | c->bcd);
	c->status_latched = 1;
}

/* Gate input; true when the counter was (re)started. */
static bool set_gate(struct hvmm_pit_channel *c, u8 gate, u64 t)
{
	bool rising = gate && !c->gate;

	if (gate == c->gate)
		return false;
	c->gate = gate;
	if (c->mode == MODE_NONE)
		return false;
	switch (c->mode) {
	case 0:
	case 4:		/* GATE = 0 disables counting, OUT unaffected */
		if (!gate && !c->stopped) {
			u64 d = elapsed(c, t);

			c->hold_d = normalize_d(c, d ? d : 1);
			c->null_count = false;
			c->stopped = true;
		} else if (gate && c->stopped && !c->no_count &&
			   c->hold_d) {
			c->load_tick = t >= c->hold_d ? t - c->hold_d : 0;
			c->stopped = false;
		}
		return false;
	case 2:
	case 3:		/* GATE = 0 stops counting; a trigger reloads */
		if (!gate) {
			if (!c->stopped) {
				c->hold_d = normalize_d(c, elapsed(c, t));
				c->stopped = true;
			}
			if (c->pending) {
				c->count = c->cr;
				c->pending = false;
			}
			return false;
		}
		break;
	default:	/* 1, 5: only a trigger matters */
		break;
	}
	if (!rising || c->no_count)
		return false;
	if (c->pending)
		c->count = c->cr;
	c->pending = false;
	c->load_tick = t;
	c->stopped = false;
	return true;
}

/* A complete count was written (8254 datasheet, "Write Operations"). */
static bool load_count(struct hvmm_pit_channel *c, u16 raw, u64 t)
{
	u32 n = c->bcd ? from_bcd(raw) : raw;
	bool was_waiting = c->no_count;

	if (n == 0)
		n = modulus(c);	/* 0 is 2^16 binary, 10^4 BCD */
	if (c->mode == MODE_NONE) {
		c->count = n;
		c->cr = n;
		return false;
	}
	c->cr = n;
	c->null_count = true;
	c->no_count = false;
	switch (c->mode) {
	case 1:
	case 5:		/* loaded on the next trigger */
		if (c->stopped) {
			c->count = n;
			c->pending = false;
		} else {
			c->pending = true;
		}
		return false;
	case 2:
	case 3:
		if (!c->stopped && !was_waiting && t > c->load_tick) {
			/* counting: load at the end of this (half) period */
			if (!c->pending) {
				u64 d = t - c->load_tick;

				/* same CE and OUT; keeps the saved offset small */
				c->load_tick += div_u32(d - 1, c->count) * c->count;
				c->commit_tick = next_boundary(c, t);
			}
			c->pending = true;
			return false;
		}
		break;
	default:	/* 0, 4: loaded on the next CLK, counting restarts */
		break;
	}
	c->count = n;
	c->pending = false;
	if (c->gate) {
		c->load_tick = t;
		c->stopped = false;
	} else {
		/* loaded on the next CLK, not counting while GATE is low */
		c->stopped = true;
		c->hold_d = periodic(c) ? 0 : 1;
		c->null_count = periodic(c);
	}
	return true;
}

static void control_word(struct hvmm_pit *pit, u8 val, u64 t, bool *restart0)
{
	struct hvmm_pit_channel *c;
	u8 sc = val >> 6, rw = (val >> 4) & 3, mode = (val >> 1) & 7;
	int i;

	if (sc == 3) {		/* 8254 datasheet, "Read-Back Command" */
		for (i = 0; i < 3; i++) {
			if (!(val & (2 << i)))
				continue;
			if (!(val & 0x20))
				latch_count(&pit->ch[i], t);
			if (!(val & 0x10))
				latch_status(&pit->ch[i], t);
		}
		return;
	}
	c = &pit->ch[sc];
	if (rw == 0) {
		latch_count(c, t);
		return;
	}
	/* "all Control Logic is immediately reset", OUT to its initial state */
	c->mode = mode > 5 ? mode & 3 : mode;
	c->bcd = val & 1;
	c->rw_mode = rw;
	c->read_state = rw;
	c->write_state = rw;
	c->count_latched = 0;
	c->status_latched = 0;
	c->stopped = true;
	c->hold_d = 0;
	c->no_count = true;
	c->null_count = true;
	c->pending = false;
	if (c->count > modulus(c))
		c->count = modulus(c);
	if (sc == 0)
		*restart0 = true;
}

static void write_data(struct hvmm_pit_channel *c, u8 val, u64 t,
		       bool *restarted)
{
	switch (c->write_state) {
	case 0:
	case RW_LSB:
		*restarted = load_count(c, val, t);
		break;
	case RW_MSB:
		*restarted = load_count(c, (u16)(val << 8), t);
		break;
	case RW_WORD0:
		c->write_latch = val;
		c->write_state = RW_WORD1;
		/* Mode 0: "Writing the first byte disables counting" */
		if (c->mode == 0 && !c->stopped) {
			u32 ce = ce_at(c, elapsed(c, t));

			c->hold_d = ce >= 1 && ce <= c->count ?
				    c->count - ce + 1 : 0;
			c->stopped = true;
		}
		break;
	default:
		c->write_state = RW_WORD0;
		*restarted = load_count(c, (u16)(c->write_latch | val << 8), t);
		break;
	}
}

static u8 read_data(struct hvmm_pit_channel *c, u64 t)
{
	u16 v;

	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	if (c->count_latched) {
		v = c->latched_count;
		switch (c->count_latched) {
		case RW_MSB:
			c->count_latched = 0;
			return v >> 8;
		case RW_WORD0:
			c->count_latched = RW_WORD1;
			return v & 0xff;
		case RW_WORD1:
			c->count_latched = 0;
			return v >> 8;
		default:
			c->count_latched = 0;
			return v & 0xff;
		}
	}
	v = shown_count(c, t);
	switch (c->read_state) {
	case RW_MSB:
		return v >> 8;
	case RW_WORD0:
		c->read_state = RW_WORD1;
		return v & 0xff;
	case RW_WORD1:
		c->read_state = RW_WORD0;
		return v >> 8;
	default:
		return v & 0xff;
	}
}

static int pit_read(struct hvmm_iodev *dev, u64 offset, u32 len, u64 *val)
{
	struct hvmm_pit *pit = container_of(dev, struct hvmm_pit, pit_dev);
	u64 t;

	/* The 8254 decodes bytes; the control word register is write-only. */
	*val = hvmm_all_ones(len);
	if (len != 1 || offset >= 3)
		return 0;
	hvmm_lock(&pit->lock);
	t = now_tick(pit);
	sync(pit, t);
	*val = read_data(&pit->ch[offset], t);
	rearm(pit, t);
	hvmm_unlock(&pit->lock);
	return 0;
}

static int pit_write(struct hvmm_iodev *dev, u64 offset, u32 len, u64 val)
{
	struct hvmm_pit *pit = container_of(dev, struct hvmm_pit, pit_dev);
	bool restart0 = false, out0;
	u64 t;

	if (len != 1 || offset > 3)
		return 0;
	hvmm_lock(&pit->lock);
	t = now_tick(pit);
	sync(pit, t);
	out0 = out_now(&pit->ch[0], t);
	if (offset == 3)
		control_word(pit, (u8)val, t, &restart0);
	else if (offset == 0)
		write_data(&pit->ch[0], (u8)val, t, &restart0);
	else
		write_data(&pit->ch[offset], (u8)val, t, &(bool){ false });
	if (restart0)
		ch0_restarted(pit);
	ch0_follow_out(pit, out0, t);
	rearm(pit, t);
	hvmm_unlock(&pit->lock);
	return 0;
}

static int port61_read(struct hvmm_iodev *dev, u64 offset, u32 len, u64 *val)
{
	struct hvmm_pit *pit = container_of(dev, struct hvmm_pit, port61_dev);
	u64 t, ns;
	u8 v;

	*val = hvmm_all_ones(len);
	if (len != 1 || offset != 0)
		return 0;
	hvmm_lock(&pit->lock);
	ns = hvmm_clock_now_ns(pit->clock);
	t = ns_to_tick(ns);
	sync(pit, t);
	v = pit->ch[2].gate;
	if (pit->flags & KVM_PIT_FLAGS_SPEAKER_DATA_ON)
		v |= 0x02;
	v |= pit->port61_rw << 2;
	v |= (div_u32(ns, HVMM_PIT_REFRESH_NS) & 1) << 4;
	v |= out_now(&pit->ch[2], t) << 5;
	*val = v;
	rearm(pit, t);
	hvmm_unlock(&pit->lock);
	return 0;
}

static int port61_write(struct hvmm_iodev *dev, u64 offset, u32 len, u64 val)
{
	struct hvmm_pit *pit = container_of(dev, struct hvmm_pit, port61_dev);
	u64 t;

	if (len != 1 || offset != 0)
		return 0;
	hvmm_lock(&pit->lock);
	t = now_tick(pit);
	sync(pit, t);
	if (val & 0x02)
		pit->flags |= KVM_PIT_FLAGS_SPEAKER_DATA_ON;
	else
		pit->flags &= ~KVM_PIT_FLAGS_SPEAKER_DATA_ON;
	pit->port61_rw = (val >> 2) & 3;
	set_gate(&pit->ch[2], val & 1, t);
	rearm(pit, t);
	hvmm_unlock(&pit->lock);
	return 0;
}

static const struct hvmm_iodev_ops pit_ops = {
	.read = pit_read,
	.write = pit_write,
};

static const struct hvmm_iodev_ops port61_ops = {
	.read = port61_read,
	.write = port61_write,
};

static void reset_locked(struct hvmm_pit *pit)
{
	int i;

	/*
	 * The datasheet leaves the state after power-up undefined: each
	 * counter has no mode (MODE_NONE) and count 0 (65536) as in KVM's
	 * kvm_pit_reset(), so KVM_GET_PIT2 of a fresh PIT reads as KVM's,
	 * and no IRQ0 comes before the guest programs channel 0.
	 */
	for (i = 0; i < 3; i++) {
		struct hvmm_pit_channel *c = &pit->ch[i];

		memset(c, 0, sizeof(*c));
		c->count = 65536;
		c->cr = 65536;
		c->mode = MODE_NONE;
		c->gate = i != 2;	/* GATE 0/1 tied high, 2 from 0x61 */
		c->stopped = true;
		c->no_count = true;
		c->null_count = true;
	}
	pit->flags = 0;
	pit->port61_rw = 0;
	pit->line = true;
	ch0_restarted(pit);
	rearm(pit, now_tick(pit));
}

/**
 * hvmm_pit_init() - set up a PIT and its port 0x61 in the reset state
 * @pit: caller-allocated
 * @clock: time base; counting follows it at 1.193182 MHz
 * @irq: where channel 0 OUT goes (IRQ0)
 * @opaque: passed to @irq
 *
 * Ticks are reinjected (KVM's default) until hvmm_pit_set_reinject().
 *
 * Context: may sleep (the kernel's timer has a worker thread).
 * Return: 0, or a negative errno from the timer (nothing to destroy then).
 */
int hvmm_pit_init(struct hvmm_pit *pit, struct hvmm_clock *clock,
		  hvmm_irq_fn irq, void *opaque)
{
	int r;

	memset(pit, 0, sizeof(*pit));
	pit->pit_dev.ops = &pit_ops;
	pit->pit_dev.name = "i8254";
	pit->pit_dev.base = 0x40;
	pit->pit_dev.len = 4;
	pit->port61_dev.ops = &port61_ops;
	pit->port61_dev.name = "port61";
	pit->port61_dev.base = 0x61;
	pit->port61_dev.len = 1;
	hvmm_lock_init(&pit->lock);
	pit->clock = clock;
	pit->irq = irq;
	pit->opaque = opaque;
	pit->reinject = true;
	pit->timer_tick = NO_TICK;
	r = hvmm_timer_init(&pit->timer, clock, timer_fn);
	if (r)
		return r;
	reset_locked(pit);
	return 0;
}

/**
 * hvmm_pit_reset() - put all three counters and port 0x61 in reset state
 * @pit: the PIT
 */
void hvmm_pit_reset(struct hvmm_pit *pit)
{
	hvmm_lock(&pit->lock);
	reset_locked(pit);
	hvmm_unlock(&pit->lock);
}

/**
 * hvmm_pit_destroy() - stop the PIT's timer, waiting for its callback
 * @pit: the PIT
 *
 * Context: may sleep; no locks held.
 */
void hvmm_pit_destroy(struct hvmm_pit *pit)
{
	hvmm_timer_destroy(&pit->timer);
}

/**
 * hvmm_pit_set_reinject() - choose the policy for ticks not taken in time
 * @pit: the PIT
 * @reinject: true to queue missed IRQ0 edges and deliver one per ack,
 *	false to coalesce them (KVM_REINJECT_CONTROL semantics)
 *
 * Queued ticks are forgotten either way, as in KVM.
 */
void hvmm_pit_set_reinject(struct hvmm_pit *pit, bool reinject)
{
	u64 t;

	hvmm_lock(&pit->lock);
	/* edges due so far go by the old policy */
	t = now_tick(pit);
	sync(pit, t);
	pit->reinject = reinject;
	pit->pending = 0;
	pit->awaiting_ack = false;
	/* an emptied backlog needs the timer again */
	rearm(pit, t);
	hvmm_unlock(&pit->lock);
}

/**
 * hvmm_pit_irq_acked() - the PIC acknowledged IRQ0
 * @pit: the PIT
 *
 * With reinject on, delivers the next queued tick, if any.
 * Context: the caller holds no PIC lock.
 */
void hvmm_pit_irq_acked(struct hvmm_pit *pit)
{
	u64 t;

	hvmm_lock(&pit->lock);
	/* edges while the timer was idle (backlog full) queue first */
	t = now_tick(pit);
	sync(pit, t);
	if (pit->reinject) {
		pit->awaiting_ack = false;
		if (pit->pending) {
			pit->pending--;
			pit->awaiting_ack = true;
			pulse(pit);
		}
	}
	rearm(pit, t);
	hvmm_unlock(&pit->lock);
}

/**
 * hvmm_pit_irq0_unblocked() - IRQ0 may have been unmasked at the PIC
 * @pit: the PIT
 * @drop_missed: the guest unmasked it with OCW1: forget the ticks queued
 *	for reinjection meanwhile, as KVM's pit_mask_notifer() does, so they
 *	do not come as a burst
 *
 * Catches up with the IRQ0 edges the idle timer skipped (see
 * hvmm_pit_set_blocked_fn()) and re-arms the timer.  Harmless when
 * nothing changed.
 *
 * Context: no PIC lock held.
 */
void hvmm_pit_irq0_unblocked(struct hvmm_pit *pit, bool drop_missed)
{
	u64 t;

	hvmm_lock(&pit->lock);
	t = now_tick(pit);
	sync(pit, t);
	if (drop_missed && pit->reinject) {
		pit->pending = 0;
		pit->awaiting_ack = false;
	}
	rearm(pit, t);
	hvmm_unlock(&pit->lock);
}

/**
 * hvmm_pit_set_blocked_fn() - tell the PIT how to see that IRQ0 is idle
 * @pit: the PIT
 * @blocked: returns true while IRQ0 is masked at the PIC and its request
 *	is latched, so that another edge could change nothing; called with
 *	the PIT lock held (the PIC's lock nests inside it).  NULL: never.
 *
 * While it says so the PIT arms no timer; whoever unmasks IRQ0 or clears
 * its request must call hvmm_pit_irq0_unblocked() (an INTA of IRQ0 comes
 * through hvmm_pit_irq_acked()).
 */
void hvmm_pit_set_blocked_fn(struct hvmm_pit *pit, bool (*blocked)(void *))
{
	hvmm_lock(&pit->lock);
	pit->irq0_blocked = blocked;
	rearm(pit, now_tick(pit));
	hvmm_unlock(&pit->lock);
}

/**
 * hvmm_pit_get_state() - save the PIT in KVM_GET_PIT2 form
 * @pit: the PIT
 * @st: filled in; count_load_time is on the hvmm_clock timeline (ns),
 *	reserved[] carries hvmm's extension (see i8254.h)
 *
 * Return: 0.
 */
int hvmm_pit_get_state(struct hvmm_pit *pit, struct kvm_pit_state2 *st)
{
	u64 t;
	int i;

	memset(st, 0, sizeof(*st));
	hvmm_lock(&pit->lock);
	t = now_tick(pit);
	sync(pit, t);
	for (i = 0; i < 3; i++) {
		const struct hvmm_pit_channel *c = &pit->ch[i];
		struct kvm_pit_channel_state *s = &st->channels[i];
		u32 ext = 0;
		u64 start = c->load_tick;

		s->count = c->count;
		s->latched_count = c->latched_count;
		s->count_latched = c->count_latched;
		s->status_latched = c->status_latched;
		s->status = c->status;
		s->read_state = c->read_state;
		s->write_state = c->write_state;
		s->write_latch = c->write_latch;
		s->rw_mode = c->rw_mode;
		s->mode = c->mode;
		s->bcd = c->bcd;
		s->gate = c->gate;
		if (c->mode == MODE_NONE) {
			/* implied: held, no count, nothing pending */
			s->count_load_time = (s64)tick_to_ns(t);
			continue;
		}
		if (c->stopped) {
			ext |= HVMM_PIT_EXT_STOPPED;
			st->reserved[1 + i] = (u32)c->hold_d;
			/* a KVM reader goes on from where the CE stands */
			start = t >= c->hold_d ? t - c->hold_d : 0;
		}
		if (c->no_count)
			ext |= HVMM_PIT_EXT_NO_COUNT;
		if (c->null_count)
			ext |= HVMM_PIT_EXT_NULL;
		if (c->pending) {
			ext |= HVMM_PIT_EXT_PENDING;
			st->reserved[4 + i] = c->cr;
			if (periodic(c))
				st->reserved[1 + i] =
					(u32)(c->commit_tick - c->load_tick);
		}
		s->count_load_time = (s64)tick_to_ns(start);
		st->reserved[0] |= ext << (8 * i);
	}
	st->reserved[0] |= (u32)pit->port61_rw << HVMM_PIT_EXT_PORT61_SHIFT;
	st->flags = pit->flags;
	rearm(pit, t);
	hvmm_unlock(&pit->lock);
	return 0;
}

/*
 * The count KVM would load: 0 is the largest (pit_load_count()).  KVM
 * ignores BCD and may hold a BCD counter's raw count above 10^4; the
 * 8254 cannot count that far in BCD, so it is taken as 10^4, as a
 * control word selecting BCD does with a larger count here.
 */
static u32 state_count(const struct kvm_pit_channel_state *s)
{
	u32 m = s->bcd ? 10000 : 65536;

	if (s->count == 0 || (s->bcd && s->count > m && s->count <= 65536))
		return m;
	return s->count;
}

static int check_channel(const struct kvm_pit_state2 *st, int i)
{
	const struct kvm_pit_channel_state *s = &st->channels[i];
	u32 ext = (st->reserved[0] >> (8 * i)) & 0xff;
	u32 m = s->bcd ? 10000 : 65536, word = st->reserved[1 + i];
	u32 cr = st->reserved[4 + i], count = state_count(s);

	if ((s->mode > 5 && s->mode != MODE_NONE) || s->bcd > 1 ||
	    s->gate > 1 || s->status_latched > 1 ||
	    s->count_latched > RW_WORD1 || s->rw_mode > RW_WORD0 ||
	    s->read_state > RW_WORD1 || s->write_state > RW_WORD1 ||
	    count > m || s->count_load_time < 0)
		return -EINVAL;
	/*
	 * RW mode 0 means no control word came through the ports: KVM's
	 * reset state (mode 0xff) or QEMU's, which QEMU loads into KVM at
	 * every reset (hw/timer/i8254_common.c, pit_reset_common(): mode 3,
	 * count 0x10000, counting).  Its read and write states are 0 too,
	 * and a latch command latches nothing (count_latched = rw_mode).
	 */
	if (s->rw_mode == 0) {
		if (s->read_state || s->write_state || s->count_latched)
			return -EINVAL;
	} else if (s->read_state < RW_LSB || s->write_state < RW_LSB ||
		   s->mode == MODE_NONE) {
		return -EINVAL;
	}
	if (s->mode == MODE_NONE)
		return ext || word || cr ? -EINVAL : 0;
	if (ext & ~0xfu)
		return -EINVAL;
	if ((ext & HVMM_PIT_EXT_NO_COUNT) && !(ext & HVMM_PIT_EXT_STOPPED))
		return -EINVAL;
	if (ext & HVMM_PIT_EXT_PENDING) {
		if ((ext & HVMM_PIT_EXT_STOPPED) || s->mode == 0 ||
		    s->mode == 4 || cr < 1 || cr > m)
			return -EINVAL;
		if ((s->mode == 2 || s->mode == 3) ?
		    word < 1 || word > 2 * count + 1 : word != 0)
			return -EINVAL;
	} else if (cr) {
		return -EINVAL;
	} else if (ext & HVMM_PIT_EXT_STOPPED) {
		if (word > count + 1 + m)
			return -EINVAL;
	} else if (word) {
		return -EINVAL;
	}
	return 0;
}

/**
 * hvmm_pit_set_state() - restore the PIT from KVM_SET_PIT2 form
 * @pit: the PIT
 * @st: as from hvmm_pit_get_state() or from KVM (reserved[] zero)
 *
 * Queued reinject ticks are forgotten, as in KVM; the IRQ0 line is not
 * driven (the PIC's own state is restored separately).
 *
 * Return: 0, or -EINVAL (nothing changed) for any field out of range.
 */
int hvmm_pit_set_state(struct hvmm_pit *pit,
		       const struct kvm_pit_state2 *st)
{
	u32 known = KVM_PIT_FLAGS_HPET_LEGACY | KVM_PIT_FLAGS_SPEAKER_DATA_ON;
	u64 t;
	int i;

	if (st->flags & ~known)
		return -EINVAL;
	if ((st->reserved[0] & 0xff000000u) >> HVMM_PIT_EXT_PORT61_SHIFT > 3 ||
	    st->reserved[7] || st->reserved[8])
		return -EINVAL;
	for (i = 0; i < 3; i++)
		if (check_channel(st, i))
			return -EINVAL;

	hvmm_lock(&pit->lock);
	t = now_tick(pit);
	for (i = 0; i < 3; i++) {
		const struct kvm_pit_channel_state *s = &st->channels[i];
		struct hvmm_pit_channel *c = &pit->ch[i];
		u32 ext = (st->reserved[0] >> (8 * i)) & 0xff;

		memset(c, 0, sizeof(*c));
		c->count = state_count(s);
		c->cr = c->count;
		c->latched_count = s->latched_count;
		c->count_latched = s->count_latched;
		c->status_latched = s->status_latched;
		c->status = s->status;
		c->read_state = s->read_state;
		c->write_state = s->write_state;
		c->write_latch = s->write_latch;
		c->rw_mode = s->rw_mode;
		c->mode = s->mode;
		c->bcd = s->bcd;
		c->gate = s->gate;
		c->load_tick = ns_to_tick((u64)s->count_load_time);
		c->stopped = ext & HVMM_PIT_EXT_STOPPED;
		c->no_count = ext & HVMM_PIT_EXT_NO_COUNT;
		c->null_count = ext & HVMM_PIT_EXT_NULL;
		c->pending = ext & HVMM_PIT_EXT_PENDING;
		if (c->mode == MODE_NONE) {
			/* the flags get_state leaves implied */
			c->stopped = true;
			c->no_count = true;
			c->null_count = true;
		}
		if (c->stopped)
			c->hold_d = st->reserved[1 + i];
		if (c->pending) {
			c->cr = st->reserved[4 + i];
			c->null_count = true;
			if (periodic(c))
				c->commit_tick = c->load_tick +
						 st->reserved[1 + i];
		}
	}
	pit->flags = st->flags;
	pit->port61_rw = st->reserved[0] >> HVMM_PIT_EXT_PORT61_SHIFT;
	pit->pending = 0;
	pit->awaiting_ack = false;
	/* edges up to now belong to the saved machine */
	pit->edge_min = t + 1;
	pit->clamp_phase = false;
	pit->line = out_now(&pit->ch[0], t);
	sync(pit, t);
	pit->timer_tick = NO_TICK;
	hvmm_timer_cancel(&pit->timer);
	rearm(pit, t);
	hvmm_unlock(&pit->lock);
	return 0;
}
