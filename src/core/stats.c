// SPDX-License-Identifier: GPL-2.0
/*
 * Exit statistics in debugfs, laid out like KVM's so that kvm_stat-style
 * tools work (Documentation/abi.md, "debugfs"):
 *
 *   /sys/kernel/debug/hvmm/<counter>                 sum over all VMs
 *   /sys/kernel/debug/hvmm/<pid>-<fd>/<counter>      one VM, all vCPUs
 *   /sys/kernel/debug/hvmm/<pid>-<fd>/exit_reasons   "<nr> <name> <count>"
 *
 * Counters are u64s in each vCPU that only that vCPU's KVM_RUN writes;
 * readers sum them under vm->lock (which keeps vcpus[] stable) and accept
 * a value that is a few exits old.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <asm/vmx.h>
#include "core.h"

/* One entry per field of struct hvmm_vcpu_stat. */
static const struct {
	const char *name;
	size_t offset;
} hvmm_stat_names[] = {
	{ "exits", offsetof(struct hvmm_vcpu_stat, exits) },
	{ "io_exits", offsetof(struct hvmm_vcpu_stat, io_exits) },
	{ "mmio_exits", offsetof(struct hvmm_vcpu_stat, mmio_exits) },
	{ "halt_exits", offsetof(struct hvmm_vcpu_stat, halt_exits) },
	{ "cpuid_exits", offsetof(struct hvmm_vcpu_stat, cpuid_exits) },
	{ "msr_exits", offsetof(struct hvmm_vcpu_stat, msr_exits) },
	{ "cr_exits", offsetof(struct hvmm_vcpu_stat, cr_exits) },
	{ "irq_exits", offsetof(struct hvmm_vcpu_stat, irq_exits) },
	{ "irq_window_exits", offsetof(struct hvmm_vcpu_stat, irq_window_exits) },
	{ "nmi_exits", offsetof(struct hvmm_vcpu_stat, nmi_exits) },
	{ "ept_violation_exits", offsetof(struct hvmm_vcpu_stat, ept_violation_exits) },
	{ "ept_misconfig_exits", offsetof(struct hvmm_vcpu_stat, ept_misconfig_exits) },
	{ "triple_fault_exits", offsetof(struct hvmm_vcpu_stat, triple_fault_exits) },
	{ "other_exits", offsetof(struct hvmm_vcpu_stat, other_exits) },
	{ "signal_exits", offsetof(struct hvmm_vcpu_stat, signal_exits) },
	{ "userspace_exits", offsetof(struct hvmm_vcpu_stat, userspace_exits) },
	{ "irq_injections", offsetof(struct hvmm_vcpu_stat, irq_injections) },
	{ "pio_kernel_pic", offsetof(struct hvmm_vcpu_stat, pio_kernel_pic) },
	{ "pio_kernel_pit", offsetof(struct hvmm_vcpu_stat, pio_kernel_pit) },
	{ "pio_kernel_i8042", offsetof(struct hvmm_vcpu_stat, pio_kernel_i8042) },
	{ "pio_user", offsetof(struct hvmm_vcpu_stat, pio_user) },
	{ "mmio_kernel", offsetof(struct hvmm_vcpu_stat, mmio_kernel) },
	{ "mmio_user", offsetof(struct hvmm_vcpu_stat, mmio_user) },
};

