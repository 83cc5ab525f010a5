// SPDX-License-Identifier: GPL-2.0
/*
 * i8042 controller tests, driven through ports 0x60/0x64 as a guest does.
 * References: IBM PS/2 Hardware Interface Technical Reference, "Keyboard/
 * Auxiliary Device Controller" (cited as [8042] with its section), and
 * Linux drivers/input/serio/i8042.c (cited as [linux i8042]).
 */
#include <linux/input-event-codes.h>
#include "kselftest_harness.h"

#include "i8042_rig.h"

/* [8042] "Status Register": after reset SYS is set (firmware state), */
/* the inhibit switch reads unlocked, and bit 3 follows the last port. */
TEST(status_bits_after_reset)
{
	struct rig r;

	rig_init(&r);
	EXPECT_EQ(0x14, inb(&r, 0x64));
	ctl(&r, 0xae);
	EXPECT_EQ(0x1c, inb(&r, 0x64));	/* CMD: last write to 0x64 */
	kbd_send(&r, 0xee);			/* echo */
	EXPECT_EQ(0x15, inb(&r, 0x64));	/* OBF, CMD clear */
	EXPECT_EQ(0xee, inb(&r, 0x60));
	EXPECT_EQ(0x14, inb(&r, 0x64));
	EXPECT_EQ(0, r.irq_with_lock_free);
}

/* [8042] "Commands (I/O Address Hex 64)": 20 read / 60 write command byte. */
TEST(command_byte_read_write)
{
	struct rig r;

	rig_init(&r);
	EXPECT_EQ(0x47, read_ctr(&r));
	write_ctr(&r, 0x30);
	EXPECT_EQ(0x30, read_ctr(&r));
	EXPECT_EQ(0, inb(&r, 0x64) & 0x04);	/* SYS follows bit 2 */
	write_ctr(&r, 0x34);
	EXPECT_EQ(0x04, inb(&r, 0x64) & 0x04);
}

/* [8042] 21-3f / 61-7f read and write the controller's internal RAM. */
TEST(internal_ram)
{
	struct rig r;
	u8 i;

	rig_init(&r);
	for (i = 1; i < 32; i++)
		ctl_data(&r, 0x60 + i, 0x80 + i);
	for (i = 1; i < 32; i++) {
		ctl(&r, 0x20 + i);
		EXPECT_EQ(0x80 + i, rd(&r));
	}
	EXPECT_EQ(0x47, read_ctr(&r));
}

/* [8042] AA self-test -> 55 and sets SYS; AB/A9 interface tests -> 00. */
TEST(self_and_interface_tests)
{
	struct rig r;

	rig_init(&r);
	write_ctr(&r, 0x00);
	EXPECT_EQ(0, inb(&r, 0x64) & 0x04);
	ctl(&r, 0xaa);
	EXPECT_EQ(0x55, rd(&r));
	EXPECT_EQ(0x04, inb(&r, 0x64) & 0x04);
	ctl(&r, 0xab);
	EXPECT_EQ(0x00, rd(&r));
	ctl(&r, 0xa9);
	EXPECT_EQ(0x00, rd(&r));
	/* Controller replies come from the controller, not the mouse. */
	ctl(&r, 0xa9);
	EXPECT_EQ(0x01, inb(&r, 0x64) & 0x21);
	rd(&r);
	ctl(&r, 0xa4);			/* no password installed */
	EXPECT_EQ(0xf1, rd(&r));
}

/* [8042] AD/AE and A7/A8 clear and set command byte bits 4 and 5. */
TEST(disable_enable_interfaces)
{
	struct rig r;

	rig_init(&r);
	ctl(&r, 0xad);
	EXPECT_EQ(0x57, read_ctr(&r));
	ctl(&r, 0xa7);
	EXPECT_EQ(0x77, read_ctr(&r));
	ctl(&r, 0xae);
	EXPECT_EQ(0x67, read_ctr(&r));
	ctl(&r, 0xa8);
	EXPECT_EQ(0x47, read_ctr(&r));
	/* E0 reads the clock lines: held low while an interface is off. */
	ctl(&r, 0xe0);
	EXPECT_EQ(0x03, rd(&r));
	ctl(&r, 0xad);
	ctl(&r, 0xe0);
	EXPECT_EQ(0x02, rd(&r));
	ctl(&r, 0xa7);
	ctl(&r, 0xe0);
	EXPECT_EQ(0x00, rd(&r));
}

