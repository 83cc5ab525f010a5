// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_USER_MEMORY_REGION rules (src/core/memslot.c) against KVM's
 * contract: Documentation/virt/kvm/api.rst section 4.35 and
 * virt/kvm/kvm_main.c __kvm_set_memory_region() of Linux 6.1.  Each
 * test names the rule it checks.
 */
#include "../../src/core/memslot.h"
#include "kselftest_harness.h"

#define PG	HVMM_MEM_PAGE_SIZE
#define UADDR	0x7f0000000000ULL

struct vmslots {
	struct hvmm_memslot s[HVMM_USER_MEM_SLOTS];
};

static void slots_init(struct vmslots *v)
{
	u32 i;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < HVMM_USER_MEM_SLOTS; i++)
		v->s[i].id = i;
}

/* The whole ioctl: prepare, then commit what was accepted. */
static int set_region(struct vmslots *v, u32 slot, u32 flags, u64 gpa,
		      u64 size, u64 uaddr, enum hvmm_mr_change *chg)
{
	struct kvm_userspace_memory_region mem = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = uaddr,
	};
	enum hvmm_mr_change c = HVMM_MR_NONE;
	struct hvmm_memslot new;
	struct vmslots before = *v;
	int r;

	r = hvmm_memslot_prepare(v->s, &mem, &new, &c);
	if (r) {
		/* A refused request changes nothing. */
		if (memcmp(&before, v, sizeof(before)))
			return -1000;
		return r;
	}
	hvmm_memslot_commit(v->s, &new, c);
	if (chg)
		*chg = c;
	return 0;
}

TEST(create_then_lookup)
{
	struct vmslots v;
	enum hvmm_mr_change c;

	slots_init(&v);
	ASSERT_EQ(0, set_region(&v, 0, 0, 0, 16 * PG, UADDR, &c));
	EXPECT_EQ(HVMM_MR_CREATE, c);
	EXPECT_EQ(16, v.s[0].npages);
	EXPECT_EQ(0, v.s[0].base_gfn);
	EXPECT_EQ(UADDR, v.s[0].userspace_addr);
	EXPECT_EQ(&v.s[0], hvmm_memslot_lookup(v.s, 0));
	EXPECT_EQ(&v.s[0], hvmm_memslot_lookup(v.s, 15));
	EXPECT_EQ(NULL, hvmm_memslot_lookup(v.s, 16));
}

/* "Bits 0-15 of slot specify the slot id and this value should be less
 * than the maximum number of user memory slots supported per VM."
 */
TEST(slot_id_limit)
{
	struct vmslots v;

	slots_init(&v);
	EXPECT_EQ(-EINVAL, set_region(&v, HVMM_USER_MEM_SLOTS, 0, 0, PG,
				      UADDR, NULL));
	EXPECT_EQ(-EINVAL, set_region(&v, 0xffff, 0, 0, PG, UADDR, NULL));
	EXPECT_EQ(0, set_region(&v, HVMM_USER_MEM_SLOTS - 1, 0, 0, PG, UADDR,
				NULL));
}

/* Bits 16-31 select the address space; hvmm has only 0 (no SMM). */
TEST(address_space_must_be_zero)
{
	struct vmslots v;

	slots_init(&v);
	EXPECT_EQ(-EINVAL, set_region(&v, 1 << 16, 0, 0, PG, UADDR, NULL));
	EXPECT_EQ(-EINVAL, set_region(&v, 0xffff0000, 0, 0, PG, UADDR,
				      NULL));
}

/* check_memory_region_flags(): unimplemented KVM_MEM_* flags -EINVAL
 * (dirty logging); KVM_MEM_READONLY is implemented.
 */
TEST(flags)
{
	struct vmslots v;

	slots_init(&v);
	EXPECT_EQ(-EINVAL, set_region(&v, 0, KVM_MEM_LOG_DIRTY_PAGES, 0, PG,
				      UADDR, NULL));
	EXPECT_EQ(-EINVAL, set_region(&v, 0, KVM_MEM_LOG_DIRTY_PAGES |
				      KVM_MEM_READONLY, 0, PG, UADDR, NULL));
	EXPECT_EQ(-EINVAL, set_region(&v, 0, 1u << 31, 0, PG, UADDR, NULL));
	EXPECT_EQ(-EINVAL, set_region(&v, 0, 1u << 2, 0, PG, UADDR, NULL));
	ASSERT_EQ(0, set_region(&v, 0, KVM_MEM_READONLY, 0, PG, UADDR, NULL));
	EXPECT_EQ(KVM_MEM_READONLY, v.s[0].flags);
}

