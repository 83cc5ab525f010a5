// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits (SDM Vol. 3C 27.2.1 Table 27-5; 27.2.5 for the
 * instruction information of INS/OUTS), reported to userspace exactly as
 * KVM reports them (Documentation/virt/kvm/api.rst, KVM_EXIT_IO):
 *
 *  IN/OUT    count 1; RIP still points at the instruction while userspace
 *            handles the exit and is advanced by the next KVM_RUN, which
 *            also loads IN data into AL/AX/EAX (EAX zero-extended).  OUT
 *            to port 0x7e advances RIP before the exit (KVM's default
 *            quirk KVM_X86_QUIRK_OUT_7E_INC_RIP).
 *  OUTS      one element per exit (KVM's emulator em_out() does the same);
 *            RSI/RCX (and RIP without REP) are updated before the exit;
 *            with REP, RIP stays on the instruction even after the last
 *            element, which then completes with RCX = 0, as in KVM.
 *  INS       up to min(RCX, bytes left in the page, 1024 / size) elements
 *            per exit (KVM's pio_in_emulated() read-ahead); the next
 *            KVM_RUN stores them at ES:RDI and updates RDI/RCX/RIP.
 *
 * Data lives in the vCPU's PIO page, run->io.data_offset bytes from the
 * start of the kvm_run mapping (KVM_PIO_PAGE_OFFSET pages).
 */
#define pr_fmt(fmt) "hvmm: " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include "vmcs_ops.h"
#include "vmx_int.h"

#define IO_SIZE(q)	(((q) & 7) + 1)
#define IO_IN		BIT(3)
#define IO_STRING	BIT(4)
#define IO_REP		BIT(5)
#define IO_PORT(q)	((q) >> 16 & 0xffff)
#define PIO_READ_AHEAD	1024	/* KVM's struct read_cache data[] */

static void exit_io(struct hvmm_vcpu *vcpu, u8 dir, u8 size, u16 port,
		    u32 count)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = dir;
	run->io.size = size;
	run->io.port = port;
	run->io.count = count;
	run->io.data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE;
}

/* Address size of a string instruction, in bytes (SDM 27.2.5). */
static unsigned int string_addr_size(struct hvmm_vcpu *vcpu)
{
	u32 ar;

	if (hvmm_vmx_caps.has_insouts_info)
		return 2 << ((vmcs_read32(VMX_INSTRUCTION_INFO) >> 7) & 7);
	/* No instruction info: the default size (67h prefix not seen). */
	ar = vmcs_read32(GUEST_CS_AR_BYTES);
	if (hvmm_vmx_long_mode(vcpu) && (ar & VMX_AR_L_MASK))
		return 8;
	return (ar & VMX_AR_DB_MASK) ? 4 : 2;
}

static unsigned long addr_mask(unsigned int asize)
{
	return asize == 8 ? ~0UL : (1UL << (asize * 8)) - 1;
}

/* reg = reg +/- delta within the address size; upper bits kept (SDM). */
static void reg_advance(unsigned long *reg, unsigned int asize, long delta)
{
	unsigned long m = addr_mask(asize);

	*reg = (*reg & ~m) | ((*reg + delta) & m);
}

static void inject_pf(struct hvmm_vcpu *vcpu, u64 gla, bool write)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	u32 err = (write ? 2 : 0) | (hvmm_vmx_cpl() == 3 ? 4 : 0);

	vmx->cr2 = gla;
	vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, err);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, PF_VECTOR |
		     INTR_TYPE_HARD_EXCEPTION | INTR_INFO_DELIVER_CODE_MASK |
		     INTR_INFO_VALID_MASK);
}

