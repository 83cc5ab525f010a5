// SPDX-License-Identifier: GPL-2.0
/*
 * VM- and vCPU-fd ioctls that need a VM: object lifetimes in loops,
 * every KVM_SET_USER_MEMORY_REGION error path, bad pointers and sizes,
 * KVM_GET/SET_REGS and SREGS round trips, KVM_GET_SUPPORTED_CPUID and
 * KVM_SET_CPUID2 sizes, and that every capability KVM_CHECK_EXTENSION
 * reports works.  Reference: Documentation/virt/kvm/api.rst 4.x and the
 * checks of virt/kvm/kvm_main.c __kvm_set_memory_region() (KVM 6.1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"

#define MAX_CPUID_ENTRIES 256	/* KVM_MAX_CPUID_ENTRIES */

FIXTURE(vm) {
	struct test_vm vm;
};

FIXTURE_SETUP(vm)
{
	ASSERT_EQ(0, vm_create(&self->vm));
}

FIXTURE_TEARDOWN(vm)
{
	vm_destroy(&self->vm);
}

static int set_region(int vm_fd, uint32_t slot, uint32_t flags, uint64_t gpa,
		      uint64_t size, uint64_t uaddr)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = uaddr,
	};

	return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) ? -errno : 0;
}

/*
 * 100 VMs of 4 vCPUs each: stock kvm_intel in a two-CPU Bochs needs more
 * than the harness' default 30 s for it.
 */
FIXTURE(loops) {
	int unused;
};

FIXTURE_SETUP(loops)
{
}

FIXTURE_TEARDOWN(loops)
{
}

TEST_F_TIMEOUT(loops, create_destroy_loops, 150)
{
	static const uint8_t hlt = 0xf4;
	struct test_vcpu vcpu[4];
	struct test_vm vm;
	int i, j;

	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, vm_create(&vm));
		/* Braces: the harness' ASSERT is more than one statement. */
		for (j = 0; j < 4; j++) {
			ASSERT_EQ(0, vcpu_create(&vm, &vcpu[j], j));
		}
		/* Every vCPU has really entered the guest once. */
		for (j = 0; j < 4; j++) {
			ASSERT_EQ(0, vcpu_setup(&vm, &vcpu[j], GUEST_REAL,
						&hlt, 1));
			ASSERT_EQ(0, vcpu_run(&vcpu[j]));
			ASSERT_EQ(KVM_EXIT_HLT, vcpu[j].run->exit_reason);
		}
		/* Close in the "wrong" order half the time: VM first. */
		if (i & 1) {
			vm_destroy(&vm);
			for (j = 0; j < 4; j++)
				vcpu_destroy(&vcpu[j]);
		} else {
			for (j = 0; j < 4; j++)
				vcpu_destroy(&vcpu[j]);
			vm_destroy(&vm);
		}
	}
}

TEST_F(vm, vcpu_outlives_vm_fd)
{
	struct test_vcpu vcpu;
	struct kvm_regs regs;

	ASSERT_EQ(0, vcpu_create(&self->vm, &vcpu, 0));
	close(self->vm.vm_fd);
	self->vm.vm_fd = -1;
	/* The vCPU fd holds the VM (api.rst 4.7): it still works. */
	EXPECT_EQ(0, ioctl(vcpu.fd, KVM_GET_REGS, &regs));
	vcpu_destroy(&vcpu);
}

TEST_F(vm, vcpu_ids)
{
	int max_id = ioctl(self->vm.sys_fd, KVM_CHECK_EXTENSION,
			   KVM_CAP_MAX_VCPU_ID);
	int max = ioctl(self->vm.sys_fd, KVM_CHECK_EXTENSION,
			KVM_CAP_MAX_VCPUS);
	struct test_vcpu a, b;

	/* api.rst 4.7: without MAX_VCPU_ID the id limit is MAX_VCPUS. */
	if (max_id <= 0)
		max_id = max;
	ASSERT_LT(0, max_id);
	ASSERT_EQ(0, vcpu_create(&self->vm, &a, 0));
	EXPECT_EQ(-EEXIST, vcpu_create(&self->vm, &b, 0));
	EXPECT_EQ(-EINVAL, vcpu_create(&self->vm, &b, max_id));
	EXPECT_EQ(-EINVAL, vcpu_create(&self->vm, &b, -1));
	ASSERT_EQ(0, vcpu_create(&self->vm, &b, max_id - 1));
	vcpu_destroy(&b);
	vcpu_destroy(&a);
}

