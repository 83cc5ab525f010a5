// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID for guests (SDM Vol. 2A, CPUID): KVM_GET_SUPPORTED_CPUID offers
 * the host's CPUID filtered to what hvmm virtualizes - no VMX/SMX, no
 * monitor/mwait, no local APIC, MTRRs, machine-check banks, PMU, PCID,
 * INVPCID, RDTSCP, PKU, speculation controls - with the hypervisor bit
 * set, as KVM does.  The CPUID exit answers from the vCPU's
 * KVM_SET_CPUID2 table, with the OS-controlled bits (OSXSAVE, XSAVE area
 * size) following the guest's CR4 and XCR0.
 */
#define pr_fmt(fmt) "hvmm: " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>
#include "vmx_int.h"

/* Leaf 1 ECX: SSE3 PCLMUL SSSE3 FMA CX16 SSE4.1/4.2 MOVBE POPCNT AES XSAVE AVX F16C RDRAND */
#define L1_ECX_OK	(BIT(0) | BIT(1) | BIT(9) | BIT(12) | BIT(13) | \
			 BIT(19) | BIT(20) | BIT(22) | BIT(23) | BIT(25) | \
			 BIT(26) | BIT(28) | BIT(29) | BIT(30))
#define L1_ECX_HYPERVISOR	BIT(31)
#define L1_ECX_OSXSAVE	BIT(27)
/* Leaf 1 EDX: FPU VME DE PSE TSC MSR PAE CX8 SEP PGE CMOV PAT PSE36 CLFSH MMX FXSR SSE SSE2 SS */
#define L1_EDX_OK	(BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | \
			 BIT(6) | BIT(8) | BIT(11) | BIT(13) | BIT(15) | \
			 BIT(16) | BIT(17) | BIT(19) | BIT(23) | BIT(24) | \
			 BIT(25) | BIT(26) | BIT(27))
/* Leaf 7.0 EBX: FSGSBASE BMI1 AVX2 SMEP BMI2 ERMS AVX512F/DQ RDSEED ADX SMAP CLFLUSHOPT CLWB AVX512CD SHA AVX512BW/VL */
#define L7_EBX_OK	(BIT(0) | BIT(3) | BIT(5) | BIT(7) | BIT(8) | BIT(9) | \
			 BIT(16) | BIT(17) | BIT(18) | BIT(19) | BIT(20) | \
			 BIT(23) | BIT(24) | BIT(28) | BIT(29) | BIT(30) | \
			 BIT(31))
/* Leaf 7.0 ECX: AVX512VBMI UMIP GFNI VAES VPCLMULQDQ VNNI BITALG VPOPCNTDQ */
#define L7_ECX_OK	(BIT(1) | BIT(2) | BIT(8) | BIT(9) | BIT(10) | \
			 BIT(11) | BIT(12) | BIT(14))
/* 0x80000001 ECX: LAHF LZCNT PREFETCHW; EDX: SYSCALL NX 1GB-pages LM */
#define E1_ECX_OK	(BIT(0) | BIT(5) | BIT(8))
#define E1_EDX_OK	(BIT(11) | BIT(20) | BIT(26) | BIT(29))

static u64 supported_xcr0(void)
{
	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return 0;
	return xgetbv(XCR_XFEATURE_ENABLED_MASK) &
	       (XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM |
		XFEATURE_MASK_AVX512);
}

static void filter(struct kvm_cpuid_entry2 *e)
{
	u64 xcr0 = supported_xcr0();

	switch (e->function) {
	case 1:
		e->ecx = (e->ecx & L1_ECX_OK) | L1_ECX_HYPERVISOR;
		if (!xcr0)
			e->ecx &= ~(BIT(26) | BIT(28));	/* XSAVE, AVX */
		e->edx &= L1_EDX_OK;
		e->ebx &= 0x0000ffff;	/* no APIC ID, one logical CPU */
		break;
	case 7:
		if (e->index == 0) {
			e->eax = 0;	/* only subleaf 0 */
			e->ebx &= L7_EBX_OK;
			e->ecx &= L7_ECX_OK;
			e->edx = 0;
		} else {
			e->eax = e->ebx = e->ecx = e->edx = 0;
		}
		break;
	case 0xd:
		if (e->index == 0) {
			e->eax = (u32)xcr0;
			e->edx = xcr0 >> 32;
		} else if (e->index == 1) {
			e->eax &= 0x7;	/* XSAVEOPT XSAVEC XGETBV1; no XSAVES */
			e->ebx = e->ecx = e->edx = 0;
		} else if (!(xcr0 & BIT_ULL(e->index))) {
			e->eax = e->ebx = e->ecx = e->edx = 0;
		}
		break;
	case 0x80000001:
		e->ecx &= E1_ECX_OK;
		e->edx &= E1_EDX_OK;
		break;
	case 0: case 2: case 4: case 0x80000000:
	case 0x80000002: case 0x80000003: case 0x80000004:
	case 0x80000006: case 0x80000008:
		break;			/* identity, caches, addresses */
	default:
		/* thermal, PMU, topology, ...: nothing virtualized */
		e->eax = e->ebx = e->ecx = e->edx = 0;
	}
}

