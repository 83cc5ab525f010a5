// SPDX-License-Identifier: GPL-2.0
/*
 * Teardown the module must survive without a leak or a hang: a process
 * killed (SIGKILL) while its vCPU runs a guest, a process that exits
 * with VMs and vCPUs still open, and guest memory the VMM unmaps under
 * a VM: the guest must not go on running on it (KVM 6.1 fails KVM_RUN
 * with EFAULT; other KVM back ends report KVM_EXIT_INTERNAL_ERROR; both
 * are accepted, a guest that reaches its HLT is not).  The slot's host
 * range is looked up again, as KVM's MMU notifiers do (api.rst 4.35).
 * After all of it a fresh VM still runs.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"

asm(".pushsection .rodata\n\t"
	".code16\n"
	"spin16t_start:\n\t"
	"sti\n"
	"1: mov $0x99, %al\n\t"
	"out %al, $0x99\n\t"
	"jmp 1b\n"
	"spin16t_end:\n\t"
	"busy16_start:\n\t"
	"sti\n"
	"2: inc %eax\n\t"
	"jmp 2b\n"
	"busy16_end:\n\t"
	".code64\n\t"
	".popsection");
GUEST_CODE_DECLARE(spin16t);
GUEST_CODE_DECLARE(busy16);

/* Child: build a VM with 2 vCPUs and run one of them until killed. */
static void child_run_forever(int with_exits)
{
	struct test_vcpu vcpu[2];
	struct test_vm vm;
	int i;

	if (vm_create(&vm))
		_exit(2);
	for (i = 0; i < 2; i++)
		if (vcpu_create(&vm, &vcpu[i], i))
			_exit(3);
	if (with_exits) {
		if (vcpu_setup(&vm, &vcpu[0], GUEST_REAL, spin16t_start,
			       GUEST_SIZE(spin16t)))
			_exit(4);
	} else if (vcpu_setup(&vm, &vcpu[0], GUEST_REAL, busy16_start,
			      GUEST_SIZE(busy16))) {
		_exit(4);
	}
	for (;;)
		if (vcpu_run(&vcpu[0]) && errno != EINTR)
			_exit(5);
}

static int fresh_vm_runs(void)
{
	static const uint8_t hlt = 0xf4;
	struct test_vcpu vcpu;
	struct test_vm vm;
	int ok;

	if (vm_create(&vm))
		return 0;
	ok = !vcpu_create(&vm, &vcpu, 0) &&
	     !vcpu_setup(&vm, &vcpu, GUEST_REAL, &hlt, 1) &&
	     !vcpu_run(&vcpu) && vcpu.run->exit_reason == KVM_EXIT_HLT;
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
	return ok;
}

TEST(sigkill_mid_run)
{
	int i, status;
	pid_t pid;

	for (i = 0; i < 20; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid)
			child_run_forever(i & 1);
		/* Let it get into the guest: 20..200 ms. */
		usleep(20000 + (i % 10) * 20000);
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		/* Killed, not exited early for a set-up error. */
		ASSERT_TRUE(WIFSIGNALED(status)) {
			TH_LOG("round %d: child exited with %d", i,
			       WEXITSTATUS(status));
		}
	}
	EXPECT_TRUE(fresh_vm_runs());
}

TEST(exit_with_everything_open)
{
	int i, status;
	pid_t pid;

	for (i = 0; i < 20; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			struct test_vcpu vcpu[3];
			struct test_vm vm;
			int j;

			if (vm_create(&vm))
				_exit(2);
			for (j = 0; j < 3; j++)
				if (vcpu_create(&vm, &vcpu[j], j))
					_exit(3);
			_exit(0);	/* no close, no munmap */
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status));
	}
	EXPECT_TRUE(fresh_vm_runs());
}

/* KVM_RUN refused to run on memory that is gone. */
static int refused(struct test_vcpu *vcpu)
{
	int r = vcpu_run(vcpu);

	if (r == -EFAULT)
		return 1;
	return !r && vcpu->run->exit_reason == KVM_EXIT_INTERNAL_ERROR;
}

TEST(memory_unmapped_before_first_run)
{
	static const uint8_t hlt = 0xf4;
	struct test_vcpu vcpu;
	struct test_vm vm;

	ASSERT_EQ(0, vm_create(&vm));
	ASSERT_EQ(0, vcpu_create(&vm, &vcpu, 0));
	ASSERT_EQ(0, vcpu_setup(&vm, &vcpu, GUEST_REAL, &hlt, 1));
	ASSERT_EQ(0, munmap(vm.mem, GUEST_MEM_SIZE));
	vm.mem = NULL;
	EXPECT_TRUE(refused(&vcpu)) {
		TH_LOG("exit %s", exit_name(vcpu.run->exit_reason));
	}
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
	EXPECT_TRUE(fresh_vm_runs());
}

TEST(memory_unmapped_after_run)
{
	static const uint8_t code[] = { 0xf4, 0xf4 };	/* hlt; hlt */
	struct test_vcpu vcpu;
	struct test_vm vm;

	ASSERT_EQ(0, vm_create(&vm));
	ASSERT_EQ(0, vcpu_create(&vm, &vcpu, 0));
	ASSERT_EQ(0, vcpu_setup(&vm, &vcpu, GUEST_REAL, code, sizeof(code)));
	ASSERT_EQ(0, vcpu_run(&vcpu));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu.run->exit_reason);
	/* The guest's page is mapped now; take it away under the VM. */
	ASSERT_EQ(0, munmap(vm.mem, GUEST_MEM_SIZE));
	vm.mem = NULL;
	EXPECT_TRUE(refused(&vcpu)) {
		TH_LOG("the guest still ran on memory its VMM unmapped (exit %s)",
		       exit_name(vcpu.run->exit_reason));
	}
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
	EXPECT_TRUE(fresh_vm_runs());
}

int main(int argc, char **argv)
{
	require_vm("teardown_test");
	return test_harness_run(argc, argv);
}
