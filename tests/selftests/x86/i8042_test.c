// SPDX-License-Identifier: GPL-2.0
/*
 * hvmm's in-kernel i8042 with its PS/2 keyboard and mouse, seen from a
 * real-mode guest whose IRQ1/IRQ12 stubs read port 0x60: host key and
 * mouse events (HVMM_INPUT_EVENT) must arrive as scan codes and packets,
 * one byte per interrupt.  References: IBM PS/2 Hardware Interface
 * Technical Reference, "Keyboard/Auxiliary Device Controller" (command
 * byte: bit 0 keyboard IRQ1, bit 1 auxiliary IRQ12, bit 6 translate;
 * commands 0x20/0x60 read/write it, 0xa8 enable auxiliary, 0xd4 write
 * to auxiliary device), "Keyboard" (scan code sets 1 and 2, command
 * 0xf0 select set, ACK 0xfa, 16-byte buffer and overrun code),
 * "Pointing Device" (0xf3 set sample rate, 0xf2 read ID, 0xf4 enable,
 * 3-byte packet: bit 3 of byte 1 always 1, bits 4/5 X/Y sign) and
 * Microsoft's IntelliMouse extension (rates 200, 100, 80 then ID 3,
 * 4-byte packets with the wheel in byte 4).
 *
 * The whole program SKIPs (exit 4) where HVMM_CAP_I8042 is not
 * reported, e.g. on /dev/kvm.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/input-event-codes.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"
#include "irq_guest.h"
#include "../../../include/uapi/linux/hvmm.h"

#define CB_XLAT_ON	0x47	/* IRQ1, IRQ12, system flag, translate */
#define CB_XLAT_OFF	0x07
#define WAIT		40000000u	/* TSC cycles per wait for bytes */

FIXTURE(kbc) {
	struct ig_vm g;
};

/*
 * VM with irqchip and i8042; PICs at 0x20/0x28 with IRQ1, the cascade
 * and IRQ12 open; the IRQ1 and IRQ12 stubs read the data port.
 */
FIXTURE_SETUP(kbc)
{
	struct hvmm_i8042_config cfg;
	struct ig_vm *g = &self->g;

	memset(&cfg, 0, sizeof(cfg));
	ASSERT_EQ(0, ig_create(g, 1, 0)) TH_LOG("%s", g->err);
	ASSERT_EQ(0, ioctl(g->vm.vm_fd, HVMM_CREATE_I8042, &cfg));
	ASSERT_EQ(0, ig_pic_init(g, 0x20, 0x28, 0x01, 0xf9, 0xef));
	ig_set_rdport(g, 0x21, 0x60);
	ig_set_rdport(g, 0x2c, 0x60);
	*(uint8_t *)ig_mem(g, IG_EOI_MODE) = IG_EOI_NONSPEC;
	*(uint32_t *)ig_mem(g, IG_NIRQ_LIMIT) = 1000;
	ig_clear_log(g);
}

FIXTURE_TEARDOWN(kbc)
{
	ig_destroy(&self->g);
}

static int key(struct ig_vm *g, unsigned int code, unsigned int pressed)
{
	struct hvmm_input_event ev = {
		.type = HVMM_INPUT_KEY, .code = code, .value = pressed,
	};

	return ioctl(g->vm.vm_fd, HVMM_INPUT_EVENT, &ev) ? -errno : 0;
}

static int mouse(struct ig_vm *g, uint32_t buttons, int dx, int dy, int dz)
{
	struct hvmm_input_event ev = {
		.type = HVMM_INPUT_MOUSE, .value = buttons,
		.dx = dx, .dy = dy, .dz = dz,
	};

	return ioctl(g->vm.vm_fd, HVMM_INPUT_EVENT, &ev) ? -errno : 0;
}

/* Controller command (port 0x64), optionally with a data byte. */
static int ctrl_cmd(struct ig_vm *g, uint8_t cmd, int data)
{
	int err = ig_out(g, 0x64, cmd);

	if (!err && data >= 0)
		err = ig_out(g, 0x60, data);
	return err;
}

/* A byte for the auxiliary device: 0xd4 then the byte. */
static int aux_write(struct ig_vm *g, uint8_t val)
{
	return ctrl_cmd(g, 0xd4, val);
}

/*
 * Let the guest take interrupts until it has read @n bytes in all, then
 * check the bytes and that each came with @vector.
 */
