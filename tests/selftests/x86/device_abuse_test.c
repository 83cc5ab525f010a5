// SPDX-License-Identifier: GPL-2.0
/*
 * Guests that misbehave on purpose against the in-kernel PIC, PIT and
 * (on hvmm) i8042: reads of every port 0x00-0xff at every width,
 * thousands of random writes to every device register, PIT storms
 * while interrupts are open.  The host must stay clean (the VM tier's
 * console checker looks for oopses and WARNs); here the guest must go
 * on running, every access that leaves the kernel must be the one the
 * guest made (api.rst, KVM_EXIT_IO), an IN must write exactly its width
 * of EAX (Intel SDM 2A, "IN"), and the devices must work normally once
 * re-initialised (Intel 8259A, "Initialization Command Words"; Intel
 * 8254, "Control Word Format").  Nothing that is not a device may be
 * answered inside the kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"
#include "irq_guest.h"
#include "../../../include/uapi/linux/hvmm.h"

#define ANSWER	0xffffffffu	/* what userspace reads for "nothing" */

struct sweep {
	uint16_t next_port;	/* what the guest must read next */
	uint8_t width;
	unsigned int exits;
	unsigned int bad;
	uint8_t user[256];	/* port went to userspace */
};

/* Userspace side of the sweep: check each IN, answer all-ones. */
static int sweep_io(struct test_vcpu *vcpu, void *opaque)
{
	struct kvm_run *run = vcpu->run;
	struct sweep *sw = opaque;
	uint32_t v = ANSWER;

	if (run->io.direction != KVM_EXIT_IO_IN || run->io.count != 1 ||
	    run->io.size != sw->width ||
	    run->io.data_offset + run->io.size > vcpu->run_size) {
		sw->bad++;
		return run->io.data_offset + 4 > vcpu->run_size ? -EPROTO : 0;
	}
	if (run->io.port < sw->next_port || run->io.port > 0xff) {
		sw->bad++;
	} else {
		sw->user[run->io.port] = 1;
		sw->next_port = run->io.port + 1;
	}
	memcpy(io_data(vcpu), &v, run->io.size);
	sw->exits++;
	return 0;
}

/* Unhandled writes (ports no device claims) are simply dropped. */
static int drop_io(struct test_vcpu *vcpu, void *opaque)
{
	struct kvm_run *run = vcpu->run;

	if (run->io.data_offset + run->io.size * run->io.count >
	    vcpu->run_size)
		return -EPROTO;
	if (run->io.direction == KVM_EXIT_IO_IN)
		memset(io_data(vcpu), 0xff, run->io.size * run->io.count);
	return 0;
}

FIXTURE(abuse) {
	struct ig_vm g;
	int i8042;
};

FIXTURE_SETUP(abuse)
{
	struct hvmm_i8042_config cfg;

	ASSERT_EQ(0, ig_create(&self->g, 1, 1)) TH_LOG("%s", self->g.err);
	memset(&cfg, 0, sizeof(cfg));
	self->i8042 = ig_has_cap(&self->g, HVMM_CAP_I8042) &&
		!ioctl(self->g.vm.vm_fd, HVMM_CREATE_I8042, &cfg);
	TH_LOG("in-kernel i8042: %s", self->i8042 ? "yes" : "no");
}

FIXTURE_TEARDOWN(abuse)
{
	ig_destroy(&self->g);
}

/* Ports an in-kernel device may answer for a byte access. */
static int device_port(int port, int i8042)
{
	if (port == 0x20 || port == 0x21 || port == 0xa0 || port == 0xa1)
		return 1;
	if ((port >= 0x40 && port <= 0x43) || port == 0x61)
		return 1;
	return i8042 && (port == 0x60 || port == 0x64);
}

/*
 * After abuse: re-initialise, then IRQ3 must arrive as vector 0x23 and
 * PIT counter 0 must count down.
 */
static void devices_still_work(struct __test_metadata *_metadata,
			       struct ig_vm *g)
{
	uint8_t log[4];
	int lo1, hi1, lo2, hi2;

