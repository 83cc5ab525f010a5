// SPDX-License-Identifier: GPL-2.0
/*
 * PS/2 keyboard tests through the i8042, as a guest sees them.
 * References: IBM PS/2 Hardware Interface Technical Reference,
 * "Keyboards (101- and 102-Key)" (cited as [kbd] with its section), and
 * Linux drivers/input/keyboard/atkbd.c (cited as [atkbd]).
 */
#include <linux/input-event-codes.h>
#include "kselftest_harness.h"

#include "i8042_rig.h"

/* Untranslated keyboard: command byte with interrupts, no translation. */
static void rig_raw(struct rig *r)
{
	rig_init(r);
	write_ctr(r, 0x07);
}

#define key(r, code, pressed) \
	EXPECT_EQ(0, hvmm_i8042_key_event(&(r)->dev, (code), (pressed)))

#define tap(r, code) do {		\
	key((r), (code), true);		\
	key((r), (code), false);	\
} while (0)

static void select_set(struct rig *r, u8 set)
{
	kbd_send(r, 0xf0);
	kbd_send(r, set);
}

/* [kbd] "Reset (FF)": ACK, then BAT completion code AA. */
TEST(reset_ack_bat)
{
	struct rig r;

	rig_raw(&r);
	select_set(&r, 3);
	EXPECT_BYTES(&r, 0xfa, 0xfa);
	kbd_send(&r, 0xff);
	EXPECT_BYTES(&r, 0xfa, 0xaa);
	select_set(&r, 0);
	EXPECT_BYTES(&r, 0xfa, 0xfa, 0x02);	/* reset selects set 2 */
}

/* [kbd] "Read ID (F2)": ACK, AB 83; translated, 83 reads as 41. */
TEST(identify)
{
	struct rig r;

	rig_raw(&r);
	kbd_send(&r, 0xf2);
	EXPECT_BYTES(&r, 0xfa, 0xab, 0x83);
	write_ctr(&r, 0x47);
	kbd_send(&r, 0xf2);
	EXPECT_BYTES(&r, 0xfa, 0xab, 0x41);
}

/* [kbd] "Set/Reset Status Indicators (ED)": ACK, option byte, ACK. */
TEST(set_leds)
{
	struct rig r;
	struct hvmm_i8042_state s;

	rig_raw(&r);
	kbd_send(&r, 0xed);
	EXPECT_BYTES(&r, 0xfa);
	kbd_send(&r, 0x05);
	EXPECT_BYTES(&r, 0xfa);
	hvmm_i8042_get_state(&r.dev, &s);
	EXPECT_EQ(5, s.kbd.leds);
	/* A command instead of the option byte is executed as a command. */
	kbd_send(&r, 0xed);
	kbd_send(&r, 0xee);
	EXPECT_BYTES(&r, 0xfa, 0xee);
	hvmm_i8042_get_state(&r.dev, &s);
	EXPECT_EQ(0, s.kbd.pending_cmd);
	EXPECT_EQ(5, s.kbd.leds);
}

/* [kbd] "Select Alternate Scan Codes (F0)": 0 reads, 1-3 select. */
TEST(scancode_set_get_set)
{
	struct rig r;
	u8 set;

	rig_raw(&r);
	for (set = 1; set <= 3; set++) {
		select_set(&r, set);
		EXPECT_BYTES(&r, 0xfa, 0xfa);
		select_set(&r, 0);	/* ACK, ACK of the 0, the set */
		EXPECT_EQ(0xfa, rd(&r));
		EXPECT_EQ(0xfa, rd(&r));
		EXPECT_EQ(set, rd(&r));
	}
	select_set(&r, 4);		/* invalid: resend, still waiting */
	EXPECT_BYTES(&r, 0xfa, 0xfe);
	kbd_send(&r, 0x02);
	EXPECT_BYTES(&r, 0xfa);
	select_set(&r, 0);
	EXPECT_BYTES(&r, 0xfa, 0xfa, 0x02);
	/* Translated, the set number is translated too (2 -> 41). */
	write_ctr(&r, 0x47);
	select_set(&r, 0);
	EXPECT_BYTES(&r, 0xfa, 0xfa, 0x41);
}

