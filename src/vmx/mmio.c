// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: an EPT violation on a guest-physical address no memslot backs
 * (or a write to a read-only slot) is an access to an emulated device.
 * VMX does not say what the access was, so hvmm fetches the faulting
 * instruction at CS:RIP through the guest's page tables and decodes the
 * common forms (SDM Vol. 2, MOV / MOVZX / MOVSX / STOS):
 *
 *   88 /r, 89 /r      MOV r/m, reg         (write)
 *   8A /r, 8B /r      MOV reg, r/m         (read)
 *   C6 /0, C7 /0      MOV r/m, imm         (write)
 *   A0-A3             MOV AL/eAX <-> moffs
 *   0F B6/B7 /r       MOVZX reg, r/m8/16   (read, zero-extended)
 *   0F BE/BF /r       MOVSX reg, r/m8/16   (read, sign-extended)
 *   AA, AB            STOS (REP: one element per exit, as OUTS)
 *   00-3B, 80/81/83   ADD OR ADC SBB AND SUB XOR CMP, both directions
 *   84, 85            TEST r/m, reg
 *
 * with prefixes 66, 67, segment overrides, F2/F3, F0 and REX.  Anything
 * else ends KVM_RUN with KVM_EXIT_INTERNAL_ERROR / EMULATION, as KVM
 * does when its emulator fails.  A write completes before the exit (RIP
 * advanced); a read leaves RIP on the instruction until the next KVM_RUN
 * brings run->mmio.data, exactly as KVM_EXIT_MMIO is specified.  A
 * read-modify-write to memory is a read exit, then a write exit from
 * that next KVM_RUN without entering the guest, as KVM's emulator does.
 */
#define pr_fmt(fmt) "hvmm: " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include "vmcs_ops.h"
#include "vmx_int.h"

#define MAX_INSN	15

/* Segment registers in their instruction encoding order (SDM 3.4.2). */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_DEFAULT };

struct decode {
	const u8 *p, *end;
	unsigned int opsize, asize;	/* bytes */
	bool rex, rex_w, rex_r, rex_x, rex_b;
	bool rep;
	bool is64;
	u8 seg_override;	/* SEG_DEFAULT: none */
	u8 seg;			/* the memory operand's segment */
	bool rip_rel;		/* RIP-relative: add the next RIP */
	u64 ea;			/* the memory operand's offset */
};

static int next(struct decode *d, u8 *b)
{
	if (d->p >= d->end)
		return -EINVAL;
	*b = *d->p++;
	return 0;
}

static u64 gpr(struct hvmm_vcpu *vcpu, unsigned int reg)
{
	return reg == HVMM_RSP ? vmcs_readl(GUEST_RSP) :
				 to_vmx(vcpu)->regs[reg & 15];
}

static int read_disp(struct decode *d, unsigned int len, s64 *disp)
{
	s64 v = 0;

	if (d->end - d->p < len)
		return -EINVAL;
	if (len == 1)
		v = (s8)d->p[0];
	else if (len == 2)
		v = (s16)(d->p[0] | d->p[1] << 8);
	else if (len == 4)
		v = (s32)(d->p[0] | d->p[1] << 8 | d->p[2] << 16 |
			  (u32)d->p[3] << 24);
	d->p += len;
	*disp = v;
	return 0;
}

/*
 * The ModRM memory operand's offset (SDM Vol. 2, 2.1.5, Tables 2-1 to
 * 2-3) and its default segment: SS when based on (E)BP or (E)SP, else DS.
 * Needed to see whether the access crosses into another page.
 */
