// SPDX-License-Identifier: GPL-2.0
/*
 * VM and vCPU lifetimes and the KVM_RUN loop.
 *
 * A vCPU's VMCS follows its thread: while a vCPU ioctl runs, a preempt
 * notifier reloads the VMCS on whichever CPU the thread is scheduled on
 * (VMCLEAR on the old CPU first, vmcs.c), as KVM's vcpu_load does.  Each
 * trip into the guest happens with preemption and interrupts disabled;
 * between trips the loop honours signals (KVM_EXIT_INTR, -EINTR) and
 * need_resched, and exit handlers may sleep.
 *
 * VM exit leaves the host with VMX's idea of some state (SDM 27.5): GDTR
 * and IDTR limits 0xffff, TR limit 0x67, LDTR unusable, DS/ES/FS/GS
 * selectors from the VMCS.  What the kernel itself relies on comes back
 * at once (CR2, XCR0, DR7 with host breakpoints; GS.base, CR3, CR4 and
 * the IDT base from the VMCS); what only user space and the context
 * switch see is put back when the thread leaves KVM_RUN or is scheduled
 * out (host.c), as KVM does.
 */
#define pr_fmt(fmt) "hvmm: " fmt

#include <linux/kvm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/pkru.h>
#include <asm/fsgsbase.h>
#include <asm/mce.h>
#include <asm/nospec-branch.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/fpu/xcr.h>
#include "vmcs_ops.h"
#include "vmx_int.h"

static struct hvmm_vmx_vcpu *pn_to_vmx(struct preempt_notifier *pn)
{
	return container_of(pn, struct hvmm_vmx_vcpu, pn);
}

static void vmx_sched_in(struct preempt_notifier *pn, int cpu)
{
	struct hvmm_vmx_vcpu *vmx = pn_to_vmx(pn);

	hvmm_vmcs_load(&vmx->vmcs);
	vmx->host_debugctl = get_debugctlmsr();
	vmx->l1d_flush = true;
}

static void vmx_sched_out(struct preempt_notifier *pn,
			  struct task_struct *next)
{
	/* The context switch saves this task's selectors and bases. */
	hvmm_vmx_prepare_host(pn_to_vmx(pn));
}

static struct preempt_ops vmx_preempt_ops = {
	.sched_in = vmx_sched_in,
	.sched_out = vmx_sched_out,
};

/**
 * hvmm_vmx_vcpu_load() - make the vCPU's VMCS current, and keep it so
 * @vcpu: the vCPU, its mutex held
 *
 * Until hvmm_vmx_vcpu_put(), VMREAD/VMWRITE on this vCPU work even if the
 * thread sleeps or migrates in between.
 */
void hvmm_vmx_vcpu_load(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);

	preempt_disable();
	preempt_notifier_register(&vmx->pn);
	hvmm_vmcs_load(&vmx->vmcs);
	/* VM exit clears DEBUGCTL (SDM 28.5.1): what to put back, as KVM. */
	vmx->host_debugctl = get_debugctlmsr();
	preempt_enable();
}

void hvmm_vmx_vcpu_put(struct hvmm_vcpu *vcpu)
{
	preempt_disable();
	hvmm_vmx_prepare_host(to_vmx(vcpu));
	preempt_notifier_unregister(&to_vmx(vcpu)->pn);
	preempt_enable();
}

/**
 * hvmm_vmx_vm_init() - the backend's half of a new VM: its EPT
 * @vm: the VM being created; hvmm_vmx_enable() succeeded for it
 *
 * Return: 0 or -ENOMEM.
 */
int hvmm_vmx_vm_init(struct hvmm_vm *vm)
{
	struct hvmm_vmx_vm *vvm;
	int ret;

	if (!hvmm_vmx_caps.usable)
		return -EOPNOTSUPP;
	vvm = kzalloc(sizeof(*vvm), GFP_KERNEL_ACCOUNT);
	if (!vvm)
		return -ENOMEM;
	vvm->vm = vm;
	ret = hvmm_ept_init(vvm);
	if (ret) {
		kfree(vvm);
		return ret;
	}
	vm->vmx = vvm;
	return 0;
}

/**
 * hvmm_vmx_vm_destroy() - unmap all guest memory and free the EPT
 * @vm: the VM; all its vCPUs are already destroyed
 */