	g->io_fn = drop_io;
	*(uint32_t *)ig_mem(g, IG_NIRQ_LIMIT) = 0;
	ASSERT_EQ(0, ig_out(g, 0x4d0, 0x00));
	ASSERT_EQ(0, ig_out(g, 0x4d1, 0x00));
	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0xf7, 0xff))
		TH_LOG("%s", g->err);
	*(uint8_t *)ig_mem(g, IG_EOI_MODE) = IG_EOI_NONSPEC;
	ig_clear_log(g);
	ASSERT_EQ(0, ig_irq_pulse(g, 3));
	ASSERT_EQ(0, ig_cmd(g, IG_OP_WAIT_IRQS, 0, 0, 40000000, 1, 0));
	ASSERT_EQ(1, ig_log(g, log, sizeof(log)));
	EXPECT_EQ(0x23, log[0]);
	ASSERT_EQ(0, ig_out(g, 0x43, 0x34));
	ASSERT_EQ(0, ig_out(g, 0x40, 0x00));
	ASSERT_EQ(0, ig_out(g, 0x40, 0x00));
	ASSERT_EQ(0, ig_out(g, 0x43, 0x00));
	lo1 = ig_inb(g, 0x40);
	hi1 = ig_inb(g, 0x40);
	ASSERT_EQ(0, ig_cmd(g, IG_OP_SPIN_TSC, 0, 0, 2000000, 0, 0));
	ASSERT_EQ(0, ig_out(g, 0x43, 0x00));
	lo2 = ig_inb(g, 0x40);
	hi2 = ig_inb(g, 0x40);
	ASSERT_LE(0, lo1 | hi1 | lo2 | hi2);
	EXPECT_NE(lo1 | hi1 << 8, lo2 | hi2 << 8);
}

/*
 * IN of 1, 2 and 4 bytes from every port 0x00-0xff.  EAX is zeroed
 * before each, so bits above the width must stay zero whoever answers.
 */
TEST_F(abuse, read_every_port_every_width)
{
	static const uint8_t widths[] = { 1, 2, 4 };
	const uint32_t *val = ig_mem(&self->g, IG_SAMPLES);
	struct ig_vm *g = &self->g;
	int hvmm = strstr(dev_path(), "hvmm") != NULL;
	struct sweep sw;
	unsigned int w, p, nk;
	uint32_t mask;

	for (w = 0; w < ARRAY_SIZE(widths); w++) {
		memset(&sw, 0, sizeof(sw));
		sw.width = widths[w];
		g->io_fn = sweep_io;
		g->io_opaque = &sw;
		ASSERT_EQ(0, ig_cmd(g, IG_OP_IN_SWEEP, sw.width, 0, 0, 256, 0))
			TH_LOG("%s", g->err);
		EXPECT_EQ(0, sw.bad) TH_LOG("width %u", sw.width);
		mask = sw.width == 4 ? ~0u : (1u << (8 * sw.width)) - 1;
		for (p = 0, nk = 0; p < 256; p++) {
			EXPECT_EQ(0, val[p] & ~mask)
				TH_LOG("port %#x width %u: %#x", p, sw.width,
				       val[p]);
			if (sw.user[p]) {
				EXPECT_EQ(ANSWER & mask, val[p])
					TH_LOG("port %#x", p);
				continue;
			}
			nk++;
			TH_LOG("width %u: port %#x -> %#x in the kernel",
			       sw.width, p, val[p]);
			/*
			 * hvmm: the 8254 decodes bytes only and its control
			 * register is write-only (8254, "Read Operations"):
			 * nothing there reads as all-ones (KVM returns stale
			 * latch bytes instead).
			 */
			if (hvmm && ((p >= 0x40 && p <= 0x43) || p == 0x61) &&
			    (sw.width > 1 || p == 0x43))
				EXPECT_EQ(mask, val[p])
					TH_LOG("port %#x width %u", p,
					       sw.width);
			if (sw.width == 1)
				EXPECT_TRUE(device_port(p, self->i8042))
					TH_LOG("port %#x answered in the kernel",
					       p);
		}
		TH_LOG("width %u: %u ports in the kernel, %u exits", sw.width,
		       nk, sw.exits);
		if (sw.width == 1) {
			for (p = 0; p < 256; p++)
				if (device_port(p, self->i8042))
					EXPECT_EQ(0, sw.user[p])
						TH_LOG("port %#x exited", p);
		}
	}
	/* ELCR (PIIX) ports too */
	sw.width = 1;
	sw.next_port = 0;
	ASSERT_EQ(0, ig_cmd(g, IG_OP_IN_SWEEP, 1, 0x4d0, 0, 2, 0));
	devices_still_work(_metadata, g);
}

