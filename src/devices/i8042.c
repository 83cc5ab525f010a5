// SPDX-License-Identifier: GPL-2.0
/*
 * i8042 keyboard/auxiliary device controller, after the IBM PS/2 Hardware
 * Interface Technical Reference, "Keyboard/Auxiliary Device Controller"
 * (status register, command byte, commands to the controller, output
 * port), and what Linux's drivers/input/serio/i8042.c relies on.
 *
 * The controller holds one byte in its output buffer.  Whenever that is
 * empty it pulls the next byte from the keyboard or the mouse (taking
 * turns), provided that interface is enabled in the command byte; the
 * devices keep their own bounded queues meanwhile, as the real devices
 * hold their data while the controller inhibits their clock line.
 *
 * Controller commands this model handles (hex):
 *   20-3f read RAM (20: command byte)     60-7f write RAM (60: command byte)
 *   a4 test password (none: f1)           a5 load password (bytes to 00)
 *   a6 enable security (no password: nop) a7/a8 disable/enable aux
 *   a9/ab aux/kbd interface test (00)     aa self-test (55, sets SYS)
 *   ad/ae disable/enable keyboard         c0 read input port
 *   d0/d1 read/write output port          d2/d3 write kbd/aux output buffer
 *   d4 write to aux device                dd/df A20 off/on (fast A20)
 *   e0 read test inputs                   f0-ff pulse output lines
 * Others (ac diagnostic dump, c1/c2 input port polling, vendor commands)
 * are ignored, as many 8042-compatible controllers do; a rate-limited
 * log line names them.
 *
 * A controller reply replaces a device byte still in the output buffer:
 * drivers (Linux's i8042_flush(), firmware) drain it before commanding.
 */
#include "i8042.h"

/* Status register (port 0x64 read). */
#define STS_OBF		0x01	/* output buffer full */
#define STS_IBF		0x02	/* input buffer full: never, writes are sync */
#define STS_SYS		0x04	/* system flag (command byte bit 2) */
#define STS_CMD		0x08	/* last write was to port 0x64 */
#define STS_UNLOCKED	0x10	/* keyboard inhibit switch off */
#define STS_AUX_OBF	0x20	/* output buffer holds a mouse byte */

/* Command byte (RAM byte 0). */
#define CB_KBD_INT	0x01
#define CB_AUX_INT	0x02
#define CB_SYS		0x04
#define CB_KBD_DIS	0x10
#define CB_AUX_DIS	0x20
#define CB_XLATE	0x40

/* Output port. */
#define OP_RESET	0x01	/* 0 holds the system in reset */
#define OP_A20		0x02
#define OP_IRQ1		0x10	/* derived: keyboard byte in the buffer */
#define OP_IRQ12	0x20	/* derived: mouse byte in the buffer */
#define OP_DEFAULT	0xcf	/* reset high, A20 on, clock/data lines idle */

/* Input port (0xc0): keyboard not inhibited, no jumper, data lines idle. */
#define INPUT_PORT	0xbf

/*
 * Command byte after power-on as the firmware leaves it: both interrupts
 * enabled, system flag set, translation on.  hvmm boots kernels without
 * firmware, and this is what they find on a PC.
 */
#define CB_DEFAULT	(CB_KBD_INT | CB_AUX_INT | CB_SYS | CB_XLATE)

static inline struct hvmm_i8042 *from_data(struct hvmm_iodev *io)
{
	return container_of(io, struct hvmm_i8042, data_dev);
}

static inline struct hvmm_i8042 *from_cmd(struct hvmm_iodev *io)
{
	return container_of(io, struct hvmm_i8042, cmd_dev);
}

static u8 cmd_byte(const struct hvmm_i8042 *dev)
{
	return dev->ctrl.ram[0];
}

static void set_irq(struct hvmm_i8042 *dev, u32 irq, int *cur, int level)
{
	if (*cur == level)
		return;
	*cur = level;
	if (dev->irq)
		dev->irq(dev->opaque, irq, level);
}

/* IRQ1/IRQ12 follow the output buffer, gated by command byte bits 0/1. */
static void update_irq(struct hvmm_i8042 *dev)
{
	const struct hvmm_i8042_ctrl_state *c = &dev->ctrl;
	bool kbd = c->obuf_full && !c->obuf_aux;
	bool aux = c->obuf_full && c->obuf_aux;

	set_irq(dev, HVMM_I8042_KBD_IRQ, &dev->irq1_level,
		kbd && (cmd_byte(dev) & CB_KBD_INT));
	set_irq(dev, HVMM_I8042_AUX_IRQ, &dev->irq12_level,
		aux && (cmd_byte(dev) & CB_AUX_INT));
}

