// SPDX-License-Identifier: GPL-2.0
/*
 * Save a running guest mid-way (KVM_GET_IRQCHIP master and slave,
 * KVM_GET_PIT2, registers, memory), restore it into a NEW VM, and check
 * that the guest carries on with the same device behaviour as the
 * original: the same interrupts pending and in service (8259A IRR/ISR/
 * IMR, Intel 8259A datasheet "Interrupt Sequence", "Fully Nested Mode"),
 * the same vector order when they are released, and a PIT that counts
 * and interrupts at the programmed rate (Intel 8254, "Mode 2").
 * The restore order is what QEMU does: memory, sregs, regs, irqchip,
 * PIT (Documentation/virt/kvm/api.rst, KVM_SET_IRQCHIP, KVM_SET_PIT2).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"
#include "irq_guest.h"

#define PIT_HZ	1193182u

struct snapshot {
	struct kvm_irqchip pic[2];
	struct kvm_pit_state2 pit;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	uint8_t mem[GUEST_MEM_SIZE];
};

FIXTURE(state) {
	struct ig_vm a, b;
	struct snapshot *snap;
	uint64_t khz;
};

FIXTURE_SETUP(state)
{
	self->a.vcpu.fd = self->b.vcpu.fd = -1;
	self->a.vm.vm_fd = self->b.vm.vm_fd = -1;
	self->a.vm.sys_fd = self->b.vm.sys_fd = -1;
	self->snap = calloc(1, sizeof(*self->snap));
	ASSERT_NE(NULL, self->snap);
	ASSERT_EQ(0, ig_create(&self->a, 1, 1)) TH_LOG("%s", self->a.err);
	self->khz = ig_tsc_khz(&self->a);
	ASSERT_LT(0, self->khz);
}

FIXTURE_TEARDOWN(state)
{
	ig_destroy(&self->a);
	ig_destroy(&self->b);
	free(self->snap);
}

static int save(struct ig_vm *g, struct snapshot *s)
{
	int i, err = ig_sync(g);

	if (err)
		return err;
	for (i = 0; i < 2; i++) {
		s->pic[i].chip_id = i;
		if (ioctl(g->vm.vm_fd, KVM_GET_IRQCHIP, &s->pic[i]))
			return -errno;
	}
	if (ioctl(g->vm.vm_fd, KVM_GET_PIT2, &s->pit) ||
	    ioctl(g->vcpu.fd, KVM_GET_REGS, &s->regs) ||
	    ioctl(g->vcpu.fd, KVM_GET_SREGS, &s->sregs))
		return -errno;
	memcpy(s->mem, g->vm.mem, GUEST_MEM_SIZE);
	return 0;
}

/* A fresh VM with irqchip and PIT, then everything from @s. */
static int restore(struct ig_vm *g, const struct snapshot *s)
{
	int i, err = ig_create(g, 1, 1);

	if (!err)
		err = ig_sync(g);
	if (err)
		return err;
	memcpy(g->vm.mem, s->mem, GUEST_MEM_SIZE);
	if (ioctl(g->vcpu.fd, KVM_SET_SREGS, &s->sregs) ||
	    ioctl(g->vcpu.fd, KVM_SET_REGS, &s->regs))
		return -errno;
	for (i = 0; i < 2; i++)
		if (ioctl(g->vm.vm_fd, KVM_SET_IRQCHIP, &s->pic[i]))
			return -errno;
	if (ioctl(g->vm.vm_fd, KVM_SET_PIT2, &s->pit))
		return -errno;
	return 0;
}

static int read_reg(struct ig_vm *g, uint16_t port, uint8_t ocw3)
{
	int err = ig_out(g, port, ocw3);

	return err ? err : ig_inb(g, port);
}

/*
 * What the guest does after the snapshot, on both VMs: specific EOI of
 * IR6 (releases IR7), non-specific EOI, then unmask the rest.  Writes
 * the vectors taken to @log and the IRR/ISR/IMR seen at the start to
 * @regs; returns the number of vectors or -errno.
 */
