#!/bin/sh
# digest-mail.sh: mail each user the daily digest of what changed in what
# they follow: uktv-notify --digest 1d | jq, one message per user | mail -s.
#
#   digest-mail.sh [-hn] [-a ADDRESSES] [-s STATEDIR] [-f FILE] [-- NOTIFY-OPTIONS]
#
#   -h       this help
#   -s DIR   state: uktv-notify's checkpoint (DIR/checkpoint) and the outbox
#            (DIR/outbox.ndjson); default /var/lib/uktv/digest
#   -a FILE  addresses, one "USER ADDRESS" per line ('#' comments); a user
#            not in it whose id is an e-mail address (Cognito users often
#            are) is mailed at that address
#   -f FILE  take digest lines from FILE ('-': stdin) instead of running
#            uktv-notify (to replay or test)
#   -n       print each message on stdout instead of mailing it
#   NOTIFY-OPTIONS go to uktv-notify (-t TABLE, --profile, ...)
#
# Environment: UKTV_MAILER, the mail(1)-compatible command that sends a
# message (default "mail"; it gets -s SUBJECT ADDRESS and the body on stdin).
#
# Run it often (hourly): each run moves the table's stream into uktv-notify's
# digest spool, so nothing falls out of the stream's 24-hour retention, and a
# day's digests (periods aligned to UTC midnight) go out on the first run
# after the day ends.  Nothing is lost on the way: digests go to the outbox
# (and are synced) before they are mailed, and a message the mailer refused
# stays there for the next run.  Exit: 0 all sent, 1 something was not sent
# (each said on stderr), 2 usage.
set -eu

prog=digest-mail.sh
state=/var/lib/uktv/digest
addresses=
input=
dry=0

usage() {
	[ $# -gt 0 ] && echo "$prog: $*" >&2
	echo "usage: $prog [-hn] [-a ADDRESSES] [-s STATEDIR] [-f FILE] [-- NOTIFY-OPTIONS]" >&2
	exit 2
}

# help: the usage and the options, from this file's own header, on stdout.
help() {
	sed -n '/^#   digest-mail.sh \[/,/^#   NOTIFY-OPTIONS/{s/^#   //;s/^#$//;p;}' "$0" |
	    sed '1s/^/usage: /'
	exit 0
}

[ "${1:-}" = --help ] && help
while getopts a:f:hns: opt; do
	case $opt in
	a) addresses=$OPTARG ;;
	f) input=$OPTARG ;;
	h) help ;;
	n) dry=1 ;;
	s) state=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ -z "$addresses" ] || [ -r "$addresses" ] || usage "cannot read $addresses"
command -v jq >/dev/null || { echo "$prog: jq is needed" >&2; exit 69; }

mkdir -p "$state"
outbox=$state/outbox.ndjson
pending=$state/outbox.sending
undeliverable=$state/undeliverable.ndjson
fresh=$state/new.ndjson
touch "$outbox"
rc=0
# A run that died while sending left its batch in $pending: send it again
# (a user may get a digest twice; never none).
if [ -s "$pending" ]; then
	cat "$pending" >>"$outbox"
	rm -f "$pending"
fi

# 1. New digests into the outbox first.  Only "digest" lines: without
# --digest, uktv-notify would print single notifications, which are not ours.
if [ -z "$input" ]; then
	uktv-notify -e --digest 1d --checkpoint "$state/checkpoint" "$@" >"$fresh" || {
		echo "$prog: uktv-notify exited $?; mailing what it gave" >&2
		rc=1
	}
elif [ "$input" = - ]; then
	cat >"$fresh"
else
	cat -- "$input" >"$fresh"
fi
jq -cR 'fromjson? | select(type == "object" and .kind == "digest")' "$fresh" >>"$outbox"
sync "$outbox" 2>/dev/null || sync
rm -f "$fresh"

