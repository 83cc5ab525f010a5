// SPDX-License-Identifier: GPL-2.0
/*
 * A syzkaller-style fuzzer of hvmm's ioctl surface: random sequences of
 * /dev/hvmm, VM and vCPU ioctls (every KVM_* number hvmm implements, many
 * it does not, hvmm's own, and mutated or random numbers of every
 * _IOC direction/type/size), with boundary arguments and bad pointers
 * (NULL, unmapped, kernel, read-only, a struct straddling into a
 * PROT_NONE page), from several threads on the same fds, with fds closed
 * and their numbers dup2()ed over during other threads' calls, odd mmaps
 * of vCPU fds, memory slots backed by memory that is later unmapped,
 * KVM_RUN interrupted by signals, in-kernel device state garbage, and
 * calls from a forked process (another mm).
 *
 * Each batch runs in a forked child so that a wedged or crashed child is
 * caught: the parent kills it after a timeout and prints the last calls
 * of every thread from a ring log in shared memory.  A kernel splat is
 * caught by the VM tier's console checker, not here.  Besides, each
 * batch checks a few errnos that KVM defines (unknown ioctls, EFAULT
 * for bad pointers), and after each batch that the child's VMs were
 * destroyed (their debugfs directories are gone).
 *
 *   ioctl_fuzz [-s SEED] [-t SECONDS] [-n BATCHES] [-j THREADS]
 *              [-T HANG_SECONDS] [-N] [-v]
 *
 * -t and -n bound the run (0: no bound; default -t 60); -s replays a run:
 * batch i uses seed mix(SEED, i), and every thread of a batch its own
 * stream, so each thread's call sequence is the same on replay (their
 * interleaving is not).  -N leaves out KVM_RUN: with real VT-x a garbage
 * guest may spin where no signal reaches it (Bochs, IF=0).  Exit status:
 * 0 when the run ended on its bound, 1 when a child hung, died, leaked a
 * VM or saw a wrong errno, 4 (skip) without /dev/hvmm or VT-x.
 *
 *   HVMM_DEV=/dev/hvmm     the device (default)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/hvmm.h>
#include <linux/kvm.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PG		4096UL
#define MAX_THREADS	4
#define NR_FDS		24
#define NR_RUNMAPS	8
#define NR_POOL		6
#define POOL_PAGES	16
#define RING		64
#define BUF_PAGES	4
#define OPS_MIN		64
#define OPS_MAX		256

#ifndef SYS_pidfd_open
#define SYS_pidfd_open	434
#endif

/* Which fd an ioctl belongs to. */
enum kind { K_NONE, K_DEV, K_VM, K_VCPU, K_OTHER };

/* How an ioctl's argument is passed and what the kernel does with it. */
enum argt { A_VAL, A_IN, A_OUT, A_INOUT };

struct ictl {
	const char *name;
	unsigned long nr;
	enum kind kind;
	enum argt argt;
	unsigned int size;	/* of the struct behind the pointer */
	int impl;		/* hvmm implements it on @kind's fd */
};

#define I(n, k, a, s, i) { #n, n, k, a, s, i }
#define V(n, k, i) { #n, n, k, A_VAL, 0, i }

