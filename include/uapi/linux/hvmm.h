/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvmm-specific userspace ABI: what KVM's <linux/kvm.h> has no word for.
 *
 * Every struct has fixed-size fields, explicit padding that must be zero
 * and a flags word that must be zero today, so that it can grow without
 * breaking old binaries.  Kernel and userspace see the same layout on
 * 32- and 64-bit hosts (no implicit holes, 8-byte aligned sizes).
 */
#ifndef _UAPI_LINUX_HVMM_H
#define _UAPI_LINUX_HVMM_H

#include <linux/types.h>

/* ---- i8042 keyboard controller, PS/2 keyboard and mouse ---------------- */

/* Keyboard FIFO: 16 scan-code bytes plus the slot of the overrun code. */
#define HVMM_PS2_KBD_QUEUE_SIZE		16
#define HVMM_PS2_KBD_QUEUE_SLOTS	(HVMM_PS2_KBD_QUEUE_SIZE + 1)
/* Command responses (ACK plus at most two bytes) bypass the FIFO. */
#define HVMM_PS2_KBD_RESP_SIZE		4
/* Mouse output: room for four 4-byte packets or one status response. */
#define HVMM_PS2_MOUSE_QUEUE_SIZE	16

/**
 * struct hvmm_i8042_ctrl_state - the 8042 microcontroller
 * @ram: internal RAM 0x00-0x1f (0x20-0x3f read, 0x60-0x7f write it);
 *	ram[0] is the command byte
 * @out_port: output port (bit 0 reset line, bit 1 A20); bits 4/5 are
 *	derived from the output buffer when read, stored as 0
 * @obuf: output buffer contents (valid while @obuf_full)
 * @obuf_full: status bit 0 (OBF), 0 or 1
 * @obuf_aux: status bit 5 (AUX OBF): @obuf came from the mouse, 0 or 1
 * @pending_cmd: command waiting for its data byte on port 0x60
 *	(0x60-0x7f, 0xa5, 0xd1, 0xd2, 0xd3, 0xd4) or 0
 * @last_was_cmd: status bit 3: last write went to port 0x64, 0 or 1
 * @xlate_f0: translation saw a set-2 break prefix (0xf0), 0 or 1
 * @last_src_aux: the last byte pulled came from the mouse, 0 or 1
 *	(the two devices take turns)
 * @pad: must be zero
 */
struct hvmm_i8042_ctrl_state {
	__u8 ram[32];
	__u8 out_port;
	__u8 obuf;
	__u8 obuf_full;
	__u8 obuf_aux;
	__u8 pending_cmd;
	__u8 last_was_cmd;
	__u8 xlate_f0;
	__u8 last_src_aux;
};

/**
 * struct hvmm_ps2_kbd_state - PS/2 (MF II) keyboard
 * @queue: scan-code FIFO, oldest byte first
 * @resp: pending command response, oldest byte first
 * @queue_len: bytes in @queue, at most HVMM_PS2_KBD_QUEUE_SLOTS
 * @resp_len: bytes in @resp, at most HVMM_PS2_KBD_RESP_SIZE
 * @scancode_set: 1, 2 or 3
 * @scanning: 1 when enabled (0xf4), 0 after 0xf5
 * @leds: 0xed argument, bits 0-2 (scroll, num, caps lock)
 * @typematic: 0xf3 argument, bits 0-6
 * @pending_cmd: command waiting for its argument (0xed, 0xf0, 0xf3,
 *	0xfb, 0xfc, 0xfd) or 0
 * @last_sent: last byte handed to the controller, for resend (0xfe)
 * @overrun: the overrun code is queued; new keys are lost until the
 *	FIFO drains, 0 or 1
 * @mods: modifier keys held on the host (HVMM_PS2_MOD_*), which change
 *	what Print Screen and Pause send
 * @pad: must be zero
 * @set3_types: set-3 key types, 2 bits per scan code (HVMM_PS2_KEY_*)
 */
