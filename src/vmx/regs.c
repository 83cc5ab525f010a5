// SPDX-License-Identifier: GPL-2.0
/*
 * Guest registers: KVM_GET/SET_REGS and _SREGS, the reset state, and the
 * control-register writes that need the host's help (SDM Vol. 3C 25.3,
 * 26.3.1; Vol. 3A 9.1 for the reset state, 9.8.5 for IA-32e activation).
 *
 * CR0 and CR4 belong to the host entirely (guest/host masks all ones):
 * the guest reads its own value from the read shadows and every write
 * exits, so hvmm keeps the bits VMX forces (CR0.NE, CR4.VMXE) out of the
 * guest's sight and switches IA-32e mode itself, as KVM does.
 */
#define pr_fmt(fmt) "hvmm: " fmt

#include <linux/kernel.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include "vmcs_ops.h"
#include "vmx_int.h"

/* Guest CR0/CR4 bits hvmm accepts (KVM's CR0 set; CR4 minus VMXE/SMXE). */
#define CR0_VALID	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | \
			 X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | \
			 X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)
#define CR4_VALID	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | \
			 X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | \
			 X86_CR4_PGE | X86_CR4_PCE | X86_CR4_OSFXSR | \
			 X86_CR4_OSXMMEXCPT | X86_CR4_UMIP | X86_CR4_FSGSBASE | \
			 X86_CR4_OSXSAVE | X86_CR4_SMEP | X86_CR4_SMAP)

struct seg_fields {
	unsigned long sel, base, limit, ar;
};

#define SEG(s) { GUEST_##s##_SELECTOR, GUEST_##s##_BASE, \
		 GUEST_##s##_LIMIT, GUEST_##s##_AR_BYTES }
static const struct seg_fields segs[] = {
	[HVMM_SEG_ES] = SEG(ES), [HVMM_SEG_CS] = SEG(CS), [HVMM_SEG_SS] = SEG(SS), [HVMM_SEG_DS] = SEG(DS),
	[HVMM_SEG_FS] = SEG(FS), [HVMM_SEG_GS] = SEG(GS), [HVMM_SEG_TR] = SEG(TR),
	[HVMM_SEG_LDTR] = SEG(LDTR),
};

void hvmm_vmx_get_seg(int i, struct kvm_segment *s)
{
	u32 ar = __hvmm_vmread(segs[i].ar);

	s->selector = __hvmm_vmread(segs[i].sel);
	s->base = __hvmm_vmread(segs[i].base);
	s->limit = __hvmm_vmread(segs[i].limit);
	s->unusable = !!(ar & VMX_AR_UNUSABLE_MASK);
	s->type = ar & VMX_AR_TYPE_MASK;
	s->s = !!(ar & VMX_AR_S_MASK);
	s->dpl = VMX_AR_DPL(ar);
	s->present = !!(ar & VMX_AR_P_MASK);
	s->avl = (ar >> 12) & 1;
	s->l = !!(ar & VMX_AR_L_MASK);
	s->db = !!(ar & VMX_AR_DB_MASK);
	s->g = !!(ar & VMX_AR_G_MASK);
	s->padding = 0;
}

void hvmm_vmx_set_seg(int i, const struct kvm_segment *s)
{
	u32 ar;

	if (s->unusable || !s->present) {
		ar = VMX_AR_UNUSABLE_MASK;
	} else {
		/*
		 * SDM 9.1: segments come out of reset accessed; userspace
		 * written for KVM often leaves the bit clear, and KVM sets it
		 * for unrestricted guests.  LDTR has no such bit.
		 */
		ar = (s->type & 15) | (i == HVMM_SEG_LDTR ? 0 : 1);
		ar |= (s->s & 1) << 4 | (s->dpl & 3) << 5 | 1 << 7 |
		      (s->avl & 1) << 12 | (s->l & 1) << 13 |
		      (s->db & 1) << 14 | (s->g & 1) << 15;
	}
	__hvmm_vmwrite(segs[i].sel, s->selector);
	__hvmm_vmwrite(segs[i].base, s->base);
	__hvmm_vmwrite(segs[i].limit, s->limit);
	__hvmm_vmwrite(segs[i].ar, ar);
}

bool hvmm_vmx_long_mode(struct hvmm_vcpu *vcpu)
{
	return to_vmx(vcpu)->efer & EFER_LMA;
}

