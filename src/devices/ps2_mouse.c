// SPDX-License-Identifier: GPL-2.0
/*
 * PS/2 mouse model, after the IBM PS/2 Hardware Interface Technical
 * Reference, "Pointing Device": data report format, modes of operation
 * (stream, remote, wrap), scaling, and the command set; plus Microsoft's
 * IntelliMouse extensions as Linux's psmouse probes them (sample-rate
 * knocks 200-100-80 for ID 3, then 200-200-80 for ID 4).
 *
 * Host motion accumulates in the mouse's counters, as real motion does;
 * a stream-mode packet carries at most the 9-bit range per axis, and the
 * rest waits for the next packet, so large motion is split over several
 * packets instead of lost.  Packets are paced by the host's events and
 * by the controller draining the output, not by the sample rate, and host
 * counts are reported as they come whatever the resolution (host motion
 * has no millimetres).
 */
#include "ps2_mouse.h"
#include "ps2_kbd.h"

#define MOUSE_FIRST_CMD		0xe6

#define MOUSE_DEFAULT_RATE	100
#define MOUSE_DEFAULT_RES	2	/* 4 counts/mm */

/* Status byte 1 (0xe9). */
#define STATUS_REMOTE		0x40
#define STATUS_ENABLED		0x20
#define STATUS_SCALING21	0x10
#define STATUS_LEFT		0x04
#define STATUS_MIDDLE		0x02
#define STATUS_RIGHT		0x01

/* Packet byte 0. */
#define PKT_ALWAYS1		0x08
#define PKT_X_SIGN		0x10
#define PKT_Y_SIGN		0x20
#define PKT_X_OVF		0x40
#define PKT_Y_OVF		0x80

static bool valid_rate(u32 rate)
{
	switch (rate) {
	case 10: case 20: case 40: case 60: case 80: case 100: case 200:
		return true;
	}
	return false;
}

static void reset_counters(struct hvmm_ps2_mouse_state *st)
{
	st->dx = 0;
	st->dy = 0;
	st->dz = 0;
}

/* Buttons a packet of the current ID can carry. */
static u8 reportable(const struct hvmm_ps2_mouse_state *st)
{
	return st->id == 4 ? HVMM_MOUSE_BTN_ALL :
	       HVMM_MOUSE_BTN_LEFT | HVMM_MOUSE_BTN_RIGHT |
	       HVMM_MOUSE_BTN_MIDDLE;
}

/* Data bytes (packets) queue behind everything. */
static void queue_byte(struct hvmm_ps2_mouse_state *st, u8 val)
{
	if (st->queue_len < HVMM_PS2_MOUSE_QUEUE_SIZE)
		st->queue[st->queue_len++] = val;
}

/*
 * Responses too; they sit at the head, because a command first discards
 * the packets queued (unsent) so far.
 */
static void respond(struct hvmm_ps2_mouse_state *st, u8 val)
{
	if (st->queue_len < HVMM_PS2_MOUSE_QUEUE_SIZE) {
		st->queue[st->queue_len++] = val;
		st->resp_len = st->queue_len;
	}
}

/* A command aborts streaming: unsent packets go, unread replies stay. */
static void drop_packets(struct hvmm_ps2_mouse_state *st)
{
	st->queue_len = st->resp_len;
}

static void set_defaults(struct hvmm_ps2_mouse_state *st)
{
	st->sample_rate = MOUSE_DEFAULT_RATE;
	st->resolution = MOUSE_DEFAULT_RES;
	st->scaling21 = 0;
	st->mode = HVMM_PS2_MOUSE_STREAM;
	st->reporting = 0;
	drop_packets(st);
	reset_counters(st);
	st->reported_buttons = st->buttons & reportable(st);
}

/**
 * hvmm_ps2_mouse_reset() - power-on state
 * @mouse: mouse
 *
 * Standard PS/2 mouse (ID 0), stream mode, reporting disabled, 100
 * samples/s, 4 counts/mm, 1:1 scaling, no output pending.
 */
void hvmm_ps2_mouse_reset(struct hvmm_ps2_mouse *mouse)
{
	struct hvmm_ps2_mouse_state *st = &mouse->st;
	u8 buttons = st->buttons;	/* still held on the host */

	memset(st, 0, sizeof(*st));
	st->buttons = buttons;
	set_defaults(st);
}

static s32 clamp_s32(s64 v, s32 lo, s32 hi)
{
	return v < lo ? lo : v > hi ? hi : (s32)v;
}

