// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_EXIT_IO from guests in real mode, 32-bit protected mode and 64-bit
 * long mode: OUT and IN of 1, 2 and 4 bytes through DX and an imm8 port,
 * and REP OUTSB, all to ports nothing claims, so each must reach the
 * KVM_RUN caller (Documentation/virt/kvm/api.rst, "KVM_EXIT_IO").  The
 * guest echoes every IN result back with a 4-byte OUT, which checks that
 * an IN of N bytes writes exactly the low N bytes of EAX (Intel SDM 2A,
 * "IN"), and the count register after REP OUTSB (SDM 2B, "OUTS").
 * string_io_32 moves more data than one exit carries (REP OUTSB across
 * a page, REP INSW, REP OUTSL with DF=1).  Two VMs then run the
 * real-mode guest at the same time.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"

/* The same port sequence in every mode; SI/CX are the string registers. */
#define PIO_BODY(name, si, cx)						\
	"mov $0x5a, %al\n\t"						\
	"out %al, $0x99\n\t"						\
	"mov $0x5a0, %dx\n\t"						\
	"mov $0x1234, %ax\n\t"						\
	"out %ax, %dx\n\t"						\
	"mov $0xdeadbeef, %eax\n\t"					\
	"out %eax, %dx\n\t"						\
	"mov $0xaabbccdd, %eax\n\t"					\
	"mov $0x5b0, %dx\n\t"						\
	"in %dx, %al\n\t"						\
	"mov $0x5c0, %dx\n\t"						\
	"out %eax, %dx\n\t"						\
	"mov $0x5b2, %dx\n\t"						\
	"in %dx, %ax\n\t"						\
	"mov $0x5c0, %dx\n\t"						\
	"out %eax, %dx\n\t"						\
	"mov $0x5b4, %dx\n\t"						\
	"in %dx, %eax\n\t"						\
	"mov $0x5c0, %dx\n\t"						\
	"out %eax, %dx\n\t"						\
	"in $0x98, %al\n\t"						\
	"out %al, $0x99\n\t"						\
	"mov $(" #name "_msg - " #name "_start + 0x1000), %" si "\n\t"	\
	"mov $5, %" cx "\n\t"						\
	"mov $0x5d0, %dx\n\t"						\
	"cld\n\t"							\
	"rep outsb\n\t"							\
	"mov %ecx, %eax\n\t"						\
	"mov $0x5c0, %dx\n\t"						\
	"out %eax, %dx\n\t"						\
	"hlt\n\t"							\
	#name "_msg: .ascii \"hvmm!\"\n\t"

asm(".pushsection .rodata\n\t"
	".code16\n"
	"pio16_start:\n\t"
	PIO_BODY(pio16, "si", "cx")
	"pio16_end:\n\t"
	".code32\n"
	"pio32_start:\n\t"
	PIO_BODY(pio32, "esi", "ecx")
	"pio32_end:\n\t"
	".code64\n"
	"pio64_start:\n\t"
	PIO_BODY(pio64, "esi", "ecx")
	"pio64_end:\n\t"
	".popsection");
GUEST_CODE_DECLARE(pio16);
GUEST_CODE_DECLARE(pio32);
GUEST_CODE_DECLARE(pio64);

struct pio_exit {
	uint8_t dir;
	uint8_t size;
	uint16_t port;
	uint32_t val;	/* OUT: expected data; IN: what we answer */
};

static const struct pio_exit expected[] = {
	{ KVM_EXIT_IO_OUT, 1, 0x99, 0x5a },
	{ KVM_EXIT_IO_OUT, 2, 0x5a0, 0x1234 },
	{ KVM_EXIT_IO_OUT, 4, 0x5a0, 0xdeadbeef },
	{ KVM_EXIT_IO_IN, 1, 0x5b0, 0x77 },
	{ KVM_EXIT_IO_OUT, 4, 0x5c0, 0xaabbcc77 },
	{ KVM_EXIT_IO_IN, 2, 0x5b2, 0xbeef },
	{ KVM_EXIT_IO_OUT, 4, 0x5c0, 0xaabbbeef },
	{ KVM_EXIT_IO_IN, 4, 0x5b4, 0x01020304 },
	{ KVM_EXIT_IO_OUT, 4, 0x5c0, 0x01020304 },
	{ KVM_EXIT_IO_IN, 1, 0x98, 0x11 },
	{ KVM_EXIT_IO_OUT, 1, 0x99, 0x11 },
	/* then REP OUTSB of "hvmm!" to 0x5d0, then ECX (0) to 0x5c0, HLT */
};

