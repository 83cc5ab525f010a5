// SPDX-License-Identifier: GPL-2.0
/*
 * hvmm.ko entry: module init/exit and /dev/hvmm, which answers the
 * system-level ioctls of KVM's ABI (Documentation/virt/kvm/api.rst,
 * section 4: "System ioctls").
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include "core.h"
#include "../vmx/vmx.h"

static long hvmm_dev_ioctl(struct file *filp, unsigned int ioctl,
			   unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_API_VERSION:
		if (arg)
			return -EINVAL;
		return HVMM_API_VERSION;
	case KVM_CREATE_VM:
		return hvmm_dev_create_vm(arg);
	case KVM_CHECK_EXTENSION:
		return hvmm_check_extension(NULL, arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		if (arg)
			return -EINVAL;
		return HVMM_VCPU_MMAP_PAGES * PAGE_SIZE;
	case KVM_GET_SUPPORTED_CPUID:
		return hvmm_dev_get_supported_cpuid((void __user *)arg);
	default:
		/* x86 kvm_arch_dev_ioctl() */
		return -EINVAL;
	}
}

static const struct file_operations hvmm_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= hvmm_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice hvmm_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "hvmm",
	.fops	= &hvmm_dev_fops,
	/* /dev/kvm is 0666 by udev rule; devtmpfs takes it from here. */
	.mode	= 0666,
};

static int __init hvmm_init(void)
{
	int r;

	BUILD_BUG_ON(KVM_PIO_PAGE_OFFSET >= HVMM_VCPU_MMAP_PAGES);

	/* Never fails: without VT-x, KVM_CREATE_VM reports it instead. */
	hvmm_vmx_probe();
	r = hvmm_stats_init();
	if (r)
		return r;
	r = misc_register(&hvmm_misc);
	if (r) {
		hvmm_stats_exit();
		return r;
	}
	return 0;
}

/* Every VM is gone: each of their files held a module reference. */
static void __exit hvmm_exit(void)
{
	misc_deregister(&hvmm_misc);
	hvmm_stats_exit();
}

module_init(hvmm_init);
module_exit(hvmm_exit);

MODULE_DESCRIPTION("hvmm: hybrid VMM for Intel VT-x speaking the KVM ABI");
MODULE_LICENSE("GPL");
