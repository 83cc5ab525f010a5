// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel 8259A pair (src/devices/i8259.c) in a VM: KVM_CREATE_IRQCHIP,
 * KVM_IRQ_LINE, KVM_GET/SET_IRQCHIP, the interrupt router every IRQ
 * source goes through, and the backend's view of the PIC's INT output
 * (hvmm_core_irqchip_in_kernel/irq_pending/irq_ack, src/vmx/vmx.h).
 *
 * hvmm has no local APIC or IOAPIC: the PIC's INT output is wired to the
 * bootstrap processor as ExtINT, as on a PC whose LAPIC LINT0 is in
 * virtual-wire mode.  The BSP is the first vCPU created (vm->vcpus[0];
 * normally id 0); other vCPUs never see PIC interrupts.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "core.h"
#include "devices.h"
#include "../vmx/vmx.h"

static struct hvmm_vcpu *bsp(struct hvmm_vm *vm)
{
	/* Pairs with hvmm_vm_create_vcpu(); vCPUs live as long as the VM. */
	return smp_load_acquire(&vm->vcpus[0]);
}

/* PIC INT changed (any context, PIC lock dropped): wake the BSP. */
static void pic_output(void *opaque, int level)
{
	struct hvmm_vm_devs *devs = opaque;
	struct hvmm_vcpu *vcpu;

	/*
	 * A falling INT needs nothing: the backend asks
	 * hvmm_core_irq_pending() before every entry and the INTA of a
	 * request that went away yields the spurious IR7 vector.
	 */
	if (!level)
		return;
	vcpu = bsp(devs->vm);
	if (vcpu)
		hvmm_vmx_vcpu_kick(vcpu);
}

/* Drive the PIC input from all sources.  Context: irq_lock held. */
static void apply_line(struct hvmm_vm_devs *devs, u32 irq)
{
	if (devs->pic)
		hvmm_pic_set_irq(devs->pic, irq, devs->irq_src[irq] != 0);
}

/*
 * Does the PIC hold an edge-triggered request on @irq that no INTA has
 * taken yet?  Read through the save/restore interface, under the PIC
 * lock (irq_lock -> PIC lock is the documented order).
 */
static bool edge_request_latched(struct hvmm_pic *pic, u32 irq)
{
	struct kvm_pic_state st;
	u8 bit = BIT(irq & 7);

	if (hvmm_pic_get_state(pic, irq >> 3, &st))
		return false;
	return !(st.elcr & bit) && (st.irr & bit);
}

/* End a deferred KVM_IRQ_LINE 0 on @irq.  Context: irq_lock held. */
static void release_user_line(struct hvmm_vm_devs *devs, u32 irq)
{
	devs->user_held &= ~BIT(irq);
	devs->irq_src[irq] &= ~BIT(HVMM_IRQ_SRC_USER);
	apply_line(devs, irq);
}

/* An INTA or poll took @irq (PIC lock dropped, no other lock held). */
static void pic_acked(void *opaque, u32 irq)
{
	struct hvmm_vm_devs *devs = opaque;
	struct hvmm_pit *pit;
	unsigned long flags;

	if (irq >= HVMM_PIC_NR_IRQS)
		return;
	/* A userspace edge was taken: now its line may really fall. */
	if (READ_ONCE(devs->user_held) & BIT(irq)) {
		spin_lock_irqsave(&devs->irq_lock, flags);
		if (devs->user_held & BIT(irq))
			release_user_line(devs, irq);
		spin_unlock_irqrestore(&devs->irq_lock, flags);
	}
	if (irq != HVMM_PIT_IRQ)
		return;
	/* RCU: a PIT whose creation fails is freed after a grace period. */
	rcu_read_lock();
	pit = rcu_dereference(devs->pit);
	if (pit)
		hvmm_pit_irq_acked(pit);
	rcu_read_unlock();
}

/**
 * hvmm_devs_set_irq() - drive one source's level on an IRQ line
 * @devs: the VM's devices
 * @irq: 0-15
 * @src: who drives it
 * @level: 0 low, nonzero high
 *
 * The PIC input is the OR over all sources, as KVM's irq source ids make
 * it (__kvm_irq_line_state()): a userspace KVM_IRQ_LINE and the PIT can
 * share IRQ0 without either losing its edges to the other's level.
 *
 * Context: any, including hard IRQ; may be called under a device lock.
 */
void hvmm_devs_set_irq(struct hvmm_vm_devs *devs, u32 irq,
		       enum hvmm_irq_source src, int level)
{
	unsigned long flags;