/* [kbd] "Set Typematic Rate/Delay (F3)": bit 7 must be 0. */
TEST(typematic)
{
	struct rig r;
	struct hvmm_i8042_state s;

	rig_raw(&r);
	hvmm_i8042_get_state(&r.dev, &s);
	EXPECT_EQ(0x2b, s.kbd.typematic);	/* 10.9 cps, 500 ms */
	kbd_send(&r, 0xf3);
	kbd_send(&r, 0x20);
	EXPECT_BYTES(&r, 0xfa, 0xfa);
	hvmm_i8042_get_state(&r.dev, &s);
	EXPECT_EQ(0x20, s.kbd.typematic);
	kbd_send(&r, 0xf3);
	kbd_send(&r, 0x80);
	EXPECT_BYTES(&r, 0xfa, 0xfe);
	kbd_send(&r, 0x7f);
	EXPECT_BYTES(&r, 0xfa);
	hvmm_i8042_get_state(&r.dev, &s);
	EXPECT_EQ(0x7f, s.kbd.typematic);
	/* F6 restores the default; F5 too, and stops scanning. */
	kbd_send(&r, 0xf6);
	EXPECT_BYTES(&r, 0xfa);
	hvmm_i8042_get_state(&r.dev, &s);
	EXPECT_EQ(0x2b, s.kbd.typematic);
}

/* [kbd] "Default Disable (F5)", "Enable (F4)", "Set Default (F6)". */
TEST(enable_disable_defaults)
{
	struct rig r;

	rig_raw(&r);
	kbd_send(&r, 0xf5);
	EXPECT_BYTES(&r, 0xfa);
	tap(&r, KEY_A);
	EXPECT_NOTHING(&r);
	kbd_send(&r, 0xf4);
	EXPECT_BYTES(&r, 0xfa);
	tap(&r, KEY_A);
	EXPECT_BYTES(&r, 0x1c, 0xf0, 0x1c);
	kbd_send(&r, 0xf5);
	kbd_send(&r, 0xf6);
	EXPECT_BYTES(&r, 0xfa, 0xfa);
	key(&r, KEY_A, true);
	EXPECT_BYTES(&r, 0x1c);
	/* F4 clears the output buffer. */
	ctl(&r, 0xad);
	tap(&r, KEY_B);
	ctl(&r, 0xae);
	kbd_send(&r, 0xf4);
	EXPECT_BYTES(&r, 0x32, 0xfa);	/* 0x32 was already in the 8042 */
}

/* [kbd] "Echo (EE)", "Resend (FE)", and invalid commands. */
TEST(echo_resend_unknown)
{
	struct rig r;

	rig_raw(&r);
	kbd_send(&r, 0xee);
	EXPECT_BYTES(&r, 0xee);
	tap(&r, KEY_A);
	EXPECT_BYTES(&r, 0x1c, 0xf0, 0x1c);
	kbd_send(&r, 0xfe);
	EXPECT_BYTES(&r, 0x1c);
	kbd_send(&r, 0xf2);
	EXPECT_BYTES(&r, 0xfa, 0xab, 0x83);
	kbd_send(&r, 0xfe);
	EXPECT_BYTES(&r, 0x83);
	kbd_send(&r, 0xef);		/* not a keyboard command */
	EXPECT_BYTES(&r, 0xfe);
	kbd_send(&r, 0x42);		/* not a command at all */
	EXPECT_BYTES(&r, 0xfe);
	kbd_send(&r, 0xf1);
	EXPECT_BYTES(&r, 0xfe);
}

