// SPDX-License-Identifier: GPL-2.0
/*
 * Host safety at the guest boundary: what a guest may see or change of
 * the host, and the ioctl paths that must refuse without changing
 * anything.  Each test fails on a hypervisor that gets it wrong:
 *
 *  - the guest's XMM registers and a host thread's on the same CPU stay
 *    apart across reschedules (KVM reloads the guest FPU state before
 *    every entry when TIF_NEED_FPU_LOAD is set, vcpu_enter_guest());
 *  - XSETBV enables only state components the guest's CPUID leaf 0xD
 *    offers, with x87 always on and AVX only with SSE (SDM Vol. 1 13.3,
 *    KVM's __kvm_set_xcr()); #GP otherwise;
 *  - a refused KVM_SET_SREGS changes nothing, and CS.L=1 outside IA-32e
 *    mode is refused (KVM's kvm_is_valid_sregs());
 *  - INVD exits and is carried out as WBINVD (KVM's kvm_emulate_invd());
 *  - KVM_CAP_HLT is reported, as KVM_EXIT_HLT exists;
 *  - a failed VM entry does not dump host state into the kernel log
 *    unless asked to (hvmm: dump_invalid_vmcs, as KVM's parameter).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <fcntl.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"

#define PORT_DONE	0xf4	/* the instruction under test completed */
#define PORT_BAD	0xf5	/* the guest saw a wrong register */
#define PORT_GP		0xf6	/* #GP handler */
#define PORT_UD		0xf8	/* #UD handler */
#define PORT_XCR0	0xf7	/* XGETBV result, 4 bytes */

asm(".pushsection .rodata\n\t"
	".code16\n"
	"hs16_start:\n\t"
	/* CR4.OSFXSR | OSXMMEXCPT: SSE in real mode (SDM 13.1.4) */
	"mov %cr4, %eax\n\t"
	"or $0x600, %eax\n\t"
	"mov %eax, %cr4\n\t"
	"movdqa " GADDR(hs16, gpat) ", %xmm0\n\t"
	"movdqa " GADDR(hs16, gpat) ", %xmm1\n\t"
	"movdqa " GADDR(hs16, gpat) ", %xmm2\n\t"
	"movdqa " GADDR(hs16, gpat) ", %xmm3\n\t"
	"movdqa " GADDR(hs16, gpat) ", %xmm4\n\t"
	"movdqa " GADDR(hs16, gpat) ", %xmm5\n\t"
	"movdqa " GADDR(hs16, gpat) ", %xmm6\n\t"
	"sti\n"
	"1:\n\t"
	"movdqa %xmm0, %xmm7\n\t"
	"pcmpeqb " GADDR(hs16, gpat) ", %xmm7\n\t"
	"pmovmskb %xmm7, %eax\n\t"
	"cmp $0xffff, %ax\n\t"
	"jne 2f\n\t"
	"movdqa %xmm1, %xmm7\n\t"
	"pcmpeqb " GADDR(hs16, gpat) ", %xmm7\n\t"
	"pmovmskb %xmm7, %eax\n\t"
	"cmp $0xffff, %ax\n\t"
	"jne 2f\n\t"
	"movdqa %xmm2, %xmm7\n\t"
	"pcmpeqb " GADDR(hs16, gpat) ", %xmm7\n\t"
	"pmovmskb %xmm7, %eax\n\t"
	"cmp $0xffff, %ax\n\t"
	"jne 2f\n\t"
	"movdqa %xmm3, %xmm7\n\t"
	"pcmpeqb " GADDR(hs16, gpat) ", %xmm7\n\t"
	"pmovmskb %xmm7, %eax\n\t"
	"cmp $0xffff, %ax\n\t"
	"jne 2f\n\t"
	"movdqa %xmm4, %xmm7\n\t"
	"pcmpeqb " GADDR(hs16, gpat) ", %xmm7\n\t"
	"pmovmskb %xmm7, %eax\n\t"
	"cmp $0xffff, %ax\n\t"
	"jne 2f\n\t"
	"movdqa %xmm5, %xmm7\n\t"
	"pcmpeqb " GADDR(hs16, gpat) ", %xmm7\n\t"
	"pmovmskb %xmm7, %eax\n\t"
	"cmp $0xffff, %ax\n\t"
	"jne 2f\n\t"
	"movdqa %xmm6, %xmm7\n\t"
	"pcmpeqb " GADDR(hs16, gpat) ", %xmm7\n\t"
	"pmovmskb %xmm7, %eax\n\t"
	"cmp $0xffff, %ax\n\t"
	"jne 2f\n\t"
	"inc %esi\n\t"
	"jmp 1b\n"
	"2: mov $1, %al\n\t"
	"out %al, $0xf5\n\t"
	"jmp 2b\n"
	/* the entry points the host jumps to, one check each */
	"osxsave_start:\n\t"
	"mov %cr4, %eax\n\t"
	"or $0x40000, %eax\n\t"
	"mov %eax, %cr4\n\t"
	"out %al, $0xf4\n"
	"xsetbv16_start:\n\t"
	"xsetbv\n\t"
	"out %al, $0xf4\n"
	"xgetbv16_start:\n\t"
	"xor %ecx, %ecx\n\t"
	"xgetbv\n\t"
	"out %eax, $0xf7\n"
	"invd16_start:\n\t"
	"invd\n\t"
	"out %al, $0xf4\n"
	"gp16_start:\n\t"
	"out %al, $0xf6\n\t"
	"jmp gp16_start\n"
	"ud16_start:\n\t"
	"out %al, $0xf8\n\t"
	"jmp ud16_start\n"
	".balign 16\n"
	"gpat:\n\t"
	".fill 16, 1, 0x47\n"
	"hs16_end:\n\t"
	".code64\n\t"
	".popsection");
