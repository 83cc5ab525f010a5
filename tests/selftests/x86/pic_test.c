// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel 8259A pair, seen from a real-mode guest: the guest
 * programs the PICs with Linux's init sequence (and variants), the host
 * raises IRQ lines with KVM_IRQ_LINE, and the guest's IVT stubs log the
 * vectors they take.  Checks follow the Intel 8259A datasheet
 * (order no. 231468): "Initialization Command Words" (ICW1-4),
 * "Operation Command Words" (OCW1 mask, OCW2 EOI, OCW3 register read),
 * "Fully Nested Mode" (IR0 highest, nesting of higher levels only),
 * "Specific Rotation" (OCW2 set priority), "Special Mask Mode",
 * "Automatic End of Interrupt (AEOI) Mode", "Cascading" (slave INT on
 * master IR2), "Interrupt Sequence" (IRR latched while masked).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"
#include "irq_guest.h"

#define OCW3_READ_IRR	0x0a
#define OCW3_READ_ISR	0x0b
#define OCW2_EOI	0x20
#define OCW2_SEOI(l)	(0x60 | (l))
#define WAIT_CYCLES	20000000u	/* TSC cycles a guest waits for IRQs */

FIXTURE(pic) {
	struct ig_vm g;
};

FIXTURE_SETUP(pic)
{
	ASSERT_EQ(0, ig_create(&self->g, 1, 0))
		TH_LOG("%s", self->g.err);
}

FIXTURE_TEARDOWN(pic)
{
	ig_destroy(&self->g);
}

/* Read IRR or ISR of the PIC at @port through OCW3 (8259A, OCW3). */
static int read_reg(struct ig_vm *g, uint16_t port, uint8_t ocw3)
{
	int err = ig_out(g, port, ocw3);

	return err ? err : ig_inb(g, port);
}

/* Let the guest take interrupts until @n arrived (or WAIT_CYCLES). */
static int wait_irqs(struct ig_vm *g, uint32_t n)
{
	return ig_cmd(g, IG_OP_WAIT_IRQS, 0, 0, WAIT_CYCLES, n, 0);
}

static void set_eoi_mode(struct ig_vm *g, uint8_t mode)
{
	*(uint8_t *)ig_mem(g, IG_EOI_MODE) = mode;
}

/*
 * Linux's init_8259A(): all lines masked, four edges latched in IRR
 * (IRR is set whatever the mask, "Interrupt Sequence"), then one unmask:
 * the guest must take them by priority, IR0 highest ("Fully Nested
 * Mode"), the slave's IR2 (IRQ10) at the master's IR2 slot.
 */
TEST_F(pic, linux_init_priority_and_cascade)
{
	static const uint8_t want[] = { 0x21, 0x2a, 0x23, 0x25 };
	static const uint8_t irqs[] = { 5, 10, 3, 1 };
	struct ig_vm *g = &self->g;
	uint8_t log[16];
	unsigned int i, n;

	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0xff, 0xff))
		TH_LOG("%s", g->err);
	set_eoi_mode(g, IG_EOI_NONSPEC);
	ig_clear_log(g);
	for (i = 0; i < sizeof(irqs); i++)
		ASSERT_EQ(0, ig_irq_pulse(g, irqs[i])) TH_LOG("%s", g->err);
	/* masked: nothing may come */
	ASSERT_EQ(0, ig_cmd(g, IG_OP_SPIN_TSC, 0, 0, WAIT_CYCLES / 4, 0, 0));
	EXPECT_EQ(0, ig_nirq(g));
	/* IMR reads back through port 1 (OCW1) */
	EXPECT_EQ(0xff, ig_inb(g, 0x21));
	EXPECT_EQ(0xff, ig_inb(g, 0xa1));
	/*
	 * IRR: master IR1, IR3, IR5; slave IR2.  The slave's IMR keeps its
	 * INT output low, so the master's IR2 is not requested yet.
	 */
	EXPECT_EQ(0x2a, read_reg(g, 0x20, OCW3_READ_IRR));
	EXPECT_EQ(0x04, read_reg(g, 0xa0, OCW3_READ_IRR));
	ASSERT_EQ(0, ig_out(g, 0xa1, 0x00));
	ASSERT_EQ(0, ig_out(g, 0x21, 0x00));
	ASSERT_EQ(0, wait_irqs(g, 4)) TH_LOG("%s", g->err);
	n = ig_log(g, log, sizeof(log));
	ASSERT_EQ(4, n);
	for (i = 0; i < n; i++)
		EXPECT_EQ(want[i], log[i]) TH_LOG("vector #%u", i);
	/* nothing left in service or requested */
	EXPECT_EQ(0, read_reg(g, 0x20, OCW3_READ_ISR));
	EXPECT_EQ(0, read_reg(g, 0xa0, OCW3_READ_ISR));
	EXPECT_EQ(0, read_reg(g, 0x20, OCW3_READ_IRR));
}

