/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC's pair of Intel 8259A programmable interrupt controllers, as
 * integrated in PIIX-class chipsets: master at 0x20/0x21, slave at
 * 0xa0/0xa1 cascaded on master IR2, and the edge/level control registers
 * (ELCR) at 0x4d0/0x4d1.
 *
 * Model choices (8259A datasheet, Intel 231468, unless said otherwise):
 *
 * - Inputs.  hvmm_pic_set_irq() gives the level of an IR pin.  An edge
 *   input latches a request on a low-to-high transition; the request latch
 *   is transparent, so the request is withdrawn again when the pin falls
 *   before the interrupt is acknowledged ("Edge and Level Triggered
 *   Modes": the IR input must remain high until the first INTA, else a
 *   default IR7 occurs).  A device must therefore hold its line high until
 *   the interrupt is taken, like 8254 OUT0 does in modes 2 and 3: a pulse
 *   (1 then 0 at once) delivers nothing.  A level input (ELCR bit set)
 *   requests for as long as its pin is high.
 * - ICW1 LTIM is ignored: the ELCR alone selects edge or level, as in the
 *   PIIX/ICH integrated 8259s.  ICW1 SNGL and IC4 shape the ICW sequence;
 *   the cascade itself is hard-wired (slave INT -> master IR2), so ICW3 is
 *   accepted and ignored.  Vectors are always 8086 style (irq_base + IR).
 * - Accesses wider than a byte are split into byte cycles at consecutive
 *   ports, as the ISA bus does for a 16/32-bit IN/OUT on an 8-bit device:
 *   byte i of a 1, 2 or 4 byte access goes to offset + i; bytes beyond the
 *   chip's two ports read 0xff and drop writes.  Any other width reads
 *   all-ones and is ignored.
 *
 * State save/restore uses KVM's struct kvm_pic_state with KVM's field
 * meanings (last_irr = the pin levels), so userspace written for
 * KVM_GET/SET_IRQCHIP works unchanged.  Not representable there, and reset
 * to the PC's cascade configuration on restore: ICW1 SNGL while an ICW
 * sequence is waiting for ICW2.
 *
 * Locking: every entry point takes pic->lock.  The output and acked
 * callbacks run after it was dropped (see i8259.c).
 */
#ifndef HVMM_DEVICES_I8259_H
#define HVMM_DEVICES_I8259_H

#include "platform.h"
#include "iodev.h"

#define HVMM_PIC_MASTER		0	/* KVM_IRQCHIP_PIC_MASTER */
#define HVMM_PIC_SLAVE		1	/* KVM_IRQCHIP_PIC_SLAVE */
#define HVMM_PIC_NR_IRQS	16
#define HVMM_PIC_CASCADE_IRQ	2	/* master IR2 carries the slave's INT */

#define HVMM_PIC_MASTER_BASE	0x20
#define HVMM_PIC_SLAVE_BASE	0xa0
#define HVMM_PIC_ELCR_BASE	0x4d0

/* ELCR bits that exist (PIIX): IRQ0-2, IRQ8 and IRQ13 are always edge. */
#define HVMM_PIC_MASTER_ELCR_MASK	0xf8
#define HVMM_PIC_SLAVE_ELCR_MASK	0xde

/* One 8259A.  Field meanings match struct kvm_pic_state. */
struct hvmm_pic_chip {
	u8 last_irr;	/* IR pin levels */
	u8 irr;		/* interrupt request register */
	u8 imr;		/* interrupt mask register (OCW1) */
	u8 isr;		/* in-service register */
	u8 priority_add;	/* IR with the highest priority */
	u8 irq_base;	/* ICW2 T7-T3 */
	u8 read_reg_select;	/* OCW3 RIS: 1 = read ISR */
	u8 poll;	/* OCW3 P: the next read is a poll */
	u8 special_mask;	/* OCW3 SMM */
	u8 init_state;	/* 0 ready, 1/2/3 waiting for ICW2/ICW3/ICW4 */
	u8 auto_eoi;	/* ICW4 AEOI */
	u8 rotate_on_auto_eoi;	/* OCW2 rotate in AEOI mode */
	u8 special_fully_nested_mode;	/* ICW4 SFNM */
	u8 init4;	/* ICW1 IC4: an ICW4 follows */
	u8 elcr;	/* 1 = level triggered */
	u8 elcr_mask;	/* ELCR bits that exist */
	u8 single;	/* ICW1 SNGL: no ICW3 in this sequence */
};

struct hvmm_pic {
	hvmm_lock_t lock;
	struct hvmm_pic_chip chip[2];
	bool int_out;	/* master INT as last reported to output() */
	struct hvmm_iodev master;
	struct hvmm_iodev slave;
	struct hvmm_iodev elcr;
	void (*output)(void *opaque, int level);
	void (*acked)(void *opaque, u32 irq);
	void *opaque;
};

void hvmm_pic_init(struct hvmm_pic *pic,
		   void (*output)(void *opaque, int level),
		   void (*acked)(void *opaque, u32 irq), void *opaque);
void hvmm_pic_reset(struct hvmm_pic *pic);
void hvmm_pic_set_irq(struct hvmm_pic *pic, u32 irq, int level);
bool hvmm_pic_has_interrupt(struct hvmm_pic *pic);
int hvmm_pic_ack(struct hvmm_pic *pic);
int __must_check hvmm_pic_get_state(struct hvmm_pic *pic, int chip,
				    struct kvm_pic_state *s);
int __must_check hvmm_pic_set_state(struct hvmm_pic *pic, int chip,
				    const struct kvm_pic_state *s);

#endif /* HVMM_DEVICES_I8259_H */
