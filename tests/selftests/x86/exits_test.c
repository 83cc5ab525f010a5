// SPDX-License-Identifier: GPL-2.0
/*
 * The exits that end KVM_RUN without I/O: HLT (KVM_EXIT_HLT, no in-kernel
 * irqchip), a triple fault (KVM_EXIT_SHUTDOWN; Intel SDM 3A 6.15 #DF,
 * "shutdown"), an invalid guest state the CPU refuses at VM entry
 * (KVM_EXIT_FAIL_ENTRY with basic exit reason 33, SDM 3C 27.8 / 28.8
 * "VM-entry failure due to invalid guest state"), a signal that arrives
 * while the vCPU thread is inside KVM_RUN (-EINTR, KVM_EXIT_INTR), and
 * run->immediate_exit (api.rst, "immediate_exit").
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"

asm(".pushsection .rodata\n\t"
	".code16\n"
	"hlt16_start:\n\t"
	"hlt\n\t"
	"mov $1, %al\n\t"
	"out %al, $0x99\n"
	"hlt16_end:\n\t"
    /* #UD with an empty IDT: #GP, then #DF, then shutdown. */
	".code32\n"
	"ud32_start:\n\t"
	"ud2\n"
	"ud32_end:\n\t"
    /* Spin with IF=1 so a host interrupt always ends the run (design.md). */
	".code16\n"
	"spin16_start:\n\t"
	"sti\n"
	"1: inc %eax\n\t"
	"jmp 1b\n"
	"spin16_end:\n\t"
	".code64\n\t"
	".popsection");
GUEST_CODE_DECLARE(hlt16);
GUEST_CODE_DECLARE(ud32);
GUEST_CODE_DECLARE(spin16);

FIXTURE(guest) {
	struct test_vm vm;
	struct test_vcpu vcpu;
};

FIXTURE_SETUP(guest)
{
	ASSERT_EQ(0, vm_create(&self->vm));
	ASSERT_EQ(0, vcpu_create(&self->vm, &self->vcpu, 0));
}

FIXTURE_TEARDOWN(guest)
{
	vcpu_destroy(&self->vcpu);
	vm_destroy(&self->vm);
}

TEST_F(guest, hlt_then_resume)
{
	struct kvm_regs regs;

	ASSERT_EQ(0, vcpu_setup(&self->vm, &self->vcpu, GUEST_REAL,
				hlt16_start, GUEST_SIZE(hlt16)));
	ASSERT_EQ(0, vcpu_run(&self->vcpu));
	ASSERT_EQ(KVM_EXIT_HLT, self->vcpu.run->exit_reason) {
		TH_LOG("exit %s", exit_name(self->vcpu.run->exit_reason));
	}
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KVM_GET_REGS, &regs));
	EXPECT_EQ(GUEST_CODE + 1, regs.rip);
	/* The next KVM_RUN continues after the HLT. */
	ASSERT_EQ(0, vcpu_run(&self->vcpu));
	ASSERT_EQ(KVM_EXIT_IO, self->vcpu.run->exit_reason);
	EXPECT_EQ(0x99, self->vcpu.run->io.port);
	EXPECT_EQ(1, *io_data(&self->vcpu));
}

TEST_F(guest, triple_fault_is_shutdown)
{
	struct kvm_sregs sregs;

	ASSERT_EQ(0, vcpu_setup(&self->vm, &self->vcpu, GUEST_PROT32,
				ud32_start, GUEST_SIZE(ud32)));
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KVM_GET_SREGS, &sregs));
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KVM_SET_SREGS, &sregs));
	ASSERT_EQ(0, vcpu_run(&self->vcpu));
	EXPECT_EQ(KVM_EXIT_SHUTDOWN, self->vcpu.run->exit_reason) {
		TH_LOG("exit %u (%s)", self->vcpu.run->exit_reason,
		       exit_name(self->vcpu.run->exit_reason));
	}
}

