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
 *
 * sigkill_mid_run proves the kill lands while the guest runs: the guest
 * counts in a page the parent shares with the child (a second memory
 * slot at HANDSHAKE_GPA over a MAP_SHARED mapping made before fork), and
 * the parent kills only after it has seen that count move.  The busy
 * guest never exits, so from then on its vCPU thread is inside KVM_RUN
 * until the signal; the other one exits to userspace on every loop.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"

/* The shared handshake page, in guest-physical memory above slot 0. */
#define HANDSHAKE_GPA	0x80000
#define HANDSHAKE_SLOT	1

/* Both guests count in the dword at HANDSHAKE_GPA (DS = 0x8000). */
asm(".pushsection .rodata\n\t"
	".code16\n"
	"spin16t_start:\n\t"
	"sti\n\t"
	"mov $0x8000, %bx\n\t"
	"mov %bx, %ds\n"
	"1: incl 0\n\t"
	"mov $0x99, %al\n\t"
	"out %al, $0x99\n\t"
	"jmp 1b\n"
	"spin16t_end:\n\t"
	"busy16_start:\n\t"
	"sti\n\t"
	"mov $0x8000, %bx\n\t"
	"mov %bx, %ds\n"
	"2: incl 0\n\t"
	"jmp 2b\n"
	"busy16_end:\n\t"
	".code64\n\t"
	".popsection");
GUEST_CODE_DECLARE(spin16t);
GUEST_CODE_DECLARE(busy16);

/*
 * Child: build a VM with 2 vCPUs and the shared page @shared at
 * HANDSHAKE_GPA, and run one of them until killed.
 */
static void child_run_forever(int with_exits, void *shared)
{
	struct kvm_userspace_memory_region r = {
		.slot = HANDSHAKE_SLOT,
		.guest_phys_addr = HANDSHAKE_GPA,
		.memory_size = 4096,
		.userspace_addr = (uintptr_t)shared,
	};
	struct test_vcpu vcpu[2];
	struct test_vm vm;
	int i;

	if (vm_create(&vm))
		_exit(2);
	if (ioctl(vm.vm_fd, KVM_SET_USER_MEMORY_REGION, &r))
		_exit(6);
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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The guest's count in the shared page (stored by another process). */
static uint32_t guest_count(uint32_t *count)
{
	return __atomic_load_n(count, __ATOMIC_ACQUIRE);
}

TEST(sigkill_mid_run)
{
	uint32_t *count;
	uint32_t seen;
	double t0;
	int i, status, reaped;
	pid_t pid;

	count = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, count);
	for (i = 0; i < 20; i++) {
		__atomic_store_n(count, 0, __ATOMIC_RELEASE);
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid)
			child_run_forever(i & 1, count);
		/*
		 * Handshake: the guest is running once its count moves.  The
		 * VM set-up in an emulator can take a while: allow 20 s (the
		 * harness allows the whole test 30).
		 */
		t0 = now_s();
		reaped = 0;
		while (guest_count(count) < 2 && now_s() - t0 < 20) {
			if (waitpid(pid, &status, WNOHANG) == pid) {
				reaped = 1;	/* set-up failed: _exit(n) */
				break;
			}
			usleep(1000);
		}
		seen = guest_count(count);
		if (seen < 2 && !reaped) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
		ASSERT_LE(2, seen) {
			TH_LOG("round %d: the guest never ran (count %u after %.1f s; child %s %d)",
			       i, seen, now_s() - t0,
			       reaped ? "exited with" : "killed, signal",
			       reaped ? WEXITSTATUS(status) : WTERMSIG(status));
		}
		/* Then kill at varied points of the run: 0..45 ms later. */
		usleep((i % 10) * 5000);
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		/* Killed, not exited early for a set-up error. */
		ASSERT_TRUE(WIFSIGNALED(status)) {
			TH_LOG("round %d: child exited with %d", i,
			       WEXITSTATUS(status));
		}
	}
	munmap(count, 4096);
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
