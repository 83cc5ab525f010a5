// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel test of src/core/iobus.c, built into a throw-away module by
 * tests/core/iobus_ktest.sh and loaded in QEMU (no VT-x needed).  It
 * prints KTAP on the console and fails to load (-EINVAL) if any check
 * fails, so the script needs only the insmod status.
 *
 * Checks: registration refuses a zero length, wrap-around, ranges past
 * the address space, overlaps on either side, containment and double
 * registration; lookups find the range that holds the first byte (by
 * binary search over many ranges), pass offset and width, mask reads to
 * the width, fall through on gaps and on a device that declines
 * (-EOPNOTSUPP), and stop after unregistration.
 */
#include <linux/module.h>
#include "iobus.c"	/* -I src/core, see iobus_ktest.sh */

struct tdev {
	struct hvmm_iodev io;
	u64 last_off;
	u32 last_len;
	u64 last_val;
	int calls;
	bool decline;
};

static int t_read(struct hvmm_iodev *io, u64 off, u32 len, u64 *val)
{
	struct tdev *d = container_of(io, struct tdev, io);

	if (d->decline)
		return -EOPNOTSUPP;
	d->calls++;
	d->last_off = off;
	d->last_len = len;
	*val = ~0ULL;	/* the bus must cut this to the width */
	return 0;
}

static int t_write(struct hvmm_iodev *io, u64 off, u32 len, u64 val)
{
	struct tdev *d = container_of(io, struct tdev, io);

	if (d->decline)
		return -EOPNOTSUPP;
	d->calls++;
	d->last_off = off;
	d->last_len = len;
	d->last_val = val;
	return 0;
}

static const struct hvmm_iodev_ops t_ops = { .read = t_read, .write = t_write };

static int nr_tests, nr_failed;

#define CHECK(cond) do {						\
	nr_tests++;							\
	if (cond) {							\
		pr_info("ok %d %s\n", nr_tests, #cond);			\
	} else {							\
		nr_failed++;						\
		pr_info("not ok %d %s (line %d)\n", nr_tests, #cond,	\
			__LINE__);					\
	}								\
} while (0)

static void tdev_init(struct tdev *d, u64 base, u64 len)
{
	memset(d, 0, sizeof(*d));
	d->io.ops = &t_ops;
	d->io.name = "t";
	d->io.base = base;
	d->io.len = len;
}

#define NR_MANY 40

