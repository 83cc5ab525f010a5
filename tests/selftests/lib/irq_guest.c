// SPDX-License-Identifier: GPL-2.0
/*
 * The real-mode command interpreter guest of include/irq_guest.h and
 * its host side.  Real mode keeps the guest small: the IVT is an array
 * of segment:offset pairs at address 0 (Intel SDM 3A 20.1.4), so every
 * vector can point at its own 8-byte stub without a GDT or IDT.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <x86intrin.h>

#include "irq_guest.h"

#define S_(x) #x
#define S(x) S_(x)

/* Dispatch on the command byte; each op ends with a jump to ig_loop. */
asm(".pushsection .rodata\n\t"
	".code16\n"
	"ig_start:\n\t"
	"cli\n\t"
	"xor %ax, %ax\n\t"
	"mov %ax, %ds\n\t"
	"mov %ax, %es\n\t"
	"mov %ax, %ss\n\t"
	"mov $0x8000, %sp\n"
	"ig_loop:\n\t"
	"cli\n\t"
	"xor %al, %al\n\t"
	"out %al, $" S(IG_EXIT_PORT) "\n\t"
	"movb " S(IG_CMD) ", %bl\n\t"
	"movw " S(IG_CMD) "+2, %dx\n\t"
	"movb " S(IG_CMD) "+1, %cl\n\t"
	"cmp $1, %bl\n\t"
	"je ig_op_out\n\t"
	"cmp $2, %bl\n\t"
	"je ig_op_in\n\t"
	"cmp $3, %bl\n\t"
	"je ig_op_spin\n\t"
	"cmp $4, %bl\n\t"
	"je ig_op_pit\n\t"
	"cmp $5, %bl\n\t"
	"je ig_op_inrep\n\t"
	"cmp $6, %bl\n\t"
	"je ig_op_waitbit\n\t"
	"cmp $7, %bl\n\t"
	"je ig_op_waitirq\n\t"
	"cmp $8, %bl\n\t"
	"je ig_op_sweep\n\t"
	"cmp $9, %bl\n\t"
	"je ig_op_outtab\n\t"
	"jmp ig_loop\n"
	/* OUT of 1, 2 or 4 bytes */
	"ig_op_out:\n\t"
	"call ig_tsc0\n\t"
	"movw " S(IG_CMD) "+2, %dx\n\t"
	"movl " S(IG_CMD) "+4, %eax\n\t"
	"cmp $1, %cl\n\t"
	"jne 1f\n\t"
	"out %al, %dx\n\t"
	"jmp 3f\n"
	"1:\n\t"
	"cmp $2, %cl\n\t"
	"jne 2f\n\t"
	"out %ax, %dx\n\t"
	"jmp 3f\n"
	"2:\n\t"
	"out %eax, %dx\n"
	"3:\n\t"
	"call ig_tsc1\n\t"
	"jmp ig_loop\n"
	/* IN of 1, 2 or 4 bytes into a zeroed EAX */
	"ig_op_in:\n\t"
	"call ig_in\n\t"
	"movl %eax, " S(IG_RES) "\n\t"
	"jmp ig_loop\n"
	"ig_in:\n\t"
	"xor %eax, %eax\n\t"
	"cmp $1, %cl\n\t"
	"jne 1f\n\t"
	"in %dx, %al\n\t"
	"ret\n"
	"1:\n\t"
	"cmp $2, %cl\n\t"
	"jne 2f\n\t"
	"in %dx, %ax\n\t"
	"ret\n"
	"2:\n\t"
	"in %dx, %eax\n\t"
	"ret\n"
	/* sti; spin until value TSC cycles passed; cli */
	"ig_op_spin:\n\t"
	"call ig_tsc0\n\t"
	"sti\n"
	"1:\n\t"
	"rdtsc\n\t"
	"sub %esi, %eax\n\t"
	"cmpl " S(IG_CMD) "+4, %eax\n\t"
	"jb 1b\n\t"
	"cli\n\t"
	"call ig_tsc1\n\t"
	"jmp ig_loop\n"
	"ig_tsc0:\n\t"
	"rdtsc\n\t"
	"movl %eax, " S(IG_RES) "+4\n\t"
	"movl %edx, " S(IG_RES) "+8\n\t"
	"mov %eax, %esi\n\t"
	"ret\n"
	"ig_tsc1:\n\t"
	"rdtsc\n\t"
	"movl %eax, " S(IG_RES) "+12\n\t"
	"movl %edx, " S(IG_RES) "+16\n\t"
	"ret\n"
	/* count x { rdtsc; latch command value to 0x43; lo, hi from dx } */
	"ig_op_pit:\n\t"
	"movl " S(IG_CMD) "+8, %ecx\n\t"
	"mov $" S(IG_SAMPLES) ", %di\n"
	"1:\n\t"
	"test %ecx, %ecx\n\t"
	"jz ig_loop\n\t"
	"rdtsc\n\t"
	"movl %eax, (%di)\n\t"
	"movw " S(IG_CMD) "+2, %dx\n\t"
	"movb " S(IG_CMD) "+4, %al\n\t"
	"out %al, $0x43\n\t"
	"in %dx, %al\n\t"
	"mov %al, %bl\n\t"
	"in %dx, %al\n\t"
	"mov %al, %bh\n\t"
	"mov %bx, 4(%di)\n\t"
	"add $8, %di\n\t"
	"movl -8(%di), %esi\n"
	"2:\n\t"
	"rdtsc\n\t"
	"sub %esi, %eax\n\t"
	"cmpl " S(IG_CMD) "+12, %eax\n\t"
	"jb 2b\n\t"
	"dec %ecx\n\t"
	"jmp 1b\n"
	/* count byte reads of one port into the sample area */
	"ig_op_inrep:\n\t"
	"movl " S(IG_CMD) "+8, %ecx\n\t"
	"mov $" S(IG_SAMPLES) ", %di\n"
	"1:\n\t"
	"test %ecx, %ecx\n\t"
	"jz ig_loop\n\t"
	"in %dx, %al\n\t"
	"mov %al, (%di)\n\t"
	"inc %di\n\t"
	"dec %ecx\n\t"
	"jmp 1b\n"
	/* poll until (in & mask) == want, at most count reads */
	"ig_op_waitbit:\n\t"
	"call ig_tsc0\n\t"
	"movw " S(IG_CMD) "+2, %dx\n\t"
	"movb " S(IG_CMD) "+4, %bl\n\t"
	"movb " S(IG_CMD) "+12, %bh\n\t"
	"movl " S(IG_CMD) "+8, %ecx\n"
	"1:\n\t"
	"test %ecx, %ecx\n\t"
	"jz 2f\n\t"
	"in %dx, %al\n\t"
	"and %bl, %al\n\t"
	"cmp %bh, %al\n\t"
	"je 2f\n\t"
	"dec %ecx\n\t"
	"jmp 1b\n"
	"2:\n\t"
	"movl %ecx, " S(IG_RES) "+20\n\t"
	"call ig_tsc1\n\t"
	"jmp ig_loop\n"
	/* sti; spin until nirq >= count or value TSC cycles passed; cli */
	"ig_op_waitirq:\n\t"
	"call ig_tsc0\n\t"
	"sti\n"
	"1:\n\t"
	"movl " S(IG_NIRQ) ", %eax\n\t"
	"cmpl " S(IG_CMD) "+8, %eax\n\t"
	"jae 2f\n\t"
	"rdtsc\n\t"
	"sub %esi, %eax\n\t"
	"cmpl " S(IG_CMD) "+4, %eax\n\t"
	"jb 1b\n"
	"2:\n\t"
	"cli\n\t"
	"call ig_tsc1\n\t"
	"jmp ig_loop\n"
	/* IN of width from count consecutive ports, as u32 samples */
	"ig_op_sweep:\n\t"
	"movl " S(IG_CMD) "+8, %ebp\n\t"
	"mov $" S(IG_SAMPLES) ", %di\n"
	"1:\n\t"
	"test %ebp, %ebp\n\t"
	"jz ig_loop\n\t"
	"call ig_in\n\t"
	"movl %eax, (%di)\n\t"
	"add $4, %di\n\t"
	"inc %dx\n\t"
	"dec %ebp\n\t"
	"jmp 1b\n"
	/* count byte writes from a table of { u16 port, u8 val, u8 pad } */
	"ig_op_outtab:\n\t"
	"movl " S(IG_CMD) "+8, %ecx\n\t"
	"mov $" S(IG_SAMPLES) ", %si\n"
	"1:\n\t"
	"test %ecx, %ecx\n\t"
	"jz ig_loop\n\t"
	"mov (%si), %dx\n\t"
	"mov 2(%si), %al\n\t"
	"out %al, %dx\n\t"
	"add $4, %si\n\t"
	"dec %ecx\n\t"
	"jmp 1b\n"
	/*
	 * Interrupt stubs, 8 bytes each: pushal; mov $vector, %al;
	 * jmp ig_common (rel16); nop.
	 */
	"ig_stubs:\n\t"
	".set ig_v, 0\n\t"
	".rept 256\n\t"
	".byte 0x66, 0x60, 0xb0, ig_v, 0xe9\n\t"
	".word ig_common - (. + 2)\n\t"
	".byte 0x90\n\t"
	".set ig_v, ig_v + 1\n\t"
	".endr\n"
	"ig_common:\n\t"
	"movzbw %al, %bx\n\t"
	"mov %bx, %si\n\t"
	"shl $2, %si\n\t"
	"incl " S(IG_CNT) "(%si)\n\t"
	"movw " S(IG_NIRQ) ", %di\n\t"
	"cmpl $" S(IG_LOG_MAX) ", " S(IG_NIRQ) "\n\t"
	"jae 1f\n\t"
	"mov %al, " S(IG_LOG) "(%di)\n"
	"1:\n\t"
	"incl " S(IG_NIRQ) "\n\t"
	"movl " S(IG_NIRQ_LIMIT) ", %ecx\n\t"
	"test %ecx, %ecx\n\t"
	"jz 7f\n\t"
	"cmpl %ecx, " S(IG_NIRQ) "\n\t"
	"jb 7f\n\t"
	"mov $0xff, %al\n\t"
	"out %al, $0x21\n"
	"7:\n\t"
	"rdtsc\n\t"
	"cmpl $1, " S(IG_NIRQ) "\n\t"
	"jne 2f\n\t"
	"movl %eax, " S(IG_FIRST_TSC) "\n\t"
	"movl %edx, " S(IG_FIRST_TSC) "+4\n"
	"2:\n\t"
	"movl " S(IG_NIRQ) ", %ecx\n\t"
	"cmpl $" S(IG_TSCLOG_MAX) ", %ecx\n\t"
	"ja 8f\n\t"
	"shl $2, %cx\n\t"
	"mov %cx, %si\n\t"
	"movl %eax, " S(IG_TSCLOG) "-4(%si)\n"
	"8:\n\t"
	"movl %eax, " S(IG_LAST_TSC) "\n\t"
	"movl %edx, " S(IG_LAST_TSC) "+4\n\t"
	"mov %bx, %si\n\t"
	"shl $1, %si\n\t"
	"movw " S(IG_RDPORT) "(%si), %dx\n\t"
	"test %dx, %dx\n\t"
	"jz 3f\n\t"
	"in %dx, %al\n\t"
	"movw " S(IG_NDATA) ", %di\n\t"
	"cmpl $" S(IG_DATA_MAX) ", " S(IG_NDATA) "\n\t"
	"jae 4f\n\t"
	"mov %al, " S(IG_DATA) "(%di)\n"
	"4:\n\t"
	"incl " S(IG_NDATA) "\n"
	"3:\n\t"
	"cmpb $" S(IG_EOI_NONSPEC) ", " S(IG_EOI_MODE) "\n\t"
	"jne 5f\n\t"
	"mov %bl, %al\n\t"
	"subb " S(IG_SLAVE_BASE) ", %al\n\t"
	"cmp $8, %al\n\t"
	"jae 6f\n\t"
	"mov $0x20, %al\n\t"
	"out %al, $0xa0\n"
	"6:\n\t"
	"mov $0x20, %al\n\t"
	"out %al, $0x20\n"
	"5:\n\t"
	"popal\n\t"
	"iret\n"
	"ig_end:\n\t"
	".code64\n\t"
	".popsection");

