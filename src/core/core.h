/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interfaces between the files of src/core/ (not for the backend).
 */
#ifndef HVMM_CORE_CORE_H
#define HVMM_CORE_CORE_H

#include <linux/fs.h>
#include "hvmm.h"

/* vm.c */
extern struct list_head hvmm_vm_list;
extern struct mutex hvmm_vm_list_lock;
int hvmm_dev_create_vm(unsigned long type);
void hvmm_vm_get(struct hvmm_vm *vm);
void hvmm_vm_put(struct hvmm_vm *vm);

/* vcpu.c */
int hvmm_vm_create_vcpu(struct hvmm_vm *vm, u32 id);
void hvmm_vcpu_destroy(struct hvmm_vcpu *vcpu);

/* memslot_ioctl.c */
int hvmm_vm_set_memory_region(struct hvmm_vm *vm,
			      const struct kvm_userspace_memory_region *mem);
void hvmm_vm_free_memslots(struct hvmm_vm *vm);

/* caps.c */
long hvmm_check_extension(struct hvmm_vm *vm, long cap);

/* cpuid.c */
long hvmm_dev_get_supported_cpuid(struct kvm_cpuid2 __user *ucpuid);
long hvmm_vcpu_set_cpuid2(struct hvmm_vcpu *vcpu,
			  struct kvm_cpuid2 __user *ucpuid);

/* stats.c */
int hvmm_stats_init(void);
void hvmm_stats_exit(void);
void hvmm_stats_vm_create(struct hvmm_vm *vm, int fd);
void hvmm_stats_vm_destroy(struct hvmm_vm *vm);

#endif /* HVMM_CORE_CORE_H */
