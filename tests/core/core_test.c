// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl surface of src/core/ seen from userspace, against KVM's
 * contract (Documentation/virt/kvm/api.rst of Linux 6.1, section numbers
 * below) and hvmm's (Documentation/abi.md).  Runs in the VM tiers:
 * against the fake backend (tests/core/run.sh, HVMM_FAKE_VMX=1) it
 * covers everything; against the real backend the tests that need a VM
 * run when VT-x is there and skip otherwise.
 *
 *   HVMM_DEV=/dev/hvmm     device to open (default)
 *   HVMM_FAKE_VMX=1        also check the fake backend's KVM_RUN results
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"

#define PG 4096UL

static const char *dev_path(void)
{
	const char *p = getenv("HVMM_DEV");

	return p ? p : "/dev/hvmm";
}

static bool fake_backend(void)
{
	const char *p = getenv("HVMM_FAKE_VMX");

	return p && !strcmp(p, "1");
}

/* ioctl that must fail with @err */
#define EXPECT_ERRNO(err, call) do {					\
	errno = 0;							\
	EXPECT_EQ(-1, (call));						\
	EXPECT_EQ(err, errno);						\
} while (0)

static long read_counter(const char *dir, const char *name)
{
	char path[256], buf[32] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atol(buf) : -1;
}

static void fd_name(int fd, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, len - 1);
	buf[n > 0 ? n : 0] = 0;
}

/* Run @fn in a child process; return its exit status or 128 + signal. */
static int in_child(int (*fn)(void *), void *arg)
{
	pid_t p = fork();
	int ws;

	if (!p)
		_exit(fn(arg));
	if (p < 0 || waitpid(p, &ws, 0) != p)
		return -1;
	return WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : WEXITSTATUS(ws);
}

FIXTURE(dev) {
	int dev;
};

FIXTURE_SETUP(dev)
{
	self->dev = open(dev_path(), O_RDWR);
	if (self->dev < 0 && errno == ENOENT)
		SKIP(return, "%s missing", dev_path());
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(dev)
{
	close(self->dev);
}

/* abi.md: /dev/hvmm is 0666 like /dev/kvm under udev. */
TEST_F(dev, node_mode)
{
	struct stat st;

	ASSERT_EQ(0, fstat(self->dev, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 0777);
}

/* api.rst 4.1 KVM_GET_API_VERSION, 4.5 KVM_GET_VCPU_MMAP_SIZE: both
 * take no argument (kvm_dev_ioctl(): arg != 0 is -EINVAL).
 */
TEST_F(dev, system_ioctls)
{
	EXPECT_EQ(12, ioctl(self->dev, KVM_GET_API_VERSION, 0));
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, KVM_GET_API_VERSION, 1));
	EXPECT_EQ(2 * PG, ioctl(self->dev, KVM_GET_VCPU_MMAP_SIZE, 0));
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, KVM_GET_VCPU_MMAP_SIZE, 1));
	/* x86 kvm_arch_dev_ioctl(): unknown is -EINVAL */
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, _IO(KVMIO, 0xfe), 0));
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, KVM_RUN, 0));
	/* api.rst 4.2: machine type must be 0 on x86 */
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, KVM_CREATE_VM, 1));
}

