// SPDX-License-Identifier: GPL-2.0
/*
 * PS/2 keyboard model, after the IBM PS/2 Hardware Interface Technical
 * Reference, "Keyboards (101- and 102-Key)": "Commands from the System",
 * "Commands to the System", "Keyboard Buffer" and the scan code sets.
 *
 * Command responses do not occupy the scan-code buffer (the reference:
 * "Response codes do not occupy a buffer position"), so they live in
 * their own small queue, which the controller drains first.
 *
 * Typematic repeat is driven by the host: a press of a key already held
 * is a repeat and sends the make code again.  The 0xf3 rate/delay is
 * stored and reported, not timed.
 */
#include <linux/input-event-codes.h>
#include "ps2_kbd.h"
#include "ps2_scancodes.h"

#define KBD_TYPEMATIC_DEFAULT	0x2b	/* 10.9 characters/s, 500 ms */
#define KBD_ID1			0xab	/* MF II keyboard ID (0xf2) */
#define KBD_ID2			0x83

/* Any byte from 0xed up is a command, never an argument or a key code. */
#define KBD_FIRST_CMD		0xed

/**
 * hvmm_ps2_xlate() - the 8042's translation of one set-2 byte
 * @set2_byte: byte from the keyboard
 *
 * Return: the set-1 byte; the caller folds a preceding 0xf0 into bit 7.
 */
u8 hvmm_ps2_xlate(u8 set2_byte)
{
	return xlate_table[set2_byte];
}

static u8 set3_type(const struct hvmm_ps2_kbd_state *st, u8 code)
{
	return (st->set3_types[code >> 2] >> ((code & 3) * 2)) & 3;
}

static void set3_set_type(struct hvmm_ps2_kbd_state *st, u8 code, u8 type)
{
	u8 shift = (code & 3) * 2;

	st->set3_types[code >> 2] &= ~(3 << shift);
	st->set3_types[code >> 2] |= type << shift;
}

static void set3_set_all(struct hvmm_ps2_kbd_state *st, u8 type)
{
	memset(st->set3_types, type * 0x55, sizeof(st->set3_types));
}

/*
 * Set-3 power-on key types: the shift, control, alt and caps lock keys
 * are make/break, every other key is typematic (make only), which is
 * why Linux's atkbd sends 0xfa before using set 3.
 */
static void set3_defaults(struct hvmm_ps2_kbd_state *st)
{
	static const u8 make_break[] = { 0x11, 0x12, 0x14, 0x19, 0x39,
					 0x58, 0x59 };
	size_t i;

	set3_set_all(st, HVMM_PS2_KEY_TYPEMATIC);
	for (i = 0; i < ARRAY_SIZE(make_break); i++)
		set3_set_type(st, make_break[i], HVMM_PS2_KEY_MAKE_BREAK);
}

static void clear_output(struct hvmm_ps2_kbd_state *st)
{
	st->queue_len = 0;
	st->overrun = 0;
}

/* 0xf5/0xf6: typematic rate and key types back to power-on values. */
static void set_defaults(struct hvmm_ps2_kbd_state *st)
{
	st->typematic = KBD_TYPEMATIC_DEFAULT;
	set3_defaults(st);
	clear_output(st);
}

static void respond(struct hvmm_ps2_kbd_state *st, u8 val)
{
	if (st->resp_len < HVMM_PS2_KBD_RESP_SIZE)
		st->resp[st->resp_len++] = val;
}

/**
 * hvmm_ps2_kbd_reset() - power-on state
 * @kbd: keyboard
 *
 * Set 2, scanning enabled, LEDs off, buffers empty.  The power-on BAT
 * completion code is not queued: the firmware that would have read it
 * is not there, and Linux resets the keyboard itself (0xff) when it wants
 * one.
 */
void hvmm_ps2_kbd_reset(struct hvmm_ps2_kbd *kbd)
{
	struct hvmm_ps2_kbd_state *st = &kbd->st;
	u8 mods = st->mods;	/* still held on the host */

	memset(st, 0, sizeof(*st));
	st->mods = mods;
	st->scancode_set = 2;
	st->scanning = 1;
	set_defaults(st);
}

