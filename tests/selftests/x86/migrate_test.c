// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU thread that moves between host CPUs, between KVM_RUN calls and
 * while the guest runs, keeps a consistent guest: every OUT carries the
 * counter the guest computed, in order, and no run fails.  This is what
 * the backend's VMCS migration (VMCLEAR on the old CPU, VMPTRLD on the
 * new one, SDM Vol. 3C 24.1 "Software use of the VMCS") must get right.
 *
 * Needs two online CPUs: with one, the test fails rather than skips, so
 * a tier meant to check migration cannot silently check nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"

#define OUTS	20000
#define SPINS	12

asm(".pushsection .rodata\n\t"
	".code16\n"
	"count16_start:\n\t"
	"xor %ax, %ax\n"
	"1: inc %ax\n\t"
	"out %al, $0x10\n\t"
	"cmp $20000, %ax\n\t"
	"jne 1b\n\t"
    /* Long stretches in the guest with IF=1, so migrations land mid-run. */
	"sti\n"
	"2: mov $0x200000, %ecx\n"
	"3: dec %ecx\n\t"
	"jnz 3b\n\t"
	"out %al, $0x11\n\t"
	"jmp 2b\n"
	"count16_end:\n\t"
	".code64\n\t"
	".popsection");
GUEST_CODE_DECLARE(count16);

struct flipper {
	pid_t tid;
	int stop;	/* __atomic builtins */
	int moves;
};

static void *flip(void *arg)
{
	struct flipper *f = arg;
	int i = 0;

	while (!__atomic_load_n(&f->stop, __ATOMIC_RELAXED)) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(i++ & 1, &set);
		if (!sched_setaffinity(f->tid, sizeof(set), &set))
			f->moves++;
		usleep(3000);
	}
	return NULL;
}

TEST(vcpu_thread_moves_between_cpus)
{
	struct flipper f = { 0 };
	struct test_vm vm;
	struct test_vcpu vcpu;
	int i, spins = 0, bad = 0, on[2] = { 0 };
	pthread_t th;

	ASSERT_LE(2, sysconf(_SC_NPROCESSORS_ONLN))
		TH_LOG("migration needs two online CPUs");
	ASSERT_EQ(0, vm_create(&vm));
	ASSERT_EQ(0, vcpu_create(&vm, &vcpu, 0));
	ASSERT_EQ(0, vcpu_setup(&vm, &vcpu, GUEST_REAL, count16_start,
				GUEST_SIZE(count16)));

	f.tid = syscall(SYS_gettid);
	ASSERT_EQ(0, pthread_create(&th, NULL, flip, &f));
	for (i = 0; i < OUTS + SPINS && !bad; i++) {
		uint8_t *d;

		if (vcpu_run(&vcpu)) {
			bad++;
			break;
		}
		on[sched_getcpu() & 1]++;
		if (vcpu.run->exit_reason != KVM_EXIT_IO) {
			TH_LOG("exit %s at run %d", exit_name(vcpu.run->exit_reason), i);
			bad++;
			break;
		}
		d = io_data(&vcpu);
		if (vcpu.run->io.port == 0x10 && *d != (uint8_t)(i + 1)) {
			TH_LOG("run %d: OUT %u, want %u", i, *d, (uint8_t)(i + 1));
			bad++;
		} else if (vcpu.run->io.port == 0x11) {
			spins++;
			if (*d != (uint8_t)OUTS)
				bad++;
		}
	}
	__atomic_store_n(&f.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	TH_LOG("runs on cpu0=%d cpu1=%d, %d moves", on[0], on[1], f.moves);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(SPINS, spins);
	/* Both CPUs really ran the vCPU, or nothing was tested. */
	EXPECT_LT(0, on[0]);
	EXPECT_LT(0, on[1]);
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
}

int main(int argc, char **argv)
{
	require_vm("migrate_test");
	return test_harness_run(argc, argv);
}
