// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_USER_MEMORY_REGION on a VM fd: the kernel half of memslot.c.
 */
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/uaccess.h>
#include "core.h"
#include "../vmx/vmx.h"

/**
 * hvmm_vm_set_memory_region() - add, move or delete a memory slot
 * @vm:  the VM
 * @mem: the request, already copied from userspace
 *
 * Context: process context of the VM's creator; takes vm->slots_lock.
 * Return: 0 or a negative errno, exactly as KVM (see memslot.c).
 */
int hvmm_vm_set_memory_region(struct hvmm_vm *vm,
			      const struct kvm_userspace_memory_region *mem)
{
	struct hvmm_memslot new, old;
	enum hvmm_mr_change change;
	int r;

	BUILD_BUG_ON(HVMM_MEM_PAGE_SHIFT != PAGE_SHIFT);

	/* Guest memory is read with __xxx_user() later: a user range only. */
	if (mem->userspace_addr != untagged_addr(mem->userspace_addr) ||
	    !access_ok((void __user *)(unsigned long)mem->userspace_addr,
		       mem->memory_size))
		return -EINVAL;

	mutex_lock(&vm->slots_lock);
	r = hvmm_memslot_prepare(vm->slots, mem, &new, &change);
	if (r)
		goto out;
	if (change == HVMM_MR_DELETE || change == HVMM_MR_MOVE) {
		/* The backend drops the EPT entries of the old extent. */
		old = vm->slots[new.id];
		hvmm_vmx_slot_changed(vm, &old);
	}
	hvmm_memslot_commit(vm->slots, &new, change);
out:
	mutex_unlock(&vm->slots_lock);
	return r;
}

/* VM teardown: let the backend release every slot still in use. */
void hvmm_vm_free_memslots(struct hvmm_vm *vm)
{
	int i;

	mutex_lock(&vm->slots_lock);
	for (i = 0; i < HVMM_USER_MEM_SLOTS; i++) {
		struct hvmm_memslot old = vm->slots[i];

		if (!old.npages)
			continue;
		hvmm_vmx_slot_changed(vm, &old);
		vm->slots[i].npages = 0;
	}
	mutex_unlock(&vm->slots_lock);
}

/**
 * hvmm_memslot_find() - the slot that maps a guest frame
 * @vm:  the VM
 * @gfn: guest frame number
 *
 * Context: vm->slots_lock held (or the backend's EPT lock, see hvmm.h).
 * Return: the slot, or NULL when @gfn is not guest memory.
 */
struct hvmm_memslot *hvmm_memslot_find(struct hvmm_vm *vm, gfn_t gfn)
{
	return hvmm_memslot_lookup(vm->slots, gfn);
}