/* api.rst 4.4 KVM_CHECK_EXTENSION: the set abi.md promises, 0 else. */
TEST_F(dev, capabilities)
{
	static const struct { long cap, val; } caps[] = {
		{ KVM_CAP_USER_MEMORY, 1 },
		{ KVM_CAP_DESTROY_MEMORY_REGION_WORKS, 1 },
		{ KVM_CAP_NR_MEMSLOTS, 32 },
		{ KVM_CAP_MAX_VCPUS, 16 },
		{ KVM_CAP_MAX_VCPU_ID, 256 },
		{ KVM_CAP_SET_TSS_ADDR, 1 },
		{ KVM_CAP_EXT_CPUID, 1 },
		{ KVM_CAP_IMMEDIATE_EXIT, 1 },
		{ KVM_CAP_CHECK_EXTENSION_VM, 1 },
		{ KVM_CAP_SYNC_MMU, 1 },
		{ KVM_CAP_READONLY_MEM, 1 },
		{ KVM_CAP_IRQCHIP, 1 },
		{ KVM_CAP_PIT2, 1 },
		{ KVM_CAP_PIT_STATE2, 1 },
		{ KVM_CAP_REINJECT_CONTROL, 1 },
		{ KVM_CAP_IRQ_INJECT_STATUS, 0 },
		{ KVM_CAP_IRQ_ROUTING, 0 },
		{ KVM_CAP_MULTI_ADDRESS_SPACE, 0 },
		{ 0x7fffffff, 0 },
		{ -1, 0 },
	};
	long nr = ioctl(self->dev, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(caps); i++)
		EXPECT_EQ(caps[i].val,
			  ioctl(self->dev, KVM_CHECK_EXTENSION, caps[i].cap))
			TH_LOG("capability %ld", caps[i].cap);
	EXPECT_LE(1, nr);
	EXPECT_GE(16, nr);
}

FIXTURE(vm) {
	int dev, vm;
};

FIXTURE_SETUP(vm)
{
	self->vm = -1;
	self->dev = open(dev_path(), O_RDWR);
	if (self->dev < 0 && errno == ENOENT)
		SKIP(return, "%s missing", dev_path());
	ASSERT_LE(0, self->dev);
	self->vm = ioctl(self->dev, KVM_CREATE_VM, 0);
	/* abi.md: without usable VT-x KVM_CREATE_VM is -EOPNOTSUPP */
	if (self->vm < 0 && errno == EOPNOTSUPP)
		SKIP(return, "no VT-x: KVM_CREATE_VM is EOPNOTSUPP");
	ASSERT_LE(0, self->vm);
}

FIXTURE_TEARDOWN(vm)
{
	if (self->vm >= 0)
		close(self->vm);
	if (self->dev >= 0)
		close(self->dev);
}

/* api.rst 4.2: the VM fd; kvm_dev_ioctl_create_vm() opens it O_CLOEXEC */
TEST_F(vm, vm_fd)
{
	char name[64];

	fd_name(self->vm, name, sizeof(name));
	EXPECT_STREQ("anon_inode:hvmm-vm", name);
	EXPECT_TRUE(fcntl(self->vm, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(1, ioctl(self->vm, KVM_CHECK_EXTENSION,
			   KVM_CAP_CHECK_EXTENSION_VM));
	EXPECT_EQ(32, ioctl(self->vm, KVM_CHECK_EXTENSION,
			    KVM_CAP_NR_MEMSLOTS));
	/* x86 kvm_arch_vm_ioctl(): unknown is -ENOTTY */
	EXPECT_ERRNO(ENOTTY, ioctl(self->vm, _IO(KVMIO, 0xfe), 0));
	/* api.rst 4.36 KVM_SET_TSS_ADDR: below 4 GiB minus three pages */
	EXPECT_EQ(0, ioctl(self->vm, KVM_SET_TSS_ADDR, 0xfffbd000UL));
	EXPECT_ERRNO(EINVAL, ioctl(self->vm, KVM_SET_TSS_ADDR, 0xffffe000UL));
}

static int set_mem(int vm, __u32 slot, __u64 gpa, __u64 size, void *uaddr)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (unsigned long)uaddr,
	};

	return ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r);
}

