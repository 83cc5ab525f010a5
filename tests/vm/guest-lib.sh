# SPDX-License-Identifier: GPL-2.0
# Helpers for the test plans that run inside the VM-tier guest
# (sourced by /opt/hvmm/run.sh; see tests/vm/boot.sh).

# run_test NAME SECONDS CMD [ARG...]: run CMD with a time limit, keep its
# output in $HVMM_RESULTS/NAME.log (and on the console as it comes) and
# its exit status in NAME.rc, and mark start and end on the console so
# that a hang is visible live.
# A test killed by the limit gets status 124 ("timeout").
run_test()
{
	name=$1 secs=$2
	shift 2
	echo "HVMM-TEST-START $name"
	# Live on the console too: if the test wedges the guest's kernel,
	# its last words are all there will be (the replay never comes).
	{
		timeout -s KILL "$secs" "$@" 2>&1
		echo $? > "$HVMM_RESULTS/$name.rc"
	} | tee "$HVMM_RESULTS/$name.log"
	rc=$(cat "$HVMM_RESULTS/$name.rc")
	# busybox timeout reports SIGKILL as 137; say "timeout" plainly.
	if [ "$rc" -eq 137 ]; then
		rc=124
		echo $rc > "$HVMM_RESULTS/$name.rc"
	fi
	echo "HVMM-TEST-END $name rc=$rc"
	return 0
}

# tap_step NAME DESCRIPTION CMD [ARG...]: run one shell step and append an
# ok/not ok line for it to the TAP file $HVMM_RESULTS/NAME.log, whose plan
# line tap_done writes.  The step's own output goes into the log as TAP
# comments.
tap_step()
{
	tapname=$1 file=$HVMM_RESULTS/$1.log desc=$2
	shift 2
	[ -e "$file" ] || echo "TAP version 13" > "$file"
	n=$(($(grep -c '^\(not \)\?ok ' "$file") + 1))
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] && echo "$out" | sed 's/^/# /' >> "$file"
	if [ $rc -eq 0 ]; then
		echo "ok $n $desc" >> "$file"
	else
		echo "not ok $n $desc (status $rc)" >> "$file"
	fi
	echo "HVMM-STEP $tapname: $(tail -n 1 "$file")"
	return $rc
}

# tap_done NAME: close the TAP file of tap_step NAME with its plan line.
tap_done()
{
	file=$HVMM_RESULTS/$1.log
	[ -e "$file" ] || return 0
	echo "1..$(grep -c '^\(not \)\?ok ' "$file")" >> "$file"
	echo 0 > "$HVMM_RESULTS/$1.rc"
}