/* OCW1: a masked line stays in IRR and comes when unmasked. */
TEST_F(pic, mask_unmask)
{
	struct ig_vm *g = &self->g;
	uint8_t log[4];

	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0x10, 0xff))
		TH_LOG("%s", g->err);
	set_eoi_mode(g, IG_EOI_NONSPEC);
	ig_clear_log(g);
	ASSERT_EQ(0, ig_irq_pulse(g, 4));
	ASSERT_EQ(0, ig_cmd(g, IG_OP_SPIN_TSC, 0, 0, WAIT_CYCLES / 4, 0, 0));
	EXPECT_EQ(0, ig_nirq(g));
	EXPECT_EQ(0x10, ig_inb(g, 0x21));
	EXPECT_EQ(0x10, read_reg(g, 0x20, OCW3_READ_IRR));
	/* an unmasked line next to it is taken at once */
	ASSERT_EQ(0, ig_irq_pulse(g, 6));
	ASSERT_EQ(0, wait_irqs(g, 1));
	ASSERT_EQ(1, ig_log(g, log, sizeof(log)));
	EXPECT_EQ(0x26, log[0]);
	ASSERT_EQ(0, ig_out(g, 0x21, 0x00));
	ASSERT_EQ(0, wait_irqs(g, 2));
	ASSERT_EQ(2, ig_log(g, log, sizeof(log)));
	EXPECT_EQ(0x24, log[1]);
	/* a slave line masked on the slave: nothing through the cascade */
	ASSERT_EQ(0, ig_irq_pulse(g, 12));
	ASSERT_EQ(0, ig_cmd(g, IG_OP_SPIN_TSC, 0, 0, WAIT_CYCLES / 4, 0, 0));
	EXPECT_EQ(2, ig_nirq(g));
	ASSERT_EQ(0, ig_out(g, 0xa1, 0xef));
	ASSERT_EQ(0, wait_irqs(g, 3));
	ASSERT_EQ(3, ig_log(g, log, sizeof(log)));
	EXPECT_EQ(0x2c, log[2]);
}

/*
 * Without EOI the ISR bit stays set: only higher levels nest, lower
 * ones wait for a specific EOI of the level in service, a non-specific
 * EOI clears the highest ISR bit ("Fully Nested Mode", OCW2).
 */