static int handle_outs(struct hvmm_vcpu *vcpu, unsigned long q)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned int size = IO_SIZE(q), asize = string_addr_size(vcpu);
	unsigned long m = addr_mask(asize);
	u64 gla = vmcs_readl(GUEST_LINEAR_ADDRESS);
	bool df = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_DF;
	int ret;

	if ((q & IO_REP) && !(vmx->regs[HVMM_RCX] & m)) {
		hvmm_vmx_skip_insn(vcpu);
		return 1;
	}
	if (hvmm_gva_read(vcpu, gla, vcpu->pio_data, size)) {
		inject_pf(vcpu, gla, false);
		return 1;
	}
	ret = hvmm_core_pio(vcpu, IO_PORT(q), size, true, vcpu->pio_data);
	if (ret && ret != -EOPNOTSUPP)
		return ret;
	reg_advance(&vmx->regs[HVMM_RSI], asize, df ? -(long)size : size);
	/*
	 * KVM's emulator never moves RIP past a REP OUTS from an element:
	 * the instruction ends when it runs again with RCX = 0 (above).
	 */
	if (q & IO_REP)
		reg_advance(&vmx->regs[HVMM_RCX], asize, -1);
	else
		hvmm_vmx_skip_insn(vcpu);
	if (!ret)
		return 1;	/* an in-kernel device took it */
	exit_io(vcpu, KVM_EXIT_IO_OUT, size, IO_PORT(q), 1);
	return 0;
}

static int complete_ins(struct hvmm_vcpu *vcpu);

/* INS from an in-kernel device: read the elements here, then complete. */
static int ins_in_kernel(struct hvmm_vcpu *vcpu)
{
	struct hvmm_pio_op *op = &to_vmx(vcpu)->pio;
	unsigned int i;
	int ret;

	for (i = 0; i < op->count; i++) {
		ret = hvmm_core_pio(vcpu, op->port, op->size, false,
				    vcpu->pio_data + i * op->size);
		if (ret)	/* -EOPNOTSUPP on the first: not in the kernel */
			return ret;
	}
	return complete_ins(vcpu);
}

static int handle_ins(struct hvmm_vcpu *vcpu, unsigned long q)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	struct hvmm_pio_op *op = &vmx->pio;
	unsigned int size = IO_SIZE(q), asize = string_addr_size(vcpu);
	unsigned long m = addr_mask(asize), count = 1, in_page;
	u64 gla = vmcs_readl(GUEST_LINEAR_ADDRESS);
	bool df = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_DF;
	int ret;

	if (q & IO_REP) {
		count = vmx->regs[HVMM_RCX] & m;
		if (!count) {
			hvmm_vmx_skip_insn(vcpu);
			return 1;
		}
	}
	/* KVM's read-ahead bound, in the units KVM uses. */
	in_page = df ? offset_in_page(gla) : PAGE_SIZE - offset_in_page(gla);
	count = min3(count, in_page, (unsigned long)PIO_READ_AHEAD / size);
	if (!count)
		count = 1;
	op->port = IO_PORT(q);
	op->size = size;
	op->addr_size = asize;
	op->rep = q & IO_REP;
	op->count = count;
	op->gla = gla;
	op->rip = vmcs_readl(GUEST_RIP);
	ret = ins_in_kernel(vcpu);
	if (ret != -EOPNOTSUPP)
		return ret;
	vmx->pending = HVMM_PENDING_INS;
	exit_io(vcpu, KVM_EXIT_IO_IN, size, op->port, count);
	return 0;
}

/*
 * IN/OUT to a port an in-kernel device claims (PIC, PIT, i8042): done
 * here, no exit to userspace.  Return 1 when done, -EOPNOTSUPP when no
 * device in the kernel claims the port, or the core's error.
 */
static int in_kernel(struct hvmm_vcpu *vcpu, unsigned long q)
{
	unsigned long *rax = &to_vmx(vcpu)->regs[HVMM_RAX];
	unsigned int size = IO_SIZE(q);
	u32 val = *rax;
	int ret;

	ret = hvmm_core_pio(vcpu, IO_PORT(q), size, !(q & IO_IN), &val);
	if (ret)
		return ret;
	if (q & IO_IN) {
		if (size == 4)
			*rax = val;
		else if (size == 2)
			*rax = (*rax & ~0xffffUL) | (u16)val;
		else
			*rax = (*rax & ~0xffUL) | (u8)val;
	}
	hvmm_vmx_skip_insn(vcpu);
	return 1;
}

