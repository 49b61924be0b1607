#!/usr/bin/env bats
# What a reader runs from the docs, without AWS: the man pages as man(1)
# shows them, the crontab's jobs (with the tools, flock and logger replaced
# by doubles that record where each line goes) and digest-mail.sh's help.

load helpers/common

EX="$UKTV_ROOT/examples"

@test "every man page formats at 80 columns without a troff warning" {
	cd "$UKTV_ROOT"
	for page in man/*.[137]; do
		run groff -ww -z -mandoc -Tutf8 -rLL=78n "$page"
		[ -z "$output" ] || { echo "$page: $output"; false; }
		if command -v man >/dev/null; then
			out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
			[ -z "$out" ] || { echo "$page: $out"; false; }
		fi
	done
}

@test "scripts/lint-man fails on a line troff cannot break" {
	cat >"$BATS_TEST_TMPDIR/long.1" <<'EOF'
.Dd $Mdocdate$
.Dt LONG 1
.Os
.Sh NAME
.Nm long
.Nd a page with a URL that runs past 80 columns
.Sh SEE ALSO
.Rs
.%T A reference
.%U https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html
.Re
EOF
	# mandoc alone finds nothing wrong with it.
	run mandoc -Tlint -W warning "$BATS_TEST_TMPDIR/long.1"
	assert_output ''
	run "$UKTV_ROOT/scripts/lint-man" "$BATS_TEST_TMPDIR/long.1"
	assert_failure
	assert_output --partial "can't break line"
	run "$UKTV_ROOT/scripts/lint-man" "$UKTV_ROOT"/man/*.[137]
	assert_success
}

# run_crontab DIR: run every job of examples/crontab once, as cron would
# (sh -c, the crontab's own variables), with doubles on PATH: flock runs
# its command, logger appends to DIR/log/TAG, and each uktv tool writes as
# the real one would for 50 items: stdout lines unless -n (uktv-publish:
# only with --results; digest-mail.sh: only with -n), one info line per
# item on stderr where the real tool has one (uktv-consume --enrich-missing)
# unless -q, and one warning that must reach syslog.
run_crontab() {
	local d=$1 bin=$1/bin
	mkdir -p "$bin" "$d/log" "$d/state"
	cat >"$bin/flock" <<'EOF'
#!/bin/sh
[ "$1" = -n ] || exit 64
shift 2
exec "$@"
EOF
	cat >"$bin/logger" <<EOF
#!/bin/sh
[ "\$1" = -t ] || exit 64
cat >>"$d/log/\$2"
EOF
	cat >"$bin/uktv-double" <<'EOF'
#!/bin/sh
tool=${0##*/}
out=1 info=0 quiet=0
case $tool in uktv-publish) out=0 ;; digest-mail.sh) out=0 ;; esac
for a; do
	case $a in
	-n) [ "$tool" = digest-mail.sh ] && out=1 || out=0 ;;
	--no-output) out=0 ;;
	--results) out=1 ;;
	-q|--quiet) quiet=1 ;;
	--enrich-missing) info=1 ;;
	esac
done
[ -t 0 ] || [ "$tool" != uktv-publish ] || cat >/dev/null
i=0
while [ $i -lt 50 ]; do
	i=$((i + 1))
	[ $out = 1 ] && echo "{\"$tool\":\"stdout line $i\"}"
	[ $info = 1 ] && [ $quiet = 0 ] && echo "$tool: title $i: enriched" >&2
done
echo "$tool: warning: something the operator must see" >&2
exit 0
EOF
	chmod +x "$bin"/*
	for t in uktv-refdata uktv-prefs uktv-titles uktv-publish uktv-consume \
	    uktv-notify uktv-guide digest-mail.sh; do
		ln -sf uktv-double "$bin/$t"
	done
	# The jobs: the lines with five time fields; the crontab's variables
	# for each, the state folder moved here.
	grep -vE '^[[:space:]]*(#|$)' "$EX/crontab" | grep -vE '^[A-Za-z_][A-Za-z0-9_]*=' |
	    sed -E 's/^([^[:space:]]+[[:space:]]+){5}//' >"$d/jobs"
	[ "$(grep -c . "$d/jobs")" -ge 5 ] || return 1
	grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$EX/crontab" |
	    grep -vE '^(PATH|SHELL|MAILTO|UKTV_STATE)=' | sed 's/^/export /' >"$d/env"
	echo "export UKTV_STATE='$d/state' PATH='$bin:/usr/bin:/bin'" >>"$d/env"
	while IFS= read -r job; do
		sh -c ". '$d/env'; $job" </dev/null || return 1
	done <"$d/jobs"
}

@test "the crontab's jobs send syslog their warnings, not a line per item" {
	d="$BATS_TEST_TMPDIR/cron"
	run_crontab "$d"
	for tag in uktv-refdata uktv-titles uktv-guide uktv-consume uktv-digest; do
		assert_file_exists "$d/log/$tag"
		# Every tool's warning reaches syslog...
		grep -q 'warning: something the operator must see' "$d/log/$tag" ||
		    { echo "$tag: the warning did not reach logger"; false; }
		# ...and none of its data, nor a line per title enriched.
		run grep -c . "$d/log/$tag"
		[ "$output" -le 3 ] || { echo "$tag: $output lines to syslog:"; head -5 "$d/log/$tag"; false; }
		if grep -q 'stdout line' "$d/log/$tag"; then fail "$tag: its stdout reached syslog"; fi
	done
}

@test "digest-mail.sh -h prints its usage and options and exits 0" {
	run "$EX/digest-mail.sh" -h
	assert_success
	refute_output --partial 'Illegal option'
	assert_line --index 0 --regexp '^usage: digest-mail.sh \[-hn\]'
	assert_output --partial '-s DIR'
	assert_output --partial '-a FILE'
	assert_output --partial '-f FILE'
	assert_output --partial 'NOTIFY-OPTIONS go to uktv-notify'
	# On stdout: the help can be paged.
	out=$("$EX/digest-mail.sh" -h 2>/dev/null)
	[ -n "$out" ]
	run "$EX/digest-mail.sh" --help
	assert_success
	assert_line --index 0 --regexp '^usage: digest-mail.sh'
	# A bad option still says usage and exits 2.
	run "$EX/digest-mail.sh" -x
	[ "$status" -eq 2 ]
	assert_output --partial 'usage: digest-mail.sh'
}
