// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel devices as wired into hvmm.ko (src/core/dev_*.c,
 * iobus.c, devices.c): the VM-fd ioctls with KVM 6.1's errnos
 * (arch/x86/kvm/x86.c kvm_arch_vm_ioctl(), virt/kvm/kvm_main.c
 * KVM_IRQ_LINE; Documentation/virt/kvm/api.rst 4.24-4.27, 4.36, 4.63,
 * 4.64, 4.71, 4.74) and hvmm's own (include/uapi/linux/hvmm.h), then a
 * real-mode guest (tests/selftests/lib/irq_guest.c) that reaches the
 * devices through the io bus: i8042 data and IRQ1 (IBM PS/2 Technical
 * Reference, "Keyboard/Auxiliary Device Controller"), the CPU reset line
 * through command 0xfe, fall-through of unclaimed ports to userspace,
 * port 0x61 only with KVM_PIT_SPEAKER_DUMMY, and the debugfs counters.
 *
 * Against KVM (HVMM_DEV=/dev/kvm) only the KVM-ABI checks apply; the
 * hvmm-only parts skip.  Built with the selftests library (static, with
 * -Iinclude/uapi -Itests/selftests/include and the kselftest harness).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/hvmm.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"
#include "irq_guest.h"

#define EXPECT_ERRNO(err, call) do {					\
	errno = 0;							\
	EXPECT_EQ(-1, (call));						\
	EXPECT_EQ(err, errno);						\
} while (0)

static int is_hvmm(void)
{
	return strstr(dev_path(), "hvmm") != NULL;
}

/* tests/core/run.sh fake: hvmm.ko with a fake backend that runs no guest */
static int fake_backend(void)
{
	const char *p = getenv("HVMM_FAKE_VMX");

	return p && !strcmp(p, "1");
}

static long counter(int vm_fd, const char *name)
{
	char path[128], buf[32] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/debug/hvmm/%d-%d/%s",
		 getpid(), vm_fd, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atol(buf) : -1;
}

FIXTURE(vm) {
	struct test_vm vm;
};

FIXTURE_SETUP(vm)
{
	require_vm("devices_test");
	ASSERT_EQ(0, vm_create(&self->vm));
}

FIXTURE_TEARDOWN(vm)
{
	vm_destroy(&self->vm);
}

/* KVM_CHECK_EXTENSION reports exactly the device ioctls that exist. */
TEST_F(vm, capabilities)
{
	int fd = self->vm.vm_fd;

	EXPECT_EQ(1, ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP));
	EXPECT_EQ(1, ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_PIT2));
	EXPECT_EQ(1, ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_PIT_STATE2));
	EXPECT_EQ(1, ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_REINJECT_CONTROL));
	if (!is_hvmm())
		return;
	EXPECT_EQ(1, ioctl(fd, KVM_CHECK_EXTENSION, HVMM_CAP_I8042));
	/* no KVM_IRQ_LINE_STATUS, no routing table, no IOAPIC */
	EXPECT_EQ(0, ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQ_INJECT_STATUS));
	EXPECT_EQ(0, ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQ_ROUTING));
}