/* After REP OUTSB the guest echoes ECX, which must have counted to 0. */
static const struct pio_exit ecx_echo = { KVM_EXIT_IO_OUT, 4, 0x5c0, 0 };

struct pio_state {
	unsigned int step;	/* index into expected[], then the tail */
	char str[8];
	unsigned int str_len;
	int done;
	char err[160];
};

/* Handle one exit; 0 to run again, 1 when the guest halted, -1 on error. */
static int pio_exit_step(struct test_vcpu *vcpu, struct pio_state *st)
{
	struct kvm_run *run = vcpu->run;
	const struct pio_exit *e;
	uint32_t v = 0;
	unsigned int n = ARRAY_SIZE(expected);

	if (st->step == n + 2) {
		if (run->exit_reason == KVM_EXIT_HLT)
			return 1;
		snprintf(st->err, sizeof(st->err), "want HLT, got exit %u (%s)",
			 run->exit_reason, exit_name(run->exit_reason));
		return -1;
	}
	if (run->exit_reason != KVM_EXIT_IO) {
		snprintf(st->err, sizeof(st->err),
			 "step %u: want KVM_EXIT_IO, got %u (%s)", st->step,
			 run->exit_reason, exit_name(run->exit_reason));
		return -1;
	}
	if (run->io.data_offset < sizeof(*run) ||
	    run->io.data_offset + (uint64_t)run->io.size * run->io.count >
	    vcpu->run_size) {
		snprintf(st->err, sizeof(st->err),
			 "step %u: data_offset %llu size %u count %u outside the %zu-byte run area",
			 st->step, (unsigned long long)run->io.data_offset,
			 run->io.size, run->io.count, vcpu->run_size);
		return -1;
	}
	if (st->step == n) {
		/* REP OUTSB: any split into exits is fine, the bytes are not. */
		if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 1 ||
		    run->io.port != 0x5d0 || run->io.count < 1 ||
		    st->str_len + run->io.count > 5) {
			snprintf(st->err, sizeof(st->err),
				 "rep outsb: dir %u size %u port %#x count %u after %u bytes",
				 run->io.direction, run->io.size, run->io.port,
				 run->io.count, st->str_len);
			return -1;
		}
		memcpy(st->str + st->str_len, io_data(vcpu), run->io.count);
		st->str_len += run->io.count;
		if (st->str_len == 5) {
			if (memcmp(st->str, "hvmm!", 5)) {
				snprintf(st->err, sizeof(st->err),
					 "rep outsb wrote \"%.5s\"", st->str);
				return -1;
			}
			st->step++;
		}
		return 0;
	}
	e = st->step == n + 1 ? &ecx_echo : &expected[st->step];
	if (run->io.direction != e->dir || run->io.size != e->size ||
	    run->io.port != e->port || run->io.count != 1) {
		snprintf(st->err, sizeof(st->err),
			 "step %u: got dir %u size %u port %#x count %u, want dir %u size %u port %#x count 1",
			 st->step, run->io.direction, run->io.size,
			 run->io.port, run->io.count, e->dir, e->size, e->port);
		return -1;
	}
	if (e->dir == KVM_EXIT_IO_IN) {
		memcpy(io_data(vcpu), &e->val, e->size);
	} else {
		memcpy(&v, io_data(vcpu), e->size);
		if (v != e->val) {
			snprintf(st->err, sizeof(st->err),
				 "step %u: port %#x got %#x, want %#x",
				 st->step, e->port, v, e->val);
			return -1;
		}
	}
	st->step++;
	return 0;
}

static int run_to_end(struct test_vcpu *vcpu, struct pio_state *st)
{
	int r, guard;

	for (guard = 0; guard < 100; guard++) {
		r = vcpu_run(vcpu);
		if (r) {
			snprintf(st->err, sizeof(st->err), "KVM_RUN: %s",
				 strerror(-r));
			return -1;
		}
		r = pio_exit_step(vcpu, st);
		if (r)
			return r;
	}
	snprintf(st->err, sizeof(st->err), "guest did not halt in 100 exits");
	return -1;
}

