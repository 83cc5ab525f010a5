// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory stays the host's to manage while the VM lives: what a
 * guest has touched can be swapped out, reclaimed under a memory cgroup
 * limit and merged by KSM, and the guest still reads back what it wrote.
 * A hypervisor that pins guest pages (FOLL_LONGTERM) defeats all three:
 * pinned pages are skipped by reclaim and by KSM, and a cgroup full of
 * them OOM-kills the VMM; one whose MMU notifier sleeps on a lock held
 * across allocations hangs in reclaim.  KVM maps guest memory without
 * pinning and zaps EPT entries from its MMU notifier, so every test here
 * passes on /dev/kvm.
 *
 * Needs swap (the vmx tier puts it on zram), KSM and the cgroup v2 memory
 * controller; without any of them the whole program skips (exit 4), it
 * never passes untested.
 *
 * The guest (32-bit protected mode, no paging) fills or checks a range
 * of dwords with an arithmetic sequence on command over port I/O.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hvmm_util.h"

#define CMD_PORT	0x5f0	/* IN: command */
#define ARG_PORT	0x5f4	/* IN: address, dwords, first value, step */
#define RES_PORT	0x5f8	/* OUT: result */

enum { CMD_FILL = 1, CMD_CHECK };

/*
 * FILL: dword i = first + i * step, result 0.
 * CHECK: result = number of dwords that differ from that.
 */
asm(".pushsection .rodata\n\t"
	".code32\n"
	"fillcheck32_start:\n"
	"1:\n\t"
	"mov $0x5f0, %dx\n\t"
	"in %dx, %eax\n\t"
	"mov %eax, %ebp\n\t"		/* command */
	"mov $0x5f4, %dx\n\t"
	"in %dx, %eax\n\t"
	"mov %eax, %ebx\n\t"		/* address */
	"in %dx, %eax\n\t"
	"mov %eax, %ecx\n\t"		/* dwords, > 0 */
	"in %dx, %eax\n\t"
	"mov %eax, %esi\n\t"		/* first value */
	"in %dx, %eax\n\t"
	"mov %eax, %edi\n\t"		/* step */
	"mov %esi, %eax\n\t"
	"xor %esi, %esi\n\t"		/* result */
	"cmp $1, %ebp\n\t"
	"jne 3f\n"
	"2:\n\t"
	"mov %eax, (%ebx)\n\t"		/* FILL */
	"add %edi, %eax\n\t"
	"add $4, %ebx\n\t"
	"loop 2b\n\t"
	"jmp 8f\n"
	"3:\n\t"
	"cmp %eax, (%ebx)\n\t"		/* CHECK */
	"je 4f\n\t"
	"inc %esi\n"
	"4:\n\t"
	"add %edi, %eax\n\t"
	"add $4, %ebx\n\t"
	"loop 3b\n"
	"8:\n\t"
	"mov %esi, %eax\n\t"
	"mov $0x5f8, %dx\n\t"
	"out %eax, %dx\n\t"
	"jmp 1b\n"
	"fillcheck32_end:\n\t"
	".code64\n\t"
	".popsection");
GUEST_CODE_DECLARE(fillcheck32);

#define SLOT1		1
#define SLOT1_GPA	0x100000UL
#define MIB		(1024UL * 1024)

#define CGROUP_ROOT	"/sys/fs/cgroup"
#define KSM		"/sys/kernel/mm/ksm/"

struct rvm {
	struct test_vm vm;
	struct test_vcpu vcpu;
	uint32_t *buf;		/* behind slot 1 */
	size_t size;
};

static void rvm_destroy(struct rvm *r)
{
	if (r->vcpu.run)
		vcpu_destroy(&r->vcpu);
	if (r->vm.vm_fd >= 0)
		vm_destroy(&r->vm);
	if (r->buf)
		munmap(r->buf, r->size);
	memset(r, 0, sizeof(*r));
	r->vm.vm_fd = -1;
}