/* api.rst 4.35 KVM_SET_USER_MEMORY_REGION (rules: abi.md) */
TEST_F(vm, memory_regions)
{
	char *mem = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvm_userspace_memory_region r = { .memory_size = PG };

	ASSERT_NE(MAP_FAILED, mem);
	EXPECT_EQ(0, set_mem(self->vm, 0, 0, 16 * PG, mem));
	EXPECT_ERRNO(EEXIST, set_mem(self->vm, 1, 8 * PG, 16 * PG, mem));
	EXPECT_EQ(0, set_mem(self->vm, 1, 16 * PG, 16 * PG, mem));
	/* move slot 1, then delete it; deleting an empty slot: -EINVAL */
	EXPECT_EQ(0, set_mem(self->vm, 1, 64 * PG, 16 * PG, mem));
	EXPECT_ERRNO(EINVAL, set_mem(self->vm, 1, 64 * PG, 32 * PG, mem));
	EXPECT_EQ(0, set_mem(self->vm, 1, 0, 0, NULL));
	EXPECT_ERRNO(EINVAL, set_mem(self->vm, 1, 0, 0, NULL));
	EXPECT_EQ(0, set_mem(self->vm, 1, 16 * PG, 16 * PG, mem));
	/* slot id, address space, alignment, flags */
	EXPECT_ERRNO(EINVAL, set_mem(self->vm, 32, 1 << 30, PG, mem));
	EXPECT_ERRNO(EINVAL, set_mem(self->vm, 1 << 16 | 2, 1 << 30, PG,
				     mem));
	EXPECT_ERRNO(EINVAL, set_mem(self->vm, 2, 1 << 30, PG, mem + 1));
	EXPECT_ERRNO(EINVAL, set_mem(self->vm, 2, (1 << 30) + 1, PG, mem));
	r.slot = 2;
	r.flags = KVM_MEM_LOG_DIRTY_PAGES;
	r.userspace_addr = (unsigned long)mem;
	EXPECT_ERRNO(EINVAL, ioctl(self->vm, KVM_SET_USER_MEMORY_REGION, &r));
	/* userspace_addr must be a user range (access_ok) */
	EXPECT_ERRNO(EINVAL, set_mem(self->vm, 2, 1 << 30, PG,
				     (void *)0xffff888000000000UL));
	EXPECT_ERRNO(EINVAL, set_mem(self->vm, 2, 1 << 30, 2 * PG,
				     (void *)0x7ffffffff000UL));
	EXPECT_ERRNO(EFAULT, ioctl(self->vm, KVM_SET_USER_MEMORY_REGION,
				   (void *)16));
	/* slots 0 and 1 stay: VM teardown releases them */
}

/* api.rst 4.7 KVM_CREATE_VCPU */
TEST_F(vm, vcpu_ids)
{
	int fds[16], i;
	char name[64];

	EXPECT_ERRNO(EINVAL, ioctl(self->vm, KVM_CREATE_VCPU, 256));
	EXPECT_ERRNO(EINVAL, ioctl(self->vm, KVM_CREATE_VCPU, -1));
	for (i = 0; i < 16; i++) {
		fds[i] = ioctl(self->vm, KVM_CREATE_VCPU, 255 - i * 3);
		ASSERT_LE(0, fds[i]);
	}
	fd_name(fds[1], name, sizeof(name));
	EXPECT_STREQ("anon_inode:hvmm-vcpu:252", name);
	EXPECT_TRUE(fcntl(fds[1], F_GETFD) & FD_CLOEXEC);
	/* KVM_CAP_MAX_VCPUS reached: -EINVAL; a duplicate id too */
	EXPECT_ERRNO(EINVAL, ioctl(self->vm, KVM_CREATE_VCPU, 7));
	EXPECT_ERRNO(EINVAL, ioctl(self->vm, KVM_CREATE_VCPU, 255));
	for (i = 0; i < 16; i++)
		close(fds[i]);
	/* vCPUs live as long as the VM: the ids stay taken */
	EXPECT_ERRNO(EINVAL, ioctl(self->vm, KVM_CREATE_VCPU, 255));
}

TEST_F(vm, vcpu_duplicate_id)
{
	int a = ioctl(self->vm, KVM_CREATE_VCPU, 3);

	ASSERT_LE(0, a);
	EXPECT_ERRNO(EEXIST, ioctl(self->vm, KVM_CREATE_VCPU, 3));
	EXPECT_LE(0, ioctl(self->vm, KVM_CREATE_VCPU, 0));
	/* kvm_vm_ioctl() hands the id on as a u32: bits 63:32 ignored */
	EXPECT_ERRNO(EEXIST, ioctl(self->vm, KVM_CREATE_VCPU, 1UL << 32 | 3));
}