struct hvmm_ps2_kbd_state {
	__u8 queue[HVMM_PS2_KBD_QUEUE_SLOTS];
	__u8 resp[HVMM_PS2_KBD_RESP_SIZE];
	__u8 queue_len;
	__u8 resp_len;
	__u8 scancode_set;
	__u8 scanning;
	__u8 leds;
	__u8 typematic;
	__u8 pending_cmd;
	__u8 last_sent;
	__u8 overrun;
	__u8 mods;
	__u8 pad[1];
	__u8 set3_types[64];
};

#define HVMM_PS2_MOD_LSHIFT	0x01
#define HVMM_PS2_MOD_RSHIFT	0x02
#define HVMM_PS2_MOD_LCTRL	0x04
#define HVMM_PS2_MOD_RCTRL	0x08
#define HVMM_PS2_MOD_LALT	0x10
#define HVMM_PS2_MOD_RALT	0x20
#define HVMM_PS2_MOD_ALL	0x3f

/* Set-3 key types (commands 0xf7-0xfd). */
#define HVMM_PS2_KEY_TYPEMATIC		0	/* make, repeats, no break */
#define HVMM_PS2_KEY_MAKE_BREAK		1	/* make and break */
#define HVMM_PS2_KEY_MAKE		2	/* make only */
#define HVMM_PS2_KEY_TYPEMATIC_MB	3	/* repeats, make and break */

/* PS/2 mouse modes. */
#define HVMM_PS2_MOUSE_STREAM	0
#define HVMM_PS2_MOUSE_REMOTE	1
#define HVMM_PS2_MOUSE_WRAP	2

/**
 * struct hvmm_ps2_mouse_state - PS/2 mouse (IntelliMouse Explorer)
 * @queue: output bytes, oldest first
 * @queue_len: bytes in @queue, at most HVMM_PS2_MOUSE_QUEUE_SIZE
 * @mode: HVMM_PS2_MOUSE_STREAM, _REMOTE or _WRAP
 * @wrap_prev: the mode to return to when wrap mode ends (stream/remote)
 * @reporting: data reporting enabled (0xf4), 0 or 1
 * @scaling21: 2:1 scaling (0xe7), 0 or 1
 * @resolution: 0xe8 argument, 0-3 (1, 2, 4, 8 counts/mm)
 * @sample_rate: 10, 20, 40, 60, 80, 100 or 200
 * @id: device ID: 0 (PS/2), 3 (IntelliMouse), 4 (IntelliMouse Explorer)
 * @pending_cmd: command waiting for its argument (0xe8, 0xf3) or 0
 * @knock: the last three sample rates set, oldest first
 * @buttons: buttons held (HVMM_MOUSE_BTN_*)
 * @reported_buttons: buttons as last sent in a packet
 * @last_packet: the last packet sent, for resend (0xfe)
 * @last_packet_len: bytes in @last_packet: 0, 3 or 4
 * @resp_len: how many bytes at the head of @queue are command responses
 *	(kept when a new command discards unsent packets), <= @queue_len
 * @dx: motion not yet reported, PS/2 sense (right), +-HVMM_PS2_MOUSE_ACC_MAX
 * @dy: motion not yet reported, PS/2 sense (up), +-HVMM_PS2_MOUSE_ACC_MAX
 * @dz: wheel not yet reported, PS/2 sense (down), +-HVMM_PS2_MOUSE_ACC_MAX
 */
struct hvmm_ps2_mouse_state {
	__u8 queue[HVMM_PS2_MOUSE_QUEUE_SIZE];
	__u8 queue_len;
	__u8 mode;
	__u8 wrap_prev;
	__u8 reporting;
	__u8 scaling21;
	__u8 resolution;
	__u8 sample_rate;
	__u8 id;
	__u8 pending_cmd;
	__u8 knock[3];
	__u8 buttons;
	__u8 reported_buttons;
	__u8 last_packet[4];
	__u8 last_packet_len;
	__u8 resp_len;
	__s32 dx;
	__s32 dy;
	__s32 dz;
};

/* Bound on accumulated, unreported motion: host floods saturate here. */
#define HVMM_PS2_MOUSE_ACC_MAX	32767

