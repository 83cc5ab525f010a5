# SPDX-License-Identifier: GPL-2.0
ps2_kbd_SRCS := src/devices/i8042.c src/devices/ps2_kbd.c src/devices/ps2_mouse.c
