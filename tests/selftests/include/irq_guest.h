/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A real-mode "command interpreter" guest for the interrupt controller
 * and timer selftests.  The guest sits in a loop: it ends KVM_RUN with
 * OUT 0xf4 (a port no in-kernel device claims, isa-debug-exit style),
 * the host writes one command into guest memory, and the next KVM_RUN
 * executes it: port I/O of any width, a window with RFLAGS.IF=1, PIT
 * latch sampling, polling a port bit.  All 256 IVT entries point at
 * stubs that count and log the vector, optionally read a port (the
 * i8042 data port for IRQ1/IRQ12) and send a non-specific EOI.
 *
 * So the port accesses under test are made by the guest for real (the
 * in-kernel devices see them), and the host only reads the guest's
 * record.  Everything lives below 64 KiB so DS=0 reaches it.
 */
#ifndef HVMM_SELFTESTS_IRQ_GUEST_H
#define HVMM_SELFTESTS_IRQ_GUEST_H

#include <stdint.h>
#include "hvmm_util.h"

#ifndef __packed
#define __packed __attribute__((packed))
#endif

#define IG_EXIT_PORT	0xf4	/* guest asks for its next command */

/* Guest-physical layout (offsets used by the assembly too). */
#define IG_CMD		0x9000	/* struct ig_cmd */
#define IG_RES		0x9010	/* struct ig_res */
#define IG_EOI_MODE	0x9030	/* u8: IG_EOI_* */
#define IG_SLAVE_BASE	0x9031	/* u8: ICW2 of the slave (for EOI) */
/*
 * u32: at this many IRQs a stub masks the master (OCW1 0xff), so a
 * storm cannot starve the guest; 0 = never.
 */
#define IG_NIRQ_LIMIT	0x9034
#define IG_NIRQ		0x9040	/* u32: interrupts taken */
#define IG_FIRST_TSC	0x9048	/* u64: TSC at the first of them */
#define IG_LAST_TSC	0x9050	/* u64: TSC at the last of them */
#define IG_NDATA	0x9058	/* u32: bytes in IG_DATA */
#define IG_LOG		0x9100	/* u8[IG_LOG_MAX]: vectors in order */
#define IG_LOG_MAX	256
#define IG_DATA		0x9200	/* u8[IG_DATA_MAX]: bytes the stubs read */
#define IG_DATA_MAX	512
#define IG_CNT		0x9400	/* u32[256]: interrupts per vector */
#define IG_RDPORT	0x9800	/* u16[256]: port a stub reads, 0 none */
#define IG_SAMPLES	0xa000	/* struct ig_sample[IG_SAMPLES_MAX] */
#define IG_SAMPLES_MAX	1024
#define IG_TSCLOG	0xc000	/* u32[IG_TSCLOG_MAX]: TSC (low) per IRQ */
#define IG_TSCLOG_MAX	1024

#define IG_EOI_NONE	0	/* the stub sends no EOI */
#define IG_EOI_NONSPEC	1	/* non-specific EOI (slave, then master) */

/*
 * Commands (struct ig_cmd fields in @):
 * OUT       out @value (@width bytes) to @port; res.tsc0/tsc1 around it
 * IN        res.result = in @port (@width bytes), EAX zeroed first
 * SPIN_TSC  sti; spin @value TSC cycles; cli
 * PIT_SAMPLE @count times: rdtsc; out @value to 0x43; lo, hi = in
 *           @port; spin until @arg TSC cycles after that rdtsc.
 *           Samples are struct ig_sample.
 * IN_REPEAT @count byte reads of @port, one byte each in the samples
 * WAIT_BIT  with IF=0, read @port until (v & @value) == @arg, at most
 *           @count reads; res.iters = reads left, res.tsc0/tsc1
 * WAIT_IRQS sti; spin until nirq >= @count or @value TSC cycles; cli
 * IN_SWEEP  in @width from @port, @port + 1, ... (@count ports), each
 *           result a u32 in the samples
 * OUT_TABLE @count byte writes from struct ig_out_entry in the samples
 */
enum ig_op {
	IG_OP_OUT = 1,
	IG_OP_IN,
	IG_OP_SPIN_TSC,
	IG_OP_PIT_SAMPLE,
	IG_OP_IN_REPEAT,
	IG_OP_WAIT_BIT,
	IG_OP_WAIT_IRQS,
	IG_OP_IN_SWEEP,
	IG_OP_OUT_TABLE,
};

struct ig_out_entry {
	uint16_t port;
	uint8_t val;
	uint8_t pad;
};