GUEST_CODE_DECLARE(hs16);
/* Entry points inside hs16 (only their _start labels exist). */
GUEST_CODE_DECLARE(osxsave);
GUEST_CODE_DECLARE(xsetbv16);
GUEST_CODE_DECLARE(xgetbv16);
GUEST_CODE_DECLARE(invd16);
GUEST_CODE_DECLARE(gp16);
GUEST_CODE_DECLARE(ud16);

#define GOFF(label) (GUEST_CODE + (uint64_t)((label) - hs16_start))

FIXTURE(hs) {
	struct test_vm vm;
	struct test_vcpu vcpu;
};

FIXTURE_SETUP(hs)
{
	uint16_t *ivt;

	ASSERT_EQ(0, vm_create(&self->vm));
	ASSERT_EQ(0, vcpu_create(&self->vm, &self->vcpu, 0));
	ASSERT_EQ(0, vcpu_setup(&self->vm, &self->vcpu, GUEST_REAL,
				hs16_start, GUEST_SIZE(hs16)));
	/* Real-mode IVT at 0 (SDM 20.1.4): #UD and #GP report themselves. */
	ivt = self->vm.mem;
	ivt[6 * 2] = GOFF(ud16_start);
	ivt[6 * 2 + 1] = 0;
	ivt[13 * 2] = GOFF(gp16_start);
	ivt[13 * 2 + 1] = 0;
}

FIXTURE_TEARDOWN(hs)
{
	vcpu_destroy(&self->vcpu);
	vm_destroy(&self->vm);
}

/* Run from @rip with RAX/RCX/RDX given; return the port it ends on. */
static int run_at(struct test_vcpu *vcpu, uint64_t rip, uint64_t rax,
		  uint64_t rcx, uint64_t rdx, uint32_t *data)
{
	struct kvm_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rsp = GUEST_STACK;
	regs.rflags = 2;
	regs.rax = rax;
	regs.rcx = rcx;
	regs.rdx = rdx;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs))
		return -errno;
	if (vcpu_run(vcpu))
		return -errno;
	if (vcpu->run->exit_reason != KVM_EXIT_IO)
		return -1000 - (int)vcpu->run->exit_reason;
	if (data) {
		*data = 0;
		memcpy(data, io_data(vcpu), vcpu->run->io.size);
	}
	return vcpu->run->io.port;
}