static const struct ictl ictls[] = {
	/* /dev/hvmm */
	V(KVM_GET_API_VERSION, K_DEV, 1),
	V(KVM_CREATE_VM, K_DEV, 1),
	V(KVM_CHECK_EXTENSION, K_DEV, 1),
	V(KVM_GET_VCPU_MMAP_SIZE, K_DEV, 1),
	I(KVM_GET_SUPPORTED_CPUID, K_DEV, A_INOUT, 8, 1),
	I(KVM_GET_EMULATED_CPUID, K_DEV, A_INOUT, 8, 0),
	I(KVM_GET_MSR_INDEX_LIST, K_DEV, A_INOUT, 4, 0),
	I(KVM_GET_MSR_FEATURE_INDEX_LIST, K_DEV, A_INOUT, 4, 0),
	I(KVM_GET_MSRS, K_DEV, A_INOUT, 8, 0),
	/* VM */
	V(KVM_CREATE_VCPU, K_VM, 1),
	I(KVM_SET_USER_MEMORY_REGION, K_VM, A_IN,
	  sizeof(struct kvm_userspace_memory_region), 1),
	V(KVM_CHECK_EXTENSION, K_VM, 1),
	V(KVM_SET_TSS_ADDR, K_VM, 1),
	V(KVM_CREATE_IRQCHIP, K_VM, 1),
	I(KVM_IRQ_LINE, K_VM, A_IN, sizeof(struct kvm_irq_level), 1),
	I(KVM_IRQ_LINE_STATUS, K_VM, A_INOUT, sizeof(struct kvm_irq_level), 0),
	I(KVM_GET_IRQCHIP, K_VM, A_INOUT, sizeof(struct kvm_irqchip), 1),
	I(KVM_SET_IRQCHIP, K_VM, A_IN, sizeof(struct kvm_irqchip), 1),
	V(KVM_CREATE_PIT, K_VM, 1),
	I(KVM_CREATE_PIT2, K_VM, A_IN, sizeof(struct kvm_pit_config), 1),
	I(KVM_GET_PIT, K_VM, A_INOUT, sizeof(struct kvm_pit_state), 1),
	I(KVM_SET_PIT, K_VM, A_IN, sizeof(struct kvm_pit_state), 1),
	I(KVM_GET_PIT2, K_VM, A_OUT, sizeof(struct kvm_pit_state2), 1),
	I(KVM_SET_PIT2, K_VM, A_IN, sizeof(struct kvm_pit_state2), 1),
	I(KVM_REINJECT_CONTROL, K_VM, A_IN,
	  sizeof(struct kvm_reinject_control), 1),
	I(HVMM_CREATE_I8042, K_VM, A_IN, sizeof(struct hvmm_i8042_config), 1),
	I(HVMM_GET_I8042, K_VM, A_OUT, sizeof(struct hvmm_i8042_state), 1),
	I(HVMM_SET_I8042, K_VM, A_IN, sizeof(struct hvmm_i8042_state), 1),
	I(HVMM_INPUT_EVENT, K_VM, A_IN, sizeof(struct hvmm_input_event), 1),
	I(KVM_IOEVENTFD, K_VM, A_IN, sizeof(struct kvm_ioeventfd), 0),
	I(KVM_IRQFD, K_VM, A_IN, sizeof(struct kvm_irqfd), 0),
	I(KVM_SET_GSI_ROUTING, K_VM, A_IN, sizeof(struct kvm_irq_routing), 0),
	I(KVM_GET_DIRTY_LOG, K_VM, A_IN, sizeof(struct kvm_dirty_log), 0),
	I(KVM_SET_CLOCK, K_VM, A_IN, sizeof(struct kvm_clock_data), 0),
	I(KVM_GET_CLOCK, K_VM, A_OUT, sizeof(struct kvm_clock_data), 0),
	I(KVM_ENABLE_CAP, K_VM, A_IN, sizeof(struct kvm_enable_cap), 0),
	I(KVM_CREATE_DEVICE, K_VM, A_INOUT, sizeof(struct kvm_create_device), 0),
	I(KVM_SIGNAL_MSI, K_VM, A_IN, sizeof(struct kvm_msi), 0),
	I(KVM_SET_IDENTITY_MAP_ADDR, K_VM, A_IN, 8, 0),
	V(KVM_SET_NR_MMU_PAGES, K_VM, 0),
	V(KVM_SET_BOOT_CPU_ID, K_VM, 0),
	I(KVM_REGISTER_COALESCED_MMIO, K_VM, A_IN,
	  sizeof(struct kvm_coalesced_mmio_zone), 0),
	V(KVM_GET_STATS_FD, K_VM, 0),
	/* vCPU */
	V(KVM_RUN, K_VCPU, 1),
	I(KVM_GET_REGS, K_VCPU, A_OUT, sizeof(struct kvm_regs), 1),
	I(KVM_SET_REGS, K_VCPU, A_IN, sizeof(struct kvm_regs), 1),
	I(KVM_GET_SREGS, K_VCPU, A_OUT, sizeof(struct kvm_sregs), 1),
	I(KVM_SET_SREGS, K_VCPU, A_IN, sizeof(struct kvm_sregs), 1),
	I(KVM_SET_CPUID2, K_VCPU, A_IN, sizeof(struct kvm_cpuid2), 1),
	I(KVM_INTERRUPT, K_VCPU, A_IN, sizeof(struct kvm_interrupt), 1),
	I(KVM_GET_CPUID2, K_VCPU, A_INOUT, sizeof(struct kvm_cpuid2), 0),
	I(KVM_SET_CPUID, K_VCPU, A_IN, sizeof(struct kvm_cpuid), 0),
	I(KVM_GET_FPU, K_VCPU, A_OUT, sizeof(struct kvm_fpu), 0),
	I(KVM_SET_FPU, K_VCPU, A_IN, sizeof(struct kvm_fpu), 0),
	I(KVM_GET_LAPIC, K_VCPU, A_OUT, sizeof(struct kvm_lapic_state), 0),
	I(KVM_GET_MP_STATE, K_VCPU, A_OUT, sizeof(struct kvm_mp_state), 0),
	I(KVM_SET_MP_STATE, K_VCPU, A_IN, sizeof(struct kvm_mp_state), 0),
	I(KVM_GET_VCPU_EVENTS, K_VCPU, A_OUT,
	  sizeof(struct kvm_vcpu_events), 0),
	I(KVM_SET_VCPU_EVENTS, K_VCPU, A_IN,
	  sizeof(struct kvm_vcpu_events), 0),
	I(KVM_SET_SIGNAL_MASK, K_VCPU, A_IN, sizeof(struct kvm_signal_mask), 0),
	I(KVM_TRANSLATE, K_VCPU, A_INOUT, sizeof(struct kvm_translation), 0),
	I(KVM_SET_GUEST_DEBUG, K_VCPU, A_IN,
	  sizeof(struct kvm_guest_debug), 0),
	I(KVM_GET_XSAVE, K_VCPU, A_OUT, sizeof(struct kvm_xsave), 0),
	I(KVM_GET_XCRS, K_VCPU, A_OUT, sizeof(struct kvm_xcrs), 0),
	I(KVM_GET_DEBUGREGS, K_VCPU, A_OUT, sizeof(struct kvm_debugregs), 0),
	V(KVM_NMI, K_VCPU, 0),
	V(KVM_SMI, K_VCPU, 0),
	V(KVM_GET_TSC_KHZ, K_VCPU, 0),
	V(KVM_SET_TSC_KHZ, K_VCPU, 0),
	V(KVM_KVMCLOCK_CTRL, K_VCPU, 0),
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NR_ICTLS	ARRAY_SIZE(ictls)
/* Pseudo entries in the log and the counters after the ioctls. */
enum { OP_MMAP = NR_ICTLS, OP_CLOSE, OP_DUP2, OP_OPEN, OP_REMAP,
	OP_FORK, OP_DEBUGFS, OP_RAW, NR_OPS };
static const char *const op_names[] = {
	"mmap(vcpu)", "close", "dup2", "open", "remap(slot memory)",
	"fork+ioctl", "debugfs read", "ioctl(raw number)",
};

/* One call in the ring log; ret == PENDING while it is in flight. */
#define PENDING		0x7fffbeefL
struct entry {
	unsigned long seq;
	int thread, op, fd, err;
	unsigned long nr, arg;
	long ret;
};

/* Shared between the parent and a batch's child. */
struct shared {
	unsigned long seq;
	struct entry ring[RING];
	unsigned long execs;
	unsigned long ok[NR_OPS], calls[NR_OPS];
	char failure[512];
};

static struct shared *sh;

/* ---- random numbers ---------------------------------------------------- */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s = mix(r->s);
	return r->s;
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static int one_in(struct rng *r, int n)
{
	return !below(r, n);
}

/* A value that tends to sit on a boundary of @bits bits. */
static uint64_t boundary(struct rng *r, int bits)
{
	uint64_t mask = bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
	uint64_t b = 1ULL << below(r, bits);

	switch (below(r, 8)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return mask;
	case 3:
		return b & mask;
	case 4:
		return (b - 1) & mask;
	case 5:
		return (b + 1) & mask;
	case 6:
		return mask >> 1;
	default:
		return rnd(r) & mask;
	}
}

static void fill(struct rng *r, void *p, size_t n)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		c[i] = one_in(r, 4) ? 0 : rnd(r);
}

/* Flip a few bytes of a state that the kernel gave us. */
static void mutate(struct rng *r, void *p, size_t n)
{
	unsigned char *c = p;
	int i, k = 1 + below(r, 3);

	for (i = 0; i < k && n; i++) {
		size_t at = below(r, n);

		switch (below(r, 3)) {
		case 0:
			c[at] ^= 1 << below(r, 8);
			break;
		case 1:
			c[at] = boundary(r, 8);
			break;
		default:
			c[at] = rnd(r);
			break;
		}
	}
}

/* ---- the child's world: fds, mappings, memory -------------------------- */

struct fdent {
	int fd;
	int kind;
};

static struct fdent fds[NR_FDS];
static void *runmaps[NR_RUNMAPS];	/* kvm_run pages, never unmapped */
static char *pool[NR_POOL];		/* memslot backing, remapped */
static char *ro_page, *hole_page;
static const char *dev_path = "/dev/hvmm";
static int no_run;
static int probe_pipe[2];

struct thr {
	struct rng r;
	int id;
	char *buf;		/* BUF_PAGES read-write pages */
	char *straddle;		/* one RW page, then a PROT_NONE page */
	pthread_t pt;
	/* states the kernel returned, to mutate and give back */
	struct kvm_irqchip chip;
	struct kvm_pit_state2 pit;
	struct hvmm_i8042_state kbc;
	int have_chip, have_pit, have_kbc;
};