static int add(struct kvm_cpuid_entry2 *entries, u32 *n, u32 max, u32 fn,
	       u32 idx, bool indexed)
{
	struct kvm_cpuid_entry2 *e;

	if (*n >= max)
		return -E2BIG;
	e = &entries[(*n)++];
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	e->flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
	cpuid_count(fn, idx, &e->eax, &e->ebx, &e->ecx, &e->edx);
	filter(e);
	return 0;
}

/**
 * hvmm_vmx_get_supported_cpuid() - KVM_GET_SUPPORTED_CPUID
 * @cpuid: the header; nent is set to the number of entries on success
 * @max_entries: room in @entries
 * @entries: filled in
 *
 * Return: 0, or -E2BIG when @max_entries is too small (as KVM).
 */
int hvmm_vmx_get_supported_cpuid(struct kvm_cpuid2 *cpuid, u32 max_entries,
				 struct kvm_cpuid_entry2 *entries)
{
	u32 n = 0, fn, i, max_basic, max_ext;
	int ret = 0;

	max_basic = min_t(u32, cpuid_eax(0), 0xd);
	for (fn = 0; fn <= max_basic && !ret; fn++) {
		switch (fn) {
		case 4:		/* deterministic cache parameters */
			for (i = 0; i < 8 && !ret; i++) {
				ret = add(entries, &n, max_entries, fn, i, true);
				if (!ret && !(entries[n - 1].eax & 0x1f))
					break;
			}
			break;
		case 7:
			ret = add(entries, &n, max_entries, fn, 0, true);
			break;
		case 0xd:
			for (i = 0; i < 64 && !ret; i++)
				if (i < 2 || (supported_xcr0() & BIT_ULL(i)))
					ret = add(entries, &n, max_entries,
						  fn, i, true);
			break;
		default:
			ret = add(entries, &n, max_entries, fn, 0, false);
		}
	}
	if (!ret)
		entries[0].eax = max_basic;
	max_ext = min_t(u32, cpuid_eax(0x80000000), 0x80000008);
	for (fn = 0x80000000; fn <= max_ext && !ret; fn++)
		ret = add(entries, &n, max_entries, fn, 0, false);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		if (entries[i].function == 0x80000000)
			entries[i].eax = max_ext;
	cpuid->nent = n;
	return 0;
}

static const struct kvm_cpuid_entry2 *find(struct hvmm_vmx_vcpu *vmx, u32 fn,
					   u32 idx);

static bool guest_has(struct hvmm_vmx_vcpu *vmx, u32 fn, int reg, u32 bit)
{
	const struct kvm_cpuid_entry2 *e = find(vmx, fn, 0);
	u32 r[4];

	if (!e)
		return false;
	r[0] = e->eax;
	r[1] = e->ebx;
	r[2] = e->ecx;
	r[3] = e->edx;
	return r[reg] & bit;
}

/**
 * hvmm_vmx_cpuid_update() - what the guest's CPUID table allows it
 * @vmx: the vCPU
 *
 * CR4 bits of features the table does not offer fault (KVM's
 * __cr4_reserved_bits()), and XSETBV may enable only the state
 * components leaf 0xD offers, within what hvmm can save (KVM's
 * guest_supported_xcr0).  With no table, neither is offered.
 */
