#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Grade the vmx tier's exit_bench runs (tests/vm/plan-vmx.sh runs it
# kvm, hvmm, hvmm, kvm in one boot, through tests/vm/bench-run.sh).
#
#   bench-grade.sh CONSOLE(no CRs) OUT.tap OUT.txt
#
# Each run must have ended with status 0 and given a figure for every
# benchmark; anything missing or failed is a "not ok" in OUT.tap.
# OUT.txt lists every run's figure beside the mitigation settings that
# run reported (exit_bench-env), then one comparison per benchmark with
# all figures of each side and ratio = mean(hvmm) / mean(kvm): below 1
# means hvmm is cheaper.  Inside Bochs the figures are emulated
# instructions (design.md), so runs of one side should agree closely.
set -u
console=$1 tap=$2 txt=$3
runs="kvm-1 hvmm-1 hvmm-2 kvm-2"
benches="pio_exit_roundtrip inkernel_pic_read inkernel_pit_read"
n=0 fail=0
echo "TAP version 13" > "$tap"
: > "$txt"
for r in $runs; do
	# The replayed block of run bench-<r> (tests/vm/guest-init.sh).
	awk -v n="bench-$r" '
		$0 ~ "^HVMM-RESULT-BEGIN " n " " { on = 1; print; next }
		$0 == "HVMM-RESULT-END " n { on = 0 }
		on && !/^\[ *[0-9]+\.[0-9]+\] / { print }
	' "$console" > "$tap.block"
	rc=$(sed -n "s/^HVMM-RESULT-BEGIN bench-$r rc=\([0-9a-z]*\).*/\1/p" \
		"$tap.block" | tail -n 1)
	env=$(sed -n 's/^exit_bench-env: //p' "$tap.block" | tail -n 1)
	for b in $benches; do
		n=$((n + 1))
		c=$(sed -n "s/^exit_bench: $b dev=[^ ]* n=[0-9]* cycles=\([0-9][0-9]*\)$/\1/p" \
			"$tap.block" | tail -n 1)
		if [ "$rc" = 0 ] && [ -n "$c" ]; then
			echo "ok $n bench-$r $b cycles=$c" >> "$tap"
			echo "exit_bench: $b run=$r cycles=$c [${env:-no settings reported}]" >> "$txt"
			echo "$r $b $c" >> "$tap.figs"
		else
			fail=1
			echo "not ok $n bench-$r $b: no figure (exit status ${rc:-none: the run never reported})" >> "$tap"
			echo "exit_bench: $b run=$r cycles=none (status ${rc:-none})" >> "$txt"
			grep -a '^exit_bench' "$tap.block" | sed 's/^/# /' >> "$tap"
		fi
	done
done
touch "$tap.figs"
for b in $benches; do
	awk -v b="$b" '
		$2 == b && $1 ~ /^kvm/ { k = k (k == "" ? "" : ",") $3; ks += $3; kn++ }
		$2 == b && $1 ~ /^hvmm/ { h = h (h == "" ? "" : ",") $3; hs += $3; hn++ }
		END {
			r = (kn && hn && ks > 0) ? sprintf("%.2f", (hs / hn) / (ks / kn)) : "none"
			printf "exit_bench: %s kvm=%s hvmm=%s ratio=%s\n", b,
				k == "" ? "none" : k, h == "" ? "none" : h, r
		}' "$tap.figs" >> "$txt"
done
rm -f "$tap.block" "$tap.figs"
echo "1..$n" >> "$tap"
exit $fail