	if (irq >= HVMM_PIC_NR_IRQS)
		return;
	spin_lock_irqsave(&devs->irq_lock, flags);
	if (level)
		devs->irq_src[irq] |= BIT(src);
	else
		devs->irq_src[irq] &= ~BIT(src);
	apply_line(devs, irq);
	spin_unlock_irqrestore(&devs->irq_lock, flags);
}

/*
 * KVM_IRQ_LINE with KVM's edge semantics (see hvmm_dev_irq_line()): a
 * 0 that would withdraw an edge-triggered request the guest has not
 * acknowledged yet is deferred until its INTA (pic_acked()), so the
 * request stays latched as in KVM's and QEMU's 8259 models.  If the
 * request went away otherwise meanwhile (ICW1, a mode change), the
 * deferred 0 is applied before the next level, so the next 1 is a new
 * edge again.
 */
static void user_set_irq(struct hvmm_vm_devs *devs, u32 irq, int level)
{
	struct hvmm_pic *pic = devs->pic;
	unsigned long flags;

	spin_lock_irqsave(&devs->irq_lock, flags);
	if ((devs->user_held & BIT(irq)) && !edge_request_latched(pic, irq))
		release_user_line(devs, irq);
	if (level) {
		devs->user_held &= ~BIT(irq);
		devs->irq_src[irq] |= BIT(HVMM_IRQ_SRC_USER);
	} else if ((devs->irq_src[irq] & BIT(HVMM_IRQ_SRC_USER)) &&
		   edge_request_latched(pic, irq)) {
		devs->user_held |= BIT(irq);
	} else {
		devs->user_held &= ~BIT(irq);
		devs->irq_src[irq] &= ~BIT(HVMM_IRQ_SRC_USER);
	}
	apply_line(devs, irq);
	spin_unlock_irqrestore(&devs->irq_lock, flags);
}

static bool irq0_masked(struct hvmm_pic *pic)
{
	struct kvm_pic_state st;

	return !hvmm_pic_get_state(pic, HVMM_PIC_MASTER, &st) && (st.imr & 1);
}

/**
 * hvmm_dev_irq0_blocked() - would a PIT edge on IRQ0 change nothing now?
 * @opaque: the VM's struct hvmm_vm_devs
 *
 * True while IRQ0 is masked and its request is latched in the IRR: the
 * PIT then stops its timer (hvmm_pit_set_blocked_fn()).  Each way out of
 * that state calls the PIT back: an OCW1 or ICW1 that clears IMR bit 0
 * (master_write()), KVM_SET_IRQCHIP (hvmm_dev_set_irqchip()) and the INTA
 * or poll that takes IRQ0 (pic_acked()).  IRQ0 cannot be level-triggered
 * (the master's ELCR mask), so no ELCR write clears its request.
 *
 * Context: under the PIT lock (the PIC lock nests inside it).
 */
bool hvmm_dev_irq0_blocked(void *opaque)
{
	struct hvmm_vm_devs *devs = opaque;
	struct kvm_pic_state st;

	BUILD_BUG_ON(HVMM_PIC_MASTER_ELCR_MASK & 1);
	return !hvmm_pic_get_state(devs->pic, HVMM_PIC_MASTER, &st) &&
	       (st.imr & st.irr & 1);
}

static int master_read(struct hvmm_iodev *io, u64 offset, u32 len, u64 *val)
{
	struct hvmm_vm_devs *devs = container_of(io, struct hvmm_vm_devs,
						 pic_master);
	struct hvmm_iodev *m = &devs->pic_master_target->master;

	return m->ops->read(m, offset, len, val);
}

/*
 * The master's ports, seen by the io bus through this wrapper: an OCW1
 * (port 0x21 outside an ICW sequence, which the PIC knows, so: any write
 * reaching 0x21) that unmasks IRQ0 is KVM's PIT mask notification
 * (arch/x86/kvm/i8259.c fires it for OCW1 only): the PIT drops the ticks
 * queued meanwhile.  An ICW1 (0x20, D4 set) clears the IMR too: the PIT
 * only catches up then, as KVM does not notify.  Either way the PIT's
 * timer, stopped while IRQ0 was blocked, runs again.  EOIs to 0x20 are
 * not looked at, so the common write costs nothing extra.
 */
static int master_write(struct hvmm_iodev *io, u64 offset, u32 len, u64 val)
{
	struct hvmm_vm_devs *devs = container_of(io, struct hvmm_vm_devs,
						 pic_master);
	struct hvmm_pic *pic = devs->pic_master_target;
	struct hvmm_iodev *m = &pic->master;
	bool icw1 = offset == 0 && (val & 0x10);
	bool watch = (offset + len > 1 || icw1) &&
		     rcu_access_pointer(devs->pit);
	bool was_masked = watch && irq0_masked(pic);
	int ret;

	ret = m->ops->write(m, offset, len, val);
	if (was_masked && !irq0_masked(pic))
		hvmm_dev_pit_irq0_unblocked(devs, !icw1);
	return ret;
}