/* A VM with the guest loaded and @size bytes of fresh memory at SLOT1_GPA. */
static int rvm_create(struct rvm *r, size_t size)
{
	struct kvm_userspace_memory_region m = {
		.slot = SLOT1, .guest_phys_addr = SLOT1_GPA,
		.memory_size = size,
	};
	int err;

	memset(r, 0, sizeof(*r));
	r->vm.vm_fd = -1;
	err = vm_create(&r->vm);
	if (!err)
		err = vcpu_create(&r->vm, &r->vcpu, 0);
	if (!err)
		err = vcpu_setup(&r->vm, &r->vcpu, GUEST_PROT32,
				 fillcheck32_start, GUEST_SIZE(fillcheck32));
	if (err)
		return err;
	r->size = size;
	r->buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->buf == MAP_FAILED) {
		r->buf = NULL;
		return -errno;
	}
	/* 4 KiB pages on both sides: what is swapped or merged is exact. */
	madvise(r->buf, size, MADV_NOHUGEPAGE);
	m.userspace_addr = (uintptr_t)r->buf;
	if (ioctl(r->vm.vm_fd, KVM_SET_USER_MEMORY_REGION, &m))
		return -errno;
	return 0;
}

/* Run to the next port exit; anything else (MMIO, errors) is -1. */
static int next_io(struct rvm *r, uint8_t dir, uint16_t port)
{
	struct kvm_run *run = r->vcpu.run;

	if (vcpu_run(&r->vcpu) || run->exit_reason != KVM_EXIT_IO ||
	    run->io.direction != dir || run->io.port != port ||
	    run->io.size != 4)
		return -1;
	return 0;
}

static int give(struct rvm *r, uint16_t port, uint32_t val)
{
	if (next_io(r, KVM_EXIT_IO_IN, port))
		return -1;
	memcpy(io_data(&r->vcpu), &val, 4);
	return 0;
}

/*
 * Have the guest FILL or CHECK the whole slot with first + i * step;
 * returns the guest's result (CHECK: mismatching dwords) or -1.
 */
static long guest_cmd(struct rvm *r, uint32_t cmd, uint32_t first,
		      uint32_t step)
{
	uint32_t res;

	if (give(r, CMD_PORT, cmd) || give(r, ARG_PORT, SLOT1_GPA) ||
	    give(r, ARG_PORT, r->size / 4) || give(r, ARG_PORT, first) ||
	    give(r, ARG_PORT, step) || next_io(r, KVM_EXIT_IO_OUT, RES_PORT))
		return -1;
	memcpy(&res, io_data(&r->vcpu), 4);
	return res;
}

/* Dwords of the host's view of the slot that differ from the sequence. */
static size_t host_mismatches(struct rvm *r, uint32_t first, uint32_t step)
{
	size_t i, bad = 0;

	for (i = 0; i < r->size / 4; i++)
		bad += r->buf[i] != first + (uint32_t)i * step;
	return bad;
}

