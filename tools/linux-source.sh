#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Unpack the few files hvmm takes from Debian's linux-source-6.1 tarball
# (kselftest_harness.h, checkpatch.pl, kernel-doc) into $1, once.
set -e
dest=${1:-build/linux-source-6.1}
[ -f "$dest/.stamp" ] && exit 0
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "apt-get install linux-source-6.1" >&2; exit 1; }
mkdir -p "$dest"
tar -xf "$tarball" -C "$dest" --strip-components=1 --wildcards \
	'linux-source-6.1/scripts/checkpatch.pl' \
	'linux-source-6.1/scripts/spelling.txt' \
	'linux-source-6.1/scripts/const_structs.checkpatch' \
	'linux-source-6.1/scripts/kernel-doc' \
	'linux-source-6.1/tools/testing/selftests/kselftest.h' \
	'linux-source-6.1/tools/testing/selftests/kselftest_harness.h'
touch "$dest/.stamp"