/**
 * struct hvmm_i8042_state - save/restore image of the whole i8042
 * @flags: must be zero
 * @pad: must be zero
 * @ctrl: the controller
 * @kbd: the keyboard on the first port
 * @mouse: the mouse on the auxiliary port
 */
struct hvmm_i8042_state {
	__u32 flags;
	__u32 pad;
	struct hvmm_i8042_ctrl_state ctrl;
	struct hvmm_ps2_kbd_state kbd;
	struct hvmm_ps2_mouse_state mouse;
};

/* Mouse buttons in struct hvmm_input_event.value / mouse events. */
#define HVMM_MOUSE_BTN_LEFT	0x01
#define HVMM_MOUSE_BTN_RIGHT	0x02
#define HVMM_MOUSE_BTN_MIDDLE	0x04
#define HVMM_MOUSE_BTN_SIDE	0x08	/* button 4 */
#define HVMM_MOUSE_BTN_EXTRA	0x10	/* button 5 */
#define HVMM_MOUSE_BTN_ALL	0x1f

#define HVMM_INPUT_KEY		1
#define HVMM_INPUT_MOUSE	2

/**
 * struct hvmm_input_event - one host input event for the guest's i8042
 * @type: HVMM_INPUT_KEY or HVMM_INPUT_MOUSE
 * @flags: must be zero
 * @code: key: Linux key code (KEY_*, <linux/input-event-codes.h>);
 *	mouse: must be zero
 * @value: key: 1 pressed (a repeated press is a typematic repeat),
 *	0 released; mouse: buttons held (HVMM_MOUSE_BTN_*)
 * @dx: mouse: relative motion, REL_X sense (positive = right)
 * @dy: mouse: relative motion, REL_Y sense (positive = down)
 * @dz: mouse: wheel, REL_WHEEL sense (positive = away from the user)
 * @pad: must be zero
 */
struct hvmm_input_event {
	__u32 type;
	__u32 flags;
	__u32 code;
	__u32 value;
	__s32 dx;
	__s32 dy;
	__s32 dz;
	__u32 pad;
};

/* ---- ioctls on a VM fd (type 0xB9, unused in ioctl-number.rst) --------- */

#define HVMMIO	0xB9

/*
 * KVM_CHECK_EXTENSION numbers for what only hvmm has.  Far above KVM's own
 * capability numbers so that they can never collide with a future KVM cap.
 */
#define HVMM_CAP_BASE		0x48560000
#define HVMM_CAP_I8042		(HVMM_CAP_BASE + 1)	/* HVMM_CREATE_I8042 */

/**
 * struct hvmm_i8042_config - argument of HVMM_CREATE_I8042
 * @flags: must be zero
 * @pad: must be zero
 */
struct hvmm_i8042_config {
	__u32 flags;
	__u32 pad[7];
};

/*
 * HVMM_CREATE_I8042: an in-kernel i8042 at ports 0x60 and 0x64 with a PS/2
 * keyboard and mouse; IRQ1 and IRQ12 go to the in-kernel PIC, so
 * KVM_CREATE_IRQCHIP must come first (-ENXIO otherwise, -EEXIST if one
 * exists).  A guest reset through the i8042 output port ends KVM_RUN with
 * KVM_EXIT_SYSTEM_EVENT, type KVM_SYSTEM_EVENT_RESET.
 * HVMM_GET_I8042 / HVMM_SET_I8042: save and restore its whole state
 * (-ENXIO without one, -EINVAL for a state the device rejects).
 * HVMM_INPUT_EVENT: one host key or mouse event (-EINVAL for unknown
 * types, key codes, button bits, or non-zero flags and padding).
 */
#define HVMM_CREATE_I8042	_IOW(HVMMIO, 0x00, struct hvmm_i8042_config)
#define HVMM_GET_I8042		_IOR(HVMMIO, 0x01, struct hvmm_i8042_state)
#define HVMM_SET_I8042		_IOW(HVMMIO, 0x02, struct hvmm_i8042_state)
#define HVMM_INPUT_EVENT	_IOW(HVMMIO, 0x03, struct hvmm_input_event)

#endif /* _UAPI_LINUX_HVMM_H */
