// SPDX-License-Identifier: GPL-2.0
/*
 * What a busy host does to a hypervisor, that no other test does:
 *  - memory slots deleted and moved, many times, while another thread's
 *    vCPU is inside KVM_RUN touching them (api.rst: a slot may change
 *    while vCPUs run; accesses see the old or the new layout, never
 *    freed memory);
 *  - a process killed (SIGKILL) while two vCPUs of its VM are in guest
 *    mode, proven by counters the guests advance;
 *  - two VMs with in-kernel PICs, PITs and (hvmm) i8042s at once: each
 *    one's interrupts and keys stay its own (8259A: a VM's IRQ lines reach
 *    only its own PIC), torn down in either order;
 *  - a host CPU taken offline and back while a vCPU runs;
 *  - several VMs with the PIT at its fastest: the host's interrupt rate
 *    stays bounded (the timer floor), and the figure is printed;
 *  - hvmm only, with $HVMM_MODULE naming hvmm.ko: the module unloads
 *    right after the last VM, whose PIT ran at its floor, is closed.
 * The pass condition of each is also a clean console (no splat) and, for
 * hvmm, nothing left behind that keeps the module from unloading.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/input-event-codes.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"
#include "irq_guest.h"
#include "../../../include/uapi/linux/hvmm.h"

#define SLOT_GPA	0x100000	/* slot 1, one page */
#define SLOT_GPA_MOVED	0x200000
#define PIT_MODE2_LH	0x34	/* counter 0, LSB then MSB, mode 2 */
#define COUNT_GPA	0xe000	/* the counters of count16: 16-bit BX */

asm(".pushsection .rodata\n\t"
	/* Read-increment-write of the slot-1 page, forever (32-bit). */
	".code32\n"
	"churn32_start:\n\t"
	"sti\n"
	"1: mov 0x100000, %eax\n\t"
	"inc %eax\n\t"
	"mov %eax, 0x100000\n\t"
	"jmp 1b\n"
	"churn32_end:\n\t"
	/* Count in the word at BX, forever, IF=1 (design.md). */
	".code16\n"
	"count16_start:\n\t"
	"sti\n"
	"1: incl (%bx)\n\t"
	"jmp 1b\n"
	"count16_end:\n\t"
	".code64\n\t"
	".popsection");
GUEST_CODE_DECLARE(churn32);
GUEST_CODE_DECLARE(count16);

static void on_usr1(int sig)
{
}

static void catch_usr1(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };

	sigaction(SIGUSR1, &sa, NULL);
}

struct runner {
	struct test_vcpu *vcpu;
	int stop;		/* __atomic */
	long mmio, other;
	int err;
};

/* KVM_RUN until told to stop; MMIO exits (slot gone) just continue. */
static void *run_until_stopped(void *arg)
{
	struct runner *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		if (vcpu_run(r->vcpu)) {
			if (errno != EINTR)
				r->err = errno;
			continue;
		}
		if (r->vcpu->run->exit_reason == KVM_EXIT_MMIO)
			r->mmio++;
		else
			r->other++;
	}
	return NULL;
}

static void stop_runner(struct runner *r, pthread_t t)
{
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	while (pthread_tryjoin_np(t, NULL)) {
		pthread_kill(t, SIGUSR1);
		usleep(1000);
	}
}

static int set_slot(int vm_fd, uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region m = {
		.slot = 1, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &m) ? -errno : 0;
}

TEST(memslot_delete_and_move_under_a_running_vcpu)
{
	struct runner r = { 0 };
	struct test_vcpu vcpu;
	struct test_vm vm;
	uint32_t *page;
	pthread_t t;
	int i;

	catch_usr1();
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, vm_create(&vm));
	ASSERT_EQ(0, vcpu_create(&vm, &vcpu, 0));
	ASSERT_EQ(0, vcpu_setup(&vm, &vcpu, GUEST_PROT32, churn32_start,
				GUEST_SIZE(churn32)));
	ASSERT_EQ(0, set_slot(vm.vm_fd, SLOT_GPA, 4096, page));
	r.vcpu = &vcpu;
	ASSERT_EQ(0, pthread_create(&t, NULL, run_until_stopped, &r));
	for (i = 0; i < 200; i++) {
		/* delete, re-create, move away, move back */
		ASSERT_EQ(0, set_slot(vm.vm_fd, SLOT_GPA, 0, page));
		ASSERT_EQ(0, set_slot(vm.vm_fd, SLOT_GPA, 4096, page));
		ASSERT_EQ(0, set_slot(vm.vm_fd, SLOT_GPA_MOVED, 4096, page));
		ASSERT_EQ(0, set_slot(vm.vm_fd, SLOT_GPA, 4096, page));
	}
	/* Let the guest see the slot once more, then stop it. */
	usleep(20000);
	stop_runner(&r, t);
	TH_LOG("guest count %u, MMIO exits while unmapped %ld", page[0],
	       r.mmio);
	EXPECT_EQ(0, r.err);
	EXPECT_EQ(0, r.other);
	EXPECT_LT(0, page[0]);
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
	munmap(page, 4096);
}

