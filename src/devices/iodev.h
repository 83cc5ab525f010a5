/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between an emulated device and whatever bus dispatches
 * guest port I/O and MMIO to it (the module's io bus, a unit test, the
 * device process).
 *
 * A device embeds one struct hvmm_iodev per discontiguous range it decodes
 * and recovers itself with container_of().  The bus subtracts the base:
 * @offset is relative to hvmm_iodev.base, and 0 <= offset < hvmm_iodev.len.
 *
 * Return: 0 when the access was handled - including accesses the device
 * does not decode, which read as all-ones (hvmm_all_ones()) and drop
 * writes, exactly as an open bus does.  -EOPNOTSUPP only when the device
 * does not claim the address at all, so that the bus tries the next one.
 *
 * Context: the device takes its own lock; callers hold none of the
 * device's locks.  @len is whatever the guest used (1, 2, 4, 8, or even a
 * value no CPU produces): every device checks it.
 */
#ifndef HVMM_DEVICES_IODEV_H
#define HVMM_DEVICES_IODEV_H

#include "platform.h"

struct hvmm_iodev;

struct hvmm_iodev_ops {
	int (*read)(struct hvmm_iodev *dev, u64 offset, u32 len, u64 *val);
	int (*write)(struct hvmm_iodev *dev, u64 offset, u32 len, u64 val);
};

struct hvmm_iodev {
	const struct hvmm_iodev_ops *ops;
	const char *name;
	u64 base;	/* first port or guest-physical address */
	u64 len;	/* bytes decoded from base */
};

/*
 * An interrupt line out of a device (PIT OUT0, i8042 IRQ1/IRQ12): the
 * owner routes it, normally into hvmm_pic_set_irq().  @level is 0 or 1.
 */
typedef void (*hvmm_irq_fn)(void *opaque, u32 irq, int level);

static inline int hvmm_iodev_read(struct hvmm_iodev *dev, u64 addr, u32 len,
				  u64 *val)
{
	if (addr < dev->base || addr - dev->base >= dev->len)
		return -EOPNOTSUPP;
	return dev->ops->read(dev, addr - dev->base, len, val);
}

static inline int hvmm_iodev_write(struct hvmm_iodev *dev, u64 addr, u32 len,
				   u64 val)
{
	if (addr < dev->base || addr - dev->base >= dev->len)
		return -EOPNOTSUPP;
	return dev->ops->write(dev, addr - dev->base, len, val);
}

#endif /* HVMM_DEVICES_IODEV_H */
