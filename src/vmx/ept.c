// SPDX-License-Identifier: GPL-2.0
/*
 * Extended page tables (SDM Vol. 3C, 28.2): four levels of 4 KiB pages,
 * built lazily from the memory slots when the guest first touches a page
 * (EPT violation).  Guest memory is mapped the way KVM 6.1 maps it:
 *
 *  - The fault takes a plain page reference (get_user_pages_fast, no
 *    FOLL_LONGTERM, no pin), installs the EPT entry under mmu_lock and
 *    drops the reference again.  Nothing the guest touched stays pinned:
 *    the host may reclaim (swap), migrate or KSM-merge guest memory
 *    while the VM lives.
 *  - That is safe because the MMU notifier zaps the EPT entry, and every
 *    CPU has run INVEPT, before the host's page table loses the page
 *    (invalidate_range_start runs before the PTE changes, and the page
 *    stays allocated while that PTE maps it).
 *  - A fault racing with an invalidation must not map the page the host
 *    is taking away: invalidate_range_start counts an invalidation in
 *    progress and records its range, invalidate_range_end bumps a
 *    sequence; the fault reads the sequence before looking the page up
 *    and, under mmu_lock, maps nothing when an invalidation of its hva is
 *    in progress or the sequence moved (KVM's mmu_invalidate_retry_hva).
 *    The guest then simply faults again.
 *  - mmu_lock is a spinlock and nothing under it allocates or sleeps: the
 *    tables a fault needs come from a per-VM cache of zeroed pages
 *    topped up before the lock is taken, so reclaim can never recurse
 *    into the notifier while we hold it, and the notifier can also serve
 *    the non-blockable case (OOM reaper) instead of refusing it.
 *  - Dirty state: EPT A/D bits are off, so a writable EPT entry counts as
 *    dirty.  The page is marked dirty when it is mapped writable and when
 *    a writable entry is zapped, with SetPageDirty() and no folio lock
 *    (KVM 6.1's kvm_set_page_dirty(); KSM and migration hold the folio
 *    lock when they call the notifier).
 *
 * INVEPT acts on the executing CPU only, and a VM's vCPUs may run on any:
 * after zapping, hvmm runs a global INVEPT on every CPU (the IPI also
 * forces any vCPU in guest mode out) before mmu_lock is dropped, so
 * before the notifier returns.
 *
 * Not done: EPT A/D bits and the young/age notifiers (reclaim sees guest
 * use of a page only through its own page tables), change_pte (KSM
 * always brackets it with invalidate_range_start/end, which zap), and
 * huge EPT pages.
 */
#define pr_fmt(fmt) "hvmm: " fmt

#include <linux/io.h>
#include <linux/mm.h>
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

static struct hvmm_vmx_vm *mn_to_vvm(struct mmu_notifier *mn)
{
	return container_of(mn, struct hvmm_vmx_vm, mn);
}

static u64 *entry_table(u64 e)
{
	return __va(e & EPT_PA_MASK);
}

/*
 * A writable EPT entry is a dirty page (no EPT A/D bits): tell the page
 * before the host may write it back or drop it.  KVM 6.1's
 * kvm_set_page_dirty(): the flag only, no folio lock (the notifier's
 * callers may hold it) and no ->dirty_folio (we hold a spinlock); not
 * for reserved pages such as the zero page.
 */
static void ept_set_page_dirty(struct page *page)
{
	if (!PageReserved(page))
		SetPageDirty(page);
}

static struct page *entry_page(u64 e)
{
	return pfn_to_page((e & EPT_PA_MASK) >> PAGE_SHIFT);
}

/*
 * Clear the leaves for guest frames [@first, @last] in @table, a table
 * of @level (4: the root) whose first entry maps guest frame @base.
 * Only present subtrees are visited.  Returns whether any leaf was
 * present, i.e. whether the TLBs need a flush.
 * Context: mmu_lock held; neither sleeps nor allocates.
 */
static bool zap_table(u64 *table, int level, u64 base, u64 first, u64 last)
{
	unsigned int shift = 9 * (level - 1);	/* frames per entry, log2 */
	u64 lo = first > base ? (first - base) >> shift : 0;
	u64 hi = (last - base) >> shift;
	bool zapped = false;
	u64 i;

	hi = min_t(u64, hi, EPT_ENTRIES - 1);
	for (i = lo; i <= hi; i++) {
		u64 e = table[i];

		if (!(e & VMX_EPT_RWX_MASK))
			continue;
		if (level > 1) {
			zapped |= zap_table(entry_table(e), level - 1,
					    base + (i << shift), first, last);
			continue;
		}
		if (e & VMX_EPT_WRITABLE_MASK)
			ept_set_page_dirty(entry_page(e));
		WRITE_ONCE(table[i], 0);
		zapped = true;
	}
	return zapped;
}