static int continue_guest(struct ig_vm *g, uint8_t *regs, uint8_t *log)
{
	static const struct { uint16_t port; uint8_t ocw3; } rd[] = {
		{ 0x20, 0x0a }, { 0x20, 0x0b }, { 0xa0, 0x0a }, { 0xa0, 0x0b },
	};
	unsigned int i;
	int v;

	for (i = 0; i < ARRAY_SIZE(rd); i++) {
		v = read_reg(g, rd[i].port, rd[i].ocw3);
		if (v < 0)
			return v;
		regs[i] = v;
	}
	v = ig_inb(g, 0x21);
	if (v < 0)
		return v;
	regs[4] = v;
	if (ig_out(g, 0x20, 0x66) ||
	    ig_cmd(g, IG_OP_WAIT_IRQS, 0, 0, 20000000, 2, 0) ||
	    ig_out(g, 0x20, 0x20) || ig_out(g, 0xa1, 0x00))
		return -EIO;
	*(uint8_t *)ig_mem(g, IG_EOI_MODE) = IG_EOI_NONSPEC;
	if (ig_out(g, 0x20, 0x20) || ig_out(g, 0x21, 0x01) ||
	    ig_cmd(g, IG_OP_WAIT_IRQS, 0, 0, 20000000, 5, 0))
		return -EIO;
	return ig_log(g, log, 16);
}

/*
 * The guest has taken IRQ6 (no EOI: in service), has IRQ3 and IRQ5
 * masked and pending, IRQ7 pending below IRQ6, IRQ9 pending on the
 * slave behind its mask, and the PIT ticking at 1 kHz on a masked IRQ0
 * (whether a masked IRQ0 reaches IRR is timing and, on KVM, reinject
 * policy: bit 0 of IRR is not compared).
 */
TEST_F(state, pic_and_pit_continue_in_new_vm)
{
	static const uint8_t want_regs[] = { 0xa8, 0x40, 0x02, 0x00, 0x29 };
	static const uint8_t want_log[] = { 0x26, 0x27, 0x29, 0x23, 0x25 };
	static const uint8_t pending[] = { 3, 5, 7, 9 };
	struct ig_vm *a = &self->a, *b = &self->b;
	struct snapshot *s = self->snap;
	struct kvm_irqchip chk;
	struct kvm_pit_state2 pchk;
	uint8_t regs_a[5], regs_b[5], log_a[16], log_b[16];
	int na, nb, i;

	ASSERT_EQ(0, ig_pic_init(a, 0x20, 0x28, 0x01, 0x29, 0xfa));
	*(uint8_t *)ig_mem(a, IG_EOI_MODE) = IG_EOI_NONE;
	ig_clear_log(a);
	ASSERT_EQ(0, ig_out(a, 0x43, 0x34));
	ASSERT_EQ(0, ig_out(a, 0x40, 1193 & 0xff));
	ASSERT_EQ(0, ig_out(a, 0x40, 1193 >> 8));
	ASSERT_EQ(0, ig_irq_pulse(a, 6));
	ASSERT_EQ(0, ig_cmd(a, IG_OP_WAIT_IRQS, 0, 0, 20000000, 1, 0));
	ASSERT_EQ(1, ig_nirq(a));
	for (i = 0; i < ARRAY_SIZE(pending); i++)
		ASSERT_EQ(0, ig_irq_pulse(a, pending[i]));
	/* 3 ms with IF=1: nothing masked or below IRQ6 may come */
	ASSERT_EQ(0, ig_cmd(a, IG_OP_SPIN_TSC, 0, 0, self->khz * 3, 0, 0));
	ASSERT_EQ(1, ig_nirq(a)) TH_LOG("second vector %#x",
					((uint8_t *)ig_mem(a, IG_LOG))[1]);

	ASSERT_EQ(0, save(a, s)) TH_LOG("%s", a->err);
	/* what the saved master says (struct kvm_pic_state) */
	EXPECT_EQ(0x20, s->pic[0].chip.pic.irq_base);
	EXPECT_EQ(0x28, s->pic[1].chip.pic.irq_base);
	EXPECT_EQ(0x29, s->pic[0].chip.pic.imr);
	EXPECT_EQ(0xfa, s->pic[1].chip.pic.imr);
	EXPECT_EQ(0x40, s->pic[0].chip.pic.isr);
	EXPECT_EQ(0xa8, s->pic[0].chip.pic.irr & 0xa8);
	EXPECT_EQ(0x02, s->pic[1].chip.pic.irr);
	EXPECT_EQ(0, s->pic[0].chip.pic.init_state);
	EXPECT_EQ(2, s->pit.channels[0].mode);
	EXPECT_EQ(1193, s->pit.channels[0].count);

	ASSERT_EQ(0, restore(b, s)) TH_LOG("%s", b->err);
	/* the new VM reports what was restored */
	for (i = 0; i < 2; i++) {
		memset(&chk, 0, sizeof(chk));
		chk.chip_id = i;
		ASSERT_EQ(0, ioctl(b->vm.vm_fd, KVM_GET_IRQCHIP, &chk));
		EXPECT_EQ(0, memcmp(&chk.chip.pic, &s->pic[i].chip.pic,
				    sizeof(chk.chip.pic)))
			TH_LOG("PIC %d differs after restore", i);
	}
	ASSERT_EQ(0, ioctl(b->vm.vm_fd, KVM_GET_PIT2, &pchk));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(s->pit.channels[i].count, pchk.channels[i].count);
		EXPECT_EQ(s->pit.channels[i].mode, pchk.channels[i].mode);
		EXPECT_EQ(s->pit.channels[i].rw_mode,
			  pchk.channels[i].rw_mode);
		EXPECT_EQ(s->pit.channels[i].gate, pchk.channels[i].gate);
	}

	na = continue_guest(a, regs_a, log_a);
	nb = continue_guest(b, regs_b, log_b);
	ASSERT_EQ(5, na) TH_LOG("%s", a->err);
	ASSERT_EQ(5, nb) TH_LOG("%s", b->err);
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(want_regs[i], regs_a[i] & want_regs[i])
			TH_LOG("original, register %d: %#x", i, regs_a[i]);
		/* IRR bit 0 follows the PIT's clock, not the snapshot */
		EXPECT_EQ(regs_a[i] & ~(i ? 0 : 1), regs_b[i] & ~(i ? 0 : 1))
			TH_LOG("register %d", i);
		EXPECT_EQ(want_log[i], log_a[i]) TH_LOG("original #%d", i);
		EXPECT_EQ(log_a[i], log_b[i]) TH_LOG("vector #%d", i);
	}
}

