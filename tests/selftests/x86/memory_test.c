// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory through memory slots: what the guest stores the host
 * sees and the other way round, on every page of a slot the guest has
 * never touched; a deleted slot's range becomes MMIO (KVM_EXIT_MMIO) at
 * once, even right after the guest used it; a slot moved or re-created
 * on another host buffer shows the new memory, never a stale mapping
 * (api.rst 4.35 KVM_SET_USER_MEMORY_REGION: "changes ... take effect
 * immediately", and the EPT invalidation it implies, Intel SDM 3C 28.4).
 *
 * The guest (32-bit protected mode, no paging: linear = physical) is a
 * small command loop driven through port I/O, so each test asks it to
 * read, write, fill or sum guest-physical memory.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"

#define CMD_PORT	0x5f0	/* IN: command */
#define ARG_PORT	0x5f4	/* IN: address, count, value */
#define RES_PORT	0x5f8	/* OUT: result */

enum { CMD_READ = 1, CMD_WRITE, CMD_FILL, CMD_SUM };

asm(".pushsection .rodata\n\t"
	".code32\n"
	"memcmd32_start:\n"
	"1:\n\t"
	"mov $0x5f0, %dx\n\t"
	"in %dx, %eax\n\t"
	"mov %eax, %ebp\n\t"
	"mov $0x5f4, %dx\n\t"
	"in %dx, %eax\n\t"
	"mov %eax, %ebx\n\t"		/* address */
	"cmp $1, %ebp\n\t"
	"jne 2f\n\t"
	"mov (%ebx), %eax\n\t"		/* READ: one dword */
	"mov $0x5f8, %dx\n\t"
	"out %eax, %dx\n\t"
	"jmp 1b\n"
	"2:\n\t"
	"in %dx, %eax\n\t"		/* WRITE/FILL/SUM: second argument */
	"cmp $2, %ebp\n\t"
	"jne 3f\n\t"
	"mov %eax, (%ebx)\n\t"		/* WRITE */
	"jmp 1b\n"
	"3:\n\t"
	"mov %eax, %ecx\n\t"		/* count of dwords */
	"cmp $3, %ebp\n\t"
	"jne 4f\n\t"
	"in %dx, %eax\n\t"		/* FILL: value, stepping by 1 */
	"mov %ebx, %edi\n\t"
	"cld\n"
	"5:\n\t"
	"stosl\n\t"
	"inc %eax\n\t"
	"loop 5b\n\t"
	"jmp 1b\n"
	"4:\n\t"
	"xor %edi, %edi\n\t"		/* SUM */
	"mov %ebx, %esi\n\t"
	"cld\n"
	"6:\n\t"
	"lodsl\n\t"
	"add %eax, %edi\n\t"
	"loop 6b\n\t"
	"mov %edi, %eax\n\t"
	"mov $0x5f8, %dx\n\t"
	"out %eax, %dx\n\t"
	"jmp 1b\n"
	"memcmd32_end:\n\t"
	".code64\n\t"
	".popsection");
GUEST_CODE_DECLARE(memcmd32);

#define SLOT1		1
#define SLOT1_GPA	0x100000ULL
#define SLOT1_SIZE	0x40000UL		/* 64 pages */

struct mem_ctx {
	struct test_vm vm;
	struct test_vcpu vcpu;
	uint32_t *buf[2];	/* two host buffers to put behind slot 1 */
	int mmio_reads;		/* MMIO reads next_io() answered */
	uint64_t mmio_addr;	/* and the last one's address */
};

FIXTURE(mem) {
	struct mem_ctx m;
};

static int set_slot(int vm_fd, uint64_t gpa, uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = SLOT1, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) ? -errno : 0;
}

FIXTURE_SETUP(mem)
{
	int i;

	ASSERT_EQ(0, vm_create(&self->m.vm));
	ASSERT_EQ(0, vcpu_create(&self->m.vm, &self->m.vcpu, 0));
	ASSERT_EQ(0, vcpu_setup(&self->m.vm, &self->m.vcpu, GUEST_PROT32,
				memcmd32_start, GUEST_SIZE(memcmd32)));
	for (i = 0; i < 2; i++) {
		self->m.buf[i] = mmap(NULL, SLOT1_SIZE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, self->m.buf[i]);
	}
	ASSERT_EQ(0, set_slot(self->m.vm.vm_fd, SLOT1_GPA, SLOT1_SIZE,
			      self->m.buf[0]));
}

FIXTURE_TEARDOWN(mem)
{
	vcpu_destroy(&self->m.vcpu);
	vm_destroy(&self->m.vm);
	munmap(self->m.buf[0], SLOT1_SIZE);
	munmap(self->m.buf[1], SLOT1_SIZE);
}

/*
 * Run to the next port exit.  An MMIO read on the way is answered with
 * 0xdeadbeef and counted; anything else is an error (-1).
 */
