// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware task switches (SDM Vol. 3A, 8.3 "Task Switching"): a CALL or
 * JMP to a TSS or task gate, an IRET with NT set, or an interrupt or
 * exception through an IDT task gate always exits under VT-x (SDM Vol.
 * 3C, 26.4.2), and the VMM carries the switch out, as KVM's
 * emulator_task_switch() does.  32-bit TSSs only (all a protected-mode
 * OS uses, e.g. i386 Linux's double-fault task); a 16-bit TSS or a new
 * task in virtual-8086 mode ends KVM_RUN with
 * KVM_INTERNAL_ERROR_EMULATION.
 *
 * Checks before anything changes fault in the old task; once the switch
 * is committed (TR loaded), faults loading the new task's segments are
 * delivered in the new task, as on hardware (SDM 8.3, step 12).
 */
#include <linux/kernel.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>
#include "vmcs_ops.h"
#include "vmx_int.h"

/* The 32-bit TSS (SDM Figure 8-2). */
struct tss32 {
	u32 link, esp0, ss0, esp1, ss1, esp2, ss2;
	u32 cr3, eip, eflags;
	u32 gpr[8];		/* EAX ECX EDX EBX ESP EBP ESI EDI */
	u32 seg[6];		/* ES CS SS DS FS GS */
	u32 ldt;
	u16 trap, iomap;
};
static_assert(sizeof(struct tss32) == 104);

/* The part the switch saves in the old TSS: EIP up to GS. */
#define TSS_DYN_START	offsetof(struct tss32, eip)
#define TSS_DYN_END	offsetof(struct tss32, ldt)

enum { TS_CALL, TS_IRET, TS_JMP, TS_GATE };	/* exit qualification 31:30 */

#define DESC_BUSY	BIT_ULL(41)
#define DESC_TSS32	0x9	/* type of an available 32-bit TSS */

struct fault {
	u8 vector;
	u16 code;
};

static u64 desc_base(u64 d)
{
	return ((d >> 16) & 0xffffff) | ((d >> 56) & 0xff) << 24;
}

static u32 desc_limit(u64 d)
{
	u32 l = (d & 0xffff) | ((d >> 48) & 0xf) << 16;

	return (d & BIT_ULL(55)) ? l << 12 | 0xfff : l;
}

static void desc_to_seg(u64 d, u16 sel, struct kvm_segment *s)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = desc_base(d);
	s->limit = desc_limit(d);
	s->type = (d >> 40) & 15;
	s->s = (d >> 44) & 1;
	s->dpl = (d >> 45) & 3;
	s->present = (d >> 47) & 1;
	s->avl = (d >> 52) & 1;
	s->l = (d >> 53) & 1;
	s->db = (d >> 54) & 1;
	s->g = (d >> 55) & 1;
}

/* Where the descriptor @sel selects lives: GDT or the current LDT. */
static int desc_addr(u16 sel, u64 *addr)
{
	struct kvm_segment ldt;
	u64 base;
	u32 limit;

	if (sel & 4) {
		hvmm_vmx_get_seg(HVMM_SEG_LDTR, &ldt);
		if (ldt.unusable)
			return -EINVAL;
		base = ldt.base;
		limit = ldt.limit;
	} else {
		base = vmcs_readl(GUEST_GDTR_BASE);
		limit = vmcs_read32(GUEST_GDTR_LIMIT);
	}
	if ((sel | 7) > limit)
		return -EINVAL;
	*addr = base + (sel & ~7);
	return 0;
}

static int read_desc(struct hvmm_vcpu *vcpu, u16 sel, u64 *d, u64 *addr)
{
	if (desc_addr(sel, addr))
		return -EINVAL;
	return hvmm_gva_access_sys(vcpu, *addr, d, sizeof(*d), false);
}

/*
 * Load segment register @i of the new task from @sel (SDM 8.3 step 12
 * and the checks of MOV to a segment register): null is unusable for the
 * data segments and a #TS for CS and SS; the rest must be the right
 * kind of descriptor, and present.
 */
static int load_seg(struct hvmm_vcpu *vcpu, int i, u16 sel, unsigned int cpl,
		    struct fault *f)
{
	struct kvm_segment s;
	u64 d, addr;
	bool code;

	f->vector = X86_TRAP_TS;
	f->code = sel & 0xfffc;
	if (!(sel & 0xfffc)) {
		if (i == HVMM_SEG_CS || i == HVMM_SEG_SS)
			return -EINVAL;
		memset(&s, 0, sizeof(s));
		s.selector = sel;
		s.unusable = 1;
		hvmm_vmx_set_seg(i, &s);
		return 0;
	}
	if (read_desc(vcpu, sel, &d, &addr))
		return -EINVAL;
	desc_to_seg(d, sel, &s);
	code = s.type & 8;
	if (!s.s)
		return -EINVAL;
	if (i == HVMM_SEG_CS) {
		if (!code || s.dpl > cpl ||
		    (!(s.type & 4) && s.dpl != cpl))
			return -EINVAL;
	} else if (i == HVMM_SEG_SS) {
		if (code || !(s.type & 2) || (sel & 3) != cpl || s.dpl != cpl)
			return -EINVAL;
	} else if (code && !(s.type & 2)) {
		return -EINVAL;		/* execute-only code */
	} else if ((!code || !(s.type & 4)) &&
		   (s.dpl < cpl || s.dpl < (sel & 3))) {
		return -EINVAL;		/* more privileged data */
	}
	if (!s.present) {
		f->vector = i == HVMM_SEG_SS ? X86_TRAP_SS : X86_TRAP_NP;
		return -EINVAL;
	}
	hvmm_vmx_set_seg(i, &s);
	return 0;
}

