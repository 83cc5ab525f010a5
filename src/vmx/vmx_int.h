/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal state and helpers of the VT-x backend, shared by the files of
 * src/vmx/ only.  src/core/ sees vmx.h and nothing of this.
 */
#ifndef HVMM_VMX_VMX_INT_H
#define HVMM_VMX_VMX_INT_H

#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/vmx.h>
#include "vmx.h"

#define pr_fmt_vmx "hvmm: "

/* Guest general purpose registers, in the order of the ModRM encoding. */
enum hvmm_reg {
	HVMM_RAX, HVMM_RCX, HVMM_RDX, HVMM_RBX,
	HVMM_RSP, HVMM_RBP, HVMM_RSI, HVMM_RDI,
	HVMM_R8, HVMM_R9, HVMM_R10, HVMM_R11,
	HVMM_R12, HVMM_R13, HVMM_R14, HVMM_R15,
	HVMM_NR_REGS
};

/* What the CPU offers, probed once at module load (caps.c). */
struct hvmm_vmx_caps {
	bool usable;		/* everything below needed is there */
	const char *missing;	/* else: the first thing missing */
	u32 revision_id;
	u32 vmcs_size;
	u32 pin;		/* control values we program, adjusted */
	u32 proc;
	u32 proc2;
	u32 exit;
	u32 entry;
	u64 ept_vpid;
	u64 cr0_fixed0, cr0_fixed1;
	u64 cr4_fixed0, cr4_fixed1;
	bool has_insouts_info;	/* VMX_BASIC[54]: INS/OUTS instruction info */
	bool vpid;		/* VPIDs and single-context INVVPID */
};

extern struct hvmm_vmx_caps hvmm_vmx_caps;

/* A VMCS and where it is loaded (cf. KVM's struct loaded_vmcs). */
struct hvmm_vmcs {
	void *va;
	int cpu;		/* -1: clear, on no CPU */
	bool launched;
	struct list_head on_cpu; /* per-CPU list of loaded VMCSs */
};

/* Host state a VM exit or the guest's MSRs replace (host.c). */
struct hvmm_host_state {
	u16 ds, es, fs, gs, ldt;
	unsigned long fsbase;
};

/* Host MSRs the guest gets its own value of while it runs. */
struct hvmm_host_msrs {
	u64 lstar, cstar, star, sfmask;
};

/* EPT tables one fault may need: PDPT, PD and PT below the root. */
#define HVMM_EPT_CACHE_PAGES	3

struct hvmm_vmx_vm {
	struct hvmm_vm *vm;
	/*
	 * The EPT tables, @mapped and the invalidation state below.  A
	 * spinlock, as KVM's mmu_lock: the MMU notifier takes it from
	 * reclaim, migration and KSM, possibly non-blocking, so nothing
	 * under it sleeps or allocates (tables come from @cache).
	 */
	spinlock_t mmu_lock;
	u64 *ept_root;		/* PML4, one page */
	u64 eptp;

	/*
	 * Zeroed pages for EPT tables, topped up before mmu_lock is taken
	 * (KVM's kvm_mmu_topup_memory_cache()); vm->slots_lock protects it.
	 */
	void *cache[HVMM_EPT_CACHE_PAGES];
	unsigned int nr_cache;

	/*
	 * Where each slot's pages came from, as mapped, for the MMU notifier
	 * (which cannot take slots_lock: it runs under mmap_lock).
	 */
	struct {
		unsigned long hva, npages;
		u64 base_gfn;
	} mapped[HVMM_USER_MEM_SLOTS];
	struct mmu_notifier mn;
	bool mn_registered;

	/*
	 * KVM's mmu_invalidate_seq/_in_progress/_range_*: a fault maps a
	 * page only if no invalidation of its hva ran or is running since
	 * it read the sequence (see hvmm_ept_map()).
	 */
	unsigned long mmu_invalidate_seq;
	long mmu_invalidate_in_progress;
	unsigned long mmu_invalidate_range_start;
	unsigned long mmu_invalidate_range_end;
};