/* [8042] command byte bit 4: a disabled keyboard keeps its data. */
TEST(disabled_keyboard_holds_data)
{
	struct rig r;

	rig_init(&r);
	write_ctr(&r, 0x07);	/* no translation */
	ctl(&r, 0xad);
	EXPECT_EQ(0, hvmm_i8042_key_event(&r.dev, KEY_A, true));
	EXPECT_NOTHING(&r);
	EXPECT_EQ(0, r.level[1]);
	ctl(&r, 0xae);
	EXPECT_EQ(1, r.level[1]);
	EXPECT_BYTES(&r, 0x1c);
}

/* [8042] command byte bits 0/1 gate IRQ1/IRQ12; each byte is an edge. */
TEST(irq1_irq12_per_command_byte)
{
	struct rig r;

	rig_init(&r);
	write_ctr(&r, 0x00);	/* interrupts off, no translation */
	hvmm_i8042_key_event(&r.dev, KEY_A, true);
	EXPECT_EQ(0x01, inb(&r, 0x64) & 0x01);
	EXPECT_EQ(0, r.level[1]);
	EXPECT_EQ(0x1c, rd(&r));

	write_ctr(&r, 0x01);
	hvmm_i8042_key_event(&r.dev, KEY_A, false);	/* f0 1c */
	EXPECT_EQ(1, r.level[1]);
	EXPECT_EQ(1, r.edges[1]);
	EXPECT_EQ(0xf0, inb(&r, 0x60));
	EXPECT_EQ(1, r.level[1]);
	EXPECT_EQ(2, r.edges[1]);	/* lowered and raised for byte 2 */
	EXPECT_EQ(0x1c, inb(&r, 0x60));
	EXPECT_EQ(0, r.level[1]);
	EXPECT_EQ(0, r.level[12]);

	/* Mouse bytes: AUX OBF and IRQ12 only when bit 1 is set. */
	aux_send(&r, 0xf2);
	EXPECT_EQ(0x21, inb(&r, 0x64) & 0x21);
	EXPECT_EQ(0, r.level[12]);
	EXPECT_EQ(0xfa, inb(&r, 0x60));
	write_ctr(&r, 0x02);
	EXPECT_EQ(1, r.level[12]);
	EXPECT_EQ(0, r.level[1]);
	EXPECT_EQ(0x00, inb(&r, 0x60));
	EXPECT_EQ(0, r.level[12]);
	EXPECT_EQ(0, r.irq_with_lock_free);
}

/* [8042] D2/D3 write the output buffer as if from keyboard / mouse. */
TEST(write_output_buffers)
{
	struct rig r;

	rig_init(&r);
	ctl_data(&r, 0xd2, 0x9c);	/* never translated */
	EXPECT_EQ(0x01, inb(&r, 0x64) & 0x21);
	EXPECT_EQ(1, r.level[1]);
	EXPECT_EQ(0x9c, rd(&r));
	ctl_data(&r, 0xd3, 0x5a);
	EXPECT_EQ(0x21, inb(&r, 0x64) & 0x21);
	EXPECT_EQ(1, r.level[12]);
	EXPECT_EQ(0x5a, rd(&r));
	EXPECT_EQ(0, r.level[12]);
}

