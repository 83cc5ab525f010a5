// SPDX-License-Identifier: GPL-2.0
/*
 * Host perf MSRs the guest must not run with, switched by the CPU itself
 * at entry and exit through the VM-entry and VM-exit MSR-load areas
 * (SDM Vol. 3C, 25.8.2, 26.4, 28.6), as KVM's atomic_switch_perf_msrs().
 *
 * perf says what to change (perf_guest_get_msrs()): counters that count
 * only the host are stopped in guest mode (IA32_PERF_GLOBAL_CTRL) and,
 * on CPUs without PEBS isolation, PEBS is off in guest mode
 * (IA32_PEBS_ENABLE): a PEBS record written after the entry would land
 * in memory through the guest's translation.  hvmm has no guest PMU, so
 * perf is given no guest PMU state (NULL), which perf accepts.
 */
#include <linux/kernel.h>
#include <asm/perf_event.h>
#include "vmcs_ops.h"
#include "vmx_int.h"

/**
 * hvmm_vmx_perf_setup() - point the VMCS at this vCPU's MSR-load areas
 * @vmx: the vCPU, its VMCS current
 */
void hvmm_vmx_perf_setup(struct hvmm_vmx_vcpu *vmx)
{
	struct hvmm_msr_switch *sw = &vmx->perf_msrs;

	sw->nr = 0;
	vmcs_write64(VM_ENTRY_MSR_LOAD_ADDR, __pa(sw->guest));
	vmcs_write64(VM_EXIT_MSR_LOAD_ADDR, __pa(sw->host));
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
}

/**
 * hvmm_vmx_perf_switch() - fill the MSR-load areas for the next entry
 * @vmx: the vCPU, its VMCS current
 *
 * The counts are written only when they change.
 * Context: interrupts disabled, right before VM entry (perf's state
 * belongs to this CPU and may change with any interrupt).
 */
void hvmm_vmx_perf_switch(struct hvmm_vmx_vcpu *vmx)
{
	struct hvmm_msr_switch *sw = &vmx->perf_msrs;
	struct perf_guest_switch_msr *msrs;
	unsigned int n = 0;
	int nr = 0, i;

	msrs = perf_guest_get_msrs(&nr, NULL);
	for (i = 0; msrs && i < nr && n < HVMM_MAX_SWITCH_MSRS; i++) {
		if (msrs[i].host == msrs[i].guest)
			continue;
		sw->guest[n].index = msrs[i].msr;
		sw->guest[n].value = msrs[i].guest;
		sw->host[n].index = msrs[i].msr;
		sw->host[n].value = msrs[i].host;
		n++;
	}
	if (n != sw->nr) {
		vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, n);
		vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, n);
		sw->nr = n;
	}
}
