// SPDX-License-Identifier: GPL-2.0
/*
 * Validation and bookkeeping of KVM_SET_USER_MEMORY_REGION requests,
 * shared by hvmm.ko and the host unit tests (see memslot.h).
 *
 * Every check and every errno mirrors KVM 6.1's __kvm_set_memory_region()
 * so that a program written for /dev/kvm sees the same answers here;
 * Documentation/virt/kvm/api.rst, section 4.35, is the contract.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#endif
#include "memslot.h"

static bool ranges_overlap(gfn_t a, u64 na, gfn_t b, u64 nb)
{
	return a < b + nb && b < a + na;
}

/* KVM's kvm_check_memslot_overlap(): any *other* slot in the range? */
static bool overlaps_other(const struct hvmm_memslot *slots, u32 id,
			   gfn_t base, u64 npages)
{
	u32 i;

	for (i = 0; i < HVMM_USER_MEM_SLOTS; i++) {
		if (i == id || !slots[i].npages)
			continue;
		if (ranges_overlap(base, npages, slots[i].base_gfn,
				   slots[i].npages))
			return true;
	}
	return false;
}

static u64 total_pages(const struct hvmm_memslot *slots)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < HVMM_USER_MEM_SLOTS; i++)
		sum += slots[i].npages;
	return sum;
}

/**
 * hvmm_memslot_prepare() - validate a KVM_SET_USER_MEMORY_REGION request
 * @slots:  the VM's HVMM_USER_MEM_SLOTS slots, indexed by slot id
 * @mem:    the request as userspace passed it
 * @new:    on success, the slot as it will be after the change
 * @change: on success, what the request does
 *
 * Does not check that userspace_addr is a user address (access_ok): the
 * kernel caller does that first, as KVM does.  Changes nothing.
 *
 * Return: 0, -EINVAL for a malformed request, for an unknown flag, for
 * an address space other than 0, for deleting an empty slot, or for
 * changing the size, address or KVM_MEM_READONLY of a live slot; -EEXIST
 * when the new range overlaps another slot.
 */
int hvmm_memslot_prepare(const struct hvmm_memslot *slots,
			 const struct kvm_userspace_memory_region *mem,
			 struct hvmm_memslot *new, enum hvmm_mr_change *change)
{
	const struct hvmm_memslot *old;
	u32 as_id = mem->slot >> 16;
	u32 id = (u16)mem->slot;
	u64 npages;
	gfn_t base_gfn;

	/* kvm_vm_ioctl_set_memory_region() */
	if (id >= HVMM_USER_MEM_SLOTS)
		return -EINVAL;
	/* check_memory_region_flags() */
	if (mem->flags & ~HVMM_MEM_VALID_FLAGS)
		return -EINVAL;
	/* General sanity checks: everything page aligned, nothing wraps. */
	if ((mem->memory_size & (HVMM_MEM_PAGE_SIZE - 1)) ||
	    mem->memory_size != (unsigned long)mem->memory_size)
		return -EINVAL;
	if (mem->guest_phys_addr & (HVMM_MEM_PAGE_SIZE - 1))
		return -EINVAL;
	if ((mem->userspace_addr & (HVMM_MEM_PAGE_SIZE - 1)) ||
	    mem->userspace_addr != (unsigned long)mem->userspace_addr)
		return -EINVAL;
	/* hvmm has no SMM, so only address space 0 (KVM: as_id < 2) */
	if (as_id != 0)
		return -EINVAL;
	if (mem->guest_phys_addr + mem->memory_size < mem->guest_phys_addr)
		return -EINVAL;
	if ((mem->memory_size >> HVMM_MEM_PAGE_SHIFT) > HVMM_MEM_MAX_NR_PAGES)
		return -EINVAL;

	old = &slots[id];
	if (!mem->memory_size) {
		/* KVM 6.1: deleting a slot that does not exist is -EINVAL */
		if (!old->npages)
			return -EINVAL;
		*new = *old;
		new->npages = 0;
		*change = HVMM_MR_DELETE;
		return 0;
	}

	base_gfn = mem->guest_phys_addr >> HVMM_MEM_PAGE_SHIFT;
	npages = mem->memory_size >> HVMM_MEM_PAGE_SHIFT;

	if (!old->npages) {
		/* The total must fit an unsigned long, as in KVM. */
		if ((unsigned long)(total_pages(slots) + npages) <
		    (unsigned long)total_pages(slots))
			return -EINVAL;
		*change = HVMM_MR_CREATE;
	} else {
		/* A live slot may move or change flags, nothing else. */
		if (mem->userspace_addr != old->userspace_addr ||
		    npages != old->npages ||
		    ((mem->flags ^ old->flags) & KVM_MEM_READONLY))
			return -EINVAL;
		if (base_gfn != old->base_gfn)
			*change = HVMM_MR_MOVE;
		else if (mem->flags != old->flags)
			*change = HVMM_MR_FLAGS_ONLY;
		else
			*change = HVMM_MR_NONE;
	}

	if ((*change == HVMM_MR_CREATE || *change == HVMM_MR_MOVE) &&
	    overlaps_other(slots, id, base_gfn, npages))
		return -EEXIST;

	new->id = id;
	new->flags = mem->flags;
	new->base_gfn = base_gfn;
	new->npages = npages;
	new->userspace_addr = mem->userspace_addr;
	return 0;
}

/**
 * hvmm_memslot_commit() - apply a change hvmm_memslot_prepare() accepted
 * @slots:  the VM's slots, indexed by id
 * @new:    the slot prepared for @change
 * @change: what hvmm_memslot_prepare() returned
 */
void hvmm_memslot_commit(struct hvmm_memslot *slots,
			 const struct hvmm_memslot *new,
			 enum hvmm_mr_change change)
{
	struct hvmm_memslot *slot;

	if (new->id >= HVMM_USER_MEM_SLOTS)
		return;
	slot = &slots[new->id];
	switch (change) {
	case HVMM_MR_DELETE:
		memset(slot, 0, sizeof(*slot));
		slot->id = new->id;
		break;
	case HVMM_MR_CREATE:
	case HVMM_MR_MOVE:
	case HVMM_MR_FLAGS_ONLY:
		*slot = *new;
		break;
	case HVMM_MR_NONE:
		break;
	}
}

/**
 * hvmm_memslot_lookup() - find the slot that maps a guest frame
 * @slots: the VM's slots, indexed by id
 * @gfn:   guest physical frame number
 *
 * Slots never overlap, so at most one matches.
 *
 * Return: the slot, or NULL when @gfn is not backed by memory.
 */
struct hvmm_memslot *hvmm_memslot_lookup(struct hvmm_memslot *slots,
					 gfn_t gfn)
{
	u32 i;

	for (i = 0; i < HVMM_USER_MEM_SLOTS; i++) {
		struct hvmm_memslot *s = &slots[i];

		if (s->npages && gfn >= s->base_gfn &&
		    gfn - s->base_gfn < s->npages)
			return s;
	}
	return NULL;
}
