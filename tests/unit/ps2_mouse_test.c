// SPDX-License-Identifier: GPL-2.0
/*
 * PS/2 mouse tests through the i8042 (0xd4 writes, AUX OBF reads).
 * References: IBM PS/2 Hardware Interface Technical Reference, "Pointing
 * Device" (cited as [mouse] with its section), and Linux
 * drivers/input/mouse/psmouse-base.c (cited as [psmouse]).
 */
#include "kselftest_harness.h"

#include "i8042_rig.h"

static inline void mouse_init(struct rig *r)
{
	rig_init(r);
	write_ctr(r, 0x07);
}

#define move(r, dx, dy, dz, b) \
	EXPECT_EQ(0, hvmm_i8042_mouse_event(&(r)->dev, (dx), (dy), (dz), (b)))

static inline void set_rate(struct rig *r, u8 rate)
{
	aux_send(r, 0xf3);
	aux_send(r, rate);
}

/* Every aux byte comes with AUX OBF set. */
TEST(aux_bytes_flagged)
{
	struct rig r;

	mouse_init(&r);
	aux_send(&r, 0xf2);
	EXPECT_EQ(0x21, inb(&r, 0x64) & 0x21);
	EXPECT_EQ(0xfa, inb(&r, 0x60));
	EXPECT_EQ(0x21, inb(&r, 0x64) & 0x21);
	EXPECT_EQ(0x00, inb(&r, 0x60));
	EXPECT_EQ(0x00, inb(&r, 0x64) & 0x21);
	EXPECT_EQ(2, r.edges[12]);
}

/* [mouse] "Reset (FF)": ACK, completion code AA, ID 00; defaults. */
TEST(reset)
{
	struct rig r;

	mouse_init(&r);
	aux_send(&r, 0xf4);
	aux_send(&r, 0xe7);
	EXPECT_BYTES(&r, 0xfa, 0xfa);
	aux_send(&r, 0xff);
	EXPECT_BYTES(&r, 0xfa, 0xaa, 0x00);
	aux_send(&r, 0xe9);
	EXPECT_BYTES(&r, 0xfa, 0x00, 0x02, 100);
}

/* [mouse] "Status Request (E9)": mode, enable, scaling, buttons. */
TEST(status_request)
{
	struct rig r;

	mouse_init(&r);
	aux_send(&r, 0xe9);
	EXPECT_BYTES(&r, 0xfa, 0x00, 0x02, 100);
	aux_send(&r, 0xe7);
	aux_send(&r, 0xe8);
	aux_send(&r, 0x03);
	set_rate(&r, 40);
	aux_send(&r, 0xf0);		/* remote */
	EXPECT_BYTES(&r, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa);
	move(&r, 0, 0, 0, HVMM_MOUSE_BTN_LEFT | HVMM_MOUSE_BTN_RIGHT);
	aux_send(&r, 0xe9);
	EXPECT_BYTES(&r, 0xfa, 0x55, 0x03, 40);
	aux_send(&r, 0xea);		/* stream, enabled */
	aux_send(&r, 0xf4);
	aux_send(&r, 0xe6);
	EXPECT_BYTES(&r, 0xfa, 0xfa, 0xfa);
	move(&r, 0, 0, 0, HVMM_MOUSE_BTN_MIDDLE);
	EXPECT_BYTES(&r, 0x0c, 0x00, 0x00);
	aux_send(&r, 0xe9);
	EXPECT_BYTES(&r, 0xfa, 0x22, 0x03, 40);
}

/* [mouse] "Set Sample Rate (F3)" / "Set Resolution (E8)": bad values. */
TEST(invalid_arguments)
{
	struct rig r;

	mouse_init(&r);
	set_rate(&r, 55);
	EXPECT_BYTES(&r, 0xfa, 0xfe);
	aux_send(&r, 60);		/* still waiting for the rate */
	EXPECT_BYTES(&r, 0xfa);
	aux_send(&r, 0xe8);
	aux_send(&r, 0x04);
	EXPECT_BYTES(&r, 0xfa, 0xfe);
	aux_send(&r, 0xe9);		/* a command ends the wait */
	EXPECT_BYTES(&r, 0xfa, 0x00, 0x02, 60);
	aux_send(&r, 0xe1);		/* unknown command */
	EXPECT_BYTES(&r, 0xfe);
	aux_send(&r, 0x17);
	EXPECT_BYTES(&r, 0xfe);
}