TEST_F(pic, nesting_and_specific_eoi)
{
	struct ig_vm *g = &self->g;
	uint8_t log[8];

	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0x00, 0x00))
		TH_LOG("%s", g->err);
	set_eoi_mode(g, IG_EOI_NONE);
	ig_clear_log(g);
	ASSERT_EQ(0, ig_irq_pulse(g, 6));
	ASSERT_EQ(0, wait_irqs(g, 1));
	ASSERT_EQ(1, ig_nirq(g));
	EXPECT_EQ(0x40, read_reg(g, 0x20, OCW3_READ_ISR));
	/* IR4 outranks IR6 in service: it nests */
	ASSERT_EQ(0, ig_irq_pulse(g, 4));
	ASSERT_EQ(0, wait_irqs(g, 2));
	ASSERT_EQ(2, ig_nirq(g));
	EXPECT_EQ(0x50, read_reg(g, 0x20, OCW3_READ_ISR));
	/* IR7 is below IR6: it waits */
	ASSERT_EQ(0, ig_irq_pulse(g, 7));
	ASSERT_EQ(0, ig_cmd(g, IG_OP_SPIN_TSC, 0, 0, WAIT_CYCLES / 4, 0, 0));
	EXPECT_EQ(2, ig_nirq(g));
	EXPECT_EQ(0x80, read_reg(g, 0x20, OCW3_READ_IRR));
	/* specific EOI of level 4 leaves 6 in service: 7 still waits */
	ASSERT_EQ(0, ig_out(g, 0x20, OCW2_SEOI(4)));
	EXPECT_EQ(0x40, read_reg(g, 0x20, OCW3_READ_ISR));
	ASSERT_EQ(0, ig_cmd(g, IG_OP_SPIN_TSC, 0, 0, WAIT_CYCLES / 4, 0, 0));
	EXPECT_EQ(2, ig_nirq(g));
	ASSERT_EQ(0, ig_out(g, 0x20, OCW2_SEOI(6)));
	ASSERT_EQ(0, wait_irqs(g, 3));
	ASSERT_EQ(3, ig_log(g, log, sizeof(log)));
	EXPECT_EQ(0x26, log[0]);
	EXPECT_EQ(0x24, log[1]);
	EXPECT_EQ(0x27, log[2]);
	EXPECT_EQ(0x80, read_reg(g, 0x20, OCW3_READ_ISR));
	ASSERT_EQ(0, ig_out(g, 0x20, OCW2_EOI));
	EXPECT_EQ(0x00, read_reg(g, 0x20, OCW3_READ_ISR));

	/*
	 * Cascade: a slave interrupt sets IR2 on the master and its own IR
	 * on the slave; both need an EOI ("Cascade Mode").
	 */
	ASSERT_EQ(0, ig_irq_pulse(g, 11));
	ASSERT_EQ(0, wait_irqs(g, 4));
	ASSERT_EQ(4, ig_log(g, log, sizeof(log)));
	EXPECT_EQ(0x2b, log[3]);
	EXPECT_EQ(0x04, read_reg(g, 0x20, OCW3_READ_ISR));
	EXPECT_EQ(0x08, read_reg(g, 0xa0, OCW3_READ_ISR));
	ASSERT_EQ(0, ig_out(g, 0xa0, OCW2_EOI));
	ASSERT_EQ(0, ig_out(g, 0x20, OCW2_EOI));
	EXPECT_EQ(0x00, read_reg(g, 0x20, OCW3_READ_ISR));
	EXPECT_EQ(0x00, read_reg(g, 0xa0, OCW3_READ_ISR));
}

/* ICW4 bit 1 (AEOI): the ISR bit is cleared at the INTA sequence. */
TEST_F(pic, auto_eoi)
{
	struct ig_vm *g = &self->g;
	uint8_t log[4];

	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x03, 0xff, 0xff))
		TH_LOG("%s", g->err);
	set_eoi_mode(g, IG_EOI_NONE);
	ig_clear_log(g);
	ASSERT_EQ(0, ig_irq_pulse(g, 5));
	ASSERT_EQ(0, ig_irq_pulse(g, 3));
	ASSERT_EQ(0, ig_out(g, 0x21, 0x00));
	ASSERT_EQ(0, wait_irqs(g, 2));
	/* 3 first; 5 then comes without any EOI from the guest */
	ASSERT_EQ(2, ig_log(g, log, sizeof(log)));
	EXPECT_EQ(0x23, log[0]);
	EXPECT_EQ(0x25, log[1]);
	EXPECT_EQ(0, read_reg(g, 0x20, OCW3_READ_ISR));
	ASSERT_EQ(0, ig_irq_pulse(g, 5));
	ASSERT_EQ(0, wait_irqs(g, 3));
	EXPECT_EQ(3, ig_nirq(g));
}

