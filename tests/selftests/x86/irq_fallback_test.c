// SPDX-License-Identifier: GPL-2.0
/*
 * Without KVM_CREATE_IRQCHIP / KVM_CREATE_PIT2 / HVMM_CREATE_I8042 the
 * same guest port accesses must come out to the KVM_RUN caller as
 * KVM_EXIT_IO, in order, with their port, width and data
 * (Documentation/virt/kvm/api.rst, "KVM_EXIT_IO"; "KVM_CREATE_IRQCHIP":
 * the in-kernel PIC exists only after it).  Each device is taken away
 * on its own: no irqchip (PIC ports exit), irqchip without PIT (PIT and
 * port 0x61 exit, PIC ports do not), and no i8042 (0x60/0x64 exit).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"
#include "irq_guest.h"

#define MAX_IO 64

struct io_rec {
	uint8_t dir;
	uint8_t size;
	uint16_t port;
	uint32_t val;
};

struct io_log {
	struct io_rec rec[MAX_IO];
	unsigned int n;
	uint32_t answer;	/* what IN exits read */
};

static int record_io(struct test_vcpu *vcpu, void *opaque)
{
	struct io_log *l = opaque;
	struct kvm_run *run = vcpu->run;
	struct io_rec *r;

	if (run->io.count != 1 || run->io.size > 4 ||
	    run->io.data_offset + run->io.size > vcpu->run_size)
		return -EPROTO;
	if (l->n >= MAX_IO)
		return -ENOSPC;
	r = &l->rec[l->n++];
	r->dir = run->io.direction;
	r->size = run->io.size;
	r->port = run->io.port;
	r->val = 0;
	if (r->dir == KVM_EXIT_IO_OUT)
		memcpy(&r->val, io_data(vcpu), r->size);
	else
		memcpy(io_data(vcpu), &l->answer, r->size);
	return 0;
}

FIXTURE(fb) {
	struct ig_vm g;
	struct io_log log;
};

FIXTURE_SETUP(fb)
{
	memset(&self->log, 0, sizeof(self->log));
}

FIXTURE_TEARDOWN(fb)
{
	ig_destroy(&self->g);
}

static void start(struct __test_metadata *_metadata, struct ig_vm *g,
		  struct io_log *log, int irqchip, int pit)
{
	ASSERT_EQ(0, ig_create(g, irqchip, pit)) TH_LOG("%s", g->err);
	g->io_fn = record_io;
	g->io_opaque = log;
}

static void expect_rec(struct __test_metadata *_metadata,
		       const struct io_rec *r, uint8_t dir, uint16_t port,
		       uint8_t size, uint32_t val)
{
	EXPECT_EQ(dir, r->dir) TH_LOG("port %#x", port);
	EXPECT_EQ(port, r->port);
	EXPECT_EQ(size, r->size) TH_LOG("port %#x", port);
	if (dir == KVM_EXIT_IO_OUT)
		EXPECT_EQ(val, r->val) TH_LOG("port %#x", port);
}