/* A "Name:  value kB" line of /proc/self/status, -1 if absent. */
static long status_kb(const char *name)
{
	char line[256];
	size_t n = strlen(name);
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static size_t resident_pages(void *p, size_t size)
{
	size_t i, n = size / 4096, res = 0;
	unsigned char *vec = calloc(n, 1);

	if (!vec || mincore(p, size, vec)) {
		free(vec);
		return n;
	}
	for (i = 0; i < n; i++)
		res += vec[i] & 1;
	free(vec);
	return res;
}

static long read_long(const char *path)
{
	char s[64] = "";
	long v = -1;
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		if (read(fd, s, sizeof(s) - 1) > 0)
			v = strtol(s, NULL, 10);
		close(fd);
	}
	return v;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int write_long(const char *path, long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%ld", v);
	return write_str(path, s);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * No shared state: the fixture is there for TEST_F_TIMEOUT, since Bochs
 * runs a few times slower than the harness's default 30 s assume.
 */
FIXTURE(reclaim) {
	int unused;
};

FIXTURE_SETUP(reclaim)
{
}

FIXTURE_TEARDOWN(reclaim)
{
}

/*
 * Swap: the guest writes a distinct pattern to every page, the VMM pages
 * all of it out (MADV_PAGEOUT), the pages must really leave the process
 * (VmSwap), and the guest then reads every dword back.
 */
TEST_F_TIMEOUT(reclaim, guest_memory_swaps_out_and_back, 60)
{
	const size_t size = 4 * MIB;
	/* Nearly all of it: a page or two may be busy at that moment. */
	const long want = (long)(size / 1024) * 3 / 4;
	long swap0, swap1, res;
	struct rvm r;
	int pass;
	size_t rss;

	ASSERT_EQ(0, rvm_create(&r, size));
	ASSERT_EQ(0, guest_cmd(&r, CMD_FILL, 0x10000000, 1));
	ASSERT_EQ(0, host_mismatches(&r, 0x10000000, 1));

	/*
	 * 6.1's MADV_PAGEOUT honours references, and KVM reports the
	 * guest's accesses through its clear_flush_young notifier (EPT A/D
	 * bits): a first pass only ages the pages the guest just used.  With
	 * the guest stopped, a later pass finds them unreferenced.
	 */
	swap0 = status_kb("VmSwap");
	for (pass = 1;; pass++) {
		ASSERT_EQ(0, madvise(r.buf, size, MADV_PAGEOUT));
		swap1 = status_kb("VmSwap");
		if (swap1 - swap0 >= want || pass == 4)
			break;
	}
	rss = resident_pages(r.buf, size);
	TH_LOG("VmSwap %ld -> %ld kB after %d passes, %zu of %zu pages resident",
	       swap0, swap1, pass, rss, size / 4096);
	EXPECT_GE(swap1 - swap0, want) {
		TH_LOG("guest memory did not leave RAM: pinned?");
	}

	res = guest_cmd(&r, CMD_CHECK, 0x10000000, 1);
	EXPECT_EQ(0, res);
	/* And the guest writes again over what came back from swap. */
	ASSERT_EQ(0, guest_cmd(&r, CMD_FILL, 0x30000000, 3));
	EXPECT_EQ(0, host_mismatches(&r, 0x30000000, 3));
	rvm_destroy(&r);
}

/* Pages of this process that KSM merged (6.1: /proc/self/ksm_merging_pages). */
static long ksm_merged(void)
{
	return read_long("/proc/self/ksm_merging_pages");
}

/*
 * KSM: pages the guest filled identically are merged while the VM lives;
 * the guest reads them through the shared page and its later writes
 * unshare them again (copy on write), each page keeping its own data.
 */
TEST_F_TIMEOUT(reclaim, guest_memory_ksm_merges, 60)
{
	const size_t size = 2 * MIB;
	long run0, scan0, sleep0, merged = 0;
	struct rvm r;
	double t0;

	run0 = read_long(KSM "run");
	scan0 = read_long(KSM "pages_to_scan");
	sleep0 = read_long(KSM "sleep_millisecs");
	ASSERT_EQ(0, rvm_create(&r, size));
	ASSERT_EQ(0, madvise(r.buf, size, MADV_MERGEABLE));
	ASSERT_EQ(0, guest_cmd(&r, CMD_FILL, 0x5a5a5a5a, 0));

	/* ksmd needs two passes over the pages to merge them. */
	ASSERT_EQ(0, write_long(KSM "pages_to_scan", 1000));
	ASSERT_EQ(0, write_long(KSM "sleep_millisecs", 10));
	ASSERT_EQ(0, write_long(KSM "run", 1));
	for (t0 = now(); now() - t0 < 20; usleep(100 * 1000)) {
		merged = ksm_merged();
		if (merged >= (long)(size / 4096) / 2)
			break;
	}
	TH_LOG("%ld of %zu guest pages merged after %.1f s", merged,
	       size / 4096, now() - t0);
	EXPECT_LE((long)(size / 4096) / 2, merged) {
		TH_LOG("KSM cannot merge guest memory: pinned?");
	}

	/* Read through the merged pages, then write: COW breaks them. */
	EXPECT_EQ(0, guest_cmd(&r, CMD_CHECK, 0x5a5a5a5a, 0));
	EXPECT_EQ(0, guest_cmd(&r, CMD_FILL, 0x70000000, 1));
	EXPECT_EQ(0, guest_cmd(&r, CMD_CHECK, 0x70000000, 1));
	EXPECT_EQ(0, host_mismatches(&r, 0x70000000, 1));

	write_long(KSM "run", run0);
	write_long(KSM "pages_to_scan", scan0);
	write_long(KSM "sleep_millisecs", sleep0);
	rvm_destroy(&r);
}

/* What the VM in the memory cgroup reports to the parent. */
struct cg_result {
	int step;		/* last step reached, 99 = done */
	long err;
	long mismatches;
	long swap_kb;		/* VmSwap after the guest's fill */
};

#define CG_MAX		(4 * MIB)	/* memory.max */
#define CG_GUEST	(8 * MIB)	/* guest memory, all touched */

static void cg_child(const char *cg, int fd)
{
	struct cg_result res = { 0 };
	char path[256];
	struct rvm r;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	res.err = write_str(path, "0");
	if (!res.err) {
		res.step = 1;
		res.err = rvm_create(&r, CG_GUEST);
	}
	if (!res.err) {
		res.step = 2;
		res.err = guest_cmd(&r, CMD_FILL, 0x50000000, 5);
	}
	if (!res.err) {
		res.step = 3;
		res.swap_kb = status_kb("VmSwap");
		res.mismatches = guest_cmd(&r, CMD_CHECK, 0x50000000, 5);
		if (res.mismatches >= 0)
			res.mismatches += host_mismatches(&r, 0x50000000, 5);
		res.step = 99;
	}
	if (write(fd, &res, sizeof(res)) != sizeof(res))
		_exit(2);
	_exit(0);
}

/*
 * Memory cgroup: a VM whose guest touches twice the group's memory.max.
 * The host must reclaim guest pages to swap while the vCPU keeps
 * faulting them in; the VM must neither hang (a notifier waiting for a
 * lock its own allocation holds) nor be OOM-killed (pinned pages).
 */
TEST_F_TIMEOUT(reclaim, guest_memory_over_cgroup_limit, 60)
{
	char cg[128], path[256], line[128];
	struct cg_result res = { 0 };
	int fds[2], status = 0;
	long oom_kills = -1;
	pid_t pid, done = 0;
	double t0;
	FILE *f;

	snprintf(cg, sizeof(cg), CGROUP_ROOT "/hvmm-reclaim-%d", getpid());
	ASSERT_EQ(0, mkdir(cg, 0755));
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	ASSERT_EQ(0, write_long(path, CG_MAX));
	ASSERT_EQ(0, pipe(fds));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(fds[0]);
		cg_child(cg, fds[1]);
	}
	close(fds[1]);
	/* Bounded: a VMM stuck in the kernel must fail the test, not hang it. */
	for (t0 = now(); now() - t0 < 30; usleep(100 * 1000)) {
		done = waitpid(pid, &status, WNOHANG);
		if (done)
			break;
	}
	EXPECT_EQ(pid, done) {
		TH_LOG("the VM in the memory cgroup hangs");
		kill(pid, SIGKILL);
	}
	if (done == pid && read(fds[0], &res, sizeof(res)) != sizeof(res))
		res.step = -1;
	close(fds[0]);

	snprintf(path, sizeof(path), "%s/memory.events", cg);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "oom_kill %ld", &oom_kills);
	if (f)
		fclose(f);
	TH_LOG("child: status %#x, step %d, err %ld, VmSwap %ld kB, %ld mismatches, %ld OOM kills",
	       status, res.step, res.err, res.swap_kb, res.mismatches,
	       oom_kills);
	if (done == pid) {
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
		EXPECT_EQ(0, oom_kills);
		EXPECT_EQ(99, res.step);
		EXPECT_EQ(0, res.err);
		EXPECT_EQ(0, res.mismatches);
		/* Proof that the limit made the host reclaim guest memory. */
		EXPECT_LT(0, res.swap_kb);
		rmdir(cg);
	}
}