static void expect_bytes(struct __test_metadata *_metadata, struct ig_vm *g,
			 const uint8_t *want, unsigned int n, uint8_t vector)
{
	const uint8_t *data = ig_mem(g, IG_DATA);
	uint8_t log[IG_LOG_MAX];
	unsigned int i, got;

	ASSERT_EQ(0, ig_cmd(g, IG_OP_WAIT_IRQS, 0, 0, WAIT, n, 0))
		TH_LOG("%s", g->err);
	got = *(uint32_t *)ig_mem(g, IG_NDATA);
	ASSERT_EQ(n, got);
	ASSERT_EQ(n, ig_log(g, log, sizeof(log)));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(want[i], data[i]) TH_LOG("byte %u", i);
		EXPECT_EQ(vector, log[i]) TH_LOG("byte %u", i);
	}
	/* and nothing more comes */
	ASSERT_EQ(0, ig_cmd(g, IG_OP_SPIN_TSC, 0, 0, WAIT / 8, 0, 0));
	EXPECT_EQ(n, ig_nirq(g));
}

/*
 * Scan code set 2 translated to set 1 by the controller (command byte
 * bit 6), then raw set 2 with translation off, then set 1 selected on
 * the keyboard (0xf0 0x01) with translation off.
 */
TEST_F(kbc, keys_set1_set2_translation)
{
	static const uint8_t want[] = {
		0x47,				/* command byte read back */
		0x1e, 0x9e,			/* A, translated */
		0xe0, 0x1d, 0xe0, 0x9d,		/* right Ctrl, translated */
		0x1c, 0xf0, 0x1c,		/* A, set 2 raw */
		0xe0, 0x14, 0xe0, 0xf0, 0x14,	/* right Ctrl, set 2 raw */
		0xfa, 0xfa,			/* 0xf0 0x01: ACK, ACK */
		0xfa, 0xfa, 0x01,		/* 0xf0 0x00: ACK, ACK, set 1 */
		0x1e, 0x9e,			/* A, set 1 raw */
	};
	struct ig_vm *g = &self->g;
	unsigned int n = 0;

	ASSERT_EQ(0, ctrl_cmd(g, 0x60, CB_XLAT_ON));
	ASSERT_EQ(0, ctrl_cmd(g, 0x20, -1));
	expect_bytes(_metadata, g, want, n += 1, 0x21);
	ASSERT_EQ(0, key(g, KEY_A, 1));
	ASSERT_EQ(0, key(g, KEY_A, 0));
	ASSERT_EQ(0, key(g, KEY_RIGHTCTRL, 1));
	ASSERT_EQ(0, key(g, KEY_RIGHTCTRL, 0));
	expect_bytes(_metadata, g, want, n += 6, 0x21);
	ASSERT_EQ(0, ctrl_cmd(g, 0x60, CB_XLAT_OFF));
	ASSERT_EQ(0, key(g, KEY_A, 1));
	ASSERT_EQ(0, key(g, KEY_A, 0));
	ASSERT_EQ(0, key(g, KEY_RIGHTCTRL, 1));
	ASSERT_EQ(0, key(g, KEY_RIGHTCTRL, 0));
	expect_bytes(_metadata, g, want, n += 8, 0x21);
	ASSERT_EQ(0, ig_out(g, 0x60, 0xf0));
	ASSERT_EQ(0, ig_out(g, 0x60, 0x01));
	expect_bytes(_metadata, g, want, n += 2, 0x21);
	ASSERT_EQ(0, ig_out(g, 0x60, 0xf0));
	ASSERT_EQ(0, ig_out(g, 0x60, 0x00));
	expect_bytes(_metadata, g, want, n += 3, 0x21);
	ASSERT_EQ(0, key(g, KEY_A, 1));
	ASSERT_EQ(0, key(g, KEY_A, 0));
	expect_bytes(_metadata, g, want, n += 2, 0x21);
	ASSERT_EQ(ARRAY_SIZE(want), n);
}

/*
 * IntelliMouse knock (sample rates 200, 100, 80), read ID = 3, enable,
 * then 4-byte packets on IRQ12 for host mouse events.
 */
TEST_F(kbc, intellimouse_packets)
{
	static const uint8_t want[] = {
		0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa,	/* f3 c8 f3 64 f3 50 */
		0xfa, 0x03,				/* f2: ACK, ID 3 */
		0xfa,					/* f4 */
		0x09, 0x05, 0x03, 0xff,	/* left, right 5, up 3, wheel up */
		0x38, 0xfe, 0xfc, 0x00,	/* left 2, down 4, released */
	};
	static const uint8_t cmds[] = { 0xf3, 200, 0xf3, 100, 0xf3, 80 };
	struct ig_vm *g = &self->g;
	unsigned int i;

	ASSERT_EQ(0, ctrl_cmd(g, 0x60, CB_XLAT_ON));
	ASSERT_EQ(0, ctrl_cmd(g, 0xa8, -1));
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		ASSERT_EQ(0, aux_write(g, cmds[i]));
	expect_bytes(_metadata, g, want, 6, 0x2c);
	ASSERT_EQ(0, aux_write(g, 0xf2));
	expect_bytes(_metadata, g, want, 8, 0x2c);
	ASSERT_EQ(0, aux_write(g, 0xf4));
	expect_bytes(_metadata, g, want, 9, 0x2c);
	/* REL_Y and REL_WHEEL senses are the reverse of PS/2's */
	ASSERT_EQ(0, mouse(g, HVMM_MOUSE_BTN_LEFT, 5, -3, 1));
	expect_bytes(_metadata, g, want, 13, 0x2c);
	ASSERT_EQ(0, mouse(g, 0, -2, 4, 0));
	expect_bytes(_metadata, g, want, 17, 0x2c);
}