/* No irqchip: Linux's PIC init and an IMR read all reach userspace. */
TEST_F(fb, no_irqchip_pic_ports_exit)
{
	static const struct io_rec want[] = {
		{ KVM_EXIT_IO_OUT, 1, 0x20, 0x11 },
		{ KVM_EXIT_IO_OUT, 1, 0x21, 0x20 },
		{ KVM_EXIT_IO_OUT, 1, 0x21, 0x04 },
		{ KVM_EXIT_IO_OUT, 1, 0x21, 0x01 },
		{ KVM_EXIT_IO_OUT, 1, 0xa0, 0x11 },
		{ KVM_EXIT_IO_OUT, 1, 0xa1, 0x28 },
		{ KVM_EXIT_IO_OUT, 1, 0xa1, 0x02 },
		{ KVM_EXIT_IO_OUT, 1, 0xa1, 0x01 },
		{ KVM_EXIT_IO_OUT, 1, 0x21, 0xfb },
		{ KVM_EXIT_IO_OUT, 1, 0xa1, 0xff },
	};
	struct kvm_irq_level irq = { .irq = 1, .level = 1 };
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_PIC_MASTER };
	struct ig_vm *g = &self->g;
	unsigned int i;

	start(_metadata, g, &self->log, 0, 0);
	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0xfb, 0xff))
		TH_LOG("%s", g->err);
	ASSERT_EQ(ARRAY_SIZE(want), self->log.n);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		expect_rec(_metadata, &self->log.rec[i], want[i].dir,
			   want[i].port, want[i].size, want[i].val);
	/* the guest reads what userspace answers */
	self->log.answer = 0x5a;
	EXPECT_EQ(0x5a, ig_inb(g, 0x21));
	ASSERT_EQ(ARRAY_SIZE(want) + 1, self->log.n);
	expect_rec(_metadata, &self->log.rec[ARRAY_SIZE(want)],
		   KVM_EXIT_IO_IN, 0x21, 1, 0);
	/* and the irqchip ioctls have nothing to work on */
	EXPECT_NE(0, ioctl(g->vm.vm_fd, KVM_IRQ_LINE, &irq));
	EXPECT_NE(0, ioctl(g->vm.vm_fd, KVM_GET_IRQCHIP, &chip));
}

/* Irqchip but no PIT: 0x40-0x43 and 0x61 exit, the PIC does not. */
TEST_F(fb, irqchip_without_pit_timer_ports_exit)
{
	struct ig_vm *g = &self->g;

	start(_metadata, g, &self->log, 1, 0);
	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0xfb, 0xff));
	EXPECT_EQ(0xfb, ig_inb(g, 0x21));
	ASSERT_EQ(0, self->log.n);
	ASSERT_EQ(0, ig_out(g, 0x43, 0x34));
	ASSERT_EQ(0, ig_out(g, 0x40, 0x9c));
	ASSERT_EQ(0, ig_out(g, 0x40, 0x2e));
	self->log.answer = 0xa5;
	EXPECT_EQ(0xa5, ig_inb(g, 0x40));
	ASSERT_EQ(0, ig_out(g, 0x61, 0x01));
	EXPECT_EQ(0xa5, ig_inb(g, 0x61));
	ASSERT_EQ(6, self->log.n);
	expect_rec(_metadata, &self->log.rec[0], KVM_EXIT_IO_OUT, 0x43, 1, 0x34);
	expect_rec(_metadata, &self->log.rec[1], KVM_EXIT_IO_OUT, 0x40, 1, 0x9c);
	expect_rec(_metadata, &self->log.rec[2], KVM_EXIT_IO_OUT, 0x40, 1, 0x2e);
	expect_rec(_metadata, &self->log.rec[3], KVM_EXIT_IO_IN, 0x40, 1, 0);
	expect_rec(_metadata, &self->log.rec[4], KVM_EXIT_IO_OUT, 0x61, 1, 0x01);
	expect_rec(_metadata, &self->log.rec[5], KVM_EXIT_IO_IN, 0x61, 1, 0);
}

/* Irqchip and PIT but no i8042: the keyboard controller ports exit. */
TEST_F(fb, no_i8042_ports_exit)
{
	struct ig_vm *g = &self->g;

	start(_metadata, g, &self->log, 1, 1);
	self->log.answer = 0x1c;
	ASSERT_EQ(0, ig_out(g, 0x64, 0x60));
	ASSERT_EQ(0, ig_out(g, 0x60, 0x47));
	EXPECT_EQ(0x1c, ig_inb(g, 0x64));
	EXPECT_EQ(0x1c, ig_inb(g, 0x60));
	/* but the PIT is in the kernel: nothing more comes out */
	ASSERT_EQ(0, ig_out(g, 0x43, 0x34));
	ASSERT_LE(0, ig_inb(g, 0x61));
	ASSERT_EQ(4, self->log.n);
	expect_rec(_metadata, &self->log.rec[0], KVM_EXIT_IO_OUT, 0x64, 1, 0x60);
	expect_rec(_metadata, &self->log.rec[1], KVM_EXIT_IO_OUT, 0x60, 1, 0x47);
	expect_rec(_metadata, &self->log.rec[2], KVM_EXIT_IO_IN, 0x64, 1, 0);
	expect_rec(_metadata, &self->log.rec[3], KVM_EXIT_IO_IN, 0x60, 1, 0);
}

