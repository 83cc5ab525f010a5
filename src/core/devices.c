// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel devices of a VM (devices.h): their container, the VM-fd
 * ioctls that create and save/restore them, and the backend's entry
 * points for guest port and MMIO accesses (hvmm_core_pio/mmio(),
 * src/vmx/vmx.h) and for exits the devices request.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/hvmm.h>
#include "core.h"
#include "devices.h"
#include "../vmx/vmx.h"

/**
 * hvmm_devs_get() - the VM's device container, allocated on first use
 * @vm: the VM; vm->lock held
 *
 * Return: the container, or NULL when out of memory.
 */
struct hvmm_vm_devs *hvmm_devs_get(struct hvmm_vm *vm)
{
	struct hvmm_vm_devs *devs;

	lockdep_assert_held(&vm->lock);
	devs = vm->devs;
	if (devs)
		return devs;
	devs = kzalloc(sizeof(*devs), GFP_KERNEL_ACCOUNT);
	if (!devs)
		return NULL;
	devs->vm = vm;
	hvmm_iobus_init(&devs->pio, 0x10000);
	hvmm_iobus_init(&devs->mmio, 0);
	spin_lock_init(&devs->irq_lock);
	spin_lock_init(&devs->reinject_lock);
	devs->pit_reinject = true;	/* KVM's default */
	atomic_set(&devs->reset_request, 0);
	/* Initialised before a vCPU or the PIT's timer can see it. */
	smp_store_release(&vm->devs, devs);
	return devs;
}

/**
 * hvmm_devs_destroy() - free every in-kernel device of a dying VM
 * @vm: the VM; no fd, no KVM_RUN and no ioctl is left, its vCPUs still
 *	exist (the PIT's timer may kick one until it is stopped)
 *
 * The buses go first: nothing can look a device up any more (no vCPU
 * runs), so the tables are freed without waiting.  Then the PIT's timer
 * is stopped with no lock held, and the devices are freed.
 */
void hvmm_devs_destroy(struct hvmm_vm *vm)
{
	struct hvmm_vm_devs *devs = vm->devs;

	if (!devs)
		return;
	hvmm_iobus_destroy(&devs->pio);
	hvmm_iobus_destroy(&devs->mmio);
	hvmm_dev_pit_free(devs);
	hvmm_dev_i8042_free(devs);
	hvmm_dev_pic_free(devs);
	vm->devs = NULL;
	kfree(devs);
}

/**
 * hvmm_vm_dev_ioctl() - the VM-fd ioctls of the in-kernel devices
 * @vm: the VM
 * @ioctl: the command
 * @arg: its argument
 *
 * Return: the ioctl's result; -ENOTTY for a command that is not a device
 * ioctl (KVM's kvm_arch_vm_ioctl() default).
 */
long hvmm_vm_dev_ioctl(struct hvmm_vm *vm, unsigned int ioctl,
		       unsigned long arg)
{
	void __user *argp = (void __user *)arg;
	struct kvm_pit_config config;

	switch (ioctl) {
	case KVM_CREATE_IRQCHIP:
		return hvmm_dev_create_irqchip(vm);
	case KVM_IRQ_LINE:
		return hvmm_dev_irq_line(vm, argp);
	case KVM_GET_IRQCHIP:
		return hvmm_dev_get_irqchip(vm, argp);
	case KVM_SET_IRQCHIP:
		return hvmm_dev_set_irqchip(vm, argp);
	case KVM_CREATE_PIT:
		/* KVM: the old ioctl always has the port 0x61 device */
		return hvmm_dev_create_pit(vm, KVM_PIT_SPEAKER_DUMMY);
	case KVM_CREATE_PIT2:
		if (copy_from_user(&config, argp, sizeof(config)))
			return -EFAULT;
		return hvmm_dev_create_pit(vm, config.flags);
	case KVM_GET_PIT:
	case KVM_SET_PIT:
	case KVM_GET_PIT2:
	case KVM_SET_PIT2:
	case KVM_REINJECT_CONTROL:
		return hvmm_dev_pit_ioctl(vm, ioctl, argp);
	case HVMM_CREATE_I8042:
	case HVMM_GET_I8042:
	case HVMM_SET_I8042:
	case HVMM_INPUT_EVENT:
		return hvmm_dev_i8042_ioctl(vm, ioctl, argp);
	default:
		return -ENOTTY;
	}
}