/* ICW2 0x30/0x38 (another base): IRQ0 -> 0x30, IRQ8 -> 0x38. */
TEST_F(pic, other_vector_base)
{
	struct ig_vm *g = &self->g;
	uint8_t log[4];

	ASSERT_EQ(0, ig_pic_init(g, 0x30, 0x38, 0x01, 0xff, 0xff))
		TH_LOG("%s", g->err);
	set_eoi_mode(g, IG_EOI_NONSPEC);
	ig_clear_log(g);
	ASSERT_EQ(0, ig_irq_pulse(g, 8));
	ASSERT_EQ(0, ig_irq_pulse(g, 0));
	ASSERT_EQ(0, ig_out(g, 0xa1, 0x00));
	ASSERT_EQ(0, ig_out(g, 0x21, 0x00));
	ASSERT_EQ(0, wait_irqs(g, 2));
	ASSERT_EQ(2, ig_log(g, log, sizeof(log)));
	EXPECT_EQ(0x30, log[0]);
	EXPECT_EQ(0x38, log[1]);
}

/*
 * An ICW sequence cut short: ICW1 starts initialization whatever came
 * before ("Initialization Command Words": "Whenever a command is issued
 * with A0=0 and D4=1, this is interpreted as ICW1"), so a later full
 * sequence must win, and the mask left behind must be the new one.
 */
TEST_F(pic, icw_sequence_cut_short)
{
	struct ig_vm *g = &self->g;
	uint8_t log[4];

	/* master: ICW1, ICW2 and then nothing; slave: ICW1 only */
	ASSERT_EQ(0, ig_out(g, 0x20, 0x11));
	ASSERT_EQ(0, ig_out(g, 0x21, 0x70));
	ASSERT_EQ(0, ig_out(g, 0xa0, 0x11));
	/* the guest goes on, even reading the half-programmed PICs */
	EXPECT_LE(0, ig_inb(g, 0x20));
	EXPECT_LE(0, ig_inb(g, 0x21));
	EXPECT_LE(0, ig_inb(g, 0xa1));
	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0xf7, 0xff))
		TH_LOG("%s", g->err);
	EXPECT_EQ(0xf7, ig_inb(g, 0x21));
	EXPECT_EQ(0xff, ig_inb(g, 0xa1));
	set_eoi_mode(g, IG_EOI_NONSPEC);
	ig_clear_log(g);
	ASSERT_EQ(0, ig_irq_pulse(g, 3));
	ASSERT_EQ(0, wait_irqs(g, 1));
	ASSERT_EQ(1, ig_log(g, log, sizeof(log)));
	EXPECT_EQ(0x23, log[0]);
}

/* ICW1 clears the IMR ("Initialization Command Words", ICW1 effects). */
TEST_F(pic, icw1_clears_imr)
{
	struct ig_vm *g = &self->g;

	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0xa5, 0x5a))
		TH_LOG("%s", g->err);
	EXPECT_EQ(0xa5, ig_inb(g, 0x21));
	EXPECT_EQ(0x5a, ig_inb(g, 0xa1));
	ASSERT_EQ(0, ig_out(g, 0x20, 0x11));
	ASSERT_EQ(0, ig_out(g, 0x21, 0x20));
	ASSERT_EQ(0, ig_out(g, 0x21, 0x04));
	ASSERT_EQ(0, ig_out(g, 0x21, 0x01));
	EXPECT_EQ(0x00, ig_inb(g, 0x21));
}

