// SPDX-License-Identifier: GPL-2.0
/*
 * RDMSR/WRMSR from the guest (SDM Vol. 4 for the MSRs).  No MSR bitmap is
 * used, so every access exits; the known set below is emulated and any
 * other MSR raises #GP in the guest, as on a CPU without it.
 *
 *   EFER, PAT, SYSENTER_*, FS/GS base, DEBUGCTL   live in the VMCS
 *   STAR, LSTAR, CSTAR, SFMASK, KERNEL_GS_BASE    swapped around VM entry
 *   TSC                                           VMCS TSC offset
 *   APIC_BASE, MISC_ENABLE, UCODE_REV, FEAT_CTL,
 *   PLATFORM_ID                                   plain values
 *
 * The syscall MSRs are only lent while the guest can use them (EFER.SCE,
 * or IA-32e mode for KERNEL_GS_BASE, which SWAPGS changes without an
 * exit): real- and protected-mode guests cost nothing.  Lending starts at
 * the first entry and ends when the thread leaves KVM_RUN or sleeps
 * (host.c): the kernel never executes SYSCALL or SWAPGS to user GS in
 * between.
 */
#define pr_fmt(fmt) "hvmm: " fmt

#include <linux/kernel.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/fpu/xcr.h>
#include "vmcs_ops.h"
#include "vmx_int.h"

static struct hvmm_host_msrs host;
u64 hvmm_host_xcr0;

void hvmm_vmx_host_msrs_probe(void)
{
	/* Linux enables the same XCR0 on every CPU (fpu__init_cpu_xstate) */
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		hvmm_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	/* Linux programs the same values on every CPU (syscall_init()). */
	rdmsrl(MSR_LSTAR, host.lstar);
	rdmsrl(MSR_CSTAR, host.cstar);
	rdmsrl(MSR_STAR, host.star);
	rdmsrl(MSR_SYSCALL_MASK, host.sfmask);
}

static bool is_canonical(u64 v)
{
	return ((s64)v << 16 >> 16) == (s64)v;
}