/* [psmouse] intellimouse_detect(), im_explorer_detect(): the knocks. */
TEST(intellimouse_knocks)
{
	struct rig r;

	mouse_init(&r);
	aux_send(&r, 0xf2);
	EXPECT_BYTES(&r, 0xfa, 0x00);
	/* 200-200-80 first does nothing on a plain mouse. */
	set_rate(&r, 200);
	set_rate(&r, 200);
	set_rate(&r, 80);
	aux_send(&r, 0xf2);
	EXPECT_BYTES(&r, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x00);
	set_rate(&r, 200);
	set_rate(&r, 100);
	set_rate(&r, 80);
	aux_send(&r, 0xf2);
	EXPECT_BYTES(&r, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x03);
	set_rate(&r, 200);
	set_rate(&r, 200);
	set_rate(&r, 80);
	aux_send(&r, 0xf2);
	EXPECT_BYTES(&r, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x04);
	aux_send(&r, 0xff);
	EXPECT_BYTES(&r, 0xfa, 0xaa, 0x00);
	aux_send(&r, 0xf2);
	EXPECT_BYTES(&r, 0xfa, 0x00);
}

/* [mouse] "Data Report": byte 0 buttons, bit 3, signs; y up is positive. */
TEST(packet_encoding)
{
	struct rig r;

	mouse_init(&r);
	aux_send(&r, 0xf4);
	EXPECT_BYTES(&r, 0xfa);
	move(&r, 5, -3, 0, 0);		/* right 5, up 3 */
	EXPECT_BYTES(&r, 0x08, 0x05, 0x03);
	move(&r, -5, 7, 0, HVMM_MOUSE_BTN_LEFT);	/* left, down */
	EXPECT_BYTES(&r, 0x39, 0xfb, 0xf9);
	move(&r, 0, 0, 0, HVMM_MOUSE_BTN_LEFT | HVMM_MOUSE_BTN_RIGHT |
	     HVMM_MOUSE_BTN_MIDDLE);
	EXPECT_BYTES(&r, 0x0f, 0x00, 0x00);
	move(&r, 0, 0, 0, HVMM_MOUSE_BTN_LEFT | HVMM_MOUSE_BTN_RIGHT |
	     HVMM_MOUSE_BTN_MIDDLE);
	EXPECT_NOTHING(&r);		/* nothing changed, no packet */
	/* Buttons 4/5 cannot be reported by ID 0: no packet. */
	move(&r, 0, 0, 0, 0x07 | HVMM_MOUSE_BTN_SIDE);
	EXPECT_NOTHING(&r);
	move(&r, -256, 255, 0, 0);	/* the 9-bit extremes, no overflow */
	EXPECT_BYTES(&r, 0x38, 0x00, 0x01);
}

/*
 * [mouse] "Data Report": 9-bit two's complement counters with overflow
 * bits.  Motion beyond one packet is carried into the next ones.
 */
TEST(large_motion_split)
{
	struct rig r;
	u8 buf[64];
	int n, i, sum_x = 0, sum_y = 0;

	mouse_init(&r);
	aux_send(&r, 0xf4);
	EXPECT_BYTES(&r, 0xfa);
	move(&r, 300, 0, 0, 0);
	EXPECT_BYTES(&r, 0x48, 0xff, 0x00, 0x08, 0x2d, 0x00);
	move(&r, -600, 600, 0, 0);	/* left 600, down 600 */
	n = drain(&r, buf, sizeof(buf));
	ASSERT_EQ(9, n);
	EXPECT_EQ(0xf8, buf[0]);	/* both signs, both overflow */
	EXPECT_EQ(0x00, buf[1]);	/* -256 */
	EXPECT_EQ(0x00, buf[2]);
	EXPECT_EQ(0x38, buf[6]);	/* last: signs, no overflow */
	for (i = 0; i < n; i += 3) {
		EXPECT_EQ(0x08, buf[i] & 0x08);
		sum_x += buf[i + 1] - ((buf[i] << 4) & 0x100);
		sum_y += buf[i + 2] - ((buf[i] << 3) & 0x100);
	}
	EXPECT_EQ(-600, sum_x);
	EXPECT_EQ(-600, sum_y);
}