static int ig_fail(struct ig_vm *g, int err, const char *what)
{
	snprintf(g->err, sizeof(g->err), "%s: %s", what, strerror(-err));
	return err;
}

/* Run until the guest's next OUT to IG_EXIT_PORT. */
static int ig_run(struct ig_vm *g)
{
	struct kvm_run *run = g->vcpu.run;
	struct kvm_regs regs = { 0 };
	unsigned int n;
	int err;

	for (n = 0; n < 1000000; n++) {
		err = vcpu_run(&g->vcpu);
		if (err == -EINTR)
			continue;
		if (err)
			return ig_fail(g, err, "KVM_RUN");
		if (run->exit_reason == KVM_EXIT_INTR)
			continue;
		if (run->exit_reason != KVM_EXIT_IO) {
			ioctl(g->vcpu.fd, KVM_GET_REGS, &regs);
			snprintf(g->err, sizeof(g->err),
				 "unexpected exit %u (%s) at rip %#llx",
				 run->exit_reason,
				 exit_name(run->exit_reason),
				 (unsigned long long)regs.rip);
			return -EPROTO;
		}
		if (run->io.direction == KVM_EXIT_IO_OUT &&
		    run->io.port == IG_EXIT_PORT && run->io.size == 1 &&
		    run->io.count == 1)
			return 0;
		if (!g->io_fn) {
			snprintf(g->err, sizeof(g->err),
				 "unexpected KVM_EXIT_IO %s port %#x size %u",
				 run->io.direction ? "out" : "in",
				 run->io.port, run->io.size);
			return -EPROTO;
		}
		err = g->io_fn(&g->vcpu, g->io_opaque);
		if (err)
			return ig_fail(g, err, "I/O exit handler");
	}
	snprintf(g->err, sizeof(g->err), "guest never came back");
	return -ETIME;
}