/* Everything that needs the irqchip says ENXIO without it (x86.c). */
TEST_F(vm, enxio_without_devices)
{
	int fd = self->vm.vm_fd;
	struct kvm_irq_level irq = { .irq = 4, .level = 1 };
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_PIC_MASTER };
	struct kvm_pit_state2 ps2;
	struct kvm_pit_state ps;
	struct kvm_reinject_control rc = { .pit_reinject = 1 };
	struct hvmm_i8042_config cfg = { 0 };
	struct hvmm_i8042_state *st;

	EXPECT_ERRNO(ENXIO, ioctl(fd, KVM_IRQ_LINE, &irq));
	EXPECT_ERRNO(ENXIO, ioctl(fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_ERRNO(ENXIO, ioctl(fd, KVM_SET_IRQCHIP, &chip));
	EXPECT_ERRNO(ENXIO, ioctl(fd, KVM_GET_PIT2, &ps2));
	EXPECT_ERRNO(ENXIO, ioctl(fd, KVM_GET_PIT, &ps));
	EXPECT_ERRNO(ENXIO, ioctl(fd, KVM_REINJECT_CONTROL, &rc));
	if (!is_hvmm())
		return;
	st = calloc(1, sizeof(*st));
	ASSERT_NE(NULL, st);
	EXPECT_ERRNO(ENXIO, ioctl(fd, HVMM_CREATE_I8042, &cfg));
	EXPECT_ERRNO(ENXIO, ioctl(fd, HVMM_GET_I8042, st));
	free(st);
}

/* KVM_CREATE_IRQCHIP: once, and only before the first vCPU. */
TEST_F(vm, create_irqchip_rules)
{
	struct test_vm vm2;
	struct test_vcpu vcpu;

	EXPECT_EQ(0, ioctl(self->vm.vm_fd, KVM_CREATE_IRQCHIP, 0));
	EXPECT_ERRNO(EEXIST, ioctl(self->vm.vm_fd, KVM_CREATE_IRQCHIP, 0));

	ASSERT_EQ(0, vm_create(&vm2));
	ASSERT_EQ(0, vcpu_create(&vm2, &vcpu, 0));
	EXPECT_ERRNO(EINVAL, ioctl(vm2.vm_fd, KVM_CREATE_IRQCHIP, 0));
	vcpu_destroy(&vcpu);
	vm_destroy(&vm2);
}

/*
 * KVM_GET/SET_IRQCHIP: PIC chips only (no IOAPIC: EINVAL), state round
 * trips, the union's bytes beyond kvm_pic_state come back untouched,
 * and KVM_IRQ_LINE shows up as the pin level (last_irr) and IRR.
 */
TEST_F(vm, irqchip_state_and_irq_line)
{
	int fd = self->vm.vm_fd;
	struct kvm_irqchip chip, back;
	struct kvm_irq_level irq = { .irq = 11, .level = 1 };
	size_t n = sizeof(struct kvm_pic_state);

	ASSERT_EQ(0, ioctl(fd, KVM_CREATE_IRQCHIP, 0));
	memset(&chip, 0x5a, sizeof(chip));
	if (is_hvmm()) {
		/* no IOAPIC in hvmm */
		chip.chip_id = KVM_IRQCHIP_IOAPIC;
		EXPECT_ERRNO(EINVAL, ioctl(fd, KVM_GET_IRQCHIP, &chip));
		EXPECT_ERRNO(EINVAL, ioctl(fd, KVM_SET_IRQCHIP, &chip));
	}
	chip.chip_id = 3;
	EXPECT_ERRNO(EINVAL, ioctl(fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_ERRNO(EINVAL, ioctl(fd, KVM_SET_IRQCHIP, &chip));

	chip.chip_id = KVM_IRQCHIP_PIC_SLAVE;
	ASSERT_EQ(0, ioctl(fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_EQ(0x5a, chip.chip.dummy[n]);
	EXPECT_EQ(0x5a, chip.chip.dummy[sizeof(chip.chip) - 1]);
	EXPECT_EQ(0, chip.chip.pic.last_irr);

	/* GSIs past the PIC have no route: accepted, no effect (KVM) */
	irq.irq = 16;
	EXPECT_EQ(0, ioctl(fd, KVM_IRQ_LINE, &irq));
	irq.irq = 100000;
	EXPECT_EQ(0, ioctl(fd, KVM_IRQ_LINE, &irq));
	irq.irq = 11;
	EXPECT_EQ(0, ioctl(fd, KVM_IRQ_LINE, &irq));
	ASSERT_EQ(0, ioctl(fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_EQ(0x08, chip.chip.pic.last_irr & 0x08);
	EXPECT_EQ(0x08, chip.chip.pic.irr & 0x08);

	/* round trip: what GET gave, SET takes and GET gives again */
	chip.chip.pic.imr = 0x37;
	ASSERT_EQ(0, ioctl(fd, KVM_SET_IRQCHIP, &chip));
	memset(&back, 0, sizeof(back));
	back.chip_id = KVM_IRQCHIP_PIC_SLAVE;
	ASSERT_EQ(0, ioctl(fd, KVM_GET_IRQCHIP, &back));
	EXPECT_EQ(0, memcmp(&back.chip.pic, &chip.chip.pic, n));

	EXPECT_ERRNO(EFAULT, ioctl(fd, KVM_GET_IRQCHIP, (void *)8));
	EXPECT_ERRNO(EFAULT, ioctl(fd, KVM_IRQ_LINE, (void *)8));
}

/* KVM_INTERRUPT belongs to userspace irqchips (kvm_vcpu_ioctl_interrupt). */
TEST_F(vm, kvm_interrupt_enxio_with_irqchip)
{
	struct test_vcpu vcpu;
	struct kvm_interrupt intr = { .irq = 0x20 };

	ASSERT_EQ(0, ioctl(self->vm.vm_fd, KVM_CREATE_IRQCHIP, 0));
	ASSERT_EQ(0, vcpu_create(&self->vm, &vcpu, 0));
	EXPECT_ERRNO(ENXIO, ioctl(vcpu.fd, KVM_INTERRUPT, &intr));
	vcpu_destroy(&vcpu);
}

/* KVM_CREATE_PIT2 and the PIT state ioctls (x86.c, KVM 6.1). */
TEST_F(vm, pit_ioctls)
{
	int fd = self->vm.vm_fd;
	struct kvm_pit_config pc = { .flags = KVM_PIT_SPEAKER_DUMMY };
	struct kvm_pit_state2 ps2, back;
	struct kvm_pit_state ps;
	struct kvm_reinject_control rc = { .pit_reinject = 0 };
	int i;

	ASSERT_EQ(0, ioctl(fd, KVM_CREATE_IRQCHIP, 0));
	ASSERT_EQ(0, ioctl(fd, KVM_CREATE_PIT2, &pc));
	EXPECT_ERRNO(EEXIST, ioctl(fd, KVM_CREATE_PIT2, &pc));
	EXPECT_ERRNO(EEXIST, ioctl(fd, KVM_CREATE_PIT));
	EXPECT_ERRNO(EFAULT, ioctl(fd, KVM_GET_PIT2, (void *)8));

	ASSERT_EQ(0, ioctl(fd, KVM_GET_PIT2, &ps2));
	/* GATE 0/1 tied high, GATE 2 from port 0x61, low at reset */
	EXPECT_EQ(1, ps2.channels[0].gate);
	EXPECT_EQ(0, ps2.channels[2].gate);
	ASSERT_EQ(0, ioctl(fd, KVM_SET_PIT2, &ps2));
	ASSERT_EQ(0, ioctl(fd, KVM_GET_PIT2, &back));
	for (i = 0; i < 3; i++) {
		/* KVM restarts counting at SET: compare all but the time */
		back.channels[i].count_load_time = 0;
		ps2.channels[i].count_load_time = 0;
	}
	EXPECT_EQ(0, memcmp(back.channels, ps2.channels, sizeof(ps2.channels)));
	/* power-up: no control word yet, KVM's kvm_pit_reset() state */
	EXPECT_EQ(0xff, ps2.channels[0].mode);
	EXPECT_EQ(0, ps2.channels[0].rw_mode);
	EXPECT_EQ(65536, ps2.channels[0].count);
	if (is_hvmm()) {
		/* hvmm keeps its extension in reserved[] both ways */
		EXPECT_EQ(0, memcmp(back.reserved, ps2.reserved,
				    sizeof(ps2.reserved)));
		ps2.channels[1].mode = 7;
		EXPECT_ERRNO(EINVAL, ioctl(fd, KVM_SET_PIT2, &ps2));
		ps2.channels[1].mode = 0xff;
		ps2.flags = 0x80;
		EXPECT_ERRNO(EINVAL, ioctl(fd, KVM_SET_PIT2, &ps2));
		ps2.flags = 0;
	}
	ASSERT_EQ(0, ioctl(fd, KVM_GET_PIT, &ps));
	EXPECT_EQ(ps2.channels[1].mode, ps.channels[1].mode);
	ps.channels[1].mode = 2;
	ps.channels[1].count = 18;
	ASSERT_EQ(0, ioctl(fd, KVM_SET_PIT, &ps));
	ASSERT_EQ(0, ioctl(fd, KVM_GET_PIT2, &back));
	EXPECT_EQ(2, back.channels[1].mode);
	EXPECT_EQ(18, back.channels[1].count);
	EXPECT_EQ(0, ioctl(fd, KVM_REINJECT_CONTROL, &rc));
	rc.pit_reinject = 1;
	EXPECT_EQ(0, ioctl(fd, KVM_REINJECT_CONTROL, &rc));
}

/*
 * The PIT needs the in-kernel PIC for IRQ0: ENOENT, as current KVM
 * (6.1's KVM still created it, unconnected: accepted from /dev/kvm).
 */
TEST_F(vm, pit_needs_irqchip)
{
	struct kvm_pit_config pc = { 0 };
	int r;

	errno = 0;
	r = ioctl(self->vm.vm_fd, KVM_CREATE_PIT2, &pc);
	if (!r && !is_hvmm())
		SKIP(return, "KVM before the ENOENT check");
	EXPECT_EQ(-1, r);
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, ioctl(self->vm.vm_fd, KVM_CREATE_IRQCHIP, 0));
	EXPECT_EQ(0, ioctl(self->vm.vm_fd, KVM_CREATE_PIT2, &pc));
}

/* HVMM_CREATE_I8042 and its state and input ioctls (uapi hvmm.h). */
TEST_F(vm, i8042_ioctls)
{
	int fd = self->vm.vm_fd;
	struct hvmm_i8042_config cfg = { 0 };
	struct hvmm_i8042_state st, back;
	struct hvmm_input_event ev = {
		.type = HVMM_INPUT_KEY, .code = 30 /* KEY_A */, .value = 1,
	};

	if (!is_hvmm())
		SKIP(return, "hvmm only");
	ASSERT_EQ(0, ioctl(fd, KVM_CREATE_IRQCHIP, 0));
	cfg.flags = 1;
	EXPECT_ERRNO(EINVAL, ioctl(fd, HVMM_CREATE_I8042, &cfg));
	cfg.flags = 0;
	cfg.pad[6] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(fd, HVMM_CREATE_I8042, &cfg));
	cfg.pad[6] = 0;
	EXPECT_ERRNO(EFAULT, ioctl(fd, HVMM_CREATE_I8042, (void *)8));
	ASSERT_EQ(0, ioctl(fd, HVMM_CREATE_I8042, &cfg));
	EXPECT_ERRNO(EEXIST, ioctl(fd, HVMM_CREATE_I8042, &cfg));

	ASSERT_EQ(0, ioctl(fd, HVMM_GET_I8042, &st));
	EXPECT_EQ(0, st.ctrl.obuf_full);
	EXPECT_EQ(0, ioctl(fd, HVMM_INPUT_EVENT, &ev));
	ASSERT_EQ(0, ioctl(fd, HVMM_GET_I8042, &st));
	/* translated set 1 make code of A in the output buffer */
	EXPECT_EQ(1, st.ctrl.obuf_full);
	EXPECT_EQ(0x1e, st.ctrl.obuf);
	ASSERT_EQ(0, ioctl(fd, HVMM_SET_I8042, &st));
	ASSERT_EQ(0, ioctl(fd, HVMM_GET_I8042, &back));
	EXPECT_EQ(0, memcmp(&st, &back, sizeof(st)));
	st.flags = 1;
	EXPECT_ERRNO(EINVAL, ioctl(fd, HVMM_SET_I8042, &st));

	ev.flags = 1;
	EXPECT_ERRNO(EINVAL, ioctl(fd, HVMM_INPUT_EVENT, &ev));
	ev.flags = 0;
	ev.type = 7;
	EXPECT_ERRNO(EINVAL, ioctl(fd, HVMM_INPUT_EVENT, &ev));
	ev.type = HVMM_INPUT_MOUSE;
	ev.code = 0;
	ev.value = 0x20;	/* no such button */
	EXPECT_ERRNO(EINVAL, ioctl(fd, HVMM_INPUT_EVENT, &ev));
	ev.value = HVMM_MOUSE_BTN_LEFT;
	ev.dx = 5;
	EXPECT_EQ(0, ioctl(fd, HVMM_INPUT_EVENT, &ev));
}

FIXTURE(guest) {
	struct ig_vm g;
	bool up;
};

FIXTURE_SETUP(guest)
{
	require_vm("devices_test");
	if (fake_backend())
		return;
	ASSERT_EQ(0, ig_create(&self->g, 1, 1)) TH_LOG("%s", self->g.err);
	self->up = true;
}

FIXTURE_TEARDOWN(guest)
{
	if (self->up)
		ig_destroy(&self->g);
}

/*
 * A host key press reaches the guest as IRQ1 (vector 0x21 after Linux's
 * PIC init), and the IRQ stub's read of port 0x60 returns the scan code
 * (translated set 1: 0x1e for A, 0x9e for its release).
 */
TEST_F(guest, i8042_key_reaches_guest_as_irq1)
{
	struct ig_vm *g = &self->g;
	struct hvmm_i8042_config cfg = { 0 };
	struct hvmm_input_event ev = {
		.type = HVMM_INPUT_KEY, .code = 30, .value = 1,
	};
	uint8_t *data = ig_mem(g, IG_DATA);

	if (!self->up)
		SKIP(return, "the fake backend runs no guest");

	if (!is_hvmm())
		SKIP(return, "hvmm only");
	ASSERT_EQ(0, ioctl(g->vm.vm_fd, HVMM_CREATE_I8042, &cfg));
	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0xfd, 0xff))
		TH_LOG("%s", g->err);
	*(uint8_t *)ig_mem(g, IG_EOI_MODE) = IG_EOI_NONSPEC;
	ig_set_rdport(g, 0x21, 0x60);
	ig_clear_log(g);
	/* status: output buffer empty */
	EXPECT_EQ(0, ig_inb(g, 0x64) & 0x01);
	ASSERT_EQ(0, ioctl(g->vm.vm_fd, HVMM_INPUT_EVENT, &ev));
	ev.value = 0;
	ASSERT_EQ(0, ioctl(g->vm.vm_fd, HVMM_INPUT_EVENT, &ev));
	ASSERT_EQ(0, ig_cmd(g, IG_OP_WAIT_IRQS, 0, 0, 20000000, 2, 0))
		TH_LOG("%s", g->err);
	EXPECT_EQ(2, ig_count(g, 0x21));
	EXPECT_EQ(0x1e, data[0]);
	EXPECT_EQ(0x9e, data[1]);
	EXPECT_EQ(0, ig_inb(g, 0x64) & 0x01);
}

/*
 * Command 0xfe pulses output port bit 0, the CPU reset line: KVM_RUN
 * ends with KVM_EXIT_SYSTEM_EVENT, KVM_SYSTEM_EVENT_RESET, ndata 0.
 */
TEST_F(guest, i8042_reset_is_a_system_event)
{
	struct ig_vm *g = &self->g;
	struct hvmm_i8042_config cfg = { 0 };
	struct kvm_run *run = g->vcpu.run;

	if (!self->up)
		SKIP(return, "the fake backend runs no guest");

	if (!is_hvmm())
		SKIP(return, "hvmm only");
	ASSERT_EQ(0, ioctl(g->vm.vm_fd, HVMM_CREATE_I8042, &cfg));
	EXPECT_EQ(-EPROTO, ig_out(g, 0x64, 0xfe));
	EXPECT_EQ(KVM_EXIT_SYSTEM_EVENT, run->exit_reason)
		TH_LOG("exit %s", exit_name(run->exit_reason));
	EXPECT_EQ(KVM_SYSTEM_EVENT_RESET, run->system_event.type);
	EXPECT_EQ(0, run->system_event.ndata);
	/* one request, one exit: the next KVM_RUN goes on in the guest */
	EXPECT_EQ(0, ig_cmd(g, IG_OP_IN, 1, 0x64, 0, 0, 0)) TH_LOG("%s", g->err);
}

static int seen_port;

static int note_port(struct test_vcpu *vcpu, void *opaque)
{
	seen_port = vcpu->run->io.port;
	return 0;
}

/*
 * Unclaimed ports fall through to userspace as KVM_EXIT_IO; port 0x61
 * is in the kernel only with KVM_PIT_SPEAKER_DUMMY (kvm_create_pit()).
 * The debugfs counters tell the in-kernel accesses per device from the
 * forwarded ones.
 */
TEST_F(guest, io_bus_fall_through_and_counters)
{
	struct ig_vm *g = &self->g;
	struct ig_vm g2;
	struct kvm_pit_config pc = { 0 };
	long pic0, pit0, user0;

	if (!self->up)
		SKIP(return, "the fake backend runs no guest");

	g->io_fn = note_port;
	seen_port = -1;
	EXPECT_EQ(0, ig_inb(g, 0x61) < 0);
	EXPECT_EQ(-1, seen_port);	/* 0x61 in the kernel here */
	EXPECT_EQ(0, ig_out(g, 0x70, 0x0f));
	EXPECT_EQ(0x70, seen_port);	/* CMOS: userspace */

	if (is_hvmm()) {
		pic0 = counter(g->vm.vm_fd, "pio_kernel_pic");
		pit0 = counter(g->vm.vm_fd, "pio_kernel_pit");
		user0 = counter(g->vm.vm_fd, "pio_user");
		ASSERT_LE(0, pic0) TH_LOG("debugfs mounted?");
		ASSERT_EQ(0, ig_cmd(g, IG_OP_IN_REPEAT, 1, 0x21, 0, 50, 0));
		ASSERT_EQ(0, ig_cmd(g, IG_OP_IN_REPEAT, 1, 0x40, 0, 20, 0));
		EXPECT_EQ(pic0 + 50, counter(g->vm.vm_fd, "pio_kernel_pic"));
		EXPECT_EQ(pit0 + 20, counter(g->vm.vm_fd, "pio_kernel_pit"));
		/* the two IG_EXIT_PORT exits of the two commands */
		EXPECT_EQ(user0 + 2, counter(g->vm.vm_fd, "pio_user"));
	}

	/* QEMU's flags: 0x61 stays with userspace */
	memset(&g2, 0, sizeof(g2));
	ASSERT_EQ(0, ig_create(&g2, 1, 0)) TH_LOG("%s", g2.err);
	ASSERT_EQ(0, ioctl(g2.vm.vm_fd, KVM_CREATE_PIT2, &pc));
	g2.io_fn = note_port;
	seen_port = -1;
	ig_inb(&g2, 0x61);
	EXPECT_EQ(0x61, seen_port);
	ig_destroy(&g2);
}

static double now_s(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct feeder {
	struct ig_vm *g;
	int rounds;
	int errors;
	int done;		/* set (atomically) when the feeder has finished */
	char why[160];		/* the first error */
};

static uint32_t guest_u32(struct ig_vm *g, uint32_t gpa)
{
	return __atomic_load_n((uint32_t *)ig_mem(g, gpa), __ATOMIC_ACQUIRE);
}

/*
 * Another thread: per round one KVM_IRQ_LINE pulse on IRQ3 and one key
 * stroke (A pressed in even rounds, released in odd ones: IRQ1), then it
 * waits until the guest has taken that IRQ3 and read that key byte
 * before the next round.  So no pulse finds IRQ3 still requested in the
 * IRR (the only way an 8259A edge may be lost, below) and the keyboard
 * never holds more than one byte (its 16-byte buffer cannot overflow),
 * while each pulse and key still races the guest's EOIs, IRQ0 from the
 * PIT's hrtimer and the guest's exits.
 */
static void *feed(void *arg)
{
	struct feeder *f = arg;
	int vm_fd = f->g->vm.vm_fd;
	struct kvm_irq_level l = { .irq = 3 };
	struct hvmm_input_event ev = { .type = HVMM_INPUT_KEY, .code = 30 };
	double t0;
	int i;

	for (i = 0; i < f->rounds; i++) {
		l.level = 1;
		f->errors += !!ioctl(vm_fd, KVM_IRQ_LINE, &l);
		l.level = 0;
		f->errors += !!ioctl(vm_fd, KVM_IRQ_LINE, &l);
		ev.value = !(i & 1);
		f->errors += !!ioctl(vm_fd, HVMM_INPUT_EVENT, &ev);
		t0 = now_s(CLOCK_MONOTONIC);
		while (guest_u32(f->g, IG_CNT + 4 * 0x23) < i + 1 ||
		       guest_u32(f->g, IG_NDATA) < i + 1) {
			if (now_s(CLOCK_MONOTONIC) - t0 > 5) {
				snprintf(f->why, sizeof(f->why),
					 "round %d: after 5 s the guest has %u IRQ3 and %u key bytes",
					 i, guest_u32(f->g, IG_CNT + 4 * 0x23),
					 guest_u32(f->g, IG_NDATA));
				f->errors++;
				goto out;
			}
			usleep(50);
		}
		usleep(100 * (i % 4));
	}
out:
	__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Every interrupt source at once, from three contexts: the PIT's hrtimer
 * (IRQ0 at 1 kHz, 8254 mode 2), host keys through HVMM_INPUT_EVENT
 * (IRQ1) and KVM_IRQ_LINE pulses (IRQ3) from another thread, while the
 * guest takes and EOIs them.  The lock order (device, router, PIC) must
 * hold: no deadlock, no lost source, the guest keeps running.
 *
 * The accounting is exact where the hardware loses nothing:
 *  - IRQ3: an 8259A in edge-triggered mode latches a rising edge in the
 *    IRR; a second edge while that IRR bit is still set merges with it
 *    (Intel 8259A datasheet, "Edge and Level Triggered Modes"; INTA
 *    clears the IRR bit and sets the ISR bit).  An edge while the ISR bit
 *    is set is latched again and served after the EOI.  The feeder
 *    pulses again only after the guest has taken the previous one, so
 *    every one of the pulses must arrive exactly once.
 *  - IRQ1: the keyboard loses key bytes only when its 16-byte buffer is
 *    full, and then queues an overrun code (0x00 in set 2, 0xff in set 1;
 *    IBM PS/2 Technical Reference, "Keyboard Buffer").  With one byte
 *    outstanding at most, every stroke must reach the guest in order, as
 *    translated set 1 (command byte bit 6 is on after power-on): 0x1e,
 *    0x9e, ... , one IRQ1 and one read of port 0x60 each.
 *  - IRQ0: free running, so ticks do coalesce while the guest is between
 *    windows with IF=0 (IRR0 already set: the same rule as above); no
 *    more can arrive than the 8254 produced: mode 2 with count 1193 gives
 *    one every 1193 / 1.193182 MHz = 0.99985 ms, so at most
 *    elapsed / 0.99985 ms + 1 by the last interrupt, within pit_test's 2%
 *    tolerance of the rate.
 */
TEST_F(guest, all_sources_concurrently)
{
	struct ig_vm *g = &self->g;
	struct hvmm_i8042_config cfg = { 0 };
	struct feeder f = { .g = g, .rounds = 300 };
	uint64_t khz, start, last;
	const uint8_t *data;
	unsigned int bad = 0;
	double ticks;
	pthread_t t;
	int i, w;

	if (!self->up)
		SKIP(return, "the fake backend runs no guest");

	if (!is_hvmm())
		SKIP(return, "hvmm only");
	khz = ig_tsc_khz(g);
	ASSERT_LT(0, khz);
	ASSERT_EQ(0, ioctl(g->vm.vm_fd, HVMM_CREATE_I8042, &cfg));
	/* IRQ0, IRQ1, IRQ3 open (OCW1 0xf4); IRQ1's stub reads 0x60 */
	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0xf4, 0xff));
	*(uint8_t *)ig_mem(g, IG_EOI_MODE) = IG_EOI_NONSPEC;
	ig_set_rdport(g, 0x21, 0x60);
	ig_clear_log(g);
	/* 8254 control word: counter 0, LSB then MSB, mode 2; 1193 = 1 ms */
	ASSERT_EQ(0, ig_out(g, 0x43, 0x34));
	ASSERT_EQ(0, ig_out(g, 0x40, 1193 & 0xff));
	ASSERT_EQ(0, ig_out(g, 0x40, 1193 >> 8));
	start = ig_res(g)->tsc1;	/* the counter starts after this */
	ASSERT_EQ(0, pthread_create(&t, NULL, feed, &f));
	/*
	 * Windows of 20 ms of guest time with IF=1 until the feeder is done
	 * (at most 10 s of guest time), then one more to take what is left.
	 */
	for (w = 0; w < 500 && !__atomic_load_n(&f.done, __ATOMIC_ACQUIRE); w++) {
		if (ig_cmd(g, IG_OP_WAIT_IRQS, 0, 0, khz * 20, UINT32_MAX, 0))
			break;
	}
	ASSERT_EQ(0, ig_cmd(g, IG_OP_WAIT_IRQS, 0, 0, khz * 20, UINT32_MAX, 0))
		TH_LOG("%s", g->err);
	pthread_join(t, NULL);
	EXPECT_EQ(0, f.errors) TH_LOG("%s", f.why);
	last = *(uint64_t *)ig_mem(g, IG_LAST_TSC);
	ticks = (double)(last - start) / (khz * 0.99985);
	TH_LOG("%d windows, %.0f PIT periods: IRQ0 %u, IRQ1 %u, IRQ3 %u, %u key bytes",
	       w, ticks, ig_count(g, 0x20), ig_count(g, 0x21),
	       ig_count(g, 0x23), guest_u32(g, IG_NDATA));
	/* every pulse, exactly once */
	EXPECT_EQ(f.rounds, ig_count(g, 0x23));
	/* every key, exactly once, in order, no overrun code */
	EXPECT_EQ(f.rounds, ig_count(g, 0x21));
	ASSERT_EQ(f.rounds, guest_u32(g, IG_NDATA));
	data = ig_mem(g, IG_DATA);
	for (i = 0; i < f.rounds; i++) {
		if (data[i] != (i & 1 ? 0x9e : 0x1e) && !bad++)
			TH_LOG("key byte %d is %#x, not %#x", i, data[i],
			       i & 1 ? 0x9e : 0x1e);
	}
	EXPECT_EQ(0, bad);
	/* IRQ0: coalescing allowed, extra ticks not */
	EXPECT_LT(10, ig_count(g, 0x20));
	EXPECT_GE(ticks * 1.02 + 1, (double)ig_count(g, 0x20));
	/* the guest still answers, and nothing is left in service */
	ASSERT_EQ(0, ig_out(g, 0x20, 0x0b));
	EXPECT_EQ(0, ig_inb(g, 0x20));
}

/*
 * VM teardown while the PIT's timer fires at its clamp (mode 2, count
 * 2: 5 kHz), IRQ0 pending and a key queued: the devices must go before
 * the vCPUs they kick, the timer must be stopped before it is freed.
 * Twenty VMs in a row; a use-after-free would take the host down.
 */
TEST(teardown_with_timer_running)
{
	struct hvmm_i8042_config cfg = { 0 };
	struct hvmm_input_event ev = {
		.type = HVMM_INPUT_KEY, .code = 30, .value = 1,
	};
	struct ig_vm g;
	int i;

	require_vm("devices_test");
	if (fake_backend())
		SKIP(return, "the fake backend runs no guest");
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, ig_create(&g, 1, 1)) TH_LOG("%s", g.err);
		if (is_hvmm()) {
			ASSERT_EQ(0, ioctl(g.vm.vm_fd, HVMM_CREATE_I8042, &cfg));
			ASSERT_EQ(0, ioctl(g.vm.vm_fd, HVMM_INPUT_EVENT, &ev));
		}
		ASSERT_EQ(0, ig_pic_init(&g, 0x20, 0x28, 0x01, 0xfc, 0xff));
		*(uint8_t *)ig_mem(&g, IG_EOI_MODE) = i & 1 ? IG_EOI_NONSPEC :
							     IG_EOI_NONE;
		ASSERT_EQ(0, ig_out(&g, 0x43, 0x34));
		ASSERT_EQ(0, ig_out(&g, 0x40, 2));
		ASSERT_EQ(0, ig_out(&g, 0x40, 0));
		ASSERT_EQ(0, ig_cmd(&g, IG_OP_WAIT_IRQS, 0, 0, 200000, 50, 0))
			TH_LOG("%s", g.err);
		ig_destroy(&g);
	}
}

static void on_alarm(int sig)
{
}

/*
 * A guest halted with RFLAGS.IF=0 while IRQ0 keeps coming (8254 mode 2
 * at 1 kHz, the PIC's INT high): HLT only ends by NMI, SMI, INIT or
 * reset (SDM vol. 2, HLT), so the vCPU must sleep in the kernel until
 * a signal ends KVM_RUN, not spin: its thread may use a small part of
 * the wall time only.
 */
TEST(halt_with_if0_sleeps)
{
	static const uint8_t code[] = {
		0xb0, 0x34, 0xe6, 0x43,	/* mov al,0x34; out 0x43,al */
		0xb0, 0xa9, 0xe6, 0x40,	/* mov al,0xa9; out 0x40,al */
		0xb0, 0x04, 0xe6, 0x40,	/* mov al,0x04; out 0x40,al */
		0xfa, 0xf4,		/* cli; hlt */
		0xeb, 0xfd,		/* jmp hlt */
	};
	struct kvm_pit_config pc = { .flags = KVM_PIT_SPEAKER_DUMMY };
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_PIC_MASTER };
	struct itimerval it = { .it_value.tv_usec = 300000 };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct test_vm vm;
	struct test_vcpu vcpu;
	double wall, cpu;
	int r;

	require_vm("devices_test");
	if (fake_backend())
		SKIP(return, "the fake backend runs no guest");
	ASSERT_EQ(0, vm_create(&vm));
	ASSERT_EQ(0, ioctl(vm.vm_fd, KVM_CREATE_IRQCHIP, 0));
	ASSERT_EQ(0, ioctl(vm.vm_fd, KVM_CREATE_PIT2, &pc));
	ASSERT_EQ(0, vcpu_create(&vm, &vcpu, 0));
	ASSERT_EQ(0, vcpu_setup(&vm, &vcpu, GUEST_REAL, code, sizeof(code)));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	wall = now_s(CLOCK_MONOTONIC);
	cpu = now_s(CLOCK_THREAD_CPUTIME_ID);
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	r = vcpu_run(&vcpu);
	cpu = now_s(CLOCK_THREAD_CPUTIME_ID) - cpu;
	wall = now_s(CLOCK_MONOTONIC) - wall;
	EXPECT_EQ(-EINTR, r) TH_LOG("exit %s",
				    exit_name(vcpu.run->exit_reason));
	/* IRQ0 was requested: the PIC did raise INT at the halted vCPU */
	ASSERT_EQ(0, ioctl(vm.vm_fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_EQ(1, chip.chip.pic.irr & 1);
	TH_LOG("halted %.3f s wall, %.3f s CPU", wall, cpu);
	EXPECT_LT(cpu, wall / 2);
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
}

TEST_HARNESS_MAIN
