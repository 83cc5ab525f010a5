// SPDX-License-Identifier: GPL-2.0
/*
 * hvmm.ko can be unloaded exactly when no file or mapping of it is left
 * (Documentation/abi.md, "Device node and module lifetime"): /dev/hvmm,
 * VM and vCPU fds and vCPU mappings each pin the module through their
 * file's owner; nothing else refuses an unload.  Unloads the module.
 * Run as root with hvmm.ko loaded; prints TAP 13.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static int tests, failed;

static void result(int ok, const char *what)
{
	tests++;
	if (!ok)
		failed++;
	printf("%sok %d %s\n", ok ? "" : "not ", tests, what);
	fflush(stdout);
}

/* delete_module(2), O_NONBLOCK: EWOULDBLOCK while the module is in use */
static int unload(void)
{
	return syscall(SYS_delete_module, "hvmm", O_NONBLOCK) ? errno : 0;
}

int main(void)
{
	int dev, vm, vcpu, vm_ok;
	void *run;

	printf("TAP version 13\n");
	dev = open("/dev/hvmm", O_RDWR);
	if (dev < 0) {
		printf("1..0 # SKIP /dev/hvmm: %s\n", strerror(errno));
		return 4;
	}
	result(unload() == EWOULDBLOCK, "open /dev/hvmm pins the module");

	vm = ioctl(dev, KVM_CREATE_VM, 0);
	vm_ok = vm >= 0;
	if (!vm_ok) {
		result(errno == EOPNOTSUPP, "no VT-x: KVM_CREATE_VM EOPNOTSUPP");
		close(dev);
		result(unload() == 0, "unloads once /dev/hvmm is closed");
		result(access("/dev/hvmm", F_OK) != 0, "/dev/hvmm is gone");
		printf("1..%d\n", tests);
		return failed ? 1 : 0;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	result(vcpu >= 0, "KVM_CREATE_VCPU");
	run = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	result(run != MAP_FAILED, "mmap kvm_run");

	close(dev);
	result(unload() == EWOULDBLOCK, "a VM fd pins the module");
	close(vm);
	result(unload() == EWOULDBLOCK, "a vCPU fd pins the module");
	close(vcpu);
	result(unload() == EWOULDBLOCK, "a mapping of kvm_run pins it");
	result(run != MAP_FAILED &&
	       ((struct kvm_run *)run)->exit_reason == KVM_EXIT_UNKNOWN,
	       "the mapping still reads after every fd is closed");
	munmap(run, 2 * 4096);
	result(unload() == 0, "unloads once the last mapping is gone");
	result(access("/dev/hvmm", F_OK) != 0, "/dev/hvmm is gone");
	printf("1..%d\n", tests);
	return failed ? 1 : 0;
}