/* [8042] D0/D1 output port: bit 1 A20, bits 4/5 the buffer, bit 0 reset. */
TEST(output_port_a20_and_reset)
{
	struct rig r;

	rig_init(&r);
	ctl(&r, 0xd0);
	EXPECT_EQ(0xcf, rd(&r));	/* buffer empty when read */
	EXPECT_TRUE(hvmm_i8042_a20(&r.dev));
	ctl_data(&r, 0xd1, 0xdd);
	EXPECT_FALSE(hvmm_i8042_a20(&r.dev));
	EXPECT_EQ(0, r.resets);
	ctl(&r, 0xd0);
	EXPECT_EQ(0xcd, rd(&r));	/* bits 4/5 follow the buffer */
	ctl(&r, 0xdf);			/* fast A20 on */
	EXPECT_TRUE(hvmm_i8042_a20(&r.dev));
	ctl(&r, 0xdd);
	EXPECT_FALSE(hvmm_i8042_a20(&r.dev));
	ctl_data(&r, 0xd1, 0xde);	/* bit 0 low: CPU reset */
	EXPECT_EQ(1, r.resets);
	EXPECT_EQ(0, r.reset_with_lock_held);
}

/* [8042] F0-FF pulse output port bits 0-3 that are 0; bit 0 resets. */
TEST(pulse_output_lines)
{
	struct rig r;
	int c;

	rig_init(&r);
	ctl(&r, 0xfe);
	EXPECT_EQ(1, r.resets);
	ctl(&r, 0xff);			/* pulses nothing */
	EXPECT_EQ(1, r.resets);
	for (c = 0xf0; c <= 0xff; c++)
		ctl(&r, c);
	EXPECT_EQ(9, r.resets);		/* the eight even commands */
	EXPECT_EQ(0, r.reset_with_lock_held);
	EXPECT_TRUE(hvmm_i8042_a20(&r.dev));	/* a pulse changes nothing */
}

/* The VMM may reset the i8042 from reset_request: the lock is free. */
static void reset_from_callback(void *opaque)
{
	struct rig *r = opaque;

	r->resets++;
	hvmm_i8042_reset(&r->dev);
}

TEST(reset_request_may_reset_device)
{
	struct rig r;

	memset(&r, 0, sizeof(r));
	hvmm_i8042_init(&r.dev, rig_irq, reset_from_callback, &r);
	write_ctr(&r, 0x00);
	ctl(&r, 0xfe);
	EXPECT_EQ(1, r.resets);
	EXPECT_EQ(0x47, read_ctr(&r));
}

/* [8042] C0 reads the input port; unknown commands change nothing. */
TEST(input_port_and_unknown_commands)
{
	struct rig r;
	struct hvmm_i8042_state a, b;

	rig_init(&r);
	ctl(&r, 0xc0);
	EXPECT_EQ(0xbf, rd(&r));
	hvmm_i8042_get_state(&r.dev, &a);
	ctl(&r, 0xac);
	ctl(&r, 0xc1);
	ctl(&r, 0x00);
	ctl(&r, 0xe5);
	EXPECT_NOTHING(&r);
	hvmm_i8042_get_state(&r.dev, &b);
	EXPECT_EQ(0, memcmp(&a.kbd, &b.kbd, sizeof(a.kbd)));
	EXPECT_EQ(0, memcmp(a.ctrl.ram, b.ctrl.ram, sizeof(a.ctrl.ram)));
	EXPECT_EQ(0, b.ctrl.pending_cmd);
	/* A5 takes password bytes up to 00; they never reach the keyboard. */
	ctl(&r, 0xa5);
	kbd_send(&r, 0xf2);
	kbd_send(&r, 0x00);
	EXPECT_NOTHING(&r);
	kbd_send(&r, 0xee);
	EXPECT_EQ(0xee, rd(&r));
}

/* An empty output buffer reads its stale latch, without side effects. */
TEST(read_empty_buffer)
{
	struct rig r;

	rig_init(&r);
	ctl(&r, 0xaa);
	EXPECT_EQ(0x55, inb(&r, 0x60));
	EXPECT_EQ(0x55, inb(&r, 0x60));
	EXPECT_EQ(0, inb(&r, 0x64) & 0x01);
}

