/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmm core objects: VMs, vCPUs and memory slots.  Kernel-only.
 *
 * Ownership: src/core/ creates and destroys these objects and implements
 * the /dev/hvmm, VM-fd and vCPU-fd ioctls.  The VT-x backend (src/vmx/,
 * interface in src/vmx/vmx.h) keeps its own per-VM and per-vCPU state
 * behind the @vmx pointers and never frees core objects.
 *
 * Lifetimes (as in KVM): a VM lives while its fd, any of its vCPU fds or
 * any mapping of a vCPU's run page is open; every such file pins the
 * module.  vCPUs are only destroyed together with their VM, so a vCPU
 * pointer taken from vm->vcpus[] stays valid for the VM's lifetime.
 */
#ifndef HVMM_CORE_HVMM_H
#define HVMM_CORE_HVMM_H

#include <linux/kvm.h>
#include <linux/kvm_types.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/mm_types.h>
#include <linux/types.h>
#include "memslot.h"

#define HVMM_API_VERSION	12	/* KVM_API_VERSION */
#define HVMM_MAX_VCPUS		16	/* KVM_CAP_MAX_VCPUS */
/* vCPU ids are 0 .. HVMM_MAX_VCPU_ID - 1 (KVM_CAP_MAX_VCPU_ID, as KVM) */
#define HVMM_MAX_VCPU_ID	256
#define HVMM_MAX_CPUID_ENTRIES	256	/* KVM_MAX_CPUID_ENTRIES */
/* kvm_run at page 0, string-I/O data at page KVM_PIO_PAGE_OFFSET */
#define HVMM_VCPU_MMAP_PAGES	2

/*
 * Exit statistics, one u64 per counter and vCPU; each is also a debugfs
 * file (Documentation/abi.md).  Only the vCPU's own KVM_RUN writes them
 * (vcpu->mutex held), so plain increments are enough.  Who counts what:
 * - hvmm_stat_exit(), called by the backend once per VM exit with the
 *   exit reason, counts @exits, the per-reason histogram and every
 *   counter named after an exit reason (io_exits ... other_exits);
 * - the backend itself counts mmio_exits (an EPT violation it emulated
 *   as MMIO) and irq_injections: vcpu->stat.mmio_exits++;
 * - the core counts signal_exits and userspace_exits around KVM_RUN.
 * Names follow KVM's where KVM has the counter.  A new counter needs a
 * line here and one in stats.c's hvmm_stat_names[] (checked at build).
 */
struct hvmm_vcpu_stat {
	u64 exits;		/* every VM exit */
	u64 io_exits;		/* I/O instruction */
	u64 mmio_exits;		/* EPT violation emulated as MMIO */
	u64 halt_exits;		/* HLT */
	u64 cpuid_exits;	/* CPUID */
	u64 msr_exits;		/* RDMSR and WRMSR */
	u64 cr_exits;		/* control-register access */
	u64 irq_exits;		/* external interrupt */
	u64 irq_window_exits;	/* interrupt window */
	u64 nmi_exits;		/* exception or NMI */
	u64 ept_violation_exits;	/* EPT violation (MMIO or not) */
	u64 ept_misconfig_exits;	/* EPT misconfiguration */
	u64 triple_fault_exits;	/* triple fault: KVM_EXIT_SHUTDOWN */
	u64 other_exits;	/* any reason not counted above */
	u64 signal_exits;	/* KVM_RUN ended by a signal (core) */
	u64 userspace_exits;	/* KVM_RUN returned 0 to userspace (core) */
	u64 irq_injections;	/* interrupts injected */
	/*
	 * The io bus (src/core/iobus.c, devices.c): guest port and MMIO
	 * accesses an in-kernel device handled, per device, and those that
	 * went to userspace.  One per hvmm_core_pio()/hvmm_core_mmio() call.
	 */
	u64 pio_kernel_pic;	/* 0x20-0x21, 0xa0-0xa1, 0x4d0-0x4d1 */
	u64 pio_kernel_pit;	/* 0x40-0x43, 0x61 */
	u64 pio_kernel_i8042;	/* 0x60, 0x64 */
	u64 pio_user;		/* KVM_EXIT_IO to the KVM_RUN caller */
	u64 mmio_kernel;	/* MMIO handled by an in-kernel device */
	u64 mmio_user;		/* KVM_EXIT_MMIO to the KVM_RUN caller */
};

#define HVMM_NR_VCPU_STATS \
	(sizeof(struct hvmm_vcpu_stat) / sizeof(u64))
/* Basic exit reasons 0..HVMM_NR_EXIT_REASONS-1 (SDM vol. 3 app. C) */
#define HVMM_NR_EXIT_REASONS	80

struct hvmm_vmx_vm;
struct hvmm_vmx_vcpu;
struct hvmm_vm_devs;
struct dentry;

/* debugfs private data: one per counter file of a VM */
struct hvmm_stat_file {
	struct hvmm_vm *vm;
	u32 index;		/* into stats.c's counter table */
};

struct hvmm_vm {
	struct kref kref;
	struct mm_struct *mm;	/* the creator's mm: memslots point into it */

	/*
	 * slots_lock serialises memslot changes against each other and
	 * against vCPU creation.  The backend reads @slots under it, or
	 * under its own EPT lock after hvmm_vmx_slot_changed() told it.
	 * Slot i holds KVM slot id i; npages == 0 means unused.
	 */
	struct mutex slots_lock;
	struct hvmm_memslot slots[HVMM_USER_MEM_SLOTS];

	struct mutex lock;	/* vcpus[], nr_vcpus, tss_addr */
	struct hvmm_vcpu *vcpus[HVMM_MAX_VCPUS];	/* creation order */
	int nr_vcpus;
	u64 tss_addr;		/* KVM_SET_TSS_ADDR; unused with URG */

	struct hvmm_vmx_vm *vmx;

	/*
	 * In-kernel devices and io bus (src/core/devices.h): allocated by
	 * the first device ioctl, published with smp_store_release() under
	 * @lock, read with smp_load_acquire(); freed with the VM.
	 */
	struct hvmm_vm_devs *devs;

	/* core-private */
	struct list_head node;	/* hvmm_vm_list, under hvmm_vm_list_lock */
	struct dentry *debugfs;
	struct hvmm_stat_file stat_files[HVMM_NR_VCPU_STATS];
};

struct hvmm_vcpu {
	struct hvmm_vm *vm;
	u32 id;			/* KVM_CREATE_VCPU argument */
	struct mutex mutex;	/* one ioctl at a time, as in KVM */
	struct kvm_run *run;	/* the page userspace mmaps at offset 0 */
	/*
	 * The page userspace mmaps at KVM_PIO_PAGE_OFFSET * PAGE_SIZE: the
	 * backend puts IN/OUT (string) data here and sets
	 * run->io.data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE, as KVM does.
	 */
	void *pio_data;
	struct hvmm_vmx_vcpu *vmx;

	struct hvmm_vcpu_stat stat;	/* written by the backend */
	u64 exit_reasons[HVMM_NR_EXIT_REASONS];
};

void hvmm_stat_exit(struct hvmm_vcpu *vcpu, u32 exit_reason);

/* Return the slot holding @gfn, or NULL.  Caller holds vm->slots_lock. */
struct hvmm_memslot *hvmm_memslot_find(struct hvmm_vm *vm, gfn_t gfn);

#endif /* HVMM_CORE_HVMM_H */
