// SPDX-License-Identifier: GPL-2.0
/*
 * VM objects: KVM_CREATE_VM, the "hvmm-vm" file and its ioctls, and the
 * VM's lifetime (kref; the VM fd and every vCPU fd hold a reference).
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "core.h"
#include "devices.h"
#include "../vmx/vmx.h"

/* Published VMs, for the global debugfs counters. */
LIST_HEAD(hvmm_vm_list);
/* Protects hvmm_vm_list and hvmm_nr_vms (VMX is on while it is > 0). */
DEFINE_MUTEX(hvmm_vm_list_lock);
static unsigned int hvmm_nr_vms;

/* First VM: VMXON everywhere.  Failure leaves VMX off and the count 0. */
static int hvmm_vmx_get(void)
{
	int r = 0;

	mutex_lock(&hvmm_vm_list_lock);
	if (!hvmm_nr_vms)
		r = hvmm_vmx_enable();
	if (!r)
		hvmm_nr_vms++;
	mutex_unlock(&hvmm_vm_list_lock);
	return r;
}

static void hvmm_vmx_put(void)
{
	mutex_lock(&hvmm_vm_list_lock);
	if (!WARN_ON_ONCE(!hvmm_nr_vms) && !--hvmm_nr_vms)
		hvmm_vmx_disable();
	mutex_unlock(&hvmm_vm_list_lock);
}

void hvmm_vm_get(struct hvmm_vm *vm)
{
	kref_get(&vm->kref);
}

static void hvmm_vm_destroy(struct kref *kref)
{
	struct hvmm_vm *vm = container_of(kref, struct hvmm_vm, kref);
	struct mm_struct *mm = vm->mm;
	int i;

	/* Readers of the counters must be gone before the vCPUs. */
	hvmm_stats_vm_destroy(vm);
	/* Stops the PIT's timer, which may still kick a vCPU until then. */
	hvmm_devs_destroy(vm);

	/* No fd is left, so nobody else can reach vcpus[] any more. */
	for (i = 0; i < vm->nr_vcpus; i++)
		hvmm_vcpu_destroy(vm->vcpus[i]);
	hvmm_vm_free_memslots(vm);
	hvmm_vmx_vm_destroy(vm);
	hvmm_vmx_put();

	kfree(vm);
	mmdrop(mm);
}

void hvmm_vm_put(struct hvmm_vm *vm)
{
	kref_put(&vm->kref, hvmm_vm_destroy);
}

static int hvmm_vm_release(struct inode *inode, struct file *filp)
{
	hvmm_vm_put(filp->private_data);
	return 0;
}

static long hvmm_vm_ioctl_set_tss_addr(struct hvmm_vm *vm, unsigned long addr)
{
	/*
	 * KVM's check: the three pages must lie below 4 GiB.  With
	 * unrestricted guest VT-x never uses them (KVM's vmx_set_tss_addr()
	 * does the same), but QEMU sets the address on every x86 VM.
	 */
	if (addr > (unsigned int)(-3 * PAGE_SIZE))
		return -EINVAL;
	mutex_lock(&vm->lock);
	vm->tss_addr = addr;
	mutex_unlock(&vm->lock);
	return 0;
}

static long hvmm_vm_ioctl(struct file *filp, unsigned int ioctl,
			  unsigned long arg)
{
	struct hvmm_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;

	/* As KVM: a VM belongs to the process (mm) that created it. */
	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case KVM_CREATE_VCPU:
		/* KVM passes the id on as a u32: the upper bits are ignored. */
		return hvmm_vm_create_vcpu(vm, (u32)arg);
	case KVM_SET_USER_MEMORY_REGION: {
		struct kvm_userspace_memory_region mem;

		if (copy_from_user(&mem, argp, sizeof(mem)))
			return -EFAULT;
		return hvmm_vm_set_memory_region(vm, &mem);
	}
	case KVM_CHECK_EXTENSION:
		return hvmm_check_extension(vm, arg);
	case KVM_SET_TSS_ADDR:
		return hvmm_vm_ioctl_set_tss_addr(vm, arg);
	default:
		/* In-kernel devices; -ENOTTY as x86 kvm_arch_vm_ioctl(). */
		return hvmm_vm_dev_ioctl(vm, ioctl, arg);
	}
}

static const struct file_operations hvmm_vm_fops = {
	.owner		= THIS_MODULE,
	.release	= hvmm_vm_release,
	.unlocked_ioctl	= hvmm_vm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct hvmm_vm *hvmm_vm_alloc(void)
{
	struct hvmm_vm *vm;
	int i;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return NULL;
	kref_init(&vm->kref);
	mutex_init(&vm->slots_lock);
	mutex_init(&vm->lock);
	INIT_LIST_HEAD(&vm->node);
	for (i = 0; i < HVMM_USER_MEM_SLOTS; i++)
		vm->slots[i].id = i;
	mmgrab(current->mm);
	vm->mm = current->mm;
	return vm;
}

/* Undo hvmm_vm_alloc() + hvmm_vmx_vm_init() before the VM was published. */
static void hvmm_vm_unpublished_free(struct hvmm_vm *vm, bool vmx_init)
{
	if (vmx_init)
		hvmm_vmx_vm_destroy(vm);
	hvmm_vmx_put();
	mmdrop(vm->mm);
	kfree(vm);
}

/**
 * hvmm_dev_create_vm() - KVM_CREATE_VM on /dev/hvmm
 * @type: machine type; must be 0 (KVM x86: kvm_arch_init_vm())
 *
 * The first VM turns VMX on; without VT-x this fails with the errno of
 * hvmm_vmx_enable(), -EOPNOTSUPP, and the module stays loaded.
 *
 * Return: a new "hvmm-vm" fd (O_CLOEXEC, O_RDWR) or a negative errno.
 */
int hvmm_dev_create_vm(unsigned long type)
{
	struct hvmm_vm *vm;
	struct file *file;
	int r, fd;

	if (type)
		return -EINVAL;

	vm = hvmm_vm_alloc();
	if (!vm)
		return -ENOMEM;

	r = hvmm_vmx_get();
	if (r) {
		mmdrop(vm->mm);
		kfree(vm);
		return r;
	}

	r = hvmm_vmx_vm_init(vm);
	if (r) {
		hvmm_vm_unpublished_free(vm, false);
		return r;
	}

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		hvmm_vm_unpublished_free(vm, true);
		return fd;
	}
	file = anon_inode_getfile("hvmm-vm", &hvmm_vm_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		hvmm_vm_unpublished_free(vm, true);
		return PTR_ERR(file);
	}
	/* Counters (debugfs <pid>-<fd>, as KVM names it) and global list */
	hvmm_stats_vm_create(vm, fd);
	fd_install(fd, file);
	return fd;
}