/*
 * OCW2 "set priority command" (R=1, SL=1, L=3): IR3 becomes the lowest
 * level and IR4 the highest ("Specific Rotation"), so IR5 goes before
 * IR1.
 */
TEST_F(pic, specific_rotation)
{
	struct ig_vm *g = &self->g;
	uint8_t log[4];

	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0xff, 0xff))
		TH_LOG("%s", g->err);
	set_eoi_mode(g, IG_EOI_NONE);
	ig_clear_log(g);
	ASSERT_EQ(0, ig_out(g, 0x20, 0xc3));
	ASSERT_EQ(0, ig_irq_pulse(g, 1));
	ASSERT_EQ(0, ig_irq_pulse(g, 5));
	ASSERT_EQ(0, ig_out(g, 0x21, 0xdd));
	ASSERT_EQ(0, wait_irqs(g, 1));
	/* IR5 in service outranks IR1 now: IR1 must wait for its EOI */
	ASSERT_EQ(0, ig_cmd(g, IG_OP_SPIN_TSC, 0, 0, WAIT_CYCLES / 4, 0, 0));
	ASSERT_EQ(1, ig_log(g, log, sizeof(log)));
	EXPECT_EQ(0x25, log[0]);
	ASSERT_EQ(0, ig_out(g, 0x20, OCW2_SEOI(5)));
	ASSERT_EQ(0, wait_irqs(g, 2));
	ASSERT_EQ(2, ig_log(g, log, sizeof(log)));
	EXPECT_EQ(0x21, log[1]);
	ASSERT_EQ(0, ig_out(g, 0x20, OCW2_SEOI(1)));
	EXPECT_EQ(0, read_reg(g, 0x20, OCW3_READ_ISR));
}

/*
 * Special mask mode (OCW3 ESMM=1 SMM=1): a level masked while in
 * service no longer blocks lower levels ("Special Mask Mode").
 */
TEST_F(pic, special_mask_mode)
{
	struct ig_vm *g = &self->g;
	uint8_t log[4];

	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0x00, 0xff))
		TH_LOG("%s", g->err);
	set_eoi_mode(g, IG_EOI_NONE);
	ig_clear_log(g);
	ASSERT_EQ(0, ig_irq_pulse(g, 6));
	ASSERT_EQ(0, wait_irqs(g, 1));
	ASSERT_EQ(0, ig_irq_pulse(g, 7));
	ASSERT_EQ(0, ig_cmd(g, IG_OP_SPIN_TSC, 0, 0, WAIT_CYCLES / 4, 0, 0));
	EXPECT_EQ(1, ig_nirq(g));
	ASSERT_EQ(0, ig_out(g, 0x20, 0x68));
	ASSERT_EQ(0, ig_out(g, 0x21, 0x40));
	if (!strstr(dev_path(), "hvmm")) {
		/* KVM keeps the SMM bit but its priority logic ignores it */
		TH_LOG("%s: special mask mode not checked (not hvmm)",
		       dev_path());
		return;
	}
	ASSERT_EQ(0, wait_irqs(g, 2));
	ASSERT_EQ(2, ig_log(g, log, sizeof(log)));
	EXPECT_EQ(0x26, log[0]);
	EXPECT_EQ(0x27, log[1]);
	EXPECT_EQ(0xc0, read_reg(g, 0x20, OCW3_READ_ISR));
	ASSERT_EQ(0, ig_out(g, 0x20, 0x48));
	ASSERT_EQ(0, ig_out(g, 0x20, OCW2_SEOI(7)));
	ASSERT_EQ(0, ig_out(g, 0x20, OCW2_SEOI(6)));
	EXPECT_EQ(0, read_reg(g, 0x20, OCW3_READ_ISR));
}

/* Skip the whole program, not each test, where no VM can be created. */
int main(int argc, char **argv)
{
	require_vm("pic_test");
	return test_harness_run(argc, argv);
}