static int get_fd(struct rng *r, int kind)
{
	int i, start = below(r, NR_FDS);

	/* Mostly the right kind; sometimes anything, even a stale number. */
	if (!one_in(r, 8)) {
		for (i = 0; i < NR_FDS; i++) {
			struct fdent *e = &fds[(start + i) % NR_FDS];

			if (__atomic_load_n(&e->kind, __ATOMIC_RELAXED) ==
			    kind)
				return __atomic_load_n(&e->fd,
						       __ATOMIC_RELAXED);
		}
	}
	switch (below(r, 6)) {
	case 0:
		return -1;
	case 1:
		return probe_pipe[0];	/* not ours */
	case 2:
		return 1000;	/* not open */
	default:
		return __atomic_load_n(&fds[start].fd, __ATOMIC_RELAXED);
	}
}

static void put_fd(struct rng *r, int fd, int kind)
{
	struct fdent *e = &fds[below(r, NR_FDS)];
	int i, old;

	if (fd < 0)
		return;
	for (i = 0; i < NR_FDS; i++)
		if (__atomic_load_n(&fds[i].fd, __ATOMIC_RELAXED) < 0) {
			e = &fds[i];
			break;
		}
	/* Evict an old one, closing it (perhaps mid-call elsewhere). */
	old = __atomic_exchange_n(&e->fd, fd, __ATOMIC_RELAXED);
	__atomic_store_n(&e->kind, kind, __ATOMIC_RELAXED);
	if (old > 2 && old != probe_pipe[0] && old != probe_pipe[1] &&
	    old != fd)
		close(old);
}

/* ---- the ring log ------------------------------------------------------ */

static struct entry *log_start(struct thr *t, int op, int fd,
			       unsigned long nr, unsigned long arg,
			       unsigned long *seqp)
{
	unsigned long seq = __atomic_fetch_add(&sh->seq, 1, __ATOMIC_RELAXED);
	struct entry *e = &sh->ring[seq % RING];

	*seqp = seq;
	e->ret = PENDING;
	e->seq = seq;
	e->thread = t->id;
	e->op = op;
	e->fd = fd;
	e->nr = nr;
	e->arg = arg;
	e->err = 0;
	return e;
}

static long log_end(struct entry *e, unsigned long seq, int op, long ret)
{
	int err = errno;

	/* The ring may have wrapped meanwhile: only fill our own entry. */
	if (e->seq == seq) {
		e->ret = ret;
		e->err = ret < 0 ? err : 0;
	}
	__atomic_fetch_add(&sh->execs, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->calls[op], 1, __ATOMIC_RELAXED);
	if (ret >= 0)
		__atomic_fetch_add(&sh->ok[op], 1, __ATOMIC_RELAXED);
	errno = err;
	return ret;
}

static const char *op_name(int op, unsigned long nr, char *buf, size_t len)
{
	static const char *const kinds[] = { "", "dev ", "vm ", "vcpu " };
	unsigned int i;

	if (op < (int)NR_ICTLS) {
		snprintf(buf, len, "%s%s", kinds[ictls[op].kind],
			 ictls[op].name);
		return buf;
	}
	if (op != OP_RAW || !nr)
		return op_names[op - NR_ICTLS];
	for (i = 0; i < NR_ICTLS; i++)
		if (ictls[i].nr == nr)
			return ictls[i].name;
	snprintf(buf, len, "_IOC(%lu,%#lx,%#lx,%lu)", _IOC_DIR(nr),
		 _IOC_TYPE(nr), _IOC_NR(nr), _IOC_SIZE(nr));
	return buf;
}

static void print_ring(void)
{
	unsigned long seq = sh->seq, i;
	char nbuf[64];

	fprintf(stderr, "# last calls of the batch (oldest first; '...' = still in flight):\n");
	for (i = seq > RING ? seq - RING : 0; i < seq; i++) {
		struct entry *e = &sh->ring[i % RING];

		if (e->seq != i)
			continue;
		fprintf(stderr, "#  %6lu t%d fd %-4d %-32s arg %#lx -> ",
			e->seq, e->thread, e->fd,
			op_name(e->op, e->nr, nbuf, sizeof(nbuf)), e->arg);
		if (e->ret == PENDING)
			fprintf(stderr, "...\n");
		else if (e->ret < 0)
			fprintf(stderr, "-1 %s\n", strerror(e->err));
		else
			fprintf(stderr, "%ld\n", e->ret);
	}
}

static void failf(const char *fmt, ...)
{
	size_t n = strlen(sh->failure);
	va_list ap;

	if (n >= sizeof(sh->failure) - 2)
		return;
	va_start(ap, fmt);
	vsnprintf(sh->failure + n, sizeof(sh->failure) - n, fmt, ap);
	va_end(ap);
}

static long do_ioctl(struct thr *t, int op, int fd, unsigned long nr,
		     unsigned long arg)
{
	unsigned long seq;
	struct entry *e = log_start(t, op, fd, nr, arg, &seq);

	return log_end(e, seq, op, ioctl(fd, nr, arg));
}

/* ---- arguments --------------------------------------------------------- */

/*
 * Put @n bytes of @src where the kernel will find them: mostly a good
 * buffer, else a bad place.  @out: the kernel writes there.
 */
static unsigned long place(struct thr *t, const void *src, size_t n, int out)
{
	struct rng *r = &t->r;
	size_t k;
	char *p;

	switch (below(r, 24)) {
	case 0:
		return one_in(r, 2) ? 0 : 0x1000;	/* never mapped */
	case 1:
		return (unsigned long)hole_page + below(r, PG);
	case 2:
		return 0xffffffff81000000UL + below(r, 4) * 8;
	case 3:
		return 0x8000000000000000UL;
	case 4:
		/* read-only: fine to read from, faults when written */
		return (unsigned long)ro_page + below(r, PG - (n < PG ? n : 0));
	case 5:
	case 6:
		/* straddles into PROT_NONE: 1 .. n - 1 bytes readable */
		k = n > 1 ? 1 + below(r, n - 1) : 0;
		if (k > PG)
			k = PG;		/* one page is all there is */
		p = t->straddle + PG - k;
		memcpy(p, src, k);
		return (unsigned long)p;
	case 7:
		return (unsigned long)pool[below(r, NR_POOL)] +
			below(r, POOL_PAGES) * PG;
	default:
		k = n < BUF_PAGES * PG ? BUF_PAGES * PG - n : 0;
		p = t->buf + (one_in(r, 4) ? below(r, k) : 0);
		memcpy(p, src, n < BUF_PAGES * PG ? n : BUF_PAGES * PG);
		return (unsigned long)p;
	}
}