/* CPL is SS.DPL (SDM 5.5: also right in real mode, where it is 0). */
unsigned int hvmm_vmx_cpl(void)
{
	return VMX_AR_DPL(vmcs_read32(GUEST_SS_AR_BYTES));
}

void hvmm_vmx_set_efer(struct hvmm_vcpu *vcpu, u64 efer)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);

	/* SCE and LMA decide which MSRs the guest is lent (msr.c). */
	if ((efer ^ vmx->efer) & (EFER_SCE | EFER_LMA))
		hvmm_vmx_restore_host_state(vcpu);
	vmx->efer = efer;
	vmcs_write64(GUEST_IA32_EFER, efer);
	if (efer & EFER_LMA)
		vmcs_set_bits32(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
	else
		vmcs_clear_bits32(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
}

/*
 * PAE paging outside IA-32e mode: VM entry loads the four PDPTEs from the
 * VMCS, not from memory (SDM 26.3.1.6), so refresh them whenever CR0, CR3
 * or CR4 change under hvmm's hands.
 */
static void load_pdptrs(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	u64 pdpte[4] = { 0 };

	if (!(vmx->cr0_shadow & X86_CR0_PG) ||
	    !(vmx->cr4_shadow & X86_CR4_PAE) || (vmx->efer & EFER_LMA))
		return;
	/* Unreadable: entry then fails visibly rather than mapping junk. */
	if (hvmm_gpa_read(vcpu->vm, vmcs_readl(GUEST_CR3) & ~0x1fUL,
			  pdpte, sizeof(pdpte)))
		memset(pdpte, 0xff, sizeof(pdpte));
	vmcs_write64(GUEST_PDPTR0, pdpte[0]);
	vmcs_write64(GUEST_PDPTR1, pdpte[1]);
	vmcs_write64(GUEST_PDPTR2, pdpte[2]);
	vmcs_write64(GUEST_PDPTR3, pdpte[3]);
}

/*
 * Would a CPU accept @val in CR0, coming from @old with @efer and @cr4?
 * (SDM 2.5 and 9.8.5; KVM's kvm_set_cr0() checks.)
 */
static bool cr0_valid(unsigned long val, unsigned long old, u64 efer,
		      unsigned long cr4)
{
	if (val & ~(unsigned long)CR0_VALID)
		return false;
	if ((val & X86_CR0_PG) && !(val & X86_CR0_PE))
		return false;
	if ((val & X86_CR0_NW) && !(val & X86_CR0_CD))
		return false;
	/* IA-32e activation needs PAE first (SDM 9.8.5). */
	if ((val & X86_CR0_PG) && !(old & X86_CR0_PG) &&
	    (efer & EFER_LME) && !(cr4 & X86_CR4_PAE))
		return false;
	return true;
}

/*
 * The same for CR4: hvmm's set, bits the host CPU has, bits the guest's
 * CPUID offers (KVM's __cr4_reserved_bits()), PAE kept in IA-32e mode.
 */
static bool cr4_valid(struct hvmm_vmx_vcpu *vmx, unsigned long val, u64 efer)
{
	if (val & ~(unsigned long)CR4_VALID)
		return false;
	if (val & vmx->cr4_guest_rsvd)
		return false;
	/* Bits the host CPU lacks fault, as they would on hardware. */
	if (val & ~hvmm_vmx_caps.cr4_fixed1 & ~(unsigned long)X86_CR4_VMXE)
		return false;
	if ((efer & EFER_LMA) && !(val & X86_CR4_PAE))
		return false;
	return true;
}

/**
 * hvmm_vmx_set_cr0() - the guest's new CR0, from MOV/LMSW/CLTS or sregs
 *
 * Return: 0, or -EINVAL for a value that faults on hardware (the caller
 * injects #GP, or fails KVM_SET_SREGS); nothing changes then.
 */
int hvmm_vmx_set_cr0(struct hvmm_vcpu *vcpu, unsigned long val)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	const struct hvmm_vmx_caps *c = &hvmm_vmx_caps;
	unsigned long hw;
	u64 efer = vmx->efer;

	if (!cr0_valid(val, vmx->cr0_shadow, efer, vmx->cr4_shadow))
		return -EINVAL;
	/* Leaving paging in IA-32e mode deactivates it. */
	if ((efer & EFER_LME) && (val & X86_CR0_PG))
		efer |= EFER_LMA;
	else
		efer &= ~EFER_LMA;

	hw = val | (c->cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG));
	hw &= c->cr0_fixed1;
	vmx->cr0_shadow = val;
	/* The guest's CPU did not see the write: flush as it would have. */
	vmx->flush_tlb = true;
	vmcs_writel(CR0_READ_SHADOW, val);
	vmcs_writel(GUEST_CR0, hw);
	if (efer != vmx->efer) {
		u32 ar = vmcs_read32(GUEST_TR_AR_BYTES);

		/* IA-32e mode requires a busy 64-bit TSS in TR (SDM 26.3.1.2) */
		if ((efer & EFER_LMA) &&
		    (ar & VMX_AR_TYPE_MASK) != VMX_AR_TYPE_BUSY_64_TSS)
			vmcs_write32(GUEST_TR_AR_BYTES,
				     (ar & ~VMX_AR_TYPE_MASK) |
				     VMX_AR_TYPE_BUSY_64_TSS);
		hvmm_vmx_set_efer(vcpu, efer);
	}
	load_pdptrs(vcpu);
	return 0;
}