/* What the next KVM_RUN must finish before the guest runs on. */
enum hvmm_pending {
	HVMM_PENDING_NONE,
	HVMM_PENDING_PIO_IN,	/* IN: data page -> RAX, RIP += len */
	HVMM_PENDING_PIO_OUT,	/* OUT: RIP += len */
	HVMM_PENDING_INS,	/* INS: data page -> guest memory */
	HVMM_PENDING_MMIO_READ,	/* MMIO read: run->mmio.data -> register */
	HVMM_PENDING_MMIO_WRITE, /* the next fragment of an MMIO write */
};

/* The part of an MMIO access on one page (mmio.c split()). */
struct hvmm_mmio_frag {
	u64 gpa;
	u8 len;
	u8 off;			/* of its first byte in the access */
	bool maybe_ram;		/* a memslot may back it: try memory first */
};

struct hvmm_mmio_op {
	struct hvmm_mmio_frag frag[2];
	u8 nfrag, cur;		/* fragments, and the one being served */
	u64 data;		/* the value written, or read so far */
	u32 len;		/* bytes accessed */
	bool write;
	u8 reg;			/* destination register of a read */
	u8 dst_len;		/* bytes written to @reg (zero/sign extended) */
	bool sign;		/* movsx */
	bool legacy_high;	/* AH, CH, DH or BH */
	u8 alu;			/* HVMM_ALU_NONE or hvmm_alu()'s @op */
	bool mem_dst;		/* ALU result goes back to memory */
	u64 src;		/* ALU source operand (imm or register) */
	u8 insn_len;
	unsigned long rip;
};

struct hvmm_pio_op {
	u16 port;
	u8 size;
	u8 addr_size;		/* INS/OUTS address size: 2, 4 or 8 */
	bool rep;
	u32 count;
	u64 gla;		/* INS: first linear destination */
	unsigned long rip;	/* of the instruction; completion checks it */
};

/* MSRs the CPU switches at entry and exit (perf.c) */
#define HVMM_MAX_SWITCH_MSRS	8
struct hvmm_msr_switch {
	struct vmx_msr_entry guest[HVMM_MAX_SWITCH_MSRS];	/* on entry */
	struct vmx_msr_entry host[HVMM_MAX_SWITCH_MSRS];	/* on exit */
	unsigned int nr;
};

struct hvmm_vmx_vcpu {
	struct hvmm_vcpu *vcpu;
	struct hvmm_vmcs vmcs;
	int last_cpu;		/* CPU of the last VM entry, for FAIL_ENTRY */
	u64 ept_flush_gen;	/* not used yet, see ept.c */

	unsigned long regs[HVMM_NR_REGS];	/* RSP lives in the VMCS */
	unsigned long cr2;
	unsigned long cr0_shadow;	/* CR0/CR4 as the guest believes */
	unsigned long cr4_shadow;
	u64 efer;
	u64 xcr0;
	u64 guest_xcr0_mask;	/* XCR0 bits the guest's CPUID offers */
	unsigned long cr4_guest_rsvd;	/* CR4 bits its CPUID does not */
	u32 pkru, host_pkru;	/* swapped around entry, run.c */
	unsigned long host_debugctl;	/* put back after each exit */
	unsigned long dr[4], dr6, dr7;

	/* MSRs the VMCS does not hold */
	u64 kernel_gs_base, lstar, cstar, star, sfmask;
	u64 misc_enable, apic_base;
	u64 host_kernel_gs_base;	/* while the guest's is loaded */
	u64 msrs_efer;		/* EFER when the guest MSRs were loaded */

	/* KVM_SET_CPUID2 table, searched by CPUID exits */
	u32 cpuid_nent;
	struct kvm_cpuid_entry2 *cpuid;

	/* In-kernel irqchip: HLT waits in the kernel, kicks end the wait */
	wait_queue_head_t wq;
	int guest_cpu;		/* CPU in guest mode on, or -1 */
	atomic_t kick;		/* re-check interrupts before entering */
	bool irq_check;		/* ask the PIC before the next entry */
	bool halted;
	bool halt_if;		/* RFLAGS.IF at HLT: cannot change while halted */