void hvmm_vmx_vm_destroy(struct hvmm_vm *vm)
{
	struct hvmm_vmx_vm *vvm = vm->vmx;

	if (!vvm)
		return;
	hvmm_ept_destroy(vvm);
	kfree(vvm);
	vm->vmx = NULL;
}

/**
 * hvmm_vmx_vcpu_create() - allocate and initialise a vCPU's VMCS
 * @vcpu: the new vCPU; vcpu->vm->vmx is set up
 *
 * Return: 0 or -ENOMEM; on error nothing is left allocated.
 */
int hvmm_vmx_vcpu_create(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx;
	int ret;

	if (!vcpu->vm->vmx)
		return -EINVAL;
	vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);
	if (!vmx)
		return -ENOMEM;
	vmx->vcpu = vcpu;
	vmx->last_cpu = -1;
	vmx->guest_cpu = -1;
	init_waitqueue_head(&vmx->wq);
	atomic_set(&vmx->kick, 0);
	ret = hvmm_vmcs_alloc(&vmx->vmcs);
	if (ret)
		goto free_vmx;
	if (!fpu_alloc_guest_fpstate(&vmx->fpu)) {
		ret = -ENOMEM;
		goto free_vmcs;
	}
	vmx->vpid = hvmm_vpid_alloc();
	vmx->flush_tlb = true;
	hvmm_vmx_cpuid_update(vmx);	/* no CPUID table yet: nothing offered */
	vcpu->vmx = vmx;
	preempt_notifier_inc();
	preempt_notifier_init(&vmx->pn, &vmx_preempt_ops);
	hvmm_vmx_vcpu_load(vcpu);
	hvmm_vmcs_setup(vmx);
	hvmm_vmx_vcpu_put(vcpu);
	return 0;

free_vmcs:
	hvmm_vmcs_free(&vmx->vmcs);
free_vmx:
	kfree(vmx);
	return ret;
}

void hvmm_vmx_vcpu_destroy(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);

	if (!vmx)
		return;
	hvmm_vmcs_free(&vmx->vmcs);
	hvmm_vpid_free(vmx->vpid);
	fpu_free_guest_fpstate(&vmx->fpu);
	kfree(vmx->cpuid);
	preempt_notifier_dec();
	kfree(vmx);
	vcpu->vmx = NULL;
}

static bool can_take_interrupt(void)
{
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	return (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF) &&
	       !(intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)) &&
	       !(vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK);
}

static void inject_irq(struct hvmm_vcpu *vcpu, u8 vector)
{
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD,
		     vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK);
	vcpu->stat.irq_injections++;
}

/**
 * hvmm_vmx_intr_window() - turn interrupt-window exiting on or off
 * @vmx: the vCPU, its VMCS current
 * @on: exit as soon as the guest can take an interrupt (SDM 25.2)
 *
 * The control is shadowed in @vmx and written only when it changes, as
 * KVM's exec_controls_set() does: no VMREAD/VMWRITE on every entry.
 */
void hvmm_vmx_intr_window(struct hvmm_vmx_vcpu *vmx, bool on)
{
	u32 ctrl = vmx->exec_ctrl;

	if (on)
		ctrl |= CPU_BASED_INTR_WINDOW_EXITING;
	else
		ctrl &= ~CPU_BASED_INTR_WINDOW_EXITING;
	if (ctrl != vmx->exec_ctrl) {
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, ctrl);
		vmx->exec_ctrl = ctrl;
	}
}

/*
 * Inject the interrupt that is waiting (KVM_INTERRUPT, or the in-kernel
 * PIC's), or ask for an exit as soon as the guest can take one
 * (interrupt-window exiting, SDM 25.2).
 *
 * The PIC is asked only when something may have changed since it last
 * said "nothing pending" (@irq_check): a new KVM_RUN, a kick, any exit
 * other than a port access.  A port access handled in the kernel that
 * raises the PIC's INT output kicks this vCPU like any other source
 * (dev_pic.c pic_output()), so no request is missed; this is KVM's
 * KVM_REQ_EVENT scheme, and it spares the PIC lock on the in-kernel
 * I/O fast path.  While something is pending, it is asked every time.
 */