static const struct hvmm_iodev_ops master_ops = {
	.read = master_read,
	.write = master_write,
};

/**
 * hvmm_dev_create_irqchip() - KVM_CREATE_IRQCHIP
 * @vm: the VM
 *
 * The 8259A pair with the ELCR at 0x20-0x21, 0xa0-0xa1, 0x4d0-0x4d1.
 * As KVM (kvm_arch_vm_ioctl()), only before the first vCPU, so that a
 * vCPU never sees the irqchip mode change under it.
 *
 * Return: 0; -EEXIST if there is one; -EINVAL once a vCPU exists;
 * -ENOMEM; -EEXIST if a port is taken.
 */
long hvmm_dev_create_irqchip(struct hvmm_vm *vm)
{
	struct hvmm_vm_devs *devs;
	struct hvmm_pic *pic;
	u32 stat = offsetof(struct hvmm_vcpu_stat, pio_kernel_pic);
	int r;

	mutex_lock(&vm->lock);
	r = -EEXIST;
	if (vm->devs && vm->devs->pic)
		goto out;
	r = -EINVAL;
	if (vm->nr_vcpus)
		goto out;
	r = -ENOMEM;
	devs = hvmm_devs_get(vm);
	if (!devs)
		goto out;
	pic = kzalloc(sizeof(*pic), GFP_KERNEL_ACCOUNT);
	if (!pic)
		goto out;
	hvmm_pic_init(pic, pic_output, pic_acked, devs);
	/* Set before the wrapper is reachable on the bus. */
	devs->pic_master_target = pic;
	devs->pic_master = pic->master;
	devs->pic_master.ops = &master_ops;
	r = hvmm_iobus_register(&devs->pio, &devs->pic_master, stat);
	if (r)
		goto free;
	r = hvmm_iobus_register(&devs->pio, &pic->slave, stat);
	if (r)
		goto unregister_master;
	r = hvmm_iobus_register(&devs->pio, &pic->elcr, stat);
	if (r)
		goto unregister_slave;

	/*
	 * Pairs with pic_of(): the PIC is initialised and on the bus.  No
	 * line is driven yet: the PIT and the i8042 need the PIC first.
	 */
	smp_store_release(&devs->pic, pic);
	mutex_unlock(&vm->lock);
	return 0;

unregister_slave:
	hvmm_iobus_unregister(&devs->pio, &pic->slave);
unregister_master:
	hvmm_iobus_unregister(&devs->pio, &devs->pic_master);
free:
	devs->pic_master_target = NULL;
	kfree(pic);
out:
	mutex_unlock(&vm->lock);
	return r;
}

/* VM destruction (devices.c): the buses are gone, no vCPU runs. */
void hvmm_dev_pic_free(struct hvmm_vm_devs *devs)
{
	kfree(devs->pic);
	devs->pic = NULL;
}

static struct hvmm_pic *pic_of(struct hvmm_vm *vm)
{
	struct hvmm_vm_devs *devs = hvmm_devs(vm);

	/* Pairs with hvmm_dev_create_irqchip()'s store. */
	return devs ? smp_load_acquire(&devs->pic) : NULL;
}

/**
 * hvmm_dev_irq_line() - KVM_IRQ_LINE: userspace drives an IRQ line
 * @vm: the VM
 * @argp: struct kvm_irq_level
 *
 * @irq 0-15 is the PIC input of that number (2 is the cascade and is
 * ignored, as the 8259A has no pin for it); any @level other than 0 is
 * high.  Edge-triggered lines keep KVM's semantics: a rising edge
 * latches a request that a later 0 does not withdraw before the guest's
 * INTA, so a 1-then-0 pulse delivers one interrupt, as on KVM (the
 * in-kernel devices themselves see the 8259A datasheet's behaviour,
 * Documentation/abi.md).  KVM's default routing also sends GSIs 0-23 to
 * an IOAPIC; hvmm has none, so GSIs from 16 up reach nothing and
 * succeed, exactly as KVM answers a GSI it has no route for.
 *
 * Return: 0; -ENXIO without KVM_CREATE_IRQCHIP; -EFAULT.
 */
long hvmm_dev_irq_line(struct hvmm_vm *vm, void __user *argp)
{
	struct kvm_irq_level irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	if (!pic_of(vm))
		return -ENXIO;
	/* No pin 2: the slave's INT is wired there (i8259.h). */
	if (irq.irq < HVMM_PIC_NR_IRQS && irq.irq != HVMM_PIC_CASCADE_IRQ)
		user_set_irq(hvmm_devs(vm), irq.irq, irq.level);
	return 0;
}

