// SPDX-License-Identifier: GPL-2.0
/*
 * Intel 8259A PIC pair with PIIX ELCR.  See i8259.h for the model choices;
 * section names below refer to the 8259A datasheet (Intel 231468).
 *
 * Callbacks: output() and acked() are never called with pic->lock held.
 * The PIT (and the i8042) call hvmm_pic_set_irq() with their own lock held,
 * so the lock order is "device lock, then PIC lock"; the PIT's acked()
 * takes the PIT lock, so calling it under the PIC lock would invert that
 * order and deadlock.  Like KVM's pic_unlock(), everything that must be
 * reported is recorded in a struct pic_events while the lock is held and
 * delivered after it was dropped.  The level given to output() is what the
 * INT pin became at that moment; by the time the callback runs another CPU
 * may already have changed it again, so the receiver must treat it as a
 * kick and ask hvmm_pic_has_interrupt()/hvmm_pic_ack() for the truth.
 */
#include "i8259.h"

#define PIC_ICW1		0x10	/* port 0: D4 set */
#define PIC_ICW1_IC4		0x01
#define PIC_ICW1_SNGL		0x02
#define PIC_ICW1_LTIM		0x08
#define PIC_OCW3		0x08	/* port 0: D4 clear, D3 set */
#define PIC_OCW3_RIS		0x01
#define PIC_OCW3_RR		0x02
#define PIC_OCW3_P		0x04
#define PIC_OCW3_SMM		0x20
#define PIC_OCW3_ESMM		0x40
#define PIC_ICW4_UPM		0x01
#define PIC_ICW4_AEOI		0x02
#define PIC_ICW4_SFNM		0x10
#define PIC_POLL_INT		0x80

/* OCW2 R, SL, EOI (D7-D5) */
enum pic_ocw2 {
	OCW2_ROTATE_AEOI_CLEAR	= 0,
	OCW2_EOI		= 1,
	OCW2_NOP		= 2,
	OCW2_SPECIFIC_EOI	= 3,
	OCW2_ROTATE_AEOI_SET	= 4,
	OCW2_ROTATE_EOI		= 5,
	OCW2_SET_PRIORITY	= 6,
	OCW2_ROTATE_SPECIFIC_EOI = 7,
};

/* The three ranges the PIC decodes, in the order of their iodevs. */
enum pic_unit { UNIT_MASTER, UNIT_SLAVE, UNIT_ELCR };

struct pic_events {
	bool output;	/* call output(level) */
	int level;
	int acked;	/* irq 0-15 taken by an INTA or poll, or -1 */
};

static void pic_lock(struct hvmm_pic *pic)
	__acquires(&pic->lock)
{
	hvmm_lock(&pic->lock);
}

/* Drops the lock, then delivers what happened under it (see top). */
static void pic_unlock(struct hvmm_pic *pic, const struct pic_events *ev)
	__releases(&pic->lock)
{
	hvmm_unlock(&pic->lock);
	if (ev->output && pic->output)
		pic->output(pic->opaque, ev->level);
	if (ev->acked >= 0 && pic->acked)
		pic->acked(pic->opaque, ev->acked);
}

static u8 ir_bit(int ir)
{
	return (u8)(1u << (ir & 7));
}

/*
 * "Interrupt Priorities": level 0 is the highest; priority_add is the IR
 * that currently holds it (rotation, Set Priority).  Returns the priority
 * level of the most urgent IR in @mask, 8 when @mask is empty.
 */
static int chip_priority(const struct hvmm_pic_chip *c, u8 mask)
{
	int p;

	for (p = 0; p < 8; p++)
		if (mask & ir_bit(p + c->priority_add))
			return p;
	return 8;
}

/*
 * The IR this chip would present at an INTA now, or -1: its INT output.
 * Fully nested mode: a request needs a higher priority than every level
 * in service.  Special mask mode ("Special Mask Mode"): levels in service
 * only lock out themselves, every other unmasked level may interrupt.
 * Special fully nested mode (master only, "Special Fully Nested Mode"):
 * the cascade in service does not lock out further requests from its own
 * slave.
 */
static int chip_pending_irq(const struct hvmm_pic_chip *c, bool master)
{
	u8 req = c->irr & ~c->imr;
	u8 blocking = c->isr;
	int p;

	if (c->special_mask) {
		req &= ~c->isr;
		blocking = 0;
	}
	if (master && c->special_fully_nested_mode)
		blocking &= ~ir_bit(HVMM_PIC_CASCADE_IRQ);
	p = chip_priority(c, req);
	if (p == 8 || p >= chip_priority(c, blocking))
		return -1;
	return (p + c->priority_add) & 7;
}

