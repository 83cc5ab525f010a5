// SPDX-License-Identifier: GPL-2.0
/*
 * Host state the guest borrows, switched lazily as KVM's
 * vmx_prepare_switch_to_guest()/_host() do.
 *
 * A VM exit leaves DS/ES/FS/GS/LDTR and the GDTR/TR limits as the VMCS
 * host fields say (SDM 27.5.2), and hvmm lends the guest the syscall
 * MSRs and KERNEL_GS_BASE.  None of that matters to the kernel itself: it
 * never loads a segment selector or executes SYSCALL, and GS.base (the
 * per-CPU area) is restored by the exit.  It matters to the user task and
 * to the context switch, which saves selectors and bases from the CPU.
 * So the host values are put back once, before anything that needs them
 * runs: when KVM_RUN or another vCPU ioctl ends (vcpu_put) and when the
 * thread is scheduled out (preempt notifier) - not on every exit.
 */
#include <linux/kernel.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/segment.h>
#include "vmcs_ops.h"
#include "vmx_int.h"

/**
 * hvmm_vmx_prepare_guest() - save host state, lend the guest its MSRs
 * @vmx: the vCPU about to enter, its VMCS current
 *
 * Context: preemption disabled.
 */
void hvmm_vmx_prepare_guest(struct hvmm_vmx_vcpu *vmx)
{
	struct hvmm_host_state *h = &vmx->host;

	if (vmx->guest_state_loaded)
		return;
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	asm volatile("sldt %0" : "=r" (h->ldt));
	rdmsrl(MSR_FS_BASE, h->fsbase);
	/* VM exit loads FS.base from here: the task's own. */
	vmcs_writel(HOST_FS_BASE, h->fsbase);
	hvmm_vmx_load_guest_msrs(vmx);
	vmx->guest_state_loaded = true;
}

/**
 * hvmm_vmx_prepare_host() - give the host back what the guest borrowed
 * @vmx: the vCPU
 *
 * Context: preemption disabled, on the CPU that ran the guest.
 */
void hvmm_vmx_prepare_host(struct hvmm_vmx_vcpu *vmx)
{
	struct hvmm_host_state *h = &vmx->host;

	if (!vmx->guest_state_loaded)
		return;
	hvmm_vmx_load_host_msrs(vmx);
	if (h->ldt)
		asm volatile("lldt %0" : : "r" (h->ldt));
	if (h->ds)
		loadsegment(ds, h->ds);
	if (h->es)
		loadsegment(es, h->es);
	if (h->fs) {
		loadsegment(fs, h->fs);
		wrmsrl(MSR_FS_BASE, h->fsbase);
	}
	if (h->gs) {
		unsigned long user_gs_base;

		/* load_gs_index() swaps in the selector's base: keep ours. */
		rdmsrl(MSR_KERNEL_GS_BASE, user_gs_base);
		load_gs_index(h->gs);
		wrmsrl(MSR_KERNEL_GS_BASE, user_gs_base);
	}
	/* VM exit set TR.limit to 0x67 and GDTR.limit to 0xffff. */
	invalidate_tss_limit();
	load_fixmap_gdt(raw_smp_processor_id());
	vmx->guest_state_loaded = false;
}

/**
 * hvmm_vmx_restore_host_state() - end the loan before emulation changes it
 * @vcpu: the vCPU
 *
 * For WRMSR/RDMSR of the lent MSRs and EFER changes: afterwards the
 * vCPU's copies are current, and the next entry lends the new values.
 */
void hvmm_vmx_restore_host_state(struct hvmm_vcpu *vcpu)
{
	preempt_disable();
	hvmm_vmx_prepare_host(to_vmx(vcpu));
	preempt_enable();
}
