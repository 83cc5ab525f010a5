/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM entry and exit: the only assembly of hvmm.
 *
 * __hvmm_vmx_vcpu_run(regs, launched) loads the guest's general purpose
 * registers from @regs (indexed like enum hvmm_reg; RSP comes from the
 * VMCS), clears CPU buffers where the host's MDS/MMIO policy says so and
 * executes VMLAUNCH or VMRESUME.  The VM exit lands on hvmm_vmx_vmexit
 * (HOST_RIP), which saves the guest registers, scrubs them from the CPU,
 * refills the return stack buffer and rewrites SPEC_CTRL where the host
 * mitigations require it, before the first RET - in the order KVM's
 * vmenter.S uses, for the reasons given there (SDM says nothing of RSB).
 *
 * Returns 0 after a VM exit, 1 when VMLAUNCH/VMRESUME failed (VMfail:
 * VM_INSTRUCTION_ERROR says why; the guest did not run).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/percpu.h>
#include <asm/segment.h>
#include <asm/unwind_hints.h>
#include "vmenter.h"

#define R_RAX	(0 * 8)
#define R_RCX	(1 * 8)
#define R_RDX	(2 * 8)
#define R_RBX	(3 * 8)
#define R_RBP	(5 * 8)
#define R_RSI	(6 * 8)
#define R_RDI	(7 * 8)
#define R_R8	(8 * 8)
#define R_R9	(9 * 8)
#define R_R10	(10 * 8)
#define R_R11	(11 * 8)
#define R_R12	(12 * 8)
#define R_R13	(13 * 8)
#define R_R14	(14 * 8)
#define R_R15	(15 * 8)

.section .text, "ax"

SYM_FUNC_START(__hvmm_vmx_vcpu_run)
	push %rbp
	mov %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	/* @launched in EBX survives loading the guest registers below. */
	mov %esi, %ebx
	/* @regs is the top of the stack at VM exit (HOST_RSP). */
	push %rdi

	mov $HVMM_VMCS_HOST_RSP, %eax
	vmwrite %rsp, %rax
	jna .Lvmfail_early

	mov %rdi, %rax
	/* CF = launched; MOVs keep it, VERW only touches ZF. */
	bt $0, %ebx

	mov R_RCX(%rax), %rcx
	mov R_RDX(%rax), %rdx
	mov R_RBX(%rax), %rbx
	mov R_RBP(%rax), %rbp
	mov R_RSI(%rax), %rsi
	mov R_RDI(%rax), %rdi
	mov R_R8(%rax), %r8
	mov R_R9(%rax), %r9
	mov R_R10(%rax), %r10
	mov R_R11(%rax), %r11
	mov R_R12(%rax), %r12
	mov R_R13(%rax), %r13
	mov R_R14(%rax), %r14
	mov R_R15(%rax), %r15
	mov R_RAX(%rax), %rax

	/* Host data out of the CPU buffers before the guest can sample. */
	VM_CLEAR_CPU_BUFFERS

	UNWIND_HINT_SAVE
	jnc .Lvmlaunch
.Lvmresume:
	vmresume
	jmp .Lvmfail
.Lvmlaunch:
	vmlaunch
	jmp .Lvmfail
	/* A fault (VMX off under us) is a failed entry, not an oops. */
	_ASM_EXTABLE(.Lvmresume, .Lvmfail)
	_ASM_EXTABLE(.Lvmlaunch, .Lvmfail)

SYM_INNER_LABEL(hvmm_vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	push %rax
	mov 8(%rsp), %rax	/* @regs */
	mov %rcx, R_RCX(%rax)
	mov %rdx, R_RDX(%rax)
	mov %rbx, R_RBX(%rax)
	mov %rbp, R_RBP(%rax)
	mov %rsi, R_RSI(%rax)
	mov %rdi, R_RDI(%rax)
	mov %r8, R_R8(%rax)
	mov %r9, R_R9(%rax)
	mov %r10, R_R10(%rax)
	mov %r11, R_R11(%rax)
	mov %r12, R_R12(%rax)
	mov %r13, R_R13(%rax)
	mov %r14, R_R14(%rax)
	mov %r15, R_R15(%rax)
	pop R_RAX(%rax)
	xor %ebx, %ebx		/* return 0: VM exit */

.Lclear_regs:
	/* No guest value may steer host speculation. */
	xor %eax, %eax
	xor %ecx, %ecx
	xor %edx, %edx
	xor %ebp, %ebp
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d

	/*
	 * The guest may have filled the RSB with its own targets: refill it
	 * before the first RET (KVM: RSB_VMEXIT / RSB_VMEXIT_LITE).
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE

	/*
	 * Legacy IBRS must be rewritten after running less privileged
	 * code, even though the guest never sees SPEC_CTRL.
	 */
	ALTERNATIVE "jmp .Lspec_done", "", X86_FEATURE_KERNEL_IBRS
	mov $MSR_IA32_SPEC_CTRL, %ecx
	mov PER_CPU_VAR(x86_spec_ctrl_current), %rax
	mov %rax, %rdx
	shr $32, %rdx
	wrmsr
.Lspec_done:
	CLEAR_BRANCH_HISTORY_VMEXIT

	mov %ebx, %eax
	pop %rdi		/* @regs */
	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET

.Lvmfail:
	/* Still on the host stack; the guest never ran. */
	mov $1, %ebx
	jmp .Lclear_regs
.Lvmfail_early:
	mov $1, %ebx
	jmp .Lclear_regs
SYM_FUNC_END(__hvmm_vmx_vcpu_run)

/*
 * hvmm_vmx_do_nmi_irqoff() - run the host's NMI handler for an NMI that
 * caused a VM exit (PIN_BASED_NMI_EXITING), as if it had hit here: build
 * the IRET frame the handler returns through (SDM 6.14.2), the way KVM's
 * VMX_DO_EVENT_IRQOFF does.
 */
SYM_FUNC_START(hvmm_vmx_do_nmi_irqoff)
	push %rbp
	mov %rsp, %rbp
	and $-16, %rsp
	push $__KERNEL_DS
	push %rbp
	pushf
	push $__KERNEL_CS
	call asm_exc_nmi_noist
	/* IRET already unwound RSP; tell objtool so. */
	leave
	RET
SYM_FUNC_END(hvmm_vmx_do_nmi_irqoff)