/*
 * An IR pin changes level ("Edge and Level Triggered Modes", priority
 * cell): an edge input latches on the rising edge; in both modes the
 * request latch is transparent, so a falling pin withdraws the request.
 */
static void chip_set_line(struct hvmm_pic_chip *c, int ir, bool level)
{
	u8 bit = ir_bit(ir);

	if (level) {
		if ((c->elcr & bit) || !(c->last_irr & bit))
			c->irr |= bit;
		c->last_irr |= bit;
	} else {
		c->last_irr &= ~bit;
		c->irr &= ~bit;
	}
}

/*
 * First INTA ("Interrupt Sequence" step 4): the ISR bit is set and the
 * IRR bit reset.  A level input still high requests again at once; an
 * edge input needs a new rising edge.
 */
static void chip_intack(struct hvmm_pic_chip *c, int ir)
{
	u8 bit = ir_bit(ir);

	c->isr |= bit;
	c->irr &= ~bit;
	if (c->elcr & bit)
		c->irr |= c->last_irr & bit;
}

/* End of the second INTA ("Automatic End of Interrupt (AEOI) Mode"). */
static void chip_auto_eoi(struct hvmm_pic_chip *c, int ir)
{
	if (!c->auto_eoi)
		return;
	c->isr &= ~ir_bit(ir);
	if (c->rotate_on_auto_eoi)
		c->priority_add = (ir + 1) & 7;
}

/* Feeds the slave's INT output into master IR2. */
static void pic_update_cascade(struct hvmm_pic *pic)
{
	bool slave_int = chip_pending_irq(&pic->chip[HVMM_PIC_SLAVE],
					  false) >= 0;

	chip_set_line(&pic->chip[HVMM_PIC_MASTER], HVMM_PIC_CASCADE_IRQ,
		      slave_int);
}

/* The master's INT output to the CPU, recorded for pic_unlock(). */
static void pic_update_output(struct hvmm_pic *pic, struct pic_events *ev)
{
	bool out = chip_pending_irq(&pic->chip[HVMM_PIC_MASTER], true) >= 0;

	if (out != pic->int_out) {
		pic->int_out = out;
		ev->output = true;
		ev->level = out;
	}
}

/*
 * A chip accepts an INTA (or a poll read, which the datasheet treats as
 * one).  The slave's INT is low while it is being acknowledged, so when it
 * still has a request afterwards (AEOI, special mask mode) master IR2 sees
 * a fresh rising edge.  Returns the IR, or -1 when nothing was pending.
 */
static int pic_chip_ack(struct hvmm_pic *pic, int idx, struct pic_events *ev)
{
	struct hvmm_pic_chip *c = &pic->chip[idx];
	int ir = chip_pending_irq(c, idx == HVMM_PIC_MASTER);

	if (ir < 0)
		return -1;
	chip_intack(c, ir);
	if (idx == HVMM_PIC_SLAVE) {
		chip_set_line(&pic->chip[HVMM_PIC_MASTER],
			      HVMM_PIC_CASCADE_IRQ, false);
		ev->acked = ir + 8;
	} else if (ir != HVMM_PIC_CASCADE_IRQ) {
		ev->acked = ir;
	}
	chip_auto_eoi(c, ir);
	return ir;
}

/*
 * ICW1 ("Initialization Command Words"): the edge sense circuit is reset
 * (an edge input must rise again to request), the IMR is cleared, IR7
 * gets the lowest priority, special mask mode is cleared and status read
 * is set to IRR; with IC4 = 0 every ICW4 function is zero.  The ISR is not
 * named and is kept.  A pending poll is dropped: the next read belongs to
 * the new sequence.
 */
static void chip_icw1(struct hvmm_pic_chip *c, u8 val)
{
	if (val & PIC_ICW1_LTIM)
		hvmm_log_ratelimited("pic: ICW1 LTIM ignored, ELCR selects level mode\n");
	c->init4 = val & PIC_ICW1_IC4;
	c->single = !!(val & PIC_ICW1_SNGL);
	c->init_state = 1;
	c->irr = c->last_irr & c->elcr;
	c->imr = 0;
	c->priority_add = 0;
	c->special_mask = 0;
	c->read_reg_select = 0;
	c->poll = 0;
	if (!c->init4) {
		c->auto_eoi = 0;
		c->special_fully_nested_mode = 0;
	}
}

