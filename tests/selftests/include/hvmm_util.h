/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the hvmm selftests: open the device named by
 * $HVMM_DEV (default /dev/hvmm, so the same binary runs on /dev/kvm),
 * create VMs with one memory slot, and put a vCPU into real mode,
 * 32-bit protected mode or 64-bit long mode with a guest loaded.
 * Everything returns 0 or a negative errno; tests assert on that.
 */
#ifndef HVMM_SELFTESTS_UTIL_H
#define HVMM_SELFTESTS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

/* Guest physical layout of the one memory slot every test VM gets. */
#define GUEST_MEM_SIZE	0x80000		/* 512 KiB at GPA 0 */
#define GUEST_CODE	0x1000		/* guest entry point */
#define GUEST_CODE_MAX	0x6000
#define GUEST_STACK	0x8000		/* initial stack top */
#define GUEST_PML4	0x10000		/* long mode page tables */
#define GUEST_DATA	0x20000		/* scratch area for tests */
#define GUEST_MMIO	0xd0000		/* unbacked: MMIO exits (< 1 MiB) */

enum guest_mode {
	GUEST_REAL,
	GUEST_PROT32,
	GUEST_LONG64,
};

struct test_vm {
	int sys_fd;
	int vm_fd;
	void *mem;			/* GUEST_MEM_SIZE bytes */
};

struct test_vcpu {
	int fd;
	struct kvm_run *run;
	size_t run_size;
};

const char *dev_path(void);
int dev_open(void);

/*
 * Can this device create a VM at all?  0 if so, else the negative errno
 * of KVM_CREATE_VM (hvmm: -EOPNOTSUPP without VT-x, -EBUSY while another
 * hypervisor holds VMX).
 */
int vm_supported(void);

/*
 * For programs whose every test needs a VM: print a TAP skip plan and
 * exit 4 when vm_supported() fails for lack of VT-x (-EOPNOTSUPP or
 * -ENODEV, and -ENOENT when the device node is absent).  Other errors
 * are left for the tests to report.
 */
void require_vm(const char *prog);

int vm_create(struct test_vm *vm);
void vm_destroy(struct test_vm *vm);
int vcpu_create(struct test_vm *vm, struct test_vcpu *vcpu, int id);
void vcpu_destroy(struct test_vcpu *vcpu);

/* Copy @code to GUEST_CODE and set registers for @mode to start there. */
int vcpu_setup(struct test_vm *vm, struct test_vcpu *vcpu,
	       enum guest_mode mode, const void *code, size_t len);

/* KVM_RUN once; returns 0 or -errno. */
int vcpu_run(struct test_vcpu *vcpu);

/* Pointer to the data of the current KVM_EXIT_IO. */
static inline uint8_t *io_data(struct test_vcpu *vcpu)
{
	return (uint8_t *)vcpu->run + vcpu->run->io.data_offset;
}

const char *exit_name(uint32_t reason);

/*
 * Guest code is written as assembly inside the test sources between two
 * labels, with .code16/.code32/.code64 as needed: GUEST_CODE_DECLARE
 * names them, GUEST_SIZE measures.  The code must be position independent
 * or refer to itself through GADDR(label) (its address once loaded at
 * GUEST_CODE).
 */
#define GUEST_CODE_DECLARE(name) \
	extern const uint8_t name##_start[], name##_end[]
#define GUEST_SIZE(name) ((size_t)(name##_end - name##_start))
#define GADDR(name, label) "(" #label " - " #name "_start + 0x1000)"

#endif /* HVMM_SELFTESTS_UTIL_H */