# address USER: the address to mail USER at, or nothing.
address() {
	a=
	if [ -n "$addresses" ]; then
		a=$(awk -v u="$1" '$1 == u && $0 !~ /^#/ { print $2; exit }' "$addresses")
	fi
	[ -n "$a" ] || a=$1
	# An address, not an option or a header: no leading '-', one '@',
	# no spaces or control characters.
	case $a in
	-*) return 0 ;;
	esac
	printf '%s\n' "$a" | grep -Eq '^[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+\.[A-Za-z]+$' &&
	    printf '%s\n' "$a"
	return 0
}

# send SUBJECT ADDRESS: the body on stdin.  UKTV_MAILER may hold arguments
# ("msmtp-wrapper --account uktv"): split on purpose.
# shellcheck disable=SC2086
send() {
	${UKTV_MAILER:-mail} -s "$1" "$2"
}

# The message: a line per notification, the title's GB offers by name where
# the record was enriched.
# A jq program, not shell: no expansion wanted.
# shellcheck disable=SC2016
render='
def name($id): ((.sources // []) | map(select(.source_id == $id)) | .[0].name) // "source \($id)";
def names($ids): . as $n | [$ids[] | tostring | . as $id | $n | name($id)] | join(", ");
"What changed in what you follow, \(.period_start) to \(.period_end):",
"",
(.items[] |
  (if .kind == "new_title" then "New: \(.title) (\(.title_id))"
   elif .kind == "favourite_changed" then "Changed: \(.title) (\(.title_id))"
   elif .kind == "title_removed" then "Gone: \(.title) (\(.title_id))"
   else "\(.kind): \(.title // "") (\(.title_id))" end),
  (if (.changes.title | length) == 2 then "  renamed from \"\(.changes.title[0])\"" else empty end),
  (if (.changes.sources_added | length) > 0 then "  now also on: \(names(.changes.sources_added))" else empty end),
  (if (.changes.sources_removed | length) > 0 then "  no longer on: \(names(.changes.sources_removed))" else empty end),
  (if (.changes.user_rating | length) == 2 then "  rating: \(.changes.user_rating[0]) -> \(.changes.user_rating[1])" else empty end),
  (if .kind != "title_removed" and ((.sources // []) | length) > 0
   then "  where to watch: " + ([.sources[] | (.name // "source \(.source_id)") + (if .web_url then " <\(.web_url)>" else "" end)] | join(", "))
   else empty end)),
"",
"-- ",
"uktv-notify digest; event ids: \(.event_ids // [] | join(" "))"'

# 2. Send what the outbox holds; keep what could not be sent.
mv -f "$outbox" "$pending"
: >"$outbox"
while IFS= read -r line; do
	[ -n "$line" ] || continue
	user=$(printf '%s\n' "$line" | jq -r '.user // empty')
	addr=$(address "$user")
	if [ -z "$addr" ]; then
		echo "$prog: no address for user '$user': digest kept in $undeliverable" >&2
		printf '%s\n' "$line" >>"$undeliverable"
		rc=1
		continue
	fi
	n=$(printf '%s\n' "$line" | jq -r '.items | length')
	day=$(printf '%s\n' "$line" | jq -r '.period_start // "" | .[0:10]')
	case $day in
	[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;;
	*) day=today ;;
	esac
	[ "$n" = 1 ] && what=update || what=updates
	subject="uktv: $n $what for $day"
	if [ "$dry" = 1 ]; then
		printf 'To: %s\nSubject: %s\n\n' "$addr" "$subject"
		printf '%s\n' "$line" | jq -r "$render"
		echo
	elif printf '%s\n' "$line" | jq -r "$render" | send "$subject" "$addr"; then
		:
	else
		echo "$prog: mailing $user's digest to $addr failed: kept in $outbox" >&2
		printf '%s\n' "$line" >>"$outbox"
		rc=1
	fi
done <"$pending"
rm -f "$pending"
exit $rc
