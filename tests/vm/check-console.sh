#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Turn one VM-tier console log into TAP files.
#
#   check-console.sh CONSOLE OUTDIR "EXPECTED..." "MUST_NOT_SKIP..."
#
# Every result block HVMM-RESULT-BEGIN <name> rc=<n> ... HVMM-RESULT-END
# (tests/vm/guest-init.sh) of an EXPECTED name becomes OUTDIR/<name>.tap,
# kernel log lines stripped.  OUTDIR/console.tap then says: the boot
# reached the test runner; the runner finished and the guest powered
# off; each EXPECTED program reported a result with exit status 0 or 4
# (kselftest: pass or skip), and no MUST_NOT_SKIP program skipped; and
# the console holds no oops, BUG:, WARN splat, general protection fault,
# kmemleak or KASAN report (the kernel's own formats, so Debian's
# "RETBleed: WARNING: Spectre v2 mitigation" line is no failure).
set -u
raw=$1 out=$2 expected=$3 noskip=${4:-}
mkdir -p "$out"
tap=$out/console.tap
n=0 fail=0
ok()
{
	n=$((n + 1))
	echo "ok $n $*" >> "$tap"
}
notok()
{
	n=$((n + 1))
	fail=1
	echo "not ok $n $*" >> "$tap"
}
echo "TAP version 13" > "$tap"
# The serial console ends lines with CR LF; work on a clean copy.
clean=$out/.console.txt
tr -d '\r' < "$raw" > "$clean" 2>/dev/null || : > "$clean"
console=$clean

# Not anchored: the firmware's terminal escapes may precede it.
if grep -aq 'HVMM-RUNNER-START' "$console"; then
	ok "boot reached the test runner"
else
	notok "boot reached the test runner (see $raw)"
fi
if grep -aq '^HVMM-POWEROFF' "$console"; then
	ok "test runner finished and the guest powered off"
else
	notok "test runner finished and the guest powered off (hang or crash: see $raw)"
fi

for name in $expected; do
	rc=$(sed -n "s/^HVMM-RESULT-BEGIN $name rc=\([0-9a-z]*\).*/\1/p" \
		"$console" | tail -n 1)
	if [ -z "$rc" ]; then
		if grep -aq "^HVMM-TEST-START $name\$" "$console" &&
		   ! grep -aq "^HVMM-TEST-END $name " "$console"; then
			notok "$name reported a result (it hung or crashed the guest)"
		else
			notok "$name reported a result (it never did)"
		fi
		continue
	fi
	# Keep the block, minus kernel log lines that interleaved with it.
	awk -v n="$name" '
		$0 ~ "^HVMM-RESULT-BEGIN " n " " { on = 1; next }
		$0 == "HVMM-RESULT-END " n { on = 0 }
		on && !/^\[ *[0-9]+\.[0-9]+\] / { print }
	' "$console" > "$out/$name.tap"
	case $rc in
	0) ok "$name reported a result (exit 0)" ;;
	4)
		if echo " $noskip " | grep -q " $name "; then
			notok "$name reported a result: it skipped, but must run in this tier"
		else
			ok "$name reported a result (exit 4: skip)"
		fi
		;;
	124) notok "$name reported a result: killed by its time limit" ;;
	*) notok "$name reported a result: exit status $rc" ;;
	esac
	if ! grep -q '^\(not \)\?ok \|^1\.\.' "$out/$name.tap"; then
		printf 'not ok 1 %s printed no TAP\n1..1\n' "$name" >> "$out/$name.tap"
	fi
done

# Splats, in the formats the kernel prints them (lib/bug.c, kernel/panic.c,
# arch/x86/kernel/traps.c, mm/kmemleak.c, mm/kasan/report.c).
splat='(^|\] )(BUG: |Oops: |Kernel panic|WARNING: CPU: [0-9]+ PID: |------------\[ cut here \]------------|general protection|kmemleak: |BUG: KASAN|unreferenced object 0x)'
if grep -aEq "$splat" "$console"; then
	notok "no oops, BUG, WARN, general protection, kmemleak or KASAN report on the console"
	grep -aE "$splat" "$console" | sort -u | head -n 20 | sed 's/^/# /' >> "$tap"
else
	ok "no oops, BUG, WARN, general protection, kmemleak or KASAN report on the console"
fi
echo "1..$n" >> "$tap"
rm -f "$clean"
exit $fail