/*
 * The supported CPUID, with leaf 0xD.0 offering only @xcr0 of it; with
 * @force, XSAVE in leaf 1 and x87|SSE in leaf 0xD whatever the host has.
 */
static uint64_t set_cpuid(struct __test_metadata *_metadata,
			  struct test_vm *vm, struct test_vcpu *vcpu,
			  uint64_t xcr0, int force)
{
	struct kvm_cpuid2 *c;
	uint64_t offered = 0;
	unsigned int i;

	c = calloc(1, sizeof(*c) + 101 * sizeof(c->entries[0]));
	ASSERT_NE(NULL, c);
	c->nent = 100;
	ASSERT_EQ(0, ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, c));
	for (i = 0; force && i < c->nent; i++)
		if (c->entries[i].function == 0xd && c->entries[i].index == 0)
			break;
	if (force && i == c->nent) {
		c->entries[i].function = 0xd;
		c->entries[i].flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		c->nent++;
	}
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (force && e->function == 1)
			e->ecx |= 1u << 26;		/* XSAVE */
		if (e->function != 0xd || e->index != 0)
			continue;
		if (force)
			e->eax = 3;
		offered = ((uint64_t)e->edx << 32 | e->eax) & xcr0;
		e->eax = offered;
		e->edx = offered >> 32;
	}
	ASSERT_EQ(0, ioctl(vcpu->fd, KVM_SET_CPUID2, c));
	free(c);
	return offered;
}

static uint64_t set_cpuid_xcr0(struct __test_metadata *_metadata,
			       struct test_vm *vm, struct test_vcpu *vcpu,
			       uint64_t xcr0)
{
	return set_cpuid(_metadata, vm, vcpu, xcr0, 0);
}

/* CPUID.1:ECX.OSXSAVE: has the host kernel turned XSAVE on? */
static int host_osxsave(void)
{
	uint32_t a = 1, b, c = 0, d;

	asm volatile("cpuid" : "+a" (a), "=b" (b), "+c" (c), "=d" (d));
	return (c >> 27) & 1;
}

static uint64_t host_xcr0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0));
	return (uint64_t)hi << 32 | lo;
}

/*
 * A host kernel without XSAVE (the Bochs tier boots with noxsave) offers
 * none, even to a CPUID table that claims XSAVE: CR4.OSXSAVE faults and
 * XSETBV stays undefined (#UD).  Before the fix hvmm let the guest set
 * CR4.OSXSAVE there, and its next entry executed XSETBV in the host
 * kernel: #UD in the host, an oops.
 */
static void xsetbv_without_host_xsave(struct __test_metadata *_metadata,
				      struct test_vm *vm,
				      struct test_vcpu *vcpu)
{
	set_cpuid(_metadata, vm, vcpu, ~0ULL, 1);
	EXPECT_EQ(PORT_GP, run_at(vcpu, GOFF(osxsave_start), 0, 0, 0, 0));
	EXPECT_EQ(PORT_UD, run_at(vcpu, GOFF(xsetbv16_start), 3, 0, 0, 0));
}

