// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory as the backend reads it: guest-physical addresses through
 * the memory slots into the VM's user memory (copy_from_user on the hva:
 * KVM_RUN runs in the VM creator's mm, which the core checks), and
 * guest-linear addresses through the guest's own paging structures
 * (SDM Vol. 3A, 4.3 32-bit, 4.4 PAE, 4.5 4-level paging).
 */
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include "vmcs_ops.h"
#include "vmx_int.h"

#define PTE_P	BIT_ULL(0)
#define PTE_RW	BIT_ULL(1)
#define PTE_US	BIT_ULL(2)
#define PTE_PS	BIT_ULL(7)
#define PTE_PA	GENMASK_ULL(51, 12)

static int gpa_copy(struct hvmm_vm *vm, u64 gpa, void *buf, unsigned int len,
		    bool write)
{
	int ret = 0;

	mutex_lock(&vm->slots_lock);
	while (len) {
		unsigned int n = min_t(unsigned int, len,
				       PAGE_SIZE - offset_in_page(gpa));
		struct hvmm_memslot *slot;
		void __user *hva;

		slot = hvmm_memslot_find(vm, gpa >> PAGE_SHIFT);
		if (!slot || (write && (slot->flags & KVM_MEM_READONLY))) {
			ret = -EFAULT;
			break;
		}
		hva = (void __user *)(slot->userspace_addr +
			((gpa >> PAGE_SHIFT) - slot->base_gfn) * PAGE_SIZE +
			offset_in_page(gpa));
		if (write ? copy_to_user(hva, buf, n) :
			    copy_from_user(buf, hva, n)) {
			ret = -EFAULT;
			break;
		}
		gpa += n;
		buf += n;
		len -= n;
	}
	mutex_unlock(&vm->slots_lock);
	return ret;
}

/**
 * hvmm_gpa_read() - read guest-physical memory
 * @vm: the VM, in whose mm the caller runs
 * @gpa: first address
 * @buf: destination
 * @len: bytes
 *
 * Return: 0, or -EFAULT when part of the range has no memslot.
 */
int hvmm_gpa_read(struct hvmm_vm *vm, u64 gpa, void *buf, unsigned int len)
{
	return gpa_copy(vm, gpa, buf, len, false);
}

int hvmm_gpa_write(struct hvmm_vm *vm, u64 gpa, const void *buf,
		   unsigned int len)
{
	return gpa_copy(vm, gpa, (void *)buf, len, true);
}

/*
 * One step of the walk: read the entry of @table at @idx, check presence
 * and the access rights the CPU would (SDM 4.6): writes need R/W unless
 * a supervisor access with CR0.WP=0, CPL 3 needs U/S.
 */
static int walk_step(struct hvmm_vm *vm, u64 table, unsigned int idx,
		     unsigned int size, bool write, bool user, bool wp,
		     u64 *entry)
{
	u64 e = 0;

	if (hvmm_gpa_read(vm, table + idx * size, &e, size))
		return -EFAULT;
	if (!(e & PTE_P))
		return -EFAULT;
	if (write && !(e & PTE_RW) && (user || wp))
		return -EFAULT;
	if (user && !(e & PTE_US))
		return -EFAULT;
	*entry = e;
	return 0;
}

