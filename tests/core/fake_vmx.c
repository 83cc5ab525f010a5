// SPDX-License-Identifier: GPL-2.0
/*
 * A fake VT-x backend implementing src/vmx/vmx.h without touching VMX,
 * so that everything src/core/ does (fds, lifetimes, memslots, mmap,
 * ioctl argument handling, statistics, unload) can be exercised in QEMU
 * TCG, where there is no VT-x.  Built only by tests/core/run.sh
 * into a throw-away module; never part of hvmm.ko.
 *
 * Behaviour core_test.c relies on:
 * - KVM_RUN: -EINTR if run->immediate_exit (exit_reason untouched, as
 *   KVM); else one KVM_EXIT_IO OUT of 1 byte to port 0x3f8 per call, the
 *   byte ('A', 'B', ...) in the PIO page, counted as an I/O exit (basic
 *   exit reason 30); with RAX == 0x4a17 a KVM_EXIT_HLT (reason 12)
 *   instead; with RAX == 0xdead it waits for a signal and returns
 *   -EINTR / KVM_EXIT_INTR.
 * - registers are stored and returned; KVM_SET_SREGS refuses CR0.PG
 *   without CR0.PE (-EINVAL); KVM_GET_SUPPORTED_CPUID returns 3 leaves.
 * - it checks the core's locking and pairing with WARN_ON: a splat on
 *   the console fails the run.
 */
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "../../vmx/vmx.h"

#define FAKE_CPUID_LEAVES	3
#define FAKE_WAIT_RAX		0xdead
#define FAKE_HLT_RAX		0x4a17

struct hvmm_vmx_vcpu {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	u8 next_byte;
	u32 pending_irq;	/* vector + 1; 0: none */
};

struct hvmm_vmx_vm {
	u64 released_pages;
};

static bool fake_enabled;
static int fake_vms;

void hvmm_vmx_probe(void)
{
	pr_info("hvmm: fake VT-x backend (testing only)\n");
}

int hvmm_vmx_enable(void)
{
	WARN_ON(fake_enabled);
	fake_enabled = true;
	return 0;
}

void hvmm_vmx_disable(void)
{
	WARN_ON(!fake_enabled || fake_vms);
	fake_enabled = false;
}

int hvmm_vmx_vm_init(struct hvmm_vm *vm)
{
	WARN_ON(!fake_enabled);
	vm->vmx = kzalloc(sizeof(*vm->vmx), GFP_KERNEL);
	if (!vm->vmx)
		return -ENOMEM;
	fake_vms++;
	return 0;
}

void hvmm_vmx_vm_destroy(struct hvmm_vm *vm)
{
	int i;

	/* The core released every slot before. */
	for (i = 0; i < HVMM_USER_MEM_SLOTS; i++)
		WARN_ON(vm->slots[i].npages);
	pr_info("hvmm-fake: VM destroyed, %llu slot pages released\n",
		vm->vmx->released_pages);
	kfree(vm->vmx);
	vm->vmx = NULL;
	fake_vms--;
}

void hvmm_vmx_slot_changed(struct hvmm_vm *vm, const struct hvmm_memslot *old)
{
	lockdep_assert_held(&vm->slots_lock);
	WARN_ON(!old->npages || old->id >= HVMM_USER_MEM_SLOTS);
	/* @old is the slot as it was, still present in vm->slots[]. */
	WARN_ON(memcmp(old, &vm->slots[old->id], sizeof(*old)));
	vm->vmx->released_pages += old->npages;
	pr_info("hvmm-fake: slot %u gfn %#llx npages %lu released\n",
		old->id, old->base_gfn, old->npages);
}

int hvmm_vmx_vcpu_create(struct hvmm_vcpu *vcpu)
{
	WARN_ON(!vcpu->run || !vcpu->pio_data || !vcpu->vm);
	vcpu->vmx = kzalloc(sizeof(*vcpu->vmx), GFP_KERNEL);
	return vcpu->vmx ? 0 : -ENOMEM;
}

void hvmm_vmx_vcpu_destroy(struct hvmm_vcpu *vcpu)
{
	kfree(vcpu->vmx);
	vcpu->vmx = NULL;
}

int hvmm_vmx_vcpu_run(struct hvmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct hvmm_vmx_vcpu *f = vcpu->vmx;

	lockdep_assert_held(&vcpu->mutex);
	/* After completing the last exit (nothing to do here), as KVM. */
	if (READ_ONCE(run->immediate_exit))
		return -EINTR;
	if (f->regs.rax == FAKE_WAIT_RAX) {
		while (!signal_pending(current))
			schedule_timeout_interruptible(HZ / 100);
	}
	if (signal_pending(current)) {
		run->exit_reason = KVM_EXIT_INTR;
		return -EINTR;
	}
	if (f->regs.rax == FAKE_HLT_RAX) {
		hvmm_stat_exit(vcpu, 12);	/* HLT */
		run->exit_reason = KVM_EXIT_HLT;
		return 0;
	}
	hvmm_stat_exit(vcpu, 30);	/* IO_INSTRUCTION */
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = KVM_EXIT_IO_OUT;
	run->io.size = 1;
	run->io.port = 0x3f8;
	run->io.count = 1;
	run->io.data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE;
	*(u8 *)vcpu->pio_data = 'A' + f->next_byte++ % 26;
	return 0;
}

int hvmm_vmx_get_regs(struct hvmm_vcpu *vcpu, struct kvm_regs *regs)
{
	*regs = vcpu->vmx->regs;
	return 0;
}

int hvmm_vmx_set_regs(struct hvmm_vcpu *vcpu, const struct kvm_regs *regs)
{
	vcpu->vmx->regs = *regs;
	return 0;
}

int hvmm_vmx_get_sregs(struct hvmm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	*sregs = vcpu->vmx->sregs;
	return 0;
}

int hvmm_vmx_set_sregs(struct hvmm_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	/* X86_CR0_PG without X86_CR0_PE is invalid (SDM vol. 3A 2.5) */
	if ((sregs->cr0 & 0x80000000) && !(sregs->cr0 & 1))
		return -EINVAL;
	vcpu->vmx->sregs = *sregs;
	return 0;
}

int hvmm_vmx_get_supported_cpuid(struct kvm_cpuid2 *cpuid, u32 max_entries,
				 struct kvm_cpuid_entry2 *entries)
{
	u32 i;

	if (max_entries < FAKE_CPUID_LEAVES)
		return -E2BIG;
	for (i = 0; i < FAKE_CPUID_LEAVES; i++) {
		memset(&entries[i], 0, sizeof(entries[i]));
		entries[i].function = i;
		entries[i].eax = 0x100 + i;
	}
	cpuid->nent = FAKE_CPUID_LEAVES;
	return 0;
}

int hvmm_vmx_set_cpuid(struct hvmm_vcpu *vcpu, u32 nent,
		       const struct kvm_cpuid_entry2 *entries)
{
	WARN_ON(nent > HVMM_MAX_CPUID_ENTRIES || (nent && !entries));
	return 0;
}

int hvmm_vmx_queue_interrupt(struct hvmm_vcpu *vcpu, u32 irq)
{
	WARN_ON(irq >= 256);
	if (vcpu->vmx->pending_irq)
		return -ENXIO;
	vcpu->vmx->pending_irq = irq + 1;
	vcpu->stat.irq_injections++;
	return 0;
}

/* The fake never enters a guest, so there is no vCPU to wake or IPI. */
void hvmm_vmx_vcpu_kick(struct hvmm_vcpu *vcpu)
{
}