static void pio_mode(struct __test_metadata *_metadata, enum guest_mode mode,
		     const uint8_t *code, size_t len)
{
	struct pio_state st = { 0 };
	struct test_vcpu vcpu;
	struct test_vm vm;
	struct kvm_regs regs;

	ASSERT_EQ(0, vm_create(&vm));
	ASSERT_EQ(0, vcpu_create(&vm, &vcpu, 0));
	ASSERT_EQ(0, vcpu_setup(&vm, &vcpu, mode, code, len));
	EXPECT_EQ(1, run_to_end(&vcpu, &st)) {
		TH_LOG("%s", st.err);
	}
	/* RIP is just past the HLT (SDM 3C 25.5.2 / KVM_EXIT_HLT). */
	ASSERT_EQ(0, ioctl(vcpu.fd, KVM_GET_REGS, &regs));
	EXPECT_EQ(GUEST_CODE + len - 5, regs.rip);
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
}

TEST(real_mode)
{
	pio_mode(_metadata, GUEST_REAL, pio16_start, GUEST_SIZE(pio16));
}

TEST(protected_mode_32)
{
	pio_mode(_metadata, GUEST_PROT32, pio32_start, GUEST_SIZE(pio32));
}

TEST(long_mode_64)
{
	pio_mode(_metadata, GUEST_LONG64, pio64_start, GUEST_SIZE(pio64));
}

/*
 * String I/O beyond one exit's worth: REP OUTSB across a page boundary,
 * REP INSW into memory, and REP OUTSL with DF=1 (descending addresses,
 * SDM 2B "OUTS": "(E)SI is decremented").  Data regions are filled and
 * checked by the host.
 */
asm(".pushsection .rodata\n\t"
	".code32\n"
	"str32_start:\n\t"
	"cld\n\t"
	"mov $0x20f00, %esi\n\t"
	"mov $4400, %ecx\n\t"
	"mov $0x5d4, %dx\n\t"
	"rep outsb\n\t"
	"mov $0x30000, %edi\n\t"
	"mov $1000, %ecx\n\t"
	"mov $0x5d6, %dx\n\t"
	"rep insw\n\t"
	"std\n\t"
	"mov $(0x40000 + 4 * 99), %esi\n\t"
	"mov $100, %ecx\n\t"
	"mov $0x5d8, %dx\n\t"
	"rep outsl\n\t"
	"cld\n\t"
	"hlt\n"
	"str32_end:\n\t"
	".code64\n\t"
	".popsection");
GUEST_CODE_DECLARE(str32);

#define STR_OUTSB_LEN	4400
#define STR_INSW_LEN	1000
#define STR_OUTSL_LEN	100