static int translate(struct hvmm_vcpu *vcpu, u64 gva, bool write, bool user,
		     u64 *gpa)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	struct hvmm_vm *vm = vcpu->vm;
	bool wp = vmx->cr0_shadow & X86_CR0_WP;
	u64 cr3 = vmcs_readl(GUEST_CR3), e;
	int level;

	if (!(vmx->cr0_shadow & X86_CR0_PG)) {
		*gpa = (vmx->efer & EFER_LMA) ? gva : (u32)gva;
		return 0;
	}
	if (vmx->efer & EFER_LMA) {
		u64 table = cr3 & PTE_PA;

		/* Non-canonical: #GP on hardware, a fault here too. */
		if (((s64)gva << 16 >> 16) != (s64)gva)
			return -EFAULT;
		for (level = 4; level >= 1; level--) {
			unsigned int shift = 12 + 9 * (level - 1);

			if (walk_step(vm, table, (gva >> shift) & 511, 8,
				      write, user, wp, &e))
				return -EFAULT;
			if (level <= 3 && level > 1 && (e & PTE_PS)) {
				*gpa = (e & PTE_PA & ~((1ULL << shift) - 1)) |
				       (gva & ((1ULL << shift) - 1));
				return 0;
			}
			table = e & PTE_PA;
		}
		*gpa = table | (gva & 0xfff);
		return 0;
	}
	gva = (u32)gva;
	if (vmx->cr4_shadow & X86_CR4_PAE) {
		static const unsigned long pdptr[] = {
			GUEST_PDPTR0, GUEST_PDPTR1, GUEST_PDPTR2, GUEST_PDPTR3
		};
		u64 table;

		e = __hvmm_vmread(pdptr[(gva >> 30) & 3]);
		if (!(e & PTE_P))
			return -EFAULT;
		table = e & PTE_PA;
		if (walk_step(vm, table, (gva >> 21) & 511, 8, write, user, wp,
			      &e))
			return -EFAULT;
		if (e & PTE_PS) {
			*gpa = (e & PTE_PA & ~0x1fffffULL) | (gva & 0x1fffff);
			return 0;
		}
		if (walk_step(vm, e & PTE_PA, (gva >> 12) & 511, 8, write,
			      user, wp, &e))
			return -EFAULT;
		*gpa = (e & PTE_PA) | (gva & 0xfff);
		return 0;
	}
	/* 32-bit paging, 4-byte entries, 4 MiB pages with CR4.PSE. */
	if (walk_step(vm, cr3 & 0xfffff000, gva >> 22, 4, write, user, wp, &e))
		return -EFAULT;
	if ((e & PTE_PS) && (vmx->cr4_shadow & X86_CR4_PSE)) {
		*gpa = (e & 0xffc00000) | ((e & 0x1fe000) << 19) |
		       (gva & 0x3fffff);
		return 0;
	}
	if (walk_step(vm, e & 0xfffff000, (gva >> 12) & 1023, 4, write, user,
		      wp, &e))
		return -EFAULT;
	*gpa = (e & 0xfffff000) | (gva & 0xfff);
	return 0;
}

/**
 * hvmm_gva_to_gpa() - translate a guest-linear address as the guest would
 * @vcpu: the vCPU, VMCS current
 * @gva: the linear address
 * @write: check write permission
 * @gpa: result
 *
 * Return: 0, or -EFAULT when the guest's own paging faults.
 */
int hvmm_gva_to_gpa(struct hvmm_vcpu *vcpu, u64 gva, bool write, u64 *gpa)
{
	return translate(vcpu, gva, write, hvmm_vmx_cpl() == 3, gpa);
}

static int gva_copy(struct hvmm_vcpu *vcpu, u64 gva, void *buf,
		    unsigned int len, bool write, bool user)
{
	/* Emulation touched guest data: KVM's "cond" L1D flush wants it. */
	to_vmx(vcpu)->l1d_flush = true;
	while (len) {
		unsigned int n = min_t(unsigned int, len,
				       PAGE_SIZE - offset_in_page(gva));
		u64 gpa;
		int ret;

		ret = translate(vcpu, gva, write, user, &gpa);
		if (!ret)
			ret = gpa_copy(vcpu->vm, gpa, buf, n, write);
		if (ret)
			return ret;
		gva += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int hvmm_gva_read(struct hvmm_vcpu *vcpu, u64 gva, void *buf,
		  unsigned int len)
{
	return gva_copy(vcpu, gva, buf, len, false, hvmm_vmx_cpl() == 3);
}

int hvmm_gva_write(struct hvmm_vcpu *vcpu, u64 gva, const void *buf,
		   unsigned int len)
{
	return gva_copy(vcpu, gva, (void *)buf, len, true,
			hvmm_vmx_cpl() == 3);
}

/**
 * hvmm_gva_access_sys() - an implicit supervisor access (SDM 4.6)
 * @vcpu: the vCPU, VMCS current
 * @gva: linear address
 * @buf: source or destination
 * @len: bytes
 * @write: direction
 *
 * Descriptor tables and TSSs are read and written as supervisor
 * accesses whatever the CPL.
 * Return: 0, or -EFAULT when the guest's paging or memory faults.
 */
int hvmm_gva_access_sys(struct hvmm_vcpu *vcpu, u64 gva, void *buf,
			unsigned int len, bool write)
{
	return gva_copy(vcpu, gva, buf, len, write, false);
}