static int modrm_ea(struct hvmm_vcpu *vcpu, struct decode *d, u8 modrm)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7, dlen = 0, base;
	bool has_base = true;
	s64 disp = 0;
	u64 ea = 0;
	u8 sib;

	if (mod == 3)
		return -EINVAL;		/* a register: cannot be MMIO */
	d->seg = SEG_DS;
	if (d->asize == 2) {
		static const u8 b16[8] = { HVMM_RBX, HVMM_RBX, HVMM_RBP,
			HVMM_RBP, HVMM_RSI, HVMM_RDI, HVMM_RBP, HVMM_RBX };

		if (rm < 4)
			ea = gpr(vcpu, b16[rm]) +
			     gpr(vcpu, rm & 1 ? HVMM_RDI : HVMM_RSI);
		else if (rm != 6 || mod)
			ea = gpr(vcpu, b16[rm]);
		if (rm == 2 || rm == 3 || (rm == 6 && mod))
			d->seg = SEG_SS;
		dlen = mod == 1 ? 1 : (mod == 2 || (!mod && rm == 6)) ? 2 : 0;
	} else {
		base = rm | (d->rex_b ? 8 : 0);
		if (rm == 4) {
			unsigned int idx;

			if (next(d, &sib))
				return -EINVAL;
			idx = ((sib >> 3) & 7) | (d->rex_x ? 8 : 0);
			if (idx != HVMM_RSP)
				ea = gpr(vcpu, idx) << (sib >> 6);
			base = (sib & 7) | (d->rex_b ? 8 : 0);
			if (!mod && (sib & 7) == 5) {
				has_base = false;
				dlen = 4;
			}
		} else if (!mod && rm == 5) {
			has_base = false;
			dlen = 4;
			d->rip_rel = d->is64;
		}
		if (has_base) {
			ea += gpr(vcpu, base);
			if (base == HVMM_RSP || base == HVMM_RBP)
				d->seg = SEG_SS;
		}
		if (mod == 1)
			dlen = 1;
		else if (mod == 2)
			dlen = 4;
	}
	if (read_disp(d, dlen, &disp))
		return -EINVAL;
	d->ea = ea + disp;
	return 0;
}

static int read_imm(struct decode *d, unsigned int len, u64 *imm)
{
	u64 v = 0;

	if (d->end - d->p < len)
		return -EINVAL;
	memcpy(&v, d->p, len);
	d->p += len;
	*imm = v;
	return 0;
}

/* A register operand's value, @len bytes, legacy AH..BH included. */
static u64 reg_value(struct hvmm_vcpu *vcpu, struct decode *d,
		     unsigned int reg, unsigned int len)
{
	unsigned long *r = to_vmx(vcpu)->regs;
	u64 v;

	if (len == 1 && !d->rex && reg >= 4 && reg < 8)
		return (r[reg - 4] >> 8) & 0xff;
	v = reg == HVMM_RSP ? vmcs_readl(GUEST_RSP) : r[reg];
	return len == 8 ? v : v & ((1ULL << (len * 8)) - 1);
}

static void reg_store(struct hvmm_vcpu *vcpu, unsigned int reg,
		      unsigned int len, bool legacy_high, u64 v)
{
	unsigned long *r = to_vmx(vcpu)->regs;
	unsigned long old;

	if (legacy_high) {
		r[reg - 4] = (r[reg - 4] & ~0xff00UL) | (v & 0xff) << 8;
		return;
	}
	old = reg == HVMM_RSP ? vmcs_readl(GUEST_RSP) : r[reg];
	switch (len) {
	case 1:
		v = (old & ~0xffUL) | (v & 0xff);
		break;
	case 2:
		v = (old & ~0xffffUL) | (v & 0xffff);
		break;
	case 4:
		v = (u32)v;	/* 32-bit destinations zero-extend */
		break;
	}
	if (reg == HVMM_RSP)
		vmcs_writel(GUEST_RSP, v);
	else
		r[reg] = v;
}

static int fetch(struct hvmm_vcpu *vcpu, u8 *buf, unsigned int *len)
{
	u64 rip = vmcs_readl(GUEST_RIP);
	u64 lin = vmcs_readl(GUEST_CS_BASE) + rip;
	unsigned int first;

	if (!hvmm_vmx_long_mode(vcpu))
		lin = (u32)lin;
	/* The instruction may end before a page the guest did not map. */
	first = min_t(unsigned int, MAX_INSN, PAGE_SIZE - offset_in_page(lin));
	if (hvmm_gva_read(vcpu, lin, buf, first))
		return -EFAULT;
	*len = first;
	if (first < MAX_INSN &&
	    !hvmm_gva_read(vcpu, lin + first, buf + first, MAX_INSN - first))
		*len = MAX_INSN;
	return 0;
}

