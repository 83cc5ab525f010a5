// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_EXIT_MMIO: guest reads and writes of 1, 2, 4 and 8 bytes to a
 * guest-physical address no memory slot backs must reach the KVM_RUN
 * caller with phys_addr, len, is_write and the data right
 * (Documentation/virt/kvm/api.rst, "KVM_EXIT_MMIO"), and read data handed
 * back must land in the destination register with the width of the
 * access (Intel SDM 2A/2B, "MOV", "MOVZX", "MOVSX").  From 64-bit long
 * mode (all sizes) and from real mode (1, 2, 4 bytes through a segment),
 * plus MOVZX/MOVSX and a read-modify-write OR in long mode, and accesses
 * that cross a page boundary: each page may be RAM or another device, so
 * KVM splits them at the boundary (emulator_read_write()) and only the
 * MMIO parts exit, one KVM_EXIT_MMIO each, in address order.
 */
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"

/*
 * Writes: 8, 4, 2, 1 bytes.  Reads: each width into a pre-filled
 * register, echoed to port 0x5c0 with an 8-byte view (two OUTs in 64-bit
 * mode would hide a bad upper half, so long mode echoes via a write).
 */
asm(".pushsection .rodata\n\t"
	".code64\n"
	"mmio64_start:\n\t"
	"mov $0xd0000, %ebx\n\t"
	"mov $0x1122334455667788, %rax\n\t"
	"mov %rax, 0x8(%rbx)\n\t"
	"movl $0x99aabbcc, 0x10(%rbx)\n\t"
	"movw $0xddee, 0x14(%rbx)\n\t"
	"movb $0xf1, 0x17(%rbx)\n\t"
	"mov 0x20(%rbx), %rax\n\t"		/* 8-byte read */
	"mov %rax, 0x100(%rbx)\n\t"		/* echo as an 8-byte write */
	"mov $-1, %rax\n\t"
	"mov 0x28(%rbx), %eax\n\t"		/* 4-byte read zero-extends */
	"mov %rax, 0x100(%rbx)\n\t"
	"mov $-1, %rax\n\t"
	"mov 0x2c(%rbx), %ax\n\t"		/* 2-byte read keeps bits 63:16 */
	"mov %rax, 0x100(%rbx)\n\t"
	"mov $-1, %rax\n\t"
	"mov 0x2f(%rbx), %al\n\t"		/* 1-byte read keeps bits 63:8 */
	"mov %rax, 0x100(%rbx)\n\t"
	"hlt\n"
	"mmio64_end:\n\t"
	".code16\n"
	"mmio16_start:\n\t"
	"mov $0xd000, %bx\n\t"
	"mov %bx, %es\n\t"
	"movl $0x99aabbcc, %es:0x10\n\t"
	"movw $0xddee, %es:0x14\n\t"
	"movb $0xf1, %es:0x17\n\t"
	"mov $0xffffffff, %eax\n\t"
	"mov %es:0x28, %eax\n\t"
	"mov %eax, %es:0x100\n\t"
	"mov $0xffffffff, %eax\n\t"
	"mov %es:0x2c, %ax\n\t"
	"mov %eax, %es:0x100\n\t"
	"mov $0xffffffff, %eax\n\t"
	"mov %es:0x2f, %al\n\t"
	"mov %eax, %es:0x100\n\t"
	"hlt\n"
	"mmio16_end:\n\t"
	/*
	 * Instructions drivers and compilers use on device registers
	 * besides MOV: MOVZX/MOVSX (SDM 2B) and a read-modify-write OR
	 * (one read exit, then one write exit).
	 */
	".code64\n"
	"mmiox64_start:\n\t"
	"mov $0xd0000, %ebx\n\t"
	"movzbl 0x30(%rbx), %eax\n\t"
	"mov %rax, 0x100(%rbx)\n\t"
	"movzwl 0x32(%rbx), %eax\n\t"
	"mov %rax, 0x100(%rbx)\n\t"
	"movsbq 0x34(%rbx), %rax\n\t"
	"mov %rax, 0x100(%rbx)\n\t"
	"movswl 0x36(%rbx), %eax\n\t"
	"mov %rax, 0x100(%rbx)\n\t"
	"orl $0x100, 0x38(%rbx)\n\t"
	"hlt\n"
	"mmiox64_end:\n\t"
	/*
	 * Page-crossing dwords: RAM 0x7fffe-0x7ffff then MMIO at 0x80000
	 * (the slot ends there), and MMIO 0xd0ffe then MMIO 0xd1000.
	 */
	".code16\n"
	"split16_start:\n\t"
	"mov $0x7f00, %bx\n\t"
	"mov %bx, %es\n\t"
	"mov $0xd000, %bx\n\t"
	"mov %bx, %fs\n\t"
	"movl $0x44332211, %es:0xffe\n\t"
	"mov %es:0xffe, %eax\n\t"
	"mov %eax, %fs:0x100\n\t"
	"movl $0x88776655, %fs:0xffe\n\t"
	"mov %fs:0xffe, %eax\n\t"
	"mov %eax, %fs:0x100\n\t"
	"hlt\n"
	"split16_end:\n\t"
	".code64\n\t"
	".popsection");
GUEST_CODE_DECLARE(mmio64);
GUEST_CODE_DECLARE(mmio16);
GUEST_CODE_DECLARE(mmiox64);
GUEST_CODE_DECLARE(split16);

struct mmio_exit {
	uint64_t addr;
	uint32_t len;
	uint8_t is_write;
	uint64_t val;		/* write: expected; read: our answer */
};

#define M(off) (GUEST_MMIO + (off))

