// SPDX-License-Identifier: GPL-2.0
/*
 * VM and vCPU set-up for the hvmm selftests (see include/hvmm_util.h).
 * Written against the KVM ABI of <linux/kvm.h>, so every test runs the
 * same on /dev/kvm and on /dev/hvmm.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvmm_util.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define X86_CR0_PE	(1UL << 0)
#define X86_CR0_ET	(1UL << 4)
#define X86_CR0_NE	(1UL << 5)
#define X86_CR0_PG	(1UL << 31)
#define X86_CR4_PAE	(1UL << 5)
#define EFER_LME	(1UL << 8)
#define EFER_LMA	(1UL << 10)
#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)

const char *dev_path(void)
{
	const char *p = getenv("HVMM_DEV");

	return p && *p ? p : "/dev/hvmm";
}

int dev_open(void)
{
	int fd = open(dev_path(), O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int vm_supported(void)
{
	int sys = dev_open(), vm, err = 0;

	if (sys < 0)
		return sys;
	vm = ioctl(sys, KVM_CREATE_VM, 0);
	if (vm < 0)
		err = -errno;
	else
		close(vm);
	close(sys);
	return err;
}

void require_vm(const char *prog)
{
	int err = vm_supported();

	if (err == -EOPNOTSUPP || err == -ENODEV || err == -ENOENT) {
		printf("TAP version 13\n1..0 # SKIP %s: %s cannot create a VM here: %s\n",
		       prog, dev_path(), strerror(-err));
		exit(4);
	}
}

int vm_create(struct test_vm *vm)
{
	struct kvm_userspace_memory_region r = { 0 };
	int err;

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = -1;
	vm->sys_fd = dev_open();
	if (vm->sys_fd < 0)
		return vm->sys_fd;
	vm->vm_fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		goto fail;
	vm->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		goto fail;
	}
	r.slot = 0;
	r.guest_phys_addr = 0;
	r.memory_size = GUEST_MEM_SIZE;
	r.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r))
		goto fail;
	return 0;
fail:
	err = -errno;
	vm_destroy(vm);
	return err;
}

void vm_destroy(struct test_vm *vm)
{
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	if (vm->mem)
		munmap(vm->mem, GUEST_MEM_SIZE);
	vm->vm_fd = vm->sys_fd = -1;
	vm->mem = NULL;
}

int vcpu_create(struct test_vm *vm, struct test_vcpu *vcpu, int id)
{
	int size, err;

	vcpu->run = NULL;
	size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		return -errno;
	if ((size_t)size < sizeof(struct kvm_run))
		return -EPROTO;
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0)
		return -errno;
	vcpu->run_size = size;
	vcpu->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		err = -errno;
		vcpu->run = NULL;
		close(vcpu->fd);
		vcpu->fd = -1;
		return err;
	}
	return 0;
}

void vcpu_destroy(struct test_vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}

static void flat_seg(struct kvm_segment *s, uint16_t sel, uint8_t type,
		     int db, int l)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = db;
	s->l = l;
	s->g = 1;
}

/* Identity-map the first GiB with 2 MiB pages (Intel SDM 3A 4.5). */
static void build_page_tables(struct test_vm *vm)
{
	uint64_t *pml4 = (uint64_t *)((char *)vm->mem + GUEST_PML4);
	uint64_t *pdpt = pml4 + 512, *pd = pml4 + 1024;
	int i;

	memset(pml4, 0, 3 * 4096);
	pml4[0] = (GUEST_PML4 + 0x1000) | PTE_P | PTE_RW;
	pdpt[0] = (GUEST_PML4 + 0x2000) | PTE_P | PTE_RW;
	for (i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_RW | PTE_PS;
}

int vcpu_setup(struct test_vm *vm, struct test_vcpu *vcpu,
	       enum guest_mode mode, const void *code, size_t len)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (len > GUEST_CODE_MAX)
		return -E2BIG;
	memcpy((char *)vm->mem + GUEST_CODE, code, len);
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs))
		return -errno;
	switch (mode) {
	case GUEST_REAL:
		/* Reset state, but start at 0000:1000 instead of f000:fff0. */
		sregs.cs.selector = 0;
		sregs.cs.base = 0;
		break;
	case GUEST_PROT32:
		flat_seg(&sregs.cs, 0x08, 0xb, 1, 0);
		flat_seg(&sregs.ds, 0x10, 0x3, 1, 0);
		sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
		sregs.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
		break;
	case GUEST_LONG64:
		build_page_tables(vm);
		flat_seg(&sregs.cs, 0x08, 0xb, 0, 1);
		flat_seg(&sregs.ds, 0x10, 0x3, 1, 0);
		sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
		sregs.cr3 = GUEST_PML4;
		sregs.cr4 = X86_CR4_PAE;
		sregs.efer = EFER_LME | EFER_LMA;
		sregs.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
		break;
	default:
		return -EINVAL;
	}
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs))
		return -errno;
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_CODE;
	regs.rsp = GUEST_STACK;
	regs.rflags = 0x2;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs))
		return -errno;
	return 0;
}

int vcpu_run(struct test_vcpu *vcpu)
{
	return ioctl(vcpu->fd, KVM_RUN, 0) ? -errno : 0;
}

const char *exit_name(uint32_t reason)
{
	static const char * const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO",
		[KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG",
		[KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_SET_TPR] = "SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	};

	if (reason < ARRAY_SIZE(names) && names[reason])
		return names[reason];
	return "?";
}