/* [kbd] "Scan Code Set 2": letters, E0 keys, Print Screen, Pause, F7. */
TEST(set2_keys_raw)
{
	struct rig r;

	rig_raw(&r);
	tap(&r, KEY_A);
	EXPECT_BYTES(&r, 0x1c, 0xf0, 0x1c);
	tap(&r, KEY_Z);
	EXPECT_BYTES(&r, 0x1a, 0xf0, 0x1a);
	tap(&r, KEY_RIGHTCTRL);
	EXPECT_BYTES(&r, 0xe0, 0x14, 0xe0, 0xf0, 0x14);
	tap(&r, KEY_UP);
	EXPECT_BYTES(&r, 0xe0, 0x75, 0xe0, 0xf0, 0x75);
	tap(&r, KEY_LEFT);
	EXPECT_BYTES(&r, 0xe0, 0x6b, 0xe0, 0xf0, 0x6b);
	tap(&r, KEY_KPENTER);
	EXPECT_BYTES(&r, 0xe0, 0x5a, 0xe0, 0xf0, 0x5a);
	tap(&r, KEY_KPSLASH);
	EXPECT_BYTES(&r, 0xe0, 0x4a, 0xe0, 0xf0, 0x4a);
	tap(&r, KEY_F7);
	EXPECT_BYTES(&r, 0x83, 0xf0, 0x83);
	tap(&r, KEY_SYSRQ);
	EXPECT_BYTES(&r, 0xe0, 0x12, 0xe0, 0x7c,
		     0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12);
	tap(&r, KEY_PAUSE);
	EXPECT_BYTES(&r, 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77);
	tap(&r, KEY_LEFTMETA);
	EXPECT_BYTES(&r, 0xe0, 0x1f, 0xe0, 0xf0, 0x1f);
}

/* [kbd] Print Screen and Pause with modifiers held. */
TEST(set2_modifier_variants)
{
	struct rig r;

	rig_raw(&r);
	key(&r, KEY_LEFTCTRL, true);
	key(&r, KEY_PAUSE, true);		/* Break */
	key(&r, KEY_PAUSE, false);
	key(&r, KEY_LEFTCTRL, false);
	EXPECT_BYTES(&r, 0x14, 0xe0, 0x7e, 0xe0, 0xf0, 0x7e, 0xf0, 0x14);
	key(&r, KEY_RIGHTSHIFT, true);
	tap(&r, KEY_SYSRQ);
	key(&r, KEY_RIGHTSHIFT, false);
	EXPECT_BYTES(&r, 0x59, 0xe0, 0x7c, 0xe0, 0xf0, 0x7c, 0xf0, 0x59);
	key(&r, KEY_LEFTALT, true);
	tap(&r, KEY_SYSRQ);			/* SysRq */
	key(&r, KEY_LEFTALT, false);
	EXPECT_BYTES(&r, 0x11, 0x84, 0xf0, 0x84, 0xf0, 0x11);
	/* A keyboard reset does not release keys the host still holds. */
	key(&r, KEY_RIGHTCTRL, true);
	kbd_send(&r, 0xff);
	/* Reset empties the keyboard's buffer; e0 was in the 8042 already. */
	EXPECT_BYTES(&r, 0xe0, 0xfa, 0xaa);
	key(&r, KEY_PAUSE, true);
	EXPECT_BYTES(&r, 0xe0, 0x7e, 0xe0, 0xf0, 0x7e);
}

/* [kbd] "Scan Code Translation" by the 8042: set 2 read as set 1. */
TEST(set2_keys_translated)
{
	struct rig r;

	rig_init(&r);
	tap(&r, KEY_A);
	EXPECT_BYTES(&r, 0x1e, 0x9e);
	tap(&r, KEY_RIGHTCTRL);
	EXPECT_BYTES(&r, 0xe0, 0x1d, 0xe0, 0x9d);
	tap(&r, KEY_UP);
	EXPECT_BYTES(&r, 0xe0, 0x48, 0xe0, 0xc8);
	tap(&r, KEY_KPENTER);
	EXPECT_BYTES(&r, 0xe0, 0x1c, 0xe0, 0x9c);
	tap(&r, KEY_F7);
	EXPECT_BYTES(&r, 0x41, 0xc1);
	tap(&r, KEY_SYSRQ);
	EXPECT_BYTES(&r, 0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa);
	tap(&r, KEY_PAUSE);
	EXPECT_BYTES(&r, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);
	tap(&r, KEY_ESC);
	EXPECT_BYTES(&r, 0x01, 0x81);
}

