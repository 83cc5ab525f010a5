/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PS/2 (MF II) keyboard: the device on the i8042's first port.  A pure
 * state machine; the i8042 (its only user) serialises every call with its
 * own lock.
 */
#ifndef HVMM_DEVICES_PS2_KBD_H
#define HVMM_DEVICES_PS2_KBD_H

#include "platform.h"
#include <linux/hvmm.h>

struct hvmm_ps2_kbd {
	struct hvmm_ps2_kbd_state st;
};

/* Keyboard replies (IBM PS/2 Technical Reference, "Keyboard", commands). */
#define HVMM_PS2_ACK		0xfa
#define HVMM_PS2_RESEND		0xfe
#define HVMM_PS2_ERROR		0xfc
#define HVMM_PS2_BAT_OK		0xaa
#define HVMM_PS2_ECHO		0xee

/* Set-2 prefixes the 8042 translation knows. */
#define HVMM_PS2_SET2_BREAK	0xf0
#define HVMM_PS2_SET2_E0	0xe0

u8 hvmm_ps2_xlate(u8 set2_byte);
void hvmm_ps2_kbd_reset(struct hvmm_ps2_kbd *kbd);
void hvmm_ps2_kbd_write(struct hvmm_ps2_kbd *kbd, u8 val);
bool hvmm_ps2_kbd_pop(struct hvmm_ps2_kbd *kbd, u8 *val);
bool hvmm_ps2_kbd_pending(const struct hvmm_ps2_kbd *kbd);
int hvmm_ps2_kbd_key_event(struct hvmm_ps2_kbd *kbd, u32 keycode,
			   bool pressed);
void hvmm_ps2_kbd_get_state(const struct hvmm_ps2_kbd *kbd,
			    struct hvmm_ps2_kbd_state *st);
int hvmm_ps2_kbd_check_state(const struct hvmm_ps2_kbd_state *st);
void hvmm_ps2_kbd_set_state(struct hvmm_ps2_kbd *kbd,
			    const struct hvmm_ps2_kbd_state *st);

#endif /* HVMM_DEVICES_PS2_KBD_H */