TEST_F(hs, xsetbv_follows_guest_cpuid)
{
	uint64_t offered;
	uint32_t v;

	if (!host_osxsave()) {
		TH_LOG("host without XSAVE: checking that none is offered");
		xsetbv_without_host_xsave(_metadata, &self->vm, &self->vcpu);
		return;
	}
	if (!(host_xcr0() & 4))
		SKIP(return, "host XCR0 has no AVX state to withhold");
	offered = set_cpuid_xcr0(_metadata, &self->vm, &self->vcpu, 3);
	ASSERT_EQ(3, offered);
	ASSERT_EQ(PORT_DONE, run_at(&self->vcpu, GOFF(osxsave_start), 0, 0, 0,
				    0));
	/* x87 | SSE: offered, accepted, read back. */
	ASSERT_EQ(PORT_DONE, run_at(&self->vcpu, GOFF(xsetbv16_start), 3, 0,
				    0, 0));
	ASSERT_EQ(PORT_XCR0, run_at(&self->vcpu, GOFF(xgetbv16_start), 0, 0,
				    0, &v));
	EXPECT_EQ(3, v);
	/* AVX: the host has it, the guest's CPUID does not offer it. */
	EXPECT_EQ(PORT_GP, run_at(&self->vcpu, GOFF(xsetbv16_start), 7, 0, 0,
				  0));
	/* PKRU (bit 9): never offered by hvmm's or this CPUID. */
	EXPECT_EQ(PORT_GP, run_at(&self->vcpu, GOFF(xsetbv16_start), 0x203,
				  0, 0, 0));
	/* x87 must stay on; only XCR0 exists (ECX=0). */
	EXPECT_EQ(PORT_GP, run_at(&self->vcpu, GOFF(xsetbv16_start), 2, 0, 0,
				  0));
	EXPECT_EQ(PORT_GP, run_at(&self->vcpu, GOFF(xsetbv16_start), 3, 1, 0,
				  0));
	/* Upper half (EDX) bits are never offered here. */
	EXPECT_EQ(PORT_GP, run_at(&self->vcpu, GOFF(xsetbv16_start), 3, 0, 1,
				  0));
	/* Nothing refused took effect. */
	ASSERT_EQ(PORT_XCR0, run_at(&self->vcpu, GOFF(xgetbv16_start), 0, 0,
				    0, &v));
	EXPECT_EQ(3, v);
}

TEST_F(hs, xsetbv_accepts_offered_avx)
{
	uint32_t v;

	if (!host_osxsave()) {
		xsetbv_without_host_xsave(_metadata, &self->vm, &self->vcpu);
		return;
	}
	if (!(host_xcr0() & 4))
		SKIP(return, "host XCR0 has no AVX state");
	ASSERT_EQ(7, set_cpuid_xcr0(_metadata, &self->vm, &self->vcpu, 7));
	ASSERT_EQ(PORT_DONE, run_at(&self->vcpu, GOFF(osxsave_start), 0, 0, 0,
				    0));
	/* AVX without SSE is refused even when offered (SDM 13.3). */
	EXPECT_EQ(PORT_GP, run_at(&self->vcpu, GOFF(xsetbv16_start), 5, 0, 0,
				  0));
	ASSERT_EQ(PORT_DONE, run_at(&self->vcpu, GOFF(xsetbv16_start), 7, 0,
				    0, 0));
	ASSERT_EQ(PORT_XCR0, run_at(&self->vcpu, GOFF(xgetbv16_start), 0, 0,
				    0, &v));
	EXPECT_EQ(7, v);
}

TEST_F(hs, osxsave_needs_xsave_in_guest_cpuid)
{
	/* No KVM_SET_CPUID2: XSAVE is not offered, CR4.OSXSAVE faults. */
	EXPECT_EQ(PORT_GP, run_at(&self->vcpu, GOFF(osxsave_start), 0, 0, 0, 0));
}

TEST_F(hs, invd_runs_as_wbinvd)
{
	EXPECT_EQ(PORT_DONE, run_at(&self->vcpu, GOFF(invd16_start), 0, 0, 0, 0)) {
		TH_LOG("exit %u (%s)", self->vcpu.run->exit_reason,
		       exit_name(self->vcpu.run->exit_reason));
	}
}

static int sregs_same(const struct kvm_sregs *a, const struct kvm_sregs *b)
{
	return a->cr0 == b->cr0 && a->cr3 == b->cr3 && a->cr4 == b->cr4 &&
	       a->efer == b->efer && a->cs.l == b->cs.l &&
	       a->cs.base == b->cs.base && a->tr.type == b->tr.type;
}

