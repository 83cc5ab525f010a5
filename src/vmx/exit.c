// SPDX-License-Identifier: GPL-2.0
/*
 * VM-exit dispatch (SDM Vol. 3C, chapter 27 and Appendix C): one small
 * handler per basic exit reason, in a table indexed by it.
 *
 * Return contract of every handler, as in KVM:
 *   1        the exit is handled, re-enter the guest;
 *   0        vcpu->run is filled in, return to userspace;
 *   < 0      return that error from KVM_RUN.
 * An exit reason with no handler dumps the VMCS and reports
 * KVM_EXIT_INTERNAL_ERROR (KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON).
 */
#define pr_fmt(fmt) "hvmm: " fmt

#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/ratelimit.h>
#include <asm/cpu.h>
#include <asm/fpu/xcr.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>
#include "vmcs_ops.h"
#include "vmx_int.h"

static bool in_64bit_code(struct hvmm_vcpu *vcpu)
{
	return hvmm_vmx_long_mode(vcpu) &&
	       (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK);
}

/**
 * hvmm_vmx_skip_insn() - step over the instruction that caused the exit
 * @vcpu: the vCPU, VMCS current
 *
 * Also ends STI / MOV SS blocking, which lasts one instruction only.
 */
void hvmm_vmx_skip_insn(struct hvmm_vcpu *vcpu)
{
	unsigned long rip = vmcs_readl(GUEST_RIP) +
			    vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	if (!in_64bit_code(vcpu))
		rip = (u32)rip;
	vmcs_writel(GUEST_RIP, rip);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI |
				      GUEST_INTR_STATE_MOV_SS));
}

/**
 * hvmm_vmx_inject_exception() - deliver a hardware exception on next entry
 * @vcpu: the vCPU, VMCS current
 * @vector: the exception vector
 * @has_err: the exception pushes an error code (SDM Table 6-1)
 * @err: the error code
 */
void hvmm_vmx_inject_exception(struct hvmm_vcpu *vcpu, u8 vector,
			       bool has_err, u32 err)
{
	u32 info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK;

	/* Real mode delivers no error code; VM entry checks it (26.2.1.3). */
	if (has_err && (to_vmx(vcpu)->cr0_shadow & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, err);
	}
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
}

void hvmm_vmx_inject_ud(struct hvmm_vcpu *vcpu)
{
	hvmm_vmx_inject_exception(vcpu, X86_TRAP_UD, false, 0);
}

void hvmm_vmx_inject_gp(struct hvmm_vcpu *vcpu, u32 error)
{
	hvmm_vmx_inject_exception(vcpu, X86_TRAP_GP, true, error);
}

/**
 * hvmm_vmx_internal_error() - report an exit hvmm cannot handle
 * @vcpu: the vCPU
 * @suberror: KVM_INTERNAL_ERROR_*
 *
 * Return: 0 (to userspace), for use as a handler's return value.
 */
int hvmm_vmx_internal_error(struct hvmm_vcpu *vcpu, u32 suberror)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = 3;
	run->internal.data[0] = vmx->exit_reason;
	run->internal.data[1] = vmx->exit_qual;
	run->internal.data[2] = vmcs_readl(GUEST_RIP);
	return 0;
}

static int fail_entry(struct hvmm_vcpu *vcpu, u64 reason)
{
	struct kvm_run *run = vcpu->run;

	hvmm_vmcs_dump();	/* opt-in and ratelimited: userspace can do this */
	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = reason;
	run->fail_entry.cpu = to_vmx(vcpu)->last_cpu;
	return 0;
}

/*
 * #AC belongs to the guest only when the guest itself asked for
 * alignment checks (CPL 3, CR0.AM, RFLAGS.AC; SDM 6.15 "Interrupt 17");
 * on a host with split-lock detection the CPU raises it for any
 * split-locked access, and the host decides (KVM's
 * vmx_guest_inject_ac() and handle_guest_split_lock()).
 */
static bool guest_wants_ac(struct hvmm_vcpu *vcpu)
{
	if (!boot_cpu_has(X86_FEATURE_SPLIT_LOCK_DETECT))
		return true;
	return hvmm_vmx_cpl() == 3 &&
	       (to_vmx(vcpu)->cr0_shadow & X86_CR0_AM) &&
	       (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_AC);
}

