# SPDX-License-Identifier: GPL-2.0
i8259_SRCS := src/devices/i8259.c
