# SPDX-License-Identifier: GPL-2.0
i8254_SRCS := src/devices/i8254.c