static int exit_mmio(struct hvmm_vcpu *vcpu, u64 gpa, unsigned int len,
		     bool write, u64 val)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = len;
	run->mmio.is_write = write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write)
		memcpy(run->mmio.data, &val, len);
	return 0;
}

static void skip(struct hvmm_vcpu *vcpu, unsigned int insn_len)
{
	unsigned long rip = vmcs_readl(GUEST_RIP) + insn_len;
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	if (!hvmm_vmx_long_mode(vcpu) ||
	    !(vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK))
		rip = (u32)rip;
	vmcs_writel(GUEST_RIP, rip);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
		     intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/*
 * The linear address of the memory operand (SDM 3.4.2, 3.4.4): segment
 * base plus offset, truncated to the address size; in 64-bit mode only
 * FS and GS have a base.
 */
static u64 linear(struct hvmm_vcpu *vcpu, const struct decode *d,
		  unsigned int insn_len)
{
	static const unsigned long base[] = {
		GUEST_ES_BASE, GUEST_CS_BASE, GUEST_SS_BASE,
		GUEST_DS_BASE, GUEST_FS_BASE, GUEST_GS_BASE,
	};
	unsigned int seg = d->seg_override != SEG_DEFAULT ?
			   d->seg_override : d->seg;
	u64 ea = d->ea;

	if (d->rip_rel)
		ea += vmcs_readl(GUEST_RIP) + insn_len;
	if (d->asize == 2)
		ea &= 0xffff;
	else if (d->asize == 4)
		ea = (u32)ea;
	if (!d->is64 || seg >= SEG_FS)
		ea += vmcs_readl(base[seg]);
	return d->is64 ? ea : (u32)ea;
}

/*
 * Cut the access into its parts on each page, as KVM's
 * emulator_read_write() does: each page may be RAM or another device, so
 * a page-crossing access is two accesses (and two KVM_EXIT_MMIO when both
 * parts are MMIO).  The common case, within one page, is the EPT
 * violation's own address.  A part on a page the guest's paging cannot
 * translate, or a decode that disagrees with the violation, keeps the
 * access whole at @gpa.
 */
static void split(struct hvmm_vcpu *vcpu, struct hvmm_mmio_op *op, u64 gpa,
		  u64 lin)
{
	unsigned int first = PAGE_SIZE - offset_in_page(lin);
	u64 gpa0, gpa1;

	op->cur = 0;
	op->nfrag = 1;
	op->frag[0] = (struct hvmm_mmio_frag){ .gpa = gpa, .len = op->len };
	if (first >= op->len)
		return;
	if (hvmm_gva_to_gpa(vcpu, lin, op->write, &gpa0) ||
	    hvmm_gva_to_gpa(vcpu, lin + first, op->write, &gpa1))
		return;
	if ((gpa0 >> PAGE_SHIFT) != (gpa >> PAGE_SHIFT) &&
	    (gpa1 >> PAGE_SHIFT) != (gpa >> PAGE_SHIFT))
		return;
	op->nfrag = 2;
	op->frag[0] = (struct hvmm_mmio_frag){ .gpa = gpa0, .len = first,
					       .maybe_ram = true };
	op->frag[1] = (struct hvmm_mmio_frag){ .gpa = gpa1,
					       .len = op->len - first,
					       .off = first, .maybe_ram = true };
}

/*
 * Serve the fragments from op->cur on: RAM and in-kernel devices here;
 * the first one that userspace must serve becomes KVM_EXIT_MMIO.
 * Return: 1 when all are done, 0 for an exit, or a negative errno.
 */
static int run_frags(struct hvmm_vcpu *vcpu)
{
	struct hvmm_mmio_op *op = &to_vmx(vcpu)->mmio;
	int ret;

	for (; op->cur < op->nfrag; op->cur++) {
		const struct hvmm_mmio_frag *f = &op->frag[op->cur];
		u8 *p = (u8 *)&op->data + f->off;
		u64 v = 0;

		if (f->maybe_ram &&
		    !(op->write ? hvmm_gpa_write(vcpu->vm, f->gpa, p, f->len) :
				  hvmm_gpa_read(vcpu->vm, f->gpa, p, f->len)))
			continue;
		if (op->write)
			memcpy(&v, p, f->len);
		ret = hvmm_core_mmio(vcpu, f->gpa, f->len, op->write, &v);
		if (!ret) {
			if (!op->write)
				memcpy(p, &v, f->len);
			continue;
		}
		if (ret != -EOPNOTSUPP)
			return ret;
		return exit_mmio(vcpu, f->gpa, f->len, op->write, v);
	}
	return 1;
}

/* A write, its instruction already retired: serve every fragment. */
static int start_frags(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	int ret;

	vmx->mmio.cur = 0;
	ret = run_frags(vcpu);
	if (!ret)
		vmx->pending = HVMM_PENDING_MMIO_WRITE;
	return ret;
}

static int do_stos(struct hvmm_vcpu *vcpu, struct decode *d, u64 gpa,
		   unsigned int len, unsigned int insn_len)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long m = d->asize == 8 ? ~0UL : (1UL << (d->asize * 8)) - 1;
	long step = (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_DF) ?
		    -(long)len : len;
	unsigned long *rdi = &vmx->regs[HVMM_RDI];
	unsigned long *rcx = &vmx->regs[HVMM_RCX];
	u64 val = reg_value(vcpu, d, HVMM_RAX, len);
	int ret;

	if (d->rep && !(*rcx & m)) {
		skip(vcpu, insn_len);
		return 1;
	}
	*rdi = (*rdi & ~m) | ((*rdi + step) & m);
	/* As REP OUTS (io.c): RIP moves only when RCX = 0 is seen. */
	if (d->rep)
		*rcx = (*rcx & ~m) | ((*rcx - 1) & m);
	else
		skip(vcpu, insn_len);
	ret = hvmm_core_mmio(vcpu, gpa, len, true, &val);
	if (ret != -EOPNOTSUPP)
		return ret ? ret : 1;
	return exit_mmio(vcpu, gpa, len, true, val);
}

