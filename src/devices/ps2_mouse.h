/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PS/2 mouse with the IntelliMouse (wheel) and IntelliMouse Explorer
 * (wheel, buttons 4/5) extensions: the device on the i8042's auxiliary
 * port.  A pure state machine; the i8042 serialises every call.
 */
#ifndef HVMM_DEVICES_PS2_MOUSE_H
#define HVMM_DEVICES_PS2_MOUSE_H

#include "platform.h"
#include <linux/hvmm.h>

struct hvmm_ps2_mouse {
	struct hvmm_ps2_mouse_state st;
};

void hvmm_ps2_mouse_reset(struct hvmm_ps2_mouse *mouse);
void hvmm_ps2_mouse_write(struct hvmm_ps2_mouse *mouse, u8 val);
bool hvmm_ps2_mouse_pop(struct hvmm_ps2_mouse *mouse, u8 *val);
bool hvmm_ps2_mouse_pending(const struct hvmm_ps2_mouse *mouse);
int hvmm_ps2_mouse_event(struct hvmm_ps2_mouse *mouse, s32 dx, s32 dy,
			 s32 dz, u32 buttons);
void hvmm_ps2_mouse_get_state(const struct hvmm_ps2_mouse *mouse,
			      struct hvmm_ps2_mouse_state *st);
int hvmm_ps2_mouse_check_state(const struct hvmm_ps2_mouse_state *st);
void hvmm_ps2_mouse_set_state(struct hvmm_ps2_mouse *mouse,
			      const struct hvmm_ps2_mouse_state *st);

#endif /* HVMM_DEVICES_PS2_MOUSE_H */