static void put_obuf(struct hvmm_i8042 *dev, u8 val, bool aux)
{
	dev->ctrl.obuf = val;
	dev->ctrl.obuf_full = 1;
	dev->ctrl.obuf_aux = aux;
}

/*
 * One keyboard byte into the output buffer, translated to set 1 when
 * command byte bit 6 asks: a set-2 break prefix 0xf0 is swallowed and
 * sets bit 7 of the byte after it.  The loop ends when the keyboard's
 * bounded queues are empty.
 */
static bool pull_kbd(struct hvmm_i8042 *dev)
{
	struct hvmm_i8042_ctrl_state *c = &dev->ctrl;
	u8 val;

	if (cmd_byte(dev) & CB_KBD_DIS)
		return false;
	while (hvmm_ps2_kbd_pop(&dev->kbd, &val)) {
		if (cmd_byte(dev) & CB_XLATE) {
			if (val == HVMM_PS2_SET2_BREAK) {
				c->xlate_f0 = 1;
				continue;
			}
			val = hvmm_ps2_xlate(val) | (c->xlate_f0 ? 0x80 : 0);
			c->xlate_f0 = 0;
		}
		put_obuf(dev, val, false);
		c->last_src_aux = 0;
		return true;
	}
	return false;
}

static bool pull_aux(struct hvmm_i8042 *dev)
{
	u8 val;

	if (cmd_byte(dev) & CB_AUX_DIS)
		return false;
	if (!hvmm_ps2_mouse_pop(&dev->mouse, &val))
		return false;
	put_obuf(dev, val, true);
	dev->ctrl.last_src_aux = 1;
	return true;
}

/* Refill an empty output buffer; the device not served last goes first. */
static void pull(struct hvmm_i8042 *dev)
{
	if (dev->ctrl.obuf_full)
		return;
	if (dev->ctrl.last_src_aux) {
		if (!pull_kbd(dev))
			pull_aux(dev);
	} else {
		if (!pull_aux(dev))
			pull_kbd(dev);
	}
}

static void sync_outputs(struct hvmm_i8042 *dev)
{
	pull(dev);
	update_irq(dev);
}

static u8 status(const struct hvmm_i8042 *dev)
{
	const struct hvmm_i8042_ctrl_state *c = &dev->ctrl;
	u8 s = STS_UNLOCKED;

	if (c->obuf_full)
		s |= STS_OBF;
	if (c->obuf_full && c->obuf_aux)
		s |= STS_AUX_OBF;
	if (cmd_byte(dev) & CB_SYS)
		s |= STS_SYS;
	if (c->last_was_cmd)
		s |= STS_CMD;
	return s;
}

static u8 output_port(const struct hvmm_i8042 *dev)
{
	const struct hvmm_i8042_ctrl_state *c = &dev->ctrl;
	u8 v = c->out_port;

	if (c->obuf_full)
		v |= c->obuf_aux ? OP_IRQ12 : OP_IRQ1;
	return v;
}

/*
 * Output port write (0xd1).  Bit 0 low asserts the CPU reset line: ask
 * the VMM to reset; the reset returns the line high, so it reads back 1.
 * Returns true when a reset is requested.
 */
static bool write_output_port(struct hvmm_i8042 *dev, u8 val)
{
	dev->ctrl.out_port = (val & ~(OP_IRQ1 | OP_IRQ12)) | OP_RESET;
	return !(val & OP_RESET);
}