static bool zap_gfns(struct hvmm_vmx_vm *vvm, u64 first, u64 last)
{
	lockdep_assert_held(&vvm->mmu_lock);
	if (first > last)
		return false;
	return zap_table(vvm->ept_root, EPT_LEVELS, 0, first, last);
}

/*
 * Zap every guest frame whose memory lies in [@start, @end) of the VMM's
 * address space, then flush all CPUs if anything was mapped.
 * Context: mmu_lock held; neither sleeps nor allocates.
 */
static void zap_hva_range(struct hvmm_vmx_vm *vvm, unsigned long start,
			  unsigned long end)
{
	bool flush = false;
	unsigned int i;

	for (i = 0; i < HVMM_USER_MEM_SLOTS; i++) {
		unsigned long hva = vvm->mapped[i].hva;
		unsigned long npages = vvm->mapped[i].npages;
		unsigned long slot_end = hva + (npages << PAGE_SHIFT);
		unsigned long from, to;

		if (!npages || end <= hva || start >= slot_end)
			continue;
		from = (max(start, hva) - hva) >> PAGE_SHIFT;
		to = (min(end, slot_end) - 1 - hva) >> PAGE_SHIFT;
		flush |= zap_gfns(vvm, vvm->mapped[i].base_gfn + from,
				  vvm->mapped[i].base_gfn + to);
	}
	if (flush)
		flush_all_cpus();
}

/**
 * hvmm_mn_invalidate_range_start() - the host is about to change guest memory
 * @mn: the VM's notifier
 * @r: the range of the VMM's address space
 *
 * munmap, mremap, madvise, fork's write protection, reclaim, migration,
 * KSM, NUMA balancing...: drop the EPT entries of every guest page in the
 * range, as KVM's notifier does, so that the guest faults and sees the
 * process's memory as it will be (or KVM_RUN fails with -EFAULT when
 * there is none).  Until the matching invalidate_range_end a fault on
 * the range maps nothing (see hvmm_ept_map()).  The EPT entries are
 * gone from every CPU's TLB when this returns.
 *
 * Context: any context the mm calls notifiers from, including the
 * non-blockable one (OOM reaper): only the mmu_lock spinlock is taken,
 * nothing sleeps or allocates, so the range is never refused.
 * Return: 0.
 */
static int hvmm_mn_invalidate_range_start(struct mmu_notifier *mn,
					  const struct mmu_notifier_range *r)
{
	struct hvmm_vmx_vm *vvm = mn_to_vvm(mn);

	spin_lock(&vvm->mmu_lock);
	/* KVM's mmu_invalidate_begin(): one range covering all in flight. */
	if (!vvm->mmu_invalidate_in_progress++) {
		vvm->mmu_invalidate_range_start = r->start;
		vvm->mmu_invalidate_range_end = r->end;
	} else {
		vvm->mmu_invalidate_range_start =
			min(vvm->mmu_invalidate_range_start, r->start);
		vvm->mmu_invalidate_range_end =
			max(vvm->mmu_invalidate_range_end, r->end);
	}
	zap_hva_range(vvm, r->start, r->end);
	spin_unlock(&vvm->mmu_lock);
	return 0;
}

/**
 * hvmm_mn_invalidate_range_end() - the host's change of guest memory is done
 * @mn: the VM's notifier
 * @r: the range given to invalidate_range_start
 *
 * KVM's mmu_invalidate_end(): the sequence moves first, so a fault that
 * looked the page up during the invalidation retries even once nothing
 * is in progress any more.
 *
 * Context: as hvmm_mn_invalidate_range_start().
 */
static void hvmm_mn_invalidate_range_end(struct mmu_notifier *mn,
					 const struct mmu_notifier_range *r)
{
	struct hvmm_vmx_vm *vvm = mn_to_vvm(mn);

	spin_lock(&vvm->mmu_lock);
	vvm->mmu_invalidate_seq++;
	/* The new sequence before "done": pairs with hvmm_ept_map(). */
	smp_wmb();
	vvm->mmu_invalidate_in_progress--;
	WARN_ON_ONCE(vvm->mmu_invalidate_in_progress < 0);
	spin_unlock(&vvm->mmu_lock);
}