/* Basic exit reasons, Intel SDM vol. 3D, appendix C. */
static const char * const hvmm_exit_reason_names[HVMM_NR_EXIT_REASONS] = {
	[0] = "EXCEPTION_NMI",		[1] = "EXTERNAL_INTERRUPT",
	[2] = "TRIPLE_FAULT",		[3] = "INIT_SIGNAL",
	[4] = "SIPI",			[7] = "INTERRUPT_WINDOW",
	[8] = "NMI_WINDOW",		[9] = "TASK_SWITCH",
	[10] = "CPUID",			[12] = "HLT",
	[13] = "INVD",			[14] = "INVLPG",
	[15] = "RDPMC",			[16] = "RDTSC",
	[18] = "VMCALL",		[19] = "VMCLEAR",
	[20] = "VMLAUNCH",		[21] = "VMPTRLD",
	[22] = "VMPTRST",		[23] = "VMREAD",
	[24] = "VMRESUME",		[25] = "VMWRITE",
	[26] = "VMOFF",			[27] = "VMON",
	[28] = "CR_ACCESS",		[29] = "DR_ACCESS",
	[30] = "IO_INSTRUCTION",	[31] = "MSR_READ",
	[32] = "MSR_WRITE",		[33] = "INVALID_STATE",
	[34] = "MSR_LOAD_FAIL",		[36] = "MWAIT_INSTRUCTION",
	[37] = "MONITOR_TRAP_FLAG",	[39] = "MONITOR_INSTRUCTION",
	[40] = "PAUSE_INSTRUCTION",	[41] = "MCE_DURING_VMENTRY",
	[43] = "TPR_BELOW_THRESHOLD",	[44] = "APIC_ACCESS",
	[45] = "EOI_INDUCED",		[46] = "GDTR_IDTR",
	[47] = "LDTR_TR",		[48] = "EPT_VIOLATION",
	[49] = "EPT_MISCONFIG",		[50] = "INVEPT",
	[51] = "RDTSCP",		[52] = "PREEMPTION_TIMER",
	[53] = "INVVPID",		[54] = "WBINVD",
	[55] = "XSETBV",		[56] = "APIC_WRITE",
	[57] = "RDRAND",		[58] = "INVPCID",
	[59] = "VMFUNC",		[60] = "ENCLS",
	[61] = "RDSEED",		[62] = "PML_FULL",
	[63] = "XSAVES",		[64] = "XRSTORS",
	[67] = "UMWAIT",		[68] = "TPAUSE",
	[74] = "BUS_LOCK",		[75] = "NOTIFY",
};

static struct dentry *hvmm_debugfs_root;

/**
 * hvmm_stat_exit() - count one VM exit
 * @vcpu:        the vCPU that exited (its KVM_RUN is the only writer)
 * @exit_reason: the VMCS exit-reason field; bits 15:0 are the basic
 *               reason (SDM vol. 3C 24.9.1), the rest is ignored
 *
 * Counts @exits, the exit_reasons histogram and the named counter of the
 * reason, so the backend needs one call in its exit dispatcher.
 */
void hvmm_stat_exit(struct hvmm_vcpu *vcpu, u32 exit_reason)
{
	struct hvmm_vcpu_stat *st = &vcpu->stat;
	u32 basic = exit_reason & 0xffff;

	st->exits++;
	if (basic < HVMM_NR_EXIT_REASONS)
		vcpu->exit_reasons[basic]++;
	switch (basic) {
	case EXIT_REASON_IO_INSTRUCTION:
		st->io_exits++;
		break;
	case EXIT_REASON_HLT:
		st->halt_exits++;
		break;
	case EXIT_REASON_CPUID:
		st->cpuid_exits++;
		break;
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
		st->msr_exits++;
		break;
	case EXIT_REASON_CR_ACCESS:
		st->cr_exits++;
		break;
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		st->irq_exits++;
		break;
	case EXIT_REASON_INTERRUPT_WINDOW:
		st->irq_window_exits++;
		break;
	case EXIT_REASON_EXCEPTION_NMI:
		st->nmi_exits++;
		break;
	case EXIT_REASON_EPT_VIOLATION:
		st->ept_violation_exits++;
		break;
	case EXIT_REASON_EPT_MISCONFIG:
		st->ept_misconfig_exits++;
		break;
	case EXIT_REASON_TRIPLE_FAULT:
		st->triple_fault_exits++;
		break;
	default:
		st->other_exits++;
		break;
	}
}

/* Sum counter @index of hvmm_stat_names[] over the vCPUs of @vm. */
static u64 hvmm_vm_stat_sum(struct hvmm_vm *vm, u32 index)
{
	size_t offset = hvmm_stat_names[index].offset;
	u64 sum = 0;
	int i;

	mutex_lock(&vm->lock);
	for (i = 0; i < vm->nr_vcpus; i++) {
		const char *stat = (const char *)&vm->vcpus[i]->stat;

		sum += READ_ONCE(*(const u64 *)(stat + offset));
	}
	mutex_unlock(&vm->lock);
	return sum;
}

