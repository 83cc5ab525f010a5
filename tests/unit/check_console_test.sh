#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Unit test of the VM tiers' console checker (tests/vm/check-console.sh
# with tests/vm/splats and tests/vm/accepted-skips): sample console
# snippets in the kernel's own formats must fail the console, Debian's
# harmless boot lines must not, and skips are judged as the vmx tier
# judges them.  TAP 13 on stdout; run by the unit tier.
set -u
here=$(cd "$(dirname "$0")" && pwd)
check=$here/../vm/check-console.sh
accept=$here/../vm/accepted-skips
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
result()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fail=1
	fi
}

# console LINE...: a console log of a run that went fine but for LINEs
console()
{
	printf 'SeaBIOS\r\nHVMM-RUNNER-START 6.1.0-test\r\n'
	for l in "$@"; do
		printf '%s\r\n' "$l"
	done
	printf 'HVMM-RUNNER-DONE\r\nHVMM-POWEROFF\r\n'
}

# splat_fails EXPECT LINE: does a console holding LINE fail (EXPECT 1)
# or pass (0) the splat check, with a printk timestamp and without?
splat()
{
	want=$1 line=$2
	for form in "[   12.345678] $line" "$line"; do
		rm -rf "$tmp/out"
		console "[    0.000000] Linux version 6.1.0-test" "$form" \
			"[    1.000000] random: crng init done" > "$tmp/c.log"
		"$check" "$tmp/c.log" "$tmp/out" "" > /dev/null 2>&1
		if grep -q '^not ok .*no kernel splat' "$tmp/out/console.tap"; then
			got=1
		else
			got=0
		fi
		if [ $want = 1 ]; then
			[ $got = 1 ]
			result $? "splat caught: $form"
		else
			[ $got = 0 ]
			result $? "no splat: $form"
		fi
	done
}

# Every splat format the kernel has (6.1), as printed.
while IFS= read -r l; do
	[ -n "$l" ] && splat 1 "$l"