int ig_create(struct ig_vm *g, int irqchip, int pit)
{
	/* as QEMU: port 0x61 in the kernel too */
	struct kvm_pit_config pc = { .flags = KVM_PIT_SPEAKER_DUMMY };
	uint16_t *ivt;
	uint32_t stub;
	int err, v;

	memset(g, 0, sizeof(*g));
	g->vcpu.fd = -1;
	err = vm_create(&g->vm);
	if (err)
		return ig_fail(g, err, "vm_create");
	if (irqchip && ioctl(g->vm.vm_fd, KVM_CREATE_IRQCHIP, 0))
		return ig_fail(g, -errno, "KVM_CREATE_IRQCHIP");
	if (pit && ioctl(g->vm.vm_fd, KVM_CREATE_PIT2, &pc))
		return ig_fail(g, -errno, "KVM_CREATE_PIT2");
	err = vcpu_create(&g->vm, &g->vcpu, 0);
	if (err)
		return ig_fail(g, err, "vcpu_create");
	err = vcpu_setup(&g->vm, &g->vcpu, GUEST_REAL, ig_start,
			 GUEST_SIZE(ig));
	if (err)
		return ig_fail(g, err, "vcpu_setup");
	/* IVT: vector v -> 0000:stub(v) (Intel SDM 3A 20.1.4) */
	ivt = ig_mem(g, 0);
	stub = GUEST_CODE + (uint32_t)(ig_stubs - ig_start);
	for (v = 0; v < 256; v++) {
		ivt[2 * v] = stub + 8 * v;
		ivt[2 * v + 1] = 0;
	}
	*(uint8_t *)ig_mem(g, IG_SLAVE_BASE) = 0x28;
	return ig_run(g);
}

