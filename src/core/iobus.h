/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel io bus: which in-kernel device (struct hvmm_iodev,
 * src/devices/iodev.h) decodes a guest port or guest-physical address.
 *
 * One bus per address space (port I/O, MMIO) and VM.  The ranges live in
 * a sorted array that is replaced as a whole on every (rare)
 * registration and published with RCU, so that the lookup on the VM-exit
 * path is one binary search with no lock taken and no write to shared
 * memory.  Registration and removal serialise on the bus mutex.
 *
 * A device is reached by the address where an access starts: the device
 * gets that address minus its base and the guest's width, and handles
 * bytes beyond its own range itself (iodev.h), as the ISA bus does.
 */
#ifndef HVMM_CORE_IOBUS_H
#define HVMM_CORE_IOBUS_H

#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include "../devices/iodev.h"

/* Ranges per bus; the PC devices need 7.  Bounds every allocation. */
#define HVMM_IOBUS_MAX_RANGES	64

struct hvmm_iobus_range {
	u64 base;
	u64 len;
	struct hvmm_iodev *dev;
	u32 stat;		/* offset of a u64 in struct hvmm_vcpu_stat */
};

struct hvmm_iobus_table {
	struct rcu_head rcu;
	u32 nr;
	struct hvmm_iobus_range range[];	/* sorted by base, disjoint */
};

struct hvmm_iobus {
	struct mutex lock;	/* serialises writers of @table */
	struct hvmm_iobus_table __rcu *table;
	u64 limit;		/* addresses are below this (0: 2^64) */
};

void hvmm_iobus_init(struct hvmm_iobus *bus, u64 limit);
void hvmm_iobus_destroy(struct hvmm_iobus *bus);
int __must_check hvmm_iobus_register(struct hvmm_iobus *bus,
				     struct hvmm_iodev *dev, u32 stat);
void hvmm_iobus_unregister(struct hvmm_iobus *bus, struct hvmm_iodev *dev);
int hvmm_iobus_access(struct hvmm_iobus *bus, u64 addr, u32 len, bool write,
		      u64 *val, u32 *stat);

#endif /* HVMM_CORE_IOBUS_H */