static void count(struct hvmm_vcpu *vcpu, u32 stat)
{
	/* Offsets come from the registrations in dev_*.c only. */
	u64 *counter = (u64 *)((char *)&vcpu->stat + stat);

	(*counter)++;
}

static int core_access(struct hvmm_vcpu *vcpu, struct hvmm_iobus *bus,
		       u64 addr, u32 len, bool write, void *data)
{
	u64 val = 0;
	u32 stat;

	if (len > sizeof(val))
		return -EOPNOTSUPP;
	if (write)
		memcpy(&val, data, len);
	if (hvmm_iobus_access(bus, addr, len, write, &val, &stat))
		return -EOPNOTSUPP;
	if (!write)
		memcpy(data, &val, len);	/* x86: little endian */
	count(vcpu, stat);
	return 0;
}

/**
 * hvmm_core_pio() - a guest port access, offered to the in-kernel devices
 * @vcpu: the vCPU that made it (KVM_RUN, its mutex held)
 * @port: the first port
 * @len: bytes
 * @write: OUT (true) or IN
 * @data: @len bytes to write, or where the bytes read go
 *
 * Contract in src/vmx/vmx.h.  Counted per device, or as pio_user.
 * Return: 0 when handled, -EOPNOTSUPP when userspace must handle it.
 */
int hvmm_core_pio(struct hvmm_vcpu *vcpu, u16 port, u32 len, bool write,
		  void *data)
{
	struct hvmm_vm_devs *devs = hvmm_devs(vcpu->vm);

	if (devs && !core_access(vcpu, &devs->pio, port, len, write, data))
		return 0;
	vcpu->stat.pio_user++;
	return -EOPNOTSUPP;
}

/**
 * hvmm_core_mmio() - a guest MMIO access, offered to the in-kernel devices
 * @vcpu: the vCPU that made it (KVM_RUN, its mutex held)
 * @gpa: guest-physical address of the first byte
 * @len: bytes, 1 to 8
 * @write: direction
 * @data: @len bytes to write, or where the bytes read go
 *
 * No in-kernel device decodes MMIO yet: the bus is there for the first
 * one (HPET, IOAPIC), and the counters show what went to userspace.
 * Return: 0 when handled, -EOPNOTSUPP when userspace must handle it.
 */
int hvmm_core_mmio(struct hvmm_vcpu *vcpu, u64 gpa, u32 len, bool write,
		   void *data)
{
	struct hvmm_vm_devs *devs = hvmm_devs(vcpu->vm);

	/* A device registered here counts in mmio_kernel (or its own). */
	if (devs && !core_access(vcpu, &devs->mmio, gpa, len, write, data))
		return 0;
	vcpu->stat.mmio_user++;
	return -EOPNOTSUPP;
}

/**
 * hvmm_core_exit_request() - must this vCPU leave KVM_RUN for a device?
 * @vcpu: the vCPU, in KVM_RUN between two guest entries
 *
 * The i8042 pulsed the CPU reset line (output port bit 0, command 0xfe):
 * the KVM_RUN that sees it first - the writer's, right after its OUT -
 * returns KVM_EXIT_SYSTEM_EVENT with KVM_SYSTEM_EVENT_RESET, ndata 0, and
 * userspace resets the machine.  The in-kernel devices keep their state,
 * as on a PC, where that line resets the CPU only.
 *
 * Return: true with vcpu->run filled in, false to go on running.
 */
bool hvmm_core_exit_request(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vm_devs *devs = hvmm_devs(vcpu->vm);
	struct kvm_run *run = vcpu->run;

	if (!devs || likely(!atomic_read(&devs->reset_request)) ||
	    !atomic_xchg(&devs->reset_request, 0))
		return false;
	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	memset(&run->system_event, 0, sizeof(run->system_event));
	run->system_event.type = KVM_SYSTEM_EVENT_RESET;
	return true;
}