static unsigned long gen_value(struct thr *t, unsigned long nr)
{
	struct rng *r = &t->r;

	switch (nr) {
	case KVM_CREATE_VM:
		return one_in(r, 8) ? boundary(r, 64) : 0;
	case KVM_CREATE_VCPU:
		if (one_in(r, 4))
			return boundary(r, 64);
		return below(r, 4) ? below(r, 4) : 250 + below(r, 10);
	case KVM_CHECK_EXTENSION:
		if (one_in(r, 4))
			return HVMM_CAP_BASE + below(r, 3);
		return one_in(r, 8) ? boundary(r, 64) : below(r, 240);
	case KVM_SET_TSS_ADDR:
		if (one_in(r, 2))
			return 0xfffbd000UL + below(r, 3) * PG - below(r, 2);
		return boundary(r, 64);
	case KVM_RUN:
	case KVM_GET_API_VERSION:
	case KVM_GET_VCPU_MMAP_SIZE:
	case KVM_CREATE_IRQCHIP:
	case KVM_CREATE_PIT:
		return one_in(r, 8) ? boundary(r, 64) : 0;
	default:
		return one_in(r, 2) ? 0 : boundary(r, 64);
	}
}

static void gen_memregion(struct thr *t, struct kvm_userspace_memory_region *m)
{
	static const uint64_t sizes[] = { 0, PG, 2 * PG, POOL_PAGES * PG,
		PG + 1, PG - 1, 1ULL << 31, 1ULL << 43, ~0ULL << 12, ~0ULL };
	struct rng *r = &t->r;

	m->slot = below(r, 4) ? below(r, 6) :
		  one_in(r, 2) ? 30 + below(r, 4) : boundary(r, 32);
	if (one_in(r, 8))
		m->slot |= 1 << 16;
	m->flags = below(r, 2) ? 0 : one_in(r, 2) ? KVM_MEM_READONLY :
		   boundary(r, 32);
	m->guest_phys_addr = below(r, 4) ? below(r, 24) * PG :
			     boundary(r, 64);
	if (one_in(r, 8))
		m->guest_phys_addr += 1 + below(r, PG - 1);
	m->memory_size = below(r, 4) ? sizes[below(r, 4)] :
			 sizes[below(r, ARRAY_SIZE(sizes))];
	switch (below(r, 8)) {
	case 0:
		m->userspace_addr = (unsigned long)ro_page;
		break;
	case 1:
		m->userspace_addr = (unsigned long)hole_page;
		break;
	case 2:
		m->userspace_addr = boundary(r, 64);
		break;
	case 3:
		m->userspace_addr = 0x7ffffffff000UL;
		break;
	default:
		m->userspace_addr = (unsigned long)pool[below(r, NR_POOL)] +
			below(r, 2) * PG;
	}
	if (one_in(r, 10))
		m->userspace_addr += 1 + below(r, PG - 1);
}

static void gen_cpuid(struct thr *t, void *p, size_t len, unsigned long nr)
{
	static const uint32_t nents[] = { 0, 1, 2, 3, 4, 255, 256, 257,
		0x80000000u, ~0u };
	struct kvm_cpuid2 *c = p;
	struct rng *r = &t->r;

	fill(r, p, len);
	c->nent = nents[below(r, ARRAY_SIZE(nents))];
	if (one_in(r, 2))
		c->padding = 0;
}

/*
 * Build the argument of a known ioctl: a good struct, a mutated state
 * the kernel returned, or garbage; placed anywhere.
 */
static unsigned long gen_arg(struct thr *t, const struct ictl *ic)
{
	union {
		struct kvm_userspace_memory_region mem;
		struct kvm_regs regs;
		struct kvm_sregs sregs;
		struct kvm_irq_level irq;
		struct kvm_irqchip chip;
		struct kvm_pit_config pitc;
		struct kvm_pit_state2 pit;
		struct kvm_reinject_control rc;
		struct hvmm_i8042_config kcfg;
		struct hvmm_i8042_state kbc;
		struct hvmm_input_event ev;
		struct kvm_interrupt intr;
		char raw[8192];
	} u;
	struct rng *r = &t->r;
	size_t n = ic->size;
	int garbage = one_in(r, 6);

	if (ic->argt == A_VAL)
		return gen_value(t, ic->nr);
	fill(r, &u, sizeof(u));
	if (garbage)
		goto out;
	switch (ic->nr) {
	case KVM_SET_USER_MEMORY_REGION:
		gen_memregion(t, &u.mem);
		break;
	case KVM_SET_REGS:
		/* 0x4a17: the fake's HLT; 0xdead: it waits for a signal */
		u.regs.rax = below(r, 3) ? 0 : one_in(r, 2) ? 0x4a17 :
			     one_in(r, 4) ? 0xdead : rnd(r);
		break;
	case KVM_SET_SREGS:
		u.sregs.cr0 = below(r, 2) ? 0x11 :
			      one_in(r, 2) ? 0x80000000UL : boundary(r, 64);
		break;
	case KVM_SET_CPUID2:
	case KVM_GET_SUPPORTED_CPUID:
		n = sizeof(struct kvm_cpuid2) +
			below(r, 8) * sizeof(struct kvm_cpuid_entry2);
		if (one_in(r, 8))
			n = sizeof(u.raw);
		gen_cpuid(t, &u, n, ic->nr);
		break;
	case KVM_INTERRUPT:
		u.intr.irq = below(r, 2) ? below(r, 256) : boundary(r, 32);
		break;
	case KVM_IRQ_LINE:
		u.irq.irq = below(r, 4) ? below(r, 18) : boundary(r, 32);
		u.irq.level = below(r, 4) ? below(r, 2) : boundary(r, 32);
		break;
	case KVM_GET_IRQCHIP:
	case KVM_SET_IRQCHIP:
		if (t->have_chip && below(r, 3)) {
			u.chip = t->chip;
			if (below(r, 2))
				mutate(r, &u.chip.chip.pic,
				       sizeof(u.chip.chip.pic));
		}
		u.chip.chip_id = below(r, 4) ? below(r, 2) : boundary(r, 32);
		break;
	case KVM_CREATE_PIT2:
		u.pitc.flags = below(r, 2) ? below(r, 2) : boundary(r, 32);
		break;
	case KVM_SET_PIT:
	case KVM_SET_PIT2:
		if (t->have_pit && below(r, 4)) {
			u.pit = t->pit;
			if (below(r, 2))
				mutate(r, &u.pit, n);
		}
		break;
	case KVM_REINJECT_CONTROL:
		u.rc.pit_reinject = below(r, 3);
		break;
	case HVMM_CREATE_I8042:
		if (below(r, 4))
			memset(&u.kcfg, 0, sizeof(u.kcfg));
		break;
	case HVMM_SET_I8042:
		if (t->have_kbc && below(r, 4)) {
			u.kbc = t->kbc;
			if (below(r, 2))
				mutate(r, &u.kbc, n);
		}
		break;
	case HVMM_INPUT_EVENT:
		u.ev.type = below(r, 4) ? 1 + below(r, 2) : boundary(r, 32);
		u.ev.code = below(r, 2) ? below(r, 256) : boundary(r, 32);
		u.ev.value = below(r, 2) ? below(r, 2) : boundary(r, 32);
		u.ev.dx = boundary(r, 32);
		u.ev.dy = boundary(r, 32);
		u.ev.dz = below(r, 2) ? 0 : boundary(r, 32);
		if (below(r, 4))
			u.ev.flags = u.ev.pad = 0;
		if (u.ev.type == HVMM_INPUT_MOUSE && below(r, 4))
			u.ev.code = 0;
		break;
	}
out:
	return place(t, &u, n, ic->argt != A_IN);
}