static void inject_or_window(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	bool want_window = READ_ONCE(vcpu->run->request_interrupt_window);
	int vector;

	if (!vmx->irq_check && !want_window &&
	    !(vmx->exec_ctrl & CPU_BASED_INTR_WINDOW_EXITING))
		return;
	vmx->irq_check = false;
	if (hvmm_core_irqchip_in_kernel(vcpu->vm)) {
		if (hvmm_core_irq_pending(vcpu)) {
			vmx->irq_check = true;
			if (can_take_interrupt()) {
				vector = hvmm_core_irq_ack(vcpu);
				if (vector >= 0)
					inject_irq(vcpu, vector);
			} else {
				want_window = true;
			}
		}
	} else if (vmx->irq_pending) {
		vmx->irq_check = true;
		if (can_take_interrupt()) {
			inject_irq(vcpu, vmx->irq_vector);
			vmx->irq_pending = false;
		} else {
			want_window = true;
		}
	}
	hvmm_vmx_intr_window(vmx, want_window);
}

/**
 * hvmm_vmx_vcpu_kick() - make a vCPU look at its interrupt line again
 * @vcpu: the vCPU
 *
 * See vmx.h.  The flag is checked with interrupts disabled right before
 * VM entry, and the IPI ends guest mode: a kick is never lost between
 * the check and the entry (KVM's kvm_vcpu_kick() protocol).
 */
void hvmm_vmx_vcpu_kick(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	int cpu, me;

	if (!vmx)
		return;
	atomic_set(&vmx->kick, 1);
	/*
	 * The flag is visible before we look where the vCPU runs; pairs
	 * with the atomic_xchg() in enter_guest().
	 */
	smp_mb();
	wake_up_interruptible(&vmx->wq);
	cpu = READ_ONCE(vmx->guest_cpu);
	me = get_cpu();
	if (cpu >= 0 && cpu != me && cpu_online(cpu))
		smp_send_reschedule(cpu);
	put_cpu();
}

static bool exit_request(void)
{
	return need_resched() || signal_pending(current);
}

/*
 * A machine check hit the guest (exception bitmap bit 18): the host's
 * handler decides, with a frame that says "interrupted user mode, IF
 * on", as KVM's kvm_machine_check() builds it.
 */
static void machine_check(void)
{
#ifdef CONFIG_X86_MCE
	struct pt_regs regs = { .cs = 3, .flags = X86_EFLAGS_IF, };

	do_machine_check(&regs);
#endif
}

/* CR3 changes with the PCID generation, CR4 rarely: write on change. */
static void update_host_crs(struct hvmm_vmx_vcpu *vmx)
{
	unsigned long cr3 = __read_cr3(), cr4 = cr4_read_shadow();

	if (unlikely(cr3 != vmx->host_cr3)) {
		vmcs_writel(HOST_CR3, cr3);
		vmx->host_cr3 = cr3;
	}
	if (unlikely(cr4 != vmx->host_cr4)) {
		vmcs_writel(HOST_CR4, cr4);
		vmx->host_cr4 = cr4;
	}
}

/*
 * PKRU is not part of the FPU state fpu_swap_kvm_fpstate() loads
 * (XFEATURE_MASK_FPSTATE leaves it out), so the guest would run with the
 * VMM thread's PKRU and could change it with WRPKRU.  Swap it around the
 * entry whenever the guest could see it, as KVM's
 * kvm_load_guest_xsave_state() does.  Context: interrupts disabled.
 */
static bool guest_uses_pkru(struct hvmm_vmx_vcpu *vmx)
{
	return cpu_feature_enabled(X86_FEATURE_OSPKE) &&
	       ((vmx->xcr0 & XFEATURE_MASK_PKRU) ||
		(vmx->cr4_shadow & X86_CR4_PKE));
}

static void load_guest_pkru(struct hvmm_vmx_vcpu *vmx)
{
	if (!guest_uses_pkru(vmx))
		return;
	vmx->host_pkru = rdpkru();
	if (vmx->pkru != vmx->host_pkru)
		write_pkru(vmx->pkru);
}

static void load_host_pkru(struct hvmm_vmx_vcpu *vmx)
{
	if (!guest_uses_pkru(vmx))
		return;
	vmx->pkru = rdpkru();
	if (vmx->pkru != vmx->host_pkru)
		write_pkru(vmx->host_pkru);
}