static int handle_ac(struct hvmm_vcpu *vcpu, u32 error)
{
	struct kvm_run *run = vcpu->run;

	if (guest_wants_ac(vcpu)) {
		hvmm_vmx_inject_exception(vcpu, AC_VECTOR, true, error);
		return 1;
	}
	/* Warns and disables detection for this task, or sends SIGBUS. */
	if (handle_guest_split_lock(vmcs_readl(GUEST_RIP)))
		return 1;
	run->exit_reason = KVM_EXIT_EXCEPTION;
	run->ex.exception = AC_VECTOR;
	run->ex.error_code = error;
	return 0;
}

static int handle_exception_nmi(struct hvmm_vcpu *vcpu)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);

	/* NMIs and machine checks were given to the host in run.c. */
	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR ||
	    (info & INTR_INFO_VECTOR_MASK) == MC_VECTOR)
		return 1;
	if ((info & INTR_INFO_VECTOR_MASK) == AC_VECTOR)
		return handle_ac(vcpu, vmcs_read32(VM_EXIT_INTR_ERROR_CODE));
	return hvmm_vmx_internal_error(vcpu,
				       KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
}

static int handle_external_interrupt(struct hvmm_vcpu *vcpu)
{
	/* Already serviced when run.c enabled interrupts after the exit. */
	return 1;
}

static int handle_triple_fault(struct hvmm_vcpu *vcpu)
{
	vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return 0;
}

static int handle_interrupt_window(struct hvmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	hvmm_vmx_intr_window(to_vmx(vcpu), false);
	/* KVM: tell userspace it may inject now, if it asked. */
	if (run->request_interrupt_window && !to_vmx(vcpu)->irq_pending) {
		run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
		return 0;
	}
	return 1;
}

static int handle_hlt(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);

	hvmm_vmx_skip_insn(vcpu);
	/* With the PIC in the kernel, the halt is waited out there. */
	if (hvmm_core_irqchip_in_kernel(vcpu->vm)) {
		vmx->halted = true;
		vmx->halt_if = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF;
		return 1;
	}
	/* An interrupt queued for it ends the halt at once, as in KVM. */
	if (to_vmx(vcpu)->irq_pending &&
	    (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF))
		return 1;
	vcpu->run->exit_reason = KVM_EXIT_HLT;
	return 0;
}

static int handle_cpuid(struct hvmm_vcpu *vcpu)
{
	unsigned long *r = to_vmx(vcpu)->regs;
	u32 out[4];

	hvmm_vmx_cpuid(vcpu, r[HVMM_RAX], r[HVMM_RCX], out);
	r[HVMM_RAX] = out[0];
	r[HVMM_RBX] = out[1];
	r[HVMM_RCX] = out[2];
	r[HVMM_RDX] = out[3];
	hvmm_vmx_skip_insn(vcpu);
	return 1;
}

static unsigned long get_gpr(struct hvmm_vcpu *vcpu, unsigned int reg)
{
	if (reg == HVMM_RSP)
		return vmcs_readl(GUEST_RSP);
	return to_vmx(vcpu)->regs[reg & 15];
}

static void set_gpr(struct hvmm_vcpu *vcpu, unsigned int reg,
		    unsigned long val)
{
	/* MOV from CR/DR outside 64-bit mode writes 32 bits (SDM MOV CR). */
	if (!in_64bit_code(vcpu))
		val = (u32)val;
	if (reg == HVMM_RSP)
		vmcs_writel(GUEST_RSP, val);
	else
		to_vmx(vcpu)->regs[reg & 15] = val;
}

/* Exit qualification for control-register accesses: SDM Table 27-3. */
static int handle_cr(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long q = vmx->exit_qual, val;
	unsigned int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	int err = 0;

	switch (type) {
	case 0:		/* MOV to CR */
		val = get_gpr(vcpu, reg);
		if (!in_64bit_code(vcpu))
			val = (u32)val;
		if (hvmm_vmx_cpl())
			err = -EINVAL;
		else if (cr == 0)
			err = hvmm_vmx_set_cr0(vcpu, val);
		else if (cr == 4)
			err = hvmm_vmx_set_cr4(vcpu, val);
		else if (cr == 8)
			err = val > 15 ? -EINVAL : 0;	/* no APIC: ignored */
		else if (cr == 3)
			hvmm_vmx_set_cr3(vcpu, val);
		else
			err = -EINVAL;
		break;
	case 1:		/* MOV from CR: only CR3/CR8 can exit here */
		if (hvmm_vmx_cpl())
			err = -EINVAL;
		else if (cr == 3)
			set_gpr(vcpu, reg, vmcs_readl(GUEST_CR3));
		else if (cr == 8)
			set_gpr(vcpu, reg, 0);
		else
			err = -EINVAL;
		break;
	case 2:		/* CLTS */
		err = hvmm_vmx_set_cr0(vcpu, vmx->cr0_shadow & ~X86_CR0_TS);
		break;
	case 3:		/* LMSW: bits 3:0 only, and it cannot clear PE */
		val = (q >> 16) & 0xf;
		val |= vmx->cr0_shadow & X86_CR0_PE;
		err = hvmm_vmx_set_cr0(vcpu, (vmx->cr0_shadow & ~0xfUL) | val);
		break;
	}
	if (err) {
		hvmm_vmx_inject_gp(vcpu, 0);
		return 1;
	}
	hvmm_vmx_skip_insn(vcpu);
	return 1;
}