TEST_F(vm, memslot_errors)
{
	int nslots = ioctl(self->vm.sys_fd, KVM_CHECK_EXTENSION,
			   KVM_CAP_NR_MEMSLOTS);
	int nas = ioctl(self->vm.vm_fd, KVM_CHECK_EXTENSION,
			KVM_CAP_MULTI_ADDRESS_SPACE);
	int ro = ioctl(self->vm.sys_fd, KVM_CHECK_EXTENSION,
		       KVM_CAP_READONLY_MEM);
	size_t sz = 0x10000;
	char *m = mmap(NULL, 2 * sz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t u = (uintptr_t)m, gpa = 0x100000;
	int fd = self->vm.vm_fd;

	ASSERT_NE(MAP_FAILED, m);
	ASSERT_LT(1, nslots);
	if (nas < 1)
		nas = 1;

	/* Unaligned guest address, size, host address. */
	EXPECT_EQ(-EINVAL, set_region(fd, 1, 0, gpa + 1, sz, u));
	EXPECT_EQ(-EINVAL, set_region(fd, 1, 0, gpa, sz + 1, u));
	EXPECT_EQ(-EINVAL, set_region(fd, 1, 0, gpa, sz, u + 8));
	/* Unknown flags. */
	EXPECT_EQ(-EINVAL, set_region(fd, 1, 1u << 15, gpa, sz, u));
	/* Slot id and address space out of range. */
	EXPECT_EQ(-EINVAL, set_region(fd, nslots, 0, gpa, sz, u));
	EXPECT_EQ(-EINVAL, set_region(fd, (nas << 16) | 1, 0, gpa, sz, u));
	/* Guest range wraps; host range is not user memory. */
	EXPECT_EQ(-EINVAL, set_region(fd, 1, 0, -0x1000ULL, sz, u));
	EXPECT_EQ(-EINVAL, set_region(fd, 1, 0, gpa, sz,
				      0xffff800000000000ULL));
	EXPECT_EQ(-EINVAL, set_region(fd, 1, 0, gpa, 0x7fffffffffff000ULL, u));
	/* Deleting a slot that does not exist. */
	EXPECT_EQ(-EINVAL, set_region(fd, 2, 0, 0, 0, 0));
	/* A good slot, then overlaps with it and with slot 0. */
	ASSERT_EQ(0, set_region(fd, 1, 0, gpa, sz, u));
	EXPECT_EQ(-EEXIST, set_region(fd, 2, 0, gpa + sz - 0x1000, sz, u + sz));
	EXPECT_EQ(-EEXIST, set_region(fd, 2, 0, 0, sz, u + sz));
	/* Changing an existing slot's size or host address is refused. */
	EXPECT_EQ(-EINVAL, set_region(fd, 1, 0, gpa, 2 * sz, u));
	EXPECT_EQ(-EINVAL, set_region(fd, 1, 0, gpa, sz, u + sz));
	/* Moving it is fine; deleting it is fine; deleting again is not. */
	EXPECT_EQ(0, set_region(fd, 1, 0, 2 * gpa, sz, u));
	EXPECT_EQ(0, set_region(fd, 1, 0, 0, 0, 0));
	EXPECT_EQ(-EINVAL, set_region(fd, 1, 0, 0, 0, 0));
	/* Honest KVM_CAP_READONLY_MEM. */
	if (ro > 0) {
		EXPECT_EQ(0, set_region(fd, 1, KVM_MEM_READONLY, gpa, sz, u));
		EXPECT_EQ(0, set_region(fd, 1, 0, 0, 0, 0));
	} else {
		EXPECT_EQ(-EINVAL, set_region(fd, 1, KVM_MEM_READONLY, gpa,
					      sz, u));
	}
	/* The highest slot id KVM_CAP_NR_MEMSLOTS allows really works. */
	EXPECT_EQ(0, set_region(fd, nslots - 1, 0, gpa, sz, u));
	EXPECT_EQ(0, set_region(fd, nslots - 1, 0, 0, 0, 0));
	/* NULL argument. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, KVM_SET_USER_MEMORY_REGION, NULL));
	EXPECT_EQ(EFAULT, errno);
	munmap(m, 2 * sz);
}

TEST_F(vm, bad_pointers_and_ioctls)
{
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	void *bad[] = { NULL, (void *)1, none, (void *)-4096L };
	static const unsigned long vcpu_ioctls[] = {
		KVM_GET_REGS, KVM_SET_REGS, KVM_GET_SREGS, KVM_SET_SREGS,
		KVM_SET_CPUID2, KVM_INTERRUPT,
	};
	struct test_vcpu vcpu;
	unsigned int i, j;

	ASSERT_NE(MAP_FAILED, none);
	ASSERT_EQ(0, vcpu_create(&self->vm, &vcpu, 0));
	for (i = 0; i < ARRAY_SIZE(vcpu_ioctls); i++) {
		for (j = 0; j < ARRAY_SIZE(bad); j++) {
			errno = 0;
			EXPECT_EQ(-1, ioctl(vcpu.fd, vcpu_ioctls[i], bad[j]));
			EXPECT_EQ(EFAULT, errno) {
				TH_LOG("ioctl %#lx pointer %p",
				       vcpu_ioctls[i], bad[j]);
			}
		}
	}
	for (j = 0; j < ARRAY_SIZE(bad); j++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->vm.vm_fd, KVM_SET_USER_MEMORY_REGION,
				    bad[j]));
		EXPECT_EQ(EFAULT, errno);
	}
	/* KVM_INTERRUPT: vectors are 0..255 (api.rst 4.16). */
	if (ioctl(self->vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) <= 0) {
		struct kvm_interrupt irq = { .irq = 256 };

		errno = 0;
		EXPECT_EQ(-1, ioctl(vcpu.fd, KVM_INTERRUPT, &irq));
		EXPECT_EQ(EINVAL, errno);
	}
	/* Unknown and misdirected ioctls fail and change nothing. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->vm.vm_fd, _IO(KVMIO, 0xfe), 0));
	EXPECT_TRUE(errno == EINVAL || errno == ENOTTY);
	errno = 0;
	EXPECT_EQ(-1, ioctl(vcpu.fd, _IO(KVMIO, 0xfe), 0));
	EXPECT_TRUE(errno == EINVAL || errno == ENOTTY);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->vm.vm_fd, KVM_RUN, 0));
	EXPECT_TRUE(errno == EINVAL || errno == ENOTTY);
	errno = 0;
	EXPECT_EQ(-1, ioctl(vcpu.fd, KVM_CREATE_VCPU, 1));
	EXPECT_TRUE(errno == EINVAL || errno == ENOTTY);
	/* The run area maps with exactly KVM_GET_VCPU_MMAP_SIZE bytes. */
	EXPECT_NE(MAP_FAILED, mmap(NULL, vcpu.run_size, PROT_READ,
				   MAP_SHARED, vcpu.fd, 0));
	vcpu_destroy(&vcpu);
	munmap(none, 4096);
}

TEST_F(vm, regs_round_trip)
{
	struct kvm_regs in, out;
	struct test_vcpu vcpu;
	uint64_t *p = (uint64_t *)&in;
	unsigned int i;

	ASSERT_EQ(0, vcpu_create(&self->vm, &vcpu, 0));
	for (i = 0; i < sizeof(in) / 8; i++)
		p[i] = 0x0101010101010101ULL * (i + 1);
	in.rflags = 0x2 | 0x1 | 0x40 | 0x200;	/* fixed bit 1, CF, ZF, IF */
	ASSERT_EQ(0, ioctl(vcpu.fd, KVM_SET_REGS, &in));
	memset(&out, 0, sizeof(out));
	ASSERT_EQ(0, ioctl(vcpu.fd, KVM_GET_REGS, &out));
	EXPECT_EQ(0, memcmp(&in, &out, sizeof(in))) {
		for (i = 0; i < sizeof(in) / 8; i++)
			if (p[i] != ((uint64_t *)&out)[i])
				TH_LOG("field %u: set %#llx got %#llx", i,
				       (unsigned long long)p[i],
				       (unsigned long long)((uint64_t *)&out)[i]);
	}
	vcpu_destroy(&vcpu);
}

static int seg_eq(const struct kvm_segment *a, const struct kvm_segment *b)
{
	return a->base == b->base && a->limit == b->limit &&
	       a->selector == b->selector && a->type == b->type &&
	       a->present == b->present && a->dpl == b->dpl &&
	       a->db == b->db && a->s == b->s && a->l == b->l &&
	       a->g == b->g;
}

TEST_F(vm, sregs_round_trip)
{
	static const uint8_t nop = 0xf4;
	struct kvm_sregs in, out;
	struct test_vcpu vcpu;

	ASSERT_EQ(0, vcpu_create(&self->vm, &vcpu, 0));
	ASSERT_EQ(0, vcpu_setup(&self->vm, &vcpu, GUEST_LONG64, &nop, 1));
	ASSERT_EQ(0, ioctl(vcpu.fd, KVM_GET_SREGS, &in));
	in.gdt.base = 0x3000;
	in.gdt.limit = 0x37;
	in.idt.base = 0x4000;
	in.idt.limit = 0xfff;
	in.fs.base = 0x12345000;
	in.gs.base = 0xffff880000001000ULL;
	in.cr2 = 0xdead000;
	ASSERT_EQ(0, ioctl(vcpu.fd, KVM_SET_SREGS, &in));
	ASSERT_EQ(0, ioctl(vcpu.fd, KVM_GET_SREGS, &out));
	EXPECT_TRUE(seg_eq(&in.cs, &out.cs));
	EXPECT_TRUE(seg_eq(&in.ds, &out.ds));
	EXPECT_TRUE(seg_eq(&in.fs, &out.fs));
	EXPECT_TRUE(seg_eq(&in.gs, &out.gs));
	EXPECT_TRUE(seg_eq(&in.ss, &out.ss));
	EXPECT_TRUE(seg_eq(&in.tr, &out.tr));
	EXPECT_EQ(in.gdt.base, out.gdt.base);
	EXPECT_EQ(in.gdt.limit, out.gdt.limit);
	EXPECT_EQ(in.idt.base, out.idt.base);
	EXPECT_EQ(in.idt.limit, out.idt.limit);
	EXPECT_EQ(in.cr0, out.cr0);
	EXPECT_EQ(in.cr2, out.cr2);
	EXPECT_EQ(in.cr3, out.cr3);
	EXPECT_EQ(in.cr4, out.cr4);
	EXPECT_EQ(in.efer, out.efer);
	/* The state really is the guest's: it runs in long mode to HLT. */
	ASSERT_EQ(0, vcpu_run(&vcpu));
	EXPECT_EQ(KVM_EXIT_HLT, vcpu.run->exit_reason);
	vcpu_destroy(&vcpu);
}

/* KVM_SET_CPUID2 entries that run into an unmapped page: EFAULT. */
static void set_cpuid_unmapped_tail(struct __test_metadata *_metadata,
				    int vcpu_fd,
				    const struct kvm_cpuid_entry2 *e)
{
	char *pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvm_cpuid2 *t;

	ASSERT_NE(MAP_FAILED, pg);
	ASSERT_EQ(0, mprotect(pg + 4096, 4096, PROT_NONE));
	t = (struct kvm_cpuid2 *)(pg + 4096 - sizeof(*t) - sizeof(*e));
	t->nent = 2;
	memcpy(t->entries, e, sizeof(*e));
	errno = 0;
	EXPECT_EQ(-1, ioctl(vcpu_fd, KVM_SET_CPUID2, t));
	EXPECT_EQ(EFAULT, errno);
	munmap(pg, 8192);
}

TEST_F(vm, cpuid)
{
	size_t sz = sizeof(struct kvm_cpuid2) +
		    MAX_CPUID_ENTRIES * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *c = calloc(1, sz + 4096);
	struct test_vcpu vcpu;
	uint32_t i, nent;
	int leaf0 = 0;

	ASSERT_NE(NULL, c);
	if (ioctl(self->vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXT_CPUID) <= 0)
		SKIP(return, "no KVM_CAP_EXT_CPUID");
	c->nent = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->vm.sys_fd, KVM_GET_SUPPORTED_CPUID, c));
	EXPECT_EQ(E2BIG, errno);
	c->nent = 0;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->vm.sys_fd, KVM_GET_SUPPORTED_CPUID, c));
	EXPECT_EQ(E2BIG, errno);
	/* A huge nent is clamped to KVM_MAX_CPUID_ENTRIES, not trusted. */
	c->nent = 1000000;
	ASSERT_EQ(0, ioctl(self->vm.sys_fd, KVM_GET_SUPPORTED_CPUID, c));
	ASSERT_GE(MAX_CPUID_ENTRIES, c->nent);
	c->nent = MAX_CPUID_ENTRIES;
	ASSERT_EQ(0, ioctl(self->vm.sys_fd, KVM_GET_SUPPORTED_CPUID, c));
	nent = c->nent;
	ASSERT_LT(1, nent);
	ASSERT_GE(MAX_CPUID_ENTRIES, nent);
	for (i = 0; i < nent; i++)
		if (c->entries[i].function == 0)
			leaf0 = 1;
	EXPECT_TRUE(leaf0);
	ASSERT_EQ(0, vcpu_create(&self->vm, &vcpu, 0));
	ASSERT_EQ(0, ioctl(vcpu.fd, KVM_SET_CPUID2, c));
	set_cpuid_unmapped_tail(_metadata, vcpu.fd, &c->entries[0]);
	/* More entries than KVM_MAX_CPUID_ENTRIES: E2BIG, no huge copy. */
	c->nent = 100000;
	errno = 0;
	EXPECT_EQ(-1, ioctl(vcpu.fd, KVM_SET_CPUID2, c));
	EXPECT_EQ(E2BIG, errno);
	vcpu_destroy(&vcpu);
	free(c);
}

