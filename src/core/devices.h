/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM's in-kernel devices: the io buses, the interrupt router into the
 * 8259A pair, the 8254 PIT and the i8042 (Documentation/abi.md).
 *
 * Objects and lifetimes: struct hvmm_vm_devs is allocated by the first
 * device ioctl and each device by its create ioctl, all under vm->lock;
 * each pointer is written once (smp_store_release()) and read without a
 * lock (smp_load_acquire()), also from the PIT's timer worker (a kthread:
 * no device code runs in hard-IRQ context, see platform_kernel.h).  Nothing is freed before the VM is destroyed, which happens
 * only when no VM fd, vCPU fd or KVM_RUN is left (every vCPU fd holds a
 * VM reference and an ioctl holds its file), so a vCPU on another thread
 * never sees a device go away.
 *
 * Interrupt wiring and lock order (every lock IRQ-safe):
 *
 *   PIT lock / i8042 lock  ->  devs->irq_lock  ->  PIC lock
 *
 * A device's irq callback runs under its own lock and takes irq_lock,
 * which ORs the line over its sources (KVM's irq source ids: userspace,
 * PIT, i8042) and calls hvmm_pic_set_irq().  The PIC calls output()
 * (kick the BSP) and acked() (PIT reinjection, takes the PIT lock) with
 * its own lock dropped; acked() only comes from an INTA or a poll read,
 * never from set_irq, so it is never called under irq_lock.
 */
#ifndef HVMM_CORE_DEVICES_H
#define HVMM_CORE_DEVICES_H

#include <linux/atomic.h>
#include <linux/spinlock.h>
#include "hvmm.h"
#include "iobus.h"
#include "../devices/i8259.h"
#include "../devices/i8254.h"
#include "../devices/i8042.h"

/* Who drives an IRQ line; the PIC sees the OR of all of them. */
enum hvmm_irq_source {
	HVMM_IRQ_SRC_USER,	/* KVM_IRQ_LINE */
	HVMM_IRQ_SRC_PIT,	/* 8254 OUT0 -> IRQ0 */
	HVMM_IRQ_SRC_I8042,	/* IRQ1, IRQ12 */
};

struct hvmm_vm_devs {
	struct hvmm_vm *vm;
	struct hvmm_iobus pio;
	struct hvmm_iobus mmio;
	struct hvmm_clock clock;	/* the PIT's time base */

	spinlock_t irq_lock;		/* irq_src[], user_held; PIC input */
	u8 irq_src[HVMM_PIC_NR_IRQS];	/* BIT(source) while it drives high */
	u16 user_held;			/* KVM_IRQ_LINE 0 deferred to INTA */

	/* Written once under vm->lock, see the top. */
	struct hvmm_pic *pic;
	struct hvmm_pit __rcu *pit;	/* published before it is on the bus */
	struct hvmm_i8042 *i8042;

	/*
	 * 0x20-0x21 go through this wrapper of pic->master, which sees the
	 * guest unmask IRQ0 (KVM's PIT mask notifier, dev_pic.c).
	 */
	struct hvmm_iodev pic_master;
	struct hvmm_pic *pic_master_target;	/* the PIC it wraps */
	/* Serialises the PIT's reinject policy changes; @pit_reinject. */
	spinlock_t reinject_lock;
	bool pit_reinject;		/* KVM_REINJECT_CONTROL, default on */

	/* The i8042 pulsed the CPU reset line; one KVM_RUN reports it. */
	atomic_t reset_request;
};

static inline struct hvmm_vm_devs *hvmm_devs(struct hvmm_vm *vm)
{
	/* Pairs with hvmm_devs_get(): the container is initialised. */
	return smp_load_acquire(&vm->devs);
}

/* devices.c */
struct hvmm_vm_devs *hvmm_devs_get(struct hvmm_vm *vm);
void hvmm_devs_destroy(struct hvmm_vm *vm);
long hvmm_vm_dev_ioctl(struct hvmm_vm *vm, unsigned int ioctl,
		       unsigned long arg);

/* dev_pic.c */
void hvmm_devs_set_irq(struct hvmm_vm_devs *devs, u32 irq,
		       enum hvmm_irq_source src, int level);
long hvmm_dev_create_irqchip(struct hvmm_vm *vm);
long hvmm_dev_irq_line(struct hvmm_vm *vm, void __user *argp);
long hvmm_dev_get_irqchip(struct hvmm_vm *vm, void __user *argp);
long hvmm_dev_set_irqchip(struct hvmm_vm *vm, void __user *argp);
void hvmm_dev_pic_free(struct hvmm_vm_devs *devs);
bool hvmm_dev_irq0_blocked(void *opaque);

/* dev_pit.c */
long hvmm_dev_create_pit(struct hvmm_vm *vm, u32 flags);
long hvmm_dev_pit_ioctl(struct hvmm_vm *vm, unsigned int ioctl,
			void __user *argp);
void hvmm_dev_pit_free(struct hvmm_vm_devs *devs);
void hvmm_dev_pit_irq0_unblocked(struct hvmm_vm_devs *devs, bool drop_missed);

/* dev_i8042.c */
long hvmm_dev_i8042_ioctl(struct hvmm_vm *vm, unsigned int ioctl,
			  void __user *argp);
void hvmm_dev_i8042_free(struct hvmm_vm_devs *devs);

#endif /* HVMM_CORE_DEVICES_H */