/* Port 0x64 write; returns true when a reset is requested. */
static bool controller_command(struct hvmm_i8042 *dev, u8 cmd)
{
	struct hvmm_i8042_ctrl_state *c = &dev->ctrl;

	c->pending_cmd = 0;
	if (cmd >= 0x20 && cmd <= 0x3f) {
		put_obuf(dev, c->ram[cmd & 0x1f], false);
		return false;
	}
	if ((cmd >= 0x60 && cmd <= 0x7f) || cmd == 0xa5 || cmd == 0xd1 ||
	    cmd == 0xd2 || cmd == 0xd3 || cmd == 0xd4) {
		c->pending_cmd = cmd;	/* the data byte follows on 0x60 */
		return false;
	}
	if (cmd >= 0xf0)	/* pulse output lines: a 0 bit pulses it */
		return !(cmd & OP_RESET);

	switch (cmd) {
	case 0xa4:	/* test password installed: no */
		put_obuf(dev, 0xf1, false);
		break;
	case 0xa6:	/* enable security: nothing without a password */
		break;
	case 0xa7:
		c->ram[0] |= CB_AUX_DIS;
		break;
	case 0xa8:
		c->ram[0] &= ~CB_AUX_DIS;
		break;
	case 0xa9:	/* auxiliary interface test: no error */
	case 0xab:	/* keyboard interface test: no error */
		put_obuf(dev, 0x00, false);
		break;
	case 0xaa:	/* self-test passed; the reference sets SYS */
		c->ram[0] |= CB_SYS;
		put_obuf(dev, 0x55, false);
		break;
	case 0xad:
		c->ram[0] |= CB_KBD_DIS;
		break;
	case 0xae:
		c->ram[0] &= ~CB_KBD_DIS;
		break;
	case 0xc0:
		put_obuf(dev, INPUT_PORT, false);
		break;
	case 0xd0:
		put_obuf(dev, output_port(dev), false);
		break;
	case 0xdd:
		c->out_port &= ~OP_A20;
		break;
	case 0xdf:
		c->out_port |= OP_A20;
		break;
	case 0xe0:	/* test inputs T0/T1: the clock lines, low if inhibited */
		put_obuf(dev, (cmd_byte(dev) & CB_KBD_DIS ? 0 : 1) |
			      (cmd_byte(dev) & CB_AUX_DIS ? 0 : 2), false);
		break;
	default:
		hvmm_log_ratelimited("i8042: command 0x%02x ignored\n", cmd);
		break;
	}
	return false;
}

/* Port 0x60 write; returns true when a reset is requested. */
static bool data_write(struct hvmm_i8042 *dev, u8 val)
{
	struct hvmm_i8042_ctrl_state *c = &dev->ctrl;
	u8 cmd = c->pending_cmd;

	c->pending_cmd = 0;
	if (cmd >= 0x60 && cmd <= 0x7f) {
		c->ram[cmd & 0x1f] = val;
		return false;
	}
	switch (cmd) {
	case 0:
		hvmm_ps2_kbd_write(&dev->kbd, val);
		break;
	case 0xa5:	/* password bytes end with 0; none is kept */
		if (val)
			c->pending_cmd = cmd;
		break;
	case 0xd1:
		return write_output_port(dev, val);
	case 0xd2:	/* as if from the keyboard, untranslated */
		put_obuf(dev, val, false);
		break;
	case 0xd3:	/* as if from the mouse: i8042_check_aux()'s loop */
		put_obuf(dev, val, true);
		break;
	case 0xd4:
		hvmm_ps2_mouse_write(&dev->mouse, val);
		break;
	}
	return false;
}

static int data_read(struct hvmm_iodev *io, u64 offset, u32 len, u64 *val)
{
	struct hvmm_i8042 *dev = from_data(io);

	if (offset || len != 1) {
		*val = hvmm_all_ones(len);
		return 0;
	}
	hvmm_lock(&dev->lock);
	/* An empty buffer reads as the last byte, as the latch does. */
	*val = dev->ctrl.obuf;
	if (dev->ctrl.obuf_full) {
		dev->ctrl.obuf_full = 0;
		dev->ctrl.obuf_aux = 0;
		/* Lower the line before refilling: the PIC sees a new edge. */
		update_irq(dev);
		sync_outputs(dev);
	}
	hvmm_unlock(&dev->lock);
	return 0;
}

static int cmd_read(struct hvmm_iodev *io, u64 offset, u32 len, u64 *val)
{
	struct hvmm_i8042 *dev = from_cmd(io);

	if (offset || len != 1) {
		*val = hvmm_all_ones(len);
		return 0;
	}
	hvmm_lock(&dev->lock);
	*val = status(dev);
	hvmm_unlock(&dev->lock);
	return 0;
}

/* Outside the lock: the VMM may reset this very device from there. */
static void request_reset(struct hvmm_i8042 *dev, bool reset)
{
	if (reset && dev->reset_request)
		dev->reset_request(dev->opaque);
}

