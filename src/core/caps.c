// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_CHECK_EXTENSION on /dev/hvmm and on VM fds.  Only what works is
 * reported; everything else is 0, so that a KVM user falls back exactly
 * as it would on an older KVM.  Documentation/abi.md lists the set.
 */
#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/hvmm.h>
#include "core.h"

/**
 * hvmm_check_extension() - answer KVM_CHECK_EXTENSION
 * @vm:  the VM for a VM-fd query, NULL on /dev/hvmm (answers do not
 *       depend on it today)
 * @cap: a KVM_CAP_* number
 *
 * Return: 0 when unsupported, else 1 or the capability's value.
 */
long hvmm_check_extension(struct hvmm_vm *vm, long cap)
{
	switch (cap) {
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_CHECK_EXTENSION_VM:
	case KVM_CAP_READONLY_MEM:
	/* KVM_EXIT_HLT without an in-kernel irqchip (src/vmx/exit.c) */
	case KVM_CAP_HLT:
	/* EPT follows the VMM's mappings: MMU notifier (src/vmx/ept.c) */
	case KVM_CAP_SYNC_MMU:
	/* In-kernel devices (src/core/dev_*.c) */
	case KVM_CAP_IRQCHIP:
	case KVM_CAP_PIT:
	case KVM_CAP_PIT2:
	case KVM_CAP_PIT_STATE2:
	case KVM_CAP_REINJECT_CONTROL:
	case HVMM_CAP_I8042:
		return 1;
	case KVM_CAP_NR_MEMSLOTS:
		return HVMM_USER_MEM_SLOTS;
	case KVM_CAP_NR_VCPUS:
		/* The recommended maximum, as KVM: no overcommit. */
		return min_t(long, num_online_cpus(), HVMM_MAX_VCPUS);
	case KVM_CAP_MAX_VCPUS:
		return HVMM_MAX_VCPUS;
	case KVM_CAP_MAX_VCPU_ID:
		return HVMM_MAX_VCPU_ID;
	default:
		return 0;
	}
}