/* More motion than the queue holds waits in the counters, bounded. */
TEST(motion_waits_for_queue)
{
	struct rig r;
	struct hvmm_i8042_state s;
	u8 buf[1024];
	int n, i, sum_x = 0;

	mouse_init(&r);
	aux_send(&r, 0xf4);
	EXPECT_BYTES(&r, 0xfa);
	ctl(&r, 0xa7);			/* aux interface off */
	for (i = 0; i < 100; i++)
		move(&r, 0x7fffffff, 0, 0, 0);
	hvmm_i8042_get_state(&r.dev, &s);
	EXPECT_EQ(15, s.mouse.queue_len);	/* five 3-byte packets */
	EXPECT_EQ(HVMM_PS2_MOUSE_ACC_MAX, s.mouse.dx);	/* saturated */
	ctl(&r, 0xa8);
	n = drain(&r, buf, sizeof(buf));
	ASSERT_EQ(0, n % 3);
	for (i = 0; i < n; i += 3)
		sum_x += buf[i + 1] - ((buf[i] << 4) & 0x100);
	EXPECT_EQ(HVMM_PS2_MOUSE_ACC_MAX + 5 * 255, sum_x);
}

/* [mouse] "Scaling": 2:1 maps 1,2,3,4,5 to 1,1,3,6,9, then doubles. */
TEST(scaling_2_to_1)
{
	struct rig r;
	static const int in[] = { 1, 2, 3, 4, 5, 6, 100, -4, 200 };
	static const u8 out_b0[] = { 0x08, 0x08, 0x08, 0x08, 0x08, 0x08,
				     0x08, 0x18, 0x48 };
	static const u8 out_x[] = { 1, 1, 3, 6, 9, 12, 200, 0xfa, 0xff };
	size_t i;

	mouse_init(&r);
	aux_send(&r, 0xf4);
	aux_send(&r, 0xe7);
	EXPECT_BYTES(&r, 0xfa, 0xfa);
	for (i = 0; i < ARRAY_SIZE(in); i++) {
		move(&r, in[i], 0, 0, 0);
		EXPECT_EQ(out_b0[i], rd(&r));
		EXPECT_EQ(out_x[i], rd(&r));
		EXPECT_EQ(0, rd(&r));
	}
	/* Read Data in remote mode is never scaled. */
	aux_send(&r, 0xf0);
	EXPECT_BYTES(&r, 0xfa);
	move(&r, 4, 0, 0, 0);
	aux_send(&r, 0xeb);
	EXPECT_BYTES(&r, 0xfa, 0x08, 0x04, 0x00);
}

/* IntelliMouse (ID 3): 4-byte packets, byte 3 the wheel, -8..7. */
TEST(wheel_id3)
{
	struct rig r;

	mouse_init(&r);
	set_rate(&r, 200);
	set_rate(&r, 100);
	set_rate(&r, 80);
	aux_send(&r, 0xf4);
	EXPECT_BYTES(&r, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa);
	move(&r, 1, 0, 1, 0);		/* wheel away: PS/2 z = -1 */
	EXPECT_BYTES(&r, 0x08, 0x01, 0x00, 0xff);
	move(&r, 0, 0, -20, HVMM_MOUSE_BTN_SIDE);	/* not in ID 3 */
	EXPECT_BYTES(&r, 0x08, 0x00, 0x00, 0x07, 0x08, 0x00, 0x00, 0x07,
		     0x08, 0x00, 0x00, 0x06);
}