/*
 * Child: a VM with two vCPU threads counting in guest memory; once both
 * counters move (both vCPUs are in guest mode), say so on @fd and wait
 * to be killed.
 */
static void two_vcpus_then_wait(int fd)
{
	struct test_vcpu vcpu[2];
	struct runner r[2] = { 0 };
	struct kvm_regs regs;
	struct test_vm vm;
	uint32_t *count;
	pthread_t t[2];
	int i;

	if (vm_create(&vm))
		_exit(2);
	count = (uint32_t *)((char *)vm.mem + COUNT_GPA);
	for (i = 0; i < 2; i++) {
		if (vcpu_create(&vm, &vcpu[i], i) ||
		    vcpu_setup(&vm, &vcpu[i], GUEST_REAL, count16_start,
			       GUEST_SIZE(count16)))
			_exit(3);
		/* BX: this vCPU's counter (DS base 0 in real mode) */
		if (ioctl(vcpu[i].fd, KVM_GET_REGS, &regs))
			_exit(4);
		regs.rbx = COUNT_GPA + 4 * i;
		if (ioctl(vcpu[i].fd, KVM_SET_REGS, &regs))
			_exit(4);
		r[i].vcpu = &vcpu[i];
		if (pthread_create(&t[i], NULL, run_until_stopped, &r[i]))
			_exit(5);
	}
	while (!__atomic_load_n(&count[0], __ATOMIC_RELAXED) ||
	       !__atomic_load_n(&count[1], __ATOMIC_RELAXED))
		usleep(1000);
	if (write(fd, "k", 1) != 1)
		_exit(6);
	for (;;)
		pause();
}

TEST(sigkill_with_two_vcpus_in_guest_mode)
{
	struct test_vcpu vcpu;
	struct test_vm vm;
	int round, fds[2], status;
	pid_t pid;
	char c;

	for (round = 0; round < 3; round++) {
		ASSERT_EQ(0, pipe(fds));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			close(fds[0]);
			two_vcpus_then_wait(fds[1]);
		}
		close(fds[1]);
		ASSERT_EQ(1, read(fds[0], &c, 1)) {
			TH_LOG("the child's vCPUs never ran");
		}
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		close(fds[0]);
	}
	/* The hypervisor is still fine: a new VM runs. */
	ASSERT_EQ(0, vm_create(&vm));
	ASSERT_EQ(0, vcpu_create(&vm, &vcpu, 0));
	ASSERT_EQ(0, vcpu_setup(&vm, &vcpu, GUEST_PROT32, churn32_start,
				GUEST_SIZE(churn32)));
	ASSERT_EQ(0, vcpu_run(&vcpu));
	EXPECT_EQ(KVM_EXIT_MMIO, vcpu.run->exit_reason);
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
}

static uint32_t ms_cycles(uint64_t khz, uint32_t ms)
{
	uint64_t c = khz * ms;

	return c > 0xf0000000ull ? 0xf0000000u : (uint32_t)c;
}

static int pit_program(struct ig_vm *g, uint16_t count)
{
	int err = ig_out(g, 0x43, PIT_MODE2_LH);

	if (!err)
		err = ig_out(g, 0x40, count & 0xff);
	if (!err)
		err = ig_out(g, 0x40, count >> 8);
	return err;
}

struct waiter {
	struct ig_vm *g;
	uint32_t n, ms;
	uint64_t khz;
	int err;
};

