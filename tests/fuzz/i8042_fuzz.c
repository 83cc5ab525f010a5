// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the i8042, PS/2 keyboard and PS/2 mouse: port
 * reads/writes of any width around 0x60/0x64, host key and mouse events
 * with arbitrary values, input events, arbitrary save/restore images and
 * resets.  After every step: every state the device reports is one it
 * would accept back, the queues are within bounds, the status register
 * and IRQ lines agree with the output buffer, an enabled interface never
 * leaves data behind an empty output buffer, and the IRQ callback runs
 * with the lock held while reset_request runs without it.
 */
#include <stdlib.h>
#include "../../src/devices/i8042.h"

struct harness {
	struct hvmm_i8042 dev;
	int level[2];	/* IRQ1, IRQ12 as last driven */
};

static struct harness h;
static struct hvmm_i8042 scratch;

static void fuzz_irq(void *opaque, u32 irq, int level)
{
	struct harness *x = opaque;

	if (pthread_mutex_trylock(&x->dev.lock.mutex) == 0)
		abort();	/* must be called with the lock held */
	if (irq == 1)
		x->level[0] = level;
	else if (irq == 12)
		x->level[1] = level;
	else
		abort();
	if (level != 0 && level != 1)
		abort();
}

static void fuzz_reset(void *opaque)
{
	struct harness *x = opaque;

	if (pthread_mutex_trylock(&x->dev.lock.mutex) != 0)
		abort();	/* must be called with the lock dropped */
	pthread_mutex_unlock(&x->dev.lock.mutex);
}

struct input {
	const u8 *p;
	size_t left;
};

static u8 take8(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static u32 take32(struct input *in)
{
	u32 v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v |= (u32)take8(in) << (8 * i);
	return v;
}

static void check_invariants(void)
{
	struct hvmm_i8042_state st;
	const struct hvmm_i8042_ctrl_state *c = &st.ctrl;
	u64 status = 0;
	u8 cb;

	hvmm_i8042_get_state(&h.dev, &st);
	/* Whatever the device produced, it accepts back. */
	if (hvmm_i8042_set_state(&scratch, &st))
		abort();
	if (st.kbd.queue_len > HVMM_PS2_KBD_QUEUE_SLOTS ||
	    st.kbd.resp_len > HVMM_PS2_KBD_RESP_SIZE ||
	    st.mouse.queue_len > HVMM_PS2_MOUSE_QUEUE_SIZE)
		abort();
	hvmm_iodev_read(&h.dev.cmd_dev, 0x64, 1, &status);
	if (!!(status & 0x01) != c->obuf_full ||
	    !!(status & 0x20) != (c->obuf_full && c->obuf_aux) ||
	    (status & 0x02))
		abort();
	cb = c->ram[0];
	if (h.level[0] != (c->obuf_full && !c->obuf_aux && (cb & 1)) ||
	    h.level[1] != (c->obuf_full && c->obuf_aux && (cb & 2)))
		abort();
	if (!c->obuf_full) {
		if (!(cb & 0x10) && (st.kbd.queue_len || st.kbd.resp_len))
			abort();
		if (!(cb & 0x20) && st.mouse.queue_len)
			abort();
	}
}

static struct hvmm_iodev *pick_dev(u8 sel)
{
	return sel & 1 ? &h.dev.cmd_dev : &h.dev.data_dev;
}

static void step(struct input *in)
{
	u8 op = take8(in);
	struct hvmm_i8042_state st;
	struct hvmm_input_event ev;
	u64 val;
	u32 len, i;
	u16 port;

	switch (op % 9) {
	case 0:		/* read: ports 0x5c..0x6b, widths 0..9 */
		port = 0x5c + take8(in) % 16;
		len = take8(in) % 10;
		hvmm_iodev_read(&h.dev.data_dev, port, len, &val);
		hvmm_iodev_read(&h.dev.cmd_dev, port, len, &val);
		break;
	case 1:		/* write */
		port = 0x5c + take8(in) % 16;
		len = take8(in) % 10;
		val = take32(in) | (u64)take32(in) << 32;
		hvmm_iodev_write(&h.dev.data_dev, port, len, val);
		hvmm_iodev_write(&h.dev.cmd_dev, port, len, val);
		break;
	case 2:		/* byte-wide I/O, the common case, several at once */
		len = take8(in) % 8 + 1;
		for (i = 0; i < len; i++) {
			op = take8(in);
			if (op & 2)
				pick_dev(op)->ops->write(pick_dev(op), 0, 1,
							 take8(in));
			else
				pick_dev(op)->ops->read(pick_dev(op), 0, 1,
							&val);
		}
		break;
	case 3:		/* a direct op call with any offset */
		op = take8(in);
		pick_dev(op)->ops->read(pick_dev(op), take32(in), 1, &val);
		pick_dev(op)->ops->write(pick_dev(op), take32(in), 1, 0xfe);
		break;
	case 4:		/* key: usually a real one, sometimes anything */
		val = take32(in);
		if (!(val & 0x80000000))
			val %= 256;
		hvmm_i8042_key_event(&h.dev, (u32)val, take8(in) & 1);
		break;
	case 5:
		hvmm_i8042_mouse_event(&h.dev, (s32)take32(in),
				       (s32)take32(in), (s32)take32(in),
				       take8(in) & 0x3f);
		break;
	case 6:		/* an input event made of raw bytes */
		for (i = 0; i < sizeof(ev); i++)
			((u8 *)&ev)[i] = take8(in);
		ev.type = ev.type % 4;
		hvmm_i8042_input_event(&h.dev, &ev);
		break;
	case 7:		/* restore: a real state with bytes flipped */
		hvmm_i8042_get_state(&h.dev, &st);
		len = take8(in) % 4;
		for (i = 0; i < len; i++)
			((u8 *)&st)[take8(in) % sizeof(st)] = take8(in);
		hvmm_i8042_set_state(&h.dev, &st);
		break;
	case 8:
		if (take8(in) == 0x5a)
			hvmm_i8042_reset(&h.dev);
		break;
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct input in = { data, size };
	int steps = 0;

	memset(&h, 0, sizeof(h));
	hvmm_i8042_init(&h.dev, fuzz_irq, fuzz_reset, &h);
	hvmm_i8042_init(&scratch, NULL, NULL, NULL);
	while (in.left && steps++ < 4096) {
		step(&in);
		check_invariants();
	}
	return 0;
}
