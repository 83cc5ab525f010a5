// SPDX-License-Identifier: GPL-2.0
/*
 * 8259A PIC pair: every command of the Intel 8259A datasheet (order
 * 231468) that Linux and the PC BIOS use, plus the PIIX ELCR and the
 * save/restore ABI of struct kvm_pic_state.  Section names in the
 * comments are the datasheet's.
 */
#include "../../src/devices/i8259.h"
#include "kselftest_harness.h"

struct probe {
	struct hvmm_pic *pic;
	int outputs;
	int level;
	int acks;
	u32 acked[16];
	bool lock_was_free;	/* every callback found pic->lock free */
	int reraise;		/* irq to re-raise from acked(), or -1 */
};

static bool lock_free(struct hvmm_pic *pic)
{
	if (pthread_mutex_trylock(&pic->lock.mutex))
		return false;
	pthread_mutex_unlock(&pic->lock.mutex);
	return true;
}

static void on_output(void *opaque, int level)
{
	struct probe *p = opaque;

	p->lock_was_free &= lock_free(p->pic);
	p->outputs++;
	p->level = level;
}

static void on_acked(void *opaque, u32 irq)
{
	struct probe *p = opaque;

	p->lock_was_free &= lock_free(p->pic);
	if (p->acks < 16)
		p->acked[p->acks] = irq;
	p->acks++;
	/* The PIT's reinject path calls back into the PIC from here. */
	if (p->reraise >= 0) {
		hvmm_pic_set_irq(p->pic, p->reraise, 0);
		hvmm_pic_set_irq(p->pic, p->reraise, 1);
	}
}

static struct hvmm_iodev *port_dev(struct hvmm_pic *pic, u16 port)
{
	if (port == 0x20 || port == 0x21)
		return &pic->master;
	if (port == 0xa0 || port == 0xa1)
		return &pic->slave;
	return &pic->elcr;
}

static void outb(struct hvmm_pic *pic, u16 port, u8 val)
{
	hvmm_iodev_write(port_dev(pic, port), port, 1, val);
}

static u8 inb(struct hvmm_pic *pic, u16 port)
{
	u64 v = 0x5a5a;

	hvmm_iodev_read(port_dev(pic, port), port, 1, &v);
	return (u8)v;
}

/* arch/x86/kernel/i8259.c init_8259A(): ICW1-ICW4 on both chips. */
static void linux_init(struct hvmm_pic *pic, bool auto_eoi)
{
	outb(pic, 0x21, 0xff);
	outb(pic, 0xa1, 0xff);
	outb(pic, 0x20, 0x11);
	outb(pic, 0x21, 0x20);
	outb(pic, 0x21, 0x04);
	outb(pic, 0x21, auto_eoi ? 0x03 : 0x01);
	outb(pic, 0xa0, 0x11);
	outb(pic, 0xa1, 0x28);
	outb(pic, 0xa1, 0x02);
	outb(pic, 0xa1, 0x01);
	outb(pic, 0x21, 0x00);
	outb(pic, 0xa1, 0x00);
}

static struct kvm_pic_state state(struct hvmm_pic *pic, int chip)
{
	struct kvm_pic_state s;

	memset(&s, 0xcc, sizeof(s));
	if (hvmm_pic_get_state(pic, chip, &s))
		memset(&s, 0xee, sizeof(s));
	return s;
}

static void pulse_edge(struct hvmm_pic *pic, u32 irq)
{
	hvmm_pic_set_irq(pic, irq, 0);
	hvmm_pic_set_irq(pic, irq, 1);
}

FIXTURE(pic) {
	struct hvmm_pic pic;
	struct probe p;
};

FIXTURE_SETUP(pic)
{
	memset(&self->p, 0, sizeof(self->p));
	self->p.pic = &self->pic;
	self->p.lock_was_free = true;
	self->p.reraise = -1;
	hvmm_pic_init(&self->pic, on_output, on_acked, &self->p);
	linux_init(&self->pic, false);
}

FIXTURE_TEARDOWN(pic)
{
	EXPECT_TRUE(self->p.lock_was_free);
}

