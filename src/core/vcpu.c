// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU objects: KVM_CREATE_VCPU, the "hvmm-vcpu:N" file, its mmap of the
 * kvm_run and PIO pages, and the vCPU ioctls.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "core.h"
#include "../vmx/vmx.h"

/*
 * The mapping is faulted in page by page, as KVM does: page 0 is
 * struct kvm_run, page KVM_PIO_PAGE_OFFSET the PIO data page; any other
 * offset raises SIGBUS when touched.
 */
static vm_fault_t hvmm_vcpu_fault(struct vm_fault *vmf)
{
	struct hvmm_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff == 0)
		page = virt_to_page(vcpu->run);
	else if (vmf->pgoff == KVM_PIO_PAGE_OFFSET)
		page = virt_to_page(vcpu->pio_data);
	else
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct hvmm_vcpu_vm_ops = {
	.fault = hvmm_vcpu_fault,
};

static int hvmm_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	vma->vm_ops = &hvmm_vcpu_vm_ops;
	return 0;
}

static int hvmm_vcpu_release(struct inode *inode, struct file *filp)
{
	struct hvmm_vcpu *vcpu = filp->private_data;

	/* The vCPU itself lives until its VM goes, as in KVM. */
	hvmm_vm_put(vcpu->vm);
	return 0;
}

static long hvmm_vcpu_run(struct hvmm_vcpu *vcpu, unsigned long arg)
{
	long r;

	if (arg)
		return -EINVAL;
	/*
	 * The backend completes the previous exit (IN data, MMIO read), then
	 * honours run->immediate_exit with -EINTR before entering the guest,
	 * as KVM does (KVM_CAP_IMMEDIATE_EXIT).
	 */
	r = hvmm_vmx_vcpu_run(vcpu);
	if (r == -EINTR && !READ_ONCE(vcpu->run->immediate_exit))
		vcpu->stat.signal_exits++;
	else if (!r)
		vcpu->stat.userspace_exits++;
	return r;
}

static long hvmm_vcpu_get_regs(struct hvmm_vcpu *vcpu, void __user *argp)
{
	struct kvm_regs *regs;
	long r;

	regs = kzalloc(sizeof(*regs), GFP_KERNEL);
	if (!regs)
		return -ENOMEM;
	r = hvmm_vmx_get_regs(vcpu, regs);
	if (!r && copy_to_user(argp, regs, sizeof(*regs)))
		r = -EFAULT;
	kfree(regs);
	return r;
}

static long hvmm_vcpu_set_regs(struct hvmm_vcpu *vcpu, void __user *argp)
{
	struct kvm_regs *regs;
	long r;

	regs = memdup_user(argp, sizeof(*regs));
	if (IS_ERR(regs))
		return PTR_ERR(regs);
	r = hvmm_vmx_set_regs(vcpu, regs);
	kfree(regs);
	return r;
}

static long hvmm_vcpu_get_sregs(struct hvmm_vcpu *vcpu, void __user *argp)
{
	struct kvm_sregs *sregs;
	long r;

	sregs = kzalloc(sizeof(*sregs), GFP_KERNEL);
	if (!sregs)
		return -ENOMEM;
	r = hvmm_vmx_get_sregs(vcpu, sregs);
	if (!r && copy_to_user(argp, sregs, sizeof(*sregs)))
		r = -EFAULT;
	kfree(sregs);
	return r;
}

static long hvmm_vcpu_set_sregs(struct hvmm_vcpu *vcpu, void __user *argp)
{
	struct kvm_sregs *sregs;
	long r;

	sregs = memdup_user(argp, sizeof(*sregs));
	if (IS_ERR(sregs))
		return PTR_ERR(sregs);
	r = hvmm_vmx_set_sregs(vcpu, sregs);
	kfree(sregs);
	return r;
}

static long hvmm_vcpu_interrupt(struct hvmm_vcpu *vcpu, void __user *argp)
{
	struct kvm_interrupt irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	/* KVM_NR_INTERRUPTS: vectors 0..255 */
	if (irq.irq >= 256)
		return -EINVAL;
	/* As KVM: the in-kernel 8259A owns the interrupt line then. */
	if (hvmm_core_irqchip_in_kernel(vcpu->vm))
		return -ENXIO;
	return hvmm_vmx_queue_interrupt(vcpu, irq.irq);
}