/* Swap, KSM and the cgroup v2 memory controller, or a reason why not. */
static const char *missing(void)
{
	static char why[160];
	char line[256];
	int swaps = 0, err;
	FILE *f;

	f = fopen("/proc/swaps", "r");
	while (f && fgets(line, sizeof(line), f))
		swaps += line[0] == '/';
	if (f)
		fclose(f);
	if (!swaps)
		return "no swap active (/proc/swaps)";
	if (access(KSM "run", W_OK) || access("/proc/self/ksm_merging_pages",
					       R_OK))
		return "no writable " KSM "run or no /proc/self/ksm_merging_pages";
	if (access(CGROUP_ROOT "/cgroup.controllers", R_OK) &&
	    mount("cgroup2", CGROUP_ROOT, "cgroup2", 0, NULL))
		return "cgroup v2 is not mounted and cannot be";
	err = write_str(CGROUP_ROOT "/cgroup.subtree_control", "+memory");
	if (err) {
		snprintf(why, sizeof(why),
			 "cannot enable the memory controller in %s: %s",
			 CGROUP_ROOT, strerror(-err));
		return why;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *why;

	require_vm("reclaim_test");
	why = missing();
	if (why) {
		printf("TAP version 13\n1..0 # SKIP reclaim_test: %s\n", why);
		return 4;
	}
	return test_harness_run(argc, argv);
}