/* iodev.h contract: other sizes/offsets read all-ones, writes dropped. */
TEST(bad_sizes_and_ports)
{
	struct rig r;
	struct hvmm_i8042_state a, b;
	u64 v;
	u32 len;

	rig_init(&r);
	hvmm_i8042_get_state(&r.dev, &a);
	for (len = 0; len <= 9; len++) {
		if (len == 1)
			continue;
		v = 0x1234;
		EXPECT_EQ(0, r.dev.data_dev.ops->read(&r.dev.data_dev, 0, len,
						      &v));
		EXPECT_EQ(hvmm_all_ones(len), v);
		EXPECT_EQ(0, r.dev.cmd_dev.ops->read(&r.dev.cmd_dev, 0, len,
						     &v));
		EXPECT_EQ(hvmm_all_ones(len), v);
		r.dev.cmd_dev.ops->write(&r.dev.cmd_dev, 0, len, 0xfe);
		r.dev.data_dev.ops->write(&r.dev.data_dev, 0, len, 0xff);
	}
	r.dev.cmd_dev.ops->read(&r.dev.cmd_dev, 1, 1, &v);
	EXPECT_EQ(0xff, v);
	r.dev.cmd_dev.ops->write(&r.dev.cmd_dev, 3, 1, 0xfe);
	EXPECT_EQ(-EOPNOTSUPP, hvmm_iodev_read(&r.dev.data_dev, 0x61, 1, &v));
	EXPECT_EQ(-EOPNOTSUPP, hvmm_iodev_write(&r.dev.cmd_dev, 0x65, 1, 0));
	EXPECT_EQ(0, r.resets);
	hvmm_i8042_get_state(&r.dev, &b);
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
}

/* [8042] "Scan Code Translation": set 2 to set 1, f0 folds into bit 7. */
TEST(translation_on_and_off)
{
	struct rig r;

	rig_init(&r);
	hvmm_i8042_key_event(&r.dev, KEY_A, true);
	hvmm_i8042_key_event(&r.dev, KEY_A, false);
	EXPECT_BYTES(&r, 0x1e, 0x9e);
	hvmm_i8042_key_event(&r.dev, KEY_RIGHTCTRL, false);
	EXPECT_BYTES(&r, 0xe0, 0x9d);
	write_ctr(&r, 0x07);
	hvmm_i8042_key_event(&r.dev, KEY_A, true);
	hvmm_i8042_key_event(&r.dev, KEY_A, false);
	EXPECT_BYTES(&r, 0x1c, 0xf0, 0x1c);
}

/* Keyboard and mouse data interleave byte by byte, neither starves. */
TEST(kbd_and_aux_take_turns)
{
	struct rig r;
	int b, kbd = 0, aux = 0, i;

	rig_init(&r);
	aux_send(&r, 0xf4);
	EXPECT_EQ(0xfa, rd(&r));
	write_ctr(&r, 0x03);
	hvmm_i8042_key_event(&r.dev, KEY_A, false);	/* f0 1c */
	hvmm_i8042_key_event(&r.dev, KEY_B, false);	/* f0 32 */
	hvmm_i8042_mouse_event(&r.dev, 1, 1, 0, 0);	/* 3 bytes */
	for (i = 0; i < 7; i++) {
		u8 st = inb(&r, 0x64);

		ASSERT_EQ(1, st & 1);
		b = inb(&r, 0x60);
		if (st & 0x20)
			aux++;
		else
			kbd++;
		EXPECT_TRUE(abs(kbd - aux) <= 1);
	}
	(void)b;
	EXPECT_EQ(4, kbd);
	EXPECT_EQ(3, aux);
	EXPECT_NOTHING(&r);
}

/*
 * [linux i8042] i8042_controller_check(), _selftest(), _init(),
 * i8042_check_aux() and the aux port enable, as the driver issues them.
 */