static int data_write_op(struct hvmm_iodev *io, u64 offset, u32 len, u64 val)
{
	struct hvmm_i8042 *dev = from_data(io);
	bool reset;

	if (offset || len != 1)
		return 0;
	hvmm_lock(&dev->lock);
	dev->ctrl.last_was_cmd = 0;
	reset = data_write(dev, (u8)val);
	sync_outputs(dev);
	hvmm_unlock(&dev->lock);
	request_reset(dev, reset);
	return 0;
}

static int cmd_write_op(struct hvmm_iodev *io, u64 offset, u32 len, u64 val)
{
	struct hvmm_i8042 *dev = from_cmd(io);
	bool reset;

	if (offset || len != 1)
		return 0;
	hvmm_lock(&dev->lock);
	dev->ctrl.last_was_cmd = 1;
	reset = controller_command(dev, (u8)val);
	sync_outputs(dev);
	hvmm_unlock(&dev->lock);
	request_reset(dev, reset);
	return 0;
}

static const struct hvmm_iodev_ops data_ops = {
	.read = data_read,
	.write = data_write_op,
};

static const struct hvmm_iodev_ops cmd_ops = {
	.read = cmd_read,
	.write = cmd_write_op,
};

static void reset_locked(struct hvmm_i8042 *dev)
{
	memset(&dev->ctrl, 0, sizeof(dev->ctrl));
	dev->ctrl.ram[0] = CB_DEFAULT;
	dev->ctrl.out_port = OP_DEFAULT;
	hvmm_ps2_kbd_reset(&dev->kbd);
	hvmm_ps2_mouse_reset(&dev->mouse);
	update_irq(dev);
}

/**
 * hvmm_i8042_init() - set up a caller-allocated i8042
 * @dev: the controller
 * @irq: drives IRQ1 and IRQ12, called with the i8042 lock held
 * @reset_request: called, without the lock, when the guest pulses the
 *	reset line (0xfe, 0xf0-0xff with bit 0 clear, 0xd1 with bit 0 clear)
 * @opaque: passed to both callbacks
 *
 * The caller registers @dev->data_dev and @dev->cmd_dev on its port bus.
 */
void hvmm_i8042_init(struct hvmm_i8042 *dev, hvmm_irq_fn irq,
		     void (*reset_request)(void *opaque), void *opaque)
{
	memset(dev, 0, sizeof(*dev));
	hvmm_lock_init(&dev->lock);
	dev->data_dev.ops = &data_ops;
	dev->data_dev.name = "i8042-data";
	dev->data_dev.base = HVMM_I8042_DATA_PORT;
	dev->data_dev.len = 1;
	dev->cmd_dev.ops = &cmd_ops;
	dev->cmd_dev.name = "i8042-cmd";
	dev->cmd_dev.base = HVMM_I8042_CMD_PORT;
	dev->cmd_dev.len = 1;
	dev->irq = irq;
	dev->reset_request = reset_request;
	dev->opaque = opaque;
	reset_locked(dev);
}

/**
 * hvmm_i8042_reset() - system reset: controller, keyboard and mouse
 * @dev: the controller
 */
void hvmm_i8042_reset(struct hvmm_i8042 *dev)
{
	hvmm_lock(&dev->lock);
	reset_locked(dev);
	hvmm_unlock(&dev->lock);
}

/**
 * hvmm_i8042_key_event() - a host key press or release
 * @dev: the controller
 * @linux_keycode: KEY_* from <linux/input-event-codes.h>
 * @pressed: true for press (a repeated press is a typematic repeat)
 *
 * Return: 0, or -EINVAL when a PS/2 keyboard has no such key.
 */
int hvmm_i8042_key_event(struct hvmm_i8042 *dev, u32 linux_keycode,
			 bool pressed)
{
	int ret;

	hvmm_lock(&dev->lock);
	ret = hvmm_ps2_kbd_key_event(&dev->kbd, linux_keycode, pressed);
	sync_outputs(dev);
	hvmm_unlock(&dev->lock);
	return ret;
}

/**
 * hvmm_i8042_mouse_event() - host mouse motion, wheel and buttons
 * @dev: the controller
 * @dx: REL_X sense, positive right
 * @dy: REL_Y sense, positive down
 * @dz: REL_WHEEL sense, positive away from the user
 * @buttons: buttons held, HVMM_MOUSE_BTN_*
 *
 * Return: 0, or -EINVAL for unknown button bits.
 */