/*
 * MOV DR (SDM Table 27-4): the guest gets private DR0-3/DR6/DR7 values
 * that never reach the hardware (its breakpoints do not fire).  GUEST_DR7
 * stays 0x400, so the entry's "load debug controls" arms nothing: the
 * hardware DR0-3 hold the host's addresses, not the guest's.
 */
static int handle_dr(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long q = vmx->exit_qual, val;
	unsigned int dr = q & 7, reg = (q >> 8) & 15;
	bool read = q & BIT(4);

	if (hvmm_vmx_cpl() ||
	    ((dr == 4 || dr == 5) && (vmx->cr4_shadow & X86_CR4_DE))) {
		hvmm_vmx_inject_gp(vcpu, 0);
		return 1;
	}
	dr = dr == 4 ? 6 : dr == 5 ? 7 : dr;
	if (read) {
		val = dr < 4 ? vmx->dr[dr] :
		      dr == 6 ? vmx->dr6 : vmx->dr7;
		set_gpr(vcpu, reg, val);
	} else {
		val = get_gpr(vcpu, reg);
		if (dr == 7 && (val >> 32)) {
			hvmm_vmx_inject_gp(vcpu, 0);
			return 1;
		}
		if (dr < 4)
			vmx->dr[dr] = val;
		else if (dr == 6)
			vmx->dr6 = (val & 0xffffffffUL) | DR6_RESERVED;
		else
			vmx->dr7 = (val & ~0x2000UL) | 0x400;
	}
	hvmm_vmx_skip_insn(vcpu);
	return 1;
}

static int handle_rdmsr(struct hvmm_vcpu *vcpu)
{
	unsigned long *r = to_vmx(vcpu)->regs;
	u64 val;

	if (hvmm_vmx_get_msr(vcpu, r[HVMM_RCX], &val)) {
		hvmm_vmx_inject_gp(vcpu, 0);
		return 1;
	}
	r[HVMM_RAX] = (u32)val;
	r[HVMM_RDX] = val >> 32;
	hvmm_vmx_skip_insn(vcpu);
	return 1;
}

static int handle_wrmsr(struct hvmm_vcpu *vcpu)
{
	unsigned long *r = to_vmx(vcpu)->regs;
	u64 val = (u32)r[HVMM_RAX] | (u64)(u32)r[HVMM_RDX] << 32;

	if (hvmm_vmx_set_msr(vcpu, r[HVMM_RCX], val)) {
		hvmm_vmx_inject_gp(vcpu, 0);
		return 1;
	}
	hvmm_vmx_skip_insn(vcpu);
	return 1;
}

/*
 * XSETBV (SDM Vol. 2, XSETBV; Vol. 1, 13.3): as KVM's __kvm_set_xcr().
 * Only bits the guest's CPUID offers (leaf 0xD, itself a subset of what
 * hvmm can save: never PKRU or AMX tiles, which the guest FPU state has
 * no room or switching for), x87 always, AVX needs SSE, and the paired
 * MPX, AVX-512 and AMX bits together; #GP otherwise.
 */
static bool xcr0_valid(struct hvmm_vmx_vcpu *vmx, u64 val)
{
	if (!(val & XFEATURE_MASK_FP))
		return false;
	if (val & ~(vmx->guest_xcr0_mask | XFEATURE_MASK_FP))
		return false;
	if ((val & XFEATURE_MASK_YMM) && !(val & XFEATURE_MASK_SSE))
		return false;
	if (!(val & XFEATURE_MASK_BNDREGS) != !(val & XFEATURE_MASK_BNDCSR))
		return false;
	if ((val & XFEATURE_MASK_AVX512) &&
	    (!(val & XFEATURE_MASK_YMM) ||
	     (val & XFEATURE_MASK_AVX512) != XFEATURE_MASK_AVX512))
		return false;
	if ((val & XFEATURE_MASK_XTILE) &&
	    (val & XFEATURE_MASK_XTILE) != XFEATURE_MASK_XTILE)
		return false;
	return true;
}

