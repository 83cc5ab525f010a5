/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory slot bookkeeping for KVM_SET_USER_MEMORY_REGION.
 *
 * Pure logic, free of kernel services, so that the very same memslot.c
 * builds into hvmm.ko and into the host unit tests
 * (tests/unit/memslot_test.c).  The ioctl glue that needs access_ok(),
 * locks and the VT-x backend lives in memslot_ioctl.c.
 *
 * The rules are those of KVM 6.1, virt/kvm/kvm_main.c:
 * kvm_vm_ioctl_set_memory_region(), check_memory_region_flags() and
 * __kvm_set_memory_region(), for a VM with a single address space.
 */
#ifndef HVMM_CORE_MEMSLOT_H
#define HVMM_CORE_MEMSLOT_H

#ifdef __KERNEL__
#include <linux/kvm.h>
#include <linux/kvm_types.h>
#include <linux/types.h>
#else
#include "../devices/platform.h"
typedef u64 gfn_t;
#endif

#define HVMM_USER_MEM_SLOTS	32	/* KVM_CAP_NR_MEMSLOTS */
#define HVMM_MEM_PAGE_SHIFT	12	/* x86: PAGE_SHIFT */
#define HVMM_MEM_PAGE_SIZE	(1ULL << HVMM_MEM_PAGE_SHIFT)
/* KVM_MEM_MAX_NR_PAGES: dirty bitmaps are indexed with an int. */
#define HVMM_MEM_MAX_NR_PAGES	((1ULL << 31) - 1)
/*
 * KVM_MEM_* flags hvmm implements; anything else is -EINVAL.  Read-only
 * slots are mapped without write permission in EPT and a guest write
 * exits to userspace as KVM_EXIT_MMIO (KVM_CAP_READONLY_MEM).  Dirty
 * logging is not implemented.
 */
#define HVMM_MEM_VALID_FLAGS	KVM_MEM_READONLY

/* One KVM_SET_USER_MEMORY_REGION slot (address space 0 only). */
struct hvmm_memslot {
	u32 id;
	u32 flags;		/* KVM_MEM_* */
	gfn_t base_gfn;
	unsigned long npages;	/* 0: slot unused */
	unsigned long userspace_addr;
};

/* What a valid request does to its slot; KVM's enum kvm_mr_change. */
enum hvmm_mr_change {
	HVMM_MR_NONE,		/* identical to the current slot: no-op */
	HVMM_MR_CREATE,
	HVMM_MR_DELETE,
	HVMM_MR_MOVE,		/* same size and address, new base_gfn */
	HVMM_MR_FLAGS_ONLY,
};

int hvmm_memslot_prepare(const struct hvmm_memslot *slots,
			 const struct kvm_userspace_memory_region *mem,
			 struct hvmm_memslot *new, enum hvmm_mr_change *change);
void hvmm_memslot_commit(struct hvmm_memslot *slots,
			 const struct hvmm_memslot *new,
			 enum hvmm_mr_change change);
struct hvmm_memslot *hvmm_memslot_lookup(struct hvmm_memslot *slots,
					 gfn_t gfn);

#endif /* HVMM_CORE_MEMSLOT_H */