	/* KVM_INTERRUPT: one vector waiting for the guest to take it */
	bool irq_pending;
	u8 irq_vector;

	enum hvmm_pending pending;
	struct hvmm_pio_op pio;
	struct hvmm_mmio_op mmio;

	struct fpu_guest fpu;
	struct preempt_notifier pn;
	struct hvmm_msr_switch perf_msrs;

	u32 exec_ctrl;		/* CPU_BASED_VM_EXEC_CONTROL as in the VMCS */

	/* Set in vcpu_run, used by the exit handlers */
	u32 exit_reason;
	unsigned long exit_qual;
	bool fail;		/* VMLAUNCH/VMRESUME failed (VMfail) */
	bool l1d_flush;		/* host ran code worth flushing L1D for */
	u16 vpid;		/* 0: none */
	bool flush_tlb;		/* flush this VPID before the next entry */
	unsigned long host_cr3, host_cr4;
	struct hvmm_host_state host;
	bool guest_state_loaded;	/* @host saved, guest MSRs lent */
};

static inline struct hvmm_vmx_vcpu *to_vmx(struct hvmm_vcpu *vcpu)
{
	return vcpu->vmx;
}

/* caps.c */
void hvmm_vmx_caps_probe(void);

/* vmxon.c */
bool hvmm_vmx_cpu_on(void);

/* vmcs.c */
int hvmm_vmcs_alloc(struct hvmm_vmcs *vmcs);
void hvmm_vmcs_free(struct hvmm_vmcs *vmcs);
void hvmm_vmcs_load(struct hvmm_vmcs *vmcs);
void hvmm_vmcs_clear_all_on_cpu(void);
void hvmm_vmcs_setup(struct hvmm_vmx_vcpu *vmx);
void hvmm_vmcs_set_host_per_cpu(void);
void hvmm_vmcs_dump(void);

/* run.c: make the VMCS current here and follow the thread across CPUs */
void hvmm_vmx_vcpu_load(struct hvmm_vcpu *vcpu);
void hvmm_vmx_vcpu_put(struct hvmm_vcpu *vcpu);
void hvmm_vmx_intr_window(struct hvmm_vmx_vcpu *vmx, bool on);

/* vmenter.S: returns 0 after a VM exit, 1 when VMLAUNCH/VMRESUME failed */
int __hvmm_vmx_vcpu_run(unsigned long *regs, bool launched);
extern const char hvmm_vmx_vmexit[];	/* HOST_RIP */
void hvmm_vmx_do_nmi_irqoff(void);

/* exit.c */
int hvmm_vmx_handle_exit(struct hvmm_vcpu *vcpu);
void hvmm_vmx_skip_insn(struct hvmm_vcpu *vcpu);
void hvmm_vmx_inject_exception(struct hvmm_vcpu *vcpu, u8 vector,
			       bool has_err, u32 err);
void hvmm_vmx_inject_ud(struct hvmm_vcpu *vcpu);
void hvmm_vmx_inject_gp(struct hvmm_vcpu *vcpu, u32 error);
int hvmm_vmx_internal_error(struct hvmm_vcpu *vcpu, u32 suberror);

/* task.c */
int hvmm_vmx_handle_task_switch(struct hvmm_vcpu *vcpu);

/* io.c */
int hvmm_vmx_handle_io(struct hvmm_vcpu *vcpu);
int hvmm_vmx_complete_io(struct hvmm_vcpu *vcpu);

/* alu.c */
#define HVMM_ALU_TEST	8
#define HVMM_ALU_NONE	0xff
u64 hvmm_alu(unsigned int op, u64 d, u64 s, unsigned int len,
	     unsigned long *rflags);

/* mmio.c */
int hvmm_vmx_handle_mmio(struct hvmm_vcpu *vcpu, u64 gpa);
int hvmm_vmx_complete_mmio(struct hvmm_vcpu *vcpu);

