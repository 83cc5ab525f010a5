// SPDX-License-Identifier: GPL-2.0
/*
 * VMCS lifetime and contents (SDM Vol. 3C, chapters 24 and 25).
 *
 * A VMCS is active on at most one CPU.  Before another CPU may VMPTRLD it,
 * the CPU that last used it must VMCLEAR it (SDM 24.11.1), which flushes
 * the processor's cached copy to memory; so hvmm, like KVM's loaded_vmcs,
 * remembers the CPU, keeps a per-CPU list of the VMCSs active there, and
 * clears a VMCS on its old CPU by IPI when its vCPU thread migrates.
 */
#define pr_fmt(fmt) "hvmm: " fmt

#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/cpu_entry_area.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include "vmcs_ops.h"
#include "vmenter.h"
#include "vmx_int.h"

static DEFINE_PER_CPU(struct list_head, loaded_vmcss);
static DEFINE_PER_CPU(void *, current_vmcs);
static DEFINE_PER_CPU(bool, loaded_vmcss_init);

void hvmm_vmx_insn_failed(const char *insn, unsigned long field)
{
	pr_warn_ratelimited("%s of field %#lx failed\n", insn, field);
}

static struct list_head *cpu_list(void)
{
	if (!this_cpu_read(loaded_vmcss_init)) {
		INIT_LIST_HEAD(this_cpu_ptr(&loaded_vmcss));
		this_cpu_write(loaded_vmcss_init, true);
	}
	return this_cpu_ptr(&loaded_vmcss);
}

