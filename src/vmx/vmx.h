/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VT-x backend as src/core/ sees it.  Everything that knows about
 * VMX, VMCS fields, EPT or guest instruction decoding lives behind this
 * interface in src/vmx/.  All functions return 0 or a negative errno.
 */
#ifndef HVMM_VMX_VMX_H
#define HVMM_VMX_VMX_H

#include "../core/hvmm.h"

/*
 * Module load: probe the CPU.  Missing VT-x, disabled IA32_FEATURE_CONTROL,
 * no EPT or no unrestricted guest do not fail the load; they make
 * hvmm_vmx_enable() fail with -EOPNOTSUPP and print one line saying which.
 */
void hvmm_vmx_probe(void);

/*
 * First VM created: VMXON on every online CPU (and on CPUs that come
 * online later).  -EBUSY when another hypervisor already owns VMX
 * (CR4.VMXE set), -EOPNOTSUPP when the CPU lacks what hvmm needs.
 * Reference counted: hvmm_vmx_disable() on the last VM's destruction.
 * Context: process context, may sleep.
 */
int hvmm_vmx_enable(void);
void hvmm_vmx_disable(void);

int hvmm_vmx_vm_init(struct hvmm_vm *vm);
void hvmm_vmx_vm_destroy(struct hvmm_vm *vm);

/*
 * A memslot is being deleted or moved (@old is its previous extent):
 * drop its EPT mappings (on every CPU) before the core reuses it.
 * Context: vm->slots_lock held.
 */
void hvmm_vmx_slot_changed(struct hvmm_vm *vm, const struct hvmm_memslot *old);

int hvmm_vmx_vcpu_create(struct hvmm_vcpu *vcpu);
void hvmm_vmx_vcpu_destroy(struct hvmm_vcpu *vcpu);

/*
 * KVM_RUN: complete the previous exit to userspace (IN data, MMIO read
 * data), then run the guest until an exit that userspace must see.
 * Returns 0 with vcpu->run->exit_reason set, -EINTR with KVM_EXIT_INTR when
 * a signal is pending, or another negative errno.
 * Context: vcpu->mutex held, process context.
 */
int hvmm_vmx_vcpu_run(struct hvmm_vcpu *vcpu);

int hvmm_vmx_get_regs(struct hvmm_vcpu *vcpu, struct kvm_regs *regs);
int hvmm_vmx_set_regs(struct hvmm_vcpu *vcpu, const struct kvm_regs *regs);
int hvmm_vmx_get_sregs(struct hvmm_vcpu *vcpu, struct kvm_sregs *sregs);
int hvmm_vmx_set_sregs(struct hvmm_vcpu *vcpu, const struct kvm_sregs *sregs);

/* KVM_GET_SUPPORTED_CPUID / KVM_SET_CPUID2; -E2BIG as KVM does. */
int hvmm_vmx_get_supported_cpuid(struct kvm_cpuid2 *cpuid, u32 max_entries,
				 struct kvm_cpuid_entry2 *entries);
int hvmm_vmx_set_cpuid(struct hvmm_vcpu *vcpu, u32 nent,
		       const struct kvm_cpuid_entry2 *entries);

/* KVM_INTERRUPT: queue @irq for injection (userspace irqchip only). */
int hvmm_vmx_queue_interrupt(struct hvmm_vcpu *vcpu, u32 irq);

/*
 * In-kernel irqchip (KVM_CREATE_IRQCHIP): something raised the interrupt
 * line @vcpu listens to.  Wakes the vCPU if it halted in the kernel and
 * forces it out of guest mode (IPI) if it runs, so that it looks at
 * hvmm_core_irq_pending() before entering again.
 * Context: any, including hard interrupt (PIT timer) with locks held.
 */
void hvmm_vmx_vcpu_kick(struct hvmm_vcpu *vcpu);

/*
 * Implemented by src/core/ (devices.c, dev_pic.c), called by the backend:
 *
 * hvmm_core_pio() / hvmm_core_mmio(): offer a guest port / MMIO access of
 * @len bytes to the in-kernel io bus.  @data holds the value to write, or
 * receives the value read (little endian, @len bytes).  Return 0 when an
 * in-kernel device handled it (the backend completes the instruction and
 * resumes the guest), -EOPNOTSUPP when nothing in the kernel claims the
 * address (the backend exits to userspace with KVM_EXIT_IO/MMIO), or
 * another negative errno that KVM_RUN returns.  May sleep.
 *
 * hvmm_core_irqchip_in_kernel(): KVM_CREATE_IRQCHIP was done: HLT blocks
 * in the kernel (no KVM_EXIT_HLT) and interrupts come from
 * hvmm_core_irq_pending()/hvmm_core_irq_ack() instead of KVM_INTERRUPT.
 * hvmm_core_irq_pending(): the PIC's INT output towards @vcpu is high.
 * hvmm_core_irq_ack(): the INTA cycle: return the vector, or -1 if the
 * request went away.  Called only when the guest can take the interrupt.
 */
int hvmm_core_pio(struct hvmm_vcpu *vcpu, u16 port, u32 len, bool write,
		  void *data);
int hvmm_core_mmio(struct hvmm_vcpu *vcpu, u64 gpa, u32 len, bool write,
		   void *data);
bool hvmm_core_irqchip_in_kernel(struct hvmm_vm *vm);
/*
 * hvmm_core_exit_request(): checked between guest entries; true when an
 * in-kernel device needs this KVM_RUN to return (the i8042's reset line:
 * KVM_EXIT_SYSTEM_EVENT), with vcpu->run filled in.
 */
bool hvmm_core_exit_request(struct hvmm_vcpu *vcpu);
bool hvmm_core_irq_pending(struct hvmm_vcpu *vcpu);
int hvmm_core_irq_ack(struct hvmm_vcpu *vcpu);

#endif /* HVMM_VMX_VMX_H */