static bool valid_pat(u64 pat)
{
	int i;

	/* Memory types 2 and 3 are reserved, 8 and up too (SDM 11.12.2). */
	for (i = 0; i < 8; i++) {
		u8 t = pat >> (i * 8);

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

/**
 * hvmm_vmx_get_msr() - the value the guest's RDMSR returns
 * @vcpu: the vCPU, VMCS current
 * @msr: ECX
 * @val: result
 *
 * Return: 0, or -EINVAL for an MSR the guest must get #GP for.
 */
int hvmm_vmx_get_msr(struct hvmm_vcpu *vcpu, u32 msr, u64 *val)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);

	switch (msr) {
	case MSR_EFER:
		*val = vmx->efer;
		break;
	case MSR_STAR:
		*val = vmx->star;
		break;
	case MSR_LSTAR:
		*val = vmx->lstar;
		break;
	case MSR_CSTAR:
		*val = vmx->cstar;
		break;
	case MSR_SYSCALL_MASK:
		*val = vmx->sfmask;
		break;
	case MSR_KERNEL_GS_BASE:
		/* SWAPGS changes it without an exit: read the CPU's. */
		hvmm_vmx_restore_host_state(vcpu);
		*val = vmx->kernel_gs_base;
		break;
	case MSR_FS_BASE:
		*val = vmcs_readl(GUEST_FS_BASE);
		break;
	case MSR_GS_BASE:
		*val = vmcs_readl(GUEST_GS_BASE);
		break;
	case MSR_IA32_SYSENTER_CS:
		*val = vmcs_read32(GUEST_SYSENTER_CS);
		break;
	case MSR_IA32_SYSENTER_ESP:
		*val = vmcs_readl(GUEST_SYSENTER_ESP);
		break;
	case MSR_IA32_SYSENTER_EIP:
		*val = vmcs_readl(GUEST_SYSENTER_EIP);
		break;
	case MSR_IA32_CR_PAT:
		*val = vmcs_read64(GUEST_IA32_PAT);
		break;
	case MSR_IA32_DEBUGCTLMSR:
		*val = vmcs_read64(GUEST_IA32_DEBUGCTL);
		break;
	case MSR_IA32_TSC:
		*val = rdtsc() + vmcs_read64(TSC_OFFSET);
		break;
	case MSR_IA32_APICBASE:
		*val = vmx->apic_base;
		break;
	case MSR_IA32_MISC_ENABLE:
		*val = vmx->misc_enable;
		break;
	case MSR_IA32_UCODE_REV:
		*val = 0x100000000ULL;	/* KVM's default */
		break;
	case MSR_IA32_FEAT_CTL:
		*val = FEAT_CTL_LOCKED;	/* locked, VMX not offered */
		break;
	case MSR_IA32_PLATFORM_ID:
		*val = 0;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/**
 * hvmm_vmx_set_msr() - the guest's WRMSR
 * @vcpu: the vCPU, VMCS current
 * @msr: ECX
 * @val: EDX:EAX
 *
 * Return: 0, or -EINVAL when the guest must get #GP (unknown MSR,
 * reserved bits, non-canonical address).
 */
int hvmm_vmx_set_msr(struct hvmm_vcpu *vcpu, u32 msr, u64 val)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);

	/* The lent MSRs: the next entry lends the new values. */
	switch (msr) {
	case MSR_EFER: case MSR_STAR: case MSR_LSTAR: case MSR_CSTAR:
	case MSR_SYSCALL_MASK: case MSR_KERNEL_GS_BASE:
		hvmm_vmx_restore_host_state(vcpu);
	}
	switch (msr) {
	case MSR_EFER:
		if (val & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
			return -EINVAL;
		/* LMA is read-only; LME cannot change under paging. */
		if ((val ^ vmx->efer) & EFER_LMA)
			val = (val & ~EFER_LMA) | (vmx->efer & EFER_LMA);
		if (((val ^ vmx->efer) & EFER_LME) &&
		    (vmx->cr0_shadow & X86_CR0_PG))
			return -EINVAL;
		hvmm_vmx_set_efer(vcpu, val);
		break;
	case MSR_STAR:
		vmx->star = val;
		break;
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_KERNEL_GS_BASE:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!is_canonical(val))
			return -EINVAL;
		if (msr == MSR_LSTAR)
			vmx->lstar = val;
		else if (msr == MSR_CSTAR)
			vmx->cstar = val;
		else if (msr == MSR_KERNEL_GS_BASE)
			vmx->kernel_gs_base = val;
		else if (msr == MSR_FS_BASE)
			vmcs_writel(GUEST_FS_BASE, val);
		else if (msr == MSR_GS_BASE)
			vmcs_writel(GUEST_GS_BASE, val);
		else if (msr == MSR_IA32_SYSENTER_ESP)
			vmcs_writel(GUEST_SYSENTER_ESP, val);
		else
			vmcs_writel(GUEST_SYSENTER_EIP, val);
		break;
	case MSR_SYSCALL_MASK:
		vmx->sfmask = (u32)val;
		break;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(GUEST_SYSENTER_CS, val);
		break;
	case MSR_IA32_CR_PAT:
		if (!valid_pat(val))
			return -EINVAL;
		vmcs_write64(GUEST_IA32_PAT, val);
		break;
	case MSR_IA32_DEBUGCTLMSR:
		/* No LBR/BTF virtualization: only 0 is accepted. */
		if (val)
			return -EINVAL;
		break;
	case MSR_IA32_TSC:
		vmcs_write64(TSC_OFFSET, val - rdtsc());
		break;
	case MSR_IA32_APICBASE:
		vmx->apic_base = val;
		break;
	case MSR_IA32_MISC_ENABLE:
		vmx->misc_enable = val;
		break;
	case MSR_IA32_UCODE_REV:
		break;			/* writes trigger a load: ignored */
	default:
		return -EINVAL;
	}
	return 0;
}

/*
 * Context for both: preemption disabled, from host.c.  @host holds the
 * values Linux runs with; KERNEL_GS_BASE is per task.
 */
void hvmm_vmx_load_guest_msrs(struct hvmm_vmx_vcpu *vmx)
{
	if (vmx->efer & EFER_SCE) {
		wrmsrl(MSR_STAR, vmx->star);
		wrmsrl(MSR_LSTAR, vmx->lstar);
		wrmsrl(MSR_CSTAR, vmx->cstar);
		wrmsrl(MSR_SYSCALL_MASK, vmx->sfmask);
	}
	if (vmx->efer & EFER_LMA) {
		rdmsrl(MSR_KERNEL_GS_BASE, vmx->host_kernel_gs_base);
		wrmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	}
	vmx->msrs_efer = vmx->efer;
}

void hvmm_vmx_load_host_msrs(struct hvmm_vmx_vcpu *vmx)
{
	/* What was loaded decides, not the EFER the exit left behind. */
	if (vmx->msrs_efer & EFER_LMA) {
		rdmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
		wrmsrl(MSR_KERNEL_GS_BASE, vmx->host_kernel_gs_base);
	}
	if (vmx->msrs_efer & EFER_SCE) {
		wrmsrl(MSR_STAR, host.star);
		wrmsrl(MSR_LSTAR, host.lstar);
		wrmsrl(MSR_CSTAR, host.cstar);
		wrmsrl(MSR_SYSCALL_MASK, host.sfmask);
	}
}
