// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET_SUPPORTED_CPUID (/dev/hvmm) and KVM_SET_CPUID2 (vCPU fd): the
 * user-copy and size rules of KVM 6.1 (arch/x86/kvm/cpuid.c); the
 * backend decides the contents.
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "core.h"
#include "../vmx/vmx.h"

/**
 * hvmm_dev_get_supported_cpuid() - KVM_GET_SUPPORTED_CPUID
 * @ucpuid: userspace struct kvm_cpuid2 with room for nent entries
 *
 * Return: 0 with nent and the entries written back; -E2BIG when nent is
 * 0 or too small for the table (nent is then left alone, as in KVM, and
 * the caller retries with a bigger buffer); -EFAULT; the backend's errno.
 */
long hvmm_dev_get_supported_cpuid(struct kvm_cpuid2 __user *ucpuid)
{
	struct kvm_cpuid_entry2 *entries;
	struct kvm_cpuid2 cpuid;
	u32 max;
	long r;

	if (copy_from_user(&cpuid, ucpuid, sizeof(cpuid)))
		return -EFAULT;
	if (cpuid.nent < 1)
		return -E2BIG;
	/* KVM caps the buffer it fills at KVM_MAX_CPUID_ENTRIES. */
	max = min_t(u32, cpuid.nent, HVMM_MAX_CPUID_ENTRIES);

	entries = kvcalloc(max, sizeof(*entries), GFP_KERNEL);
	if (!entries)
		return -ENOMEM;
	cpuid.nent = max;
	r = hvmm_vmx_get_supported_cpuid(&cpuid, max, entries);
	if (r)
		goto out;
	/* Never trust a count beyond the buffer, even our own backend's. */
	if (WARN_ON_ONCE(cpuid.nent > max)) {
		r = -EIO;
		goto out;
	}
	r = -EFAULT;
	if (copy_to_user(ucpuid->entries, entries,
			 array_size(cpuid.nent, sizeof(*entries))))
		goto out;
	if (copy_to_user(ucpuid, &cpuid, sizeof(cpuid)))
		goto out;
	r = 0;
out:
	kvfree(entries);
	return r;
}

/**
 * hvmm_vcpu_set_cpuid2() - KVM_SET_CPUID2
 * @vcpu:   the vCPU (vcpu->mutex held)
 * @ucpuid: userspace struct kvm_cpuid2 followed by nent entries
 *
 * Return: 0, -E2BIG for more than KVM_MAX_CPUID_ENTRIES (256) entries,
 * -EFAULT, -ENOMEM, or the backend's errno.
 */
long hvmm_vcpu_set_cpuid2(struct hvmm_vcpu *vcpu,
			  struct kvm_cpuid2 __user *ucpuid)
{
	struct kvm_cpuid_entry2 *entries = NULL;
	struct kvm_cpuid2 cpuid;
	long r;

	if (copy_from_user(&cpuid, ucpuid, sizeof(cpuid)))
		return -EFAULT;
	if (cpuid.nent > HVMM_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (cpuid.nent) {
		entries = vmemdup_user(ucpuid->entries,
				       array_size(sizeof(*entries), cpuid.nent));
		if (IS_ERR(entries))
			return PTR_ERR(entries);
	}
	r = hvmm_vmx_set_cpuid(vcpu, cpuid.nent, entries);
	kvfree(entries);
	return r;
}