/* OCW2 ("Operation Command Words", OCW2 and "End of Interrupt"). */
static void chip_ocw2(struct hvmm_pic_chip *c, u8 val)
{
	int ir = val & 7;
	u8 in_service = c->isr;
	int p;

	switch (val >> 5) {
	case OCW2_ROTATE_AEOI_CLEAR:
		c->rotate_on_auto_eoi = 0;
		break;
	case OCW2_ROTATE_AEOI_SET:
		c->rotate_on_auto_eoi = 1;
		break;
	case OCW2_EOI:
	case OCW2_ROTATE_EOI:
		/*
		 * The highest level in service; in special mask mode an IS bit
		 * masked by the IMR is not reset by a non-specific EOI.
		 */
		if (c->special_mask)
			in_service &= ~c->imr;
		p = chip_priority(c, in_service);
		if (p == 8)
			break;
		ir = (p + c->priority_add) & 7;
		c->isr &= ~ir_bit(ir);
		if ((val >> 5) == OCW2_ROTATE_EOI)
			c->priority_add = (ir + 1) & 7;
		break;
	case OCW2_SPECIFIC_EOI:
		c->isr &= ~ir_bit(ir);
		break;
	case OCW2_ROTATE_SPECIFIC_EOI:
		c->isr &= ~ir_bit(ir);
		c->priority_add = (ir + 1) & 7;
		break;
	case OCW2_SET_PRIORITY:
		c->priority_add = (ir + 1) & 7;
		break;
	default:	/* OCW2_NOP */
		break;
	}
}

/* OCW3: special mask mode, poll, register select. */
static void chip_ocw3(struct hvmm_pic_chip *c, u8 val)
{
	if (val & PIC_OCW3_ESMM)
		c->special_mask = !!(val & PIC_OCW3_SMM);
	if (val & PIC_OCW3_P)
		c->poll = 1;
	if (val & PIC_OCW3_RR)
		c->read_reg_select = val & PIC_OCW3_RIS;
}

/* A0 = 1 writes: the ICW sequence, else OCW1 (the IMR). */
static void chip_write_data(struct hvmm_pic_chip *c, u8 val)
{
	switch (c->init_state) {
	case 1:		/* ICW2: T7-T3 in 8086 mode */
		c->irq_base = val & 0xf8;
		if (!c->single)
			c->init_state = 2;
		else
			c->init_state = c->init4 ? 3 : 0;
		break;
	case 2:		/* ICW3: the cascade is hard-wired */
		c->init_state = c->init4 ? 3 : 0;
		break;
	case 3:		/* ICW4 */
		if (!(val & PIC_ICW4_UPM))
			hvmm_log_ratelimited("pic: MCS-80 mode unsupported, 8086 vectors used\n");
		c->auto_eoi = !!(val & PIC_ICW4_AEOI);
		c->special_fully_nested_mode = !!(val & PIC_ICW4_SFNM);
		c->init_state = 0;
		break;
	default:	/* OCW1 */
		c->imr = val;
		break;
	}
}

static void pic_write_byte(struct hvmm_pic *pic, enum pic_unit unit,
			   int port, u8 val)
{
	struct hvmm_pic_chip *c;

	if (unit == UNIT_ELCR) {
		c = &pic->chip[port];
		c->elcr = val & c->elcr_mask;
		/* A level input requests exactly while its pin is high. */
		c->irr = (c->irr & ~c->elcr) | (c->last_irr & c->elcr);
		return;
	}
	c = &pic->chip[unit];
	if (port)
		chip_write_data(c, val);
	else if (val & PIC_ICW1)
		chip_icw1(c, val);
	else if (val & PIC_OCW3)
		chip_ocw3(c, val);
	else
		chip_ocw2(c, val);
}

static u8 pic_read_byte(struct hvmm_pic *pic, enum pic_unit unit, int port,
			struct pic_events *ev)
{
	struct hvmm_pic_chip *c;
	int ir;

	if (unit == UNIT_ELCR)
		return pic->chip[port].elcr;
	c = &pic->chip[unit];
	/* "The Poll Command": the next RD, at either address, is an INTA. */
	if (c->poll) {
		c->poll = 0;
		ir = pic_chip_ack(pic, unit, ev);
		return ir < 0 ? 0 : PIC_POLL_INT | ir;
	}
	if (port)
		return c->imr;
	return c->read_reg_select ? c->isr : c->irr;
}

