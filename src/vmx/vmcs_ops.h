/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Typed VMREAD/VMWRITE.  A VMCS field encodes its width in bits 14:13
 * (SDM Vol. 3C, Appendix B): the accessors refuse, at build time, a field
 * of another width, as KVM's vmx_ops.h does.  A failing VMREAD/VMWRITE
 * (no current VMCS, bad field) is a backend bug: it warns once and reads
 * as zero, it never faults the host.
 */
#ifndef HVMM_VMX_VMCS_OPS_H
#define HVMM_VMX_VMCS_OPS_H

#include <linux/build_bug.h>
#include <linux/bug.h>
#include <linux/types.h>
#include <asm/asm.h>
#include <asm/vmx.h>

#define HVMM_VMCS_W16		0
#define HVMM_VMCS_W64		1
#define HVMM_VMCS_W32		2
#define HVMM_VMCS_WNAT		3
#define hvmm_vmcs_width(f)	(((f) >> 13) & 3)

#define hvmm_vmcs_check(f, w)						\
	BUILD_BUG_ON_MSG(__builtin_constant_p(f) &&			\
			 (hvmm_vmcs_width(f) != (w) ||			\
			  ((w) == HVMM_VMCS_W64 && ((f) & 1))),		\
			 "VMCS field of the wrong width")

void hvmm_vmx_insn_failed(const char *insn, unsigned long field);

static __always_inline unsigned long __hvmm_vmread(unsigned long field)
{
	unsigned long val = 0;
	bool bad = true;	/* stays set if VMREAD faults */

	asm volatile("1: vmread %[f], %[v]\n\t"
		     "setna %[bad]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [v] "+r" (val), [bad] "+qm" (bad)
		     : [f] "r" (field)
		     : "cc");
	if (unlikely(bad)) {
		hvmm_vmx_insn_failed("vmread", field);
		return 0;
	}
	return val;
}

static __always_inline void __hvmm_vmwrite(unsigned long field,
					   unsigned long val)
{
	bool bad = true;	/* stays set if VMWRITE faults */

	asm volatile("1: vmwrite %[v], %[f]\n\t"
		     "setna %[bad]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [bad] "+qm" (bad)
		     : [f] "r" (field), [v] "rm" (val)
		     : "cc");
	if (unlikely(bad))
		hvmm_vmx_insn_failed("vmwrite", field);
}

static __always_inline u16 vmcs_read16(unsigned long f)
{
	hvmm_vmcs_check(f, HVMM_VMCS_W16);
	return __hvmm_vmread(f);
}

static __always_inline u32 vmcs_read32(unsigned long f)
{
	hvmm_vmcs_check(f, HVMM_VMCS_W32);
	return __hvmm_vmread(f);
}

static __always_inline u64 vmcs_read64(unsigned long f)
{
	hvmm_vmcs_check(f, HVMM_VMCS_W64);
	return __hvmm_vmread(f);
}

static __always_inline unsigned long vmcs_readl(unsigned long f)
{
	hvmm_vmcs_check(f, HVMM_VMCS_WNAT);
	return __hvmm_vmread(f);
}

static __always_inline void vmcs_write16(unsigned long f, u16 v)
{
	hvmm_vmcs_check(f, HVMM_VMCS_W16);
	__hvmm_vmwrite(f, v);
}

static __always_inline void vmcs_write32(unsigned long f, u32 v)
{
	hvmm_vmcs_check(f, HVMM_VMCS_W32);
	__hvmm_vmwrite(f, v);
}

static __always_inline void vmcs_write64(unsigned long f, u64 v)
{
	hvmm_vmcs_check(f, HVMM_VMCS_W64);
	__hvmm_vmwrite(f, v);
}

static __always_inline void vmcs_writel(unsigned long f, unsigned long v)
{
	hvmm_vmcs_check(f, HVMM_VMCS_WNAT);
	__hvmm_vmwrite(f, v);
}

static __always_inline void vmcs_set_bits32(unsigned long f, u32 mask)
{
	vmcs_write32(f, vmcs_read32(f) | mask);
}

static __always_inline void vmcs_clear_bits32(unsigned long f, u32 mask)
{
	vmcs_write32(f, vmcs_read32(f) & ~mask);
}

#endif /* HVMM_VMX_VMCS_OPS_H */