static int next_io(struct mem_ctx *self)
{
	struct kvm_run *run = self->vcpu.run;
	uint32_t v = 0xdeadbeef;
	int guard;

	for (guard = 0; guard < 16; guard++) {
		if (vcpu_run(&self->vcpu))
			return -1;
		if (run->exit_reason == KVM_EXIT_IO)
			return 0;
		if (run->exit_reason != KVM_EXIT_MMIO || run->mmio.is_write ||
		    run->mmio.len != 4)
			return -1;
		self->mmio_reads++;
		self->mmio_addr = run->mmio.phys_addr;
		memcpy(run->mmio.data, &v, 4);
	}
	return -1;
}

/* Answer the guest's IN from @port with @val. */
static int give(struct mem_ctx *self, uint16_t port, uint32_t val)
{
	struct kvm_run *run = self->vcpu.run;

	if (next_io(self) || run->io.direction != KVM_EXIT_IO_IN ||
	    run->io.port != port || run->io.size != 4)
		return -1;
	memcpy(io_data(&self->vcpu), &val, 4);
	return 0;
}

/* Take the guest's OUT to RES_PORT. */
static int take(struct mem_ctx *self, uint32_t *val)
{
	struct kvm_run *run = self->vcpu.run;

	if (next_io(self) || run->io.direction != KVM_EXIT_IO_OUT ||
	    run->io.port != RES_PORT || run->io.size != 4)
		return -1;
	memcpy(val, io_data(&self->vcpu), 4);
	return 0;
}

static int guest_read(struct mem_ctx *self, uint32_t gpa, uint32_t *val)
{
	if (give(self, CMD_PORT, CMD_READ) || give(self, ARG_PORT, gpa))
		return -1;
	return take(self, val);
}

static int guest_write(struct mem_ctx *self, uint32_t gpa, uint32_t val)
{
	if (give(self, CMD_PORT, CMD_WRITE) || give(self, ARG_PORT, gpa))
		return -1;
	return give(self, ARG_PORT, val);
}

static int guest_fill(struct mem_ctx *self, uint32_t gpa, uint32_t n,
		      uint32_t first)
{
	if (give(self, CMD_PORT, CMD_FILL) || give(self, ARG_PORT, gpa) ||
	    give(self, ARG_PORT, n))
		return -1;
	return give(self, ARG_PORT, first);
}

static int guest_sum(struct mem_ctx *self, uint32_t gpa, uint32_t n,
		     uint32_t *sum)
{
	if (give(self, CMD_PORT, CMD_SUM) || give(self, ARG_PORT, gpa) ||
	    give(self, ARG_PORT, n))
		return -1;
	return take(self, sum);
}

TEST_F(mem, guest_stores_reach_host)
{
	uint32_t n = SLOT1_SIZE / 4, i, v;

	ASSERT_EQ(0, guest_fill(&self->m, SLOT1_GPA, n, 0x1000));
	/* The FILL is done once the guest asks for its next command. */
	ASSERT_EQ(0, guest_read(&self->m, SLOT1_GPA, &v));
	EXPECT_EQ(0x1000, v);
	for (i = 0; i < n; i++)
		if (self->m.buf[0][i] != 0x1000 + i)
			break;
	EXPECT_EQ(n, i) {
		TH_LOG("dword %u (page %u) is %#x", i, i / 1024,
		       self->m.buf[0][i]);
	}
	EXPECT_EQ(0, self->m.mmio_reads);
}

TEST_F(mem, host_stores_reach_guest)
{
	uint32_t n = SLOT1_SIZE / 4, i, sum = 0, want = 0;

	for (i = 0; i < n; i++) {
		self->m.buf[0][i] = i * 7 + 3;
		want += i * 7 + 3;
	}
	ASSERT_EQ(0, guest_sum(&self->m, SLOT1_GPA, n, &sum));
	EXPECT_EQ(want, sum);
	/* Changed after the guest mapped it: still the same memory. */
	self->m.buf[0][n - 1] += 5;
	ASSERT_EQ(0, guest_sum(&self->m, SLOT1_GPA, n, &sum));
	EXPECT_EQ(want + 5, sum);
	EXPECT_EQ(0, self->m.mmio_reads);
}

TEST_F(mem, deleted_slot_becomes_mmio)
{
	uint32_t v;

	ASSERT_EQ(0, guest_write(&self->m, SLOT1_GPA + 0x1000, 0x12345678));
	ASSERT_EQ(0, guest_read(&self->m, SLOT1_GPA + 0x1000, &v));
	ASSERT_EQ(0x12345678, v);
	ASSERT_EQ(0x12345678, self->m.buf[0][0x400]);
	ASSERT_EQ(0, set_slot(self->m.vm.vm_fd, SLOT1_GPA, 0, NULL));
	ASSERT_EQ(0, guest_read(&self->m, SLOT1_GPA + 0x1000, &v));
	EXPECT_EQ(1, self->m.mmio_reads);
	EXPECT_EQ(SLOT1_GPA + 0x1000, self->m.mmio_addr);
	EXPECT_EQ(0xdeadbeef, v);
}

