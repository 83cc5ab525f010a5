// SPDX-License-Identifier: GPL-2.0
/*
 * What the CPU's VMX implementation offers (SDM Vol. 3D, Appendix A), and
 * the VM-execution, VM-exit and VM-entry controls hvmm programs.  Probed
 * once at module load; a CPU that lacks something hvmm needs leaves
 * hvmm_vmx_caps.usable false and .missing naming it, so that VM creation
 * fails with -EOPNOTSUPP and says why.
 */
#define pr_fmt(fmt) "hvmm: " fmt

#include <linux/kernel.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/mtrr.h>
#include "vmx_int.h"

struct hvmm_vmx_caps hvmm_vmx_caps;

#define HVMM_PIN_REQ	(PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING)
/*
 * Every port access exits (no I/O bitmaps) and every MSR access exits (no
 * MSR bitmap): the backend sees all of them and forwards or emulates.
 * MOV DR exits so the guest never loads the host's debug registers, and
 * MOV CR8 exits so it never writes the host's APIC TPR (SDM 25.3);
 * MONITOR/MWAIT/RDPMC exit and are refused.
 */
#define HVMM_PROC_REQ	(CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING | \
			 CPU_BASED_MOV_DR_EXITING | CPU_BASED_MWAIT_EXITING | \
			 CPU_BASED_MONITOR_EXITING | CPU_BASED_RDPMC_EXITING | \
			 CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING | \
			 CPU_BASED_USE_TSC_OFFSETTING | \
			 CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
#define HVMM_PROC2_REQ	(SECONDARY_EXEC_ENABLE_EPT | \
			 SECONDARY_EXEC_UNRESTRICTED_GUEST)
/*
 * Debug controls: without them GUEST_DR7 and GUEST_IA32_DEBUGCTL are not
 * loaded on entry, and the guest would run with the host's DR7 and
 * DEBUGCTL; KVM requires both too (setup_vmcs_config()).
 */
#define HVMM_EXIT_REQ	(VM_EXIT_HOST_ADDR_SPACE_SIZE | \
			 VM_EXIT_SAVE_DEBUG_CONTROLS | \
			 VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER | \
			 VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT)
#define HVMM_ENTRY_REQ	(VM_ENTRY_LOAD_DEBUG_CONTROLS | \
			 VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT)

/*
 * A capability MSR holds the allowed 0-settings in bits 31:0 (1 there:
 * must be 1) and the allowed 1-settings in bits 63:32 (SDM A.3.1).
 * Return the control value, or false when a required bit is not allowed.
 */
static bool adjust_ctl(u32 msr, u32 req, u32 *ctl)
{
	u32 must1, may1;

	rdmsr(msr, must1, may1);
	*ctl = (req | must1) & may1;
	return (*ctl & req) == req;
}