/* __kvm_set_memory_region(): "(mem->flags ^ old->flags) &
 * KVM_MEM_READONLY" on a live slot is -EINVAL, both ways; a move keeps
 * the flag.
 */
TEST(readonly_cannot_toggle)
{
	struct vmslots v;
	enum hvmm_mr_change c;

	slots_init(&v);
	ASSERT_EQ(0, set_region(&v, 0, KVM_MEM_READONLY, 0, PG, UADDR, NULL));
	ASSERT_EQ(0, set_region(&v, 1, 0, PG, PG, UADDR, NULL));
	EXPECT_EQ(-EINVAL, set_region(&v, 0, 0, 0, PG, UADDR, NULL));
	EXPECT_EQ(-EINVAL, set_region(&v, 1, KVM_MEM_READONLY, PG, PG, UADDR,
				      NULL));
	ASSERT_EQ(0, set_region(&v, 0, KVM_MEM_READONLY, 4 * PG, PG, UADDR,
				&c));
	EXPECT_EQ(HVMM_MR_MOVE, c);
	EXPECT_EQ(KVM_MEM_READONLY, v.s[0].flags);
	/* delete ignores flags */
	EXPECT_EQ(0, set_region(&v, 0, 0, 0, 0, 0, NULL));
}

/* "memory_size and guest_phys_addr ... aligned to PAGE_SIZE";
 * userspace_addr page aligned too (__kvm_set_memory_region).
 */
TEST(alignment)
{
	struct vmslots v;

	slots_init(&v);
	EXPECT_EQ(-EINVAL, set_region(&v, 0, 0, 0, PG + 1, UADDR, NULL));
	EXPECT_EQ(-EINVAL, set_region(&v, 0, 0, 0, PG / 2, UADDR, NULL));
	EXPECT_EQ(-EINVAL, set_region(&v, 0, 0, 0x800, PG, UADDR, NULL));
	EXPECT_EQ(-EINVAL, set_region(&v, 0, 0, 0, PG, UADDR + 8, NULL));
	EXPECT_EQ(0, set_region(&v, 0, 0, PG, PG, UADDR, NULL));
}

/* guest_phys_addr + memory_size must not wrap; npages is capped at
 * KVM_MEM_MAX_NR_PAGES = 2^31 - 1.
 */
TEST(size_limits)
{
	struct vmslots v;

	slots_init(&v);
	EXPECT_EQ(-EINVAL, set_region(&v, 0, 0, ~0ULL - PG + 1, 2 * PG,
				      UADDR, NULL));
	EXPECT_EQ(-EINVAL, set_region(&v, 0, 0, 0, (1ULL << 31) * PG,
				      UADDR, NULL));
	EXPECT_EQ(0, set_region(&v, 0, 0, 0, ((1ULL << 31) - 1) * PG,
				UADDR, NULL));
	EXPECT_EQ((1ULL << 31) - 1, v.s[0].npages);
}

/* "It is an error to ... overlap ... slots": -EEXIST, any overlap. */
TEST(overlap_is_eexist)
{
	struct vmslots v;

	slots_init(&v);
	ASSERT_EQ(0, set_region(&v, 0, 0, 16 * PG, 16 * PG, UADDR, NULL));
	/* identical, inside, straddling start, straddling end, covering */
	EXPECT_EQ(-EEXIST, set_region(&v, 1, 0, 16 * PG, 16 * PG, UADDR,
				      NULL));
	EXPECT_EQ(-EEXIST, set_region(&v, 1, 0, 20 * PG, PG, UADDR, NULL));
	EXPECT_EQ(-EEXIST, set_region(&v, 1, 0, 15 * PG, 2 * PG, UADDR,
				      NULL));
	EXPECT_EQ(-EEXIST, set_region(&v, 1, 0, 31 * PG, 2 * PG, UADDR,
				      NULL));
	EXPECT_EQ(-EEXIST, set_region(&v, 1, 0, 0, 64 * PG, UADDR, NULL));
	/* touching is fine on both sides; userspace ranges may alias */
	EXPECT_EQ(0, set_region(&v, 1, 0, 15 * PG, PG, UADDR, NULL));
	EXPECT_EQ(0, set_region(&v, 2, 0, 32 * PG, PG, UADDR, NULL));
}

