/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Constants vmenter.S needs from <asm/vmx.h>, which assembly cannot
 * include.  vmcs.c checks at build time that they match the kernel's.
 */
#ifndef HVMM_VMX_VMENTER_H
#define HVMM_VMX_VMENTER_H

#define HVMM_VMCS_HOST_RSP	0x00006c14	/* SDM Vol. 3D, B.4.4 */

#endif /* HVMM_VMX_VMENTER_H */