TEST(string_io_32)
{
	uint8_t outsb[STR_OUTSB_LEN];
	uint32_t outsl[STR_OUTSL_LEN], *src32;
	unsigned int nb = 0, nw = 0, nl = 0, i, exits = 0;
	struct test_vcpu vcpu;
	struct test_vm vm;
	struct kvm_run *run;
	uint16_t *dst16;
	uint8_t *mem;

	ASSERT_EQ(0, vm_create(&vm));
	ASSERT_EQ(0, vcpu_create(&vm, &vcpu, 0));
	ASSERT_EQ(0, vcpu_setup(&vm, &vcpu, GUEST_PROT32, str32_start,
				GUEST_SIZE(str32)));
	mem = vm.mem;
	for (i = 0; i < STR_OUTSB_LEN; i++)
		mem[0x20f00 + i] = (uint8_t)(i * 13 + 1);
	src32 = (uint32_t *)(mem + 0x40000);
	for (i = 0; i < STR_OUTSL_LEN; i++)
		src32[i] = 0xc0de0000 + i;
	run = vcpu.run;
	for (;;) {
		ASSERT_GT(20000, ++exits);
		ASSERT_EQ(0, vcpu_run(&vcpu));
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		ASSERT_EQ(KVM_EXIT_IO, run->exit_reason) {
			TH_LOG("exit %s", exit_name(run->exit_reason));
		}
		ASSERT_LT(0, run->io.count);
		ASSERT_GE(vcpu.run_size, run->io.data_offset +
			  (uint64_t)run->io.size * run->io.count);
		switch (run->io.port) {
		case 0x5d4:
			ASSERT_EQ(KVM_EXIT_IO_OUT, run->io.direction);
			ASSERT_EQ(1, run->io.size);
			ASSERT_GE(STR_OUTSB_LEN, nb + run->io.count);
			memcpy(outsb + nb, io_data(&vcpu), run->io.count);
			nb += run->io.count;
			break;
		case 0x5d6:
			ASSERT_EQ(KVM_EXIT_IO_IN, run->io.direction);
			ASSERT_EQ(2, run->io.size);
			ASSERT_GE(STR_INSW_LEN, nw + run->io.count);
			for (i = 0; i < run->io.count; i++) {
				uint16_t w = 0x4000 + nw + i;

				memcpy(io_data(&vcpu) + 2 * i, &w, 2);
			}
			nw += run->io.count;
			break;
		case 0x5d8:
			ASSERT_EQ(KVM_EXIT_IO_OUT, run->io.direction);
			ASSERT_EQ(4, run->io.size);
			ASSERT_GE(STR_OUTSL_LEN, nl + run->io.count);
			memcpy(outsl + nl, io_data(&vcpu), 4 * run->io.count);
			nl += run->io.count;
			break;
		default:
			ASSERT_EQ(0, run->io.port);
		}
	}
	ASSERT_EQ(STR_OUTSB_LEN, nb);
	for (i = 0; i < STR_OUTSB_LEN; i++)
		if (outsb[i] != (uint8_t)(i * 13 + 1))
			break;
	EXPECT_EQ(STR_OUTSB_LEN, i);
	ASSERT_EQ(STR_INSW_LEN, nw);
	dst16 = (uint16_t *)(mem + 0x30000);
	for (i = 0; i < STR_INSW_LEN; i++)
		if (dst16[i] != 0x4000 + i)
			break;
	EXPECT_EQ(STR_INSW_LEN, i) {
		TH_LOG("word %u in guest memory is %#x", i, dst16[i]);
	}
	/* Descending: the last dword first. */
	ASSERT_EQ(STR_OUTSL_LEN, nl);
	for (i = 0; i < STR_OUTSL_LEN; i++)
		if (outsl[i] != 0xc0de0000 + STR_OUTSL_LEN - 1 - i)
			break;
	EXPECT_EQ(STR_OUTSL_LEN, i) {
		TH_LOG("element %u is %#x", i, outsl[i]);
	}
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
}

struct vm_thread {
	struct test_vm vm;
	struct test_vcpu vcpu;
	struct pio_state st;
	int result;
};

static void *vm_thread_fn(void *arg)
{
	struct vm_thread *t = arg;
	int i;

	/* Many rounds, so both VMs are inside KVM_RUN together. */
	for (i = 0; i < 50; i++) {
		memset(&t->st, 0, sizeof(t->st));
		if (vcpu_setup(&t->vm, &t->vcpu, GUEST_REAL, pio16_start,
			       GUEST_SIZE(pio16))) {
			t->result = -1;
			snprintf(t->st.err, sizeof(t->st.err), "vcpu_setup");
			return NULL;
		}
		t->result = run_to_end(&t->vcpu, &t->st);
		if (t->result != 1)
			return NULL;
	}
	return NULL;
}

TEST(two_vms_at_once)
{
	struct vm_thread t[2];
	pthread_t th[2];
	int i;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, vm_create(&t[i].vm));
		ASSERT_EQ(0, vcpu_create(&t[i].vm, &t[i].vcpu, 0));
	}
	/* Braces: the harness' ASSERT is more than one statement. */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_create(&th[i], NULL, vm_thread_fn, &t[i]));
	}
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(1, t[i].result) {
			TH_LOG("VM %d: %s", i, t[i].st.err);
		}
		vcpu_destroy(&t[i].vcpu);
		vm_destroy(&t[i].vm);
	}
}

int main(int argc, char **argv)
{
	require_vm("pio_test");
	return test_harness_run(argc, argv);
}