/* KVM 6.1: memory_size 0 deletes; deleting an empty slot is -EINVAL. */
TEST(delete)
{
	struct vmslots v;
	enum hvmm_mr_change c;

	slots_init(&v);
	EXPECT_EQ(-EINVAL, set_region(&v, 3, 0, 0, 0, 0, NULL));
	ASSERT_EQ(0, set_region(&v, 3, 0, 0, 4 * PG, UADDR, NULL));
	ASSERT_EQ(0, set_region(&v, 3, 0, 0, 0, 0, &c));
	EXPECT_EQ(HVMM_MR_DELETE, c);
	EXPECT_EQ(0, v.s[3].npages);
	EXPECT_EQ(3, v.s[3].id);
	EXPECT_EQ(NULL, hvmm_memslot_lookup(v.s, 0));
	EXPECT_EQ(-EINVAL, set_region(&v, 3, 0, 0, 0, 0, NULL));
	/* The freed range is free again, for any slot. */
	EXPECT_EQ(0, set_region(&v, 4, 0, 0, 4 * PG, UADDR, NULL));
}

/* A live slot may only move (same size and userspace_addr). */
TEST(move_and_modify)
{
	struct vmslots v;
	enum hvmm_mr_change c;

	slots_init(&v);
	ASSERT_EQ(0, set_region(&v, 0, 0, 0, 4 * PG, UADDR, NULL));
	ASSERT_EQ(0, set_region(&v, 1, 0, 8 * PG, 4 * PG, UADDR, NULL));
	/* same request again: nothing to change */
	ASSERT_EQ(0, set_region(&v, 0, 0, 0, 4 * PG, UADDR, &c));
	EXPECT_EQ(HVMM_MR_NONE, c);
	/* resize and new userspace_addr are -EINVAL, not -EEXIST */
	EXPECT_EQ(-EINVAL, set_region(&v, 0, 0, 0, 8 * PG, UADDR, NULL));
	EXPECT_EQ(-EINVAL, set_region(&v, 0, 0, 0, 4 * PG, UADDR + PG,
				      NULL));
	/* moving onto another slot, or onto itself partly */
	EXPECT_EQ(-EEXIST, set_region(&v, 0, 0, 6 * PG, 4 * PG, UADDR, NULL));
	ASSERT_EQ(0, set_region(&v, 0, 0, 2 * PG, 4 * PG, UADDR, &c));
	EXPECT_EQ(HVMM_MR_MOVE, c);
	EXPECT_EQ(2, v.s[0].base_gfn);
	EXPECT_EQ(&v.s[0], hvmm_memslot_lookup(v.s, 5));
	EXPECT_EQ(NULL, hvmm_memslot_lookup(v.s, 1));
}

/* Lookup never finds an empty slot, even one with a stale base. */
TEST(lookup_ignores_empty_slots)
{
	struct vmslots v;
	u32 i;

	slots_init(&v);
	for (i = 0; i < HVMM_USER_MEM_SLOTS; i++)
		ASSERT_EQ(0, set_region(&v, i, 0, (u64)i * PG, PG,
					UADDR, NULL));
	for (i = 0; i < HVMM_USER_MEM_SLOTS; i++)
		EXPECT_EQ(&v.s[i], hvmm_memslot_lookup(v.s, i));
	EXPECT_EQ(NULL, hvmm_memslot_lookup(v.s, HVMM_USER_MEM_SLOTS));
	ASSERT_EQ(0, set_region(&v, 7, 0, 0, 0, 0, NULL));
	EXPECT_EQ(NULL, hvmm_memslot_lookup(v.s, 7));
	EXPECT_EQ(NULL, hvmm_memslot_lookup(v.s, ~0ULL));
}

TEST_HARNESS_MAIN
