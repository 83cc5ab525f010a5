#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Summarise the TAP files of the given result folders (one per tier) with
# prove, so that each tier and `make check` end with prove's summary.  A
# folder with no TAP file means its tier never ran: that is a failure.
set -u
missing=0
for dir in "$@"; do
	if [ -z "$(find "$dir" -name '*.tap' 2>/dev/null | head -n 1)" ]; then
		echo "tier $dir left no results: it did not run" >&2
		mkdir -p "$dir"
		printf 'TAP version 13\n1..1\nnot ok 1 %s produced no results\n' \
			"$dir" > "$dir/tier-missing.tap"
		missing=1
	fi
done
files=$(find "$@" -name '*.tap' | sort)
prove --exec cat $files
rc=$?
[ $missing -eq 0 ] || rc=1
exit $rc