/*
 * After restore the PIT keeps its programming: 1 kHz IRQ0 once unmasked,
 * the same read-back status as the original, and latched counts that
 * fall at 1.193182 MHz.
 */
TEST_F(state, pit_rate_after_restore)
{
	struct ig_vm *a = &self->a, *b = &self->b;
	struct snapshot *s = self->snap;
	struct ig_vm *vms[2] = { a, b };
	int st[2], i;
	uint64_t last;
	double hz;

	ASSERT_EQ(0, ig_pic_init(a, 0x20, 0x28, 0x01, 0xff, 0xff));
	ASSERT_EQ(0, ig_out(a, 0x43, 0x34));
	ASSERT_EQ(0, ig_out(a, 0x40, 1193 & 0xff));
	ASSERT_EQ(0, ig_out(a, 0x40, 1193 >> 8));
	ASSERT_EQ(0, ig_cmd(a, IG_OP_SPIN_TSC, 0, 0, self->khz * 2, 0, 0));
	ASSERT_EQ(0, save(a, s)) TH_LOG("%s", a->err);
	ASSERT_EQ(0, restore(b, s)) TH_LOG("%s", b->err);
	for (i = 0; i < 2; i++) {
		struct ig_vm *g = vms[i];

		ASSERT_EQ(0, ig_out(g, 0x43, 0xe2));
		st[i] = ig_inb(g, 0x40);
		ASSERT_LE(0, st[i]);
		*(uint8_t *)ig_mem(g, IG_EOI_MODE) = IG_EOI_NONSPEC;
		ig_clear_log(g);
		ASSERT_EQ(0, ig_out(g, 0x21, 0xfe));
		/* 101 IRQ0s: the first may be one latched before */
		ASSERT_EQ(0, ig_cmd(g, IG_OP_WAIT_IRQS, 0, 0,
				    self->khz * 400, 101, 0));
		ASSERT_EQ(101, ig_nirq(g));
		memcpy(&last, ig_mem(g, IG_LAST_TSC), 8);
		hz = 100 * self->khz * 1000.0 /
			(double)(uint32_t)((uint32_t)last -
			*(uint32_t *)ig_mem(g, IG_TSCLOG));
		TH_LOG("%s: %.1f Hz", i ? "restored" : "original", hz);
		EXPECT_LT(abs((int)hz - 1000), 40);
	}
	EXPECT_EQ(st[0] & 0x3f, st[1] & 0x3f);
	EXPECT_EQ(0x34, st[1] & 0x3f);
}

