// SPDX-License-Identifier: GPL-2.0
/*
 * Speculative-execution mitigations around VM entry, following the host's
 * settings the way KVM 6.1 does:
 *
 *  - L1TF: flush L1D before VM entry when the CPU is affected, does not
 *    report ARCH_CAPABILITIES.SKIP_VMENTRY_L1DFLUSH, and the host's
 *    l1tf= policy is not "off".  "full"/"full,force" flush on every entry
 *    (KVM's vmentry_l1d_flush=always); the flush modes flush only when the
 *    host ran code that may have pulled secrets into L1D since the last
 *    entry (KVM's "cond"): a new KVM_RUN, a reschedule, an interrupt (the
 *    per-CPU irq_stat flag the kernel's interrupt entry sets for KVM) or
 *    guest memory emulated by the backend.  The flush is the MSR
 *    IA32_FLUSH_CMD; KVM's software fallback for CPUs without it (reading
 *    a 64 KiB buffer) is not replicated: such CPUs run unflushed and the
 *    module says so once.
 *  - MDS/TAA/MMIO stale data: VERW before VMLAUNCH/VMRESUME where the
 *    kernel set X86_FEATURE_CLEAR_CPU_BUF_VM (vmenter.S).
 *  - Spectre v2 / RSB: RSB refill and legacy-IBRS rewrite after VM exit,
 *    branch history clearing where the kernel asks (vmenter.S); IBPB when
 *    a CPU switches between two vCPUs' VMCSs (vmcs.c).
 *
 * Not replicated, because a module cannot: SMT disabling policy (nosmt is
 * the host's own switch) and KVM's per-guest SPEC_CTRL pass-through (the
 * guest is not offered SPEC_CTRL, so the host value stays in force).
 */
#define pr_fmt(fmt) "hvmm: " fmt

#include <linux/kernel.h>
#include <asm/cpufeature.h>
#include <asm/hardirq.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include "vmx_int.h"

enum l1d_mode { L1D_NEVER, L1D_COND, L1D_ALWAYS };

static enum l1d_mode l1d_mode(void)
{
	u64 caps = 0;

	if (!boot_cpu_has_bug(X86_BUG_L1TF))
		return L1D_NEVER;
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES))
		rdmsrl_safe(MSR_IA32_ARCH_CAPABILITIES, &caps);
	if (caps & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH)
		return L1D_NEVER;
	switch (l1tf_mitigation) {
	case L1TF_MITIGATION_OFF:
		return L1D_NEVER;
	case L1TF_MITIGATION_FULL:
	case L1TF_MITIGATION_FULL_FORCE:
		return L1D_ALWAYS;
	default:
		return L1D_COND;
	}
}

static enum l1d_mode mode;

void hvmm_vmx_mitigations_probe(void)
{
	mode = l1d_mode();
	if (mode != L1D_NEVER && !boot_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		pr_warn("L1TF: CPU lacks IA32_FLUSH_CMD, guests run without L1D flush\n");
		mode = L1D_NEVER;
	}
}

/**
 * hvmm_vmx_l1d_flush() - flush L1D before VM entry if the policy says so
 * @vmx: the vCPU about to enter; its flush request is consumed
 *
 * Context: interrupts disabled, immediately before VM entry.
 */
void hvmm_vmx_l1d_flush(struct hvmm_vmx_vcpu *vmx)
{
	bool flush;

	if (mode == L1D_NEVER)
		return;
	flush = mode == L1D_ALWAYS || vmx->l1d_flush ||
		kvm_get_cpu_l1tf_flush_l1d();
	vmx->l1d_flush = false;
	kvm_clear_cpu_l1tf_flush_l1d();
	if (flush)
		wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
}