/* A key byte into the 16-byte buffer; the 17th becomes the overrun code. */
static void queue_key_byte(struct hvmm_ps2_kbd_state *st, u8 val)
{
	if (st->overrun)
		return;	/* "additional data is lost" until the buffer drains */
	if (st->queue_len < HVMM_PS2_KBD_QUEUE_SIZE) {
		st->queue[st->queue_len++] = val;
		return;
	}
	st->queue[st->queue_len++] = st->scancode_set == 1 ? 0xff : 0x00;
	st->overrun = 1;
}

static bool is_command(u8 val)
{
	return val >= KBD_FIRST_CMD;
}

static void command(struct hvmm_ps2_kbd_state *st, u8 val)
{
	st->pending_cmd = 0;
	switch (val) {
	case 0xed:	/* set/reset status indicators */
	case 0xf0:	/* select alternate scan codes */
	case 0xf3:	/* set typematic rate/delay */
		respond(st, HVMM_PS2_ACK);
		st->pending_cmd = val;
		break;
	case 0xee:	/* echo */
		respond(st, HVMM_PS2_ECHO);
		break;
	case 0xf2:	/* read ID */
		respond(st, HVMM_PS2_ACK);
		respond(st, KBD_ID1);
		respond(st, KBD_ID2);
		break;
	case 0xf4:	/* enable */
		clear_output(st);
		st->scanning = 1;
		respond(st, HVMM_PS2_ACK);
		break;
	case 0xf5:	/* default disable */
		set_defaults(st);
		st->scanning = 0;
		respond(st, HVMM_PS2_ACK);
		break;
	case 0xf6:	/* set default */
		set_defaults(st);
		st->scanning = 1;
		respond(st, HVMM_PS2_ACK);
		break;
	case 0xf7:	/* set all keys typematic */
	case 0xf8:	/* set all keys make/break */
	case 0xf9:	/* set all keys make */
	case 0xfa:	/* set all keys typematic/make/break */
		set3_set_all(st, val - 0xf7);
		clear_output(st);
		respond(st, HVMM_PS2_ACK);
		break;
	case 0xfb:	/* set key type typematic: list follows */
	case 0xfc:	/* set key type make/break */
	case 0xfd:	/* set key type make */
		clear_output(st);
		respond(st, HVMM_PS2_ACK);
		st->pending_cmd = val;
		break;
	case 0xfe:	/* resend */
		respond(st, st->last_sent);
		break;
	case 0xff:	/* reset: ACK, then the BAT completion code */
		hvmm_ps2_kbd_reset(container_of(st, struct hvmm_ps2_kbd, st));
		respond(st, HVMM_PS2_ACK);
		respond(st, HVMM_PS2_BAT_OK);
		break;
	default:	/* not a command this keyboard knows */
		respond(st, HVMM_PS2_RESEND);
		break;
	}
}

/* The argument byte of @st->pending_cmd; false if @val is not one. */
static bool argument(struct hvmm_ps2_kbd_state *st, u8 val)
{
	static const u8 set3_key_type[] = {
		HVMM_PS2_KEY_TYPEMATIC, HVMM_PS2_KEY_MAKE_BREAK,
		HVMM_PS2_KEY_MAKE,
	};

	switch (st->pending_cmd) {
	case 0xed:
		st->leds = val & 7;
		break;
	case 0xf0:
		if (val > 3)
			return false;
		if (val) {
			st->scancode_set = val;
			clear_output(st);
		}
		respond(st, HVMM_PS2_ACK);
		if (!val)
			respond(st, st->scancode_set);
		st->pending_cmd = 0;
		return true;
	case 0xf3:
		if (val & 0x80)
			return false;
		st->typematic = val;
		break;
	default:	/* 0xfb-0xfd: one set-3 code of a list */
		set3_set_type(st, val, set3_key_type[st->pending_cmd - 0xfb]);
		respond(st, HVMM_PS2_ACK);
		return true;	/* the list goes on until a command */
	}
	respond(st, HVMM_PS2_ACK);
	st->pending_cmd = 0;
	return true;
}

/**
 * hvmm_ps2_kbd_write() - a byte from the controller to the keyboard
 * @kbd: keyboard
 * @val: command or argument
 *
 * Responses queue behind unread ones (bounded; a driver reads each ACK
 * before it sends the next byte anyway).  A command byte where
 * an argument was expected is taken as the new command, as the reference
 * allows; an invalid argument is answered with resend (0xfe).
 */