/* IntelliMouse Explorer (ID 4): wheel nibble plus buttons 4 and 5. */
TEST(wheel_buttons_id4)
{
	struct rig r;
	u8 acks[16];

	mouse_init(&r);
	set_rate(&r, 200);
	set_rate(&r, 100);
	set_rate(&r, 80);
	set_rate(&r, 200);
	set_rate(&r, 200);
	set_rate(&r, 80);
	aux_send(&r, 0xf4);
	EXPECT_EQ(13, drain(&r, acks, sizeof(acks)));
	move(&r, 0, 0, 3, HVMM_MOUSE_BTN_SIDE);
	EXPECT_BYTES(&r, 0x08, 0x00, 0x00, 0x1d);	/* z -3, button 4 */
	move(&r, 0, 0, 0, HVMM_MOUSE_BTN_EXTRA | HVMM_MOUSE_BTN_LEFT);
	EXPECT_BYTES(&r, 0x09, 0x00, 0x00, 0x20);
	move(&r, 0, 0, -2, HVMM_MOUSE_BTN_EXTRA | HVMM_MOUSE_BTN_LEFT);
	EXPECT_BYTES(&r, 0x09, 0x00, 0x00, 0x22);
}

/* [mouse] "Remote Mode" and "Read Data (EB)": data only on request. */
TEST(remote_mode_read_data)
{
	struct rig r;

	mouse_init(&r);
	aux_send(&r, 0xf4);
	aux_send(&r, 0xf0);
	EXPECT_BYTES(&r, 0xfa, 0xfa);
	move(&r, 10, -20, 0, HVMM_MOUSE_BTN_RIGHT);
	move(&r, 5, 0, 0, HVMM_MOUSE_BTN_RIGHT);
	EXPECT_NOTHING(&r);
	aux_send(&r, 0xeb);
	EXPECT_BYTES(&r, 0xfa, 0x0a, 15, 20);
	aux_send(&r, 0xeb);		/* counters were reset */
	EXPECT_BYTES(&r, 0xfa, 0x0a, 0, 0);
	aux_send(&r, 0xea);		/* back to stream */
	EXPECT_BYTES(&r, 0xfa);
	move(&r, 1, 0, 0, 0);
	EXPECT_BYTES(&r, 0x08, 0x01, 0x00);
}

/* [mouse] "Wrap Mode": echo all but FF and EC; EC returns. */
TEST(wrap_mode)
{
	struct rig r;

	mouse_init(&r);
	aux_send(&r, 0xf0);		/* remote, to return to */
	aux_send(&r, 0xee);
	EXPECT_BYTES(&r, 0xfa, 0xfa);
	aux_send(&r, 0x12);
	aux_send(&r, 0xf2);
	aux_send(&r, 0xe9);
	EXPECT_BYTES(&r, 0x12, 0xf2, 0xe9);
	move(&r, 5, 5, 0, 0);
	EXPECT_NOTHING(&r);
	aux_send(&r, 0xec);
	EXPECT_BYTES(&r, 0xfa);
	aux_send(&r, 0xe9);
	EXPECT_BYTES(&r, 0xfa, 0x40, 0x02, 100);	/* remote again */
	aux_send(&r, 0xee);
	aux_send(&r, 0xff);		/* reset works in wrap mode */
	EXPECT_BYTES(&r, 0xfa, 0xfa, 0xaa, 0x00);
	aux_send(&r, 0x33);
	EXPECT_BYTES(&r, 0xfe);
}

/* [mouse] "Enable/Disable": no reports while disabled, motion dropped. */
TEST(enable_disable_reporting)
{
	struct rig r;

	mouse_init(&r);
	move(&r, 5, 5, 0, 0);
	EXPECT_NOTHING(&r);
	aux_send(&r, 0xf4);
	EXPECT_BYTES(&r, 0xfa);
	move(&r, 1, 0, 0, 0);
	EXPECT_BYTES(&r, 0x08, 0x01, 0x00);
	aux_send(&r, 0xf5);
	EXPECT_BYTES(&r, 0xfa);
	move(&r, 1, 0, 0, 0);
	EXPECT_NOTHING(&r);
	aux_send(&r, 0xf4);
	EXPECT_BYTES(&r, 0xfa);
	move(&r, 0, 0, 0, 0);
	EXPECT_NOTHING(&r);
	/*
	 * A command ends a packet in progress; the byte the controller
	 * already holds stays there.
	 */
	move(&r, 2, 0, 0, 0);
	move(&r, 3, 0, 0, 0);
	EXPECT_EQ(0x08, rd(&r));
	aux_send(&r, 0xf5);
	EXPECT_BYTES(&r, 0x02, 0xfa);
	/* F6: defaults, reporting off. */
	aux_send(&r, 0xf4);
	aux_send(&r, 0xf6);
	EXPECT_BYTES(&r, 0xfa, 0xfa);
	move(&r, 2, 0, 0, 0);
	EXPECT_NOTHING(&r);
}

