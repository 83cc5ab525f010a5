// SPDX-License-Identifier: GPL-2.0
/*
 * exit_bench: cost of one port-I/O exit to the KVM_RUN caller.
 *
 * A real-mode guest loops on `out %al, %dx` to a port nothing claims,
 * so every iteration is guest OUT -> VM exit -> KVM_EXIT_IO -> KVM_RUN
 * again.  The host's TSC is read around batches of round trips; inside
 * Bochs it counts emulated instructions (design.md), so the figure is
 * deterministic and comparable between /dev/hvmm and /dev/kvm in one
 * boot.  The device comes from $HVMM_DEV, the round trips per batch from
 * $EXIT_BENCH_N (default 5000); the best of 5 batches is printed as
 *   exit_bench: pio_exit_roundtrip dev=<path> n=<n> cycles=<per trip>
 * Not a pass/fail test: it exits 1 only when the guest misbehaves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#include "hvmm_util.h"

#define BENCH_PORT	0x5e0
#define BATCHES		5

asm(".pushsection .rodata\n\t"
	".code16\n"
	"bench16_start:\n\t"
	"mov $0x5e0, %dx\n"
	"1: out %al, %dx\n\t"
	"inc %al\n\t"
	"jmp 1b\n"
	"bench16_end:\n\t"
	".code64\n\t"
	".popsection");
GUEST_CODE_DECLARE(bench16);

static int round_trips(struct test_vcpu *vcpu, long n)
{
	struct kvm_run *run = vcpu->run;
	long i;
	int r;

	for (i = 0; i < n; i++) {
		r = vcpu_run(vcpu);
		if (r) {
			fprintf(stderr, "exit_bench: KVM_RUN: %s\n", strerror(-r));
			return -1;
		}
		if (run->exit_reason != KVM_EXIT_IO ||
		    run->io.port != BENCH_PORT ||
		    run->io.direction != KVM_EXIT_IO_OUT) {
			fprintf(stderr, "exit_bench: unexpected exit %u (%s) port %#x\n",
				run->exit_reason, exit_name(run->exit_reason),
				run->io.port);
			return -1;
		}
	}
	return 0;
}

int main(void)
{
	const char *s = getenv("EXIT_BENCH_N");
	long n = s ? atol(s) : 5000;
	unsigned long long t0, best = ~0ULL;
	struct test_vcpu vcpu;
	struct test_vm vm;
	int b, r;

	if (n < 1 || n > 10000000)
		n = 5000;
	r = vm_create(&vm);
	if (!r)
		r = vcpu_create(&vm, &vcpu, 0);
	if (!r)
		r = vcpu_setup(&vm, &vcpu, GUEST_REAL, bench16_start,
			       GUEST_SIZE(bench16));
	if (r) {
		fprintf(stderr, "exit_bench: %s: set-up failed: %s\n",
			dev_path(), strerror(-r));
		return 1;
	}
	/* Warm up: fault in the guest page, settle caches and EPT. */
	if (round_trips(&vcpu, 100))
		return 1;
	for (b = 0; b < BATCHES; b++) {
		t0 = __rdtsc();
		if (round_trips(&vcpu, n))
			return 1;
		t0 = __rdtsc() - t0;
		if (t0 < best)
			best = t0;
	}
	printf("exit_bench: pio_exit_roundtrip dev=%s n=%ld cycles=%llu\n",
	       dev_path(), n, best / n);
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
	return 0;
}