/* The process exits: nothing it mapped may stay in use. */
static void hvmm_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct hvmm_vmx_vm *vvm = mn_to_vvm(mn);

	spin_lock(&vvm->mmu_lock);
	if (zap_gfns(vvm, 0, U64_MAX))
		flush_all_cpus();
	spin_unlock(&vvm->mmu_lock);
}

static const struct mmu_notifier_ops hvmm_mn_ops = {
	.invalidate_range_start = hvmm_mn_invalidate_range_start,
	.invalidate_range_end = hvmm_mn_invalidate_range_end,
	.release = hvmm_mn_release,
};

int hvmm_ept_init(struct hvmm_vmx_vm *vvm)
{
	int ret;

	vvm->ept_root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vvm->ept_root)
		return -ENOMEM;
	vvm->eptp = __pa(vvm->ept_root) | VMX_EPTP_MT_WB | VMX_EPTP_PWL_4;
	spin_lock_init(&vvm->mmu_lock);
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

/*
 * Fill the table cache so that one fault can build any missing tables
 * without allocating under mmu_lock.  Reclaim from here may call the
 * MMU notifier: mmu_lock is not held.
 * Context: vm->slots_lock held, mmu_lock not held, may sleep.
 */
static int cache_topup(struct hvmm_vmx_vm *vvm)
{
	while (vvm->nr_cache < HVMM_EPT_CACHE_PAGES) {
		void *page = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

		if (!page)
			return -ENOMEM;
		vvm->cache[vvm->nr_cache++] = page;
	}
	return 0;
}

/*
 * The leaf entry for @gpa, taking missing intermediate tables from the
 * cache (which cache_topup() filled for exactly this walk).
 * Context: vm->slots_lock and mmu_lock held.
 */
static u64 *walk(struct hvmm_vmx_vm *vvm, u64 gpa)
{
	u64 *table = vvm->ept_root;
	int level;

	lockdep_assert_held(&vvm->mmu_lock);
	for (level = EPT_LEVELS; level > 1; level--) {
		unsigned int idx = (gpa >> (12 + 9 * (level - 1))) & 511;
		u64 *e = &table[idx];

		if (!(*e & VMX_EPT_RWX_MASK)) {
			if (WARN_ON_ONCE(!vvm->nr_cache))
				return NULL;
			*e = __pa(vvm->cache[--vvm->nr_cache]) |
			     VMX_EPT_RWX_MASK;
		}
		table = entry_table(*e);
	}
	return &table[(gpa >> 12) & 511];
}

/*
 * KVM's mmu_invalidate_retry_hva(): has @hva been (or is it being)
 * invalidated since the fault read @seq?
 * Context: mmu_lock held.
 */
static bool invalidate_retry(struct hvmm_vmx_vm *vvm, unsigned long seq,
			     unsigned long hva)
{
	lockdep_assert_held(&vvm->mmu_lock);
	if (unlikely(vvm->mmu_invalidate_in_progress) &&
	    hva >= vvm->mmu_invalidate_range_start &&
	    hva < vvm->mmu_invalidate_range_end)
		return true;
	return vvm->mmu_invalidate_seq != seq;
}

/*
 * A reference (not a pin) to the page behind @hva, as KVM's hva_to_pfn():
 * writable when the fault is a write, and also for a read when the
 * page is already writable in the process (no second fault for the
 * first store); else read-only, so that a read does not break COW of
 * the zero page or a KSM page.
 * Context: may sleep (takes mmap_lock for reading).
 */
static int hva_to_page(unsigned long hva, bool write_fault, bool slot_rw,
		       struct page **page, bool *writable)
{
	int n;

	if (slot_rw && get_user_page_fast_only(hva, FOLL_WRITE, page)) {
		*writable = true;
		return 0;
	}
	n = get_user_pages_fast(hva, 1, write_fault ? FOLL_WRITE : 0, page);
	if (n != 1)
		return n < 0 ? n : -EFAULT;
	*writable = write_fault;
	return 0;
}

/**
 * hvmm_ept_map() - map the guest page holding @gpa, after an EPT violation
 * @vm: the VM
 * @gpa: the faulting guest-physical address
 * @write: the access was a write
 *
 * Return: 0 when mapped, or when an invalidation got in the way and
 * nothing was mapped (either way the guest retries the access), -ENOENT
 * when no memslot backs @gpa or a write hit a read-only slot (MMIO for
 * the caller), -EFAULT when the slot's memory is gone, -ENOMEM.
 * Context: process context of the VM's mm, may sleep; takes
 * vm->slots_lock, then mmu_lock.
 */