/**
 * hvmm_vmx_set_cr3() - the guest's new CR3 (MOV, task switch)
 * @vcpu: the vCPU, VMCS current
 * @val: the value
 *
 * PAE paging outside IA-32e mode takes its PDPTEs from the VMCS at entry
 * (SDM 26.3.1.6), so they are reloaded, as a MOV to CR3 would.
 */
void hvmm_vmx_set_cr3(struct hvmm_vcpu *vcpu, unsigned long val)
{
	vmcs_writel(GUEST_CR3, val);
	to_vmx(vcpu)->flush_tlb = true;
	load_pdptrs(vcpu);
}

/**
 * hvmm_vmx_set_cr4() - the guest's new CR4, from MOV or sregs
 *
 * Return: 0, or -EINVAL (nothing changes then).
 */
int hvmm_vmx_set_cr4(struct hvmm_vcpu *vcpu, unsigned long val)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	const struct hvmm_vmx_caps *c = &hvmm_vmx_caps;
	unsigned long hw;

	if (!cr4_valid(vmx, val, vmx->efer))
		return -EINVAL;
	hw = (val | c->cr4_fixed0) & c->cr4_fixed1;
	vmx->cr4_shadow = val;
	vmx->flush_tlb = true;
	vmcs_writel(CR4_READ_SHADOW, val);
	vmcs_writel(GUEST_CR4, hw);
	load_pdptrs(vcpu);
	return 0;
}

/*
 * Architectural reset state (SDM Vol. 3A, Table 9-1), as KVM's
 * vmx_vcpu_reset() gives it: CS.base 0xffff0000, IP 0xfff0.
 */
void hvmm_vmx_reset_regs(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	struct kvm_segment seg = {
		.limit = 0xffff, .type = 3, .s = 1, .present = 1,
	};
	int i;

	memset(vmx->regs, 0, sizeof(vmx->regs));
	vmx->regs[HVMM_RDX] = 0x600;	/* family 6 */
	for (i = HVMM_SEG_ES; i <= HVMM_SEG_GS; i++)
		hvmm_vmx_set_seg(i, &seg);
	seg.selector = 0xf000;
	seg.base = 0xffff0000;
	seg.type = 11;
	hvmm_vmx_set_seg(HVMM_SEG_CS, &seg);
	seg = (struct kvm_segment){ .limit = 0xffff, .type = 11,
				    .present = 1 };
	hvmm_vmx_set_seg(HVMM_SEG_TR, &seg);
	seg.type = 2;
	hvmm_vmx_set_seg(HVMM_SEG_LDTR, &seg);
	vmcs_writel(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_RIP, 0xfff0);
	vmcs_writel(GUEST_RSP, 0);
	vmcs_writel(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmcs_writel(GUEST_CR3, 0);
	vmcs_writel(GUEST_DR7, 0x400);	/* stays: the guest's is vmx->dr7 */
	vmx->dr7 = 0x400;
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write64(GUEST_IA32_PAT, 0x0007040600070406ULL);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmx->efer = 0;
	hvmm_vmx_set_efer(vcpu, 0);
	vmx->cr4_shadow = 0;
	hvmm_vmx_set_cr4(vcpu, 0);
	vmx->cr0_shadow = 0;
	hvmm_vmx_set_cr0(vcpu, X86_CR0_ET | X86_CR0_NW | X86_CR0_CD);
	vmx->xcr0 = XFEATURE_MASK_FP;
	vmx->dr6 = DR6_RESERVED;
	vmx->apic_base = 0xfee00000 | MSR_IA32_APICBASE_ENABLE |
			 MSR_IA32_APICBASE_BSP;
}

/**
 * hvmm_vmx_get_regs() - KVM_GET_REGS
 * @vcpu: the vCPU, its mutex held
 * @regs: filled in
 *
 * Return: 0.
 */
int hvmm_vmx_get_regs(struct hvmm_vcpu *vcpu, struct kvm_regs *regs)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long *r = vmx->regs;

	hvmm_vmx_vcpu_load(vcpu);
	regs->rax = r[HVMM_RAX]; regs->rbx = r[HVMM_RBX];
	regs->rcx = r[HVMM_RCX]; regs->rdx = r[HVMM_RDX];
	regs->rsi = r[HVMM_RSI]; regs->rdi = r[HVMM_RDI];
	regs->rbp = r[HVMM_RBP]; regs->rsp = vmcs_readl(GUEST_RSP);
	regs->r8 = r[HVMM_R8]; regs->r9 = r[HVMM_R9];
	regs->r10 = r[HVMM_R10]; regs->r11 = r[HVMM_R11];
	regs->r12 = r[HVMM_R12]; regs->r13 = r[HVMM_R13];
	regs->r14 = r[HVMM_R14]; regs->r15 = r[HVMM_R15];
	regs->rip = vmcs_readl(GUEST_RIP);
	regs->rflags = vmcs_readl(GUEST_RFLAGS);
	hvmm_vmx_vcpu_put(vcpu);
	return 0;
}

