#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the host-tier tests and record one TAP file per program.
#   run.sh OUTDIR FUZZ_SECONDS UNIT_BIN... -- FUZZ_BIN...
# A unit test's TAP is kept as it printed it; its exit status is checked
# too, so a crash after the last "ok" still fails.  Each fuzzer runs for a
# bounded time on an in-memory corpus; any crash, leak or sanitizer report
# is a "not ok".
set -u
out=$1 secs=$2
shift 2
rm -rf "$out"
mkdir -p "$out"
phase=unit
for bin in "$@"; do
	if [ "$bin" = "--" ]; then
		phase=fuzz
		continue
	fi
	name=$(basename "$bin")
	if [ "$phase" = unit ]; then
		"$bin" > "$out/$name.log" 2>&1
		rc=$?
		if [ $rc -ne 0 ] && [ $rc -ne 4 ]; then
			echo "# $name exited with status $rc" >> "$out/$name.log"
			# Force prove to see the failure even if TAP looked clean.
			printf 'TAP version 13\n1..1\nnot ok 1 %s exit status %d\n' \
				"$name" "$rc" > "$out/$name-exit.tap"
		fi
		cp "$out/$name.log" "$out/$name.tap"
		grep -E '^(not )?ok|^# Totals' "$out/$name.log" | tail -n 1
	else
		"$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
			-artifact_prefix="$out/$name-" \
			-print_final_stats=1 > "$out/$name.log" 2>&1
		rc=$?
		if [ $rc -eq 0 ]; then
			runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log")
			printf 'TAP version 13\n1..1\nok 1 %s: %s inputs in %ss, no crash\n' \
				"$name" "${runs:-?}" "$secs" > "$out/$name.tap"
		else
			printf 'TAP version 13\n1..1\nnot ok 1 %s: status %d (see %s)\n' \
				"$name" "$rc" "$out/$name.log" > "$out/$name.tap"
			tail -n 40 "$out/$name.log"
		fi
		echo "# fuzz $name rc=$rc"
	fi
done
exit 0
