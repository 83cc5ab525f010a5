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
 *    IA32_FLUSH_CMD; CPUs without it get KVM's software fallback: a
 *    64 KiB buffer (more than L1D) read one cache line at a time, after
 *    its translations were loaded into the TLB.  The buffer exists while
 *    hvmm holds VMX (hvmm_vmx_enable()/disable()).
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

#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
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

/* KVM's L1D_CACHE_ORDER: 64 KiB, twice the largest L1D it flushes. */
#define L1D_BUF_ORDER	4
#define L1D_BUF_SIZE	(PAGE_SIZE << L1D_BUF_ORDER)
#define L1D_LINE	64

static bool sw_flush;		/* no IA32_FLUSH_CMD: read l1d_buf instead */
static u8 *l1d_buf;

void hvmm_vmx_mitigations_probe(void)
{
	mode = l1d_mode();
	sw_flush = mode != L1D_NEVER && !boot_cpu_has(X86_FEATURE_FLUSH_L1D);
}

/**
 * hvmm_vmx_l1d_buf_alloc() - the software L1D flush buffer, if needed
 *
 * Context: process context, the first VM is being created.
 * Return: 0 or -ENOMEM.
 */
int hvmm_vmx_l1d_buf_alloc(void)
{
	struct page *page;
	unsigned int i;

	if (!sw_flush || l1d_buf)
		return 0;
	page = alloc_pages(GFP_KERNEL, L1D_BUF_ORDER);
	if (!page)
		return -ENOMEM;
	l1d_buf = page_address(page);
	/* Distinct contents, so that no one merges the pages (KVM: KSM). */
	for (i = 0; i < 1U << L1D_BUF_ORDER; i++)
		memset(l1d_buf + i * PAGE_SIZE, i + 1, PAGE_SIZE);
	return 0;
}

/**
 * hvmm_vmx_l1d_buf_free() - free the buffer when the last VM is gone
 *
 * Context: process context; no vCPU can enter a guest any more.
 */
void hvmm_vmx_l1d_buf_free(void)
{
	if (!l1d_buf)
		return;
	free_pages((unsigned long)l1d_buf, L1D_BUF_ORDER);
	l1d_buf = NULL;
}

/*
 * Displace L1D by reading a buffer twice its size, as KVM does on CPUs
 * without IA32_FLUSH_CMD: first one byte per page so that no TLB miss
 * interrupts the fill, CPUID to serialise, then every cache line.
 */
static void l1d_flush_sw(void)
{
	const u8 *p = l1d_buf;
	unsigned int off;

	for (off = 0; off < L1D_BUF_SIZE; off += PAGE_SIZE)
		(void)READ_ONCE(p[off]);
	native_cpuid_eax(0);
	for (off = 0; off < L1D_BUF_SIZE; off += L1D_LINE)
		(void)READ_ONCE(p[off]);
	asm volatile("lfence" ::: "memory");
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
	if (!flush)
		return;
	if (!sw_flush)
		wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
	else if (l1d_buf)	/* always, while a VM exists */
		l1d_flush_sw();
}