/* [mouse] "Resend (FE)": the last packet again. */
TEST(resend)
{
	struct rig r;

	mouse_init(&r);
	aux_send(&r, 0xfe);		/* nothing sent yet: an ACK */
	EXPECT_BYTES(&r, 0xfa);
	aux_send(&r, 0xf4);
	EXPECT_BYTES(&r, 0xfa);
	move(&r, 3, 4, 0, 0);
	EXPECT_BYTES(&r, 0x28, 0x03, 0xfc);
	aux_send(&r, 0xfe);
	EXPECT_BYTES(&r, 0x28, 0x03, 0xfc);
}

/* Unknown button bits are refused. */
TEST(invalid_buttons)
{
	struct rig r;

	mouse_init(&r);
	EXPECT_EQ(-EINVAL, hvmm_i8042_mouse_event(&r.dev, 0, 0, 0, 0x20));
	EXPECT_EQ(-EINVAL, hvmm_i8042_mouse_event(&r.dev, 1, 1, 1,
						  0x80000000));
}

/*
 * [psmouse] psmouse_probe() (GETID), psmouse_reset(), the IntelliMouse
 * and Explorer knocks, psmouse_initialize() (rate, resolution, scaling)
 * and psmouse_activate(), then a 4-byte Explorer packet as
 * psmouse_process_byte() decodes it.
 */
TEST(linux_psmouse_probe)
{
	struct rig r;
	u8 p[4];

	rig_init(&r);			/* translating, both IRQs on */
	aux_send(&r, 0xf2);
	EXPECT_BYTES(&r, 0xfa, 0x00);
	aux_send(&r, 0xff);
	EXPECT_BYTES(&r, 0xfa, 0xaa, 0x00);
	aux_send(&r, 0xf5);
	EXPECT_BYTES(&r, 0xfa);
	set_rate(&r, 200);
	set_rate(&r, 100);
	set_rate(&r, 80);
	aux_send(&r, 0xf2);
	EXPECT_BYTES(&r, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x03);
	set_rate(&r, 200);
	set_rate(&r, 200);
	set_rate(&r, 80);
	aux_send(&r, 0xf2);
	EXPECT_BYTES(&r, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x04);
	set_rate(&r, 100);
	aux_send(&r, 0xe8);
	aux_send(&r, 0x03);
	aux_send(&r, 0xe6);
	aux_send(&r, 0xf4);
	EXPECT_BYTES(&r, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa);
	move(&r, -3, 2, 1, HVMM_MOUSE_BTN_LEFT | HVMM_MOUSE_BTN_EXTRA);
	ASSERT_EQ(4, drain(&r, p, 4));
	EXPECT_EQ(1, p[0] & 1);					/* BTN_LEFT */
	EXPECT_EQ(-3, (int)p[1] - (int)((p[0] << 4) & 0x100));	/* REL_X */
	EXPECT_EQ(2, (int)((p[0] << 3) & 0x100) - (int)p[2]);	/* REL_Y */
	EXPECT_EQ(1, (int)(p[3] & 8) - (int)(p[3] & 7));	/* REL_WHEEL */
	EXPECT_EQ(1, (p[3] >> 5) & 1);				/* BTN_EXTRA */
	EXPECT_EQ(0, (p[3] >> 4) & 1);				/* BTN_SIDE */
	EXPECT_EQ(0, r.irq_with_lock_free);
	EXPECT_EQ(0, r.level[1]);
}

TEST_HARNESS_MAIN
