// SPDX-License-Identifier: GPL-2.0
/*
 * Two hypervisors, one VMX: while a VM of $HVMM_OTHER_DEV (kvm_intel's
 * /dev/kvm) exists, that module has executed VMXON and set CR4.VMXE, so
 * KVM_CREATE_VM on $HVMM_DEV must fail with EBUSY (src/vmx/vmx.h,
 * hvmm_vmx_enable(); Intel SDM 3C 24.7 "Enabling and entering VMX
 * operation": VMXON with VMX already on is not an option), and it must
 * work again once the other VM is gone.  The other way round too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"

static const char *other_path(void)
{
	const char *p = getenv("HVMM_OTHER_DEV");

	return p && *p ? p : "/dev/kvm";
}

static int create_vm(const char *path, int *sys)
{
	int vm, err;

	*sys = open(path, O_RDWR | O_CLOEXEC);
	if (*sys < 0)
		return -errno;
	vm = ioctl(*sys, KVM_CREATE_VM, 0);
	if (vm < 0) {
		err = -errno;
		close(*sys);
		*sys = -1;
		return err;
	}
	return vm;
}

TEST(other_holds_vmx)
{
	int osys, hsys, ovm, hvm;

	ovm = create_vm(other_path(), &osys);
	ASSERT_LE(0, ovm) {
		TH_LOG("%s: KVM_CREATE_VM: %s", other_path(), strerror(-ovm));
	}
	hvm = create_vm(dev_path(), &hsys);
	EXPECT_EQ(-EBUSY, hvm);
	if (hvm >= 0) {
		close(hvm);
		close(hsys);
	}
	close(ovm);
	close(osys);
	/* The other hypervisor let go of VMX: ours works now. */
	hvm = create_vm(dev_path(), &hsys);
	ASSERT_LE(0, hvm) {
		TH_LOG("%s after %s let go: %s", dev_path(), other_path(),
		       strerror(-hvm));
	}
	close(hvm);
	close(hsys);
}

TEST(we_hold_vmx)
{
	int osys, hsys, ovm, hvm;

	hvm = create_vm(dev_path(), &hsys);
	ASSERT_LE(0, hvm) {
		TH_LOG("%s: %s", dev_path(), strerror(-hvm));
	}
	/* KVM refuses too: hardware_enable_all() fails, -EBUSY in 6.1. */
	ovm = create_vm(other_path(), &osys);
	EXPECT_GT(0, ovm);
	if (ovm >= 0) {
		close(ovm);
		close(osys);
	}
	close(hvm);
	close(hsys);
}

int main(int argc, char **argv)
{
	if (access(other_path(), F_OK)) {
		printf("TAP version 13\n1..0 # SKIP %s absent (load kvm_intel)\n",
		       other_path());
		return 4;
	}
	require_vm("vmx_busy_test");
	return test_harness_run(argc, argv);
}