/*
 * One guest access: 1, 2 and 4 byte accesses are split into byte cycles
 * at consecutive ports (see i8259.h); bytes past the two ports are open
 * bus.  The whole access is one critical section.
 */
static int pic_io(struct hvmm_pic *pic, enum pic_unit unit, u64 offset,
		  u32 len, u64 *val, bool write)
{
	struct pic_events ev = { .acked = -1 };
	bool changed = false;
	u64 data = 0;
	u32 i;

	if (len != 1 && len != 2 && len != 4) {
		if (!write)
			*val = hvmm_all_ones(len);
		return 0;
	}
	pic_lock(pic);
	for (i = 0; i < len; i++) {
		u8 b = 0xff;

		if (offset < 2 && i < 2 - offset) {
			/*
			 * Only writes and poll reads (an INTA) change state;
			 * a plain IMR/IRR/ISR/ELCR read leaves the cascade
			 * and INT output as they are, and skipping their
			 * priority scans keeps the hot mask read cheap.
			 */
			if (write || (unit != UNIT_ELCR &&
				      pic->chip[unit].poll))
				changed = true;
			if (write)
				pic_write_byte(pic, unit, (int)(offset + i),
					       (u8)(*val >> (8 * i)));
			else
				b = pic_read_byte(pic, unit,
						  (int)(offset + i), &ev);
			if (changed)
				pic_update_cascade(pic);
		}
		data |= (u64)b << (8 * i);
	}
	if (changed)
		pic_update_output(pic, &ev);
	pic_unlock(pic, &ev);
	if (!write)
		*val = data;
	return 0;
}

/* One pair of thunks per range: the iodev tells which unit it is. */
static int master_read(struct hvmm_iodev *dev, u64 off, u32 len, u64 *val)
{
	return pic_io(container_of(dev, struct hvmm_pic, master), UNIT_MASTER,
		      off, len, val, false);
}

static int master_write(struct hvmm_iodev *dev, u64 off, u32 len, u64 val)
{
	return pic_io(container_of(dev, struct hvmm_pic, master), UNIT_MASTER,
		      off, len, &val, true);
}

static int slave_read(struct hvmm_iodev *dev, u64 off, u32 len, u64 *val)
{
	return pic_io(container_of(dev, struct hvmm_pic, slave), UNIT_SLAVE,
		      off, len, val, false);
}

static int slave_write(struct hvmm_iodev *dev, u64 off, u32 len, u64 val)
{
	return pic_io(container_of(dev, struct hvmm_pic, slave), UNIT_SLAVE,
		      off, len, &val, true);
}

static int elcr_read(struct hvmm_iodev *dev, u64 off, u32 len, u64 *val)
{
	return pic_io(container_of(dev, struct hvmm_pic, elcr), UNIT_ELCR,
		      off, len, val, false);
}

static int elcr_write(struct hvmm_iodev *dev, u64 off, u32 len, u64 val)
{
	return pic_io(container_of(dev, struct hvmm_pic, elcr), UNIT_ELCR,
		      off, len, &val, true);
}

static const struct hvmm_iodev_ops master_ops = {
	.read = master_read,
	.write = master_write,
};

static const struct hvmm_iodev_ops slave_ops = {
	.read = slave_read,
	.write = slave_write,
};

static const struct hvmm_iodev_ops elcr_ops = {
	.read = elcr_read,
	.write = elcr_write,
};

/* Power-on: all registers zero, ELCR all edge; the pins keep their level. */
static void pic_reset_locked(struct hvmm_pic *pic)
{
	static const u8 elcr_mask[2] = {
		HVMM_PIC_MASTER_ELCR_MASK, HVMM_PIC_SLAVE_ELCR_MASK
	};
	int i;

	for (i = 0; i < 2; i++) {
		struct hvmm_pic_chip *c = &pic->chip[i];
		u8 pins = c->last_irr;

		memset(c, 0, sizeof(*c));
		c->last_irr = pins;
		c->elcr_mask = elcr_mask[i];
	}
}

/**
 * hvmm_pic_init() - set up a PIC pair in its power-on state
 * @pic: caller-allocated PIC
 * @output: called when the master's INT output changes (may be NULL)
 * @acked: called with irq 0-15 after an INTA or poll took it (may be NULL)
 * @opaque: passed to both callbacks
 *
 * Fills in the three iodevs (master 0x20, slave 0xa0, ELCR 0x4d0, two
 * ports each) for the caller to register on its port bus.
 *
 * Context: before any other use of @pic; reports no output change.
 */