static const char *probe(struct hvmm_vmx_caps *c)
{
	bool true_ctls;
	u64 basic, feat;
	u32 proc2_may1, dummy;

	if (!boot_cpu_has(X86_FEATURE_VMX) &&
	    !(cpuid_ecx(1) & BIT(X86_FEATURE_VMX & 31)))
		return "the CPU has no VT-x";
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat))
		return "IA32_FEATURE_CONTROL is unreadable";
	if (!(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX))
		return "VT-x is disabled in IA32_FEATURE_CONTROL (firmware)";

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	c->revision_id = basic & 0x7fffffff;
	c->vmcs_size = (basic >> VMX_BASIC_VMCS_SIZE_SHIFT) & 0x1fff;
	if (c->vmcs_size > PAGE_SIZE)
		return "VMCS larger than a page";
	if (basic & VMX_BASIC_64)
		return "VMX limited to 32-bit physical addresses";
	if (((basic >> 50) & 0xf) != MTRR_TYPE_WRBACK)
		return "VMCS memory type is not write-back";
	c->has_insouts_info = basic & BIT_ULL(54);
	true_ctls = basic & VMX_BASIC_TRUE_CTLS;

	if (!adjust_ctl(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			MSR_IA32_VMX_PINBASED_CTLS, HVMM_PIN_REQ, &c->pin))
		return "no external-interrupt or NMI exiting";
	if (!adjust_ctl(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			MSR_IA32_VMX_PROCBASED_CTLS, HVMM_PROC_REQ, &c->proc))
		return "no secondary controls or required exiting";
	/* Without the TRUE MSRs, CR3 and INVLPG exiting cannot be cleared. */
	c->proc &= ~(CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING |
		     CPU_BASED_INVLPG_EXITING);
	if (!true_ctls)
		c->proc |= CPU_BASED_CR3_LOAD_EXITING |
			   CPU_BASED_CR3_STORE_EXITING;
	rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2, dummy, proc2_may1);
	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, c->ept_vpid);
	if (!(proc2_may1 & SECONDARY_EXEC_ENABLE_EPT))
		return "no EPT";
	if (!(proc2_may1 & SECONDARY_EXEC_UNRESTRICTED_GUEST))
		return "no unrestricted guest";
	c->proc2 = HVMM_PROC2_REQ;
	/* VPIDs are an optimisation: used when INVVPID can flush one. */
	c->vpid = (proc2_may1 & SECONDARY_EXEC_ENABLE_VPID) &&
		  (c->ept_vpid & VMX_VPID_INVVPID_BIT) &&
		  (c->ept_vpid & VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT);
	if (c->vpid)
		c->proc2 |= SECONDARY_EXEC_ENABLE_VPID;
	/*
	 * A guest's WBINVD would write back and empty every cache of the
	 * host CPU, for all its other tenants: trap it where the CPU can,
	 * and make it a no-op, as KVM does without non-coherent DMA.
	 */
	if (proc2_may1 & SECONDARY_EXEC_WBINVD_EXITING)
		c->proc2 |= SECONDARY_EXEC_WBINVD_EXITING;
	if (!adjust_ctl(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
			MSR_IA32_VMX_EXIT_CTLS, HVMM_EXIT_REQ, &c->exit))
		return "no debug-control, EFER or PAT save/load on VM exit";
	c->exit &= ~VM_EXIT_ACK_INTR_ON_EXIT;
	if (!adjust_ctl(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			MSR_IA32_VMX_ENTRY_CTLS, HVMM_ENTRY_REQ, &c->entry))
		return "no debug-control, EFER or PAT load on VM entry";
	c->entry &= ~VM_ENTRY_IA32E_MODE;	/* set per guest mode */

	if (!(c->ept_vpid & VMX_EPT_PAGE_WALK_4_BIT))
		return "no 4-level EPT";
	if (!(c->ept_vpid & VMX_EPTP_WB_BIT))
		return "no write-back EPT paging structures";
	if (!(c->ept_vpid & VMX_EPT_INVEPT_BIT) ||
	    !(c->ept_vpid & VMX_EPT_EXTENT_GLOBAL_BIT))
		return "no global INVEPT";

	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, c->cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, c->cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, c->cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, c->cr4_fixed1);
	return NULL;
}

/**
 * hvmm_vmx_probe() - read the VMX capabilities of the boot CPU
 *
 * Never fails the module load: a CPU without what hvmm needs only makes
 * hvmm_vmx_enable() fail.  Prints one line saying what is missing.
 */
void hvmm_vmx_probe(void)
{
	struct hvmm_vmx_caps *c = &hvmm_vmx_caps;

	memset(c, 0, sizeof(*c));
	if (boot_cpu_data.x86_vendor != X86_VENDOR_INTEL &&
	    !boot_cpu_has(X86_FEATURE_VMX)) {
		c->missing = "the CPU has no VT-x";
	} else {
		c->missing = probe(c);
	}
	c->usable = !c->missing;
	if (c->usable) {
		hvmm_vmx_host_msrs_probe();
		hvmm_vmx_mitigations_probe();
	} else {
		pr_info("VT-x unusable: %s\n", c->missing);
	}
}