/**
 * hvmm_vmx_set_regs() - KVM_SET_REGS
 * @vcpu: the vCPU, its mutex held
 * @regs: the new values; RFLAGS keeps its fixed bit 1 as hardware does
 *
 * Return: 0.
 */
int hvmm_vmx_set_regs(struct hvmm_vcpu *vcpu, const struct kvm_regs *regs)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long *r = vmx->regs;

	hvmm_vmx_vcpu_load(vcpu);
	r[HVMM_RAX] = regs->rax; r[HVMM_RBX] = regs->rbx;
	r[HVMM_RCX] = regs->rcx; r[HVMM_RDX] = regs->rdx;
	r[HVMM_RSI] = regs->rsi; r[HVMM_RDI] = regs->rdi;
	r[HVMM_RBP] = regs->rbp;
	r[HVMM_R8] = regs->r8; r[HVMM_R9] = regs->r9;
	r[HVMM_R10] = regs->r10; r[HVMM_R11] = regs->r11;
	r[HVMM_R12] = regs->r12; r[HVMM_R13] = regs->r13;
	r[HVMM_R14] = regs->r14; r[HVMM_R15] = regs->r15;
	vmcs_writel(GUEST_RSP, regs->rsp);
	vmcs_writel(GUEST_RIP, regs->rip);
	/* Reserved RFLAGS bits would fail VM entry (SDM 26.3.1.4). */
	vmcs_writel(GUEST_RFLAGS, (regs->rflags & 0x3f7fd7UL) |
		    X86_EFLAGS_FIXED);
	hvmm_vmx_vcpu_put(vcpu);
	return 0;
}

/**
 * hvmm_vmx_get_sregs() - KVM_GET_SREGS
 * @vcpu: the vCPU, its mutex held
 * @sregs: filled in
 *
 * Return: 0.
 */
int hvmm_vmx_get_sregs(struct hvmm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);

	memset(sregs, 0, sizeof(*sregs));
	hvmm_vmx_vcpu_load(vcpu);
	hvmm_vmx_get_seg(HVMM_SEG_CS, &sregs->cs); hvmm_vmx_get_seg(HVMM_SEG_DS, &sregs->ds);
	hvmm_vmx_get_seg(HVMM_SEG_ES, &sregs->es); hvmm_vmx_get_seg(HVMM_SEG_FS, &sregs->fs);
	hvmm_vmx_get_seg(HVMM_SEG_GS, &sregs->gs); hvmm_vmx_get_seg(HVMM_SEG_SS, &sregs->ss);
	hvmm_vmx_get_seg(HVMM_SEG_TR, &sregs->tr); hvmm_vmx_get_seg(HVMM_SEG_LDTR, &sregs->ldt);
	sregs->gdt.base = vmcs_readl(GUEST_GDTR_BASE);
	sregs->gdt.limit = vmcs_read32(GUEST_GDTR_LIMIT);
	sregs->idt.base = vmcs_readl(GUEST_IDTR_BASE);
	sregs->idt.limit = vmcs_read32(GUEST_IDTR_LIMIT);
	sregs->cr0 = vmx->cr0_shadow;
	sregs->cr2 = vmx->cr2;
	sregs->cr3 = vmcs_readl(GUEST_CR3);
	sregs->cr4 = vmx->cr4_shadow;
	sregs->efer = vmx->efer;
	sregs->apic_base = vmx->apic_base;
	if (vmx->irq_pending)
		__set_bit(vmx->irq_vector,
			  (unsigned long *)sregs->interrupt_bitmap);
	hvmm_vmx_vcpu_put(vcpu);
	return 0;
}