/* [kbd] "Scan Code Set 1", untranslated: the same bytes. */
TEST(set1_keys_raw)
{
	struct rig r;

	rig_raw(&r);
	select_set(&r, 1);
	EXPECT_BYTES(&r, 0xfa, 0xfa);
	tap(&r, KEY_A);
	EXPECT_BYTES(&r, 0x1e, 0x9e);
	tap(&r, KEY_RIGHTCTRL);
	EXPECT_BYTES(&r, 0xe0, 0x1d, 0xe0, 0x9d);
	tap(&r, KEY_DOWN);
	EXPECT_BYTES(&r, 0xe0, 0x50, 0xe0, 0xd0);
	tap(&r, KEY_KPENTER);
	EXPECT_BYTES(&r, 0xe0, 0x1c, 0xe0, 0x9c);
	tap(&r, KEY_SYSRQ);
	EXPECT_BYTES(&r, 0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa);
	tap(&r, KEY_PAUSE);
	EXPECT_BYTES(&r, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);
}

/* [kbd] "Scan Code Set 3": one byte per key, break per key type. */
TEST(set3_keys_and_types)
{
	struct rig r;

	rig_raw(&r);
	select_set(&r, 3);
	EXPECT_BYTES(&r, 0xfa, 0xfa);
	/* Power-on types: letters typematic (no break), shifts make/break. */
	tap(&r, KEY_A);
	EXPECT_BYTES(&r, 0x1c);
	tap(&r, KEY_LEFTSHIFT);
	EXPECT_BYTES(&r, 0x12, 0xf0, 0x12);
	/* [atkbd] set 3 uses FA: all keys typematic/make/break. */
	kbd_send(&r, 0xfa);
	EXPECT_BYTES(&r, 0xfa);
	tap(&r, KEY_A);
	EXPECT_BYTES(&r, 0x1c, 0xf0, 0x1c);
	tap(&r, KEY_RIGHTCTRL);
	EXPECT_BYTES(&r, 0x58, 0xf0, 0x58);
	tap(&r, KEY_KPENTER);
	EXPECT_BYTES(&r, 0x79, 0xf0, 0x79);
	tap(&r, KEY_UP);
	EXPECT_BYTES(&r, 0x63, 0xf0, 0x63);
	tap(&r, KEY_SYSRQ);
	EXPECT_BYTES(&r, 0x57, 0xf0, 0x57);
	tap(&r, KEY_PAUSE);
	EXPECT_BYTES(&r, 0x62, 0xf0, 0x62);
	tap(&r, KEY_F1);
	EXPECT_BYTES(&r, 0x07, 0xf0, 0x07);
	/* FD: listed keys make only, until the next command. */
	kbd_send(&r, 0xfd);
	kbd_send(&r, 0x1c);
	kbd_send(&r, 0x07);
	EXPECT_BYTES(&r, 0xfa, 0xfa, 0xfa);
	kbd_send(&r, 0xf4);
	EXPECT_BYTES(&r, 0xfa);
	tap(&r, KEY_A);
	tap(&r, KEY_F1);
	tap(&r, KEY_B);
	EXPECT_BYTES(&r, 0x1c, 0x07, 0x32, 0xf0, 0x32);
	/* F8: all make/break again; F9: all make only. */
	kbd_send(&r, 0xf8);
	tap(&r, KEY_A);
	EXPECT_BYTES(&r, 0xfa, 0x1c, 0xf0, 0x1c);
	kbd_send(&r, 0xf9);
	tap(&r, KEY_LEFTSHIFT);
	EXPECT_BYTES(&r, 0xfa, 0x12);
	/* A key with no set-3 position sends nothing. */
	tap(&r, KEY_SLEEP);
	EXPECT_NOTHING(&r);
}

/*
 * [kbd] "Keyboard Buffer": 16 bytes; the 17th becomes the overrun code
 * (00 in sets 2/3, FF in set 1) and later keys are lost until it drains.
 */