done <<'SPLATS'
watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [kworker/0:1:42]
NMI watchdog: Watchdog detected hard LOCKUP on cpu 1
rcu: INFO: rcu_sched detected stalls on CPUs/tasks:
rcu: INFO: rcu_preempt self-detected stall on CPU
rcu: INFO: rcu_sched detected expedited stalls on CPUs/tasks: { 0-... } 26 jiffies s: 253 root: 0x1/.
INFO: rcu_tasks detected stalls on tasks:
rcu: rcu_sched kthread starved for 10502 jiffies! g8357 f0x0 RCU_GP_WAIT_FQS(5) ->state=0x0 ->cpu=0
rcu: rcu_sched kthread timer wakeup didn't happen for 10499 jiffies! g8357 f0x0 RCU_GP_WAIT_FQS(5) ->state=0x402
INFO: task pio_test:123 blocked for more than 120 seconds.
UBSAN: shift-out-of-bounds in src/devices/i8254.c:123:45
UBSAN: array-index-out-of-bounds in src/devices/i8259.c:77:9
kernel BUG at mm/slub.c:4321!
invalid opcode: 0000 [#1] PREEMPT SMP NOPTI
general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] SMP NOPTI
general protection fault: 0000 [#1] SMP NOPTI
stack segment: 0000 [#1] SMP NOPTI
double fault: 0000 [#1] SMP NOPTI
Oops: 0002 [#1] SMP PTI
BUG: kernel NULL pointer dereference, address: 0000000000000000
BUG: unable to handle page fault for address: ffffc90000123000
BUG: KASAN: slab-out-of-bounds in hvmm_vcpu_run+0x12/0x340 [hvmm]
BUG: KFENCE: use-after-free read in hvmm_vm_release+0x1a/0x60 [hvmm]
kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)
unreferenced object 0xffff888003a1c000 (size 64):
WARNING: possible circular locking dependency detected
WARNING: inconsistent lock state
WARNING: suspicious RCU usage
WARNING: possible recursive locking detected
WARNING: bad unlock balance detected!
BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580
BUG: scheduling while atomic: pio_test/123/0x00000002
BUG: Invalid wait context
BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 31s!
BUG: Bad page state in process pio_test  pfn:1234a
list_add corruption. prev->next should be next (ffff888003a1c000), but was ffff888003a1d000. (prev=ffff888003a1e000).
list_del corruption, ffff888003a1c000->next is LIST_POISON1 (dead000000000100)
list_add double add: new=ffff888003a1c000, prev=ffff888003a1c000, next=ffff888003a1d000.
refcount_t: underflow; use-after-free.
refcount_t: saturated; leaking memory.
refcount_t: addition on 0; use-after-free.
refcount_t: decrement hit 0; leaking memory.
Kernel panic - not syncing: Fatal exception
WARNING: CPU: 0 PID: 123 at src/vmx/vmcs.c:42 hvmm_vmcs_load+0x12/0x34 [hvmm]
------------[ cut here ]------------
pio_test: page allocation failure: order:4, mode:0xcc0(GFP_KERNEL), nodemask=(null)
pio_test invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
Kernel stack is corrupted in: hvmm_vcpu_ioctl+0x1234/0x1240 [hvmm]
SPLATS

# Lines every healthy boot prints (Debian in QEMU and Bochs), and test
# output that mentions the words: no failure.
while IFS= read -r l; do
	[ -n "$l" ] && splat 0 "$l"
done <<'FINE'
RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable to RETBleed attacks, data leaks possible!
Spectre V2 : WARNING: Unprivileged eBPF is enabled with eIBRS on, data leaks possible via Spectre v2 BHB attacks!
rcu: Hierarchical RCU implementation.
rcu: RCU calculated value of scheduler-enlistment delay is 25 jiffies.
kmemleak: Kernel memory leak detector initialized (mem pool available: 15682)
x86/fpu: x87 FPU will use FXSAVE
HVMM-STEP kvm: ok 1 insmod irqbypass
#  RUN           global.sigkill_mid_run ...
ok 3 global.memory_unmapped_after_run
FINE

# skips RC STRICT TAP-LINES... : the checker's verdict on one program's
# result block: "pass" or "fail"
skips()
{
	name=$1 rc=$2 strict=$3
	shift 3
	rm -rf "$tmp/out"
	{
		echo "HVMM-RESULT-BEGIN $name rc=$rc"
		for l in "$@"; do
			echo "$l"
		done
		echo "HVMM-RESULT-END $name"
	} > "$tmp/block"
	console "HVMM-TEST-START $name" "HVMM-TEST-END $name rc=$rc" \
		"$(cat "$tmp/block")" > "$tmp/c.log"
	if [ "$strict" = 1 ]; then
		"$check" -s "$accept" "$tmp/c.log" "$tmp/out" "$name" > /dev/null 2>&1
	else
		"$check" "$tmp/c.log" "$tmp/out" "$name" "$strict" > /dev/null 2>&1
	fi
	if [ $? = 0 ]; then echo pass; else echo fail; fi
}
expect()
{
	want=$1 got=$2
	shift 2
	[ "$want" = "$got" ]
	result $? "skip check: $* ($got)"
}

i8042_skip='1..0 # SKIP i8042_test: /dev/kvm does not report HVMM_CAP_I8042'
expect pass "$(skips kvm-i8042_test 4 1 'TAP version 13' "$i8042_skip")" \
	"kvm-i8042_test's skip is listed in accepted-skips"
expect fail "$(skips i8042_test 4 1 'TAP version 13' \
	'1..0 # SKIP i8042_test: /dev/hvmm does not report HVMM_CAP_I8042')" \
	"i8042_test (on hvmm) may not skip"
expect fail "$(skips kvm-pio_test 4 1 'TAP version 13' \
	'1..0 # SKIP pio_test: /dev/kvm cannot create a VM here: Operation not supported')" \
	"a whole-program skip outside the list"
expect fail "$(skips pio_test 4 1 'TAP version 13' '1..0')" \
	"exit 4 without any reason"
harness_skip='#  RUN           global.ext_cpuid ...
#      SKIP      no KVM_CAP_EXT_CPUID
#            OK  global.ext_cpuid
ok 2 # SKIP no KVM_CAP_EXT_CPUID'
# shellcheck disable=SC2086
expect fail "$(skips vm_api_test 0 1 'TAP version 13' '1..2' \
	'#  RUN           global.a ...' '#            OK  global.a' \
	'ok 1 global.a' "$harness_skip" '# PASSED: 2 / 2 tests passed.')" \
	"a harness SKIP() (exit 0) in the strict tier"
expect pass "$(skips vm_api_test 0 '' 'TAP version 13' '1..1' \
	"$harness_skip")" "the same SKIP() where skips are allowed (qemu tier)"
expect pass "$(skips core_test 0 1 'TAP version 13' '1..1' \
	'#  RUN           global.fake_only ...' \
	'ok 1 # SKIP needs the fake backend (HVMM_FAKE_VMX=1)')" \
	"core_test's fake-backend-only test is listed"
expect fail "$(skips core_test 0 1 'TAP version 13' '1..1' \
	'ok 1 # SKIP debugfs not mounted')" \
	"core_test may skip nothing else"
expect fail "$(skips pio_test 4 'pio_test' 'TAP version 13' "$i8042_skip")" \
	"MUST_NOT_SKIP still refuses exit 4 (qemu tier)"
expect pass "$(skips pio_test 0 1 'TAP version 13' '1..1' 'ok 1 global.a')" \
	"no skip, strict: pass"

echo "1..$n"
exit $fail
