#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Turn one VM-tier console log into TAP files.
#
#   check-console.sh [-s ACCEPTED] CONSOLE OUTDIR "EXPECTED..." ["MUST_NOT_SKIP..."]
#
# Every result block HVMM-RESULT-BEGIN <name> rc=<n> ... HVMM-RESULT-END
# (tests/vm/guest-init.sh) of an EXPECTED name becomes OUTDIR/<name>.tap,
# kernel log lines stripped.  OUTDIR/console.tap then says: the boot
# reached the test runner; the runner finished and the guest powered
# off; each EXPECTED program reported a result with exit status 0 or 4
# (kselftest: pass or skip), and no MUST_NOT_SKIP program exited 4; and
# the console holds none of the kernel splats listed in tests/vm/splats
# (oops, BUG:, WARN, lockdep, hung task, soft/hard lockup, RCU stall,
# UBSAN, KASAN, KFENCE, kmemleak, list/refcount corruption, ...: the
# kernel's own formats, so Debian's "RETBleed: WARNING: Spectre v2
# mitigation" line is no failure).
#
# -s ACCEPTED: no skip at all, unless ACCEPTED names it.  A skip is a
# program that exits 4 or prints "1..0 # SKIP reason", or one of its
# tests that reports "ok N # SKIP reason" (kselftest_harness SKIP(): it
# exits 0 and prove counts it as a pass).  ACCEPTED holds lines
#   <result name>  <reason substring>
# (the name may be a shell pattern; '#' starts a comment): a skip is
# accepted when its program's name matches and its reason contains the
# substring.  Every other skip is a "not ok".
set -u
accept=
while getopts s: o; do
	case $o in
	s) accept=$OPTARG ;;
	*) sed -n '3,/^set -u/p' "$0" | sed 's/^# \{0,1\}//;$d' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
raw=$1 out=$2 expected=$3 noskip=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
tap=$out/console.tap
n=0 fail=0
# accepted NAME REASON: does $accept list this skip?
accepted()
{
	while read -r pat sub; do
		case $pat in
		''|'#'*) continue ;;
		esac
		[ -n "$sub" ] || continue
		# shellcheck disable=SC2254
		case $1 in
		$pat) ;;
		*) continue ;;
		esac
		case $2 in
		*"$sub"*) return 0 ;;
		esac
	done < "$accept"
	return 1
}
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
	[ -n "$accept" ] || continue
	# Every skip of this program, as "<test>\t<reason>" lines.
	skips=$(awk '
		/^# +RUN / { test = $3 }
		/^1\.\.0 *# *[Ss][Kk][Ii][Pp]/ {
			r = $0; sub(/^1\.\.0 *# *[Ss][Kk][Ii][Pp] */, "", r)
			gsub(/#/, "%", r)
			print "(whole program)\t" r; next
		}
		/^ok [0-9]+ .*# *[Ss][Kk][Ii][Pp]/ {
			r = $0; sub(/^ok [0-9]+ .*# *[Ss][Kk][Ii][Pp] */, "", r)
			gsub(/#/, "%", r)	# no TAP directive in our lines
			print (test == "" ? "?" : test) "\t" r
		}
	' "$out/$name.tap")
	if [ "$rc" = 4 ] && [ -z "$skips" ]; then
		skips=$(printf '(whole program)\texit status 4, no reason given')
	fi
	[ -n "$skips" ] || continue
	tab=$(printf '\t')
	echo "$skips" | while IFS=$tab read -r test reason; do
		if accepted "$name" "$reason"; then
			echo "ok: $name: $test skipped ($reason): accepted by $accept"
		else
			echo "not ok: $name: $test skipped ($reason): not in $accept"
		fi
	done > "$out/.skips"
	while read -r verdict line; do
		if [ "$verdict" = ok: ]; then
			ok "$line"
		else
			notok "$line"
		fi
	done < "$out/.skips"
	rm -f "$out/.skips"
done

# Splats, in the formats the kernel prints them: tests/vm/splats.
grep -v '^#' "$here/splats" | grep -v '^$' > "$out/.splats"
if grep -aEqf "$out/.splats" "$console"; then
	notok "no kernel splat on the console (oops, BUG, WARN, lockdep, lockup, stall, hung task, UBSAN, KASAN, kmemleak, corruption: tests/vm/splats)"
	grep -aEf "$out/.splats" "$console" | sort -u | head -n 20 | sed 's/^/# /' >> "$tap"
else
	ok "no kernel splat on the console (oops, BUG, WARN, lockdep, lockup, stall, hung task, UBSAN, KASAN, kmemleak, corruption: tests/vm/splats)"
fi
rm -f "$out/.splats"
echo "1..$n" >> "$tap"
rm -f "$clean"
exit $fail