TEST(overrun)
{
	struct rig r;
	u8 buf[64];
	int i, n;

	rig_raw(&r);
	ctl(&r, 0xad);
	for (i = 0; i < 20; i++)
		key(&r, KEY_A, true);
	ctl(&r, 0xae);
	n = drain(&r, buf, sizeof(buf));
	ASSERT_EQ(17, n);
	for (i = 0; i < 16; i++)
		EXPECT_EQ(0x1c, buf[i]);
	EXPECT_EQ(0x00, buf[16]);
	tap(&r, KEY_B);			/* accepted again once drained */
	EXPECT_BYTES(&r, 0x32, 0xf0, 0x32);

	select_set(&r, 1);
	EXPECT_BYTES(&r, 0xfa, 0xfa);
	ctl(&r, 0xad);
	for (i = 0; i < 40; i++)
		tap(&r, KEY_C);
	ctl(&r, 0xae);
	n = drain(&r, buf, sizeof(buf));
	ASSERT_EQ(17, n);
	EXPECT_EQ(0x2e, buf[0]);
	EXPECT_EQ(0xae, buf[1]);
	EXPECT_EQ(0xff, buf[16]);
	/* Translated set 2: its 00 overrun reads as set 1's FF. */
	select_set(&r, 2);
	EXPECT_BYTES(&r, 0xfa, 0xfa);
	write_ctr(&r, 0x57);
	for (i = 0; i < 17; i++)
		key(&r, KEY_A, true);
	ctl(&r, 0xae);
	n = drain(&r, buf, sizeof(buf));
	ASSERT_EQ(17, n);
	EXPECT_EQ(0x1e, buf[0]);
	EXPECT_EQ(0xff, buf[16]);
}

/* Responses never take a buffer position and survive a full buffer. */
TEST(responses_bypass_buffer)
{
	struct rig r;
	u8 buf[64];
	int i, n;

	rig_raw(&r);
	ctl(&r, 0xad);
	for (i = 0; i < 20; i++)
		key(&r, KEY_A, true);
	kbd_send(&r, 0xee);
	ctl(&r, 0xae);
	n = drain(&r, buf, sizeof(buf));
	ASSERT_EQ(18, n);
	EXPECT_EQ(0xee, buf[0]);
	EXPECT_EQ(0x00, buf[17]);
}

/* Key codes a PS/2 keyboard lacks are refused. */
TEST(unknown_keycodes)
{
	struct rig r;

	rig_raw(&r);
	EXPECT_EQ(-EINVAL, hvmm_i8042_key_event(&r.dev, 0, true));
	EXPECT_EQ(-EINVAL, hvmm_i8042_key_event(&r.dev, KEY_F13, true));
	EXPECT_EQ(-EINVAL, hvmm_i8042_key_event(&r.dev, KEY_MAX, false));
	EXPECT_EQ(-EINVAL, hvmm_i8042_key_event(&r.dev, 0xffffffff, true));
	EXPECT_EQ(-EINVAL, hvmm_i8042_key_event(&r.dev, BTN_LEFT, true));
	EXPECT_NOTHING(&r);
}

/*
 * [atkbd] atkbd_probe(), atkbd_select_set(), atkbd_activate() and
 * atkbd_set_leds()/_repeat_rate() on a translating controller.
 */
TEST(linux_atkbd_probe)
{
	struct rig r;

	rig_init(&r);
	kbd_send(&r, 0xf2);			/* ATKBD_CMD_GETID */
	EXPECT_BYTES(&r, 0xfa, 0xab, 0x41);
	kbd_send(&r, 0xf5);			/* ATKBD_CMD_RESET_DIS */
	EXPECT_BYTES(&r, 0xfa);
	kbd_send(&r, 0xf0);			/* ATKBD_CMD_SSCANSET 2 */
	kbd_send(&r, 0x02);
	EXPECT_BYTES(&r, 0xfa, 0xfa);
	kbd_send(&r, 0xf4);			/* ATKBD_CMD_ENABLE */
	EXPECT_BYTES(&r, 0xfa);
	kbd_send(&r, 0xed);			/* ATKBD_CMD_SETLEDS */
	kbd_send(&r, 0x00);
	EXPECT_BYTES(&r, 0xfa, 0xfa);
	kbd_send(&r, 0xf3);			/* ATKBD_CMD_SETREP */
	kbd_send(&r, 0x00);
	EXPECT_BYTES(&r, 0xfa, 0xfa);
	tap(&r, KEY_ENTER);
	EXPECT_BYTES(&r, 0x1c, 0x9c);
	EXPECT_EQ(0, r.irq_with_lock_free);
}

TEST_HARNESS_MAIN