TEST_F(guest, invalid_guest_state_fails_entry)
{
	struct kvm_sregs sregs;
	uint64_t reason;

	ASSERT_EQ(0, vcpu_setup(&self->vm, &self->vcpu, GUEST_PROT32,
				ud32_start, GUEST_SIZE(ud32)));
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KVM_GET_SREGS, &sregs));
	/*
	 * TR must be a busy TSS (type 3 or 11) and usable (SDM 3C 26.3.1.2);
	 * S=1 (a code/data descriptor) is a guest state VM entry refuses.
	 * (On a host without VMX this runs into the UD2 triple fault.)
	 */
	sregs.tr.type = 3;
	sregs.tr.s = 1;
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KVM_SET_SREGS, &sregs));
	ASSERT_EQ(0, vcpu_run(&self->vcpu));
	ASSERT_EQ(KVM_EXIT_FAIL_ENTRY, self->vcpu.run->exit_reason) {
		TH_LOG("exit %u (%s)", self->vcpu.run->exit_reason,
		       exit_name(self->vcpu.run->exit_reason));
	}
	reason = self->vcpu.run->fail_entry.hardware_entry_failure_reason;
	EXPECT_EQ(33, reason & 0xffff) {
		TH_LOG("hardware_entry_failure_reason %#llx",
		       (unsigned long long)reason);
	}
}

TEST_F(guest, immediate_exit)
{
	struct kvm_regs regs;

	ASSERT_EQ(0, vcpu_setup(&self->vm, &self->vcpu, GUEST_REAL,
				hlt16_start, GUEST_SIZE(hlt16)));
	self->vcpu.run->immediate_exit = 1;
	/* KVM 6.1 leaves exit_reason alone here; newer ones say INTR. */
	ASSERT_EQ(-EINTR, vcpu_run(&self->vcpu));
	/* Nothing ran. */
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KVM_GET_REGS, &regs));
	EXPECT_EQ(GUEST_CODE, regs.rip);
	self->vcpu.run->immediate_exit = 0;
	ASSERT_EQ(0, vcpu_run(&self->vcpu));
	EXPECT_EQ(KVM_EXIT_HLT, self->vcpu.run->exit_reason);
}

static void on_sigusr1(int sig)
{
}

struct runner {
	struct test_vcpu *vcpu;
	int started;		/* __atomic: set by the vCPU thread */
	int ret;
};

static void *run_thread(void *arg)
{
	struct runner *r = arg;

	__atomic_store_n(&r->started, 1, __ATOMIC_RELEASE);
	r->ret = vcpu_run(r->vcpu);
	return NULL;
}

TEST_F(guest, signal_mid_run)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct runner r = { .vcpu = &self->vcpu };
	struct kvm_regs regs;
	pthread_t th;
	int i;

	/* No SA_RESTART: the ioctl must come back with EINTR. */
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, vcpu_setup(&self->vm, &self->vcpu, GUEST_REAL,
				spin16_start, GUEST_SIZE(spin16)));
	ASSERT_EQ(0, pthread_create(&th, NULL, run_thread, &r));
	while (!__atomic_load_n(&r.started, __ATOMIC_ACQUIRE))
		usleep(1000);
	usleep(200000);
	ASSERT_EQ(0, pthread_kill(th, SIGUSR1));
	/* The harness' timeout fails us if the vCPU never comes back. */
	pthread_join(th, NULL);
	EXPECT_EQ(-EINTR, r.ret);
	EXPECT_EQ(KVM_EXIT_INTR, self->vcpu.run->exit_reason);
	/* The guest was really running: RIP is inside the loop. */
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KVM_GET_REGS, &regs));
	EXPECT_GE(regs.rip, GUEST_CODE + 1);
	EXPECT_LT(regs.rip, GUEST_CODE + GUEST_SIZE(spin16));
	/* And it can be run and interrupted again. */
	for (i = 0; i < 3; i++) {
		__atomic_store_n(&r.started, 0, __ATOMIC_RELEASE);
		ASSERT_EQ(0, pthread_create(&th, NULL, run_thread, &r));
		while (!__atomic_load_n(&r.started, __ATOMIC_ACQUIRE))
			usleep(1000);
		usleep(50000);
		ASSERT_EQ(0, pthread_kill(th, SIGUSR1));
		pthread_join(th, NULL);
		EXPECT_EQ(-EINTR, r.ret);
	}
}

int main(int argc, char **argv)
{
	require_vm("exits_test");
	return test_harness_run(argc, argv);
}