static void vmcs_vmclear(void *va)
{
	u64 pa = __pa(va);

	asm volatile("1: vmclear %0\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : : "m" (pa) : "cc", "memory");
}

static void vmcs_vmptrld(void *va)
{
	u64 pa = __pa(va);
	bool bad = true;

	asm volatile("1: vmptrld %[pa]\n\t"
		     "setna %[bad]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [bad] "+qm" (bad) : [pa] "m" (pa) : "cc", "memory");
	if (bad)
		hvmm_vmx_insn_failed("vmptrld", 0);
}

/* On the VMCS's CPU, with interrupts off: make it inactive. */
static void vmcs_clear_local(struct hvmm_vmcs *vmcs)
{
	if (hvmm_vmx_cpu_on())
		vmcs_vmclear(vmcs->va);
	if (this_cpu_read(current_vmcs) == vmcs->va)
		this_cpu_write(current_vmcs, NULL);
	list_del(&vmcs->on_cpu);
	vmcs->launched = false;
	/* The list removal is visible before the new owner looks. */
	smp_wmb();
	WRITE_ONCE(vmcs->cpu, -1);
}

static void vmcs_clear_ipi(void *arg)
{
	struct hvmm_vmcs *vmcs = arg;

	if (vmcs->cpu == raw_smp_processor_id())
		vmcs_clear_local(vmcs);
}

static void vmcs_clear(struct hvmm_vmcs *vmcs)
{
	int cpu = READ_ONCE(vmcs->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmcs_clear_ipi, vmcs, 1);
}

/**
 * hvmm_vmcs_clear_all_on_cpu() - VMCLEAR every VMCS active on this CPU
 *
 * Before VMXOFF (the CPU goes offline or the last VM is gone).
 */
void hvmm_vmcs_clear_all_on_cpu(void)
{
	struct hvmm_vmcs *vmcs, *tmp;
	unsigned long flags;

	local_irq_save(flags);
	list_for_each_entry_safe(vmcs, tmp, cpu_list(), on_cpu)
		vmcs_clear_local(vmcs);
	this_cpu_write(current_vmcs, NULL);
	local_irq_restore(flags);
}

int hvmm_vmcs_alloc(struct hvmm_vmcs *vmcs)
{
	vmcs->va = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmcs->va)
		return -ENOMEM;
	*(u32 *)vmcs->va = hvmm_vmx_caps.revision_id;
	vmcs->cpu = -1;
	vmcs->launched = false;
	INIT_LIST_HEAD(&vmcs->on_cpu);
	return 0;
}

void hvmm_vmcs_free(struct hvmm_vmcs *vmcs)
{
	if (!vmcs->va)
		return;
	vmcs_clear(vmcs);
	free_page((unsigned long)vmcs->va);
	vmcs->va = NULL;
}

/*
 * Host state that differs per CPU (SDM 24.5): the TSS, GDT, per-CPU GS
 * base and SYSENTER stack of the CPU the VMCS is now loaded on.
 */
void hvmm_vmcs_set_host_per_cpu(void)
{
	int cpu = smp_processor_id();
	u64 esp;

	vmcs_writel(HOST_TR_BASE,
		    (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_writel(HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro());
	vmcs_writel(HOST_GS_BASE, cpu_kernelmode_gs_base(cpu));
	rdmsrl(MSR_IA32_SYSENTER_ESP, esp);
	vmcs_writel(HOST_IA32_SYSENTER_ESP, esp);
}

/**
 * hvmm_vmcs_load() - make @vmcs the current VMCS of this CPU
 *
 * Clears it on the CPU it was active on before, if that is another one.
 * Context: preemption disabled, interrupts enabled.
 */
void hvmm_vmcs_load(struct hvmm_vmcs *vmcs)
{
	int cpu = smp_processor_id();
	bool migrated = false;
	unsigned long flags;

	if (!hvmm_vmx_cpu_on())
		return;
	if (READ_ONCE(vmcs->cpu) != cpu) {
		vmcs_clear(vmcs);
		/* Pairs with vmcs_clear_local()'s smp_wmb(). */
		smp_rmb();
		local_irq_save(flags);
		list_add(&vmcs->on_cpu, cpu_list());
		vmcs->cpu = cpu;
		local_irq_restore(flags);
		migrated = true;
	}
	if (this_cpu_read(current_vmcs) != vmcs->va) {
		/*
		 * Another vCPU ran here: as KVM does, keep it from steering
		 * this one's indirect branches.
		 */
		indirect_branch_prediction_barrier();
		vmcs_vmptrld(vmcs->va);
		this_cpu_write(current_vmcs, vmcs->va);
	}
	if (migrated) {
		hvmm_vmcs_set_host_per_cpu();
		/* This CPU may hold stale EPT translations of this VM. */
		hvmm_ept_flush_all();
	}
}

static void setup_host(void)
{
	struct desc_ptr idt;
	u32 lo, hi;
	u64 v;

	vmcs_writel(HOST_CR0, read_cr0() & ~X86_CR0_TS);
	vmcs_writel(HOST_CR3, __read_cr3());
	vmcs_writel(HOST_CR4, cr4_read_shadow());
	vmcs_write16(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write16(HOST_SS_SELECTOR, __KERNEL_DS);
	/*
	 * Null DS/ES, as KVM on x86_64: the kernel does not use them, and a
	 * VMM thread with null selectors must get null ones back (host.c
	 * reloads only non-null ones).
	 */
	vmcs_write16(HOST_DS_SELECTOR, 0);
	vmcs_write16(HOST_ES_SELECTOR, 0);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	store_idt(&idt);
	vmcs_writel(HOST_IDTR_BASE, idt.address);
	vmcs_writel(HOST_RIP, (unsigned long)hvmm_vmx_vmexit);
	rdmsr(MSR_IA32_SYSENTER_CS, lo, hi);
	vmcs_write32(HOST_IA32_SYSENTER_CS, lo);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmcs_writel(HOST_IA32_SYSENTER_EIP, v);
	rdmsrl(MSR_EFER, v);
	vmcs_write64(HOST_IA32_EFER, v);
	rdmsrl(MSR_IA32_CR_PAT, v);
	vmcs_write64(HOST_IA32_PAT, v);
	hvmm_vmcs_set_host_per_cpu();
}

/**
 * hvmm_vmcs_setup() - fill a freshly loaded VMCS: controls, host state
 * and the guest's reset state
 * @vmx: the vCPU whose VMCS is current on this CPU
 */
void hvmm_vmcs_setup(struct hvmm_vmx_vcpu *vmx)
{
	const struct hvmm_vmx_caps *c = &hvmm_vmx_caps;
	struct hvmm_vmx_vm *vvm = vmx->vcpu->vm->vmx;

	BUILD_BUG_ON(HVMM_VMCS_HOST_RSP != HOST_RSP);

	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, c->pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, c->proc);
	vmx->exec_ctrl = c->proc;
	/* VM entry refuses VPID 0 with "enable VPID" (SDM 26.2.1.1). */
	if (vmx->vpid) {
		vmcs_write32(SECONDARY_VM_EXEC_CONTROL, c->proc2);
		vmcs_write16(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	} else {
		vmcs_write32(SECONDARY_VM_EXEC_CONTROL,
			     c->proc2 & ~SECONDARY_EXEC_ENABLE_VPID);
	}
	vmcs_write32(VM_EXIT_CONTROLS, c->exit);
	vmcs_write32(VM_ENTRY_CONTROLS, c->entry);
	/*
	 * Machine checks belong to the host (SDM 25.2 exception bitmap);
	 * #AC is looked at first, since with split-lock detection the host
	 * raises it on a guest that never enabled alignment checks (exit.c).
	 */
	vmcs_write32(EXCEPTION_BITMAP, BIT(MC_VECTOR) | BIT(AC_VECTOR));
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	hvmm_vmx_perf_setup(vmx);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write64(EPT_POINTER, vvm->eptp);
	/* Every CR0/CR4 bit is the host's: guest writes exit (regs.c). */
	vmcs_writel(CR0_GUEST_HOST_MASK, ~0UL);
	vmcs_writel(CR4_GUEST_HOST_MASK, ~0UL);
	setup_host();
	hvmm_vmx_reset_regs(vmx->vcpu);
}

static bool dump_invalid_vmcs;
module_param(dump_invalid_vmcs, bool, 0644);
MODULE_PARM_DESC(dump_invalid_vmcs,
		 "Dump the VMCS on a failed VM entry or unexpected exit (debug)");

/**
 * hvmm_vmcs_dump() - print the current VMCS's essentials to the log
 *
 * For failed VM entries: what an engineer needs to see which check
 * failed.  Userspace can fail entries at will, so this is opt-in (the
 * dump_invalid_vmcs parameter, as KVM's), ratelimited, and host
 * addresses are hashed (%p).
 */
void hvmm_vmcs_dump(void)
{
	static DEFINE_RATELIMIT_STATE(dump_rs, 5 * HZ, 2);

	if (!READ_ONCE(dump_invalid_vmcs) || !__ratelimit(&dump_rs))
		return;
	pr_err("VMCS dump: insn_error=%u exit_reason=%#x qual=%#lx\n",
	       vmcs_read32(VM_INSTRUCTION_ERROR), vmcs_read32(VM_EXIT_REASON),
	       vmcs_readl(EXIT_QUALIFICATION));
	pr_err(" ctl pin=%#x proc=%#x proc2=%#x exit=%#x entry=%#x\n",
	       vmcs_read32(PIN_BASED_VM_EXEC_CONTROL),
	       vmcs_read32(CPU_BASED_VM_EXEC_CONTROL),
	       vmcs_read32(SECONDARY_VM_EXEC_CONTROL),
	       vmcs_read32(VM_EXIT_CONTROLS), vmcs_read32(VM_ENTRY_CONTROLS));
	pr_err(" guest cr0=%#lx cr3=%#lx cr4=%#lx efer=%#llx rip=%#lx rsp=%#lx rflags=%#lx\n",
	       vmcs_readl(GUEST_CR0), vmcs_readl(GUEST_CR3),
	       vmcs_readl(GUEST_CR4), vmcs_read64(GUEST_IA32_EFER),
	       vmcs_readl(GUEST_RIP), vmcs_readl(GUEST_RSP),
	       vmcs_readl(GUEST_RFLAGS));
#define SEG(n, S) pr_err(" %s sel=%#x base=%#lx limit=%#x ar=%#x\n", n, \
			 vmcs_read16(GUEST_##S##_SELECTOR),		\
			 vmcs_readl(GUEST_##S##_BASE),			\
			 vmcs_read32(GUEST_##S##_LIMIT),		\
			 vmcs_read32(GUEST_##S##_AR_BYTES))
	SEG("cs", CS); SEG("ss", SS); SEG("ds", DS); SEG("es", ES);
	SEG("fs", FS); SEG("gs", GS); SEG("tr", TR); SEG("ldtr", LDTR);
#undef SEG
	pr_err(" gdtr=%#lx/%#x idtr=%#lx/%#x intr_state=%#x activity=%u entry_intr=%#x\n",
	       vmcs_readl(GUEST_GDTR_BASE), vmcs_read32(GUEST_GDTR_LIMIT),
	       vmcs_readl(GUEST_IDTR_BASE), vmcs_read32(GUEST_IDTR_LIMIT),
	       vmcs_read32(GUEST_INTERRUPTIBILITY_INFO),
	       vmcs_read32(GUEST_ACTIVITY_STATE),
	       vmcs_read32(VM_ENTRY_INTR_INFO_FIELD));
	pr_err(" host cr0=%#lx cr3=%p cr4=%#lx rip=%p eptp=%p\n",
	       vmcs_readl(HOST_CR0), (void *)vmcs_readl(HOST_CR3),
	       vmcs_readl(HOST_CR4), (void *)vmcs_readl(HOST_RIP),
	       (void *)(unsigned long)vmcs_read64(EPT_POINTER));
}
