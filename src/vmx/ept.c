// SPDX-License-Identifier: GPL-2.0
/*
 * Extended page tables (SDM Vol. 3C, 28.2): four levels of 4 KiB pages,
 * built lazily from the memory slots when the guest first touches a page
 * (EPT violation).  Each mapped page is pinned (pin_user_pages_fast with
 * FOLL_LONGTERM, the long-term pin used for DMA) and remembered in an xarray by gfn so that
 * deleting or moving the slot, or destroying the VM, unmaps and unpins it.
 *
 * INVEPT acts on the executing CPU only, and a VM's vCPUs may run on any:
 * after unmapping, hvmm runs a global INVEPT on every CPU (the IPI also
 * forces any vCPU in guest mode out), and only then unpins.
 *
 * An MMU notifier on the VMM's mm drops pages the VMM unmaps or changes.
 * Known window: it has no invalidate_range_end (so that it may refuse
 * the non-blocking case), so a vCPU that pins a page after an
 * invalidation started but before the process's page table is cleared
 * maps the old page; it stays pinned, hence safe for the host, until the
 * slot goes or the VM ends.  KVM closes that window with its in-progress
 * count.
 */
#define pr_fmt(fmt) "hvmm: " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/mtrr.h>
#include "vmx_int.h"

#define EPT_LEVELS	4
#define EPT_ENTRIES	512
#define EPT_PA_MASK	GENMASK_ULL(51, 12)
/* Write-back, guest PAT ignored: ordinary RAM (KVM does the same). */
#define EPT_LEAF_MT	((u64)MTRR_TYPE_WRBACK << VMX_EPT_MT_EPTE_SHIFT | \
			 VMX_EPT_IPAT_BIT)

static void invept_global(void *unused)
{
	struct { u64 eptp, rsvd; } desc = { 0, 0 };

	if (!hvmm_vmx_cpu_on())
		return;
	asm volatile("1: invept %0, %1\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : : "m" (desc), "r" ((unsigned long)VMX_EPT_EXTENT_GLOBAL)
		     : "cc", "memory");
}

/**
 * hvmm_ept_flush_all() - drop every EPT-derived translation on this CPU
 *
 * Context: preemption disabled.
 */
void hvmm_ept_flush_all(void)
{
	invept_global(NULL);
}

static void flush_all_cpus(void)
{
	on_each_cpu(invept_global, NULL, 1);
}

static void zap_gfns(struct hvmm_vmx_vm *vvm, unsigned long first,
		     unsigned long last);

static struct hvmm_vmx_vm *mn_to_vvm(struct mmu_notifier *mn)
{
	return container_of(mn, struct hvmm_vmx_vm, mn);
}

/*
 * The VMM unmapped, remapped or changed guest memory (munmap, mremap,
 * madvise, fork's write protection...): drop the EPT entries and pins of
 * every guest page in the range, as KVM's MMU notifier does, so that the
 * guest faults and sees the process's current memory (or KVM_RUN fails
 * with -EFAULT when there is none).  Waiting for the EPT lock is not
 * possible in the non-blocking case (OOM reaper): -EAGAIN, which the mm
 * allows for a notifier without invalidate_range_end.
 */
static int hvmm_mn_invalidate_range_start(struct mmu_notifier *mn,
					  const struct mmu_notifier_range *r)
{
	struct hvmm_vmx_vm *vvm = mn_to_vvm(mn);
	unsigned int i;

	if (!mmu_notifier_range_blockable(r))
		return -EAGAIN;
	mutex_lock(&vvm->ept_lock);
	vvm->mmu_seq++;
	for (i = 0; i < HVMM_USER_MEM_SLOTS; i++) {
		unsigned long hva = vvm->mapped[i].hva;
		unsigned long end = hva + (vvm->mapped[i].npages << PAGE_SHIFT);
		unsigned long from, to;

		if (!vvm->mapped[i].npages || r->end <= hva || r->start >= end)
			continue;
		from = (max(r->start, hva) - hva) >> PAGE_SHIFT;
		to = (min(r->end, end) - 1 - hva) >> PAGE_SHIFT;
		zap_gfns(vvm, vvm->mapped[i].base_gfn + from,
			 vvm->mapped[i].base_gfn + to);
	}
	mutex_unlock(&vvm->ept_lock);
	return 0;
}