/* Keep what the kernel gave back, for later mutated SETs. */
static void remember(struct thr *t, const struct ictl *ic, unsigned long arg,
		     long ret)
{
	if (ret || arg < (unsigned long)t->buf ||
	    arg >= (unsigned long)t->buf + BUF_PAGES * PG - 1024)
		return;
	switch (ic->nr) {
	case KVM_GET_IRQCHIP:
		memcpy(&t->chip, (void *)arg, sizeof(t->chip));
		t->have_chip = 1;
		break;
	case KVM_GET_PIT2:
		memcpy(&t->pit, (void *)arg, sizeof(t->pit));
		t->have_pit = 1;
		break;
	case HVMM_GET_I8042:
		memcpy(&t->kbc, (void *)arg, sizeof(t->kbc));
		t->have_kbc = 1;
		break;
	}
}

/* A random number of every shape, or a known one with a field changed. */
static unsigned long gen_nr(struct rng *r)
{
	static const unsigned int types[] = { KVMIO, HVMMIO, 'T', 'f', 0 };
	const struct ictl *ic = &ictls[below(r, NR_ICTLS)];
	unsigned long nr = ic->nr;
	unsigned int size = _IOC_SIZE(nr);

	switch (below(r, 6)) {
	case 0:
		return (uint32_t)rnd(r);
	case 1:
		return _IOC(below(r, 4), types[below(r, 5)], below(r, 256),
			    boundary(r, _IOC_SIZEBITS));
	case 2:
		{;
		/* size 0, 1, off by one, the largest */
		unsigned int s[] = { 0, 1, size - 1, size + 1,
				     (1 << _IOC_SIZEBITS) - 1 };

		return _IOC(_IOC_DIR(nr), _IOC_TYPE(nr), _IOC_NR(nr),
			    s[below(r, 5)] & ((1 << _IOC_SIZEBITS) - 1));
	}
	case 3:
		return _IOC(below(r, 4), _IOC_TYPE(nr), _IOC_NR(nr), size);
	case 4:
		return _IOC(_IOC_DIR(nr), _IOC_TYPE(nr),
			    (_IOC_NR(nr) + (one_in(r, 2) ? 1 : -1)) & 0xff, size);
	default:
		return nr | (rnd(r) & ~0xffffffffUL);	/* upper bits */
	}
}

/* ---- operations -------------------------------------------------------- */

/* A child's VMs belong to it: debugfs names them <pid>-<fd>. */
static void op_debugfs(struct thr *t)
{
	static const char *const files[] = { "exits", "exit_reasons",
		"io_exits", "pio_kernel_pic" };
	struct rng *r = &t->r;
	char path[128], buf[512];
	unsigned long seq;
	struct entry *e;
	int fd, vm = get_fd(r, K_VM);

	if (one_in(r, 4))
		snprintf(path, sizeof(path), "/sys/kernel/debug/hvmm/%s",
			 files[below(r, 4)]);
	else
		snprintf(path, sizeof(path), "/sys/kernel/debug/hvmm/%d-%d/%s",
			 getpid(), vm, files[below(r, 4)]);
	e = log_start(t, OP_DEBUGFS, vm, 0, 0, &seq);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	log_end(e, seq, OP_DEBUGFS, fd);
}

/* Touch a byte through the kernel: a bad page is EFAULT, not SIGBUS. */
static void probe(char *p)
{
	char c;

	if (write(probe_pipe[1], p, 1) == 1)
		(void)!read(probe_pipe[0], &c, 1);
}

/*
 * Store a byte through the kernel too: another thread may have unmapped
 * the page (slot memory is unmapped and remapped at the same addresses).
 */
static void poke(void *p, char c)
{
	if (write(probe_pipe[1], &c, 1) == 1 &&
	    read(probe_pipe[0], p, 1) != 1)
		(void)!read(probe_pipe[0], &c, 1);
}

static void op_mmap(struct thr *t)
{
	static const unsigned long lens[] = { PG, 2 * PG, 3 * PG, 1, 0,
		PG + 1, 1UL << 30 };
	static const unsigned long offs[] = { 0, PG, 2 * PG, 3 * PG, 1,
		KVM_PIO_PAGE_OFFSET * PG, 1UL << 40, ~0UL << 12 };
	struct rng *r = &t->r;
	int fd = get_fd(r, K_VCPU);
	unsigned long len = lens[below(r, 7)];
	unsigned long off = below(r, 2) ? 0 : offs[below(r, 8)];
	int prot = below(r, 4) ? PROT_READ | PROT_WRITE : below(r, 8);
	int flags = below(r, 4) ? MAP_SHARED : MAP_PRIVATE;
	unsigned long seq;
	struct entry *e = log_start(t, OP_MMAP, fd, off, len, &seq);
	char *p = mmap(NULL, len, prot, flags, fd, off);
	unsigned long i;

	log_end(e, seq, OP_MMAP, p == MAP_FAILED ? -1 : 0);
	if (p == MAP_FAILED)
		return;
	/* A good kvm_run mapping is kept for KVM_RUN's immediate_exit. */
	if (!off && len >= PG && flags == MAP_SHARED &&
	    prot == (PROT_READ | PROT_WRITE) && below(r, 2)) {
		runmaps[below(r, NR_RUNMAPS)] = p;
		return;
	}
	if ((prot & PROT_READ) && len <= 4 * PG)
		for (i = 0; i < len; i += PG)
			probe(p + i);
	if (one_in(r, 4) && len > PG)
		p = mremap(p, len, len + PG, MREMAP_MAYMOVE);
	if (p != MAP_FAILED && below(r, 4))
		munmap(p, len);
}

/* Memory behind slots goes away and comes back, perhaps read-only. */
static void op_remap(struct thr *t)
{
	struct rng *r = &t->r;
	int i = below(r, NR_POOL);
	unsigned long seq;
	struct entry *e = log_start(t, OP_REMAP, -1, i, 0, &seq);
	int prot = below(r, 2) ? PROT_READ | PROT_WRITE :
		   below(r, 2) ? PROT_READ : PROT_NONE;
	long ret;

	ret = munmap(pool[i], POOL_PAGES * PG);
	if (!ret && below(r, 3))
		ret = mmap(pool[i], POOL_PAGES * PG, prot,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			   -1, 0) ==
			MAP_FAILED ? -1 : 0;
	log_end(e, seq, OP_REMAP, ret);
}