static int handle_xsetbv(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long *r = vmx->regs;
	u64 val = (u32)r[HVMM_RAX] | (u64)(u32)r[HVMM_RDX] << 32;

	if (hvmm_vmx_cpl() || (u32)r[HVMM_RCX] != 0 || !xcr0_valid(vmx, val)) {
		hvmm_vmx_inject_gp(vcpu, 0);
		return 1;
	}
	vmx->xcr0 = val;
	hvmm_vmx_skip_insn(vcpu);
	return 1;
}

/*
 * WBINVD (trapped where the CPU can, caps.c) and INVD, which is treated
 * as WBINVD: no-ops, as in KVM without non-coherent DMA
 * (kvm_emulate_wbinvd(), kvm_emulate_invd()); guest memory is coherent
 * write-back RAM.
 */
static int handle_wbinvd(struct hvmm_vcpu *vcpu)
{
	hvmm_vmx_skip_insn(vcpu);
	return 1;
}

static int handle_invlpg(struct hvmm_vcpu *vcpu)
{
	/* Only CPUs without the TRUE controls force INVLPG exiting. */
	to_vmx(vcpu)->flush_tlb = true;
	hvmm_vmx_skip_insn(vcpu);
	return 1;
}

static int handle_ud(struct hvmm_vcpu *vcpu)
{
	hvmm_vmx_inject_ud(vcpu);
	return 1;
}

static int handle_rdpmc(struct hvmm_vcpu *vcpu)
{
	hvmm_vmx_inject_gp(vcpu, 0);
	return 1;
}

static int handle_ept_violation(struct hvmm_vcpu *vcpu)
{
	u64 gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	bool write = to_vmx(vcpu)->exit_qual & EPT_VIOLATION_ACC_WRITE;
	int ret;

	ret = hvmm_ept_map(vcpu->vm, gpa, write);
	if (!ret)
		return 1;
	if (ret == -ENOENT)
		return hvmm_vmx_handle_mmio(vcpu, gpa);
	return ret;
}

static int handle_ept_misconfig(struct hvmm_vcpu *vcpu)
{
	pr_err_ratelimited("EPT misconfiguration at %#llx\n",
			   vmcs_read64(GUEST_PHYSICAL_ADDRESS));
	return hvmm_vmx_internal_error(vcpu,
				       KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
}

static int handle_failed_entry(struct hvmm_vcpu *vcpu)
{
	return fail_entry(vcpu, to_vmx(vcpu)->exit_reason);
}

typedef int (*exit_handler_t)(struct hvmm_vcpu *vcpu);

static const exit_handler_t exit_handlers[] = {
	[EXIT_REASON_EXCEPTION_NMI]		= handle_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT]	= handle_external_interrupt,
	[EXIT_REASON_TRIPLE_FAULT]		= handle_triple_fault,
	[EXIT_REASON_INTERRUPT_WINDOW]		= handle_interrupt_window,
	[EXIT_REASON_TASK_SWITCH]		= hvmm_vmx_handle_task_switch,
	[EXIT_REASON_CPUID]			= handle_cpuid,
	[EXIT_REASON_HLT]			= handle_hlt,
	[EXIT_REASON_INVD]			= handle_wbinvd,
	[EXIT_REASON_INVLPG]			= handle_invlpg,
	[EXIT_REASON_RDPMC]			= handle_rdpmc,
	[EXIT_REASON_VMCALL]			= handle_ud,
	[EXIT_REASON_VMCLEAR]			= handle_ud,
	[EXIT_REASON_VMLAUNCH]			= handle_ud,
	[EXIT_REASON_VMPTRLD]			= handle_ud,
	[EXIT_REASON_VMPTRST]			= handle_ud,
	[EXIT_REASON_VMREAD]			= handle_ud,
	[EXIT_REASON_VMRESUME]			= handle_ud,
	[EXIT_REASON_VMWRITE]			= handle_ud,
	[EXIT_REASON_VMOFF]			= handle_ud,
	[EXIT_REASON_VMON]			= handle_ud,
	[EXIT_REASON_CR_ACCESS]			= handle_cr,
	[EXIT_REASON_DR_ACCESS]			= handle_dr,
	[EXIT_REASON_IO_INSTRUCTION]		= hvmm_vmx_handle_io,
	[EXIT_REASON_MSR_READ]			= handle_rdmsr,
	[EXIT_REASON_MSR_WRITE]			= handle_wrmsr,
	[EXIT_REASON_INVALID_STATE]		= handle_failed_entry,
	[EXIT_REASON_MSR_LOAD_FAIL]		= handle_failed_entry,
	[EXIT_REASON_MWAIT_INSTRUCTION]		= handle_ud,
	[EXIT_REASON_MONITOR_INSTRUCTION]	= handle_ud,
	[EXIT_REASON_MCE_DURING_VMENTRY]	= handle_failed_entry,
	[EXIT_REASON_EPT_VIOLATION]		= handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG]		= handle_ept_misconfig,
	[EXIT_REASON_INVEPT]			= handle_ud,
	[EXIT_REASON_INVVPID]			= handle_ud,
	[EXIT_REASON_WBINVD]			= handle_wbinvd,
	[EXIT_REASON_XSETBV]			= handle_xsetbv,
};