TEST(linux_i8042_probe)
{
	struct rig r;
	u8 ctr;
	int i;

	rig_init(&r);
	hvmm_i8042_key_event(&r.dev, KEY_A, true);	/* stale byte */
	/* i8042_flush(): read while OBF, bounded. */
	for (i = 0; i < 16 && (inb(&r, 0x64) & 1); i++)
		inb(&r, 0x60);
	EXPECT_EQ(0, inb(&r, 0x64) & 1);
	ctl(&r, 0xaa);
	EXPECT_EQ(0x55, rd(&r));
	/* i8042_controller_init(): CTR read twice must agree. */
	ctr = read_ctr(&r);
	EXPECT_EQ(ctr, read_ctr(&r));
	ctr |= 0x30;		/* disable both ports */
	ctr &= ~0x03;
	write_ctr(&r, ctr);
	EXPECT_EQ(ctr, read_ctr(&r));
	/* i8042_check_mux(): F0, F6, A5 loop back unchanged: no MUX. */
	ctl_data(&r, 0xd3, 0xf0);
	EXPECT_EQ(0xf0, rd(&r));
	ctl_data(&r, 0xd3, 0xf6);
	EXPECT_EQ(0xf6, rd(&r));
	ctl_data(&r, 0xd3, 0xa5);
	EXPECT_EQ(0xa5, rd(&r));
	/* i8042_check_aux(): loopback through D3, status has AUX set. */
	ctl_data(&r, 0xd3, 0x5a);
	EXPECT_EQ(0x21, inb(&r, 0x64) & 0x21);
	EXPECT_EQ(0x5a, inb(&r, 0x60));
	/* i8042_toggle_aux(): A7 sets CTR bit 5, A8 clears it. */
	ctl(&r, 0xa7);
	EXPECT_EQ(0x20, read_ctr(&r) & 0x20);
	ctl(&r, 0xa8);
	EXPECT_EQ(0x00, read_ctr(&r) & 0x20);
	/* i8042_check_aux() also tries the aux IRQ: D3 with IRQ12 on. */
	write_ctr(&r, (ctr & ~0x20) | 0x02);
	ctl_data(&r, 0xd3, 0xa5);
	EXPECT_EQ(1, r.level[12]);
	EXPECT_EQ(0xa5, inb(&r, 0x60));
	ctl(&r, 0xa9);
	EXPECT_EQ(0x00, rd(&r));
	/* i8042_enable_kbd_port()/aux_port(): interrupts on, ports on. */
	write_ctr(&r, (ctr & ~0x30) | 0x03);
	EXPECT_EQ((ctr & ~0x30) | 0x03, read_ctr(&r));
	hvmm_i8042_key_event(&r.dev, KEY_ENTER, true);
	EXPECT_EQ(1, r.level[1]);
	EXPECT_BYTES(&r, 0x1c);
}

/* Host input events: struct hvmm_input_event is validated strictly. */
TEST(input_event_validation)
{
	struct rig r;
	struct hvmm_input_event ev = { .type = HVMM_INPUT_KEY,
				       .code = KEY_A, .value = 1 };

	rig_init(&r);
	EXPECT_EQ(0, hvmm_i8042_input_event(&r.dev, &ev));
	EXPECT_BYTES(&r, 0x1e);
	ev.flags = 1;
	EXPECT_EQ(-EINVAL, hvmm_i8042_input_event(&r.dev, &ev));
	ev.flags = 0;
	ev.value = 2;
	EXPECT_EQ(-EINVAL, hvmm_i8042_input_event(&r.dev, &ev));
	ev.value = 0;
	ev.pad = 1;
	EXPECT_EQ(-EINVAL, hvmm_i8042_input_event(&r.dev, &ev));
	ev.pad = 0;
	ev.code = 0xffffffff;
	EXPECT_EQ(-EINVAL, hvmm_i8042_input_event(&r.dev, &ev));
	ev.type = 3;
	EXPECT_EQ(-EINVAL, hvmm_i8042_input_event(&r.dev, &ev));
	memset(&ev, 0, sizeof(ev));
	ev.type = HVMM_INPUT_MOUSE;
	ev.value = 0x20;
	EXPECT_EQ(-EINVAL, hvmm_i8042_input_event(&r.dev, &ev));
	ev.value = HVMM_MOUSE_BTN_LEFT;
	ev.code = 1;
	EXPECT_EQ(-EINVAL, hvmm_i8042_input_event(&r.dev, &ev));
	ev.code = 0;
	EXPECT_EQ(0, hvmm_i8042_input_event(&r.dev, &ev));
	EXPECT_NOTHING(&r);	/* reporting is off after reset */
}