int hvmm_i8042_mouse_event(struct hvmm_i8042 *dev, s32 dx, s32 dy, s32 dz,
			   u32 buttons)
{
	int ret;

	hvmm_lock(&dev->lock);
	ret = hvmm_ps2_mouse_event(&dev->mouse, dx, dy, dz, buttons);
	sync_outputs(dev);
	hvmm_unlock(&dev->lock);
	return ret;
}

/**
 * hvmm_i8042_input_event() - dispatch a struct hvmm_input_event
 * @dev: the controller
 * @ev: the event; flags, pad and unused fields must be zero
 *
 * Return: 0, or -EINVAL for an invalid event.
 */
int hvmm_i8042_input_event(struct hvmm_i8042 *dev,
			   const struct hvmm_input_event *ev)
{
	if (ev->flags || ev->pad)
		return -EINVAL;
	switch (ev->type) {
	case HVMM_INPUT_KEY:
		if (ev->value > 1 || ev->dx || ev->dy || ev->dz)
			return -EINVAL;
		return hvmm_i8042_key_event(dev, ev->code, ev->value);
	case HVMM_INPUT_MOUSE:
		if (ev->code)
			return -EINVAL;
		return hvmm_i8042_mouse_event(dev, ev->dx, ev->dy, ev->dz,
					      ev->value);
	}
	return -EINVAL;
}

/**
 * hvmm_i8042_a20() - state of the A20 gate (output port bit 1)
 * @dev: the controller
 *
 * Return: true when address line 20 is enabled.
 */
bool hvmm_i8042_a20(struct hvmm_i8042 *dev)
{
	bool on;

	hvmm_lock(&dev->lock);
	on = dev->ctrl.out_port & OP_A20;
	hvmm_unlock(&dev->lock);
	return on;
}

/**
 * hvmm_i8042_get_state() - save controller, keyboard and mouse
 * @dev: the controller
 * @state: filled in completely (flags and padding zero)
 *
 * Return: 0.
 */
int hvmm_i8042_get_state(struct hvmm_i8042 *dev,
			 struct hvmm_i8042_state *state)
{
	memset(state, 0, sizeof(*state));
	hvmm_lock(&dev->lock);
	state->ctrl = dev->ctrl;
	hvmm_ps2_kbd_get_state(&dev->kbd, &state->kbd);
	hvmm_ps2_mouse_get_state(&dev->mouse, &state->mouse);
	hvmm_unlock(&dev->lock);
	return 0;
}

static int check_ctrl(const struct hvmm_i8042_ctrl_state *c)
{
	u8 p = c->pending_cmd;

	if (c->obuf_full > 1 || c->obuf_aux > 1 || c->last_was_cmd > 1 ||
	    c->xlate_f0 > 1 || c->last_src_aux > 1)
		return -EINVAL;
	if (c->obuf_aux && !c->obuf_full)
		return -EINVAL;
	if (c->out_port & (OP_IRQ1 | OP_IRQ12) || !(c->out_port & OP_RESET))
		return -EINVAL;
	if (p && !(p >= 0x60 && p <= 0x7f) && p != 0xa5 &&
	    (p < 0xd1 || p > 0xd4))
		return -EINVAL;
	return 0;
}

/**
 * hvmm_i8042_set_state() - restore controller, keyboard and mouse
 * @dev: the controller
 * @state: as hvmm_i8042_get_state() produced it
 *
 * Nothing changes unless the whole state is valid.  The IRQ lines are
 * driven to match the restored output buffer.
 *
 * Return: 0, or -EINVAL for nonzero flags or padding, or any value the
 * devices could not have been in.
 */
int hvmm_i8042_set_state(struct hvmm_i8042 *dev,
			 const struct hvmm_i8042_state *state)
{
	if (state->flags || state->pad || check_ctrl(&state->ctrl) ||
	    hvmm_ps2_kbd_check_state(&state->kbd) ||
	    hvmm_ps2_mouse_check_state(&state->mouse))
		return -EINVAL;
	hvmm_lock(&dev->lock);
	dev->ctrl = state->ctrl;
	hvmm_ps2_kbd_set_state(&dev->kbd, &state->kbd);
	hvmm_ps2_mouse_set_state(&dev->mouse, &state->mouse);
	sync_outputs(dev);
	hvmm_unlock(&dev->lock);
	return 0;
}