/*
 * An exit in the middle of delivering an event through the guest's IDT
 * (an EPT violation on the IDT or stack page, typically) loses the event
 * unless it is injected again on the next entry (SDM 27.2.4, 29.2.1;
 * KVM's vmx_complete_interrupts()).  Handlers that inject an event of
 * their own overwrite this one.
 */
static void requeue_vectoring_event(void)
{
	u32 info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	u32 type = info & VECTORING_INFO_TYPE_MASK;

	if (!(info & VECTORING_INFO_VALID_MASK))
		return;
	if (type == INTR_TYPE_NMI_INTR)
		return;		/* hvmm never injects NMIs */
	if (info & VECTORING_INFO_DELIVER_CODE_MASK)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE,
			     vmcs_read32(IDT_VECTORING_ERROR_CODE));
	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_SOFT_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN,
			     vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info & ~INTR_INFO_UNBLOCK_NMI);
}

/**
 * hvmm_vmx_handle_exit() - dispatch the exit that just happened
 * @vcpu: the vCPU, VMCS loaded
 *
 * Return: 1 to re-enter, 0 to return to userspace, or a negative errno.
 */
int hvmm_vmx_handle_exit(struct hvmm_vcpu *vcpu)
{
	static DEFINE_RATELIMIT_STATE(unexpected_rs, 5 * HZ, 2);
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned int basic;
	exit_handler_t fn;

	if (unlikely(vmx->fail))
		return fail_entry(vcpu, vmcs_read32(VM_INSTRUCTION_ERROR));
	vmx->exit_qual = vmcs_readl(EXIT_QUALIFICATION);
	hvmm_stat_exit(vcpu, vmx->exit_reason);
	basic = (u16)vmx->exit_reason;
	/*
	 * Interrupt state may have changed: look at the PIC before the next
	 * entry.  Port accesses need not; whatever raises the PIC's output
	 * kicks (inject_or_window()).
	 */
	if (basic != EXIT_REASON_IO_INSTRUCTION)
		vmx->irq_check = true;
	/* A failed entry reports reason 33/34/41 with bit 31 (SDM 26.8). */
	if (vmx->exit_reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		if (basic == EXIT_REASON_INVALID_STATE ||
		    basic == EXIT_REASON_MSR_LOAD_FAIL ||
		    basic == EXIT_REASON_MCE_DURING_VMENTRY)
			return handle_failed_entry(vcpu);
		return fail_entry(vcpu, vmx->exit_reason);
	}
	requeue_vectoring_event();
	/*
	 * The hottest exit is called directly: with retpolines an indirect
	 * call costs a thunk (KVM's __vmx_handle_exit() does the same).
	 */
	if (basic == EXIT_REASON_IO_INSTRUCTION)
		return hvmm_vmx_handle_io(vcpu);
	if (basic < ARRAY_SIZE(exit_handlers)) {
		basic = array_index_nospec(basic, ARRAY_SIZE(exit_handlers));
		fn = exit_handlers[basic];
		if (fn)
			return fn(vcpu);
	}
	if (__ratelimit(&unexpected_rs)) {
		pr_warn("unexpected VM exit reason %#x\n", vmx->exit_reason);
		hvmm_vmcs_dump();
	}
	return hvmm_vmx_internal_error(vcpu,
				       KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
}
