/* SPDX-License-Identifier: GPL-2.0 */
/*
 * i8042 keyboard controller with a PS/2 keyboard on its first port and a
 * PS/2 mouse on its auxiliary port: data port 0x60, status/command port
 * 0x64, IRQ1 and IRQ12.
 *
 * Locking: @lock protects everything below it, the keyboard and the
 * mouse included.  The IRQ callback is called with @lock held (lock
 * order: device lock, then PIC); reset_request() is called with it
 * dropped, so the VMM may reset the whole machine from there.
 */
#ifndef HVMM_DEVICES_I8042_H
#define HVMM_DEVICES_I8042_H

#include "platform.h"
#include "iodev.h"
#include "ps2_kbd.h"
#include "ps2_mouse.h"
#include <linux/hvmm.h>

#define HVMM_I8042_DATA_PORT	0x60
#define HVMM_I8042_CMD_PORT	0x64
#define HVMM_I8042_KBD_IRQ	1
#define HVMM_I8042_AUX_IRQ	12

struct hvmm_i8042 {
	hvmm_lock_t lock;
	struct hvmm_iodev data_dev;	/* 0x60, 1 byte */
	struct hvmm_iodev cmd_dev;	/* 0x64, 1 byte */
	struct hvmm_i8042_ctrl_state ctrl;
	struct hvmm_ps2_kbd kbd;
	struct hvmm_ps2_mouse mouse;
	hvmm_irq_fn irq;
	void (*reset_request)(void *opaque);
	void *opaque;
	int irq1_level;		/* as last driven, so edges are exact */
	int irq12_level;
};

void hvmm_i8042_init(struct hvmm_i8042 *dev, hvmm_irq_fn irq,
		     void (*reset_request)(void *opaque), void *opaque);
void hvmm_i8042_reset(struct hvmm_i8042 *dev);
int hvmm_i8042_key_event(struct hvmm_i8042 *dev, u32 linux_keycode,
			 bool pressed);
int hvmm_i8042_mouse_event(struct hvmm_i8042 *dev, s32 dx, s32 dy, s32 dz,
			   u32 buttons);
int hvmm_i8042_input_event(struct hvmm_i8042 *dev,
			   const struct hvmm_input_event *ev);
bool hvmm_i8042_a20(struct hvmm_i8042 *dev);
int hvmm_i8042_get_state(struct hvmm_i8042 *dev,
			 struct hvmm_i8042_state *state);
int hvmm_i8042_set_state(struct hvmm_i8042 *dev,
			 const struct hvmm_i8042_state *state);

#endif /* HVMM_DEVICES_I8042_H */
