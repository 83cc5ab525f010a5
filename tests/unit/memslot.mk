# SPDX-License-Identifier: GPL-2.0
# KVM_SET_USER_MEMORY_REGION validation, the same file hvmm.ko builds.
memslot_SRCS := src/core/memslot.c
