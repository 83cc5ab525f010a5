#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build and run the host-tier tests and record one TAP file per program.
#   run.sh OUTDIR FUZZ_SECONDS UNIT_PROG... -- FUZZ_BIN...
# OUTDIR is cleared first, so no result of an earlier run survives.
# Every program is built here (make -k, $MAKE): one that does not build
# is a "not ok" (<name>-build.tap) and is not run, and a stale binary
# from an earlier build is never used.  UNIT_PROG may also be a shell
# script (tests/unit/*_test.sh), run as it is.
# A unit test's TAP is kept as it printed it; its exit status is checked
# too, so a crash after the last "ok" still fails, and a unit test has
# no reason to skip: exit status 4 or a "# SKIP" result is a failure.
# Each fuzzer runs for a bounded time on an in-memory corpus; any crash,
# leak or sanitizer report is a "not ok".
set -u
out=$1 secs=$2
shift 2
make=${MAKE:-make}
t0=$(date +%s)
rm -rf "$out"
mkdir -p "$out"

nunit=0 nfuzz=0 phase=unit bins=
for bin in "$@"; do
	if [ "$bin" = "--" ]; then
		phase=fuzz
		continue
	fi
	case $bin in
	*.sh) ;;
	*) bins="$bins $bin" ;;
	esac
	if [ $phase = unit ]; then
		nunit=$((nunit + 1))
	else
		nfuzz=$((nfuzz + 1))
	fi
done
echo "== tier unit: $nunit unit tests, $nfuzz fuzzers of ${secs}s each" \
	"(budget about $((nfuzz * (secs + 5) + 120))s, builds included)"

# Build everything that builds; which target failed is asked of make
# below (make -q: a target whose build failed is still out of date).
buildlog=$out/build.log
# shellcheck disable=SC2086
$make --no-print-directory -k $bins > "$buildlog" 2>&1
built()
{
	[ -x "$1" ] && $make --no-print-directory -q "$1" > /dev/null 2>&1
}

phase=unit
for bin in "$@"; do
	if [ "$bin" = "--" ]; then
		phase=fuzz
		continue
	fi
	name=$(basename "$bin" .sh)
	case $bin in
	*.sh) ;;
	*)
		if ! built "$bin"; then
			{
				printf 'TAP version 13\n1..1\n'
				printf 'not ok 1 %s builds (see %s)\n' "$name" "$buildlog"
				grep -a "error\|undefined reference" "$buildlog" |
					grep -a "$name\|tests/\|src/" | head -n 20 |
					sed 's/^/# /'
			} > "$out/$name-build.tap"
			echo "not ok: $name does not build"
			continue
		fi
		;;
	esac
	if [ "$phase" = unit ]; then
		"$bin" > "$out/$name.log" 2>&1
		rc=$?
		if [ $rc -ne 0 ]; then
			echo "# $name exited with status $rc" >> "$out/$name.log"
			# Force prove to see the failure even if TAP looked clean;
			# 4 (kselftest "skip") is no pass here either.
			printf 'TAP version 13\n1..1\nnot ok 1 %s exit status %d%s\n' \
				"$name" "$rc" "$([ $rc -eq 4 ] &&
				echo ': a unit test may not skip')" \
				> "$out/$name-exit.tap"
		fi
		# prove counts "ok N # SKIP" as a pass; a unit test has no
		# reason to skip one of its cases either.
		if grep -aiq '^\(not \)\?ok [0-9]*.*# skip\|^1\.\.0 *# skip' \
			"$out/$name.log"; then
			{
				printf 'TAP version 13\n1..1\nnot ok 1 %s skipped:\n' "$name"
				grep -ai '# skip' "$out/$name.log" | sed 's/^/# /'
			} > "$out/$name-skip.tap"
		fi
		cp "$out/$name.log" "$out/$name.tap"
		echo "$(grep -aE '^(not )?ok|^# Totals' "$out/$name.log" |
			tail -n 1) [$name rc=$rc]"
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
echo "== tier unit: done in $(($(date +%s) - t0))s"
exit 0