void hvmm_ps2_kbd_write(struct hvmm_ps2_kbd *kbd, u8 val)
{
	struct hvmm_ps2_kbd_state *st = &kbd->st;

	if (st->pending_cmd && !is_command(val)) {
		if (!argument(st, val))
			respond(st, HVMM_PS2_RESEND);
		return;
	}
	command(st, val);
}

/**
 * hvmm_ps2_kbd_pop() - the next byte the keyboard sends
 * @kbd: keyboard
 * @val: the byte
 *
 * Return: false when the keyboard has nothing to send.
 */
bool hvmm_ps2_kbd_pop(struct hvmm_ps2_kbd *kbd, u8 *val)
{
	struct hvmm_ps2_kbd_state *st = &kbd->st;

	if (st->resp_len) {
		*val = st->resp[0];
		memmove(st->resp, st->resp + 1, --st->resp_len);
	} else if (st->queue_len) {
		*val = st->queue[0];
		memmove(st->queue, st->queue + 1, --st->queue_len);
		if (!st->queue_len)
			st->overrun = 0;
	} else {
		return false;
	}
	st->last_sent = *val;
	return true;
}

bool hvmm_ps2_kbd_pending(const struct hvmm_ps2_kbd *kbd)
{
	return kbd->st.resp_len || kbd->st.queue_len;
}

static u8 modifier_bit(u32 keycode)
{
	switch (keycode) {
	case KEY_LEFTSHIFT:
		return HVMM_PS2_MOD_LSHIFT;
	case KEY_RIGHTSHIFT:
		return HVMM_PS2_MOD_RSHIFT;
	case KEY_LEFTCTRL:
		return HVMM_PS2_MOD_LCTRL;
	case KEY_RIGHTCTRL:
		return HVMM_PS2_MOD_RCTRL;
	case KEY_LEFTALT:
		return HVMM_PS2_MOD_LALT;
	case KEY_RIGHTALT:
		return HVMM_PS2_MOD_RALT;
	}
	return 0;
}

/*
 * The set-2 bytes of one key event into @seq (at most 8).  Print Screen
 * and Pause depend on the modifiers held, as the reference's scan code
 * tables give them: Print Screen alone sends a fake left shift around
 * 0x7c, with Shift or Ctrl just 0xe0 0x7c, with Alt the SysRq code 0x84;
 * Pause sends an 0xe1 make-only sequence, Ctrl+Pause (Break) 0xe0 0x7e.
 */
static int set2_sequence(const struct ps2_key *key, u32 keycode,
			 u8 mods, bool pressed, u8 *seq)
{
	static const u8 pause[] = { 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14,
				    0xf0, 0x77 };
	static const u8 brk_make[] = { 0xe0, 0x7e, 0xe0, 0xf0, 0x7e };
	static const u8 prtsc_make[] = { 0xe0, 0x12, 0xe0, 0x7c };
	static const u8 prtsc_break[] = { 0xe0, 0xf0, 0x7c, 0xe0, 0xf0,
					  0x12 };
	bool ctrl = mods & (HVMM_PS2_MOD_LCTRL | HVMM_PS2_MOD_RCTRL);
	bool shift = mods & (HVMM_PS2_MOD_LSHIFT | HVMM_PS2_MOD_RSHIFT);
	bool alt = mods & (HVMM_PS2_MOD_LALT | HVMM_PS2_MOD_RALT);
	int n = 0;

	if (keycode == KEY_PAUSE) {
		if (!pressed)
			return 0;	/* make-only key */
		if (ctrl) {
			memcpy(seq, brk_make, sizeof(brk_make));
			return sizeof(brk_make);
		}
		memcpy(seq, pause, sizeof(pause));
		return sizeof(pause);
	}
	if (keycode == KEY_SYSRQ && alt) {
		if (!pressed)
			seq[n++] = HVMM_PS2_SET2_BREAK;
		seq[n++] = 0x84;
		return n;
	}
	if (keycode == KEY_SYSRQ && !ctrl && !shift) {
		if (pressed) {
			memcpy(seq, prtsc_make, sizeof(prtsc_make));
			return sizeof(prtsc_make);
		}
		memcpy(seq, prtsc_break, sizeof(prtsc_break));
		return sizeof(prtsc_break);
	}
	if (key->e0)
		seq[n++] = HVMM_PS2_SET2_E0;
	if (!pressed)
		seq[n++] = HVMM_PS2_SET2_BREAK;
	seq[n++] = key->set2;
	return n;
}