/* Initialization Command Words: Linux's ICW1 0x11, ICW2, ICW3, ICW4. */
TEST_F(pic, linux_init_sequence)
{
	struct kvm_pic_state m = state(&self->pic, 0);
	struct kvm_pic_state s = state(&self->pic, 1);

	EXPECT_EQ(0x20, m.irq_base);
	EXPECT_EQ(0x28, s.irq_base);
	EXPECT_EQ(0, m.init_state);
	EXPECT_EQ(1, m.init4);
	EXPECT_EQ(0, m.auto_eoi);
	EXPECT_EQ(0, m.imr);
	EXPECT_EQ(0xf8, m.elcr_mask);
	EXPECT_EQ(0xde, s.elcr_mask);
	EXPECT_FALSE(hvmm_pic_has_interrupt(&self->pic));

	hvmm_pic_set_irq(&self->pic, 0, 1);
	EXPECT_TRUE(hvmm_pic_has_interrupt(&self->pic));
	EXPECT_EQ(1, self->p.outputs);
	EXPECT_EQ(1, self->p.level);
	EXPECT_EQ(0x20, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(0, self->p.level);
	ASSERT_EQ(1, self->p.acks);
	EXPECT_EQ(0, self->p.acked[0]);
	EXPECT_EQ(0x01, state(&self->pic, 0).isr);
	outb(&self->pic, 0x20, 0x20);
	EXPECT_EQ(0, state(&self->pic, 0).isr);
}

/* ICW4 AEOI ("Automatic End of Interrupt Mode"): Linux's auto-EOI init. */
TEST_F(pic, linux_init_auto_eoi)
{
	linux_init(&self->pic, true);
	EXPECT_EQ(1, state(&self->pic, 0).auto_eoi);
	pulse_edge(&self->pic, 0);
	EXPECT_EQ(0x20, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(0, state(&self->pic, 0).isr);
	EXPECT_EQ(0, state(&self->pic, 0).priority_add);
}

/* ICW1 SNGL=1, IC4=0: no ICW3, no ICW4; the next A0=1 write is OCW1. */
TEST_F(pic, icw_single_without_icw4)
{
	outb(&self->pic, 0x20, 0x12);
	EXPECT_EQ(1, state(&self->pic, 0).init_state);
	outb(&self->pic, 0x21, 0x47);
	EXPECT_EQ(0x40, state(&self->pic, 0).irq_base);
	EXPECT_EQ(0, state(&self->pic, 0).init_state);
	outb(&self->pic, 0x21, 0x5a);
	EXPECT_EQ(0x5a, inb(&self->pic, 0x21));
	EXPECT_EQ(0x40, state(&self->pic, 0).irq_base);
}

/* Initialization Command Words: an ICW1 restarts the sequence anywhere. */
TEST_F(pic, icw1_restarts_sequence)
{
	outb(&self->pic, 0xa0, 0x11);
	outb(&self->pic, 0xa1, 0x70);
	EXPECT_EQ(2, state(&self->pic, 1).init_state);
	outb(&self->pic, 0xa0, 0x11);
	EXPECT_EQ(1, state(&self->pic, 1).init_state);
	outb(&self->pic, 0xa1, 0x78);
	outb(&self->pic, 0xa1, 0x02);
	outb(&self->pic, 0xa1, 0x01);
	EXPECT_EQ(0, state(&self->pic, 1).init_state);
	EXPECT_EQ(0x78, state(&self->pic, 1).irq_base);
	hvmm_pic_set_irq(&self->pic, 15, 1);
	EXPECT_EQ(0x7f, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(0x80, state(&self->pic, 1).isr);
}

/* ICW1 SNGL=1, IC4=1: ICW2 then ICW4, no ICW3. */
TEST_F(pic, icw_single_with_icw4)
{
	outb(&self->pic, 0x20, 0x13);
	outb(&self->pic, 0x21, 0x50);
	EXPECT_EQ(3, state(&self->pic, 0).init_state);
	outb(&self->pic, 0x21, 0x03);
	EXPECT_EQ(0, state(&self->pic, 0).init_state);
	EXPECT_EQ(1, state(&self->pic, 0).auto_eoi);
}

/* ICW1 cascade, IC4=0: ICW2, ICW3, then OCW1; ICW4 functions zero. */
TEST_F(pic, icw_cascade_without_icw4)
{
	linux_init(&self->pic, true);
	outb(&self->pic, 0x20, 0x10);
	outb(&self->pic, 0x21, 0x30);
	EXPECT_EQ(2, state(&self->pic, 0).init_state);
	outb(&self->pic, 0x21, 0x04);
	EXPECT_EQ(0, state(&self->pic, 0).init_state);
	EXPECT_EQ(0, state(&self->pic, 0).auto_eoi);
	outb(&self->pic, 0x21, 0x81);
	EXPECT_EQ(0x81, state(&self->pic, 0).imr);
}

/*
 * ICW1 side effects (Initialization Command Words a-f): edge sense reset,
 * IMR cleared, IR7 lowest, special mask cleared, status read = IRR.
 */
TEST_F(pic, icw1_resets)
{
	hvmm_pic_set_irq(&self->pic, 3, 1);
	EXPECT_EQ(0x23, hvmm_pic_ack(&self->pic));
	hvmm_pic_set_irq(&self->pic, 4, 1);
	outb(&self->pic, 0x21, 0x80);
	outb(&self->pic, 0x20, 0xc4);	/* set priority: IR4 lowest */
	outb(&self->pic, 0x20, 0x68);	/* special mask on */
	outb(&self->pic, 0x20, 0x0b);	/* read ISR */
	outb(&self->pic, 0x20, 0x11);
	outb(&self->pic, 0x21, 0x20);
	outb(&self->pic, 0x21, 0x04);
	outb(&self->pic, 0x21, 0x01);
	EXPECT_EQ(0, state(&self->pic, 0).imr);
	EXPECT_EQ(0, state(&self->pic, 0).priority_add);
	EXPECT_EQ(0, state(&self->pic, 0).special_mask);
	EXPECT_EQ(0, state(&self->pic, 0).read_reg_select);
	/* The ISR is not among the things ICW1 clears. */
	EXPECT_EQ(0x08, state(&self->pic, 0).isr);
	/* IR4 is still high but needs a new rising edge. */
	EXPECT_EQ(0, inb(&self->pic, 0x20));
	EXPECT_EQ(0x18, state(&self->pic, 0).last_irr);
	outb(&self->pic, 0x20, 0x20);
	EXPECT_FALSE(hvmm_pic_has_interrupt(&self->pic));
	pulse_edge(&self->pic, 4);
	EXPECT_EQ(0x24, hvmm_pic_ack(&self->pic));
}

/* Interrupt Priorities, fully nested mode: IR0 highest, IR7 lowest. */
TEST_F(pic, fully_nested_priority)
{
	hvmm_pic_set_irq(&self->pic, 5, 1);
	hvmm_pic_set_irq(&self->pic, 3, 1);
	hvmm_pic_set_irq(&self->pic, 6, 1);
	EXPECT_EQ(0x23, hvmm_pic_ack(&self->pic));
	/* IR5, IR6 wait for IR3's EOI; IR1 preempts it. */
	EXPECT_FALSE(hvmm_pic_has_interrupt(&self->pic));
	hvmm_pic_set_irq(&self->pic, 1, 1);
	EXPECT_EQ(0x21, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(0x0a, state(&self->pic, 0).isr);
	outb(&self->pic, 0x20, 0x20);	/* clears IR1, the highest */
	EXPECT_EQ(0x08, state(&self->pic, 0).isr);
	outb(&self->pic, 0x20, 0x20);
	EXPECT_EQ(0x25, hvmm_pic_ack(&self->pic));
	outb(&self->pic, 0x20, 0x20);
	EXPECT_EQ(0x26, hvmm_pic_ack(&self->pic));
	outb(&self->pic, 0x20, 0x20);
	EXPECT_EQ(0, state(&self->pic, 0).isr);
}

/* OCW2 rotate on non-specific EOI: the served IR becomes the lowest. */
TEST_F(pic, rotate_on_nonspecific_eoi)
{
	hvmm_pic_set_irq(&self->pic, 1, 1);
	EXPECT_EQ(0x21, hvmm_pic_ack(&self->pic));
	outb(&self->pic, 0x20, 0xa0);
	EXPECT_EQ(2, state(&self->pic, 0).priority_add);
	pulse_edge(&self->pic, 1);
	hvmm_pic_set_irq(&self->pic, 7, 1);
	EXPECT_EQ(0x27, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(0x80, state(&self->pic, 0).isr);
	/* IR1 now has a lower priority than IR7 in service. */
	EXPECT_FALSE(hvmm_pic_has_interrupt(&self->pic));
	outb(&self->pic, 0x20, 0xa0);	/* rotate: IR0 highest again */
	EXPECT_EQ(0, state(&self->pic, 0).priority_add);
	EXPECT_EQ(0x21, hvmm_pic_ack(&self->pic));
}

/* OCW2 set priority (L2-L0 becomes the lowest) and rotate specific EOI. */
TEST_F(pic, set_priority_and_rotate_specific)
{
	outb(&self->pic, 0x20, 0xc5);
	EXPECT_EQ(6, state(&self->pic, 0).priority_add);
	hvmm_pic_set_irq(&self->pic, 0, 1);
	hvmm_pic_set_irq(&self->pic, 6, 1);
	hvmm_pic_set_irq(&self->pic, 5, 1);
	EXPECT_EQ(0x26, hvmm_pic_ack(&self->pic));
	outb(&self->pic, 0x20, 0xe6);	/* EOI IR6, IR6 lowest */
	EXPECT_EQ(0, state(&self->pic, 0).isr);
	EXPECT_EQ(7, state(&self->pic, 0).priority_add);
	EXPECT_EQ(0x20, hvmm_pic_ack(&self->pic));
	outb(&self->pic, 0x20, 0x60);
	EXPECT_EQ(0x25, hvmm_pic_ack(&self->pic));
	outb(&self->pic, 0x20, 0x40);	/* OCW2 no operation */
	EXPECT_EQ(0x20, state(&self->pic, 0).isr);
}

/* OCW2 rotate in automatic EOI mode, set and clear. */
TEST_F(pic, rotate_in_auto_eoi)
{
	linux_init(&self->pic, true);
	outb(&self->pic, 0x20, 0x80);
	EXPECT_EQ(1, state(&self->pic, 0).rotate_on_auto_eoi);
	pulse_edge(&self->pic, 3);
	EXPECT_EQ(0x23, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(4, state(&self->pic, 0).priority_add);
	EXPECT_EQ(0, state(&self->pic, 0).isr);
	outb(&self->pic, 0x20, 0x00);
	EXPECT_EQ(0, state(&self->pic, 0).rotate_on_auto_eoi);
	pulse_edge(&self->pic, 5);
	EXPECT_EQ(0x25, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(4, state(&self->pic, 0).priority_add);
}

/* End of Interrupt: a specific EOI resets exactly the named IS bit. */
TEST_F(pic, specific_eoi)
{
	hvmm_pic_set_irq(&self->pic, 3, 1);
	EXPECT_EQ(0x23, hvmm_pic_ack(&self->pic));
	hvmm_pic_set_irq(&self->pic, 1, 1);
	EXPECT_EQ(0x21, hvmm_pic_ack(&self->pic));
	outb(&self->pic, 0x20, 0x63);
	EXPECT_EQ(0x02, state(&self->pic, 0).isr);
	outb(&self->pic, 0x20, 0x65);	/* not in service: no effect */
	EXPECT_EQ(0x02, state(&self->pic, 0).isr);
	outb(&self->pic, 0x20, 0x20);	/* non-specific with empty rest */
	outb(&self->pic, 0x20, 0x20);
	EXPECT_EQ(0, state(&self->pic, 0).isr);
}

/*
 * Special Mask Mode: a masked level in service no longer inhibits lower
 * levels, and a non-specific EOI does not reset an IS bit masked by the
 * IMR.
 */
TEST_F(pic, special_mask_mode)
{
	hvmm_pic_set_irq(&self->pic, 3, 1);
	EXPECT_EQ(0x23, hvmm_pic_ack(&self->pic));
	hvmm_pic_set_irq(&self->pic, 5, 1);
	EXPECT_FALSE(hvmm_pic_has_interrupt(&self->pic));
	outb(&self->pic, 0x21, 0x08);
	outb(&self->pic, 0x20, 0x68);
	EXPECT_EQ(1, state(&self->pic, 0).special_mask);
	EXPECT_TRUE(hvmm_pic_has_interrupt(&self->pic));
	EXPECT_EQ(0x25, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(0x28, state(&self->pic, 0).isr);
	outb(&self->pic, 0x20, 0x20);	/* IR3 masked: IR5 is reset */
	EXPECT_EQ(0x08, state(&self->pic, 0).isr);
	outb(&self->pic, 0x20, 0x20);	/* only masked IR3 left: no-op */
	EXPECT_EQ(0x08, state(&self->pic, 0).isr);
	outb(&self->pic, 0x20, 0x48);	/* reset special mask */
	EXPECT_EQ(0, state(&self->pic, 0).special_mask);
	outb(&self->pic, 0x20, 0x20);
	EXPECT_EQ(0, state(&self->pic, 0).isr);
	/* OCW3 without ESMM leaves the mode alone. */
	outb(&self->pic, 0x20, 0x68);
	outb(&self->pic, 0x20, 0x28);
	EXPECT_EQ(1, state(&self->pic, 0).special_mask);
}

/* The Poll Command: the next read is an INTA returning I...W2W1W0. */
TEST_F(pic, poll_mode)
{
	hvmm_pic_set_irq(&self->pic, 6, 1);
	hvmm_pic_set_irq(&self->pic, 4, 1);
	outb(&self->pic, 0x20, 0x0c);
	EXPECT_EQ(1, state(&self->pic, 0).poll);
	EXPECT_EQ(0x84, inb(&self->pic, 0x20));
	EXPECT_EQ(0x10, state(&self->pic, 0).isr);
	EXPECT_EQ(0, state(&self->pic, 0).poll);
	ASSERT_EQ(1, self->p.acks);
	EXPECT_EQ(4, self->p.acked[0]);
	/* One-shot: the next read is the IRR again. */
	EXPECT_EQ(0x40, inb(&self->pic, 0x20));
	outb(&self->pic, 0x20, 0x20);
	outb(&self->pic, 0x20, 0x0c);	/* the RD may be at A0=1 too */
	EXPECT_EQ(0x86, inb(&self->pic, 0x21));
	outb(&self->pic, 0x20, 0x20);
	outb(&self->pic, 0x20, 0x0c);	/* nothing pending: I = 0 */
	EXPECT_EQ(0x00, inb(&self->pic, 0x20));
	EXPECT_EQ(0, state(&self->pic, 0).isr);
}

/* Poll through the cascade: master says IR2, then poll the slave. */
TEST_F(pic, poll_cascade)
{
	hvmm_pic_set_irq(&self->pic, 13, 1);
	outb(&self->pic, 0x20, 0x0c);
	EXPECT_EQ(0x82, inb(&self->pic, 0x20));
	EXPECT_EQ(0, self->p.acks);	/* the cascade is no device irq */
	outb(&self->pic, 0xa0, 0x0c);
	EXPECT_EQ(0x85, inb(&self->pic, 0xa0));
	ASSERT_EQ(1, self->p.acks);
	EXPECT_EQ(13, self->p.acked[0]);
	EXPECT_EQ(0x04, state(&self->pic, 0).isr);
	EXPECT_EQ(0x20, state(&self->pic, 1).isr);
}

/* OCW3 RR/RIS: read IRR or ISR at A0=0; A0=1 always reads the IMR. */
TEST_F(pic, ocw3_read_irr_isr)
{
	hvmm_pic_set_irq(&self->pic, 1, 1);
	hvmm_pic_set_irq(&self->pic, 5, 1);
	EXPECT_EQ(0x22, inb(&self->pic, 0x20));
	EXPECT_EQ(0x21, hvmm_pic_ack(&self->pic));
	outb(&self->pic, 0x20, 0x0b);
	EXPECT_EQ(0x02, inb(&self->pic, 0x20));
	outb(&self->pic, 0x20, 0x08);	/* RR=0: selection unchanged */
	EXPECT_EQ(0x02, inb(&self->pic, 0x20));
	outb(&self->pic, 0x20, 0x0a);
	EXPECT_EQ(0x20, inb(&self->pic, 0x20));
	outb(&self->pic, 0x21, 0xa5);
	EXPECT_EQ(0xa5, inb(&self->pic, 0x21));
}

/*
 * Edge and Level Triggered Modes: an edge request withdrawn before INTA
 * gives the default IR7 vector with no IS bit set.
 */
TEST_F(pic, spurious_irq7_withdrawn_edge)
{
	hvmm_pic_set_irq(&self->pic, 4, 1);
	EXPECT_TRUE(hvmm_pic_has_interrupt(&self->pic));
	hvmm_pic_set_irq(&self->pic, 4, 0);
	EXPECT_FALSE(hvmm_pic_has_interrupt(&self->pic));
	EXPECT_EQ(0, self->p.level);
	EXPECT_EQ(0x27, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(0, state(&self->pic, 0).isr);
	EXPECT_EQ(0, self->p.acks);
	/* How Linux's i8259A_irq_real() tells it apart: ISR bit 7 clear. */
	outb(&self->pic, 0x20, 0x0b);
	EXPECT_EQ(0, inb(&self->pic, 0x20));
}

/* Default IR7 during a real IR7: the IS bit stays as it was. */
TEST_F(pic, spurious_irq7_masked_during_real_irq7)
{
	hvmm_pic_set_irq(&self->pic, 7, 1);
	EXPECT_EQ(0x27, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(0x80, state(&self->pic, 0).isr);
	hvmm_pic_set_irq(&self->pic, 3, 1);
	outb(&self->pic, 0x21, 0x08);	/* masked before the INTA */
	EXPECT_EQ(0x27, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(0x80, state(&self->pic, 0).isr);
	EXPECT_EQ(1, self->p.acks);
}

/*
 * Cascade Mode, Edge and Level Triggered Modes: the master took IR2, the
 * slave's request is gone: the slave answers IR7 (vector 0x2f), sets no
 * IS bit, and the master's IS bit 2 is set (it needs an EOI).  A state
 * restored from KVM can hold that latched cascade request.
 */
TEST_F(pic, spurious_irq15)
{
	struct kvm_pic_state m = state(&self->pic, 0);

	m.irr = 0x04;
	m.last_irr = 0x04;
	ASSERT_EQ(0, hvmm_pic_set_state(&self->pic, 0, &m));
	EXPECT_TRUE(hvmm_pic_has_interrupt(&self->pic));
	EXPECT_EQ(0x2f, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(0x04, state(&self->pic, 0).isr);
	EXPECT_EQ(0, state(&self->pic, 1).isr);
	EXPECT_EQ(0, self->p.acks);
	outb(&self->pic, 0x20, 0x62);
	EXPECT_EQ(0, state(&self->pic, 0).isr);
}

/* A slave request masked before INTA withdraws master IR2: IR7. */
TEST_F(pic, slave_request_withdrawn_is_master_irq7)
{
	hvmm_pic_set_irq(&self->pic, 10, 1);
	EXPECT_TRUE(hvmm_pic_has_interrupt(&self->pic));
	outb(&self->pic, 0xa1, 0x04);
	EXPECT_FALSE(hvmm_pic_has_interrupt(&self->pic));
	EXPECT_EQ(0x27, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(0, state(&self->pic, 0).isr);
}

/* Level mode (ELCR): the request returns after EOI while the pin is high. */
TEST_F(pic, level_reasserts_after_eoi)
{
	outb(&self->pic, 0x4d1, 0x08);	/* IRQ11 level */
	hvmm_pic_set_irq(&self->pic, 11, 1);
	EXPECT_EQ(0x2b, hvmm_pic_ack(&self->pic));
	EXPECT_FALSE(hvmm_pic_has_interrupt(&self->pic));
	outb(&self->pic, 0xa0, 0x20);
	outb(&self->pic, 0x20, 0x20);
	EXPECT_TRUE(hvmm_pic_has_interrupt(&self->pic));
	EXPECT_EQ(0x2b, hvmm_pic_ack(&self->pic));
	hvmm_pic_set_irq(&self->pic, 11, 0);
	outb(&self->pic, 0xa0, 0x20);
	outb(&self->pic, 0x20, 0x20);
	EXPECT_FALSE(hvmm_pic_has_interrupt(&self->pic));
	EXPECT_EQ(2, self->p.acks);
	EXPECT_EQ(11, self->p.acked[1]);
}

/* Edge mode: a pin that stays high requests once; a new edge again. */
TEST_F(pic, edge_needs_new_rising_edge)
{
	hvmm_pic_set_irq(&self->pic, 3, 1);
	EXPECT_EQ(0x23, hvmm_pic_ack(&self->pic));
	outb(&self->pic, 0x20, 0x20);
	hvmm_pic_set_irq(&self->pic, 3, 1);
	EXPECT_FALSE(hvmm_pic_has_interrupt(&self->pic));
	pulse_edge(&self->pic, 3);
	EXPECT_EQ(0x23, hvmm_pic_ack(&self->pic));
}

/* Cascade Mode: slave vectors, IS bits in both chips, priority via IR2. */
TEST_F(pic, cascade)
{
	hvmm_pic_set_irq(&self->pic, 3, 1);
	hvmm_pic_set_irq(&self->pic, 14, 1);
	hvmm_pic_set_irq(&self->pic, 9, 1);
	EXPECT_EQ(0x29, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(0x04, state(&self->pic, 0).isr);
	EXPECT_EQ(0x02, state(&self->pic, 1).isr);
	EXPECT_EQ(9, self->p.acked[0]);
	/* IR3 waits for the master's IR2 EOI; IRQ1 preempts. */
	EXPECT_FALSE(hvmm_pic_has_interrupt(&self->pic));
	hvmm_pic_set_irq(&self->pic, 1, 1);
	EXPECT_EQ(0x21, hvmm_pic_ack(&self->pic));
	outb(&self->pic, 0x20, 0x20);
	/* Linux: EOI to the slave, then to the master. */
	outb(&self->pic, 0xa0, 0x20);
	outb(&self->pic, 0x20, 0x20);
	EXPECT_EQ(0x2e, hvmm_pic_ack(&self->pic));
	outb(&self->pic, 0x20, 0x20);	/* master first works too */
	outb(&self->pic, 0xa0, 0x20);
	EXPECT_EQ(0x23, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(0x08, state(&self->pic, 0).isr);
	EXPECT_EQ(0, state(&self->pic, 1).isr);
}

/* Special Fully Nested Mode: a slave in service is not locked out. */
TEST_F(pic, special_fully_nested)
{
	hvmm_pic_set_irq(&self->pic, 12, 1);
	EXPECT_EQ(0x2c, hvmm_pic_ack(&self->pic));
	hvmm_pic_set_irq(&self->pic, 9, 1);
	EXPECT_FALSE(hvmm_pic_has_interrupt(&self->pic));
	outb(&self->pic, 0x20, 0x11);
	outb(&self->pic, 0x21, 0x20);
	outb(&self->pic, 0x21, 0x04);
	outb(&self->pic, 0x21, 0x11);	/* SFNM */
	EXPECT_EQ(1, state(&self->pic, 0).special_fully_nested_mode);
	EXPECT_EQ(0x04, state(&self->pic, 0).isr);
	/* ICW1 reset the edge sense: the slave must raise IR2 again. */
	hvmm_pic_set_irq(&self->pic, 9, 0);
	hvmm_pic_set_irq(&self->pic, 9, 1);
	EXPECT_TRUE(hvmm_pic_has_interrupt(&self->pic));
	EXPECT_EQ(0x29, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(0x12, state(&self->pic, 1).isr);
}

/* AEOI on the slave: its INT drops during INTA, so IR2 sees a new edge. */
TEST_F(pic, slave_auto_eoi_back_to_back)
{
	outb(&self->pic, 0xa0, 0x11);
	outb(&self->pic, 0xa1, 0x28);
	outb(&self->pic, 0xa1, 0x02);
	outb(&self->pic, 0xa1, 0x03);
	linux_init(&self->pic, true);
	outb(&self->pic, 0xa0, 0x11);
	outb(&self->pic, 0xa1, 0x28);
	outb(&self->pic, 0xa1, 0x02);
	outb(&self->pic, 0xa1, 0x03);
	hvmm_pic_set_irq(&self->pic, 8, 1);
	hvmm_pic_set_irq(&self->pic, 10, 1);
	EXPECT_EQ(0x28, hvmm_pic_ack(&self->pic));
	EXPECT_TRUE(hvmm_pic_has_interrupt(&self->pic));
	EXPECT_EQ(0x2a, hvmm_pic_ack(&self->pic));
	EXPECT_FALSE(hvmm_pic_has_interrupt(&self->pic));
	EXPECT_EQ(0, state(&self->pic, 0).isr);
	EXPECT_EQ(0, state(&self->pic, 1).isr);
}

/* PIIX ELCR: only the existing bits stick; IRQ0-2, 8, 13 stay edge. */
TEST_F(pic, elcr_masks)
{
	outb(&self->pic, 0x4d0, 0xff);
	outb(&self->pic, 0x4d1, 0xff);
	EXPECT_EQ(0xf8, inb(&self->pic, 0x4d0));
	EXPECT_EQ(0xde, inb(&self->pic, 0x4d1));
	EXPECT_EQ(0xf8, state(&self->pic, 0).elcr);
	/* Switching a high pin to level makes it request. */
	outb(&self->pic, 0x4d0, 0x00);
	hvmm_pic_set_irq(&self->pic, 5, 1);
	EXPECT_EQ(0x25, hvmm_pic_ack(&self->pic));
	outb(&self->pic, 0x20, 0x20);
	EXPECT_FALSE(hvmm_pic_has_interrupt(&self->pic));
	outb(&self->pic, 0x4d0, 0x20);
	EXPECT_TRUE(hvmm_pic_has_interrupt(&self->pic));
}

/* struct kvm_pic_state: save, reset, restore gives the same machine. */
TEST_F(pic, save_restore_round_trip)
{
	struct kvm_pic_state m, s, m2, s2;

	outb(&self->pic, 0x4d1, 0x08);
	hvmm_pic_set_irq(&self->pic, 4, 1);
	EXPECT_EQ(0x24, hvmm_pic_ack(&self->pic));
	hvmm_pic_set_irq(&self->pic, 11, 1);
	outb(&self->pic, 0x20, 0xc6);
	outb(&self->pic, 0x21, 0x01);
	outb(&self->pic, 0x20, 0x0b);
	m = state(&self->pic, 0);
	s = state(&self->pic, 1);
	hvmm_pic_reset(&self->pic);
	EXPECT_EQ(0, state(&self->pic, 0).irq_base);
	ASSERT_EQ(0, hvmm_pic_set_state(&self->pic, 0, &m));
	ASSERT_EQ(0, hvmm_pic_set_state(&self->pic, 1, &s));
	m2 = state(&self->pic, 0);
	s2 = state(&self->pic, 1);
	EXPECT_EQ(0, memcmp(&m, &m2, sizeof(m)));
	EXPECT_EQ(0, memcmp(&s, &s2, sizeof(s)));
	EXPECT_EQ(0x10, inb(&self->pic, 0x20));
	outb(&self->pic, 0x20, 0x20);
	EXPECT_EQ(0x2b, hvmm_pic_ack(&self->pic));
}

/* Restore refuses what no 8259A/PIIX can hold. */
TEST_F(pic, set_state_einval)
{
	struct kvm_pic_state good = state(&self->pic, 1), bad;
	u8 *flags[] = { &bad.read_reg_select, &bad.poll, &bad.special_mask,
			&bad.auto_eoi, &bad.rotate_on_auto_eoi,
			&bad.special_fully_nested_mode, &bad.init4 };
	size_t i;

	EXPECT_EQ(-EINVAL, hvmm_pic_set_state(&self->pic, 2, &good));
	EXPECT_EQ(-EINVAL, hvmm_pic_set_state(&self->pic, -1, &good));
	EXPECT_EQ(-EINVAL, hvmm_pic_get_state(&self->pic, 2, &bad));
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		bad = good;
		*flags[i] = 2;
		EXPECT_EQ(-EINVAL, hvmm_pic_set_state(&self->pic, 1, &bad));
	}
	bad = good;
	bad.init_state = 4;
	EXPECT_EQ(-EINVAL, hvmm_pic_set_state(&self->pic, 1, &bad));
	bad = good;
	bad.init_state = 3;
	bad.init4 = 0;
	EXPECT_EQ(-EINVAL, hvmm_pic_set_state(&self->pic, 1, &bad));
	bad = good;
	bad.priority_add = 8;
	EXPECT_EQ(-EINVAL, hvmm_pic_set_state(&self->pic, 1, &bad));
	bad = good;
	bad.irq_base = 0x29;
	EXPECT_EQ(-EINVAL, hvmm_pic_set_state(&self->pic, 1, &bad));
	bad = good;
	bad.elcr = 0x01;	/* IRQ8 has no ELCR bit */
	EXPECT_EQ(-EINVAL, hvmm_pic_set_state(&self->pic, 1, &bad));
	bad = good;
	bad.elcr_mask = 0xf8;	/* the master's */
	EXPECT_EQ(-EINVAL, hvmm_pic_set_state(&self->pic, 1, &bad));
	bad = good;
	bad.elcr = 0x04;	/* master IRQ2 has none */
	bad.elcr_mask = 0xf8;
	EXPECT_EQ(-EINVAL, hvmm_pic_set_state(&self->pic, 0, &bad));
	/* Nothing was applied. */
	bad = state(&self->pic, 1);
	EXPECT_EQ(0, memcmp(&good, &bad, sizeof(good)));
	good.init_state = 3;
	EXPECT_EQ(0, hvmm_pic_set_state(&self->pic, 1, &good));
}

/*
 * Widths: 1/2/4-byte accesses are split into byte cycles at consecutive
 * ports (ISA bus sizing); bytes past the chip and other widths are open
 * bus: all-ones on read, dropped on write.
 */
TEST_F(pic, access_widths)
{
	static const u32 odd[] = { 0, 3, 5, 6, 7, 8, 9, 16 };
	struct kvm_pic_state before = state(&self->pic, 0), after;
	u64 v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(odd); i++) {
		v = 0x1234;
		EXPECT_EQ(0, self->pic.master.ops->read(&self->pic.master, 0,
							odd[i], &v));
		EXPECT_EQ(hvmm_all_ones(odd[i]), v);
		EXPECT_EQ(0, self->pic.master.ops->write(&self->pic.master, 1,
							 odd[i], 0x11));
	}
	after = state(&self->pic, 0);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));

	/* 16-bit OUT 0x20: OCW3 "read ISR" to 0x20, then IMR 0x5a to 0x21. */
	hvmm_iodev_write(&self->pic.master, 0x20, 2, 0x5a0b);
	EXPECT_EQ(0x5a, state(&self->pic, 0).imr);
	EXPECT_EQ(1, state(&self->pic, 0).read_reg_select);
	hvmm_iodev_read(&self->pic.master, 0x20, 2, &v);
	EXPECT_EQ(0x5a00, v);
	hvmm_iodev_read(&self->pic.master, 0x21, 2, &v);
	EXPECT_EQ(0xff5a, v);
	hvmm_iodev_read(&self->pic.master, 0x20, 4, &v);
	EXPECT_EQ(0xffff5a00, v);
	hvmm_iodev_read(&self->pic.elcr, 0x4d0, 2, &v);
	EXPECT_EQ(0x0000, v);
	hvmm_iodev_write(&self->pic.elcr, 0x4d0, 4, 0xffffffff);
	hvmm_iodev_read(&self->pic.elcr, 0x4d0, 4, &v);
	EXPECT_EQ(0xffffdef8, v);
	/* Offsets the bus should never pass still read nothing. */
	EXPECT_EQ(0, self->pic.slave.ops->read(&self->pic.slave, 2, 1, &v));
	EXPECT_EQ(0xff, v);
	EXPECT_EQ(0, self->pic.slave.ops->read(&self->pic.slave, ~0ULL, 4,
					       &v));
	EXPECT_EQ(0xffffffff, v);
	EXPECT_EQ(0, self->pic.slave.ops->write(&self->pic.slave, ~0ULL, 4,
						0));
	EXPECT_EQ(-EOPNOTSUPP,
		  hvmm_iodev_read(&self->pic.master, 0x22, 1, &v));
}

/* IRQ2 is the cascade and numbers past 15 do not exist: ignored. */
TEST_F(pic, set_irq_out_of_range)
{
	hvmm_pic_set_irq(&self->pic, 2, 1);
	hvmm_pic_set_irq(&self->pic, 16, 1);
	hvmm_pic_set_irq(&self->pic, ~0u, 1);
	EXPECT_FALSE(hvmm_pic_has_interrupt(&self->pic));
	EXPECT_EQ(0, state(&self->pic, 0).last_irr);
	EXPECT_EQ(0, self->p.outputs);
}

/* Callbacks run unlocked: acked() may re-raise its line (PIT reinject). */
TEST_F(pic, callbacks_run_unlocked)
{
	self->p.reraise = 0;
	hvmm_pic_set_irq(&self->pic, 0, 1);
	EXPECT_EQ(0x20, hvmm_pic_ack(&self->pic));
	EXPECT_EQ(0x01, state(&self->pic, 0).irr);
	self->p.reraise = -1;
	outb(&self->pic, 0x20, 0x20);
	EXPECT_TRUE(hvmm_pic_has_interrupt(&self->pic));
	EXPECT_EQ(1, self->p.level);
	EXPECT_EQ(0x20, hvmm_pic_ack(&self->pic));
}

/* Reset: power-on state, and INT falls. */
TEST_F(pic, reset_power_on_state)
{
	struct kvm_pic_state m;

	hvmm_pic_set_irq(&self->pic, 6, 1);
	EXPECT_EQ(1, self->p.level);
	hvmm_pic_reset(&self->pic);
	EXPECT_EQ(0, self->p.level);
	m = state(&self->pic, 0);
	EXPECT_EQ(0, m.irr);
	EXPECT_EQ(0, m.imr);
	EXPECT_EQ(0, m.isr);
	EXPECT_EQ(0, m.irq_base);
	EXPECT_EQ(0, m.init4);
	EXPECT_EQ(0, m.elcr);
	EXPECT_EQ(0xf8, m.elcr_mask);
	EXPECT_EQ(0x40, m.last_irr);	/* the pin is still driven high */
	EXPECT_FALSE(hvmm_pic_has_interrupt(&self->pic));
}

/*
 * Lock order (platform.h): a device calls hvmm_pic_set_irq() holding its
 * own lock, and its acked() takes that lock.  With the callbacks under the
 * PIC lock the two threads deadlock; acked() waits at most a second for
 * the device lock and counts the times it could not get it.
 */
struct device_side {
	pthread_mutex_t lock;
	struct hvmm_pic pic;
	int acks;
	int stuck;
	bool stop;	/* accessed with __atomic builtins */
};

static void dev_acked(void *opaque, u32 irq)
{
	struct device_side *d = opaque;
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 1;
	if (pthread_mutex_timedlock(&d->lock, &deadline)) {
		d->stuck++;
		__atomic_store_n(&d->stop, true, __ATOMIC_RELAXED);
		return;
	}
	d->acks++;
	pthread_mutex_unlock(&d->lock);
}

static void *dev_thread(void *arg)
{
	struct device_side *d = arg;

	while (!__atomic_load_n(&d->stop, __ATOMIC_RELAXED)) {
		pthread_mutex_lock(&d->lock);
		hvmm_pic_set_irq(&d->pic, 0, 0);
		hvmm_pic_set_irq(&d->pic, 0, 1);
		pthread_mutex_unlock(&d->lock);
	}
	return NULL;
}

TEST(lock_order_device_then_pic)
{
	static struct device_side d;
	pthread_t t;
	int taken = 0;
	time_t start;

	pthread_mutex_init(&d.lock, NULL);
	hvmm_pic_init(&d.pic, NULL, dev_acked, &d);
	linux_init(&d.pic, true);
	ASSERT_EQ(0, pthread_create(&t, NULL, dev_thread, &d));
	/*
	 * Run until enough interrupts were taken, not for a fixed count of
	 * INTAs: on a loaded machine the device thread may not be scheduled
	 * for a long while.  Five seconds without one is a failure.
	 */
	start = time(NULL);
	while (taken < 20000 && time(NULL) - start < 5) {
		if (__atomic_load_n(&d.stop, __ATOMIC_RELAXED))
			break;
		taken += hvmm_pic_ack(&d.pic) == 0x20;
	}
	__atomic_store_n(&d.stop, true, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	EXPECT_EQ(0, d.stuck);
	EXPECT_EQ(taken, d.acks);
	EXPECT_LT(0, taken);
}

TEST_HARNESS_MAIN