/* The 2:1 scaling table of the reference; beyond 5 counts, double. */
static s32 scale21(s32 v)
{
	static const s32 table[] = { 0, 1, 1, 3, 6, 9 };
	s32 mag = v < 0 ? -v : v;

	mag = mag < (s32)ARRAY_SIZE(table) ? table[mag] : 2 * mag;
	return v < 0 ? -mag : mag;
}

/*
 * Take one axis' share of a packet from its counter: the 9-bit range
 * -256..255.  When the counter held more, the overflow bit says so; the
 * excess stays in the counter for the next packet.
 */
static s32 take_axis(s32 *counter, bool scaled, bool *ovf)
{
	s32 v = clamp_s32(*counter, -256, 255);

	*ovf = v != *counter;
	*counter -= v;
	if (scaled) {
		s32 s = scale21(v);

		v = clamp_s32(s, -256, 255);
		*ovf |= v != s;
	}
	return v;
}

/* Build one data packet from the counters; returns its length. */
static int make_packet(struct hvmm_ps2_mouse_state *st, bool stream, u8 *pkt)
{
	bool scaled = stream && st->scaling21;
	bool xovf, yovf;
	s32 x = take_axis(&st->dx, scaled, &xovf);
	s32 y = take_axis(&st->dy, scaled, &yovf);
	s32 z;
	u8 b = st->buttons & reportable(st);

	pkt[0] = PKT_ALWAYS1 | (b & 7) | (x < 0 ? PKT_X_SIGN : 0) |
		 (y < 0 ? PKT_Y_SIGN : 0) | (xovf ? PKT_X_OVF : 0) |
		 (yovf ? PKT_Y_OVF : 0);
	pkt[1] = (u8)x;
	pkt[2] = (u8)y;
	st->reported_buttons = b;
	if (!st->id) {
		st->dz = 0;	/* a plain PS/2 mouse has no wheel */
		return 3;
	}
	/* The wheel moves at most -8..7 per packet in both ID 3 and 4. */
	z = clamp_s32(st->dz, -8, 7);
	st->dz -= z;
	if (st->id == 3)
		pkt[3] = (u8)z;
	else
		pkt[3] = (z & 0x0f) |
			 (b & HVMM_MOUSE_BTN_SIDE ? 0x10 : 0) |
			 (b & HVMM_MOUSE_BTN_EXTRA ? 0x20 : 0);
	return 4;
}

static void send_packet(struct hvmm_ps2_mouse_state *st, bool stream)
{
	u8 pkt[4];
	int i, n = make_packet(st, stream, pkt);

	for (i = 0; i < n; i++) {
		if (stream)
			queue_byte(st, pkt[i]);
		else
			respond(st, pkt[i]);	/* the answer to 0xeb */
	}
	memcpy(st->last_packet, pkt, n);
	st->last_packet_len = n;
}

static bool packet_due(const struct hvmm_ps2_mouse_state *st)
{
	return st->dx || st->dy || (st->dz && st->id) ||
	       (st->buttons & reportable(st)) != st->reported_buttons;
}

/*
 * Stream mode with reporting on: send packets while something is due
 * and a whole packet fits.  Each packet empties a counter or takes at
 * least 256 counts from it, and the queue bounds the loop.
 */
static void stream(struct hvmm_ps2_mouse_state *st)
{
	u32 len = st->id ? 4 : 3;

	if (st->mode != HVMM_PS2_MOUSE_STREAM || !st->reporting)
		return;
	while (packet_due(st) &&
	       st->queue_len + len <= HVMM_PS2_MOUSE_QUEUE_SIZE)
		send_packet(st, true);
}

static void knock(struct hvmm_ps2_mouse_state *st, u8 rate)
{
	st->knock[0] = st->knock[1];
	st->knock[1] = st->knock[2];
	st->knock[2] = rate;
	if (st->id == 0 && st->knock[0] == 200 && st->knock[1] == 100 &&
	    st->knock[2] == 80)
		st->id = 3;
	else if (st->id == 3 && st->knock[0] == 200 && st->knock[1] == 200 &&
		 st->knock[2] == 80)
		st->id = 4;
}

static void status_request(struct hvmm_ps2_mouse_state *st)
{
	u8 s = 0;

	if (st->mode == HVMM_PS2_MOUSE_REMOTE)
		s |= STATUS_REMOTE;
	if (st->reporting)
		s |= STATUS_ENABLED;
	if (st->scaling21)
		s |= STATUS_SCALING21;
	if (st->buttons & HVMM_MOUSE_BTN_LEFT)
		s |= STATUS_LEFT;
	if (st->buttons & HVMM_MOUSE_BTN_MIDDLE)
		s |= STATUS_MIDDLE;
	if (st->buttons & HVMM_MOUSE_BTN_RIGHT)
		s |= STATUS_RIGHT;
	respond(st, HVMM_PS2_ACK);
	respond(st, s);
	respond(st, st->resolution);
	respond(st, st->sample_rate);
}