/* A child reads one byte; SIGBUS there is the answer under test. */
static int touch_page(void *p)
{
	return *(char *)p == 0x5a;
}

/* api.rst 5 "The kvm_run structure"; page 1 is the PIO page
 * (KVM_PIO_PAGE_OFFSET); beyond the mmap size: SIGBUS, as KVM.
 */
TEST_F(vm, vcpu_mmap)
{
	int vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	char *map;

	ASSERT_LE(0, vcpu);
	map = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0, in_child(touch_page, map));
	EXPECT_EQ(0, in_child(touch_page, map + PG));
	EXPECT_EQ(128 + SIGBUS, in_child(touch_page, map + 2 * PG));
	/* the page is shared with the kernel, not copied */
	map[PG] = 0x5a;
	EXPECT_EQ(1, in_child(touch_page, map + PG));
	munmap(map, 3 * PG);
	close(vcpu);
}

/* api.rst 4.10 KVM_RUN: no argument; 5: immediate_exit gives -EINTR */
TEST_F(vm, run_arguments)
{
	int vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	struct kvm_run *run;

	ASSERT_LE(0, vcpu);
	run = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ASSERT_NE(MAP_FAILED, run);
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, KVM_RUN, 1));
	run->immediate_exit = 1;
	EXPECT_ERRNO(EINTR, ioctl(vcpu, KVM_RUN, 0));
	EXPECT_ERRNO(EINTR, ioctl(vcpu, KVM_RUN, 0));
	/* x86 kvm_arch_vcpu_ioctl(): unknown is -EINVAL */
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, _IO(KVMIO, 0xfe), 0));
	munmap(run, 2 * PG);
	close(vcpu);
}

/* api.rst 4.11-4.14 KVM_GET/SET_REGS/SREGS; bad pointers: -EFAULT */
TEST_F(vm, registers)
{
	int vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	struct kvm_regs regs = { .rax = 0x1234, .rip = 0xfff0, .rflags = 2 };
	struct kvm_regs back;
	struct kvm_sregs sregs;

	ASSERT_LE(0, vcpu);
	EXPECT_EQ(0, ioctl(vcpu, KVM_SET_REGS, &regs));
	memset(&back, 0xff, sizeof(back));
	EXPECT_EQ(0, ioctl(vcpu, KVM_GET_REGS, &back));
	EXPECT_EQ(0x1234, back.rax);
	EXPECT_EQ(0xfff0, back.rip);
	EXPECT_ERRNO(EFAULT, ioctl(vcpu, KVM_GET_REGS, (void *)8));
	EXPECT_ERRNO(EFAULT, ioctl(vcpu, KVM_SET_REGS, (void *)8));
	EXPECT_EQ(0, ioctl(vcpu, KVM_GET_SREGS, &sregs));
	EXPECT_EQ(0, ioctl(vcpu, KVM_SET_SREGS, &sregs));
	EXPECT_ERRNO(EFAULT, ioctl(vcpu, KVM_GET_SREGS, (void *)8));
	EXPECT_ERRNO(EFAULT, ioctl(vcpu, KVM_SET_SREGS, (void *)8));
	close(vcpu);
}