TEST_F(hs, refused_set_sregs_changes_nothing)
{
	struct kvm_sregs before, bad, after;

	ASSERT_EQ(0, ioctl(self->vcpu.fd, KVM_GET_SREGS, &before));
	/* A valid EFER, then a CR4 bit no CPU has (bit 31, SDM 2.5). */
	bad = before;
	bad.efer = 1;		/* EFER.SCE */
	bad.cr3 = 0x5000;
	bad.cr4 = 1UL << 31;
	EXPECT_EQ(-1, ioctl(self->vcpu.fd, KVM_SET_SREGS, &bad));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KVM_GET_SREGS, &after));
	EXPECT_TRUE(sregs_same(&before, &after)) {
		TH_LOG("efer %#llx cr3 %#llx cr4 %#llx after the refusal",
		       (unsigned long long)after.efer,
		       (unsigned long long)after.cr3,
		       (unsigned long long)after.cr4);
	}
	/* CS.L=1 outside IA-32e mode (kvm_is_valid_sregs()). */
	bad = before;
	bad.cs.l = 1;
	EXPECT_EQ(-1, ioctl(self->vcpu.fd, KVM_SET_SREGS, &bad));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KVM_GET_SREGS, &after));
	EXPECT_TRUE(sregs_same(&before, &after));
	/* The vCPU still runs as before. */
	EXPECT_EQ(PORT_DONE, run_at(&self->vcpu, GOFF(invd16_start), 0, 0, 0, 0));
}

TEST(cap_hlt_reported)
{
	int fd = dev_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(1, ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_HLT));
	close(fd);
}

/*
 * A failed entry (TR not a busy TSS: SDM 26.3.1.2) must leave no VMCS
 * dump, with its host CR3, RIP and EPT pointer, in the kernel log: any
 * user of the device can fail entries at will.  hvmm only; KVM has its
 * own (also off by default) dump_invalid_vmcs.
 */
TEST_F(hs, failed_entry_dumps_nothing)
{
	char marker[64], *log, *at;
	struct kvm_sregs sregs;
	int kmsg, n;

	if (!strstr(dev_path(), "hvmm"))
		SKIP(return, "the dump is hvmm's");
	snprintf(marker, sizeof(marker), "hostsafe-marker-%d\n", getpid());
	kmsg = open("/dev/kmsg", O_WRONLY);
	ASSERT_LE(0, kmsg);
	ASSERT_LT(0, write(kmsg, marker, strlen(marker)));
	close(kmsg);
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KVM_GET_SREGS, &sregs));
	sregs.tr.type = 3;
	sregs.tr.s = 1;
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KVM_SET_SREGS, &sregs));
	ASSERT_EQ(0, vcpu_run(&self->vcpu));
	ASSERT_EQ(KVM_EXIT_FAIL_ENTRY, self->vcpu.run->exit_reason);
	n = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	ASSERT_LT(0, n);
	log = calloc(1, n + 1);
	ASSERT_NE(NULL, log);
	n = klogctl(3, log, n);		/* SYSLOG_ACTION_READ_ALL */
	ASSERT_LT(0, n);
	marker[strlen(marker) - 1] = 0;
	at = strstr(log, marker);
	ASSERT_NE(NULL, at);
	EXPECT_EQ(NULL, strstr(at, "VMCS dump")) {
		TH_LOG("the failed entry dumped the VMCS");
	}
	free(log);
}

struct fpu_host {
	int stop;		/* __atomic */
	long bad, rounds;
};

/*
 * Hold a pattern in XMM0-13 and check it, for @iters rounds, without
 * leaving the asm block (nothing else may use the registers meanwhile).
 * Return how many rounds were left when a register changed, or 0.
 */