/* KVM_GET_PIT2 with the clock readings left out, for comparisons. */
static int get_pit(struct ig_vm *g, struct kvm_pit_state2 *st)
{
	int i;

	memset(st, 0, sizeof(*st));
	if (ioctl(g->vm.vm_fd, KVM_GET_PIT2, st))
		return -errno;
	for (i = 0; i < 3; i++)
		st->channels[i].count_load_time = 0;
	return 0;
}

/*
 * Restoring garbage: an unknown chip_id is -EINVAL on both (KVM:
 * kvm_arch_vm_ioctl()).  States no 8259A or 8254 can be in are refused
 * with -EINVAL by hvmm and leave the device as it was; KVM copies any
 * kvm_pic_state and kvm_pit_state2 in unchecked (kvm_vm_ioctl_set_irqchip(),
 * kvm_vm_ioctl_set_pit2()), so there they are only logged.  Either way a
 * re-initialised guest still works afterwards.
 */
TEST_F(state, bad_states)
{
	struct ig_vm *a = &self->a;
	bool hvmm = strstr(dev_path(), "hvmm");
	struct kvm_irqchip chip, before_chip, after_chip;
	struct kvm_pit_state2 pit, before, after;
	int i, r;

	memset(&chip, 0, sizeof(chip));
	chip.chip_id = 7;
	errno = 0;
	EXPECT_EQ(-1, ioctl(a->vm.vm_fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(a->vm.vm_fd, KVM_SET_IRQCHIP, &chip));
	EXPECT_EQ(EINVAL, errno);
	for (i = 0; i < 2; i++) {
		memset(&before_chip, 0, sizeof(before_chip));
		before_chip.chip_id = i;
		ASSERT_EQ(0, ioctl(a->vm.vm_fd, KVM_GET_IRQCHIP, &before_chip));
		memset(&chip, 0xff, sizeof(chip));
		chip.chip_id = i;
		errno = 0;
		r = ioctl(a->vm.vm_fd, KVM_SET_IRQCHIP, &chip);
		TH_LOG("SET_IRQCHIP(%d) of all-ones: %d", i, r ? -errno : 0);
		if (!hvmm)
			continue;
		EXPECT_EQ(-1, r);
		EXPECT_EQ(EINVAL, errno);
		after_chip = before_chip;
		ASSERT_EQ(0, ioctl(a->vm.vm_fd, KVM_GET_IRQCHIP, &after_chip));
		EXPECT_EQ(0, memcmp(&before_chip, &after_chip,
				    sizeof(after_chip)))
			TH_LOG("PIC %d changed by a refused state", i);
	}

	ASSERT_EQ(0, get_pit(a, &before));
	memset(&pit, 0xff, sizeof(pit));
	pit.flags = 0;
	errno = 0;
	r = ioctl(a->vm.vm_fd, KVM_SET_PIT2, &pit);
	TH_LOG("SET_PIT2 of all-ones: %d", r ? -errno : 0);
	if (hvmm) {
		EXPECT_EQ(-1, r);
		EXPECT_EQ(EINVAL, errno);
		/* one bad field in a good state: a mode the 8254 lacks */
		pit = before;
		pit.channels[0].mode = 6;
		errno = 0;
		EXPECT_EQ(-1, ioctl(a->vm.vm_fd, KVM_SET_PIT2, &pit));
		EXPECT_EQ(EINVAL, errno);
		pit = before;
		pit.channels[1].count = 65537;
		errno = 0;
		EXPECT_EQ(-1, ioctl(a->vm.vm_fd, KVM_SET_PIT2, &pit));
		EXPECT_EQ(EINVAL, errno);
		ASSERT_EQ(0, get_pit(a, &after));
		EXPECT_EQ(0, memcmp(&before, &after, sizeof(after)))
			TH_LOG("PIT changed by a refused state");
	}

	/* whatever was accepted, a re-initialised guest still works */
	ASSERT_EQ(0, ig_sync(a));
	ASSERT_EQ(0, ig_cmd(a, IG_OP_OUT, 1, 0x4d0, 0, 0, 0));
	ASSERT_EQ(0, ig_cmd(a, IG_OP_OUT, 1, 0x4d1, 0, 0, 0));
	ASSERT_EQ(0, ig_pic_init(a, 0x20, 0x28, 0x01, 0xf7, 0xff));
	ASSERT_EQ(0, ig_out(a, 0x43, 0x30));
	*(uint8_t *)ig_mem(a, IG_EOI_MODE) = IG_EOI_NONSPEC;
	ig_clear_log(a);
	ASSERT_EQ(0, ig_irq_pulse(a, 3));
	ASSERT_EQ(0, ig_cmd(a, IG_OP_WAIT_IRQS, 0, 0, 20000000, 1, 0));
	EXPECT_EQ(1, ig_count(a, 0x23));
}

/*
 * What KVM_GET_PIT2 gives on KVM restores everywhere.  A fresh PIT
 * (kvm_pit_reset(), arch/x86/kvm/i8254.c) reads back with every counter
 * in mode 0xff (no control word yet: the 8254 datasheet leaves power-up
 * undefined), RW mode and states 0, count 0 loaded as 65536
 * (pit_load_count(): "the largest possible initial count is 0"), GATE 2
 * low and reserved[] zero; hvmm must match it field by field (the clock
 * readings in count_load_time aside) and take it back.  Then KVM's way
 * of writing "count 0" into a state (as KVM_SET_PIT2 loads it) gives a
 * mode 2 counter 0 at 18.2 Hz on both.
 */
TEST_F(state, kvm_pit_states_restore)
{
	struct ig_vm *a = &self->a;
	struct kvm_pit_state2 st, chk;
	struct kvm_pit_channel_state *c = st.channels;
	int i;

	ASSERT_EQ(0, get_pit(a, &st));
	EXPECT_EQ(0, st.flags);
	for (i = 0; i < 9; i++)
		EXPECT_EQ(0, st.reserved[i]) TH_LOG("reserved[%d]", i);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(65536, c[i].count) TH_LOG("channel %d", i);
		EXPECT_EQ(0xff, c[i].mode) TH_LOG("channel %d", i);
		EXPECT_EQ(0, c[i].rw_mode) TH_LOG("channel %d", i);
		EXPECT_EQ(0, c[i].read_state) TH_LOG("channel %d", i);
		EXPECT_EQ(0, c[i].write_state) TH_LOG("channel %d", i);
		EXPECT_EQ(0, c[i].write_latch);
		EXPECT_EQ(0, c[i].latched_count);
		EXPECT_EQ(0, c[i].count_latched);
		EXPECT_EQ(0, c[i].status_latched);
		EXPECT_EQ(0, c[i].status);
		EXPECT_EQ(0, c[i].bcd);
		EXPECT_EQ(i != 2, c[i].gate) TH_LOG("channel %d", i);
	}
	ASSERT_EQ(0, ioctl(a->vm.vm_fd, KVM_SET_PIT2, &st))
		TH_LOG("a fresh PIT's own state refused: %d", -errno);
	ASSERT_EQ(0, get_pit(a, &chk));
	EXPECT_EQ(0, memcmp(&st, &chk, sizeof(chk)));

	/* counter 0 in mode 2, LSB then MSB, count 0; the rest unchanged */
	c[0].mode = 2;
	c[0].rw_mode = 3;
	c[0].read_state = 3;
	c[0].write_state = 3;
	c[0].count = 0;
	ASSERT_EQ(0, ioctl(a->vm.vm_fd, KVM_SET_PIT2, &st))
		TH_LOG("count 0 refused: %d", -errno);
	ASSERT_EQ(0, get_pit(a, &chk));
	EXPECT_EQ(65536, chk.channels[0].count);
	EXPECT_EQ(2, chk.channels[0].mode);
	EXPECT_EQ(0xff, chk.channels[1].mode);
	ASSERT_EQ(0, ig_pic_init(a, 0x20, 0x28, 0x01, 0xfe, 0xff));
	*(uint8_t *)ig_mem(a, IG_EOI_MODE) = IG_EOI_NONSPEC;
	ig_clear_log(a);
	/* 3 IRQ0s at 54.9 ms each come within 250 ms */
	ASSERT_EQ(0, ig_cmd(a, IG_OP_WAIT_IRQS, 0, 0, self->khz * 250, 3, 0));
	EXPECT_EQ(3, ig_nirq(a));
}

/* Skip the whole program, not each test, where no VM can be created. */
int main(int argc, char **argv)
{
	require_vm("device_state_test");
	return test_harness_run(argc, argv);
}