static int finish_read(struct hvmm_vcpu *vcpu);

/**
 * hvmm_vmx_handle_mmio() - decode and report an access to unbacked @gpa
 * @vcpu: the vCPU, VMCS current
 * @gpa: the guest-physical address of the EPT violation
 *
 * Return: 0 (KVM_EXIT_MMIO or KVM_EXIT_INTERNAL_ERROR for userspace) or
 * 1 (nothing to report, e.g. REP STOS with a zero count).
 */
int hvmm_vmx_handle_mmio(struct hvmm_vcpu *vcpu, u64 gpa)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	struct hvmm_mmio_op *op = &vmx->mmio;
	u8 buf[MAX_INSN], b, modrm;
	unsigned int n, reg, len;
	bool cs_d, write;
	struct decode d;
	u64 imm = 0;
	int ret;

	vcpu->stat.mmio_exits++;
	vmx->l1d_flush = true;
	if (vmx->exit_qual & EPT_VIOLATION_ACC_INSTR)
		goto fail;	/* executing from MMIO: nothing to decode */
	if (fetch(vcpu, buf, &n))
		goto fail;

	memset(&d, 0, sizeof(d));
	d.p = buf;
	d.end = buf + n;
	d.seg_override = SEG_DEFAULT;
	cs_d = vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_DB_MASK;
	d.is64 = hvmm_vmx_long_mode(vcpu) &&
		 (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK);
	d.opsize = (d.is64 || cs_d) ? 4 : 2;
	d.asize = d.is64 ? 8 : cs_d ? 4 : 2;

	for (;;) {		/* legacy prefixes, then REX */
		if (next(&d, &b))
			goto fail;
		switch (b) {
		case 0x66:
			d.opsize = (d.is64 || cs_d) ? 2 : 4;
			continue;
		case 0x67:
			d.asize = d.is64 ? 4 : cs_d ? 2 : 4;
			continue;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			d.seg_override = (b >> 3) & 3;
			continue;
		case 0x64: case 0x65:
			d.seg_override = b - 0x64 + SEG_FS;
			continue;
		case 0xf0:
			continue;
		case 0xf2: case 0xf3:
			d.rep = true;
			continue;
		}
		break;
	}
	if (d.is64 && (b & 0xf0) == 0x40) {
		d.rex = true;
		d.rex_w = b & 8;
		d.rex_r = b & 4;
		d.rex_x = b & 2;
		d.rex_b = b & 1;
		if (d.rex_w)
			d.opsize = 8;
		if (next(&d, &b))
			goto fail;
	}

	memset(op, 0, sizeof(*op));
	op->alu = HVMM_ALU_NONE;
	switch (b) {
	case 0x88: case 0x89: case 0x8a: case 0x8b:
		len = (b & 1) ? d.opsize : 1;
		write = !(b & 2);
		if (next(&d, &modrm) || modrm_ea(vcpu, &d, modrm))
			goto fail;
		reg = ((modrm >> 3) & 7) | (d.rex_r ? 8 : 0);
		if (write) {
			imm = reg_value(vcpu, &d, reg, len);
			break;
		}
		op->reg = reg;
		op->dst_len = len;
		op->legacy_high = len == 1 && !d.rex && reg >= 4 && reg < 8;
		break;
	case 0xc6: case 0xc7:
		len = (b & 1) ? d.opsize : 1;
		write = true;
		if (next(&d, &modrm) || (modrm & 0x38) ||
		    modrm_ea(vcpu, &d, modrm) ||
		    read_imm(&d, len == 8 ? 4 : len, &imm))
			goto fail;
		if (len == 8)
			imm = (s64)(s32)imm;
		break;
	case 0x00 ... 0x03: case 0x08 ... 0x0b: case 0x10 ... 0x13:
	case 0x18 ... 0x1b: case 0x20 ... 0x23: case 0x28 ... 0x2b:
	case 0x30 ... 0x33: case 0x38 ... 0x3b: case 0x84: case 0x85:
		/* ALU r/m, reg (bit 1 clear) or reg, r/m; TEST r/m, reg */
		len = (b & 1) ? d.opsize : 1;
		write = false;
		if (next(&d, &modrm) || modrm_ea(vcpu, &d, modrm))
			goto fail;
		reg = ((modrm >> 3) & 7) | (d.rex_r ? 8 : 0);
		op->alu = b >= 0x84 ? HVMM_ALU_TEST : (b >> 3) & 7;
		op->mem_dst = b >= 0x84 || !(b & 2);
		op->reg = reg;
		op->dst_len = len;
		op->legacy_high = len == 1 && !d.rex && reg >= 4 && reg < 8;
		op->src = reg_value(vcpu, &d, reg, len);
		break;
	case 0x80: case 0x81: case 0x83:
		/* Group 1: ALU r/m, imm8 / imm16/32 / sign-extended imm8 */
		len = b == 0x80 ? 1 : d.opsize;
		write = false;
		if (next(&d, &modrm) || modrm_ea(vcpu, &d, modrm))
			goto fail;
		if (b == 0x81) {
			if (read_imm(&d, len == 8 ? 4 : len, &imm))
				goto fail;
			if (len == 8)
				imm = (s64)(s32)imm;
		} else {
			if (read_imm(&d, 1, &imm))
				goto fail;
			if (b == 0x83)
				imm = (s64)(s8)imm;
		}
		op->alu = (modrm >> 3) & 7;
		op->mem_dst = true;
		op->src = len == 8 ? imm : imm & ((1ULL << (len * 8)) - 1);
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		len = (b & 1) ? d.opsize : 1;
		write = b & 2;
		if (read_imm(&d, d.asize, &d.ea))
			goto fail;
		d.seg = SEG_DS;
		if (write) {
			imm = reg_value(vcpu, &d, HVMM_RAX, len);
			break;
		}
		op->reg = HVMM_RAX;
		op->dst_len = len;
		break;
	case 0xaa: case 0xab:
		len = (b & 1) ? d.opsize : 1;
		return do_stos(vcpu, &d, gpa, len, d.p - buf);
	case 0x0f:
		if (next(&d, &b) || (b != 0xb6 && b != 0xb7 &&
				     b != 0xbe && b != 0xbf))
			goto fail;
		len = (b & 1) ? 2 : 1;
		write = false;
		if (next(&d, &modrm) || modrm_ea(vcpu, &d, modrm))
			goto fail;
		op->reg = ((modrm >> 3) & 7) | (d.rex_r ? 8 : 0);
		op->dst_len = d.opsize;
		op->sign = b & 8;
		break;
	default:
		goto fail;
	}

	op->len = len;
	op->write = write;
	op->insn_len = d.p - buf;
	op->rip = vmcs_readl(GUEST_RIP);
	split(vcpu, op, gpa, linear(vcpu, &d, op->insn_len));
	if (write) {
		op->data = imm;
		skip(vcpu, op->insn_len);
		return start_frags(vcpu);
	}
	op->data = 0;
	ret = run_frags(vcpu);
	if (ret == 1)
		return finish_read(vcpu);	/* RAM or a device answered */
	if (!ret)
		vmx->pending = HVMM_PENDING_MMIO_READ;
	return ret;