/* The guest waits for @n interrupts, or @ms of its own time. */
static void *wait_irqs(void *arg)
{
	struct waiter *w = arg;

	w->err = ig_cmd(w->g, IG_OP_WAIT_IRQS, 0, 0,
			ms_cycles(w->khz, w->ms), w->n, 0);
	return NULL;
}

/*
 * A: PIC at vectors 0x20, IRQ0 from its PIT at 100 Hz.  B: PIC at 0x40,
 * no PIT, IRQ0 and IRQ5 unmasked, IRQ5 pulsed from here one edge at a
 * time.  Where the device has hvmm's in-kernel i8042 (HVMM_CAP_I8042),
 * both VMs have one with IRQ1 open, and a key pressed and released in A
 * only: A reads its two scan codes (set 1 through the controller's
 * translation) on IRQ1, B gets no IRQ1.  Neither VM may take the other's
 * interrupts.
 */
static void i8042_on(struct __test_metadata *_metadata, struct ig_vm *g,
		     uint8_t irq1_vector)
{
	struct hvmm_i8042_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	ASSERT_EQ(0, ioctl(g->vm.vm_fd, HVMM_CREATE_I8042, &cfg));
	/* Command byte 0x47: IRQ1, IRQ12, system flag, translation. */
	ASSERT_EQ(0, ig_out(g, 0x64, 0x60));
	ASSERT_EQ(0, ig_out(g, 0x60, 0x47));
	ig_set_rdport(g, irq1_vector, 0x60);
}

static int key(struct ig_vm *g, unsigned int code, unsigned int pressed)
{
	struct hvmm_input_event ev = {
		.type = HVMM_INPUT_KEY, .code = code, .value = pressed,
	};

	return ioctl(g->vm.vm_fd, HVMM_INPUT_EVENT, &ev) ? -errno : 0;
}
TEST(two_vms_keep_their_interrupts)
{
	struct waiter wa, wb;
	struct ig_vm a, b;
	pthread_t ta, tb;
	int order, i, ms, kbc, nkey;

	for (order = 0; order < 2; order++) {
		ASSERT_EQ(0, ig_create(&a, 1, 1)) TH_LOG("%s", a.err);
		ASSERT_EQ(0, ig_create(&b, 1, 0)) TH_LOG("%s", b.err);
		kbc = ig_has_cap(&a, HVMM_CAP_I8042) > 0;
		nkey = kbc ? 2 : 0;
		ASSERT_EQ(0, ig_pic_init(&a, 0x20, 0x28, 0x01, 0xfc, 0xff));
		ASSERT_EQ(0, ig_pic_init(&b, 0x40, 0x48, 0x01, 0xdc, 0xff));
		*(uint8_t *)ig_mem(&a, IG_EOI_MODE) = IG_EOI_NONSPEC;
		*(uint8_t *)ig_mem(&b, IG_EOI_MODE) = IG_EOI_NONSPEC;
		if (kbc) {
			i8042_on(_metadata, &a, 0x21);
			i8042_on(_metadata, &b, 0x41);
		}
		ASSERT_EQ(0, pit_program(&a, 11932));	/* 100 Hz */
		ig_clear_log(&a);
		ig_clear_log(&b);
		if (kbc) {
			ASSERT_EQ(0, key(&a, KEY_A, 1));
			ASSERT_EQ(0, key(&a, KEY_A, 0));
		}
		wa = (struct waiter){ .g = &a, .n = 20 + nkey, .ms = 2000,
				      .khz = ig_tsc_khz(&a) };
		wb = (struct waiter){ .g = &b, .n = 10, .ms = 4000,
				      .khz = ig_tsc_khz(&b) };
		ASSERT_LT(0, wa.khz);
		ASSERT_EQ(0, pthread_create(&ta, NULL, wait_irqs, &wa));
		ASSERT_EQ(0, pthread_create(&tb, NULL, wait_irqs, &wb));
		for (i = 0; i < 10; i++) {
			ASSERT_EQ(0, ig_irq_pulse(&b, 5));
			/* The next edge only once this one was taken. */
			for (ms = 0; ig_nirq(&b) <= (uint32_t)i && ms < 3000;
			     ms++)
				usleep(1000);
		}
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		EXPECT_EQ(0, wa.err) TH_LOG("%s", a.err);
		EXPECT_EQ(0, wb.err) TH_LOG("%s", b.err);
		EXPECT_EQ(20, ig_count(&a, 0x20));
		EXPECT_EQ(nkey, ig_count(&a, 0x21));
		EXPECT_EQ(20 + nkey, ig_nirq(&a));
		if (kbc) {
			const uint8_t *data = ig_mem(&a, IG_DATA);

			ASSERT_EQ(2, *(uint32_t *)ig_mem(&a, IG_NDATA));
			EXPECT_EQ(0x1e, data[0]);	/* A pressed, set 1 */
			EXPECT_EQ(0x9e, data[1]);	/* A released */
			EXPECT_EQ(0, *(uint32_t *)ig_mem(&b, IG_NDATA));
		}
		EXPECT_EQ(10, ig_count(&b, 0x45));
		EXPECT_EQ(0, ig_count(&b, 0x40));
		EXPECT_EQ(0, ig_count(&b, 0x41));
		EXPECT_EQ(10, ig_nirq(&b));
		if (order) {
			ig_destroy(&b);
			ig_destroy(&a);
		} else {
			ig_destroy(&a);
			ig_destroy(&b);
		}
	}
}

