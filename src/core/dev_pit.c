// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel 8254 PIT and port 0x61 (src/devices/i8254.c) in a VM:
 * KVM_CREATE_PIT/PIT2, KVM_GET/SET_PIT, KVM_GET/SET_PIT2 and
 * KVM_REINJECT_CONTROL, with KVM's errnos (arch/x86/kvm/x86.c,
 * kvm_arch_vm_ioctl()).  OUT0 drives IRQ0 through the router
 * (dev_pic.c); the PIC's acknowledgement of IRQ0 comes back through
 * pic_acked() for tick reinjection.
 */
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "core.h"
#include "devices.h"

/* 8254 OUT0, called under the PIT lock, also from its timer worker. */
static void pit_irq(void *opaque, u32 irq, int level)
{
	hvmm_devs_set_irq(opaque, irq, HVMM_IRQ_SRC_PIT, level);
}

static struct hvmm_pit *pit_locked(struct hvmm_vm *vm)
{
	struct hvmm_vm_devs *devs = vm->devs;

	lockdep_assert_held(&vm->lock);
	return devs ? rcu_dereference_protected(devs->pit,
						lockdep_is_held(&vm->lock)) :
		      NULL;
}

/**
 * hvmm_dev_create_pit() - KVM_CREATE_PIT2 (and KVM_CREATE_PIT)
 * @vm: the VM
 * @flags: struct kvm_pit_config.flags; KVM_PIT_SPEAKER_DUMMY puts port
 *	0x61 in the kernel too, otherwise userspace keeps it (QEMU passes 0
 *	and emulates 0x61 itself through KVM_GET/SET_PIT2).  KVM checks
 *	neither the other bits nor the padding, and neither does hvmm.
 *
 * The PIT needs the in-kernel PIC for IRQ0: -ENOENT before
 * KVM_CREATE_IRQCHIP, as current KVM answers (KVM 6.1 still accepted
 * it and left IRQ0 unconnected).
 *
 * Return: 0; -ENOENT without irqchip; -EEXIST if there is one (or its
 * ports are taken); -ENOMEM, or another errno if the timer's worker
 * thread cannot be created.
 */
long hvmm_dev_create_pit(struct hvmm_vm *vm, u32 flags)
{
	u32 stat = offsetof(struct hvmm_vcpu_stat, pio_kernel_pit);
	struct hvmm_vm_devs *devs;
	struct hvmm_pit *pit;
	long r;

	mutex_lock(&vm->lock);
	r = -EEXIST;
	if (pit_locked(vm))
		goto out;
	devs = vm->devs;
	r = -ENOENT;
	if (!devs || !devs->pic)
		goto out;
	r = -ENOMEM;
	pit = kzalloc(sizeof(*pit), GFP_KERNEL_ACCOUNT);
	if (!pit)
		goto out;
	r = hvmm_pit_init(pit, &devs->clock, pit_irq, devs);
	if (r) {
		kfree(pit);
		goto out;
	}
	/* no timer while IRQ0 is masked with its request latched */
	hvmm_pit_set_blocked_fn(pit, hvmm_dev_irq0_blocked);
	/* Before the guest can reach it: no IRQ0 ack may miss it. */
	rcu_assign_pointer(devs->pit, pit);
	r = hvmm_iobus_register(&devs->pio, &pit->pit_dev, stat);
	if (r)
		goto unpublish;
	if (flags & KVM_PIT_SPEAKER_DUMMY) {
		r = hvmm_iobus_register(&devs->pio, &pit->port61_dev, stat);
		if (r)
			goto unregister;
	}
	mutex_unlock(&vm->lock);
	return 0;

unregister:
	hvmm_iobus_unregister(&devs->pio, &pit->pit_dev);
unpublish:
	RCU_INIT_POINTER(devs->pit, NULL);
	synchronize_rcu();
	hvmm_pit_destroy(pit);
	kfree(pit);
out:
	mutex_unlock(&vm->lock);
	return r;
}

/**
 * hvmm_dev_pit_irq0_unblocked() - IRQ0 may have been unmasked at the PIC
 * @devs: the VM's devices
 * @drop_missed: by OCW1: forget the ticks queued for reinjection
 *	meanwhile, as KVM's pit_mask_notifer() does, so they do not arrive
 *	as a burst (only with reinject on, as KVM registers its mask
 *	notifier only then)
 *
 * The PIT catches up and re-arms the timer it stops while IRQ0 is blocked
 * (hvmm_dev_irq0_blocked()).
 *
 * Context: inside an RCU read-side section (the io bus's, or the
 * caller's), no PIC lock held.
 */