/* The new task's LDT: null (unusable) or an LDT descriptor in the GDT. */
static int load_ldt(struct hvmm_vcpu *vcpu, u16 sel, struct fault *f)
{
	struct kvm_segment s;
	u64 d, addr;

	f->vector = X86_TRAP_TS;
	f->code = sel & 0xfffc;
	if (!(sel & 0xfffc)) {
		memset(&s, 0, sizeof(s));
		s.unusable = 1;
		hvmm_vmx_set_seg(HVMM_SEG_LDTR, &s);
		return 0;
	}
	if ((sel & 4) || read_desc(vcpu, sel, &d, &addr))
		return -EINVAL;
	desc_to_seg(d, sel, &s);
	if (s.s || s.type != 2)
		return -EINVAL;
	if (!s.present) {
		f->vector = X86_TRAP_NP;
		return -EINVAL;
	}
	hvmm_vmx_set_seg(HVMM_SEG_LDTR, &s);
	return 0;
}

/* Set or clear the busy bit of the TSS descriptor at @addr. */
static int set_busy(struct hvmm_vcpu *vcpu, u64 addr, u64 d, bool busy)
{
	d = busy ? d | DESC_BUSY : d & ~DESC_BUSY;
	return hvmm_gva_access_sys(vcpu, addr, &d, sizeof(d), true);
}

/* Everything of the new task after TR: SDM 8.3 steps 11 and 12. */
static int load_new_task(struct hvmm_vcpu *vcpu, const struct tss32 *nt,
			 struct fault *f)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	static const int order[] = { HVMM_SEG_CS, HVMM_SEG_SS, HVMM_SEG_DS,
				     HVMM_SEG_ES, HVMM_SEG_FS, HVMM_SEG_GS };
	unsigned int i, cpl = nt->seg[HVMM_SEG_CS] & 3;

	if (vmx->cr0_shadow & X86_CR0_PG)
		hvmm_vmx_set_cr3(vcpu, nt->cr3);
	vmcs_writel(GUEST_RFLAGS, nt->eflags | X86_EFLAGS_FIXED);
	vmcs_writel(GUEST_RIP, nt->eip);
	for (i = 0; i < 8; i++) {
		if (i == HVMM_RSP)
			vmcs_writel(GUEST_RSP, nt->gpr[i]);
		else
			vmx->regs[i] = nt->gpr[i];
	}
	if (load_ldt(vcpu, nt->ldt, f))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(order); i++)
		if (load_seg(vcpu, order[i], nt->seg[order[i]], cpl, f))
			return -EINVAL;
	return 0;
}

/* An exception's error code goes on the new task's stack (SDM 8.3). */
static int push_error_code(struct hvmm_vcpu *vcpu, u32 code)
{
	unsigned long rsp = vmcs_readl(GUEST_RSP);
	struct kvm_segment ss;
	unsigned int size;
	u32 sp;

	hvmm_vmx_get_seg(HVMM_SEG_SS, &ss);
	if (ss.db) {
		size = 4;
		sp = rsp - 4;
		rsp = sp;
	} else {
		size = 2;
		sp = (u16)(rsp - 2);
		rsp = (rsp & ~0xffffUL) | sp;
	}
	if (hvmm_gva_access_sys(vcpu, ss.base + sp, &code, size, true))
		return -EFAULT;
	vmcs_writel(GUEST_RSP, rsp);
	return 0;
}

static int fault(struct hvmm_vcpu *vcpu, u8 vector, u16 code)
{
	hvmm_vmx_inject_exception(vcpu, vector, true, code);
	return 1;
}

/**
 * hvmm_vmx_handle_task_switch() - carry out a guest's hardware task switch
 * @vcpu: the vCPU, VMCS current, after a task-switch exit
 *
 * Return: 1 to re-enter the guest (switched, or a fault injected), or 0
 * with KVM_EXIT_INTERNAL_ERROR for what hvmm does not emulate.
 */
