// SPDX-License-Identifier: GPL-2.0
/*
 * exit_bench: what one port-I/O exit costs.
 *
 * pio_exit_roundtrip: a real-mode guest loops on `out %al, %dx` to a port
 * nothing claims, so every iteration is guest OUT -> VM exit ->
 * KVM_EXIT_IO -> KVM_RUN again.  The host's TSC is read around batches of
 * round trips.
 *
 * inkernel_pic_read: with an in-kernel irqchip (KVM_CREATE_IRQCHIP), a
 * guest reads the master PIC's IMR (port 0x21, 8259A datasheet "Operation
 * Command Words": a read of A0=1 returns the IMR) in a loop; every read
 * exits to the kernel and is answered there without leaving it.  The
 * guest times its loop with RDTSC and reports the delta through a port
 * that does exit to userspace.  Skipped ("none") when the device has no
 * in-kernel irqchip.
 *
 * inkernel_pit_read: the same loop on port 0x40 with an in-kernel PIT
 * (KVM_CREATE_PIT2 after KVM_CREATE_IRQCHIP): a plain read of counter 0
 * (8254 datasheet "Read Operations", simple read).  Skipped ("none") when
 * the device has no in-kernel PIT.
 *
 * Inside Bochs the TSC counts emulated instructions (design.md), so both
 * figures are deterministic and comparable between /dev/hvmm and
 * /dev/kvm in one boot.  The device comes from $HVMM_DEV, the count per
 * batch from $EXIT_BENCH_N (default 5000); the best of 5 batches is
 * printed as
 *   exit_bench: <name> dev=<path> n=<n> cycles=<per access>
 * Not a pass/fail test: it exits 1 only when a guest misbehaves.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <x86intrin.h>

#include "hvmm_util.h"

#define BENCH_PORT	0x5e0
#define REPORT_PORT	0x5e1
#define BATCHES		5

asm(".pushsection .rodata\n\t"
	".code16\n"
	"bench16_start:\n\t"
	"mov $0x5e0, %dx\n"
	"1: out %al, %dx\n\t"
	"inc %al\n\t"
	"jmp 1b\n"
	"bench16_end:\n\t"
	/*
	 * BX holds the count and BP the port (set by the host); report
	 * EDX:EAX of the TSC delta as two 4-byte OUTs to REPORT_PORT, then
	 * start over.
	 */
	"inread16_start:\n\t"
	"mov %bx, %cx\n\t"
	"rdtsc\n\t"
	"mov %eax, %esi\n\t"
	"mov %edx, %edi\n\t"
	"mov %bp, %dx\n"
	"2: in %dx, %al\n\t"
	"loop 2b\n\t"
	"rdtsc\n\t"
	"sub %esi, %eax\n\t"
	"sbb %edi, %edx\n\t"
	"mov %edx, %edi\n\t"
	"mov $0x5e1, %dx\n\t"
	"out %eax, %dx\n\t"
	"mov %edi, %eax\n\t"
	"out %eax, %dx\n\t"
	"jmp inread16_start\n"
	"inread16_end:\n\t"
	".code64\n\t"
	".popsection");
GUEST_CODE_DECLARE(bench16);
GUEST_CODE_DECLARE(inread16);

static int expect_out(struct test_vcpu *vcpu, uint16_t port)
{
	struct kvm_run *run = vcpu->run;
	int r = vcpu_run(vcpu);

	if (r) {
		fprintf(stderr, "exit_bench: KVM_RUN: %s\n", strerror(-r));
		return -1;
	}
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != port ||
	    run->io.direction != KVM_EXIT_IO_OUT) {
		fprintf(stderr, "exit_bench: unexpected exit %u (%s) port %#x\n",
			run->exit_reason, exit_name(run->exit_reason),
			run->io.port);
		return -1;
	}
	return 0;
}

enum { WITH_IRQCHIP = 1, WITH_PIT = 2 };

static int setup(struct test_vm *vm, struct test_vcpu *vcpu, int devs,
		 const uint8_t *code, size_t len)
{
	struct kvm_pit_config pit = { .flags = 0 };
	int r = vm_create(vm);

	if (r)
		return r;
	if (((devs & WITH_IRQCHIP) &&
	     ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0)) ||
	    ((devs & WITH_PIT) && ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit))) {
		r = -errno;
		vm_destroy(vm);
		return r;
	}
	r = vcpu_create(vm, vcpu, 0);
	if (!r)
		r = vcpu_setup(vm, vcpu, GUEST_REAL, code, len);
	if (r) {
		vcpu_destroy(vcpu);
		vm_destroy(vm);
	}
	return r;
}

