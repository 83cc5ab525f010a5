// SPDX-License-Identifier: GPL-2.0
/*
 * The system-fd ioctl surface, which needs no VT-x: runs in the QEMU tier
 * (no VMX) and in the Bochs tier.  KVM_GET_API_VERSION, KVM_CHECK_EXTENSION,
 * KVM_GET_VCPU_MMAP_SIZE, unknown ioctls, bad pointers, and
 * KVM_CREATE_VM: it must succeed when $HVMM_EXPECT_VMX=1 and fail cleanly
 * with EOPNOTSUPP (src/vmx/vmx.h, hvmm_vmx_enable()) when it is 0.
 * Reference: Documentation/virt/kvm/api.rst, section 4.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"

FIXTURE(sys) {
	int fd;
};

FIXTURE_SETUP(sys)
{
	self->fd = dev_open();
	ASSERT_LE(0, self->fd) {
		TH_LOG("open %s: %s", dev_path(), strerror(-self->fd));
	}
}

FIXTURE_TEARDOWN(sys)
{
	close(self->fd);
}

TEST_F(sys, api_version)
{
	EXPECT_EQ(KVM_API_VERSION, ioctl(self->fd, KVM_GET_API_VERSION, 0));
	/* The argument must be 0 (virt/kvm/kvm_main.c kvm_dev_ioctl()). */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KVM_GET_API_VERSION, 1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(sys, vcpu_mmap_size)
{
	int size = ioctl(self->fd, KVM_GET_VCPU_MMAP_SIZE, 0);

	ASSERT_LE((int)sizeof(struct kvm_run), size);
	EXPECT_EQ(0, size % getpagesize());
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KVM_GET_VCPU_MMAP_SIZE, 1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(sys, check_extension)
{
	/* KVM_CAP_USER_MEMORY is the base every KVM user needs. */
	EXPECT_EQ(1, ioctl(self->fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY));
	/* Unknown capabilities are absent, not errors (api.rst 4.4). */
	EXPECT_EQ(0, ioctl(self->fd, KVM_CHECK_EXTENSION, 0x7fffffff));
	EXPECT_EQ(0, ioctl(self->fd, KVM_CHECK_EXTENSION, -1));
	/* Counts are positive where reported. */
	EXPECT_LE(0, ioctl(self->fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS));
	EXPECT_LE(0, ioctl(self->fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS));
}

TEST_F(sys, unknown_ioctls)
{
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, _IO(KVMIO, 0xfe), 0));
	EXPECT_TRUE(errno == EINVAL || errno == ENOTTY) {
		TH_LOG("errno %d", errno);
	}
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR('x', 0x01, long), 0));
	EXPECT_TRUE(errno == EINVAL || errno == ENOTTY) {
		TH_LOG("errno %d", errno);
	}
	/* vCPU-only ioctls mean nothing on the system fd. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KVM_RUN, 0));
	EXPECT_TRUE(errno == EINVAL || errno == ENOTTY) {
		TH_LOG("errno %d", errno);
	}
}

TEST_F(sys, bad_pointers)
{
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	void *bad[] = { NULL, (void *)1, none, (void *)-4096L };
	unsigned int i;

	ASSERT_NE(MAP_FAILED, none);
	if (ioctl(self->fd, KVM_CHECK_EXTENSION, KVM_CAP_EXT_CPUID) <= 0)
		SKIP(return, "no KVM_CAP_EXT_CPUID");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, KVM_GET_SUPPORTED_CPUID, bad[i]));
		EXPECT_EQ(EFAULT, errno) {
			TH_LOG("pointer %p", bad[i]);
		}
	}
	munmap(none, 4096);
}

TEST_F(sys, create_vm)
{
	const char *expect = getenv("HVMM_EXPECT_VMX");
	int vm;

	/* An unknown machine type is refused whether or not VT-x exists. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KVM_CREATE_VM, 0x7777));
	EXPECT_EQ(EINVAL, errno);

	vm = ioctl(self->fd, KVM_CREATE_VM, 0);
	if (!expect) {
		/* Unknown environment: either outcome, but a clean one. */
		if (vm >= 0) {
			close(vm);
			return;
		}
		EXPECT_EQ(EOPNOTSUPP, errno);
		return;
	}
	if (atoi(expect)) {
		ASSERT_LE(0, vm) {
			TH_LOG("KVM_CREATE_VM: %s", strerror(errno));
		}
		close(vm);
	} else {
		EXPECT_EQ(-1, vm);
		EXPECT_EQ(EOPNOTSUPP, errno);
		if (vm >= 0)
			close(vm);
	}
}

TEST(open_close_loop)
{
	int i, fd;

	for (i = 0; i < 1000; i++) {
		fd = dev_open();
		ASSERT_LE(0, fd);
		ASSERT_EQ(KVM_API_VERSION, ioctl(fd, KVM_GET_API_VERSION, 0));
		close(fd);
	}
}

TEST_HARNESS_MAIN