static void command(struct hvmm_ps2_mouse_state *st, u8 val)
{
	u8 i;

	st->pending_cmd = 0;
	drop_packets(st);
	switch (val) {
	case 0xe6:	/* set scaling 1:1 */
	case 0xe7:	/* set scaling 2:1 */
		st->scaling21 = val == 0xe7;
		respond(st, HVMM_PS2_ACK);
		break;
	case 0xe8:	/* set resolution */
	case 0xf3:	/* set sample rate */
		respond(st, HVMM_PS2_ACK);
		st->pending_cmd = val;
		break;
	case 0xe9:	/* status request */
		status_request(st);
		break;
	case 0xea:	/* set stream mode */
	case 0xf0:	/* set remote mode */
		st->mode = val == 0xea ? HVMM_PS2_MOUSE_STREAM :
			   HVMM_PS2_MOUSE_REMOTE;
		reset_counters(st);
		respond(st, HVMM_PS2_ACK);
		break;
	case 0xeb:	/* read data: in either mode */
		respond(st, HVMM_PS2_ACK);
		send_packet(st, false);
		break;
	case 0xec:	/* reset wrap mode */
		if (st->mode == HVMM_PS2_MOUSE_WRAP)
			st->mode = st->wrap_prev;
		reset_counters(st);
		respond(st, HVMM_PS2_ACK);
		break;
	case 0xee:	/* set wrap mode */
		if (st->mode != HVMM_PS2_MOUSE_WRAP)
			st->wrap_prev = st->mode;
		st->mode = HVMM_PS2_MOUSE_WRAP;
		reset_counters(st);
		respond(st, HVMM_PS2_ACK);
		break;
	case 0xf2:	/* read device type */
		reset_counters(st);
		respond(st, HVMM_PS2_ACK);
		respond(st, st->id);
		break;
	case 0xf4:	/* enable data reporting */
	case 0xf5:	/* disable data reporting */
		st->reporting = val == 0xf4;
		reset_counters(st);
		st->reported_buttons = st->buttons & reportable(st);
		respond(st, HVMM_PS2_ACK);
		break;
	case 0xf6:	/* set default */
		set_defaults(st);
		respond(st, HVMM_PS2_ACK);
		break;
	case 0xfe:	/* resend: the last packet, else an ACK */
		for (i = 0; i < st->last_packet_len; i++)
			respond(st, st->last_packet[i]);
		if (!st->last_packet_len)
			respond(st, HVMM_PS2_ACK);
		break;
	case 0xff:	/* reset: ACK, BAT completion, device ID */
		hvmm_ps2_mouse_reset(container_of(st, struct hvmm_ps2_mouse,
						  st));
		respond(st, HVMM_PS2_ACK);
		respond(st, HVMM_PS2_BAT_OK);
		respond(st, 0x00);
		break;
	default:
		respond(st, HVMM_PS2_RESEND);
		break;
	}
}

/* The argument of @st->pending_cmd; false if @val is not a valid one. */
static bool argument(struct hvmm_ps2_mouse_state *st, u8 val)
{
	if (st->pending_cmd == 0xe8) {
		if (val > 3)
			return false;
		st->resolution = val;
	} else {
		if (!valid_rate(val))
			return false;
		st->sample_rate = val;
		knock(st, val);
	}
	st->pending_cmd = 0;
	reset_counters(st);
	respond(st, HVMM_PS2_ACK);
	return true;
}

/**
 * hvmm_ps2_mouse_write() - a byte from the controller to the mouse
 * @mouse: mouse
 * @val: command or argument
 *
 * In wrap mode every byte but reset (0xff) and reset wrap mode (0xec)
 * is echoed back.  A command byte where an argument was expected starts
 * the new command; an invalid argument is answered with resend (0xfe)
 * and the argument is still awaited.
 */
void hvmm_ps2_mouse_write(struct hvmm_ps2_mouse *mouse, u8 val)
{
	struct hvmm_ps2_mouse_state *st = &mouse->st;

	if (st->mode == HVMM_PS2_MOUSE_WRAP && val != 0xff && val != 0xec) {
		respond(st, val);
		return;
	}
	if (st->pending_cmd && val < MOUSE_FIRST_CMD) {
		drop_packets(st);
		if (!argument(st, val))
			respond(st, HVMM_PS2_RESEND);
		return;
	}
	command(st, val);
}