/* The process exits: nothing it mapped may stay in use. */
static void hvmm_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct hvmm_vmx_vm *vvm = mn_to_vvm(mn);

	mutex_lock(&vvm->ept_lock);
	vvm->mmu_seq++;
	zap_gfns(vvm, 0, ULONG_MAX);
	mutex_unlock(&vvm->ept_lock);
}

static const struct mmu_notifier_ops hvmm_mn_ops = {
	.invalidate_range_start = hvmm_mn_invalidate_range_start,
	.release = hvmm_mn_release,
};

int hvmm_ept_init(struct hvmm_vmx_vm *vvm)
{
	int ret;

	vvm->ept_root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vvm->ept_root)
		return -ENOMEM;
	vvm->eptp = __pa(vvm->ept_root) | VMX_EPTP_MT_WB | VMX_EPTP_PWL_4;
	mutex_init(&vvm->ept_lock);
	xa_init(&vvm->pinned);
	vvm->mn.ops = &hvmm_mn_ops;
	ret = mmu_notifier_register(&vvm->mn, vvm->vm->mm);
	if (ret) {
		free_page((unsigned long)vvm->ept_root);
		vvm->ept_root = NULL;
		return ret;
	}
	vvm->mn_registered = true;
	return 0;
}

static u64 *entry_table(u64 e)
{
	return __va(e & EPT_PA_MASK);
}

/*
 * The leaf entry for @gpa, allocating intermediate tables when @alloc.
 * Returns NULL when a table is missing (and !@alloc) or out of memory.
 * Context: ept_lock held.
 */
static u64 *walk(struct hvmm_vmx_vm *vvm, u64 gpa, bool alloc)
{
	u64 *table = vvm->ept_root;
	int level;

	for (level = EPT_LEVELS; level > 1; level--) {
		unsigned int idx = (gpa >> (12 + 9 * (level - 1))) & 511;
		u64 *e = &table[idx];

		if (!(*e & VMX_EPT_RWX_MASK)) {
			void *page;

			if (!alloc)
				return NULL;
			page = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
			if (!page)
				return NULL;
			*e = __pa(page) | VMX_EPT_RWX_MASK;
		}
		table = entry_table(*e);
	}
	return &table[(gpa >> 12) & 511];
}

/**
 * hvmm_ept_map() - map the guest page holding @gpa, after an EPT violation
 * @vm: the VM
 * @gpa: the faulting guest-physical address
 * @write: the access was a write
 *
 * Return: 0 when mapped (the guest retries the access), -ENOENT when no
 * memslot backs @gpa or a write hit a read-only slot (MMIO for the
 * caller), -EFAULT when the slot's memory is gone, -ENOMEM.
 * Context: process context of the VM's mm, may sleep.
 */
int hvmm_ept_map(struct hvmm_vm *vm, u64 gpa, bool write)
{
	struct hvmm_vmx_vm *vvm = vm->vmx;
	struct hvmm_memslot *slot;
	unsigned long hva, gfn = gpa >> PAGE_SHIFT;
	unsigned int gup = FOLL_LONGTERM;
	struct page *page, *pinned;
	unsigned long seq;
	u64 prot, *e;
	int ret;

	if (gpa >> boot_cpu_data.x86_phys_bits)
		return -ENOENT;
	mutex_lock(&vm->slots_lock);
	slot = hvmm_memslot_find(vm, gfn);
	if (slot && slot->id >= HVMM_USER_MEM_SLOTS)
		slot = NULL;
	if (!slot || (write && (slot->flags & KVM_MEM_READONLY))) {
		ret = -ENOENT;
		goto out;
	}
	prot = VMX_EPT_READABLE_MASK | VMX_EPT_EXECUTABLE_MASK;
	if (!(slot->flags & KVM_MEM_READONLY)) {
		prot |= VMX_EPT_WRITABLE_MASK;
		gup |= FOLL_WRITE;
	}

	/*
	 * Pin outside ept_lock: the MMU notifier takes ept_lock under
	 * mmap_lock, and pinning may take mmap_lock.  An invalidation that
	 * ran meanwhile bumped mmu_seq: then let the guest fault again.
	 */
	seq = READ_ONCE(vvm->mmu_seq);
	/* Read the sequence before the page tables the pin walks. */
	smp_rmb();
	hva = slot->userspace_addr + ((gfn - slot->base_gfn) << PAGE_SHIFT);
	ret = pin_user_pages_fast(hva, 1, gup, &pinned);
	if (ret != 1) {
		ret = ret < 0 ? ret : -EFAULT;
		goto out;
	}

	mutex_lock(&vvm->ept_lock);
	if (vvm->mmu_seq != seq) {
		unpin_user_page(pinned);
		ret = 0;
		goto out_ept;
	}
	page = xa_load(&vvm->pinned, gfn);
	if (page) {
		unpin_user_page(pinned);	/* another vCPU was faster */
	} else {
		page = pinned;
		ret = xa_err(xa_store(&vvm->pinned, gfn, page,
				      GFP_KERNEL_ACCOUNT));
		if (ret) {
			unpin_user_page(page);
			goto out_ept;
		}
		vvm->nr_pinned++;
	}
	vvm->mapped[slot->id].hva = slot->userspace_addr;
	vvm->mapped[slot->id].npages = slot->npages;
	vvm->mapped[slot->id].base_gfn = slot->base_gfn;
	e = walk(vvm, gpa, true);
	if (!e) {
		/* The page stays pinned and tracked; freed with the slot. */
		ret = -ENOMEM;
		goto out_ept;
	}
	WRITE_ONCE(*e, page_to_phys(page) | prot | EPT_LEAF_MT);
	ret = 0;
out_ept:
	mutex_unlock(&vvm->ept_lock);
out:
	mutex_unlock(&vm->slots_lock);
	return ret;
}