/* No PIT: the guest's latch-and-read loop is a stream of exits. */
TEST_F(fb, no_pit_latch_reads_exit)
{
	struct ig_vm *g = &self->g;
	const struct ig_sample *smp;
	unsigned int i;

	start(_metadata, g, &self->log, 1, 0);
	smp = ig_mem(g, IG_SAMPLES);
	self->log.answer = 0x34;
	ASSERT_EQ(0, ig_cmd(g, IG_OP_PIT_SAMPLE, 1, 0x40, 0x00, 5, 0));
	ASSERT_EQ(15, self->log.n);
	for (i = 0; i < 5; i++) {
		expect_rec(_metadata, &self->log.rec[3 * i], KVM_EXIT_IO_OUT,
			   0x43, 1, 0x00);
		expect_rec(_metadata, &self->log.rec[3 * i + 1],
			   KVM_EXIT_IO_IN, 0x40, 1, 0);
		expect_rec(_metadata, &self->log.rec[3 * i + 2],
			   KVM_EXIT_IO_IN, 0x40, 1, 0);
		EXPECT_EQ(0x3434, smp[i].count);
	}
}

/* No i8042: the IntelliMouse knock comes out as 0xd4/data pairs. */
TEST_F(fb, no_i8042_mouse_knock_exits)
{
	static const uint8_t knock[] = { 0xf3, 200, 0xf3, 100, 0xf3, 80 };
	struct ig_vm *g = &self->g;
	unsigned int i;

	start(_metadata, g, &self->log, 1, 1);
	for (i = 0; i < ARRAY_SIZE(knock); i++) {
		ASSERT_EQ(0, ig_out(g, 0x64, 0xd4));
		ASSERT_EQ(0, ig_out(g, 0x60, knock[i]));
	}
	ASSERT_EQ(2 * ARRAY_SIZE(knock), self->log.n);
	for (i = 0; i < ARRAY_SIZE(knock); i++) {
		expect_rec(_metadata, &self->log.rec[2 * i], KVM_EXIT_IO_OUT,
			   0x64, 1, 0xd4);
		expect_rec(_metadata, &self->log.rec[2 * i + 1],
			   KVM_EXIT_IO_OUT, 0x60, 1, knock[i]);
	}
}

/*
 * Wider accesses to the device ports: a 2- or 4-byte access that does
 * not fit a device's range exits with its size intact, and the guest
 * sees every byte userspace answered.
 */
TEST_F(fb, no_irqchip_wide_accesses)
{
	struct ig_vm *g = &self->g;

	start(_metadata, g, &self->log, 0, 0);
	self->log.answer = 0x12345678;
	ASSERT_EQ(0, ig_cmd(g, IG_OP_IN, 2, 0x20, 0, 0, 0));
	EXPECT_EQ(0x5678, ig_res(g)->result);
	ASSERT_EQ(0, ig_cmd(g, IG_OP_IN, 4, 0x40, 0, 0, 0));
	EXPECT_EQ(0x12345678, ig_res(g)->result);
	ASSERT_EQ(0, ig_cmd(g, IG_OP_OUT, 2, 0xa0, 0xbeef, 0, 0));
	ASSERT_EQ(3, self->log.n);
	expect_rec(_metadata, &self->log.rec[0], KVM_EXIT_IO_IN, 0x20, 2, 0);
	expect_rec(_metadata, &self->log.rec[1], KVM_EXIT_IO_IN, 0x40, 4, 0);
	expect_rec(_metadata, &self->log.rec[2], KVM_EXIT_IO_OUT, 0xa0, 2,
		   0xbeef);
}

/* Skip the whole program, not each test, where no VM can be created. */
int main(int argc, char **argv)
{
	require_vm("irq_fallback_test");
	return test_harness_run(argc, argv);
}