static long host_fpu_rounds(const uint8_t *pat, long iters)
{
	long left = iters;

	asm volatile(
		"movdqu (%[p]), %%xmm0\n\t"
		"movdqu (%[p]), %%xmm1\n\t"
		"movdqu (%[p]), %%xmm2\n\t"
		"movdqu (%[p]), %%xmm3\n\t"
		"movdqu (%[p]), %%xmm4\n\t"
		"movdqu (%[p]), %%xmm5\n\t"
		"movdqu (%[p]), %%xmm6\n\t"
		"movdqu (%[p]), %%xmm7\n\t"
		"movdqu (%[p]), %%xmm8\n\t"
		"movdqu (%[p]), %%xmm9\n\t"
		"movdqu (%[p]), %%xmm10\n\t"
		"movdqu (%[p]), %%xmm11\n\t"
		"movdqu (%[p]), %%xmm12\n\t"
		"movdqu (%[p]), %%xmm13\n\t"
		"movdqu (%[p]), %%xmm14\n\t"
		"movdqu (%[p]), %%xmm15\n\t"
		"1:\n\t"
		"movdqa %%xmm0, %%xmm14\n\t"
		"pcmpeqb %%xmm15, %%xmm14\n\t"
		"pmovmskb %%xmm14, %%eax\n\t"
		"cmp $0xffff, %%eax\n\t"
		"jne 2f\n\t"
		"movdqa %%xmm1, %%xmm14\n\t"
		"pcmpeqb %%xmm15, %%xmm14\n\t"
		"pmovmskb %%xmm14, %%eax\n\t"
		"cmp $0xffff, %%eax\n\t"
		"jne 2f\n\t"
		"movdqa %%xmm2, %%xmm14\n\t"
		"pcmpeqb %%xmm15, %%xmm14\n\t"
		"pmovmskb %%xmm14, %%eax\n\t"
		"cmp $0xffff, %%eax\n\t"
		"jne 2f\n\t"
		"movdqa %%xmm3, %%xmm14\n\t"
		"pcmpeqb %%xmm15, %%xmm14\n\t"
		"pmovmskb %%xmm14, %%eax\n\t"
		"cmp $0xffff, %%eax\n\t"
		"jne 2f\n\t"
		"movdqa %%xmm4, %%xmm14\n\t"
		"pcmpeqb %%xmm15, %%xmm14\n\t"
		"pmovmskb %%xmm14, %%eax\n\t"
		"cmp $0xffff, %%eax\n\t"
		"jne 2f\n\t"
		"movdqa %%xmm5, %%xmm14\n\t"
		"pcmpeqb %%xmm15, %%xmm14\n\t"
		"pmovmskb %%xmm14, %%eax\n\t"
		"cmp $0xffff, %%eax\n\t"
		"jne 2f\n\t"
		"movdqa %%xmm6, %%xmm14\n\t"
		"pcmpeqb %%xmm15, %%xmm14\n\t"
		"pmovmskb %%xmm14, %%eax\n\t"
		"cmp $0xffff, %%eax\n\t"
		"jne 2f\n\t"
		"movdqa %%xmm7, %%xmm14\n\t"
		"pcmpeqb %%xmm15, %%xmm14\n\t"
		"pmovmskb %%xmm14, %%eax\n\t"
		"cmp $0xffff, %%eax\n\t"
		"jne 2f\n\t"
		"movdqa %%xmm8, %%xmm14\n\t"
		"pcmpeqb %%xmm15, %%xmm14\n\t"
		"pmovmskb %%xmm14, %%eax\n\t"
		"cmp $0xffff, %%eax\n\t"
		"jne 2f\n\t"
		"movdqa %%xmm9, %%xmm14\n\t"
		"pcmpeqb %%xmm15, %%xmm14\n\t"
		"pmovmskb %%xmm14, %%eax\n\t"
		"cmp $0xffff, %%eax\n\t"
		"jne 2f\n\t"
		"movdqa %%xmm10, %%xmm14\n\t"
		"pcmpeqb %%xmm15, %%xmm14\n\t"
		"pmovmskb %%xmm14, %%eax\n\t"
		"cmp $0xffff, %%eax\n\t"
		"jne 2f\n\t"
		"movdqa %%xmm11, %%xmm14\n\t"
		"pcmpeqb %%xmm15, %%xmm14\n\t"
		"pmovmskb %%xmm14, %%eax\n\t"
		"cmp $0xffff, %%eax\n\t"
		"jne 2f\n\t"
		"movdqa %%xmm12, %%xmm14\n\t"
		"pcmpeqb %%xmm15, %%xmm14\n\t"
		"pmovmskb %%xmm14, %%eax\n\t"
		"cmp $0xffff, %%eax\n\t"
		"jne 2f\n\t"
		"movdqa %%xmm13, %%xmm14\n\t"
		"pcmpeqb %%xmm15, %%xmm14\n\t"
		"pmovmskb %%xmm14, %%eax\n\t"
		"cmp $0xffff, %%eax\n\t"
		"jne 2f\n\t"
		"dec %[left]\n\t"
		"jnz 1b\n"
		"2:\n"
		: [left] "+r" (left) : [p] "r" (pat)
		: "eax", "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	return left;
}

static void *fpu_host_thread(void *arg)
{
	static const uint8_t pat[16] = {
		0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48,
		0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48 };
	struct fpu_host *h = arg;

	while (!__atomic_load_n(&h->stop, __ATOMIC_RELAXED)) {
		if (host_fpu_rounds(pat, 100000))
			h->bad++;
		h->rounds++;
	}
	return NULL;
}

static void on_alarm(int sig)
{
}

struct stopper {
	pthread_t vcpu;
	unsigned int ms;
};

static void *stop_thread(void *arg)
{
	struct stopper *s = arg;

	usleep(s->ms * 1000);
	pthread_kill(s->vcpu, SIGUSR1);
	return NULL;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * The guest keeps 0x47 bytes in XMM0-6 and checks them in a loop with
 * IF=1 (so host timer interrupts end guest mode, design.md); a host
 * thread on the same CPU keeps 0x48 bytes in its XMM0-13.  The scheduler
 * switches between the two many times; neither may ever see the other's
 * values (nor its own lost).
 */
TEST_F(hs, fpu_guest_and_host_threads_stay_apart)
{
	struct stopper stopper = { .ms = 1500 };
	struct fpu_host host = { 0 };
	struct sigaction sa = { .sa_handler = on_alarm };
	pthread_t ht, st;
	struct kvm_regs regs;
	struct rusage ru;
	int ret;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pin(0));
	/* The host thread inherits the pinning to CPU 0. */
	ASSERT_EQ(0, pthread_create(&ht, NULL, fpu_host_thread, &host));
	stopper.vcpu = pthread_self();
	ASSERT_EQ(0, pthread_create(&st, NULL, stop_thread, &stopper));
	ret = vcpu_run(&self->vcpu);
	__atomic_store_n(&host.stop, 1, __ATOMIC_RELAXED);
	pthread_join(ht, NULL);
	pthread_join(st, NULL);
	if (!ret) {
		TH_LOG("guest exit %u (%s) port %#x: it saw foreign XMM values",
		       self->vcpu.run->exit_reason,
		       exit_name(self->vcpu.run->exit_reason),
		       self->vcpu.run->io.port);
	}
	EXPECT_EQ(-EINTR, ret);
	EXPECT_EQ(0, host.bad) {
		TH_LOG("the host thread saw foreign XMM values %ld times",
		       host.bad);
	}
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KVM_GET_REGS, &regs));
	ASSERT_EQ(0, getrusage(RUSAGE_THREAD, &ru));
	TH_LOG("guest rounds %llu, host rounds %ld, vCPU preempted %ld times",
	       (unsigned long long)(uint32_t)regs.rsi, host.rounds,
	       ru.ru_nivcsw);
	/* The scenario happened: both ran, and they took turns. */
	EXPECT_LT(0, (uint32_t)regs.rsi);
	EXPECT_LT(0, host.rounds);
	EXPECT_LT(1, ru.ru_nivcsw);
}

int main(int argc, char **argv)
{
	require_vm("hostsafe_test");
	return test_harness_run(argc, argv);
}