void hvmm_pic_init(struct hvmm_pic *pic,
		   void (*output)(void *opaque, int level),
		   void (*acked)(void *opaque, u32 irq), void *opaque)
{
	memset(pic->chip, 0, sizeof(pic->chip));
	hvmm_lock_init(&pic->lock);
	pic->int_out = false;
	pic->output = output;
	pic->acked = acked;
	pic->opaque = opaque;
	pic->master = (struct hvmm_iodev){ .ops = &master_ops,
		.name = "pic-master", .base = HVMM_PIC_MASTER_BASE, .len = 2 };
	pic->slave = (struct hvmm_iodev){ .ops = &slave_ops,
		.name = "pic-slave", .base = HVMM_PIC_SLAVE_BASE, .len = 2 };
	pic->elcr = (struct hvmm_iodev){ .ops = &elcr_ops,
		.name = "pic-elcr", .base = HVMM_PIC_ELCR_BASE, .len = 2 };
	pic_reset_locked(pic);
}

/**
 * hvmm_pic_reset() - return both chips to their power-on state
 * @pic: the PIC
 *
 * Registers are cleared and the ELCR set to all edge; the input pins keep
 * the levels their devices drive.
 *
 * Context: takes pic->lock; may call output() after dropping it.
 */
void hvmm_pic_reset(struct hvmm_pic *pic)
{
	struct pic_events ev = { .acked = -1 };

	pic_lock(pic);
	pic_reset_locked(pic);
	pic_update_cascade(pic);
	pic_update_output(pic, &ev);
	pic_unlock(pic, &ev);
}

/**
 * hvmm_pic_set_irq() - drive an ISA interrupt line
 * @pic: the PIC
 * @irq: 0-7 master IR0-7, 8-15 slave IR0-7; others, and 2 (the cascade,
 *	 driven only by the slave), are ignored
 * @level: nonzero for high
 *
 * Context: takes pic->lock, so it may be called with a device's own lock
 * held; may call output() after dropping it.
 */
void hvmm_pic_set_irq(struct hvmm_pic *pic, u32 irq, int level)
{
	struct pic_events ev = { .acked = -1 };

	if (irq >= HVMM_PIC_NR_IRQS || irq == HVMM_PIC_CASCADE_IRQ)
		return;
	pic_lock(pic);
	chip_set_line(&pic->chip[irq >> 3], irq & 7, level != 0);
	pic_update_cascade(pic);
	pic_update_output(pic, &ev);
	pic_unlock(pic, &ev);
}

/**
 * hvmm_pic_has_interrupt() - is the master's INT output high?
 * @pic: the PIC
 *
 * Context: takes pic->lock.
 * Return: true when the CPU would take an interrupt from the PIC now.
 */
bool hvmm_pic_has_interrupt(struct hvmm_pic *pic)
{
	bool ret;

	pic_lock(pic);
	ret = chip_pending_irq(&pic->chip[HVMM_PIC_MASTER], true) >= 0;
	hvmm_unlock(&pic->lock);
	return ret;
}

/**
 * hvmm_pic_ack() - the CPU's INTA cycle
 * @pic: the PIC
 *
 * Sets the ISR bit of the request taken and resets its IRR bit (cleared
 * again at once in AEOI mode, with rotation when rotate-in-AEOI is on).
 * When the request went away before the INTA, the chip answers with its
 * IR7 vector and sets no ISR bit ("Edge and Level Triggered Modes");
 * for a slave that does so, the master has already put IR2 in service.
 *
 * Context: takes pic->lock; calls acked() for a real irq 0-15 and
 * output() after dropping it.
 * Return: the vector, 0-255.
 */
int hvmm_pic_ack(struct hvmm_pic *pic)
{
	struct pic_events ev = { .acked = -1 };
	struct hvmm_pic_chip *m = &pic->chip[HVMM_PIC_MASTER];
	struct hvmm_pic_chip *s = &pic->chip[HVMM_PIC_SLAVE];
	int vector, ir;

	pic_lock(pic);
	ir = pic_chip_ack(pic, HVMM_PIC_MASTER, &ev);
	if (ir < 0) {
		vector = m->irq_base | 7;
	} else if (ir == HVMM_PIC_CASCADE_IRQ) {
		ir = pic_chip_ack(pic, HVMM_PIC_SLAVE, &ev);
		vector = s->irq_base | (ir < 0 ? 7 : ir);
	} else {
		vector = m->irq_base | ir;
	}
	pic_update_cascade(pic);
	pic_update_output(pic, &ev);
	pic_unlock(pic, &ev);
	return vector;
}