int hvmm_vmx_handle_task_switch(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	u32 idt = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	u32 type = idt & VECTORING_INFO_TYPE_MASK;
	bool idt_v = idt & VECTORING_INFO_VALID_MASK;
	unsigned int reason = (vmx->exit_qual >> 30) & 3, i;
	u16 sel = vmx->exit_qual & 0xffff;
	struct kvm_segment tr, seg;
	u64 nd, naddr, od, oaddr;
	bool has_err = false;
	struct tss32 ot, nt;
	struct fault f;
	u32 err = 0, eip;

	if (reason == TS_GATE && idt_v) {
		/*
		 * The event that went through the task gate is delivered by
		 * the switch itself: drop the re-injection that
		 * requeue_vectoring_event() set up.
		 */
		if (type == INTR_TYPE_NMI_INTR)
			goto unsupported;
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
		if (type == INTR_TYPE_HARD_EXCEPTION &&
		    (idt & VECTORING_INFO_DELIVER_CODE_MASK)) {
			has_err = true;
			err = vmcs_read32(IDT_VECTORING_ERROR_CODE);
		}
	}
	/* The old task resumes after an instruction, at a fault or event. */
	eip = vmcs_readl(GUEST_RIP);
	if (!idt_v || (type != INTR_TYPE_HARD_EXCEPTION &&
		       type != INTR_TYPE_EXT_INTR))
		eip += vmcs_read32(VM_EXIT_INSTRUCTION_LEN);

	hvmm_vmx_get_seg(HVMM_SEG_TR, &tr);
	if ((tr.type & 0xd) != DESC_TSS32)
		goto unsupported;	/* a 16-bit TSS */
	if (!(sel & 0xfffc) || (sel & 4) || read_desc(vcpu, sel, &nd, &naddr))
		return fault(vcpu, X86_TRAP_GP, sel & 0xfffc);
	/* Type and S bit, busy bit aside: an available/busy 32-bit TSS. */
	if (((nd >> 40) & 0x1d) != DESC_TSS32)
		goto unsupported;
	/* IRET returns to a busy task, the others go to an idle one. */
	if (!!(nd & DESC_BUSY) != (reason == TS_IRET))
		return fault(vcpu, reason == TS_IRET ? X86_TRAP_TS : X86_TRAP_GP,
			     sel & 0xfffc);
	if (reason == TS_CALL || reason == TS_JMP) {
		unsigned int dpl = (nd >> 45) & 3;

		if ((sel & 3) > dpl || hvmm_vmx_cpl() > dpl)
			return fault(vcpu, X86_TRAP_GP, sel & 0xfffc);
	}
	if (!(nd & BIT_ULL(47)))
		return fault(vcpu, X86_TRAP_NP, sel & 0xfffc);
	if (desc_limit(nd) < sizeof(struct tss32) - 1)
		return fault(vcpu, X86_TRAP_TS, sel & 0xfffc);
	if (hvmm_gva_access_sys(vcpu, desc_base(nd), &nt, sizeof(nt), false) ||
	    hvmm_gva_access_sys(vcpu, tr.base, &ot, sizeof(ot), false))
		return fault(vcpu, X86_TRAP_TS, sel & 0xfffc);
	if (nt.eflags & X86_EFLAGS_VM)
		goto unsupported;	/* virtual-8086 mode */

	/* Save the old task (SDM 8.3 step 8). */
	ot.eip = eip;
	ot.eflags = vmcs_readl(GUEST_RFLAGS);
	if (reason == TS_IRET)
		ot.eflags &= ~X86_EFLAGS_NT;
	for (i = 0; i < 8; i++)
		ot.gpr[i] = i == HVMM_RSP ? vmcs_readl(GUEST_RSP) :
					    vmx->regs[i];
	for (i = 0; i < 6; i++) {
		hvmm_vmx_get_seg(i, &seg);
		ot.seg[i] = seg.selector;
	}
	if (hvmm_gva_access_sys(vcpu, tr.base + TSS_DYN_START,
				(u8 *)&ot + TSS_DYN_START,
				TSS_DYN_END - TSS_DYN_START, true))
		return fault(vcpu, X86_TRAP_TS, sel & 0xfffc);
	/* JMP and IRET leave the old task: not busy any more (step 4). */
	if ((reason == TS_JMP || reason == TS_IRET) &&
	    (!read_desc(vcpu, tr.selector, &od, &oaddr)))
		set_busy(vcpu, oaddr, od, false);
	/* CALL and task gates nest: back link and NT (steps 9-10). */
	if (reason == TS_CALL || reason == TS_GATE) {
		nt.link = tr.selector;
		nt.eflags |= X86_EFLAGS_NT;
		hvmm_gva_access_sys(vcpu, desc_base(nd), &nt.link, 2, true);
	}
	if (reason != TS_IRET)
		set_busy(vcpu, naddr, nd, true);

	/* Commit: TR, CR0.TS, local breakpoints off (SDM 8.3, 17.2.4). */
	desc_to_seg(nd | DESC_BUSY, sel, &tr);
	hvmm_vmx_set_seg(HVMM_SEG_TR, &tr);
	hvmm_vmx_set_cr0(vcpu, vmx->cr0_shadow | X86_CR0_TS);
	vmx->dr7 &= ~0x55UL;
	if (load_new_task(vcpu, &nt, &f))
		return fault(vcpu, f.vector, f.code);
	if (has_err && push_error_code(vcpu, err))
		return fault(vcpu, X86_TRAP_SS, 0);
	return 1;

unsupported:
	return hvmm_vmx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION);
}