/* One trip into the guest.  Context: preemption disabled. */
static int enter_guest(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	bool swap_xcr0;
	u32 reason;

	WRITE_ONCE(vmx->guest_cpu, smp_processor_id());
	/*
	 * Kickers see guest_cpu before we read the interrupt state (the
	 * xchg is a full barrier); a kick since the last entry means the
	 * PIC must be asked again.
	 */
	if (atomic_xchg(&vmx->kick, 0))
		vmx->irq_check = true;
	inject_or_window(vcpu);
	update_host_crs(vmx);
	if (!vmx->guest_state_loaded)	/* lazy: once per KVM_RUN, host.c */
		hvmm_vmx_prepare_guest(vmx);

	local_irq_disable();
	if (exit_request() || atomic_read(&vmx->kick)) {
		local_irq_enable();
		WRITE_ONCE(vmx->guest_cpu, -1);
		return -EAGAIN;
	}
	/*
	 * The thread slept or a softirq used the FPU since
	 * fpu_swap_kvm_fpstate() loaded the guest's registers: they now
	 * hold someone else's values.  Reload the guest's before entry,
	 * with interrupts off so nothing can take them again (KVM's
	 * vcpu_enter_guest() does the same).
	 */
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	swap_xcr0 = (vmx->cr4_shadow & X86_CR4_OSXSAVE) && hvmm_host_xcr0 &&
		    vmx->xcr0 != hvmm_host_xcr0;
	if (swap_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vmx->xcr0);
	load_guest_pkru(vmx);
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);
	if (vmx->flush_tlb) {
		hvmm_vpid_flush(vmx->vpid);
		vmx->flush_tlb = false;
	}
	hvmm_vmx_perf_switch(vmx);
	hvmm_vmx_l1d_flush(vmx);

	vmx->fail = __hvmm_vmx_vcpu_run(vmx->regs, vmx->vmcs.launched);

	WRITE_ONCE(vmx->guest_cpu, -1);
	/*
	 * VMSCAPE: the guest may have trained the branch predictor against
	 * this thread's user space; the host's policy flushes it (IBPB) on
	 * the way out to user mode.  Set on the CPU that ran the guest,
	 * before preemption could move us, as KVM does.
	 */
	if (cpu_feature_enabled(X86_FEATURE_IBPB_EXIT_TO_USER))
		this_cpu_write(x86_ibpb_exit_to_user, true);
	vmx->cr2 = native_read_cr2();
	load_host_pkru(vmx);
	if (swap_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, hvmm_host_xcr0);
	/* VM exit cleared DR7 (SDM 28.5.1): host breakpoints back, as KVM. */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	/*
	 * ... and DEBUGCTL: LBR, BTF and bus-lock detection would stay off
	 * on this CPU otherwise (KVM's vmx_vcpu_run()).
	 */
	if (vmx->host_debugctl)
		update_debugctlmsr(vmx->host_debugctl);
	vmx->last_cpu = smp_processor_id();

	if (vmx->fail) {
		vmx->exit_reason = 0;
	} else {
		vmx->exit_reason = vmcs_read32(VM_EXIT_REASON);
		reason = vmx->exit_reason;
		if (!(reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
			vmx->vmcs.launched = true;
		/*
		 * A machine check during VM entry (SDM 26.8) is the host's
		 * too, handled before anything else, as kvm_machine_check().
		 */
		if ((u16)reason == EXIT_REASON_MCE_DURING_VMENTRY)
			machine_check();
		/* A host NMI hit the guest: the host handles it, now. */
		if ((u16)reason == EXIT_REASON_EXCEPTION_NMI) {
			u32 info = vmcs_read32(VM_EXIT_INTR_INFO);

			if ((info & (INTR_INFO_VALID_MASK |
				     INTR_INFO_INTR_TYPE_MASK)) ==
			    (INTR_INFO_VALID_MASK | INTR_TYPE_NMI_INTR))
				hvmm_vmx_do_nmi_irqoff();
			else if ((info & INTR_INFO_VALID_MASK) &&
				 (info & INTR_INFO_VECTOR_MASK) == MC_VECTOR)
				machine_check();
		}
	}
	/* Host interrupts that arrived in guest mode are taken here. */
	local_irq_enable();
	return 0;
}

/* A guest halted in the kernel wakes for an interrupt it can take. */
static bool halt_done(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);

	if (vmx->halt_if && hvmm_core_irq_pending(vcpu))
		vmx->halted = false;
	return !vmx->halted;
}