/**
 * hvmm_ps2_mouse_pop() - the next byte the mouse sends
 * @mouse: mouse
 * @val: the byte
 *
 * Return: false when the mouse has nothing to send.
 */
bool hvmm_ps2_mouse_pop(struct hvmm_ps2_mouse *mouse, u8 *val)
{
	struct hvmm_ps2_mouse_state *st = &mouse->st;

	if (!st->queue_len)
		return false;
	*val = st->queue[0];
	memmove(st->queue, st->queue + 1, --st->queue_len);
	if (st->resp_len)
		st->resp_len--;
	stream(st);
	return true;
}

bool hvmm_ps2_mouse_pending(const struct hvmm_ps2_mouse *mouse)
{
	return mouse->st.queue_len;
}

/**
 * hvmm_ps2_mouse_event() - host mouse motion and buttons
 * @mouse: mouse
 * @dx: motion, REL_X sense (right is positive)
 * @dy: motion, REL_Y sense (down is positive)
 * @dz: wheel, REL_WHEEL sense (away from the user is positive)
 * @buttons: buttons now held (HVMM_MOUSE_BTN_*)
 *
 * Motion adds to the counters (saturating at HVMM_PS2_MOUSE_ACC_MAX);
 * in stream mode with reporting disabled it is dropped, as the counters
 * restart when reporting is enabled.
 *
 * Return: 0, or -EINVAL for unknown button bits.
 */
int hvmm_ps2_mouse_event(struct hvmm_ps2_mouse *mouse, s32 dx, s32 dy,
			 s32 dz, u32 buttons)
{
	struct hvmm_ps2_mouse_state *st = &mouse->st;
	const s32 max = HVMM_PS2_MOUSE_ACC_MAX;

	if (buttons & ~HVMM_MOUSE_BTN_ALL)
		return -EINVAL;
	st->buttons = buttons;
	if (st->mode == HVMM_PS2_MOUSE_STREAM && !st->reporting)
		return 0;
	/* PS/2 counts up and down-the-wheel as positive: flip y and z. */
	st->dx = clamp_s32((s64)st->dx + dx, -max, max);
	st->dy = clamp_s32((s64)st->dy - dy, -max, max);
	st->dz = clamp_s32((s64)st->dz - dz, -max, max);
	stream(st);
	return 0;
}

void hvmm_ps2_mouse_get_state(const struct hvmm_ps2_mouse *mouse,
			      struct hvmm_ps2_mouse_state *st)
{
	*st = mouse->st;
}

static bool valid_counter(s32 v)
{
	return v >= -HVMM_PS2_MOUSE_ACC_MAX && v <= HVMM_PS2_MOUSE_ACC_MAX;
}

/**
 * hvmm_ps2_mouse_check_state() - validate a saved mouse state
 * @st: state to check
 *
 * Return: 0, or -EINVAL for any value the mouse could not have been in.
 */
int hvmm_ps2_mouse_check_state(const struct hvmm_ps2_mouse_state *st)
{
	if (st->queue_len > HVMM_PS2_MOUSE_QUEUE_SIZE ||
	    st->mode > HVMM_PS2_MOUSE_WRAP ||
	    st->wrap_prev > HVMM_PS2_MOUSE_REMOTE ||
	    st->reporting > 1 || st->scaling21 > 1 || st->resolution > 3 ||
	    !valid_rate(st->sample_rate) ||
	    (st->id != 0 && st->id != 3 && st->id != 4) ||
	    (st->pending_cmd && st->pending_cmd != 0xe8 &&
	     st->pending_cmd != 0xf3) ||
	    st->buttons & ~HVMM_MOUSE_BTN_ALL ||
	    st->reported_buttons & ~HVMM_MOUSE_BTN_ALL ||
	    (st->last_packet_len != 0 && st->last_packet_len != 3 &&
	     st->last_packet_len != 4) ||
	    st->resp_len > st->queue_len || !valid_counter(st->dx) || !valid_counter(st->dy) ||
	    !valid_counter(st->dz))
		return -EINVAL;
	return 0;
}

/* @st must have passed hvmm_ps2_mouse_check_state(). */
void hvmm_ps2_mouse_set_state(struct hvmm_ps2_mouse *mouse,
			      const struct hvmm_ps2_mouse_state *st)
{
	mouse->st = *st;
}