TEST_F(mem, recreated_slot_shows_new_memory)
{
	uint32_t v;

	self->m.buf[0][0x800] = 0xaaaa0000;
	self->m.buf[1][0x800] = 0xbbbb0000;
	ASSERT_EQ(0, guest_read(&self->m, SLOT1_GPA + 0x2000, &v));
	ASSERT_EQ(0xaaaa0000, v);
	ASSERT_EQ(0, set_slot(self->m.vm.vm_fd, SLOT1_GPA, 0, NULL));
	ASSERT_EQ(0, set_slot(self->m.vm.vm_fd, SLOT1_GPA, SLOT1_SIZE,
			      self->m.buf[1]));
	ASSERT_EQ(0, guest_read(&self->m, SLOT1_GPA + 0x2000, &v));
	EXPECT_EQ(0xbbbb0000, v);
	/* And the guest's stores go to the new buffer only. */
	ASSERT_EQ(0, guest_write(&self->m, SLOT1_GPA + 0x2000, 0xcccc0000));
	ASSERT_EQ(0, guest_read(&self->m, SLOT1_GPA + 0x2000, &v));
	EXPECT_EQ(0xcccc0000, self->m.buf[1][0x800]);
	EXPECT_EQ(0xaaaa0000, self->m.buf[0][0x800]);
	EXPECT_EQ(0, self->m.mmio_reads);
}

/*
 * KVM_CAP_SYNC_MMU (api.rst): the guest follows the VMM's own mapping
 * changes under a live slot, without any ioctl: here a fresh page
 * mapped over part of slot 1 (MAP_FIXED) after the guest used the old.
 */
TEST_F(mem, remap_under_a_live_slot_is_seen)
{
	char *page = (char *)self->m.buf[0] + 0x3000;
	uint32_t v, *p;
	void *q;

	if (ioctl(self->m.vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_MMU) <= 0)
		SKIP(return, "KVM_CAP_SYNC_MMU not reported");
	self->m.buf[0][0xc00] = 0x11111111;
	ASSERT_EQ(0, guest_read(&self->m, SLOT1_GPA + 0x3000, &v));
	ASSERT_EQ(0x11111111, v);
	q = mmap(page, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(page, q);
	p = q;
	*p = 0x22222222;
	ASSERT_EQ(0, guest_read(&self->m, SLOT1_GPA + 0x3000, &v));
	EXPECT_EQ(0x22222222, v);
	/* The guest's store lands in the new page, too. */
	ASSERT_EQ(0, guest_write(&self->m, SLOT1_GPA + 0x3004, 0x33333333));
	/* (the store is done once the guest asks for its next command) */
	ASSERT_EQ(0, guest_read(&self->m, SLOT1_GPA + 0x3004, &v));
	EXPECT_EQ(0x33333333, v);
	EXPECT_EQ(0x33333333, p[1]);
	EXPECT_EQ(0, self->m.mmio_reads);
}

TEST_F(mem, moved_slot)
{
	uint64_t to = 0x800000;
	struct kvm_userspace_memory_region r = {
		.slot = SLOT1, .guest_phys_addr = to,
		.memory_size = SLOT1_SIZE,
		.userspace_addr = (uintptr_t)self->m.buf[0],
	};
	uint32_t v;

	self->m.buf[0][0x10] = 0x0badcafe;
	ASSERT_EQ(0, guest_read(&self->m, SLOT1_GPA + 0x40, &v));
	ASSERT_EQ(0x0badcafe, v);
	/* Same slot id, same host memory, new guest address: a move. */
	ASSERT_EQ(0, ioctl(self->m.vm.vm_fd, KVM_SET_USER_MEMORY_REGION, &r));
	ASSERT_EQ(0, guest_read(&self->m, to + 0x40, &v));
	EXPECT_EQ(0x0badcafe, v);
	EXPECT_EQ(0, self->m.mmio_reads);
	ASSERT_EQ(0, guest_read(&self->m, SLOT1_GPA + 0x40, &v));
	EXPECT_EQ(1, self->m.mmio_reads);
	EXPECT_EQ(SLOT1_GPA + 0x40, self->m.mmio_addr);
}

TEST_F(mem, last_byte_of_slot_and_first_after)
{
	uint32_t v;

	self->m.buf[0][SLOT1_SIZE / 4 - 1] = 0x11223344;
	ASSERT_EQ(0, guest_read(&self->m, SLOT1_GPA + SLOT1_SIZE - 4, &v));
	EXPECT_EQ(0x11223344, v);
	EXPECT_EQ(0, self->m.mmio_reads);
	ASSERT_EQ(0, guest_read(&self->m, SLOT1_GPA + SLOT1_SIZE, &v));
	EXPECT_EQ(1, self->m.mmio_reads);
	EXPECT_EQ(SLOT1_GPA + SLOT1_SIZE, self->m.mmio_addr);
}

int main(int argc, char **argv)
{
	require_vm("memory_test");
	return test_harness_run(argc, argv);
}