/*
 * Thousands of key events while the guest reads nothing: the keyboard
 * keeps 16 bytes and then the overrun code (PS/2 reference, "Keyboard
 * Buffer"); the guest then reads a bounded, well-formed stream and new
 * keys arrive again.  The same for the mouse: motion saturates, the
 * stream stays in whole 4-byte packets.
 */
TEST_F(kbc, input_floods)
{
	const uint8_t *data = ig_mem(&self->g, IG_DATA);
	struct ig_vm *g = &self->g;
	unsigned int i, n, bad = 0;
	int err;

	ASSERT_EQ(0, ctrl_cmd(g, 0x60, CB_XLAT_ON));
	for (i = 0; i < 5000; i++) {
		err = key(g, KEY_A, !(i & 1));
		ASSERT_EQ(0, err) TH_LOG("event %u: %s", i, strerror(-err));
	}
	ASSERT_EQ(0, ig_cmd(g, IG_OP_WAIT_IRQS, 0, 0, WAIT, 100, 0));
	n = *(uint32_t *)ig_mem(g, IG_NDATA);
	TH_LOG("keyboard flood: guest read %u bytes", n);
	EXPECT_LE(1, n);
	EXPECT_GE(1 + HVMM_PS2_KBD_QUEUE_SLOTS, n);
	for (i = 0; i < n && i < IG_DATA_MAX; i++)
		if (data[i] != 0x1e && data[i] != 0x9e && data[i] != 0xff)
			bad++;
	EXPECT_EQ(0, bad);
	ig_clear_log(g);
	ASSERT_EQ(0, key(g, KEY_B, 1));
	expect_bytes(_metadata, g, (const uint8_t []){ 0x30 }, 1, 0x21);

	ig_clear_log(g);
	ASSERT_EQ(0, ctrl_cmd(g, 0xa8, -1));
	ASSERT_EQ(0, aux_write(g, 0xf4));
	expect_bytes(_metadata, g, (const uint8_t []){ 0xfa }, 1, 0x2c);
	ig_clear_log(g);
	for (i = 0; i < 5000; i++)
		ASSERT_EQ(0, mouse(g, i & 1, 1000, -1000, 0));
	*(uint32_t *)ig_mem(g, IG_NIRQ_LIMIT) = 480;
	ASSERT_EQ(0, ig_cmd(g, IG_OP_WAIT_IRQS, 0, 0, WAIT, 480, 0));
	n = *(uint32_t *)ig_mem(g, IG_NDATA);
	TH_LOG("mouse flood: guest read %u bytes", n);
	EXPECT_LE(3, n);
	for (i = 0; i + 2 < n && i < IG_DATA_MAX; i += 3)
		if (!(data[i] & 0x08))
			bad++;
	EXPECT_EQ(0, bad) TH_LOG("packets out of sync");
}

/* Bad events are refused (uapi: -EINVAL), nothing reaches the guest. */
TEST_F(kbc, bad_events)
{
	struct hvmm_input_event ev;
	struct ig_vm *g = &self->g;

	ASSERT_EQ(0, ctrl_cmd(g, 0x60, CB_XLAT_ON));
	memset(&ev, 0, sizeof(ev));
	ev.type = 99;
	EXPECT_EQ(-1, ioctl(g->vm.vm_fd, HVMM_INPUT_EVENT, &ev));
	EXPECT_EQ(EINVAL, errno);
	ev.type = HVMM_INPUT_KEY;
	ev.code = KEY_A;
	ev.flags = 1;
	EXPECT_EQ(-1, ioctl(g->vm.vm_fd, HVMM_INPUT_EVENT, &ev));
	EXPECT_EQ(EINVAL, errno);
	ev.flags = 0;
	ev.pad = 1;
	EXPECT_EQ(-1, ioctl(g->vm.vm_fd, HVMM_INPUT_EVENT, &ev));
	EXPECT_EQ(EINVAL, errno);
	ev.pad = 0;
	ev.code = 0xffffff;
	EXPECT_EQ(-1, ioctl(g->vm.vm_fd, HVMM_INPUT_EVENT, &ev));
	EXPECT_EQ(EINVAL, errno);
	ev.type = HVMM_INPUT_MOUSE;
	ev.code = 0;
	ev.value = 0x80;
	EXPECT_EQ(-1, ioctl(g->vm.vm_fd, HVMM_INPUT_EVENT, &ev));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(g->vm.vm_fd, HVMM_INPUT_EVENT, NULL));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, ig_cmd(g, IG_OP_SPIN_TSC, 0, 0, WAIT / 8, 0, 0));
	EXPECT_EQ(0, ig_nirq(g));
}