static int hvmm_vm_stat_get(void *data, u64 *val)
{
	struct hvmm_stat_file *f = data;

	*val = hvmm_vm_stat_sum(f->vm, f->index);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(hvmm_vm_stat_fops, hvmm_vm_stat_get, NULL, "%llu\n");

/* @data is the counter's index itself, not a pointer. */
static int hvmm_global_stat_get(void *data, u64 *val)
{
	u32 index = (uintptr_t)data;
	struct hvmm_vm *vm;
	u64 sum = 0;

	mutex_lock(&hvmm_vm_list_lock);
	list_for_each_entry(vm, &hvmm_vm_list, node)
		sum += hvmm_vm_stat_sum(vm, index);
	mutex_unlock(&hvmm_vm_list_lock);
	*val = sum;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(hvmm_global_stat_fops, hvmm_global_stat_get, NULL,
			 "%llu\n");

static int hvmm_exit_reasons_show(struct seq_file *m, void *unused)
{
	struct hvmm_vm *vm = m->private;
	u32 reason;
	int i;

	mutex_lock(&vm->lock);
	for (reason = 0; reason < HVMM_NR_EXIT_REASONS; reason++) {
		const char *name = hvmm_exit_reason_names[reason];
		u64 sum = 0;

		for (i = 0; i < vm->nr_vcpus; i++)
			sum += READ_ONCE(vm->vcpus[i]->exit_reasons[reason]);
		if (sum)
			seq_printf(m, "%u %s %llu\n", reason,
				   name ? name : "UNKNOWN", sum);
	}
	mutex_unlock(&vm->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvmm_exit_reasons);

/**
 * hvmm_stats_vm_create() - publish a new VM's counters
 * @vm: the VM, fully initialised
 * @fd: its fd in the creator, for the directory name (as KVM)
 *
 * A failure to create debugfs entries is not an error (debugfs may be
 * off, or the name taken by an older VM); the VM then has no directory.
 */
void hvmm_stats_vm_create(struct hvmm_vm *vm, int fd)
{
	struct dentry *dent;
	char name[32];
	u32 i;

	BUILD_BUG_ON(ARRAY_SIZE(hvmm_stat_names) != HVMM_NR_VCPU_STATS);

	mutex_lock(&hvmm_vm_list_lock);
	list_add_tail(&vm->node, &hvmm_vm_list);
	mutex_unlock(&hvmm_vm_list_lock);

	snprintf(name, sizeof(name), "%d-%d", task_pid_nr(current), fd);
	/*
	 * The fd number of a closed VM fd is reused while that VM lives on
	 * through its vCPU fds.  debugfs_create_dir() would then print an
	 * error per VM, a log flood any user can cause: as KVM
	 * (kvm_create_vm_debugfs()), warn ratelimited and go without.
	 */
	dent = debugfs_lookup(name, hvmm_debugfs_root);
	if (dent) {
		pr_warn_ratelimited("hvmm: debugfs: duplicate directory %s\n",
				    name);
		dput(dent);
		vm->debugfs = NULL;
		return;
	}
	vm->debugfs = debugfs_create_dir(name, hvmm_debugfs_root);
	if (IS_ERR(vm->debugfs))
		return;
	for (i = 0; i < HVMM_NR_VCPU_STATS; i++) {
		vm->stat_files[i].vm = vm;
		vm->stat_files[i].index = i;
		debugfs_create_file_unsafe(hvmm_stat_names[i].name, 0444,
					   vm->debugfs, &vm->stat_files[i],
					   &hvmm_vm_stat_fops);
	}
	debugfs_create_file("exit_reasons", 0444, vm->debugfs, vm,
			    &hvmm_exit_reasons_fops);
}

/*
 * Unpublish: afterwards no reader can reach @vm (debugfs removal waits
 * for readers inside the files' handlers).
 */
void hvmm_stats_vm_destroy(struct hvmm_vm *vm)
{
	mutex_lock(&hvmm_vm_list_lock);
	list_del_init(&vm->node);
	mutex_unlock(&hvmm_vm_list_lock);
	debugfs_remove_recursive(vm->debugfs);
	vm->debugfs = NULL;
}

int hvmm_stats_init(void)
{
	uintptr_t i;

	hvmm_debugfs_root = debugfs_create_dir("hvmm", NULL);
	if (IS_ERR(hvmm_debugfs_root))
		return 0;	/* no debugfs: statistics are optional */
	for (i = 0; i < HVMM_NR_VCPU_STATS; i++)
		debugfs_create_file_unsafe(hvmm_stat_names[i].name, 0444,
					   hvmm_debugfs_root, (void *)i,
					   &hvmm_global_stat_fops);
	return 0;
}

void hvmm_stats_exit(void)
{
	debugfs_remove_recursive(hvmm_debugfs_root);
	hvmm_debugfs_root = NULL;
}
