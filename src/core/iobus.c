// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel io bus (see iobus.h): a sorted, RCU-published array of
 * disjoint ranges, looked up by binary search.
 *
 * Lifetime rule: a device may be freed only after
 * hvmm_iobus_unregister() returned, which waits for every lookup that
 * could still hold a pointer to it (synchronize_rcu()).  Device handlers
 * run inside the RCU read-side section, so they must not sleep; the
 * device models only take IRQ-safe spinlocks (platform_kernel.h).
 */
#include <linux/slab.h>
#include <linux/string.h>
#include "iobus.h"

/**
 * hvmm_iobus_init() - an empty bus
 * @bus: the bus
 * @limit: size of the address space (0x10000 for ports), 0 for 2^64
 */
void hvmm_iobus_init(struct hvmm_iobus *bus, u64 limit)
{
	mutex_init(&bus->lock);
	RCU_INIT_POINTER(bus->table, NULL);
	bus->limit = limit;
}

/**
 * hvmm_iobus_destroy() - free the range array
 * @bus: the bus; no lookup can run any more (the VM has no vCPU left)
 *
 * The devices themselves belong to their owners.
 */
void hvmm_iobus_destroy(struct hvmm_iobus *bus)
{
	kfree(rcu_dereference_protected(bus->table, true));
	RCU_INIT_POINTER(bus->table, NULL);
}

static struct hvmm_iobus_table *table_alloc(u32 nr)
{
	return kzalloc(struct_size_t(struct hvmm_iobus_table, range, nr),
		       GFP_KERNEL_ACCOUNT);
}

/* Index of the first range with base > @addr (0 .. nr). */
static u32 upper_bound(const struct hvmm_iobus_table *t, u64 addr)
{
	u32 lo = 0, hi = t->nr;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (t->range[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/**
 * hvmm_iobus_register() - let @dev decode [dev->base, dev->base + dev->len)
 * @bus: the bus
 * @dev: the device; must stay valid until hvmm_iobus_unregister()
 * @stat: offset of the struct hvmm_vcpu_stat counter its accesses count in
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL for a zero length or a range that wraps or leaves
 * the address space; -EEXIST when it overlaps a registered range (or
 * @dev is registered already); -ENOSPC beyond HVMM_IOBUS_MAX_RANGES;
 * -ENOMEM.
 */
int hvmm_iobus_register(struct hvmm_iobus *bus, struct hvmm_iodev *dev,
			u32 stat)
{
	struct hvmm_iobus_table *old, *new;
	u32 nr, pos, i;
	u64 last;

	if (!dev->len || check_add_overflow(dev->base, dev->len - 1, &last) ||
	    (bus->limit && last >= bus->limit))
		return -EINVAL;

	mutex_lock(&bus->lock);
	old = rcu_dereference_protected(bus->table,
					lockdep_is_held(&bus->lock));
	nr = old ? old->nr : 0;
	for (i = 0; i < nr; i++)
		if (old->range[i].dev == dev) {
			mutex_unlock(&bus->lock);
			return -EEXIST;
		}
	if (nr >= HVMM_IOBUS_MAX_RANGES) {
		mutex_unlock(&bus->lock);
		return -ENOSPC;
	}
	pos = old ? upper_bound(old, dev->base) : 0;
	/* Disjoint and sorted: only the neighbours can overlap. */
	if ((pos > 0 && old->range[pos - 1].base +
			(old->range[pos - 1].len - 1) >= dev->base) ||
	    (pos < nr && old->range[pos].base <= last)) {
		mutex_unlock(&bus->lock);
		return -EEXIST;
	}
	new = table_alloc(nr + 1);
	if (!new) {
		mutex_unlock(&bus->lock);
		return -ENOMEM;
	}
	if (pos)
		memcpy(new->range, old->range, pos * sizeof(new->range[0]));
	new->range[pos].base = dev->base;
	new->range[pos].len = dev->len;
	new->range[pos].dev = dev;
	new->range[pos].stat = stat;
	if (nr > pos)
		memcpy(&new->range[pos + 1], &old->range[pos],
		       (nr - pos) * sizeof(new->range[0]));
	new->nr = nr + 1;
	rcu_assign_pointer(bus->table, new);
	mutex_unlock(&bus->lock);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

/**
 * hvmm_iobus_unregister() - stop dispatching to @dev
 * @bus: the bus
 * @dev: a device; nothing happens if it is not registered
 *
 * When this returns, no lookup uses @dev any more: it may be freed.
 * Context: process context, sleeps (synchronize_rcu()).
 */
void hvmm_iobus_unregister(struct hvmm_iobus *bus, struct hvmm_iodev *dev)
{
	struct hvmm_iobus_table *old, *new = NULL;
	u32 i, j;

	mutex_lock(&bus->lock);
	old = rcu_dereference_protected(bus->table,
					lockdep_is_held(&bus->lock));
	for (i = 0; old && i < old->nr; i++)
		if (old->range[i].dev == dev)
			break;
	if (!old || i == old->nr) {
		mutex_unlock(&bus->lock);
		return;
	}
	/*
	 * On allocation failure the whole table goes: lookups then fall
	 * through to userspace, which is safe; the caller is tearing the
	 * device down anyway.
	 */
	if (old->nr > 1) {
		new = table_alloc(old->nr - 1);
		if (new) {
			for (j = 0; j < old->nr; j++)
				if (j != i)
					new->range[new->nr++] = old->range[j];
		}
	}
	rcu_assign_pointer(bus->table, new);
	mutex_unlock(&bus->lock);
	synchronize_rcu();
	kfree(old);
}

/**
 * hvmm_iobus_access() - offer one guest access to the bus
 * @bus: the bus
 * @addr: port or guest-physical address of the access's first byte
 * @len: width in bytes, 1 to 8
 * @write: direction
 * @val: the value to write, or receives the value read (zero-extended)
 * @stat: receives the claiming range's counter offset
 *
 * Context: any; does not sleep.  Called on the VM-exit path.
 * Return: 0 when a device handled it, -EOPNOTSUPP when no device claims
 * @addr (or the device declined it).
 */
int hvmm_iobus_access(struct hvmm_iobus *bus, u64 addr, u32 len, bool write,
		      u64 *val, u32 *stat)
{
	const struct hvmm_iobus_table *t;
	const struct hvmm_iobus_range *r;
	u64 v = 0;
	u32 pos;
	int ret = -EOPNOTSUPP;

	if (!len || len > sizeof(u64))
		return -EOPNOTSUPP;
	rcu_read_lock();
	t = rcu_dereference(bus->table);
	if (!t)
		goto out;
	pos = upper_bound(t, addr);
	if (!pos)
		goto out;
	r = &t->range[pos - 1];
	if (addr - r->base >= r->len)
		goto out;
	if (write) {
		ret = r->dev->ops->write(r->dev, addr - r->base, len, *val);
	} else {
		ret = r->dev->ops->read(r->dev, addr - r->base, len, &v);
		if (!ret)
			*val = len == 8 ? v : v & ((1ULL << (len * 8)) - 1);
	}
	if (!ret)
		*stat = r->stat;
	else
		ret = -EOPNOTSUPP;
out:
	rcu_read_unlock();
	return ret;
}