/* api.rst 4.46 KVM_GET_SUPPORTED_CPUID, 4.73 KVM_SET_CPUID2 */
TEST_F(vm, cpuid)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
				      300 * sizeof(struct kvm_cpuid_entry2));
	int vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	char *edge;

	ASSERT_NE(NULL, c);
	ASSERT_LE(0, vcpu);
	/* nent 0: -E2BIG and nent untouched */
	EXPECT_ERRNO(E2BIG, ioctl(self->dev, KVM_GET_SUPPORTED_CPUID, c));
	EXPECT_EQ(0, c->nent);
	c->nent = 300;
	EXPECT_EQ(0, ioctl(self->dev, KVM_GET_SUPPORTED_CPUID, c));
	EXPECT_LE(1, c->nent);
	EXPECT_GE(256, c->nent);
	EXPECT_ERRNO(EFAULT, ioctl(self->dev, KVM_GET_SUPPORTED_CPUID,
				   (void *)8));
	/* the supported table is a valid KVM_SET_CPUID2 */
	EXPECT_EQ(0, ioctl(vcpu, KVM_SET_CPUID2, c));
	c->nent = 257;
	EXPECT_ERRNO(E2BIG, ioctl(vcpu, KVM_SET_CPUID2, c));
	/* entries that run into an unmapped page: -EFAULT */
	edge = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, edge);
	munmap(edge + PG, PG);
	c = (void *)(edge + PG - sizeof(*c) - sizeof(c->entries[0]));
	c->nent = 2;
	EXPECT_ERRNO(EFAULT, ioctl(vcpu, KVM_SET_CPUID2, c));
	close(vcpu);
}

/* api.rst 4.16 KVM_INTERRUPT: vectors 0..255 */
TEST_F(vm, interrupt)
{
	int vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	struct kvm_interrupt irq = { .irq = 256 };

	ASSERT_LE(0, vcpu);
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, KVM_INTERRUPT, &irq));
	EXPECT_ERRNO(EFAULT, ioctl(vcpu, KVM_INTERRUPT, (void *)8));
	irq.irq = 0x20;
	EXPECT_EQ(0, ioctl(vcpu, KVM_INTERRUPT, &irq));
	close(vcpu);
}

struct fds {
	int vm, vcpu;
};

static int foreign_ioctls(void *arg)
{
	struct fds *f = arg;

	/* kvm_vm_ioctl()/kvm_vcpu_ioctl(): another mm gets -EIO */
	if (ioctl(f->vm, KVM_CREATE_VCPU, 9) != -1 || errno != EIO)
		return 1;
	if (ioctl(f->vm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) != -1 ||
	    errno != EIO)
		return 2;
	if (ioctl(f->vcpu, KVM_RUN, 0) != -1 || errno != EIO)
		return 3;
	return 0;
}

TEST_F(vm, other_process_gets_eio)
{
	struct fds f = { self->vm, ioctl(self->vm, KVM_CREATE_VCPU, 0) };

	ASSERT_LE(0, f.vcpu);
	EXPECT_EQ(0, in_child(foreign_ioctls, &f));
	close(f.vcpu);
}

/* abi.md "Statistics": /sys/kernel/debug/hvmm/<pid>-<fd>/ */
TEST_F(vm, debugfs_layout)
{
	char dir[128];

	if (access("/sys/kernel/debug/hvmm", F_OK))
		SKIP(return, "debugfs not mounted");
	snprintf(dir, sizeof(dir), "/sys/kernel/debug/hvmm/%d-%d", getpid(),
		 self->vm);
	EXPECT_EQ(0, read_counter(dir, "exits"));
	EXPECT_EQ(0, read_counter(dir, "io_exits"));
	EXPECT_EQ(0, read_counter(dir, "triple_fault_exits"));
	EXPECT_EQ(0, access("/sys/kernel/debug/hvmm/exits", R_OK));
	close(self->vm);
	self->vm = -1;
	/* the directory goes with the VM */
	EXPECT_NE(0, access(dir, F_OK));
}

/*
 * A VM fd closed while a vCPU fd keeps its VM alive: the next VM gets the
 * same fd number, so its debugfs name is taken.  KVM then warns once,
 * ratelimited, and goes without a directory; debugfs_create_dir() would
 * print an error for every such VM, a log flood any user can cause
 * (found by ioctl_fuzz).
 */