fail:
	pr_debug_ratelimited("cannot emulate MMIO at %#llx\n", gpa);
	return hvmm_vmx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION);
}

/*
 * The read half of a read-modify-write instruction came back: compute,
 * update RFLAGS and either the register or - the write half, like KVM's
 * emulator, a second KVM_EXIT_MMIO right away (RIP then advanced).
 */
static int complete_alu(struct hvmm_vcpu *vcpu, u64 mem)
{
	struct hvmm_mmio_op *op = &to_vmx(vcpu)->mmio;
	unsigned long rflags = vmcs_readl(GUEST_RFLAGS);
	bool writes = op->alu < 7;	/* CMP, TEST only set flags */
	u64 res;

	if (op->mem_dst)
		res = hvmm_alu(op->alu, mem, op->src, op->len, &rflags);
	else
		res = hvmm_alu(op->alu, op->src, mem, op->len, &rflags);
	vmcs_writel(GUEST_RFLAGS, rflags);
	skip(vcpu, op->insn_len);
	if (!writes)
		return 1;
	if (!op->mem_dst) {
		reg_store(vcpu, op->reg, op->dst_len, op->legacy_high, res);
		return 1;
	}
	op->write = true;
	op->data = res;
	return start_frags(vcpu);
}

/* Every fragment of a read is in op->data: finish the instruction. */
static int finish_read(struct hvmm_vcpu *vcpu)
{
	struct hvmm_mmio_op *op = &to_vmx(vcpu)->mmio;
	u64 v = op->data;

	if (op->len < 8)
		v &= (1ULL << (op->len * 8)) - 1;
	if (op->alu != HVMM_ALU_NONE)
		return complete_alu(vcpu, v);
	if (op->sign)
		v = op->len == 1 ? (u64)(s64)(s8)v : (u64)(s64)(s16)v;
	reg_store(vcpu, op->reg, op->dst_len, op->legacy_high, v);
	skip(vcpu, op->insn_len);
	return 1;
}