static const struct mmio_exit exits64[] = {
	{ M(0x08), 8, 1, 0x1122334455667788ULL },
	{ M(0x10), 4, 1, 0x99aabbcc },
	{ M(0x14), 2, 1, 0xddee },
	{ M(0x17), 1, 1, 0xf1 },
	{ M(0x20), 8, 0, 0x0102030405060708ULL },
	{ M(0x100), 8, 1, 0x0102030405060708ULL },
	{ M(0x28), 4, 0, 0x8badf00d },
	{ M(0x100), 8, 1, 0x000000008badf00dULL },
	{ M(0x2c), 2, 0, 0x1357 },
	{ M(0x100), 8, 1, 0xffffffffffff1357ULL },
	{ M(0x2f), 1, 0, 0x42 },
	{ M(0x100), 8, 1, 0xffffffffffffff42ULL },
};

static const struct mmio_exit exits16[] = {
	{ M(0x10), 4, 1, 0x99aabbcc },
	{ M(0x14), 2, 1, 0xddee },
	{ M(0x17), 1, 1, 0xf1 },
	{ M(0x28), 4, 0, 0x8badf00d },
	{ M(0x100), 4, 1, 0x8badf00d },
	{ M(0x2c), 2, 0, 0x1357 },
	{ M(0x100), 4, 1, 0xffff1357 },
	{ M(0x2f), 1, 0, 0x42 },
	{ M(0x100), 4, 1, 0xffffff42 },
};

static const struct mmio_exit exitsx64[] = {
	{ M(0x30), 1, 0, 0x80 },
	{ M(0x100), 8, 1, 0x80 },
	{ M(0x32), 2, 0, 0x8001 },
	{ M(0x100), 8, 1, 0x8001 },
	{ M(0x34), 1, 0, 0x80 },
	{ M(0x100), 8, 1, 0xffffffffffffff80ULL },
	{ M(0x36), 2, 0, 0x8001 },
	{ M(0x100), 8, 1, 0x00000000ffff8001ULL },
	{ M(0x38), 4, 0, 0x12 },
	{ M(0x38), 4, 1, 0x112 },
};

static const struct mmio_exit exits_split[] = {
	{ 0x80000, 2, 1, 0x4433 },		/* 0x2211 went to RAM */
	{ 0x80000, 2, 0, 0xddcc },		/* RAM part read as 0x2211 */
	{ M(0x100), 4, 1, 0xddcc2211 },
	{ M(0xffe), 2, 1, 0x6655 },
	{ M(0x1000), 2, 1, 0x8877 },
	{ M(0xffe), 2, 0, 0xbbaa },
	{ M(0x1000), 2, 0, 0xeedd },
	{ M(0x100), 4, 1, 0xeeddbbaa },
};

static void mmio_run(struct __test_metadata *_metadata, enum guest_mode mode,
		     const uint8_t *code, size_t len,
		     const struct mmio_exit *exp, size_t n)
{
	struct test_vcpu vcpu;
	struct test_vm vm;
	struct kvm_run *run;
	uint64_t v;
	size_t i;

	ASSERT_EQ(0, vm_create(&vm));
	ASSERT_EQ(0, vcpu_create(&vm, &vcpu, 0));
	ASSERT_EQ(0, vcpu_setup(&vm, &vcpu, mode, code, len));
	run = vcpu.run;
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, vcpu_run(&vcpu));
		ASSERT_EQ(KVM_EXIT_MMIO, run->exit_reason) {
			TH_LOG("access %zu: exit %u (%s)", i, run->exit_reason,
			       exit_name(run->exit_reason));
		}
		EXPECT_EQ(exp[i].addr, run->mmio.phys_addr) {
			TH_LOG("access %zu", i);
		}
		ASSERT_EQ(exp[i].len, run->mmio.len) {
			TH_LOG("access %zu", i);
		}
		ASSERT_EQ(exp[i].is_write, run->mmio.is_write) {
			TH_LOG("access %zu", i);
		}
		if (exp[i].is_write) {
			v = 0;
			memcpy(&v, run->mmio.data, exp[i].len);
			EXPECT_EQ(exp[i].val, v) {
				TH_LOG("access %zu: wrote %#llx", i,
				       (unsigned long long)v);
			}
		} else {
			memcpy(run->mmio.data, &exp[i].val, exp[i].len);
		}
	}
	ASSERT_EQ(0, vcpu_run(&vcpu));
	EXPECT_EQ(KVM_EXIT_HLT, run->exit_reason) {
		TH_LOG("exit %u (%s)", run->exit_reason,
		       exit_name(run->exit_reason));
	}
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
}

TEST(long_mode_1_2_4_8_bytes)
{
	mmio_run(_metadata, GUEST_LONG64, mmio64_start, GUEST_SIZE(mmio64),
		 exits64, ARRAY_SIZE(exits64));
}

TEST(real_mode_1_2_4_bytes)
{
	mmio_run(_metadata, GUEST_REAL, mmio16_start, GUEST_SIZE(mmio16),
		 exits16, ARRAY_SIZE(exits16));
}

TEST(page_crossing_split_at_the_boundary)
{
	mmio_run(_metadata, GUEST_REAL, split16_start, GUEST_SIZE(split16),
		 exits_split, ARRAY_SIZE(exits_split));
}

TEST(long_mode_movzx_movsx_or)
{
	mmio_run(_metadata, GUEST_LONG64, mmiox64_start, GUEST_SIZE(mmiox64),
		 exitsx64, ARRAY_SIZE(exitsx64));
}

int main(int argc, char **argv)
{
	require_vm("mmio_test");
	return test_harness_run(argc, argv);
}
