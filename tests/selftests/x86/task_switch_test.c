// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware task switches (Intel SDM Vol. 3A, 8.3 "Task Switching"),
 * which VT-x leaves to the hypervisor: a JMP to a TSS and back, a CALL
 * that nests (back link, NT) and the IRET that returns from it.  After
 * each switch the test checks what the SDM says changes: TR, the busy
 * bits of both TSS descriptors (8.2.2), the state saved in the old TSS
 * and loaded from the new one (8.3 steps 8 and 12), the back link and
 * NT (8.4), and CR0.TS (8.3 step 11).  KVM emulates the same.
 */
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"

#define GDT		GUEST_DATA
#define TSS_A		(GUEST_DATA + 0x1000)
#define TSS_B		(GUEST_DATA + 0x1100)
#define SEL_CODE	0x08
#define SEL_DATA	0x10
#define SEL_TSS_A	0x18
#define SEL_TSS_B	0x20
#define CR0_TS		(1u << 3)	/* SDM 2.5 */
#define EFLAGS_NT	(1u << 14)	/* SDM 2.3 */

asm(".pushsection .rodata\n\t"
	".code32\n"
	"ts32_start:\n\t"
	"ljmp $0x20, $0\n"
	"resume_a_start:\n\t"
	"mov $0x5678, %eax\n\t"
	"out %eax, $0xf4\n\t"
	"lcall $0x20, $0\n\t"
	"out %eax, $0xf6\n\t"
	"hlt\n"
	"taskb_start:\n\t"
	"out %eax, $0xf4\n\t"
	"ljmp $0x18, $0\n\t"
	"mov %ebx, %eax\n\t"
	"out %eax, $0xf5\n\t"
	"iret\n"
	"ts32_end:\n\t"
	".code64\n\t"
	".popsection");
GUEST_CODE_DECLARE(ts32);
/* Entry points inside ts32 (only their _start labels exist). */
GUEST_CODE_DECLARE(resume_a);
GUEST_CODE_DECLARE(taskb);

#define GOFF(label) (GUEST_CODE + (uint32_t)((label) - ts32_start))

/* A 32-bit TSS (SDM Figure 8-2), as the guest sees it. */
struct tss32 {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2;
	uint32_t cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
};

static uint64_t desc(uint32_t base, uint32_t limit, uint8_t access,
		     uint8_t flags)
{
	return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)access << 40 | (uint64_t)(limit >> 16 & 0xf) << 48 |
	       (uint64_t)(flags & 0xf) << 52 | (uint64_t)(base >> 24) << 56;
}

static unsigned int tss_type(struct test_vm *vm, uint16_t sel)
{
	uint64_t d;

	memcpy(&d, (char *)vm->mem + GDT + sel, 8);
	return (d >> 40) & 0xf;
}

static struct tss32 *tss(struct test_vm *vm, uint32_t at)
{
	return (struct tss32 *)((char *)vm->mem + at);
}

static void expect_out(struct __test_metadata *_metadata,
		       struct test_vcpu *vcpu, uint16_t port, uint32_t val)
{
	uint32_t v = 0;

	ASSERT_EQ(0, vcpu_run(vcpu));
	ASSERT_EQ(KVM_EXIT_IO, vcpu->run->exit_reason) {
		TH_LOG("exit %u (%s), suberror %u",
		       vcpu->run->exit_reason,
		       exit_name(vcpu->run->exit_reason),
		       vcpu->run->internal.suberror);
	}
	ASSERT_EQ(port, vcpu->run->io.port);
	memcpy(&v, io_data(vcpu), vcpu->run->io.size);
	EXPECT_EQ(val, v);
}

static uint16_t tr_sel(struct __test_metadata *_metadata,
		       struct test_vcpu *vcpu, struct kvm_sregs *s)
{
	EXPECT_EQ(0, ioctl(vcpu->fd, KVM_GET_SREGS, s));
	return s->tr.selector;
}