static long hvmm_vcpu_ioctl(struct file *filp, unsigned int ioctl,
			    unsigned long arg)
{
	struct hvmm_vcpu *vcpu = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	/* As KVM: only the VM's creator may drive its vCPUs. */
	if (vcpu->vm->mm != current->mm)
		return -EIO;
	/* One ioctl per vCPU at a time; a fatal signal may cut the wait. */
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;

	switch (ioctl) {
	case KVM_RUN:
		r = hvmm_vcpu_run(vcpu, arg);
		break;
	case KVM_GET_REGS:
		r = hvmm_vcpu_get_regs(vcpu, argp);
		break;
	case KVM_SET_REGS:
		r = hvmm_vcpu_set_regs(vcpu, argp);
		break;
	case KVM_GET_SREGS:
		r = hvmm_vcpu_get_sregs(vcpu, argp);
		break;
	case KVM_SET_SREGS:
		r = hvmm_vcpu_set_sregs(vcpu, argp);
		break;
	case KVM_SET_CPUID2:
		r = hvmm_vcpu_set_cpuid2(vcpu, argp);
		break;
	case KVM_INTERRUPT:
		r = hvmm_vcpu_interrupt(vcpu, argp);
		break;
	default:
		/* x86 kvm_arch_vcpu_ioctl() */
		r = -EINVAL;
		break;
	}
	mutex_unlock(&vcpu->mutex);
	return r;
}

static const struct file_operations hvmm_vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= hvmm_vcpu_release,
	.unlocked_ioctl	= hvmm_vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= hvmm_vcpu_mmap,
	.llseek		= noop_llseek,
};

static struct hvmm_vcpu *hvmm_vcpu_alloc(struct hvmm_vm *vm, u32 id)
{
	struct hvmm_vcpu *vcpu;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return NULL;
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->pio_data = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run || !vcpu->pio_data) {
		free_page((unsigned long)vcpu->run);
		free_page((unsigned long)vcpu->pio_data);
		kfree(vcpu);
		return NULL;
	}
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->mutex);
	return vcpu;
}

static void hvmm_vcpu_free(struct hvmm_vcpu *vcpu)
{
	free_page((unsigned long)vcpu->run);
	free_page((unsigned long)vcpu->pio_data);
	kfree(vcpu);
}

/* VM teardown only: no fd and no mapping of this vCPU is left. */
void hvmm_vcpu_destroy(struct hvmm_vcpu *vcpu)
{
	hvmm_vmx_vcpu_destroy(vcpu);
	hvmm_vcpu_free(vcpu);
}

static bool hvmm_vcpu_id_taken(struct hvmm_vm *vm, u32 id)
{
	int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->id == id)
			return true;
	return false;
}

/**
 * hvmm_vm_create_vcpu() - KVM_CREATE_VCPU on a VM fd
 * @vm: the VM
 * @id: vCPU id (the APIC id), below KVM_CAP_MAX_VCPU_ID
 *
 * Return: a new "hvmm-vcpu:<id>" fd, -EINVAL for an id out of range or
 * when KVM_CAP_MAX_VCPUS vCPUs exist, -EEXIST for an id in use, or the
 * backend's errno.
 */
int hvmm_vm_create_vcpu(struct hvmm_vm *vm, u32 id)
{
	struct hvmm_vcpu *vcpu;
	struct file *file;
	char name[32];
	int r, fd;

	if (id >= HVMM_MAX_VCPU_ID)
		return -EINVAL;

	mutex_lock(&vm->lock);
	if (vm->nr_vcpus >= HVMM_MAX_VCPUS) {
		r = -EINVAL;
		goto unlock;
	}
	if (hvmm_vcpu_id_taken(vm, id)) {
		r = -EEXIST;
		goto unlock;
	}
	vcpu = hvmm_vcpu_alloc(vm, id);
	if (!vcpu) {
		r = -ENOMEM;
		goto unlock;
	}

	mutex_lock(&vm->slots_lock);
	r = hvmm_vmx_vcpu_create(vcpu);
	mutex_unlock(&vm->slots_lock);
	if (r)
		goto free;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto destroy;
	}
	snprintf(name, sizeof(name), "hvmm-vcpu:%u", vcpu->id);
	file = anon_inode_getfile(name, &hvmm_vcpu_fops, vcpu, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		r = PTR_ERR(file);
		goto destroy;
	}
	/* The fd's reference; dropped by hvmm_vcpu_release(). */
	hvmm_vm_get(vm);
	/*
	 * Release: the PIC's output callback reads vcpus[0] without
	 * vm->lock, from any context, and kicks it (src/core/dev_pic.c).
	 */
	smp_store_release(&vm->vcpus[vm->nr_vcpus], vcpu);
	vm->nr_vcpus++;
	mutex_unlock(&vm->lock);
	fd_install(fd, file);
	return fd;

destroy:
	hvmm_vmx_vcpu_destroy(vcpu);
free:
	hvmm_vcpu_free(vcpu);
unlock:
	mutex_unlock(&vm->lock);
	return r;
}