/* KVM hands VM and vCPU fds to their creator's mm only: -EIO elsewhere. */
static void op_fork(struct thr *t)
{
	struct rng *r = &t->r;
	int vm = get_fd(r, K_VM), vcpu = get_fd(r, K_VCPU);
	unsigned long seq;
	struct entry *e = log_start(t, OP_FORK, vm, 0, vcpu, &seq);
	struct kvm_regs regs;
	int ws = 0;
	pid_t p;

	p = fork();
	if (!p) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		ioctl(vm, KVM_CREATE_VCPU, 7);
		ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP);
		ioctl(vcpu, KVM_GET_REGS, &regs);
		ioctl(vcpu, KVM_RUN, 0);
		_exit(0);
	}
	if (p > 0)
		while (waitpid(p, &ws, 0) < 0 && errno == EINTR)
			;
	log_end(e, seq, OP_FORK, p < 0 ? -1 : ws);
}

static void op_ioctl(struct thr *t)
{
	struct rng *r = &t->r;
	unsigned int i = below(r, NR_ICTLS);
	const struct ictl *ic = &ictls[i];
	int fd = get_fd(r, ic->kind);
	unsigned long arg;
	long ret;

	if (no_run && ic->nr == KVM_RUN)
		return;
	if (ic->nr == KVM_RUN) {
		struct kvm_run *run = runmaps[below(r, NR_RUNMAPS)];

		if (run)
			poke(&run->immediate_exit, one_in(r, 4));
	}
	arg = gen_arg(t, ic);
	ret = do_ioctl(t, i, fd, ic->nr, arg);
	remember(t, ic, arg, ret);
	if (ret >= 0 && ic->nr == KVM_CREATE_VM)
		put_fd(r, ret, K_VM);
	if (ret >= 0 && ic->nr == KVM_CREATE_VCPU)
		put_fd(r, ret, K_VCPU);
}

static long call(struct thr *t, int fd, unsigned long nr, unsigned long arg)
{
	unsigned int i;

	for (i = 0; i < NR_ICTLS; i++)
		if (ictls[i].nr == nr)
			return do_ioctl(t, i, fd, nr, arg);
	return do_ioctl(t, OP_RAW, fd, nr, arg);
}

/*
 * A VM as a VMM builds one (syzkaller's "templates"): without these
 * chains most device calls would only ever see -ENXIO.
 */
static void op_setup(struct thr *t)
{
	struct kvm_pit_config pc = { 0 };
	struct hvmm_i8042_config kc = { 0 };
	struct kvm_userspace_memory_region m = { 0 };
	struct rng *r = &t->r;
	int dev = get_fd(r, K_DEV), vm, vcpu;
	unsigned long seq;
	struct entry *e;
	void *p;

	vm = call(t, dev, KVM_CREATE_VM, 0);
	if (vm < 0)
		return;
	put_fd(r, vm, K_VM);
	m.slot = below(r, 4);
	m.memory_size = POOL_PAGES * PG;
	m.userspace_addr = (unsigned long)pool[below(r, NR_POOL)];
	call(t, vm, KVM_SET_USER_MEMORY_REGION, (unsigned long)&m);
	call(t, vm, KVM_CREATE_IRQCHIP, 0);
	pc.flags = below(r, 2);
	if (below(r, 4))
		call(t, vm, KVM_CREATE_PIT2, (unsigned long)&pc);
	if (below(r, 4))
		call(t, vm, HVMM_CREATE_I8042, (unsigned long)&kc);
	vcpu = call(t, vm, KVM_CREATE_VCPU, below(r, 2));
	if (vcpu < 0)
		return;
	put_fd(r, vcpu, K_VCPU);
	e = log_start(t, OP_MMAP, vcpu, 0, 2 * PG, &seq);
	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	log_end(e, seq, OP_MMAP, p == MAP_FAILED ? -1 : 0);
	if (p != MAP_FAILED)
		runmaps[below(r, NR_RUNMAPS)] = p;
}

static void op_raw(struct thr *t)
{
	struct rng *r = &t->r;
	static const int kinds[] = { K_DEV, K_VM, K_VCPU };
	int fd = get_fd(r, kinds[below(r, 3)]);
	unsigned long nr = gen_nr(r), arg;
	char junk[256];

	if (no_run && (uint32_t)nr == KVM_RUN)
		return;
	fill(r, junk, sizeof(junk));
	arg = below(r, 2) ? place(t, junk, sizeof(junk), 1) : boundary(r, 64);
	if (do_ioctl(t, OP_RAW, fd, nr, arg) >= 0 &&
	    (nr == KVM_CREATE_VM || nr == KVM_CREATE_VCPU))
		close(fd);	/* a result we cannot name the kind of */
}

static void one_op(struct thr *t)
{
	struct rng *r = &t->r;
	unsigned long seq;
	struct entry *e;
	int a, b;
	unsigned int w = below(r, 100);

	if (w < 3) {
		op_setup(t);
	} else if (w < 55) {
		op_ioctl(t);
	} else if (w < 70) {
		op_raw(t);
	} else if (w < 76) {
		op_mmap(t);
	} else if (w < 80) {
		/* Close a number that other threads may be using right now. */
		struct fdent *f = &fds[below(r, NR_FDS)];

		a = __atomic_exchange_n(&f->fd, -1, __ATOMIC_RELAXED);
		e = log_start(t, OP_CLOSE, a, 0, 0, &seq);
		log_end(e, seq, OP_CLOSE, a > 2 && a != probe_pipe[0] &&
			a != probe_pipe[1] ? close(a) : -1);
	} else if (w < 84) {
		/* One object's number now names another (kinds go stale). */
		a = get_fd(r, below(r, 3) + K_DEV);
		b = fds[below(r, NR_FDS)].fd;
		e = log_start(t, OP_DUP2, a, b, 0, &seq);
		log_end(e, seq, OP_DUP2, b > 2 && b != probe_pipe[0] &&
			b != probe_pipe[1] ? dup2(a, b) : -1);
	} else if (w < 88) {
		e = log_start(t, OP_OPEN, -1, 0, 0, &seq);
		a = open(dev_path, below(r, 8) ? O_RDWR : O_RDONLY);
		log_end(e, seq, OP_OPEN, a);
		put_fd(r, a, K_DEV);
	} else if (w < 92) {
		op_remap(t);
	} else if (w < 97) {
		op_debugfs(t);
	} else {
		op_fork(t);
	}
}

static int workers_left;	/* atomic */

