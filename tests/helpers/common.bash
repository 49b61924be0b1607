# common.bash: what every bats suite loads.
#
#   load helpers/common
#
# Puts the freshly built binaries first on PATH (or valgrind wrappers around
# them under `make check-valgrind`), loads bats-support/bats-assert/bats-file,
# and gives bounded waiting (wait_until) and moto control (helpers/moto.bash).

UKTV_ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
UKTV_BUILD="$UKTV_ROOT/${B:-build}"
export UKTV_ROOT UKTV_BUILD
if [ "${UKTV_VALGRIND:-}" = 1 ] && [ -d "$UKTV_BUILD/valgrind-bin" ]; then
	PATH="$UKTV_BUILD/valgrind-bin:$PATH"
else
	PATH="$UKTV_BUILD/bin:$PATH"
fi
PATH="$UKTV_BUILD/tests/tools:$UKTV_ROOT/tests/fakes:$PATH"
export PATH
FIXTURES="$UKTV_ROOT/tests/fixtures"
export FIXTURES

for lib in bats-support bats-assert bats-file; do
	for dir in /usr/lib/bats /usr/lib/bats-core /usr/local/lib; do
		if [ -f "$dir/$lib/load.bash" ]; then
			load "$dir/$lib/load.bash"
			break
		fi
	done
done

# Under SANITIZE=1: faketime preloads its library ahead of ASan's runtime,
# which ASan refuses unless told that the order is fine.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# Fast retries in tests: the backoff shape is the SDKs' standard mode, but the
# base delay is a setting (ARCHITECTURE.md: durations come from settings).
export UKTV_RETRY_BASE_MS="${UKTV_RETRY_BASE_MS:-5}"
# No test may wait on a real EC2 metadata service.
export AWS_EC2_METADATA_DISABLED=true
# Keep the user's real ~/.aws out of every test.
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN

# wait_until SECONDS COMMAND...: run COMMAND until it succeeds or SECONDS pass.
# A bounded poll on a condition, never a bare sleep.
wait_until() {
	local limit=$1 interval=0.05 deadline
	shift
	deadline=$(($(date +%s%N) / 1000000 + limit * 1000))
	while ! "$@" >/dev/null 2>&1; do
		if [ $(($(date +%s%N) / 1000000)) -ge "$deadline" ]; then
			echo "wait_until: gave up after ${limit}s: $*" >&2
			return 1
		fi
		sleep "$interval"
	done
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# start_bg NAME COMMAND...: start a background service, remember its pid in
# $BATS_FILE_TMPDIR/NAME.pid, output in NAME.log.
start_bg() {
	local name=$1
	shift
	"$@" >"$BATS_FILE_TMPDIR/$name.log" 2>&1 &
	echo $! >"$BATS_FILE_TMPDIR/$name.pid"
}

# stop_bg NAME: stop what start_bg started (TERM, then KILL after a bound).
stop_bg() {
	local pidfile="$BATS_FILE_TMPDIR/$1.pid" pid
	[ -f "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	kill "$pid" 2>/dev/null || true
	wait_until 5 bash -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
	rm -f "$pidfile"
}

# pipe_blocked PID FIFO: PID sleeps writing to FIFO, whose pipe is full (the
# kernel's wait channel says pipe_write, or the pipe holds all it can).
pipe_blocked() {
	grep -q '^State:.*S (sleeping)' "/proc/$1/status" || return 1
	grep -q pipe_write "/proc/$1/wchan" 2>/dev/null && return 0
	python3 - "$2" <<'PY'
import fcntl, os, struct, sys, termios
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
held = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]
sys.exit(0 if held >= fcntl.fcntl(fd, 1032) else 1)   # F_GETPIPE_SZ
PY
}

# term_taken PID: no SIGTERM is pending for PID any more (its handler ran:
# a test that signals a blocked tool knows the signal met it there).
term_taken() {
	if grep -Eq '^(SigPnd|ShdPnd):.*[4567cdef][0-9a-f]{3}$' "/proc/$1/status"; then
		return 1
	fi
}

# head1 COMMAND...: COMMAND | head -1, COMMAND bounded in time (timeout: 124
# when it hangs), with SIGPIPE ignored as systemd (IgnoreSIGPIPE=) and many
# runners start services: the exit status is then the tool's own choice,
# never a death by the signal that a shell would show as 141 too.  Sets
# head1_first (head's line), head1_status (COMMAND's exit status) and
# head1_err (COMMAND's stderr).
head1() {
	local d="$BATS_TEST_TMPDIR/head1"
	mkdir -p "$d"
	(
		trap '' PIPE
		timeout 60 "$@" 2>"$d/err" | head -1 >"$d/first"
		echo "${PIPESTATUS[0]}" >"$d/status"
	)
	head1_first=$(cat "$d/first")
	head1_status=$(cat "$d/status")
	head1_err=$(cat "$d/err")
}

# pipe_closed_ok: what head1 saw is how every uktv tool ends on a closed
# pipe (uktv(7)): exit 141, nothing on stderr.
pipe_closed_ok() {
	[ "$head1_status" = 141 ] || fail "exit $head1_status, not 141; stderr: $head1_err"
	[ -z "$head1_err" ] || fail "stderr: $head1_err"
}

load "$UKTV_ROOT/tests/helpers/moto.bash"
