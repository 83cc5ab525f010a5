// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual-processor identifiers (SDM Vol. 3C, 28.1): with a VPID the
 * guest's TLB entries survive VM exits and entries instead of being
 * flushed by every transition.  Each vCPU gets its own; hvmm flushes them
 * (INVVPID single-context) where the hardware would have flushed on its
 * own: when hvmm, not the guest's CPU, changed CR0/CR3/CR4 (emulated
 * MOV CR, KVM_SET_SREGS), and before a freed VPID can be reused.  A
 * vCPU's entries on other CPUs are never used again: arriving on a CPU
 * flushes all EPT-derived (combined) mappings there (vmcs.c).
 */
#include <linux/bitmap.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include "vmx_int.h"

#define NR_VPIDS	65536

static DEFINE_SPINLOCK(vpid_lock);
static DECLARE_BITMAP(vpid_used, NR_VPIDS);

static void invvpid_single(u16 vpid)
{
	struct { u64 vpid, gla; } desc = { vpid, 0 };

	if (!hvmm_vmx_cpu_on())
		return;
	asm volatile("1: invvpid %0, %1\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : : "m" (desc),
		       "r" ((unsigned long)VMX_VPID_EXTENT_SINGLE_CONTEXT)
		     : "cc", "memory");
}

/**
 * hvmm_vpid_alloc() - a VPID for a new vCPU
 *
 * Return: 1..65535, or 0 when VPIDs are unsupported or all in use (the
 * vCPU then runs without one, flushed on every transition).
 */
u16 hvmm_vpid_alloc(void)
{
	unsigned long v;

	if (!hvmm_vmx_caps.vpid)
		return 0;
	spin_lock(&vpid_lock);
	v = find_next_zero_bit(vpid_used, NR_VPIDS, 1);
	if (v < NR_VPIDS)
		__set_bit(v, vpid_used);
	else
		v = 0;
	spin_unlock(&vpid_lock);
	return v;
}

static void flush_ipi(void *arg)
{
	invvpid_single((unsigned long)arg);
}

/* Context: process context; no CPU may run the vCPU any more. */
void hvmm_vpid_free(u16 vpid)
{
	if (!vpid)
		return;
	/* The next owner must not see this vCPU's translations. */
	on_each_cpu(flush_ipi, (void *)(unsigned long)vpid, 1);
	spin_lock(&vpid_lock);
	__clear_bit(vpid, vpid_used);
	spin_unlock(&vpid_lock);
}

/* Context: preemption disabled, the vCPU about to enter on this CPU. */
void hvmm_vpid_flush(u16 vpid)
{
	if (vpid)
		invvpid_single(vpid);
}
