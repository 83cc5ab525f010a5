// SPDX-License-Identifier: GPL-2.0
/*
 * VMX operation per CPU (SDM Vol. 3C, 24.7 and 24.11.5): VMXON on every
 * online CPU while at least one VM exists, VMXOFF when the last one goes.
 * CPUs that come online meanwhile enter VMX operation through a dynamic
 * CPU hotplug state; CPUs that go offline VMCLEAR what they hold first.
 *
 * Another hypervisor (kvm_intel with a running VM, VirtualBox, ...) that
 * already set CR4.VMXE owns VMX on that CPU: hvmm backs off with -EBUSY
 * rather than executing VMXON over it.
 */
#define pr_fmt(fmt) "hvmm: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <asm/tlbflush.h>
#include <asm/virtext.h>
#include "vmx_int.h"

static DEFINE_MUTEX(vmxon_lock);	/* users, hp_state */
static unsigned int users;
static int hp_state = -1;

static DEFINE_PER_CPU(void *, vmxon_region);
static DEFINE_PER_CPU(bool, vmx_on);

/**
 * hvmm_vmx_cpu_on() - whether this CPU is in VMX operation owned by hvmm
 *
 * Context: preemption disabled.
 */
bool hvmm_vmx_cpu_on(void)
{
	return this_cpu_read(vmx_on);
}

static int do_vmxon(u64 pa)
{
	bool bad = true;	/* stays set if VMXON faults */

	asm volatile("1: vmxon %[pa]\n\t"
		     "setna %[bad]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [bad] "+qm" (bad) : [pa] "m" (pa) : "cc", "memory");
	return bad ? -EIO : 0;
}

static int cpu_online_vmx(unsigned int cpu)
{
	void *region = per_cpu(vmxon_region, cpu);
	u64 feat;

	if (this_cpu_read(vmx_on))
		return 0;
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat) ||
	    !(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_warn("CPU %u: VT-x disabled in IA32_FEATURE_CONTROL\n", cpu);
		return -EOPNOTSUPP;
	}
	/* CR4.VMXE set by someone else: they are in VMX operation. */
	if (cr4_read_shadow() & X86_CR4_VMXE) {
		pr_warn("CPU %u: VT-x is in use by another hypervisor\n", cpu);
		return -EBUSY;
	}
	if (!region) {
		region = kzalloc(PAGE_SIZE, GFP_KERNEL);
		if (!region)
			return -ENOMEM;
		per_cpu(vmxon_region, cpu) = region;
	}
	*(u32 *)region = hvmm_vmx_caps.revision_id;

	cr4_set_bits(X86_CR4_VMXE);
	if (do_vmxon(__pa(region))) {
		cr4_clear_bits(X86_CR4_VMXE);
		pr_warn("CPU %u: VMXON failed\n", cpu);
		return -EBUSY;
	}
	this_cpu_write(vmx_on, true);
	/* Nothing may linger from whoever used EPT on this CPU before. */
	hvmm_ept_flush_all();
	return 0;
}

static int cpu_offline_vmx(unsigned int cpu)
{
	if (!this_cpu_read(vmx_on))
		return 0;
	hvmm_vmcs_clear_all_on_cpu();
	this_cpu_write(vmx_on, false);
	cpu_vmxoff();	/* VMXOFF and CR4.VMXE = 0 */
	return 0;
}

static void free_regions(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		kfree(per_cpu(vmxon_region, cpu));
		per_cpu(vmxon_region, cpu) = NULL;
	}
}

/**
 * hvmm_vmx_enable() - enter VMX operation on all CPUs for one more VM
 *
 * Return: 0, -EOPNOTSUPP when the CPU lacks what hvmm needs (one log line
 * says what), -EBUSY when another hypervisor holds VMX, -ENOMEM.
 * Context: process context, may sleep.
 */
int hvmm_vmx_enable(void)
{
	int ret;

	if (!hvmm_vmx_caps.usable) {
		pr_info_ratelimited("cannot create a VM: %s\n",
				    hvmm_vmx_caps.missing ?: "VT-x not probed");
		return -EOPNOTSUPP;
	}
	mutex_lock(&vmxon_lock);
	if (users) {
		users++;
		mutex_unlock(&vmxon_lock);
		return 0;
	}
	ret = hvmm_vmx_l1d_buf_alloc();
	if (ret) {
		mutex_unlock(&vmxon_lock);
		return ret;
	}
	/* Runs cpu_online_vmx() on every online CPU, undoes all on error. */
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hvmm/vmx:online",
				cpu_online_vmx, cpu_offline_vmx);
	if (ret < 0) {
		free_regions();
		hvmm_vmx_l1d_buf_free();
		mutex_unlock(&vmxon_lock);
		return ret;
	}
	hp_state = ret;
	users = 1;
	mutex_unlock(&vmxon_lock);
	return 0;
}

/**
 * hvmm_vmx_disable() - one VM fewer; VMXOFF everywhere after the last
 *
 * Context: process context, may sleep.
 */
void hvmm_vmx_disable(void)
{
	mutex_lock(&vmxon_lock);
	if (!WARN_ON_ONCE(!users) && !--users) {
		cpuhp_remove_state(hp_state);
		hp_state = -1;
		free_regions();
		hvmm_vmx_l1d_buf_free();
	}
	mutex_unlock(&vmxon_lock);
}