void ig_destroy(struct ig_vm *g)
{
	if (g->vcpu.fd >= 0 || g->vcpu.run)
		vcpu_destroy(&g->vcpu);
	vm_destroy(&g->vm);
}

int ig_cmd(struct ig_vm *g, uint8_t op, uint8_t width, uint16_t port,
	   uint32_t value, uint32_t count, uint32_t arg)
{
	struct ig_cmd c = {
		.op = op, .width = width, .port = port,
		.value = value, .count = count, .arg = arg,
	};

	if ((op == IG_OP_PIT_SAMPLE && count > IG_SAMPLES_MAX) ||
	    (op == IG_OP_IN_REPEAT && count > IG_SAMPLES_MAX * 8) ||
	    (op == IG_OP_IN_SWEEP && count > IG_SAMPLES_MAX * 2) ||
	    (op == IG_OP_OUT_TABLE && count > IG_SAMPLES_MAX * 2))
		return ig_fail(g, -E2BIG, "ig_cmd");
	memcpy(ig_mem(g, IG_CMD), &c, sizeof(c));
	memset(ig_mem(g, IG_RES), 0, sizeof(struct ig_res));
	return ig_run(g);
}

int ig_inb(struct ig_vm *g, uint16_t port)
{
	int err = ig_cmd(g, IG_OP_IN, 1, port, 0, 0, 0);

	return err ? err : (int)(ig_res(g)->result & 0xff);
}