/* Set 1 is what the 8042 translation makes of set 2. */
static int set2_to_set1(u8 *seq, int n)
{
	int i, out = 0;
	u8 brk = 0;

	for (i = 0; i < n; i++) {
		if (seq[i] == HVMM_PS2_SET2_BREAK) {
			brk = 0x80;
			continue;
		}
		seq[out++] = hvmm_ps2_xlate(seq[i]) | brk;
		brk = 0;
	}
	return out;
}

static int set3_sequence(const struct hvmm_ps2_kbd_state *st,
			 const struct ps2_key *key, bool pressed, u8 *seq)
{
	u8 type;

	if (!key->set3)
		return 0;	/* no such key position in set 3 */
	type = set3_type(st, key->set3);
	if (pressed) {
		seq[0] = key->set3;
		return 1;
	}
	if (type != HVMM_PS2_KEY_MAKE_BREAK &&
	    type != HVMM_PS2_KEY_TYPEMATIC_MB)
		return 0;
	seq[0] = HVMM_PS2_SET2_BREAK;
	seq[1] = key->set3;
	return 2;
}

/**
 * hvmm_ps2_kbd_key_event() - a host key press or release
 * @kbd: keyboard
 * @keycode: Linux key code (KEY_*)
 * @pressed: true for a press (or typematic repeat), false for a release
 *
 * Queues the key's bytes in the current scan code set; nothing while
 * scanning is disabled (0xf5).
 *
 * Return: 0, or -EINVAL when a PS/2 keyboard has no such key.
 */
int hvmm_ps2_kbd_key_event(struct hvmm_ps2_kbd *kbd, u32 keycode,
			   bool pressed)
{
	struct hvmm_ps2_kbd_state *st = &kbd->st;
	const struct ps2_key *key = ps2_key_lookup(keycode);
	u8 seq[8];
	u8 mod = modifier_bit(keycode);
	int i, n;

	if (!key)
		return -EINVAL;
	if (pressed)
		st->mods |= mod;
	else
		st->mods &= ~mod;
	if (!st->scanning)
		return 0;

	if (st->scancode_set == 3) {
		n = set3_sequence(st, key, pressed, seq);
	} else {
		n = set2_sequence(key, keycode, st->mods, pressed, seq);
		if (st->scancode_set == 1)
			n = set2_to_set1(seq, n);
	}
	for (i = 0; i < n; i++)
		queue_key_byte(st, seq[i]);
	return 0;
}

void hvmm_ps2_kbd_get_state(const struct hvmm_ps2_kbd *kbd,
			    struct hvmm_ps2_kbd_state *st)
{
	*st = kbd->st;
}

static bool valid_pending(u8 cmd)
{
	switch (cmd) {
	case 0:
	case 0xed:
	case 0xf0:
	case 0xf3:
	case 0xfb:
	case 0xfc:
	case 0xfd:
		return true;
	}
	return false;
}

/**
 * hvmm_ps2_kbd_check_state() - validate a saved keyboard state
 * @st: state to check
 *
 * Return: 0, or -EINVAL for any value the keyboard could not have been in.
 */
int hvmm_ps2_kbd_check_state(const struct hvmm_ps2_kbd_state *st)
{
	if (st->queue_len > HVMM_PS2_KBD_QUEUE_SLOTS ||
	    st->resp_len > HVMM_PS2_KBD_RESP_SIZE ||
	    st->scancode_set < 1 || st->scancode_set > 3 ||
	    st->scanning > 1 || st->leds > 7 || st->typematic > 0x7f ||
	    !valid_pending(st->pending_cmd) || st->overrun > 1 ||
	    st->mods & ~HVMM_PS2_MOD_ALL || st->pad[0])
		return -EINVAL;
	/* Only the overrun code may sit in the 17th slot. */
	if (st->queue_len == HVMM_PS2_KBD_QUEUE_SLOTS && !st->overrun)
		return -EINVAL;
	if (st->overrun && !st->queue_len)
		return -EINVAL;
	return 0;
}

/* @st must have passed hvmm_ps2_kbd_check_state(). */
void hvmm_ps2_kbd_set_state(struct hvmm_ps2_kbd *kbd,
			    const struct hvmm_ps2_kbd_state *st)
{
	kbd->st = *st;
}