/* ept.c */
int hvmm_ept_init(struct hvmm_vmx_vm *vvm);
void hvmm_ept_destroy(struct hvmm_vmx_vm *vvm);
int hvmm_ept_map(struct hvmm_vm *vm, u64 gpa, bool write);
void hvmm_ept_flush_all(void);

/* gva.c: guest memory through the memslots */
int hvmm_gpa_read(struct hvmm_vm *vm, u64 gpa, void *buf, unsigned int len);
int hvmm_gpa_write(struct hvmm_vm *vm, u64 gpa, const void *buf,
		   unsigned int len);
int hvmm_gva_to_gpa(struct hvmm_vcpu *vcpu, u64 gva, bool write, u64 *gpa);
int hvmm_gva_read(struct hvmm_vcpu *vcpu, u64 gva, void *buf,
		  unsigned int len);
int hvmm_gva_write(struct hvmm_vcpu *vcpu, u64 gva, const void *buf,
		   unsigned int len);
int hvmm_gva_access_sys(struct hvmm_vcpu *vcpu, u64 gva, void *buf,
			unsigned int len, bool write);

/* regs.c; segment registers in their encoding order, then TR, LDTR */
enum hvmm_seg {
	HVMM_SEG_ES, HVMM_SEG_CS, HVMM_SEG_SS, HVMM_SEG_DS, HVMM_SEG_FS,
	HVMM_SEG_GS, HVMM_SEG_TR, HVMM_SEG_LDTR
};
void hvmm_vmx_get_seg(int i, struct kvm_segment *s);
void hvmm_vmx_set_seg(int i, const struct kvm_segment *s);
void hvmm_vmx_set_cr3(struct hvmm_vcpu *vcpu, unsigned long val);
bool hvmm_vmx_long_mode(struct hvmm_vcpu *vcpu);
int hvmm_vmx_set_cr0(struct hvmm_vcpu *vcpu, unsigned long val);
int hvmm_vmx_set_cr4(struct hvmm_vcpu *vcpu, unsigned long val);
void hvmm_vmx_set_efer(struct hvmm_vcpu *vcpu, u64 efer);
void hvmm_vmx_reset_regs(struct hvmm_vcpu *vcpu);
unsigned int hvmm_vmx_cpl(void);

/* cpuid.c */
void hvmm_vmx_cpuid(struct hvmm_vcpu *vcpu, u32 fn, u32 idx, u32 out[4]);
void hvmm_vmx_cpuid_update(struct hvmm_vmx_vcpu *vmx);

/* host.c */
void hvmm_vmx_prepare_guest(struct hvmm_vmx_vcpu *vmx);
void hvmm_vmx_prepare_host(struct hvmm_vmx_vcpu *vmx);
void hvmm_vmx_restore_host_state(struct hvmm_vcpu *vcpu);

/* perf.c */
void hvmm_vmx_perf_setup(struct hvmm_vmx_vcpu *vmx);
void hvmm_vmx_perf_switch(struct hvmm_vmx_vcpu *vmx);

/* vpid.c */
u16 hvmm_vpid_alloc(void);
void hvmm_vpid_free(u16 vpid);
void hvmm_vpid_flush(u16 vpid);

/* mitigate.c */
void hvmm_vmx_mitigations_probe(void);
void hvmm_vmx_l1d_flush(struct hvmm_vmx_vcpu *vmx);
int hvmm_vmx_l1d_buf_alloc(void);
void hvmm_vmx_l1d_buf_free(void);

/* msr.c */
int hvmm_vmx_get_msr(struct hvmm_vcpu *vcpu, u32 msr, u64 *val);
int hvmm_vmx_set_msr(struct hvmm_vcpu *vcpu, u32 msr, u64 val);
void hvmm_vmx_host_msrs_probe(void);
extern u64 hvmm_host_xcr0;
void hvmm_vmx_load_guest_msrs(struct hvmm_vmx_vcpu *vmx);
void hvmm_vmx_load_host_msrs(struct hvmm_vmx_vcpu *vmx);

#endif /* HVMM_VMX_VMX_INT_H */