TEST_F(vm, debugfs_reused_fd)
{
	int old = self->vm, vcpu, kmsg, vm2;
	char rec[1024];
	ssize_t n;

	if (access("/sys/kernel/debug/hvmm", F_OK))
		SKIP(return, "debugfs not mounted");
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg < 0)
		SKIP(return, "/dev/kmsg: %s", strerror(errno));
	lseek(kmsg, 0, SEEK_END);
	vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu);
	close(self->vm);
	self->vm = -1;
	vm2 = ioctl(self->dev, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm2);
	self->vm = vm2;
	ASSERT_EQ(old, vm2);	/* the lowest free number */
	EXPECT_EQ(1, ioctl(vm2, KVM_CHECK_EXTENSION,
			   KVM_CAP_CHECK_EXTENSION_VM));
	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || errno == EPIPE) {
		rec[n > 0 ? n : 0] = 0;
		EXPECT_EQ(NULL, strstr(rec, "already present"))
			TH_LOG("kernel log: %s", rec);
	}
	close(kmsg);
	close(vcpu);
}

/*
 * api.rst 4.35: with KVM_CAP_READONLY_MEM, "the guest is only allowed to
 * read" a KVM_MEM_READONLY slot; "writes will be posted to userspace as
 * KVM_EXIT_MMIO exits".  A real-mode guest reads the read-only page,
 * writes it, reads it again.  Needs a backend that runs guests.
 */
TEST_F(vm, readonly_slot)
{
	static const unsigned char code[] = {
		0xb8, 0x00, 0x20,		/* mov ax, 0x2000 */
		0x8e, 0xd8,			/* mov ds, ax */
		0xa0, 0x00, 0x00,		/* mov al, [0] */
		0xe6, 0x10,			/* out 0x10, al */
		0xc6, 0x06, 0x00, 0x00, 0x77,	/* mov byte [0], 0x77 */
		0xa0, 0x00, 0x00,		/* mov al, [0] */
		0xe6, 0x11,			/* out 0x11, al */
		0xf4,				/* hlt */
	};
	struct kvm_userspace_memory_region r = {
		.slot = 1, .flags = KVM_MEM_READONLY,
		.guest_phys_addr = 0x20000, .memory_size = PG,
	};
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 2 };
	struct kvm_sregs sregs;
	struct kvm_run *run;
	char *mem, *ro;
	int vcpu;

	if (ioctl(self->dev, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) < 1)
		SKIP(return, "no KVM_CAP_READONLY_MEM");
	if (fake_backend())
		SKIP(return, "the fake backend runs no guest code");
	mem = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_NE(MAP_FAILED, ro);
	memcpy(mem + 0x1000, code, sizeof(code));
	ro[0] = 0x5a;
	ASSERT_EQ(0, set_mem(self->vm, 0, 0, 16 * PG, mem));
	r.userspace_addr = (unsigned long)ro;
	ASSERT_EQ(0, ioctl(self->vm, KVM_SET_USER_MEMORY_REGION, &r));
	/* KVM_MEM_READONLY cannot be toggled on a live slot */
	r.flags = 0;
	EXPECT_ERRNO(EINVAL, ioctl(self->vm, KVM_SET_USER_MEMORY_REGION, &r));

	vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu);
	run = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ASSERT_NE(MAP_FAILED, run);
	ASSERT_EQ(0, ioctl(vcpu, KVM_GET_SREGS, &sregs));
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	ASSERT_EQ(0, ioctl(vcpu, KVM_SET_SREGS, &sregs));
	ASSERT_EQ(0, ioctl(vcpu, KVM_SET_REGS, &regs));

	/* the read sees the slot's memory */
	ASSERT_EQ(0, ioctl(vcpu, KVM_RUN, 0));
	ASSERT_EQ(KVM_EXIT_IO, run->exit_reason);
	EXPECT_EQ(0x10, run->io.port);
	EXPECT_EQ(0x5a, *((unsigned char *)run + run->io.data_offset));
	/* the write becomes an MMIO exit, memory unchanged */
	ASSERT_EQ(0, ioctl(vcpu, KVM_RUN, 0));
	ASSERT_EQ(KVM_EXIT_MMIO, run->exit_reason);
	EXPECT_EQ(0x20000, run->mmio.phys_addr);
	EXPECT_EQ(1, run->mmio.len);
	EXPECT_EQ(1, run->mmio.is_write);
	EXPECT_EQ(0x77, run->mmio.data[0]);
	ASSERT_EQ(0, ioctl(vcpu, KVM_RUN, 0));
	ASSERT_EQ(KVM_EXIT_IO, run->exit_reason);
	EXPECT_EQ(0x11, run->io.port);
	EXPECT_EQ(0x5a, *((unsigned char *)run + run->io.data_offset));
	EXPECT_EQ(0x5a, ro[0]);
	munmap(run, 2 * PG);
	close(vcpu);
}