int hvmm_ept_map(struct hvmm_vm *vm, u64 gpa, bool write)
{
	struct hvmm_vmx_vm *vvm = vm->vmx;
	struct hvmm_memslot *slot;
	unsigned long hva, seq, gfn = gpa >> PAGE_SHIFT;
	bool slot_rw, writable;
	struct page *page;
	u64 prot, *e;
	int ret;

	if (gpa >> boot_cpu_data.x86_phys_bits)
		return -ENOENT;
	mutex_lock(&vm->slots_lock);
	slot = hvmm_memslot_find(vm, gfn);
	if (slot && slot->id >= HVMM_USER_MEM_SLOTS)
		slot = NULL;
	slot_rw = slot && !(slot->flags & KVM_MEM_READONLY);
	if (!slot || (write && !slot_rw)) {
		ret = -ENOENT;
		goto out;
	}
	/* Allocate now: reclaim may enter the notifier, which takes mmu_lock. */
	ret = cache_topup(vvm);
	if (ret)
		goto out;

	/*
	 * Read the sequence before the page tables the lookup walks: an
	 * invalidation that starts after this either is still in progress
	 * or has moved the sequence when mmu_lock is taken below.
	 */
	seq = READ_ONCE(vvm->mmu_invalidate_seq);
	/* Pairs with the smp_wmb() in hvmm_mn_invalidate_range_end(). */
	smp_rmb();
	hva = slot->userspace_addr + ((gfn - slot->base_gfn) << PAGE_SHIFT);
	ret = hva_to_page(hva, write, slot_rw, &page, &writable);
	if (ret)
		goto out;

	spin_lock(&vvm->mmu_lock);
	if (invalidate_retry(vvm, seq, hva)) {
		/* The page may be on its way out: let the guest fault again. */
		ret = 0;
		goto out_unlock;
	}
	vvm->mapped[slot->id].hva = slot->userspace_addr;
	vvm->mapped[slot->id].npages = slot->npages;
	vvm->mapped[slot->id].base_gfn = slot->base_gfn;
	e = walk(vvm, gpa);
	if (!e) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	/* Another vCPU's writable entry for the same page: keep it dirty. */
	if (*e & VMX_EPT_WRITABLE_MASK)
		ept_set_page_dirty(entry_page(*e));
	prot = VMX_EPT_READABLE_MASK | VMX_EPT_EXECUTABLE_MASK;
	if (writable) {
		prot |= VMX_EPT_WRITABLE_MASK;
		ept_set_page_dirty(page);
	}
	/*
	 * A permission upgrade needs no INVEPT: the EPT violation that got
	 * us here invalidated this address's translations (SDM 28.4.3.1),
	 * and other CPUs holding the read-only one fault the same way.
	 */
	WRITE_ONCE(*e, page_to_phys(page) | prot | EPT_LEAF_MT);
	ret = 0;
out_unlock:
	spin_unlock(&vvm->mmu_lock);
	/*
	 * Drop the reference now, as KVM does: the notifier zaps the entry
	 * before the host's page table lets go of the page.
	 */
	put_page(page);
out:
	mutex_unlock(&vm->slots_lock);
	return ret;
}

/**
 * hvmm_vmx_slot_changed() - unmap a deleted or moved slot
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
	spin_lock(&vvm->mmu_lock);
	if (old->id < HVMM_USER_MEM_SLOTS)
		vvm->mapped[old->id].npages = 0;
	if (zap_gfns(vvm, old->base_gfn, old->base_gfn + old->npages - 1))
		flush_all_cpus();
	spin_unlock(&vvm->mmu_lock);
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

/**
 * hvmm_ept_destroy() - free the EPT of a VM that no vCPU runs any more
 * @vvm: the VM's backend state
 *
 * Unregistering the notifier runs its release (every entry zapped,
 * writable pages marked dirty) unless the process's exit already did.
 * Context: process context, may sleep.
 */
void hvmm_ept_destroy(struct hvmm_vmx_vm *vvm)
{
	if (!vvm->ept_root)
		return;
	if (vvm->mn_registered)
		mmu_notifier_unregister(&vvm->mn, vvm->vm->mm);
	/* The root may be reused by the next VM: no stale translations. */
	flush_all_cpus();
	free_table(vvm->ept_root, EPT_LEVELS);
	vvm->ept_root = NULL;
	while (vvm->nr_cache)
		free_page((unsigned long)vvm->cache[--vvm->nr_cache]);
}