struct ig_cmd {
	uint8_t op;
	uint8_t width;		/* 1, 2 or 4 */
	uint16_t port;
	uint32_t value;
	uint32_t count;
	uint32_t arg;
} __packed;

struct ig_res {
	uint32_t result;
	uint64_t tsc0;		/* rdtsc before the operation */
	uint64_t tsc1;		/* rdtsc after it */
	uint32_t iters;		/* WAIT_BIT: reads left when it matched */
} __packed;

struct ig_sample {
	uint32_t tsc;		/* low half of the TSC before the latch */
	uint16_t count;		/* counter value read back */
	uint16_t pad;
} __packed;

/* Handles an I/O exit the guest did not mean for IG_EXIT_PORT. */
typedef int (*ig_io_fn)(struct test_vcpu *vcpu, void *opaque);

struct ig_vm {
	struct test_vm vm;
	struct test_vcpu vcpu;
	ig_io_fn io_fn;		/* NULL: any other exit is an error */
	void *io_opaque;
	char err[200];
};

/*
 * Create a VM (with KVM_CREATE_IRQCHIP if @irqchip, KVM_CREATE_PIT2 if
 * @pit), one vCPU in real mode running the interpreter, and run it to
 * its first IG_EXIT_PORT exit.  Returns 0 or -errno (err says where).
 */
int ig_create(struct ig_vm *g, int irqchip, int pit);
void ig_destroy(struct ig_vm *g);

/* Run one command; 0 when the guest is back at IG_EXIT_PORT. */
int ig_cmd(struct ig_vm *g, uint8_t op, uint8_t width, uint16_t port,
	   uint32_t value, uint32_t count, uint32_t arg);

static inline int ig_out(struct ig_vm *g, uint16_t port, uint8_t val)
{
	return ig_cmd(g, IG_OP_OUT, 1, port, val, 0, 0);
}

/* Byte IN; returns the byte (0-255) or -errno. */
int ig_inb(struct ig_vm *g, uint16_t port);

/* Pointer into guest memory. */
static inline void *ig_mem(struct ig_vm *g, uint32_t gpa)
{
	return (char *)g->vm.mem + gpa;
}

static inline struct ig_res *ig_res(struct ig_vm *g)
{
	return ig_mem(g, IG_RES);
}

/* Clear the interrupt count, log, data and per-vector counters. */
void ig_clear_log(struct ig_vm *g);

uint32_t ig_nirq(struct ig_vm *g);
uint32_t ig_count(struct ig_vm *g, uint8_t vector);

/* Copy up to @max logged vectors into @out; returns how many. */
unsigned int ig_log(struct ig_vm *g, uint8_t *out, unsigned int max);

void ig_set_rdport(struct ig_vm *g, uint8_t vector, uint16_t port);

/*
 * Linux's init_8259A() sequence (ICW1 0x11, ICW2 @mbase/@sbase, ICW3
 * 4/2, ICW4 @icw4), then OCW1 masks @mmask/@smask.
 */
int ig_pic_init(struct ig_vm *g, uint8_t mbase, uint8_t sbase, uint8_t icw4,
		uint8_t mmask, uint8_t smask);

/* KVM_IRQ_LINE on the VM fd. */
int ig_irq_line(struct ig_vm *g, uint32_t irq, uint32_t level);

/* Raise and lower @irq (an edge for the 8259A's edge-triggered mode). */
int ig_irq_pulse(struct ig_vm *g, uint32_t irq);

/*
 * The guest's TSC rate in kHz: KVM_GET_TSC_KHZ when the device has it,
 * else the host's TSC measured against CLOCK_MONOTONIC (guests run at
 * the host's rate unless TSC scaling is in use).  0 if unknown.
 */
uint64_t ig_tsc_khz(struct ig_vm *g);

/* The interpreter's code and its 256 interrupt stubs (8 bytes each). */
GUEST_CODE_DECLARE(ig);
extern const uint8_t ig_stubs[];

/*
 * Complete the exit the guest is stopped at (KVM_RUN with immediate_exit,
 * Documentation/virt/kvm/api.rst: state is consistent only after the
 * I/O is completed), so that registers and devices can be saved or
 * replaced.  0 or -errno.
 */
int ig_sync(struct ig_vm *g);

/* Does the device report capability @cap (KVM_CHECK_EXTENSION)? */
int ig_has_cap(struct ig_vm *g, long cap);

#endif /* HVMM_SELFTESTS_IRQ_GUEST_H */
