// SPDX-License-Identifier: GPL-2.0
/*
 * The arithmetic of the read-modify-write instructions MMIO emulation
 * handles (ADD, OR, ADC, SBB, AND, SUB, XOR, CMP, TEST; SDM Vol. 2).
 * Like KVM's fastop, the host CPU executes the very instruction on the
 * operands, so the result and the arithmetic flags are exactly what the
 * guest's CPU would produce, undefined flags included.
 */
#include <linux/kernel.h>
#include <asm/irqflags.h>
#include <asm/processor-flags.h>
#include "vmx_int.h"

#define ARITH_FLAGS	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_OF)

#define ALU(insn, sfx, mod, cons)					\
	asm("push %[fl]\n\tpopf\n\t"					\
	    insn sfx " %" mod "[s], %" mod "[d]\n\t"			\
	    "pushf\n\tpop %[fl]"					\
	    : [d] "+" cons(d), [fl] "+r" (fl)				\
	    : [s] cons(s) : "cc")

#define ALU_ALL_WIDTHS(insn)						\
	do {								\
		switch (len) {						\
		case 1:							\
			ALU(insn, "b", "b", "q");			\
			break;						\
		case 2:							\
			ALU(insn, "w", "w", "r");			\
			break;						\
		case 4:							\
			ALU(insn, "l", "k", "r");			\
			break;						\
		default:						\
			ALU(insn, "q", "q", "r");			\
		}							\
	} while (0)

/**
 * hvmm_alu() - run one ALU operation as the guest's CPU would
 * @op: the ModRM reg field of group 1 (0 ADD .. 7 CMP), or HVMM_ALU_TEST
 * @d: destination operand
 * @s: source operand
 * @len: operand size, 1, 2, 4 or 8
 * @rflags: the guest's RFLAGS; CF is an input (ADC/SBB), and all six
 *	arithmetic flags are replaced with the result's
 *
 * Return: the result (for CMP and TEST: @d, the destination is unchanged).
 */
u64 hvmm_alu(unsigned int op, u64 d, u64 s, unsigned int len,
	     unsigned long *rflags)
{
	unsigned long fl = (native_save_fl() & ~ARITH_FLAGS) |
			   (*rflags & ARITH_FLAGS);
	u64 orig = d;

	switch (op) {
	case 0:
		ALU_ALL_WIDTHS("add");
		break;
	case 1:
		ALU_ALL_WIDTHS("or");
		break;
	case 2:
		ALU_ALL_WIDTHS("adc");
		break;
	case 3:
		ALU_ALL_WIDTHS("sbb");
		break;
	case 4:
		ALU_ALL_WIDTHS("and");
		break;
	case 5:
		ALU_ALL_WIDTHS("sub");
		break;
	case 6:
		ALU_ALL_WIDTHS("xor");
		break;
	case 7:
		ALU_ALL_WIDTHS("cmp");
		break;
	default:
		ALU_ALL_WIDTHS("test");
		break;
	}
	*rflags = (*rflags & ~ARITH_FLAGS) | (fl & ARITH_FLAGS);
	if (op >= 7)
		return orig;
	return len == 8 ? d : d & ((1ULL << (len * 8)) - 1);
}