void hvmm_dev_pit_irq0_unblocked(struct hvmm_vm_devs *devs, bool drop_missed)
{
	struct hvmm_pit *pit = rcu_dereference(devs->pit);

	if (!pit)
		return;
	hvmm_pit_irq0_unblocked(pit, drop_missed);
}

/* VM destruction (devices.c): stop the timer with no lock held, free. */
void hvmm_dev_pit_free(struct hvmm_vm_devs *devs)
{
	struct hvmm_pit *pit = rcu_dereference_protected(devs->pit, true);

	if (!pit)
		return;
	hvmm_pit_destroy(pit);
	RCU_INIT_POINTER(devs->pit, NULL);
	kfree(pit);
}

/*
 * KVM_SET_PIT has channels only: keep the flags and port 0x61's latch
 * bits (hvmm's reserved[0] bits 24-25) and load the channels as KVM
 * does, counting from count_load_time.
 */
static int set_pit(struct hvmm_pit *pit, const struct kvm_pit_state *ps)
{
	struct kvm_pit_state2 st;
	u32 port61;
	int r;

	r = hvmm_pit_get_state(pit, &st);
	if (r)
		return r;
	port61 = st.reserved[0] & (3u << HVMM_PIT_EXT_PORT61_SHIFT);
	memcpy(st.channels, ps->channels, sizeof(st.channels));
	memset(st.reserved, 0, sizeof(st.reserved));
	st.reserved[0] = port61;
	return hvmm_pit_set_state(pit, &st);
}

/**
 * hvmm_dev_pit_ioctl() - save/restore and tick policy of the PIT
 * @vm: the VM
 * @ioctl: KVM_GET_PIT, KVM_SET_PIT, KVM_GET_PIT2, KVM_SET_PIT2 or
 *	KVM_REINJECT_CONTROL
 * @argp: the argument
 *
 * KVM_GET_PIT2 fills kvm_pit_state2.reserved[] with hvmm's extension of
 * the state (src/devices/i8254.h) and KVM_SET_PIT2 takes it back, so a
 * save/restore cycle is exact; all-zero reserved[] (KVM's) is accepted.
 *
 * Return: 0; -ENXIO without a PIT; -EINVAL for a state the 8254 cannot
 * be in (nothing changes then); -EFAULT.
 */
long hvmm_dev_pit_ioctl(struct hvmm_vm *vm, unsigned int ioctl,
			void __user *argp)
{
	union {
		struct kvm_pit_state ps;
		struct kvm_pit_state2 ps2;
		struct kvm_reinject_control reinject;
	} u;
	struct hvmm_pit *pit;
	long r = 0;

	switch (ioctl) {
	case KVM_GET_PIT:	/* KVM reads the argument first */
	case KVM_SET_PIT:
		if (copy_from_user(&u.ps, argp, sizeof(u.ps)))
			return -EFAULT;
		break;
	case KVM_SET_PIT2:
		if (copy_from_user(&u.ps2, argp, sizeof(u.ps2)))
			return -EFAULT;
		break;
	case KVM_REINJECT_CONTROL:
		if (copy_from_user(&u.reinject, argp, sizeof(u.reinject)))
			return -EFAULT;
		break;
	}

	mutex_lock(&vm->lock);
	pit = pit_locked(vm);
	if (!pit) {
		mutex_unlock(&vm->lock);
		return -ENXIO;
	}
	switch (ioctl) {
	case KVM_GET_PIT:
		r = hvmm_pit_get_state(pit, &u.ps2);
		break;
	case KVM_SET_PIT:
		r = set_pit(pit, &u.ps);
		break;
	case KVM_GET_PIT2:
		r = hvmm_pit_get_state(pit, &u.ps2);
		break;
	case KVM_SET_PIT2:
		r = hvmm_pit_set_state(pit, &u.ps2);
		break;
	case KVM_REINJECT_CONTROL:
		spin_lock(&vm->devs->reinject_lock);
		vm->devs->pit_reinject = u.reinject.pit_reinject;
		hvmm_pit_set_reinject(pit, vm->devs->pit_reinject);
		spin_unlock(&vm->devs->reinject_lock);
		break;
	}
	mutex_unlock(&vm->lock);
	if (r)
		return r;

	if (ioctl == KVM_GET_PIT &&
	    copy_to_user(argp, u.ps2.channels, sizeof(struct kvm_pit_state)))
		return -EFAULT;
	if (ioctl == KVM_GET_PIT2 && copy_to_user(argp, &u.ps2, sizeof(u.ps2)))
		return -EFAULT;
	return 0;
}