static int cpu_online(int cpu, int on)
{
	char path[64];
	int fd, ok;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ok = write(fd, on ? "1" : "0", 1) == 1;
	close(fd);
	return ok ? 0 : -errno;
}

TEST(cpu_offline_and_online_while_a_vcpu_runs)
{
	struct runner r = { 0 };
	struct test_vcpu vcpu;
	struct test_vm vm;
	uint32_t *count;
	uint32_t before;
	pthread_t t;
	int i;

	if (access("/sys/devices/system/cpu/cpu1/online", W_OK))
		SKIP(return, "no second CPU that can go offline");
	catch_usr1();
	ASSERT_EQ(0, vm_create(&vm));
	ASSERT_EQ(0, vcpu_create(&vm, &vcpu, 0));
	ASSERT_EQ(0, vcpu_setup(&vm, &vcpu, GUEST_REAL, count16_start,
				GUEST_SIZE(count16)));
	count = (uint32_t *)((char *)vm.mem + COUNT_GPA);
	{
		struct kvm_regs regs;

		ASSERT_EQ(0, ioctl(vcpu.fd, KVM_GET_REGS, &regs));
		regs.rbx = COUNT_GPA;
		ASSERT_EQ(0, ioctl(vcpu.fd, KVM_SET_REGS, &regs));
	}
	r.vcpu = &vcpu;
	ASSERT_EQ(0, pthread_create(&t, NULL, run_until_stopped, &r));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, cpu_online(1, 0));
		usleep(50000);
		ASSERT_EQ(0, cpu_online(1, 1));
		before = __atomic_load_n(count, __ATOMIC_RELAXED);
		usleep(50000);
		EXPECT_NE(before, __atomic_load_n(count, __ATOMIC_RELAXED))
			TH_LOG("the guest stopped");
	}
	stop_runner(&r, t);
	EXPECT_EQ(0, r.err);
	EXPECT_EQ(0, r.other);
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
}

/* Interrupts the host has taken so far, all CPUs (proc(5): "intr"). */
static unsigned long long host_interrupts(void)
{
	unsigned long long n = 0;
	char line[256];
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "intr %llu", &n) == 1)
			break;
	fclose(f);
	return n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define NR_FAST_VMS 4

/*
 * Four VMs ask their PIT for IRQ0 at 596 kHz (mode 2, count 2) and take
 * 10000 interrupts each - two seconds at KVM's 200 us floor - (the stubs
 * then mask IRQ0, so that a guest that cannot keep up is not starved
 * for good), or four seconds of guest time.  The timer floor bounds what
 * that costs the host: every IRQ0 is at most one host timer interrupt
 * and one wake-up IPI, so the host takes fewer than 3 x 5000 interrupts
 * a second per VM (printed with each VM's IRQ0 rate).  Without the
 * floor it would be 596000; with a 50 us floor, 20000 per VM and more.
 * (/proc/stat's hardirq time is no measure here: Debian's kernel counts
 * it by tick sampling only.)
 */
