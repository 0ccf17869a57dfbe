#!/bin/bash
# SPDX-License-Identifier: MIT
# monitor --json writes JSON Lines: every line one JSON object, the events
# first and last the run's document ({"events": N}, with the "error" object
# of every command when the run fails), on every exit. The events themselves
# come from udev: tests/monitor/monitor-umockdev.c drives those.
. "$top_srcdir/tests/tap.sh"

# Every line of a text is one JSON object; prints how many lines.
json_lines() { # TEXT
	local line n=0
	while IFS= read -r line; do
		printf '%s\n' "$line" | jq -e 'type == "object"' >/dev/null 2>&1 || return 1
		n=$((n + 1))
	done <<<"$1"
	echo "$n"
}

# a usage error: the error document alone, on one line
run "$APMATRIX" --json monitor extra
is "$status" 2 "monitor with an argument: exit 2"
is "$(json_lines "$out")" 1 "one line of JSON"
is "$(printf '%s' "$out" | jq -c '[.error.code, .error.exit_status, has("events"), .meta.api_level]')" \
	'["usage",2,false,1]' \
	"the usage error object, and no events: monitor did not run"
run "$APMATRIX" monitor --count=-1 --json
is "$(printf '%s' "$out" | jq -c '.error.exit_status')" 2 "--count -1: the usage error (--json after the command)"
is "$(json_lines "$out")" 1 "on one line"

# It cannot listen (no file descriptor left for udev's socket): exit 1, and
# the last line is the run's document with the error. The limit that makes
# the socket fail depends on what the process inherits and loads: the first
# of a few limits that gets that far is taken.
listen_fails() { # LIMIT
	(
		for fd in $(ls /proc/$BASHPID/fd); do
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		ulimit -n "$1" && exec "$APMATRIX" --json monitor
	)
}
found=""
for limit in 4 5 6 7 8 9 10 12 16; do
	run listen_fails "$limit"
	if printf '%s' "$err" | grep -q "cannot listen to udev events"; then
		found=$limit
		break
	fi
done
if [ -n "$found" ]; then
	is "$status" 1 "cannot listen to udev (ulimit -n $found): exit 1"
	is "$(json_lines "$out")" 1 "one line of JSON"
	is "$(printf '%s' "$out" | jq -c '[.events, .error.code, .error.exit_status]')" '[0,"failed",1]' \
		"the run's document: no events, and the error object"
	like "$(printf '%s' "$out" | jq -r '.error.message')" "^cannot listen to udev events" \
		"whose message is the one on standard error"
else
	for i in 1 2 3 4; do
		tap_result 0 "# SKIP no file limit makes apmatrix fail at udev's socket here"
	done
fi

# monitor --json, ended by signal SIG once it listens: its exit status in
# status, its output in $tap_tmp/out and $tap_tmp/err
stop_monitor() { # SIG
	"$APMATRIX" -q --json monitor >"$tap_tmp/out" 2>"$tap_tmp/err" &
	pid=$!
	# it listens once it would say so; wait (bounded) for its socket
	for i in $(seq 50); do
		ls -l /proc/$pid/fd 2>/dev/null | grep -q 'socket:' && break
		sleep 0.1
	done
	sleep 0.2
	kill -"$1" $pid
	wait $pid
	status=$?
}

# Ended by SIGTERM before any event: exit 0 and the document alone.
stop_monitor TERM
if grep -q "cannot listen" "$tap_tmp/err"; then
	for i in 1 2 3; do
		tap_result 0 "# SKIP udev events cannot be received here"
	done
else
	is "$status" 0 "SIGTERM ends monitor --json: exit 0"
	out=$(cat "$tap_tmp/out")
	is "$(json_lines "$out")" 1 "one line of JSON"
	is "$(printf '%s' "$out" | jq -c 'del(.meta)')" '{"events":0}' "the run's document: no events"
fi

# Ended by SIGHUP (the session closed): the same clean end, its document last
stop_monitor HUP
if grep -q "cannot listen" "$tap_tmp/err"; then
	for i in 1 2; do
		tap_result 0 "# SKIP udev events cannot be received here"
	done
else
	is "$status" 0 "SIGHUP ends monitor --json: exit 0"
	out=$(cat "$tap_tmp/out")
	is "$(printf '%s' "$out" | jq -c '[.events, (.meta.api_level|type)]')" '[0,"number"]' \
		"the run's document, with its meta: no events"
fi

done_testing