/* The uapi layout is fixed: no holes, sizes multiples of 8. */
TEST(uapi_layout)
{
	BUILD_BUG_ON(sizeof(struct hvmm_i8042_ctrl_state) != 40);
	BUILD_BUG_ON(sizeof(struct hvmm_ps2_kbd_state) != 96);
	BUILD_BUG_ON(sizeof(struct hvmm_ps2_mouse_state) != 48);
	BUILD_BUG_ON(sizeof(struct hvmm_i8042_state) != 192);
	BUILD_BUG_ON(sizeof(struct hvmm_input_event) != 32);
	BUILD_BUG_ON(offsetof(struct hvmm_i8042_state, ctrl) != 8);
	BUILD_BUG_ON(offsetof(struct hvmm_i8042_state, kbd) != 48);
	BUILD_BUG_ON(offsetof(struct hvmm_i8042_state, mouse) != 144);
	BUILD_BUG_ON(offsetof(struct hvmm_ps2_mouse_state, dx) != 36);
	EXPECT_EQ(192, sizeof(struct hvmm_i8042_state));
}

/* Build a busy state: bytes in every queue, commands half done. */
static void make_busy(struct rig *r)
{
	int i;

	write_ctr(r, 0x07);
	aux_send(r, 0xf4);
	rd(r);
	ctl(r, 0xad);
	ctl(r, 0xa7);
	for (i = 0; i < 5; i++)
		hvmm_i8042_key_event(&r->dev, KEY_Q + i, true);
	hvmm_i8042_mouse_event(&r->dev, 3000, -3, 0, HVMM_MOUSE_BTN_RIGHT);
	ctl_data(r, 0xd2, 0x42);
	ctl(r, 0xd4);			/* pending: aux write */
}

TEST(state_round_trip)
{
	struct rig r, q;
	struct hvmm_i8042_state a, b;
	u8 x[64], y[64];
	int nx, ny;

	rig_init(&r);
	make_busy(&r);
	ASSERT_EQ(0, hvmm_i8042_get_state(&r.dev, &a));
	EXPECT_EQ(0, a.flags);
	EXPECT_EQ(0xd4, a.ctrl.pending_cmd);
	EXPECT_EQ(5, a.kbd.queue_len);
	EXPECT_NE(0, a.mouse.queue_len);
	EXPECT_NE(0, a.mouse.dx);

	rig_init(&q);
	ASSERT_EQ(0, hvmm_i8042_set_state(&q.dev, &a));
	EXPECT_EQ(1, q.level[1]);	/* the restored byte drives IRQ1 */
	ASSERT_EQ(0, hvmm_i8042_get_state(&q.dev, &b));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));

	/* Both continue identically. */
	outb(&r, 0x60, 0xe9);
	outb(&q, 0x60, 0xe9);
	ctl(&r, 0xae);
	ctl(&q, 0xae);
	ctl(&r, 0xa8);
	ctl(&q, 0xa8);
	nx = drain(&r, x, sizeof(x));
	ny = drain(&q, y, sizeof(y));
	EXPECT_EQ(nx, ny);
	EXPECT_EQ(0, memcmp(x, y, nx));
	EXPECT_EQ(0x42, x[0]);
}

/* One or two fields of a state set to a value it can never hold. */
struct corruption {
	size_t off, size;
	s64 val;
	size_t off2, size2;
	s64 val2;
};