static int __init iobus_ktest_init(void)
{
	static struct tdev a, b, c, z, wrap, past, lo, hi, in, dup, many[NR_MANY];
	struct hvmm_iobus bus;
	u64 val;
	u32 stat = 0;
	int i, ok;

	pr_info("KTAP version 1\n");
	hvmm_iobus_init(&bus, 0x10000);

	/* 8259A-like and 8254-like ranges */
	tdev_init(&a, 0x20, 2);
	tdev_init(&b, 0x40, 4);
	tdev_init(&c, 0x61, 1);
	CHECK(hvmm_iobus_register(&bus, &b.io, 8) == 0);
	CHECK(hvmm_iobus_register(&bus, &a.io, 16) == 0);
	CHECK(hvmm_iobus_register(&bus, &c.io, 24) == 0);

	tdev_init(&z, 0x100, 0);
	CHECK(hvmm_iobus_register(&bus, &z.io, 0) == -EINVAL);
	tdev_init(&wrap, ~0ULL - 1, 4);
	CHECK(hvmm_iobus_register(&bus, &wrap.io, 0) == -EINVAL);
	tdev_init(&past, 0xfffe, 4);
	CHECK(hvmm_iobus_register(&bus, &past.io, 0) == -EINVAL);
	tdev_init(&lo, 0x1e, 3);	/* last byte 0x20: overlaps a */
	CHECK(hvmm_iobus_register(&bus, &lo.io, 0) == -EEXIST);
	tdev_init(&hi, 0x43, 8);	/* first byte 0x43: overlaps b */
	CHECK(hvmm_iobus_register(&bus, &hi.io, 0) == -EEXIST);
	tdev_init(&in, 0x41, 1);	/* inside b */
	CHECK(hvmm_iobus_register(&bus, &in.io, 0) == -EEXIST);
	CHECK(hvmm_iobus_register(&bus, &a.io, 0) == -EEXIST);
	tdev_init(&dup, 0x10, 0x100);	/* covers all */
	CHECK(hvmm_iobus_register(&bus, &dup.io, 0) == -EEXIST);

	/* dispatch by the first byte, offset from the base, width kept */
	val = 0;
	CHECK(hvmm_iobus_access(&bus, 0x21, 1, false, &val, &stat) == 0);
	CHECK(a.calls == 1 && a.last_off == 1 && a.last_len == 1);
	CHECK(val == 0xff && stat == 16);
	CHECK(hvmm_iobus_access(&bus, 0x43, 2, false, &val, &stat) == 0);
	CHECK(b.last_off == 3 && b.last_len == 2 && val == 0xffff);
	CHECK(stat == 8);
	val = 0x1234;
	CHECK(hvmm_iobus_access(&bus, 0x61, 2, true, &val, &stat) == 0);
	CHECK(c.last_off == 0 && c.last_val == 0x1234 && stat == 24);
	CHECK(hvmm_iobus_access(&bus, 0x22, 1, false, &val, &stat) ==
	      -EOPNOTSUPP);
	CHECK(hvmm_iobus_access(&bus, 0x1f, 2, false, &val, &stat) ==
	      -EOPNOTSUPP);	/* starts before a: not a's */
	CHECK(hvmm_iobus_access(&bus, 0x0, 1, false, &val, &stat) ==
	      -EOPNOTSUPP);
	CHECK(hvmm_iobus_access(&bus, 0x20, 0, false, &val, &stat) ==
	      -EOPNOTSUPP);
	CHECK(hvmm_iobus_access(&bus, 0x20, 9, false, &val, &stat) ==
	      -EOPNOTSUPP);
	c.decline = true;
	CHECK(hvmm_iobus_access(&bus, 0x61, 1, true, &val, &stat) ==
	      -EOPNOTSUPP);

	/* many ranges: every one found, every gap empty */
	for (i = 0; i < NR_MANY; i++) {
		tdev_init(&many[i], 0x1000 + 0x10 * (NR_MANY - 1 - i), 4);
		if (hvmm_iobus_register(&bus, &many[i].io, 0))
			break;
	}
	CHECK(i == NR_MANY);
	ok = 1;
	for (i = 0; i < NR_MANY; i++) {
		u64 base = many[i].io.base;

		if (hvmm_iobus_access(&bus, base + 3, 1, false, &val, &stat) ||
		    many[i].last_off != 3 ||
		    hvmm_iobus_access(&bus, base + 4, 1, false, &val,
				      &stat) != -EOPNOTSUPP)
			ok = 0;
	}
	CHECK(ok);

	/* removal: gone from lookups, the others stay */
	hvmm_iobus_unregister(&bus, &a.io);
	CHECK(hvmm_iobus_access(&bus, 0x20, 1, false, &val, &stat) ==
	      -EOPNOTSUPP);
	CHECK(hvmm_iobus_access(&bus, 0x40, 1, false, &val, &stat) == 0);
	hvmm_iobus_unregister(&bus, &a.io);	/* twice: nothing happens */
	CHECK(hvmm_iobus_register(&bus, &a.io, 16) == 0);
	CHECK(hvmm_iobus_access(&bus, 0x20, 1, false, &val, &stat) == 0);

	hvmm_iobus_destroy(&bus);
	pr_info("1..%d\n", nr_tests);
	pr_info("# iobus_ktest: %d of %d failed\n", nr_failed, nr_tests);
	return nr_failed ? -EINVAL : 0;
}

static void __exit iobus_ktest_exit(void)
{
}

module_init(iobus_ktest_init);
module_exit(iobus_ktest_exit);
MODULE_LICENSE("GPL");