/**
 * hvmm_vmx_handle_io() - EXIT_REASON_IO_INSTRUCTION
 * @vcpu: the vCPU
 *
 * Return: 0 with a KVM_EXIT_IO for userspace, or 1 when the access
 * completed without it (empty REP, a fault injected into the guest).
 */
int hvmm_vmx_handle_io(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long q = vmx->exit_qual;
	unsigned int size = IO_SIZE(q);
	int ret;

	if (size != 1 && size != 2 && size != 4)
		return hvmm_vmx_internal_error(vcpu,
					       KVM_INTERNAL_ERROR_EMULATION);
	if (q & IO_STRING)
		return (q & IO_IN) ? handle_ins(vcpu, q) : handle_outs(vcpu, q);

	ret = in_kernel(vcpu, q);
	if (ret != -EOPNOTSUPP)
		return ret;
	/* Only an exit to userspace needs the access recorded. */
	vmx->pio.port = IO_PORT(q);
	vmx->pio.size = size;
	vmx->pio.count = 1;
	vmx->pio.rip = vmcs_readl(GUEST_RIP);
	if (q & IO_IN) {
		vmx->pending = HVMM_PENDING_PIO_IN;
		exit_io(vcpu, KVM_EXIT_IO_IN, size, vmx->pio.port, 1);
	} else {
		u32 val = vmx->regs[HVMM_RAX];

		memcpy(vcpu->pio_data, &val, size);
		/*
		 * KVM_X86_QUIRK_OUT_7E_INC_RIP, on by default in KVM: old
		 * userspace expects RIP past an OUT to 0x7e during the exit.
		 */
		if (vmx->pio.port == 0x7e)
			hvmm_vmx_skip_insn(vcpu);
		else
			vmx->pending = HVMM_PENDING_PIO_OUT;
		exit_io(vcpu, KVM_EXIT_IO_OUT, size, vmx->pio.port, 1);
	}
	return 0;
}

static int complete_ins(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	struct hvmm_pio_op *op = &vmx->pio;
	bool df = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_DF;
	unsigned int i, size = op->size;
	unsigned long m = addr_mask(op->addr_size);

	for (i = 0; i < op->count; i++) {
		u64 gla = df ? op->gla - (u64)i * size : op->gla + (u64)i * size;

		if (hvmm_gva_write(vcpu, gla, vcpu->pio_data + i * size,
				   size)) {
			/* Elements before this one are done, as on hardware. */
			inject_pf(vcpu, gla, true);
			break;
		}
		reg_advance(&vmx->regs[HVMM_RDI], op->addr_size,
			    df ? -(long)size : size);
		if (op->rep)
			reg_advance(&vmx->regs[HVMM_RCX], op->addr_size, -1);
	}
	if (i == op->count && (!op->rep || !(vmx->regs[HVMM_RCX] & m)))
		hvmm_vmx_skip_insn(vcpu);
	return 1;
}

/**
 * hvmm_vmx_complete_io() - finish the I/O exit userspace has handled
 * @vcpu: the vCPU, at the start of KVM_RUN
 *
 * As KVM's complete_fast_pio_*(): nothing happens if userspace moved RIP
 * meanwhile (KVM_SET_REGS), the instruction is then simply not completed.
 *
 * Return: 1 (the guest may run).
 */
int hvmm_vmx_complete_io(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	enum hvmm_pending p = vmx->pending;

	vmx->pending = HVMM_PENDING_NONE;
	if (vmcs_readl(GUEST_RIP) != vmx->pio.rip)
		return 1;
	if (p == HVMM_PENDING_PIO_IN) {
		unsigned long *rax = &vmx->regs[HVMM_RAX];
		u32 val = 0;

		memcpy(&val, vcpu->pio_data, vmx->pio.size);
		if (vmx->pio.size == 4)
			*rax = val;	/* 32-bit results zero-extend */
		else if (vmx->pio.size == 2)
			*rax = (*rax & ~0xffffUL) | (u16)val;
		else
			*rax = (*rax & ~0xffUL) | (u8)val;
	} else if (p == HVMM_PENDING_INS) {
		return complete_ins(vcpu);
	}
	hvmm_vmx_skip_insn(vcpu);
	return 1;
}