static void on_alarm(int sig)
{
}

/* Fake backend only: KVM_RUN results, signals and counters. */
TEST_F(vm, fake_run_and_stats)
{
	int vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	struct sigaction sa = { .sa_handler = on_alarm };
	struct kvm_regs regs = { .rax = 0xdead, .rflags = 2 };
	struct kvm_regs hlt = { .rax = 0x4a17, .rflags = 2 };
	struct kvm_run *run;
	char dir[128], line[64], *pio;
	FILE *f;

	if (!fake_backend())
		SKIP(return, "needs the fake backend (HVMM_FAKE_VMX=1)");
	ASSERT_LE(0, vcpu);
	run = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ASSERT_NE(MAP_FAILED, run);
	ASSERT_EQ(0, ioctl(vcpu, KVM_RUN, 0));
	EXPECT_EQ(KVM_EXIT_IO, run->exit_reason);
	EXPECT_EQ(0x3f8, run->io.port);
	/* string data lives in the PIO page, as KVM puts it */
	EXPECT_EQ(PG, run->io.data_offset);
	pio = (char *)run + run->io.data_offset;
	EXPECT_EQ('A', *pio);
	ASSERT_EQ(0, ioctl(vcpu, KVM_RUN, 0));
	EXPECT_EQ('B', *pio);
	/* immediate_exit: -EINTR, no guest entry, not a signal exit */
	run->immediate_exit = 1;
	EXPECT_ERRNO(EINTR, ioctl(vcpu, KVM_RUN, 0));
	EXPECT_EQ('B', *pio);
	run->immediate_exit = 0;
	/* a HLT exit: counted under its own reason */
	ASSERT_EQ(0, ioctl(vcpu, KVM_SET_REGS, &hlt));
	ASSERT_EQ(0, ioctl(vcpu, KVM_RUN, 0));
	EXPECT_EQ(KVM_EXIT_HLT, run->exit_reason);
	/* a signal ends a blocked KVM_RUN with -EINTR, KVM_EXIT_INTR */
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, ioctl(vcpu, KVM_SET_REGS, &regs));
	alarm(1);
	EXPECT_ERRNO(EINTR, ioctl(vcpu, KVM_RUN, 0));
	EXPECT_EQ(KVM_EXIT_INTR, run->exit_reason);

	snprintf(dir, sizeof(dir), "/sys/kernel/debug/hvmm/%d-%d", getpid(),
		 self->vm);
	if (access(dir, F_OK))
		SKIP(return, "debugfs not mounted");
	EXPECT_EQ(3, read_counter(dir, "exits"));
	EXPECT_EQ(2, read_counter(dir, "io_exits"));
	EXPECT_EQ(1, read_counter(dir, "halt_exits"));
	EXPECT_EQ(0, read_counter(dir, "other_exits"));
	EXPECT_EQ(3, read_counter(dir, "userspace_exits"));
	EXPECT_EQ(1, read_counter(dir, "signal_exits"));
	EXPECT_EQ(2, read_counter("/sys/kernel/debug/hvmm", "io_exits"));
	/* exit_reasons: "<nr> <NAME> <count>", ascending, non-zero only */
	strcat(dir, "/exit_reasons");
	f = fopen(dir, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	EXPECT_STREQ("12 HLT 1\n", line);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	EXPECT_STREQ("30 IO_INSTRUCTION 2\n", line);
	EXPECT_EQ(NULL, fgets(line, sizeof(line), f));
	fclose(f);
	munmap(run, 2 * PG);
	close(vcpu);
}

TEST_HARNESS_MAIN