/*
 * Thousands of random byte writes to every PIC, PIT, port 0x61 and ELCR
 * register (ICW sequences cut anywhere, OCWs, any PIT mode and count,
 * count 1 and 2 in modes 2 and 3) with an IF=1 window after each batch,
 * the stubs EOIing whatever vector comes.
 */
TEST_F(abuse, random_device_writes)
{
	static const uint16_t ports[] = {
		0x20, 0x21, 0xa0, 0xa1, 0x40, 0x41, 0x42, 0x43, 0x61,
		0x4d0, 0x4d1,
	};
	struct ig_out_entry *t = ig_mem(&self->g, IG_SAMPLES);
	struct ig_vm *g = &self->g;
	unsigned int round, i, total = 0;

	srandom(4);
	g->io_fn = drop_io;
	*(uint8_t *)ig_mem(g, IG_EOI_MODE) = IG_EOI_NONSPEC;
	*(uint32_t *)ig_mem(g, IG_NIRQ_LIMIT) = 500;
	for (round = 0; round < 8; round++) {
		for (i = 0; i < 500; i++) {
			t[i].port = ports[random() % ARRAY_SIZE(ports)];
			t[i].val = random();
			t[i].pad = 0;
		}
		ASSERT_EQ(0, ig_cmd(g, IG_OP_OUT_TABLE, 1, 0, 0, 500, 0))
			TH_LOG("%s", g->err);
		ig_clear_log(g);
		for (i = 0; i < 4; i++)
			ASSERT_EQ(0, ig_irq_pulse(g, random() % 16));
		ASSERT_EQ(0, ig_cmd(g, IG_OP_SPIN_TSC, 0, 0, 4000000, 0, 0))
			TH_LOG("%s", g->err);
		total += ig_nirq(g);
	}
	TH_LOG("%u interrupts taken during the abuse", total);
	devices_still_work(_metadata, g);
}

/*
 * The PIT reprogrammed to count 1 or 2 in modes 2 and 3, over and over,
 * with IRQ0 open and the guest EOIing: the host clamps the rate, the
 * guest keeps making progress between interrupts.
 */
TEST_F(abuse, pit_storms_with_irq0_open)
{
	static const uint8_t ctl[] = { 0x34, 0x36, 0x14, 0x16 };
	struct ig_vm *g = &self->g;
	uint64_t khz = ig_tsc_khz(g);
	unsigned int i;

	ASSERT_LT(0, khz);
	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0xfe, 0xff));
	*(uint8_t *)ig_mem(g, IG_EOI_MODE) = IG_EOI_NONSPEC;
	for (i = 0; i < 8; i++) {
		ig_clear_log(g);
		*(uint32_t *)ig_mem(g, IG_NIRQ_LIMIT) = 1000;
		ASSERT_EQ(0, ig_out(g, 0x21, 0xfe));
		ASSERT_EQ(0, ig_out(g, 0x43, ctl[i % 4]));
		ASSERT_EQ(0, ig_out(g, 0x40, 1 + (i & 1)));
		if (ctl[i % 4] & 0x20)
			ASSERT_EQ(0, ig_out(g, 0x40, 0));
		ASSERT_EQ(0, ig_cmd(g, IG_OP_SPIN_TSC, 0, 0, 4000000, 0, 0))
			TH_LOG("%s", g->err);
		TH_LOG("control %#x count %u: %u IRQ0s", ctl[i % 4],
		       1 + (i & 1), ig_nirq(g));
		/* at most 25 kHz (hvmm clamps at 20 kHz) over the window */
		EXPECT_GE(25 * 4000000ull / khz + 2, ig_nirq(g));
	}
	devices_still_work(_metadata, g);
}

/* Skip the whole program, not each test, where no VM can be created. */
int main(int argc, char **argv)
{
	require_vm("device_abuse_test");
	return test_harness_run(argc, argv);
}