/*
 * KVM's kvm_is_valid_sregs() and the CR checks: refuse what no CPU can
 * be in, before anything changes, so that a refused KVM_SET_SREGS leaves
 * the vCPU exactly as it was.
 */
static bool sregs_valid(struct hvmm_vmx_vcpu *vmx, const struct kvm_sregs *s)
{
	if ((s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG)) {
		if (!(s->cr4 & X86_CR4_PAE) || !(s->efer & EFER_LMA))
			return false;
	} else if ((s->efer & EFER_LMA) || s->cs.l) {
		/* Not in IA-32e mode: no LMA, and no 64-bit code segment. */
		return false;
	}
	if (s->efer & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
		return false;
	if (s->cr3 >> boot_cpu_data.x86_phys_bits)
		return false;
	return cr4_valid(vmx, s->cr4, s->efer) &&
	       cr0_valid(s->cr0, 0, s->efer, s->cr4);
}

/**
 * hvmm_vmx_set_sregs() - KVM_SET_SREGS
 * @vcpu: the vCPU, its mutex held
 * @sregs: the new state; segments the CPU cannot enter with are kept as
 *	given and make the next KVM_RUN fail with KVM_EXIT_FAIL_ENTRY
 *
 * Return: 0, or -EINVAL for control register values no CPU accepts; then
 * nothing has changed.
 */
int hvmm_vmx_set_sregs(struct hvmm_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned int i;

	if (!sregs_valid(vmx, sregs))
		return -EINVAL;
	hvmm_vmx_vcpu_load(vcpu);
	/*
	 * Validated as a whole above, so none of these can fail.  EFER
	 * first, LMA clear: CR0.PG with EFER.LME is what activates IA-32e.
	 */
	vmx->cr4_shadow = 0;
	hvmm_vmx_set_efer(vcpu, sregs->efer & ~EFER_LMA);
	hvmm_vmx_set_cr4(vcpu, sregs->cr4);
	vmx->cr0_shadow = 0;
	vmcs_writel(GUEST_CR3, sregs->cr3);
	hvmm_vmx_set_cr0(vcpu, sregs->cr0);
	vmx->cr2 = sregs->cr2;
	vmx->apic_base = sregs->apic_base;
	hvmm_vmx_set_seg(HVMM_SEG_CS, &sregs->cs); hvmm_vmx_set_seg(HVMM_SEG_DS, &sregs->ds);
	hvmm_vmx_set_seg(HVMM_SEG_ES, &sregs->es); hvmm_vmx_set_seg(HVMM_SEG_FS, &sregs->fs);
	hvmm_vmx_set_seg(HVMM_SEG_GS, &sregs->gs); hvmm_vmx_set_seg(HVMM_SEG_SS, &sregs->ss);
	hvmm_vmx_set_seg(HVMM_SEG_TR, &sregs->tr); hvmm_vmx_set_seg(HVMM_SEG_LDTR, &sregs->ldt);
	vmcs_writel(GUEST_GDTR_BASE, sregs->gdt.base);
	vmcs_write32(GUEST_GDTR_LIMIT, sregs->gdt.limit);
	vmcs_writel(GUEST_IDTR_BASE, sregs->idt.base);
	vmcs_write32(GUEST_IDTR_LIMIT, sregs->idt.limit);
	/* The CR0 write above may have fixed TR's type: honour userspace. */
	load_pdptrs(vcpu);
	/* New CPU state (reset, restore): not halted any more. */
	vmx->halted = false;
	vmx->irq_pending = false;
	for (i = 0; i < 256; i++) {
		if (test_bit(i, (const unsigned long *)sregs->interrupt_bitmap)) {
			vmx->irq_pending = true;
			vmx->irq_vector = i;
			break;
		}
	}
	hvmm_vmx_vcpu_put(vcpu);
	return 0;
}
