// SPDX-License-Identifier: GPL-2.0
/*
 * What the backend assumes while src/core/ provides no in-kernel devices
 * or irqchip: every access goes to userspace, interrupts come only from
 * KVM_INTERRUPT.  Weak, so the core's definitions replace them at link
 * time without a change here (contract in vmx.h).
 */
#include <linux/compiler.h>
#include <linux/errno.h>
#include "vmx.h"

int __weak hvmm_core_pio(struct hvmm_vcpu *vcpu, u16 port, u32 len,
			 bool write, void *data)
{
	return -EOPNOTSUPP;
}

int __weak hvmm_core_mmio(struct hvmm_vcpu *vcpu, u64 gpa, u32 len,
			  bool write, void *data)
{
	return -EOPNOTSUPP;
}

bool __weak hvmm_core_irqchip_in_kernel(struct hvmm_vm *vm)
{
	return false;
}

bool __weak hvmm_core_irq_pending(struct hvmm_vcpu *vcpu)
{
	return false;
}

int __weak hvmm_core_irq_ack(struct hvmm_vcpu *vcpu)
{
	return -1;
}

bool __weak hvmm_core_exit_request(struct hvmm_vcpu *vcpu)
{
	return false;
}