TEST(fast_pits_keep_host_interrupts_bounded)
{
	struct waiter w[NR_FAST_VMS];
	struct ig_vm g[NR_FAST_VMS];
	pthread_t t[NR_FAST_VMS];
	unsigned long long n0, n1;
	double t0, t1, rate;
	int i;

	for (i = 0; i < NR_FAST_VMS; i++) {
		ASSERT_EQ(0, ig_create(&g[i], 1, 1)) TH_LOG("%s", g[i].err);
		ASSERT_EQ(0, ig_pic_init(&g[i], 0x20, 0x28, 0x01, 0xfe, 0xff));
		*(uint8_t *)ig_mem(&g[i], IG_EOI_MODE) = IG_EOI_NONSPEC;
		*(uint32_t *)ig_mem(&g[i], IG_NIRQ_LIMIT) = 10000;
		w[i] = (struct waiter){ .g = &g[i], .n = 10000,
					.ms = 4000, .khz = ig_tsc_khz(&g[i]) };
		ASSERT_LT(0, w[i].khz);
		ASSERT_EQ(0, pit_program(&g[i], 2));
		ig_clear_log(&g[i]);
	}
	n0 = host_interrupts();
	t0 = now_s();
	for (i = 0; i < NR_FAST_VMS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, wait_irqs, &w[i]));
	for (i = 0; i < NR_FAST_VMS; i++)
		pthread_join(t[i], NULL);
	n1 = host_interrupts();
	t1 = now_s();
	ASSERT_LT(n0, n1);
	ASSERT_LT(t0, t1);
	rate = (n1 - n0) / (t1 - t0);
	for (i = 0; i < NR_FAST_VMS; i++) {
		uint64_t first, last;

		memcpy(&first, ig_mem(&g[i], IG_FIRST_TSC), 8);
		memcpy(&last, ig_mem(&g[i], IG_LAST_TSC), 8);
		EXPECT_LT(1, ig_nirq(&g[i]));
		if (ig_nirq(&g[i]) > 1 && last > first)
			TH_LOG("VM %d: %u IRQ0s at %.0f Hz", i, ig_nirq(&g[i]),
			       (ig_nirq(&g[i]) - 1) * w[i].khz * 1000.0 /
			       (double)(last - first));
	}
	TH_LOG("host: %llu interrupts in %.2f s: %.0f per second",
	       n1 - n0, t1 - t0, rate);
	EXPECT_LT(rate, 3 * 5000.0 * NR_FAST_VMS);
	for (i = 0; i < NR_FAST_VMS; i++)
		ig_destroy(&g[i]);
}

/*
 * hvmm.ko unloads right after its last VM - with the PIT firing at its
 * floor a moment before - is closed, and loads again: no timer, work
 * item or reference outlives the VM.
 */
TEST(module_unloads_right_after_a_fast_pit_vm)
{
	const char *ko = getenv("HVMM_MODULE");
	struct waiter w;
	struct ig_vm g;
	int fd;

	if (!strstr(dev_path(), "hvmm") || !ko)
		SKIP(return, "hvmm only, with HVMM_MODULE=path/to/hvmm.ko");
	ASSERT_EQ(0, ig_create(&g, 1, 1)) TH_LOG("%s", g.err);
	ASSERT_EQ(0, ig_pic_init(&g, 0x20, 0x28, 0x01, 0xfe, 0xff));
	*(uint8_t *)ig_mem(&g, IG_EOI_MODE) = IG_EOI_NONSPEC;
	*(uint32_t *)ig_mem(&g, IG_NIRQ_LIMIT) = 200;
	ASSERT_EQ(0, pit_program(&g, 2));
	w = (struct waiter){ .g = &g, .n = 200, .ms = 50,
			     .khz = ig_tsc_khz(&g) };
	wait_irqs(&w);
	EXPECT_LT(0, ig_nirq(&g));
	ig_destroy(&g);
	ASSERT_EQ(0, syscall(SYS_delete_module, "hvmm", O_NONBLOCK)) {
		TH_LOG("rmmod hvmm: %s", strerror(errno));
	}
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, syscall(SYS_finit_module, fd, "", 0)) {
		TH_LOG("insmod %s: %s", ko, strerror(errno));
	}
	close(fd);
	ASSERT_EQ(0, vm_supported());
}

int main(int argc, char **argv)
{
	require_vm("stress_test");
	return test_harness_run(argc, argv);
}