/*
 * Keys queued but unread, saved (PIC, i8042, registers, memory) and
 * restored into a new VM: the new guest reads the same bytes, and the
 * keyboard goes on from there.
 */
TEST_F(kbc, state_moves_to_new_vm)
{
	static const uint8_t want[] = { 0x1e, 0x30, 0x2e, 0x9e };
	struct hvmm_i8042_config cfg;
	struct hvmm_i8042_state st, st2;
	struct kvm_irqchip pic[2];
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct ig_vm *a = &self->g, b;
	int i;

	memset(&cfg, 0, sizeof(cfg));
	ASSERT_EQ(0, ctrl_cmd(a, 0x60, CB_XLAT_ON));
	ASSERT_EQ(0, key(a, KEY_A, 1));
	ASSERT_EQ(0, key(a, KEY_B, 1));
	ASSERT_EQ(0, key(a, KEY_C, 1));
	ASSERT_EQ(0, ig_sync(a));
	memset(&st, 0, sizeof(st));
	ASSERT_EQ(0, ioctl(a->vm.vm_fd, HVMM_GET_I8042, &st));
	EXPECT_EQ(CB_XLAT_ON, st.ctrl.ram[0]);
	EXPECT_EQ(1, st.ctrl.obuf_full);
	for (i = 0; i < 2; i++) {
		pic[i].chip_id = i;
		ASSERT_EQ(0, ioctl(a->vm.vm_fd, KVM_GET_IRQCHIP, &pic[i]));
	}
	ASSERT_EQ(0, ioctl(a->vcpu.fd, KVM_GET_REGS, &regs));
	ASSERT_EQ(0, ioctl(a->vcpu.fd, KVM_GET_SREGS, &sregs));

	ASSERT_EQ(0, ig_create(&b, 1, 0)) TH_LOG("%s", b.err);
	ASSERT_EQ(0, ig_sync(&b));
	/* the i8042 state needs an i8042 */
	EXPECT_EQ(-1, ioctl(b.vm.vm_fd, HVMM_SET_I8042, &st));
	EXPECT_EQ(ENXIO, errno);
	ASSERT_EQ(0, ioctl(b.vm.vm_fd, HVMM_CREATE_I8042, &cfg));
	memcpy(b.vm.mem, a->vm.mem, GUEST_MEM_SIZE);
	ASSERT_EQ(0, ioctl(b.vcpu.fd, KVM_SET_SREGS, &sregs));
	ASSERT_EQ(0, ioctl(b.vcpu.fd, KVM_SET_REGS, &regs));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, ioctl(b.vm.vm_fd, KVM_SET_IRQCHIP, &pic[i]));
	ASSERT_EQ(0, ioctl(b.vm.vm_fd, HVMM_SET_I8042, &st));
	memset(&st2, 0, sizeof(st2));
	ASSERT_EQ(0, ioctl(b.vm.vm_fd, HVMM_GET_I8042, &st2));
	EXPECT_EQ(0, memcmp(&st, &st2, sizeof(st)));
	/* a corrupted state is refused */
	st2.kbd.queue_len = 200;
	EXPECT_EQ(-1, ioctl(b.vm.vm_fd, HVMM_SET_I8042, &st2));
	EXPECT_EQ(EINVAL, errno);

	/* both guests go on the same way */
	ASSERT_EQ(0, key(a, KEY_A, 0));
	ASSERT_EQ(0, key(&b, KEY_A, 0));
	expect_bytes(_metadata, a, want, 4, 0x21);
	expect_bytes(_metadata, &b, want, 4, 0x21);
	ig_destroy(&b);
}

int main(int argc, char **argv)
{
	int sys, r;

	require_vm("i8042_test");
	sys = dev_open();
	r = sys < 0 ? 0 : ioctl(sys, KVM_CHECK_EXTENSION, HVMM_CAP_I8042);
	if (sys >= 0)
		close(sys);
	if (r <= 0) {
		printf("TAP version 13\n1..0 # SKIP i8042_test: %s does not report HVMM_CAP_I8042\n",
		       dev_path());
		return 4;
	}
	return test_harness_run(argc, argv);
}
