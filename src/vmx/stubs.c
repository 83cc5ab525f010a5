// SPDX-License-Identifier: GPL-2.0
/*
 * Placeholder VT-x backend: every entry point of vmx.h exists so that the
 * core links; each is replaced by the real implementation file by file.
 */
#include <linux/errno.h>
#include "vmx.h"

void hvmm_vmx_probe(void)
{
}

int hvmm_vmx_enable(void)
{
	return -EOPNOTSUPP;
}

void hvmm_vmx_disable(void)
{
}

int hvmm_vmx_vm_init(struct hvmm_vm *vm)
{
	return -EOPNOTSUPP;
}

void hvmm_vmx_vm_destroy(struct hvmm_vm *vm)
{
}

void hvmm_vmx_slot_changed(struct hvmm_vm *vm, const struct hvmm_memslot *old)
{
}

int hvmm_vmx_vcpu_create(struct hvmm_vcpu *vcpu)
{
	return -EOPNOTSUPP;
}

void hvmm_vmx_vcpu_destroy(struct hvmm_vcpu *vcpu)
{
}

int hvmm_vmx_vcpu_run(struct hvmm_vcpu *vcpu)
{
	return -EOPNOTSUPP;
}

int hvmm_vmx_get_regs(struct hvmm_vcpu *vcpu, struct kvm_regs *regs)
{
	return -EOPNOTSUPP;
}

int hvmm_vmx_set_regs(struct hvmm_vcpu *vcpu, const struct kvm_regs *regs)
{
	return -EOPNOTSUPP;
}

int hvmm_vmx_get_sregs(struct hvmm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	return -EOPNOTSUPP;
}

int hvmm_vmx_set_sregs(struct hvmm_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	return -EOPNOTSUPP;
}

int hvmm_vmx_get_supported_cpuid(struct kvm_cpuid2 *cpuid, u32 max_entries,
				 struct kvm_cpuid_entry2 *entries)
{
	return -EOPNOTSUPP;
}

int hvmm_vmx_set_cpuid(struct hvmm_vcpu *vcpu, u32 nent,
		       const struct kvm_cpuid_entry2 *entries)
{
	return -EOPNOTSUPP;
}

int hvmm_vmx_queue_interrupt(struct hvmm_vcpu *vcpu, u32 irq)
{
	return -EOPNOTSUPP;
}