void hvmm_vmx_cpuid_update(struct hvmm_vmx_vcpu *vmx)
{
	const struct kvm_cpuid_entry2 *d = find(vmx, 0xd, 0);
	unsigned long rsvd = 0;

	/*
	 * Whatever the table says, no XSAVE without the host's: hvmm would
	 * execute XSETBV in a host kernel that has it off (#UD, an oops).
	 */
	if (!guest_has(vmx, 1, 2, BIT(26)) || !supported_xcr0())
		rsvd |= X86_CR4_OSXSAVE;
	if (!guest_has(vmx, 7, 1, BIT(0)))
		rsvd |= X86_CR4_FSGSBASE;
	if (!guest_has(vmx, 7, 1, BIT(7)))
		rsvd |= X86_CR4_SMEP;
	if (!guest_has(vmx, 7, 1, BIT(20)))
		rsvd |= X86_CR4_SMAP;
	if (!guest_has(vmx, 7, 2, BIT(2)))
		rsvd |= X86_CR4_UMIP;
	vmx->cr4_guest_rsvd = rsvd;
	vmx->guest_xcr0_mask = d ? ((u64)d->edx << 32 | d->eax) &
				   supported_xcr0() : 0;
}

/**
 * hvmm_vmx_set_cpuid() - KVM_SET_CPUID2: the table the guest's CPUID reads
 * @vcpu: the vCPU, its mutex held
 * @nent: number of entries (the core bounds it)
 * @entries: the table, already copied from userspace
 *
 * Return: 0, -E2BIG or -ENOMEM.
 */
int hvmm_vmx_set_cpuid(struct hvmm_vcpu *vcpu, u32 nent,
		       const struct kvm_cpuid_entry2 *entries)
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	struct kvm_cpuid_entry2 *copy = NULL;

	if (nent > HVMM_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (nent) {
		copy = kmemdup(entries, nent * sizeof(*entries),
			       GFP_KERNEL_ACCOUNT);
		if (!copy)
			return -ENOMEM;
	}
	kfree(vmx->cpuid);
	vmx->cpuid = copy;
	vmx->cpuid_nent = nent;
	hvmm_vmx_cpuid_update(vmx);
	return 0;
}

static const struct kvm_cpuid_entry2 *find(struct hvmm_vmx_vcpu *vmx, u32 fn,
					   u32 idx)
{
	u32 i;

	for (i = 0; i < vmx->cpuid_nent; i++) {
		const struct kvm_cpuid_entry2 *e = &vmx->cpuid[i];

		if (e->function == fn &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     e->index == idx))
			return e;
	}
	return NULL;
}

/* XSAVE area size for @xcr0 (CPUID.0xD.0:EBX semantics). */
static u32 xsave_size(u64 xcr0)
{
	u32 size = 512 + 64, i, a, b, c, d;

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &a, &b, &c, &d);
		size = max(size, a + b);
	}
	return size;
}

/**
 * hvmm_vmx_cpuid() - the guest executed CPUID
 * @vcpu: the vCPU
 * @fn: EAX
 * @idx: ECX
 * @out: EAX, EBX, ECX, EDX for the guest
 *
 * A leaf beyond the table's range answers with the highest basic leaf,
 * as Intel CPUs and KVM do; a leaf missing from the table is all zeros.
 */
void hvmm_vmx_cpuid(struct hvmm_vcpu *vcpu, u32 fn, u32 idx, u32 out[4])
{
	struct hvmm_vmx_vcpu *vmx = to_vmx(vcpu);
	const struct kvm_cpuid_entry2 *e, *max;

	e = find(vmx, fn, idx);
	if (!e) {
		max = find(vmx, fn & 0x80000000, 0);
		if (max && fn > max->eax) {
			const struct kvm_cpuid_entry2 *b0 = find(vmx, 0, 0);

			if (b0)
				e = find(vmx, b0->eax, idx);
		}
	}
	if (!e) {
		out[0] = out[1] = out[2] = out[3] = 0;
		return;
	}
	out[0] = e->eax;
	out[1] = e->ebx;
	out[2] = e->ecx;
	out[3] = e->edx;
	if (e->function == 1) {
		out[2] &= ~L1_ECX_OSXSAVE;
		if (vmx->cr4_shadow & X86_CR4_OSXSAVE)
			out[2] |= L1_ECX_OSXSAVE;
	} else if (e->function == 0xd && e->index == 0) {
		out[1] = xsave_size(vmx->xcr0);
	}
}