/*
 * Unmap and unpin every pinned page with a gfn in [first, last].  No CPU
 * may translate to a page once it is unpinned: every CPU does a global
 * INVEPT first (the IPI also forces vCPUs out of guest mode).
 * Context: ept_lock held, may sleep.
 */
static void zap_gfns(struct hvmm_vmx_vm *vvm, unsigned long first,
		     unsigned long last)
{
	struct page **batch = NULL, *page;
	unsigned long gfn, n = 0, cap = vvm->nr_pinned;

	if (!cap)
		return;
	batch = kvmalloc_array(cap, sizeof(*batch), GFP_KERNEL);
	xa_for_each_range(&vvm->pinned, gfn, page, first, last) {
		u64 *e = walk(vvm, (u64)gfn << PAGE_SHIFT, false);

		if (e)
			WRITE_ONCE(*e, 0);
		xa_erase(&vvm->pinned, gfn);
		vvm->nr_pinned--;
		if (batch && n < cap) {
			batch[n++] = page;
		} else {
			/* No memory for a batch: flush before each unpin. */
			flush_all_cpus();
			unpin_user_pages_dirty_lock(&page, 1, true);
		}
	}
	if (n) {
		flush_all_cpus();
		unpin_user_pages_dirty_lock(batch, n, true);
	}
	kvfree(batch);
}

/**
 * hvmm_vmx_slot_changed() - unmap and unpin a deleted or moved slot
 * @vm: the VM
 * @old: the slot's previous extent
 *
 * Context: vm->slots_lock held, process context.
 */
void hvmm_vmx_slot_changed(struct hvmm_vm *vm, const struct hvmm_memslot *old)
{
	struct hvmm_vmx_vm *vvm = vm->vmx;

	if (!vvm || !old->npages)
		return;
	mutex_lock(&vvm->ept_lock);
	if (old->id < HVMM_USER_MEM_SLOTS)
		vvm->mapped[old->id].npages = 0;
	zap_gfns(vvm, old->base_gfn, old->base_gfn + old->npages - 1);
	mutex_unlock(&vvm->ept_lock);
}

static void free_table(u64 *table, int level)
{
	int i;

	if (level > 1) {
		for (i = 0; i < EPT_ENTRIES; i++)
			if (table[i] & VMX_EPT_RWX_MASK)
				free_table(entry_table(table[i]), level - 1);
	}
	free_page((unsigned long)table);
}

void hvmm_ept_destroy(struct hvmm_vmx_vm *vvm)
{
	struct page *page;
	unsigned long gfn;

	if (!vvm->ept_root)
		return;
	if (vvm->mn_registered)
		mmu_notifier_unregister(&vvm->mn, vvm->vm->mm);
	/* The root may be reused by the next VM: no stale translations. */
	flush_all_cpus();
	xa_for_each(&vvm->pinned, gfn, page)
		unpin_user_pages_dirty_lock(&page, 1, true);
	xa_destroy(&vvm->pinned);
	free_table(vvm->ept_root, EPT_LEVELS);
	vvm->ept_root = NULL;
}