/**
 * hvmm_vmx_complete_mmio() - userspace answered the current fragment
 * @vcpu: the vCPU, at the start of KVM_RUN
 *
 * A read's data goes into its place; then the next fragment, if any, is
 * served (possibly by another KVM_EXIT_MMIO, without entering the guest,
 * as KVM's complete_emulated_mmio()), and a read finishes its instruction.
 *
 * Return: 1 to enter the guest, 0 for another exit, or a negative errno.
 */
int hvmm_vmx_complete_mmio(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	struct hvmm_mmio_op *op = &vmx->mmio;
	bool write = vmx->pending == HVMM_PENDING_MMIO_WRITE;
	const struct hvmm_mmio_frag *f = &op->frag[op->cur];
	int ret;

	vmx->pending = HVMM_PENDING_NONE;
	if (!write) {
		if (vmcs_readl(GUEST_RIP) != op->rip)
			return 1;	/* userspace moved RIP: abandoned, as KVM */
		memcpy((u8 *)&op->data + f->off, vcpu->run->mmio.data, f->len);
	}
	op->cur++;
	ret = run_frags(vcpu);
	if (ret)
		return ret == 1 && !write ? finish_read(vcpu) : ret;
	vmx->pending = write ? HVMM_PENDING_MMIO_WRITE : HVMM_PENDING_MMIO_READ;
	return 0;
}