/*
 * Copy in a struct kvm_irqchip naming one 8259A of an existing irqchip.
 * Return: the copy, to kfree(); ERR_PTR(-EFAULT/-ENOMEM) from the copy,
 * -ENXIO without irqchip, -EINVAL for another chip_id - in KVM's order.
 */
static struct kvm_irqchip *irqchip_arg(struct hvmm_vm *vm, void __user *argp,
				       struct hvmm_pic **pic)
{
	struct kvm_irqchip *chip = memdup_user(argp, sizeof(*chip));
	long r = -ENXIO;

	if (IS_ERR(chip))
		return chip;
	*pic = pic_of(vm);
	if (*pic) {
		if (chip->chip_id == KVM_IRQCHIP_PIC_MASTER ||
		    chip->chip_id == KVM_IRQCHIP_PIC_SLAVE)
			return chip;
		r = -EINVAL;
	}
	kfree(chip);
	return ERR_PTR(r);
}

/**
 * hvmm_dev_get_irqchip() - KVM_GET_IRQCHIP
 * @vm: the VM
 * @argp: struct kvm_irqchip; chip_id KVM_IRQCHIP_PIC_MASTER or _SLAVE
 *
 * As KVM, the bytes of the union beyond struct kvm_pic_state come back
 * as userspace passed them.
 *
 * Return: 0; -ENXIO without irqchip; -EINVAL for another chip_id
 * (KVM_IRQCHIP_IOAPIC: there is none); -EFAULT; -ENOMEM.
 */
long hvmm_dev_get_irqchip(struct hvmm_vm *vm, void __user *argp)
{
	struct kvm_irqchip *chip;
	struct hvmm_pic *pic;
	long r;

	chip = irqchip_arg(vm, argp, &pic);
	if (IS_ERR(chip))
		return PTR_ERR(chip);
	r = hvmm_pic_get_state(pic, chip->chip_id, &chip->chip.pic);
	if (!r && copy_to_user(argp, chip, sizeof(*chip)))
		r = -EFAULT;
	kfree(chip);
	return r;
}

/**
 * hvmm_dev_set_irqchip() - KVM_SET_IRQCHIP
 * @vm: the VM
 * @argp: struct kvm_irqchip; chip_id KVM_IRQCHIP_PIC_MASTER or _SLAVE
 *
 * Return: 0; -ENXIO without irqchip; -EINVAL for another chip_id or a
 * state the 8259A cannot be in (nothing changes then); -EFAULT; -ENOMEM.
 */
long hvmm_dev_set_irqchip(struct hvmm_vm *vm, void __user *argp)
{
	struct kvm_irqchip *chip;
	struct hvmm_pic *pic;
	long r;

	chip = irqchip_arg(vm, argp, &pic);
	if (IS_ERR(chip))
		return PTR_ERR(chip);
	r = hvmm_pic_set_state(pic, chip->chip_id, &chip->chip.pic);
	/* IRQ0 may be unmasked or its request gone: the PIT re-checks */
	if (!r && chip->chip_id == KVM_IRQCHIP_PIC_MASTER) {
		rcu_read_lock();
		hvmm_dev_pit_irq0_unblocked(vm->devs, false);
		rcu_read_unlock();
	}
	kfree(chip);
	return r;
}

/**
 * hvmm_core_irqchip_in_kernel() - KVM_CREATE_IRQCHIP was done
 * @vm: the VM
 *
 * Return: true when interrupts come from the in-kernel PIC.
 */
bool hvmm_core_irqchip_in_kernel(struct hvmm_vm *vm)
{
	return pic_of(vm);
}

/**
 * hvmm_core_irq_pending() - is the PIC's INT output high for @vcpu?
 * @vcpu: the vCPU; only the BSP is wired to the PIC
 *
 * Return: true when an INTA now would deliver an interrupt.
 */
bool hvmm_core_irq_pending(struct hvmm_vcpu *vcpu)
{
	struct hvmm_pic *pic = pic_of(vcpu->vm);

	return pic && vcpu == bsp(vcpu->vm) && hvmm_pic_has_interrupt(pic);
}

/**
 * hvmm_core_irq_ack() - the INTA cycle of @vcpu
 * @vcpu: the BSP, able to take an interrupt now
 *
 * Return: the vector (the spurious IR7 vector when the request went
 * away), or -1 for a vCPU the PIC is not wired to.
 */
int hvmm_core_irq_ack(struct hvmm_vcpu *vcpu)
{
	struct hvmm_pic *pic = pic_of(vcpu->vm);

	if (!pic || vcpu != bsp(vcpu->vm))
		return -1;
	return hvmm_pic_ack(pic);
}