TEST_F(vm, capabilities_are_honest)
{
	int sys = self->vm.sys_fd, vm = self->vm.vm_fd;
	struct kvm_pit_config pit = { 0 };
	struct test_vcpu vcpu;
	int r;

	r = ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP);
	errno = 0;
	if (r > 0) {
		EXPECT_EQ(0, ioctl(vm, KVM_CREATE_IRQCHIP, 0)) {
			TH_LOG("KVM_CAP_IRQCHIP but KVM_CREATE_IRQCHIP: %s",
			       strerror(errno));
		}
		if (ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_PIT2) > 0) {
			EXPECT_EQ(0, ioctl(vm, KVM_CREATE_PIT2, &pit)) {
				TH_LOG("KVM_CAP_PIT2 but KVM_CREATE_PIT2: %s",
				       strerror(errno));
			}
		}
	} else {
		EXPECT_EQ(-1, ioctl(vm, KVM_CREATE_IRQCHIP, 0));
	}
	/* Braces: the harness' EXPECT is more than one statement. */
	if (ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM) > 0) {
		EXPECT_EQ(1, ioctl(vm, KVM_CHECK_EXTENSION,
				   KVM_CAP_USER_MEMORY));
	}
	if (ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0) {
		EXPECT_EQ(0, ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL));
	}
	ASSERT_EQ(0, vcpu_create(&self->vm, &vcpu, 0));
	if (ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) > 0) {
		vcpu.run->immediate_exit = 1;
		EXPECT_EQ(-EINTR, vcpu_run(&vcpu));
	}
	vcpu_destroy(&vcpu);
}

int main(int argc, char **argv)
{
	require_vm("vm_api_test");
	return test_harness_run(argc, argv);
}
