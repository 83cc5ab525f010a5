/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmm core objects: VMs, vCPUs and memory slots.  Kernel-only.
 *
 * Ownership: src/core/ creates and destroys these objects and implements
 * the /dev/hvmm, VM-fd and vCPU-fd ioctls.  The VT-x backend (src/vmx/,
 * interface in src/vmx/vmx.h) keeps its own per-VM and per-vCPU state
 * behind the @vmx pointers and never frees core objects.
 */
#ifndef HVMM_CORE_HVMM_H
#define HVMM_CORE_HVMM_H

#include <linux/kvm.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/mm_types.h>
#include <linux/types.h>

#define HVMM_API_VERSION	12	/* KVM_API_VERSION */
#define HVMM_MAX_VCPUS		16
#define HVMM_MAX_VCPU_ID	HVMM_MAX_VCPUS
#define HVMM_USER_MEM_SLOTS	32	/* KVM_CAP_NR_MEMSLOTS */

struct hvmm_vmx_vm;
struct hvmm_vmx_vcpu;

/* One KVM_SET_USER_MEMORY_REGION slot (address space 0 only). */
struct hvmm_memslot {
	u32 id;
	u32 flags;		/* KVM_MEM_* */
	gfn_t base_gfn;
	unsigned long npages;	/* 0: slot unused */
	unsigned long userspace_addr;
};

struct hvmm_vm {
	struct kref kref;
	struct mm_struct *mm;	/* the creator's mm: memslots point into it */

	/*
	 * slots_lock serialises memslot changes against each other and
	 * against vCPU creation.  The backend reads @slots under it, or
	 * under its own EPT lock after hvmm_vmx_slot_changed() told it.
	 */
	struct mutex slots_lock;
	struct hvmm_memslot slots[HVMM_USER_MEM_SLOTS];

	struct mutex lock;	/* vcpus[], nr_vcpus */
	struct hvmm_vcpu *vcpus[HVMM_MAX_VCPUS];
	int nr_vcpus;

	struct hvmm_vmx_vm *vmx;
	struct dentry *debugfs;
};

struct hvmm_vcpu {
	struct hvmm_vm *vm;
	u32 id;
	struct mutex mutex;	/* one ioctl at a time, as in KVM */
	struct kvm_run *run;	/* the page userspace mmaps at offset 0 */
	struct hvmm_vmx_vcpu *vmx;
};

/* Return the slot holding @gfn, or NULL.  Caller holds vm->slots_lock. */
struct hvmm_memslot *hvmm_memslot_find(struct hvmm_vm *vm, gfn_t gfn);

#endif /* HVMM_CORE_HVMM_H */