static void *worker(void *arg)
{
	struct thr *t = arg;
	int n = OPS_MIN + below(&t->r, OPS_MAX - OPS_MIN);

	while (n--)
		one_op(t);
	__atomic_fetch_sub(&workers_left, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void on_signal(int sig)
{
}

/* ---- errnos KVM defines ------------------------------------------------ */

static int implemented(unsigned long nr, int kind)
{
	unsigned int i;

	for (i = 0; i < NR_ICTLS; i++)
		if (ictls[i].nr == nr && ictls[i].kind == kind &&
		    ictls[i].impl)
			return 1;
	return 0;
}

static void expect(struct thr *t, int fd, const char *what,
		   unsigned long nr, unsigned long arg, int want)
{
	char nbuf[64];
	long ret = do_ioctl(t, OP_RAW, fd, nr, arg);

	if (ret == -1 && errno == want)
		return;
	failf("# %s %s arg %#lx: got %ld (%s), KVM's answer is %s\n", what,
	      op_name(OP_RAW, nr, nbuf, sizeof(nbuf)), arg, ret,
	      ret < 0 ? strerror(errno) : "success", strerror(want));
}

/*
 * On private fds of a VM with every in-kernel device, single-threaded:
 * an unknown ioctl is -EINVAL on /dev/hvmm and vCPUs and -ENOTTY on VMs
 * (kvm_dev_ioctl(), kvm_arch_vm_ioctl(), kvm_arch_vcpu_ioctl()); a
 * fixed-size struct at a bad address is -EFAULT (KVM copies the
 * argument before it looks at the device); so is an output struct at a
 * read-only address.
 */
static void errno_checks(struct thr *t)
{
	struct kvm_pit_config pc = { .flags = KVM_PIT_SPEAKER_DUMMY };
	struct hvmm_i8042_config kc = { 0 };
	struct rng *r = &t->r;
	int dev, vm, vcpu, i, fds3[3];
	static const int kinds[3] = { K_DEV, K_VM, K_VCPU };
	static const int unknown[3] = { EINVAL, ENOTTY, EINVAL };

	dev = open(dev_path, O_RDWR);
	vm = dev < 0 ? -1 : ioctl(dev, KVM_CREATE_VM, 0);
	if (vm < 0 || ioctl(vm, KVM_CREATE_IRQCHIP, 0) ||
	    ioctl(vm, KVM_CREATE_PIT2, &pc) ||
	    ioctl(vm, HVMM_CREATE_I8042, &kc)) {
		failf("# setting up a VM with every device: %s\n",
		      strerror(errno));
		goto out;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		failf("# KVM_CREATE_VCPU: %s\n", strerror(errno));
		goto out;
	}
	fds3[0] = dev;
	fds3[1] = vm;
	fds3[2] = vcpu;
	for (i = 0; i < 16; i++) {
		int k = below(r, 3);
		unsigned long nr = _IOC(below(r, 4),
					one_in(r, 2) ? KVMIO : HVMMIO,
					below(r, 256),
					boundary(r, _IOC_SIZEBITS));

		if (one_in(r, 2))
			nr = gen_nr(r);
		/* Types other than KVM's and hvmm's may be VFS ioctls. */
		if ((_IOC_TYPE(nr) != KVMIO && _IOC_TYPE(nr) != HVMMIO) ||
		    (nr >> 32) || implemented(nr, kinds[k]))
			continue;
		expect(t, fds3[k], "unknown", nr, (unsigned long)t->buf,
		       unknown[k]);
	}
	for (i = 0; i < 16; i++) {
		const struct ictl *ic = &ictls[below(r, NR_ICTLS)];
		unsigned long bad;
		size_t k;
		int fd;

		if (!ic->impl || ic->argt == A_VAL ||
		    ic->nr == KVM_GET_SUPPORTED_CPUID)
			continue;
		fd = fds3[ic->kind - K_DEV];
		switch (below(r, 5)) {
		case 0:
			bad = 0;
			break;
		case 1:
			bad = (unsigned long)hole_page;
			break;
		case 2:
			bad = 0xffffffff81000000UL;
			break;
		case 3:
			if (ic->argt == A_IN)
				continue;
			bad = (unsigned long)ro_page;
			break;
		default:
			k = 1 + below(r, ic->size - 1);
			if (k > PG)
				k = PG;
			memset(t->straddle + PG - k, 0, k);
			bad = (unsigned long)t->straddle + PG - k;
			break;
		}
		expect(t, fd, "bad pointer:", ic->nr, bad, EFAULT);
	}
	close(vcpu);
out:
	if (vm >= 0)
		close(vm);
	if (dev >= 0)
		close(dev);
}

/* ---- one batch, in a child --------------------------------------------- */

static char *map(size_t len, int prot)
{
	char *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		_exit(3);
	}
	return p;
}

static void setup_thread(struct thr *t, uint64_t seed, int id)
{
	memset(t, 0, sizeof(*t));
	t->r.s = mix(seed ^ mix(id + 1));
	t->id = id;
	t->buf = map(BUF_PAGES * PG, PROT_READ | PROT_WRITE);
	t->straddle = map(2 * PG, PROT_READ | PROT_WRITE);
	mprotect(t->straddle + PG, PG, PROT_NONE);
}

static int run_batch(uint64_t seed, int nthreads)
{
	static struct thr thr[MAX_THREADS + 1];
	struct sigaction sa = { .sa_handler = on_signal };
	struct rng *r;
	int i, pre;

	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: calls see EINTR */
	if (pipe2(probe_pipe, O_NONBLOCK))
		return 3;
	/*
	 * Zeros first: an in/out struct read from there is valid (chip_id
	 * 0), so the write back is what fails (the EFAULT checks).
	 */
	ro_page = map(PG, PROT_READ | PROT_WRITE);
	memset(ro_page + PG / 2, 0x5a, PG / 2);
	mprotect(ro_page, PG, PROT_READ);
	/* Kept mapped, so that no later mapping lands on it. */
	hole_page = map(PG, PROT_NONE);
	for (i = 0; i < NR_POOL; i++)
		pool[i] = map(POOL_PAGES * PG, PROT_READ | PROT_WRITE);
	for (i = 0; i < NR_FDS; i++)
		fds[i].fd = -1;

	/* Thread MAX_THREADS: the errno checks and the first objects. */
	setup_thread(&thr[MAX_THREADS], seed, MAX_THREADS);
	r = &thr[MAX_THREADS].r;
	errno_checks(&thr[MAX_THREADS]);
	pre = 1 + below(r, 3);
	for (i = 0; i < pre; i++) {
		int dev = open(dev_path, O_RDWR), vm, j;

		put_fd(r, dev, K_DEV);
		vm = dev < 0 ? -1 : ioctl(dev, KVM_CREATE_VM, 0);
		put_fd(r, vm, K_VM);
		if (vm >= 0 && below(r, 3))
			ioctl(vm, KVM_CREATE_IRQCHIP, 0);
		for (j = below(r, 3); vm >= 0 && j > 0; j--) {
			int vcpu = ioctl(vm, KVM_CREATE_VCPU, j - 1);
			void *p;

			put_fd(r, vcpu, K_VCPU);
			p = vcpu < 0 ? MAP_FAILED :
			    mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
				 MAP_SHARED, vcpu, 0);
			if (p != MAP_FAILED)
				runmaps[below(r, NR_RUNMAPS)] = p;
		}
	}

	/* Every buffer first: a running worker unmaps and remaps memory. */
	for (i = 0; i < nthreads; i++)
		setup_thread(&thr[i], seed, i);
	workers_left = nthreads;
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&thr[i].pt, NULL, worker, &thr[i]))
			return 3;
	}
	/* Signals cut blocking calls (KVM_RUN waiting in the fake). */
	while (__atomic_load_n(&workers_left, __ATOMIC_RELAXED)) {
		struct timespec ts = { 0, 200000 + below(r, 2000000) };

		nanosleep(&ts, NULL);
		pthread_kill(thr[below(r, nthreads)].pt, SIGUSR1);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(thr[i].pt, NULL);
	return sh->failure[0] ? 2 : 0;
}