TEST(jmp_call_iret_between_two_tasks)
{
	struct test_vcpu vcpu;
	struct test_vm vm;
	struct kvm_sregs s;
	struct kvm_regs regs;
	uint64_t *gdt;
	struct tss32 *b;

	ASSERT_EQ(0, vm_create(&vm));
	ASSERT_EQ(0, vcpu_create(&vm, &vcpu, 0));
	ASSERT_EQ(0, vcpu_setup(&vm, &vcpu, GUEST_PROT32, ts32_start,
				GUEST_SIZE(ts32)));
	gdt = (uint64_t *)((char *)vm.mem + GDT);
	memset(gdt, 0, 0x2000);
	gdt[1] = desc(0, 0xfffff, 0x9b, 0xc);		/* code, 32-bit */
	gdt[2] = desc(0, 0xfffff, 0x93, 0xc);		/* data, 32-bit */
	gdt[3] = desc(TSS_A, 0x67, 0x8b, 0);		/* A: busy TSS */
	gdt[4] = desc(TSS_B, 0x67, 0x89, 0);		/* B: available */
	b = tss(&vm, TSS_B);
	b->eip = GOFF(taskb_start);
	b->eflags = 2;
	b->eax = 0x1234;
	b->ebx = 0xb0b;
	b->esp = GUEST_STACK - 0x1000;
	b->cs = SEL_CODE;
	b->es = b->ss = b->ds = b->fs = b->gs = SEL_DATA;

	ASSERT_EQ(0, ioctl(vcpu.fd, KVM_GET_SREGS, &s));
	s.gdt.base = GDT;
	s.gdt.limit = 5 * 8 - 1;
	s.tr.selector = SEL_TSS_A;
	s.tr.base = TSS_A;
	s.tr.limit = 0x67;
	s.tr.type = 11;
	s.tr.s = 0;
	s.tr.present = 1;
	s.tr.unusable = 0;
	ASSERT_EQ(0, ioctl(vcpu.fd, KVM_SET_SREGS, &s));

	/* JMP A -> B: B's registers, A saved and no longer busy. */
	expect_out(_metadata, &vcpu, 0xf4, 0x1234);
	EXPECT_EQ(SEL_TSS_B, tr_sel(_metadata, &vcpu, &s));
	EXPECT_TRUE(s.cr0 & CR0_TS);
	EXPECT_EQ(9, tss_type(&vm, SEL_TSS_A));
	EXPECT_EQ(11, tss_type(&vm, SEL_TSS_B));
	EXPECT_EQ(GOFF(resume_a_start), tss(&vm, TSS_A)->eip);
	EXPECT_EQ(SEL_CODE, tss(&vm, TSS_A)->cs);

	/* JMP B -> A: A resumes after its JMP. */
	expect_out(_metadata, &vcpu, 0xf4, 0x5678);
	EXPECT_EQ(SEL_TSS_A, tr_sel(_metadata, &vcpu, &s));
	EXPECT_EQ(11, tss_type(&vm, SEL_TSS_A));
	EXPECT_EQ(9, tss_type(&vm, SEL_TSS_B));

	/* CALL A -> B: B resumes after its JMP, nested under A. */
	expect_out(_metadata, &vcpu, 0xf5, 0xb0b);
	EXPECT_EQ(SEL_TSS_B, tr_sel(_metadata, &vcpu, &s));
	EXPECT_EQ(SEL_TSS_A, tss(&vm, TSS_B)->link);
	EXPECT_EQ(11, tss_type(&vm, SEL_TSS_A));
	EXPECT_EQ(11, tss_type(&vm, SEL_TSS_B));
	ASSERT_EQ(0, ioctl(vcpu.fd, KVM_GET_REGS, &regs));
	EXPECT_TRUE(regs.rflags & EFLAGS_NT);

	/* IRET with NT: back to A after its CALL; B idle again. */
	expect_out(_metadata, &vcpu, 0xf6, 0x5678);
	EXPECT_EQ(SEL_TSS_A, tr_sel(_metadata, &vcpu, &s));
	EXPECT_EQ(9, tss_type(&vm, SEL_TSS_B));
	ASSERT_EQ(0, ioctl(vcpu.fd, KVM_GET_REGS, &regs));
	EXPECT_FALSE(regs.rflags & EFLAGS_NT);

	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
}

int main(int argc, char **argv)
{
	require_vm("task_switch_test");
	return test_harness_run(argc, argv);
}