/**
 * hvmm_pic_get_state() - save one chip (KVM_GET_IRQCHIP)
 * @pic: the PIC
 * @chip: 0 master, 1 slave
 * @s: filled in, every field
 *
 * Context: takes pic->lock.
 * Return: 0, or -EINVAL for a bad @chip.
 */
int hvmm_pic_get_state(struct hvmm_pic *pic, int chip,
		       struct kvm_pic_state *s)
{
	const struct hvmm_pic_chip *c;

	if (chip != HVMM_PIC_MASTER && chip != HVMM_PIC_SLAVE)
		return -EINVAL;
	c = &pic->chip[chip];
	memset(s, 0, sizeof(*s));
	pic_lock(pic);
	s->last_irr = c->last_irr;
	s->irr = c->irr;
	s->imr = c->imr;
	s->isr = c->isr;
	s->priority_add = c->priority_add;
	s->irq_base = c->irq_base;
	s->read_reg_select = c->read_reg_select;
	s->poll = c->poll;
	s->special_mask = c->special_mask;
	s->init_state = c->init_state;
	s->auto_eoi = c->auto_eoi;
	s->rotate_on_auto_eoi = c->rotate_on_auto_eoi;
	s->special_fully_nested_mode = c->special_fully_nested_mode;
	s->init4 = c->init4;
	s->elcr = c->elcr;
	s->elcr_mask = c->elcr_mask;
	hvmm_unlock(&pic->lock);
	return 0;
}

static bool pic_state_valid(int chip, const struct kvm_pic_state *s)
{
	u8 mask = chip == HVMM_PIC_MASTER ? HVMM_PIC_MASTER_ELCR_MASK :
					    HVMM_PIC_SLAVE_ELCR_MASK;

	if ((s->read_reg_select | s->poll | s->special_mask | s->auto_eoi |
	     s->rotate_on_auto_eoi | s->special_fully_nested_mode |
	     s->init4) > 1)
		return false;
	/* ICW4 can only be awaited when ICW1 asked for it. */
	if (s->init_state > 3 || (s->init_state == 3 && !s->init4))
		return false;
	if (s->priority_add > 7 || (s->irq_base & 7))
		return false;
	return s->elcr_mask == mask && !(s->elcr & ~mask);
}

/**
 * hvmm_pic_set_state() - restore one chip (KVM_SET_IRQCHIP)
 * @pic: the PIC
 * @chip: 0 master, 1 slave
 * @s: the state, with struct kvm_pic_state's meanings
 *
 * The registers are taken exactly as given, without re-deriving master
 * IR2 from the slave: userspace restores one chip at a time, and the
 * other may still hold old state.  The next input or register event
 * re-evaluates the cascade.
 *
 * Context: takes pic->lock; may call output() after dropping it.
 * Return: 0, or -EINVAL for a bad @chip or a field no 8259A can hold
 * (flags not 0/1, init_state past the ICW sequence, priority_add > 7,
 * irq_base bits 2-0 set, elcr_mask not the chip's, elcr outside it).
 */
int hvmm_pic_set_state(struct hvmm_pic *pic, int chip,
		       const struct kvm_pic_state *s)
{
	struct pic_events ev = { .acked = -1 };
	struct hvmm_pic_chip *c;

	if (chip != HVMM_PIC_MASTER && chip != HVMM_PIC_SLAVE)
		return -EINVAL;
	if (!pic_state_valid(chip, s))
		return -EINVAL;
	c = &pic->chip[chip];
	pic_lock(pic);
	c->last_irr = s->last_irr;
	c->irr = s->irr;
	c->imr = s->imr;
	c->isr = s->isr;
	c->priority_add = s->priority_add;
	c->irq_base = s->irq_base;
	c->read_reg_select = s->read_reg_select;
	c->poll = s->poll;
	c->special_mask = s->special_mask;
	c->init_state = s->init_state;
	c->auto_eoi = s->auto_eoi;
	c->rotate_on_auto_eoi = s->rotate_on_auto_eoi;
	c->special_fully_nested_mode = s->special_fully_nested_mode;
	c->init4 = s->init4;
	c->elcr = s->elcr;
	c->elcr_mask = s->elcr_mask;
	c->single = 0;	/* not in kvm_pic_state: the PC cascades */
	pic_update_output(pic, &ev);
	pic_unlock(pic, &ev);
	return 0;
}