void ig_clear_log(struct ig_vm *g)
{
	memset(ig_mem(g, IG_NIRQ), 0, IG_LOG - IG_NIRQ + IG_LOG_MAX);
	memset(ig_mem(g, IG_DATA), 0, IG_DATA_MAX);
	memset(ig_mem(g, IG_CNT), 0, 256 * 4);
	memset(ig_mem(g, IG_TSCLOG), 0, IG_TSCLOG_MAX * 4);
}

uint32_t ig_nirq(struct ig_vm *g)
{
	return *(uint32_t *)ig_mem(g, IG_NIRQ);
}

uint32_t ig_count(struct ig_vm *g, uint8_t vector)
{
	return ((uint32_t *)ig_mem(g, IG_CNT))[vector];
}

unsigned int ig_log(struct ig_vm *g, uint8_t *out, unsigned int max)
{
	unsigned int n = ig_nirq(g);

	if (n > IG_LOG_MAX)
		n = IG_LOG_MAX;
	if (n > max)
		n = max;
	memcpy(out, ig_mem(g, IG_LOG), n);
	return n;
}

void ig_set_rdport(struct ig_vm *g, uint8_t vector, uint16_t port)
{
	((uint16_t *)ig_mem(g, IG_RDPORT))[vector] = port;
}

int ig_pic_init(struct ig_vm *g, uint8_t mbase, uint8_t sbase, uint8_t icw4,
		uint8_t mmask, uint8_t smask)
{
	/* Intel 8259A datasheet, "Initialization Command Words" */
	static const uint16_t ports[] = {
		0x20, 0x21, 0x21, 0x21, 0xa0, 0xa1, 0xa1, 0xa1, 0x21, 0xa1,
	};
	uint8_t vals[] = {
		0x11, mbase, 0x04, icw4, 0x11, sbase, 0x02, icw4, mmask, smask,
	};
	unsigned int i;
	int err;

	*(uint8_t *)ig_mem(g, IG_SLAVE_BASE) = sbase;
	for (i = 0; i < sizeof(vals); i++) {
		err = ig_out(g, ports[i], vals[i]);
		if (err)
			return err;
	}
	return 0;
}

int ig_irq_line(struct ig_vm *g, uint32_t irq, uint32_t level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };

	if (ioctl(g->vm.vm_fd, KVM_IRQ_LINE, &l))
		return ig_fail(g, -errno, "KVM_IRQ_LINE");
	return 0;
}

int ig_irq_pulse(struct ig_vm *g, uint32_t irq)
{
	int err = ig_irq_line(g, irq, 1);

	return err ? err : ig_irq_line(g, irq, 0);
}

static uint64_t ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t ig_tsc_khz(struct ig_vm *g)
{
	uint64_t t0, t1, c0, c1;
	int khz;

	if (ig_has_cap(g, KVM_CAP_GET_TSC_KHZ)) {
		khz = ioctl(g->vcpu.fd, KVM_GET_TSC_KHZ, 0);
		if (khz > 0)
			return khz;
	}
	/* 50 ms of host time: within 0.1% even with a slow clock read. */
	t0 = ns_now();
	c0 = __rdtsc();
	do {
		t1 = ns_now();
	} while (t1 - t0 < 50000000ull);
	c1 = __rdtsc();
	if (c1 <= c0)
		return 0;
	return (c1 - c0) * 1000000ull / (t1 - t0);
}

int ig_has_cap(struct ig_vm *g, long cap)
{
	int r = ioctl(g->vm.sys_fd, KVM_CHECK_EXTENSION, cap);

	return r > 0 ? r : 0;
}

int ig_sync(struct ig_vm *g)
{
	int err;

	g->vcpu.run->immediate_exit = 1;
	err = vcpu_run(&g->vcpu);
	g->vcpu.run->immediate_exit = 0;
	if (err != -EINTR)
		return ig_fail(g, err ? err : -EPROTO,
			       "KVM_RUN with immediate_exit");
	return 0;
}