/* Host TSC per KVM_EXIT_IO round trip, or 0 on failure. */
static unsigned long long bench_pio_exit(long n)
{
	unsigned long long t0, best = ~0ULL;
	struct test_vcpu vcpu;
	struct test_vm vm;
	long i;
	int b, r;

	r = setup(&vm, &vcpu, 0, bench16_start, GUEST_SIZE(bench16));
	if (r) {
		fprintf(stderr, "exit_bench: %s: set-up failed: %s\n",
			dev_path(), strerror(-r));
		return 0;
	}
	/* Warm up: fault in the guest page, settle caches and EPT. */
	for (i = 0; i < 100; i++)
		if (expect_out(&vcpu, BENCH_PORT))
			goto out;
	for (b = 0; b < BATCHES; b++) {
		t0 = __rdtsc();
		for (i = 0; i < n; i++)
			if (expect_out(&vcpu, BENCH_PORT))
				goto out;
		t0 = __rdtsc() - t0;
		if (t0 < best)
			best = t0;
	}
out:
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
	return best == ~0ULL ? 0 : best / n;
}

/*
 * Guest TSC per IN from @port, answered by the in-kernel devices @devs;
 * 0 on failure, ~0 when the device cannot create them.
 */
static unsigned long long bench_inkernel_read(long n, int devs, uint16_t port)
{
	unsigned long long best = ~0ULL, d;
	struct test_vcpu vcpu;
	struct kvm_regs regs;
	struct test_vm vm;
	uint32_t lo;
	int b, r;

	if (n > 0xffff)
		n = 0xffff;	/* a 16-bit LOOP count */
	r = setup(&vm, &vcpu, devs, inread16_start, GUEST_SIZE(inread16));
	if (r == -ENODEV || r == -EINVAL || r == -ENOTTY || r == -EEXIST)
		return ~0ULL;
	if (r) {
		fprintf(stderr, "exit_bench: %s: device set-up failed: %s\n",
			dev_path(), strerror(-r));
		return 0;
	}
	if (ioctl(vcpu.fd, KVM_GET_REGS, &regs))
		goto fail;
	regs.rbx = n;
	regs.rbp = port;
	if (ioctl(vcpu.fd, KVM_SET_REGS, &regs))
		goto fail;
	/* Batch 0 warms up; the rest count. */
	for (b = 0; b <= BATCHES; b++) {
		if (expect_out(&vcpu, REPORT_PORT))
			goto fail;
		memcpy(&lo, io_data(&vcpu), 4);
		if (expect_out(&vcpu, REPORT_PORT))
			goto fail;
		memcpy(&d, io_data(&vcpu), 4);
		d = (d & 0xffffffffULL) << 32 | lo;
		if (b && d < best)
			best = d;
	}
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
	return best / n;
fail:
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
	return 0;
}

/* One result line; 1 when the bench failed. */
static int report(const char *name, const char *what, long n,
		  unsigned long long c)
{
	if (!c)
		return 1;
	if (c == ~0ULL)
		printf("exit_bench: %s dev=%s cycles=none (no in-kernel %s)\n",
		       name, dev_path(), what);
	else
		printf("exit_bench: %s dev=%s n=%ld cycles=%llu\n",
		       name, dev_path(), n > 0xffff ? 0xffff : n, c);
	return 0;
}

int main(void)
{
	const char *s = getenv("EXIT_BENCH_N");
	long n = s ? atol(s) : 5000;
	unsigned long long c;
	int rc = 0;

	if (n < 1 || n > 10000000)
		n = 5000;
	c = bench_pio_exit(n);
	if (c)
		printf("exit_bench: pio_exit_roundtrip dev=%s n=%ld cycles=%llu\n",
		       dev_path(), n, c);
	else
		rc = 1;
	c = bench_inkernel_read(n, WITH_IRQCHIP, 0x21);
	rc |= report("inkernel_pic_read", "irqchip", n, c);
	c = bench_inkernel_read(n, WITH_IRQCHIP | WITH_PIT, 0x40);
	rc |= report("inkernel_pit_read", "PIT", n, c);
	return rc;
}
