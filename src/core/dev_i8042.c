// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel i8042 with its PS/2 keyboard and mouse
 * (src/devices/i8042.c) in a VM: HVMM_CREATE_I8042, HVMM_GET/SET_I8042
 * and HVMM_INPUT_EVENT (include/uapi/linux/hvmm.h).  IRQ1 and IRQ12 go
 * through the router to the in-kernel PIC; a guest reset through the
 * output port ends KVM_RUN (hvmm_core_exit_request(), devices.c).
 *
 * The A20 gate (output port bit 1) is kept and saved but not applied to
 * guest memory: hvmm guests always see A20 enabled, as on machines with
 * no A20 masking (and as KVM, whose i8042 lives in userspace).
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "core.h"
#include "devices.h"
#include "../vmx/vmx.h"

/* IRQ1/IRQ12, called under the i8042 lock. */
static void i8042_irq(void *opaque, u32 irq, int level)
{
	hvmm_devs_set_irq(opaque, irq, HVMM_IRQ_SRC_I8042, level);
}

/*
 * The guest pulsed the CPU reset line, from a port write on one of its
 * vCPUs (i8042 lock dropped): that vCPU's KVM_RUN reports it next.
 */
static void i8042_reset(void *opaque)
{
	struct hvmm_vm_devs *devs = opaque;

	atomic_set(&devs->reset_request, 1);
}

static long create_i8042(struct hvmm_vm *vm, void __user *argp)
{
	u32 stat = offsetof(struct hvmm_vcpu_stat, pio_kernel_i8042);
	struct hvmm_i8042_config config;
	struct hvmm_vm_devs *devs;
	struct hvmm_i8042 *dev;
	long r;
	int i;

	if (copy_from_user(&config, argp, sizeof(config)))
		return -EFAULT;
	if (config.flags)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(config.pad); i++)
		if (config.pad[i])
			return -EINVAL;

	mutex_lock(&vm->lock);
	devs = vm->devs;
	r = -ENXIO;
	if (!devs || !devs->pic)
		goto out;
	r = -EEXIST;
	if (devs->i8042)
		goto out;
	r = -ENOMEM;
	dev = kzalloc(sizeof(*dev), GFP_KERNEL_ACCOUNT);
	if (!dev)
		goto out;
	hvmm_i8042_init(dev, i8042_irq, i8042_reset, devs);
	r = hvmm_iobus_register(&devs->pio, &dev->data_dev, stat);
	if (r)
		goto free;
	r = hvmm_iobus_register(&devs->pio, &dev->cmd_dev, stat);
	if (r)
		goto unregister;
	/* Pairs with the load below: readers see an initialised device. */
	smp_store_release(&devs->i8042, dev);
	mutex_unlock(&vm->lock);
	return 0;

unregister:
	hvmm_iobus_unregister(&devs->pio, &dev->data_dev);
free:
	/* From reset (empty output buffer) it never drove IRQ1/IRQ12. */
	kfree(dev);
out:
	mutex_unlock(&vm->lock);
	return r;
}

/* VM destruction (devices.c): the buses are gone, no vCPU runs. */
void hvmm_dev_i8042_free(struct hvmm_vm_devs *devs)
{
	kfree(devs->i8042);
	devs->i8042 = NULL;
}

/**
 * hvmm_dev_i8042_ioctl() - HVMM_CREATE_I8042, HVMM_GET/SET_I8042,
 *	HVMM_INPUT_EVENT
 * @vm: the VM
 * @ioctl: the command
 * @argp: its argument
 *
 * Return: 0; -ENXIO without KVM_CREATE_IRQCHIP (create) or without an
 * i8042 (the others); -EEXIST when one exists; -EINVAL for non-zero
 * flags or padding, a state the device rejects, or an invalid event;
 * -EFAULT; -ENOMEM.
 */
long hvmm_dev_i8042_ioctl(struct hvmm_vm *vm, unsigned int ioctl,
			  void __user *argp)
{
	struct hvmm_vm_devs *devs = hvmm_devs(vm);
	struct hvmm_i8042_state *state;
	struct hvmm_input_event ev;
	struct hvmm_i8042 *dev;
	long r;

	if (ioctl == HVMM_CREATE_I8042)
		return create_i8042(vm, argp);
	/* Pairs with create_i8042()'s store. */
	dev = devs ? smp_load_acquire(&devs->i8042) : NULL;

	/* Host input can come hundreds of times a second: no allocation. */
	if (ioctl == HVMM_INPUT_EVENT) {
		if (copy_from_user(&ev, argp, sizeof(ev)))
			return -EFAULT;
		return dev ? hvmm_i8042_input_event(dev, &ev) : -ENXIO;
	}

	state = kzalloc(sizeof(*state), GFP_KERNEL);
	if (!state)
		return -ENOMEM;
	r = -EFAULT;
	if (ioctl == HVMM_SET_I8042 &&
	    copy_from_user(state, argp, sizeof(*state)))
		goto out;
	r = -ENXIO;
	if (!dev)
		goto out;
	if (ioctl == HVMM_GET_I8042) {
		r = hvmm_i8042_get_state(dev, state);
		if (!r && copy_to_user(argp, state, sizeof(*state)))
			r = -EFAULT;
	} else {
		r = hvmm_i8042_set_state(dev, state);
	}
out:
	kfree(state);
	return r;
}