static int complete_pending(struct hvmm_vcpu *vcpu)
{
	switch (to_vmx(vcpu)->pending) {
	case HVMM_PENDING_NONE:
		return 1;
	case HVMM_PENDING_MMIO_READ:
	case HVMM_PENDING_MMIO_WRITE:
		return hvmm_vmx_complete_mmio(vcpu);
	default:
		return hvmm_vmx_complete_io(vcpu);
	}
}

static void post_run(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	struct kvm_run *run = vcpu->run;
	unsigned long rflags = vmcs_readl(GUEST_RFLAGS);
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	run->if_flag = !!(rflags & X86_EFLAGS_IF);
	run->cr8 = 0;
	run->apic_base = vmx->apic_base;
	run->ready_for_interrupt_injection = run->if_flag &&
		!(intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)) &&
		!vmx->irq_pending;
}

/**
 * hvmm_vmx_vcpu_run() - KVM_RUN
 * @vcpu: the vCPU, its mutex held, called from the VM's mm
 *
 * Return: 0 with vcpu->run->exit_reason set for userspace, -EINTR with
 * KVM_EXIT_INTR when a signal is pending, -EINTR alone for
 * run->immediate_exit, or another negative errno.
 */
int hvmm_vmx_vcpu_run(struct hvmm_vcpu *vcpu)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	struct kvm_run *run = vcpu->run;
	int ret;

	if (!vmx)
		return -EINVAL;
	hvmm_vmx_vcpu_load(vcpu);
	fpu_swap_kvm_fpstate(&vmx->fpu, true);
	vmx->l1d_flush = true;
	vmx->irq_check = true;

	ret = complete_pending(vcpu);
	if (ret <= 0)
		goto out;
	/* KVM 6.1 leaves exit_reason as the last exit left it here. */
	if (READ_ONCE(run->immediate_exit)) {
		ret = -EINTR;
		goto out;
	}
	for (;;) {
		if (hvmm_core_exit_request(vcpu)) {
			ret = 0;
			break;
		}
		if (signal_pending(current)) {
			run->exit_reason = KVM_EXIT_INTR;
			ret = -EINTR;
			break;
		}
		cond_resched();
		if (vmx->halted && !halt_done(vcpu)) {
			/*
			 * In-kernel HLT: sleep until an interrupt comes.  A
			 * kick that did not end the halt (IF=0, masked) is
			 * consumed here, else the wait would return at once
			 * forever; the next entry still asks the PIC.
			 */
			if (atomic_xchg(&vmx->kick, 0))
				vmx->irq_check = true;
			wait_event_interruptible(vmx->wq, halt_done(vcpu) ||
						 atomic_read(&vmx->kick));
			continue;
		}

		preempt_disable();
		if (!hvmm_vmx_cpu_on()) {
			/*
			 * This CPU is going offline and left VMX operation
			 * already: wait to be migrated (sched_in reloads the
			 * VMCS elsewhere).  Signals still end the wait.
			 */
			preempt_enable();
			schedule_timeout_interruptible(1);
			continue;
		}
		ret = enter_guest(vcpu);
		preempt_enable();
		if (ret == -EAGAIN)
			continue;

		ret = hvmm_vmx_handle_exit(vcpu);
		if (ret <= 0)
			break;
	}
out:
	post_run(vcpu);
	fpu_swap_kvm_fpstate(&vmx->fpu, false);
	hvmm_vmx_vcpu_put(vcpu);
	return ret < 0 ? ret : 0;
}

/**
 * hvmm_vmx_queue_interrupt() - KVM_INTERRUPT (userspace irqchip)
 * @vcpu: the vCPU, its mutex held
 * @irq: the vector
 *
 * Return: 0, -EINVAL for a vector above 255, -EEXIST when one is already
 * waiting (KVM's kvm_vcpu_ioctl_interrupt() has the same single slot).
 */
int hvmm_vmx_queue_interrupt(struct hvmm_vcpu *vcpu, u32 irq)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);

	if (irq > 255)
		return -EINVAL;
	if (vmx->irq_pending)
		return -EEXIST;
	vmx->irq_vector = irq;
	vmx->irq_pending = true;
	vmx->irq_check = true;
	return 0;
}