#define OFF(f)	offsetof(struct hvmm_i8042_state, f)
#define SIZE(f)	sizeof(((struct hvmm_i8042_state *)0)->f)
#define BAD(f, v)		{ OFF(f), SIZE(f), (v), 0, 0, 0 }
#define BAD2(f, v, g, w)	{ OFF(f), SIZE(f), (v), OFF(g), SIZE(g), (w) }

static const struct corruption corruptions[] = {
	BAD(flags, 1),
	BAD(pad, 1),
	BAD(ctrl.obuf_full, 2),
	BAD2(ctrl.obuf_full, 0, ctrl.obuf_aux, 1),
	BAD(ctrl.pending_cmd, 0x55),
	BAD(ctrl.out_port, 0xdf),		/* derived bit 4 */
	BAD(ctrl.out_port, 0xce),		/* reset line low */
	BAD(ctrl.xlate_f0, 2),
	BAD(ctrl.last_was_cmd, 3),
	BAD(ctrl.last_src_aux, 2),
	BAD(kbd.queue_len, HVMM_PS2_KBD_QUEUE_SLOTS + 1),
	BAD(kbd.resp_len, HVMM_PS2_KBD_RESP_SIZE + 1),
	BAD(kbd.scancode_set, 0),
	BAD(kbd.scancode_set, 4),
	BAD(kbd.leds, 8),
	BAD(kbd.typematic, 0x80),
	BAD(kbd.pending_cmd, 0xf2),
	BAD(kbd.overrun, 2),
	BAD(kbd.mods, 0x40),
	BAD(kbd.pad, 1),
	BAD(kbd.scanning, 2),
	BAD(kbd.queue_len, HVMM_PS2_KBD_QUEUE_SLOTS),	/* no overrun */
	BAD2(kbd.queue_len, 0, kbd.overrun, 1),
	BAD(mouse.queue_len, HVMM_PS2_MOUSE_QUEUE_SIZE + 1),
	BAD(mouse.mode, 3),
	BAD(mouse.wrap_prev, HVMM_PS2_MOUSE_WRAP),
	BAD(mouse.reporting, 2),
	BAD(mouse.scaling21, 2),
	BAD(mouse.resolution, 4),
	BAD(mouse.sample_rate, 55),
	BAD(mouse.id, 2),
	BAD(mouse.pending_cmd, 0xf4),
	BAD(mouse.buttons, 0x20),
	BAD(mouse.reported_buttons, 0x40),
	BAD(mouse.last_packet_len, 5),
	BAD(mouse.resp_len, HVMM_PS2_MOUSE_QUEUE_SIZE + 1),
	BAD(mouse.dx, HVMM_PS2_MOUSE_ACC_MAX + 1),
	BAD(mouse.dy, -HVMM_PS2_MOUSE_ACC_MAX - 1),
	BAD(mouse.dz, 0x7fffffff),
};

static void poke(struct hvmm_i8042_state *s, size_t off, size_t size,
		 s64 val)
{
	/* Little-endian host: the low bytes of @val are the field's. */
	memcpy((u8 *)s + off, &val, size);
}

/* Each invalid field is refused with -EINVAL and changes nothing. */
TEST(state_invalid)
{
	struct rig r;
	struct hvmm_i8042_state good, bad, now;
	size_t i;

	rig_init(&r);
	make_busy(&r);
	hvmm_i8042_get_state(&r.dev, &good);
	for (i = 0; i < ARRAY_SIZE(corruptions); i++) {
		const struct corruption *c = &corruptions[i];

		bad = good;
		poke(&bad, c->off, c->size, c->val);
		if (c->size2)
			poke(&bad, c->off2, c->size2, c->val2);
		EXPECT_EQ(-EINVAL, hvmm_i8042_set_state(&r.dev, &bad)) {
			TH_LOG("corruption %zu accepted", i);
		}
		hvmm_i8042_get_state(&r.dev, &now);
		EXPECT_EQ(0, memcmp(&good, &now, sizeof(now)));
	}
	EXPECT_EQ(0, hvmm_i8042_set_state(&r.dev, &good));
}

TEST_HARNESS_MAIN