/* ---- the parent -------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void dump_stacks(pid_t pid)
{
	char path[300], buf[4096];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		ssize_t n;
		int fd;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", pid,
			 d->d_name);
		fd = open(path, O_RDONLY);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = 0;
		fprintf(stderr, "# task %s kernel stack:\n%s", d->d_name, buf);
	}
	if (dir)
		closedir(dir);
}

/*
 * VMs of a process that is gone must be gone: the last fput() at exit
 * destroys them, and with them their debugfs directory <pid>-<fd>.
 * Returns how many are left over (dead owner), listing them.
 */
static int leaked_vms(void)
{
	DIR *dir = opendir("/sys/kernel/debug/hvmm");
	struct dirent *d;
	int n = 0, pid, fd;

	while (dir && (d = readdir(dir))) {
		if (sscanf(d->d_name, "%d-%d", &pid, &fd) != 2)
			continue;
		if (kill(pid, 0) && errno == ESRCH) {
			fprintf(stderr, "# leaked VM: debugfs %s\n", d->d_name);
			n++;
		}
	}
	if (dir)
		closedir(dir);
	return n;
}

static void usage(const char *me)
{
	fprintf(stderr,
		"Usage: %s [-s SEED] [-t SECONDS] [-n BATCHES] [-j THREADS] [-T HANG_SECONDS] [-N] [-v]\n",
		me);
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t seed = 0;
	unsigned long batch, max_batches = 0, secs = 60;
	unsigned long total_ok = 0, total_calls = 0, per_op[NR_OPS][2];
	int have_seed = 0, threads = 0, hang = 30, verbose = 0, o, fail = 0;
	double t0, elapsed;
	char nbuf[64];
	unsigned int i;

	while ((o = getopt(argc, argv, "s:t:n:j:T:Nv")) != -1) {
		switch (o) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			have_seed = 1;
			break;
		case 't':
			secs = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			max_batches = strtoul(optarg, NULL, 0);
			break;
		case 'j':
			threads = atoi(optarg);
			break;
		case 'T':
			hang = atoi(optarg);
			break;
		case 'N':
			no_run = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (threads < 0 || threads > MAX_THREADS || hang < 1)
		usage(argv[0]);
	if (getenv("HVMM_DEV"))
		dev_path = getenv("HVMM_DEV");
	if (!have_seed)
		seed = mix(time(NULL) ^ ((uint64_t)getpid() << 32));
	/* TAP (kselftest): one result line, everything else a comment. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stderr, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..1\n");
	printf("# ioctl_fuzz: seed %#llx (replay: -s %#llx), %s, time %lus%s, batches %lu%s, hang timeout %ds\n",
	       (unsigned long long)seed, (unsigned long long)seed, dev_path,
	       secs, secs ? "" : " (unbounded)", max_batches,
	       max_batches ? "" : " (unbounded)", hang);
	if (access(dev_path, R_OK | W_OK)) {
		printf("ok 1 # SKIP %s: %s\n", dev_path, strerror(errno));
		return 4;
	}
	o = open(dev_path, O_RDWR);
	i = o < 0 ? -1 : ioctl(o, KVM_CREATE_VM, 0);
	if ((int)i < 0 && errno == EOPNOTSUPP) {
		printf("ok 1 # SKIP KVM_CREATE_VM is EOPNOTSUPP (no VT-x)\n");
		return 4;
	}
	if ((int)i >= 0)
		close(i);
	if (o >= 0)
		close(o);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 3;
	memset(per_op, 0, sizeof(per_op));

	t0 = now();
	for (batch = 0; !max_batches || batch < max_batches; batch++) {
		uint64_t bseed = mix(seed ^ mix(batch));
		int nthreads = threads ? threads :
			       1 + (int)(mix(bseed) % MAX_THREADS);
		struct pollfd pfd;
		int ws, pidfd, st;
		pid_t pid;

		if (secs && now() - t0 >= secs)
			break;
		memset(sh, 0, sizeof(*sh));
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (!pid)
			_exit(run_batch(bseed, nthreads));
		pidfd = syscall(SYS_pidfd_open, pid, 0);
		pfd.fd = pidfd;
		pfd.events = POLLIN;
		if (pidfd >= 0 && poll(&pfd, 1, hang * 1000) == 0) {
			fprintf(stderr,
				"# ioctl_fuzz: HANG: batch %lu (seed %#llx, %d threads) still running after %ds\n",
				batch, (unsigned long long)seed, nthreads, hang);
			print_ring();
			dump_stacks(pid);
			kill(pid, SIGKILL);
			if (poll(&pfd, 1, 20000) == 0) {
				fprintf(stderr, "# ioctl_fuzz: the child does not die of SIGKILL either\n");
				dump_stacks(pid);
				return 1;
			}
			waitpid(pid, &ws, 0);
			fail = 1;
			break;
		}
		if (pidfd >= 0)
			close(pidfd);
		while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
			;
		for (i = 0; i < NR_OPS; i++) {
			per_op[i][0] += sh->calls[i];
			per_op[i][1] += sh->ok[i];
		}
		total_calls += sh->execs;
		st = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
		if (st) {
			fprintf(stderr, "# ioctl_fuzz: batch %lu (seed %#llx, %d threads) %s %d\n%s", batch,
				(unsigned long long)seed, nthreads,
				WIFEXITED(ws) ? "exited with status" :
				"died of signal", WIFEXITED(ws) ? st :
				WTERMSIG(ws), sh->failure);
			print_ring();
			fail = 1;
			break;
		}
		if (leaked_vms()) {
			fprintf(stderr,
				"# ioctl_fuzz: batch %lu (seed %#llx) left VMs behind its exit\n",
				batch, (unsigned long long)seed);
			print_ring();
			fail = 1;
			break;
		}
		if (verbose)
			printf("# batch %lu: %d threads, %lu calls\n", batch,
			       nthreads, sh->execs);
	}
	elapsed = now() - t0;
	for (i = 0; i < NR_OPS; i++)
		total_ok += per_op[i][1];
	printf("# per call: calls / succeeded\n");
	for (i = 0; i < NR_OPS; i++)
		if (per_op[i][0] || i < NR_ICTLS)
			printf("#  %-36s %8lu %8lu\n",
			       op_name(i, 0, nbuf, sizeof(nbuf)),
			       per_op[i][0], per_op[i][1]);
	printf("%s 1 ioctl_fuzz: %lu batches, %lu calls (%lu succeeded) in %.1fs: %.0f execs/sec (seed %#llx)\n",
	       fail ? "not ok" : "ok", batch, total_calls, total_ok, elapsed,
	       elapsed > 0 ? total_calls / elapsed : 0.0,
	       (unsigned long long)seed);
	return fail;
}
