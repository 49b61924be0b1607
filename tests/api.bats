#!/usr/bin/env bats
# uktv-api against moto: moto's Cognito user pools issue the ID tokens
# (real RS256 JWTs, kid "dummy", one key for every pool: MOTO-NOTES.md),
# moto's DynamoDB holds the table (tests/fixtures/prefs: reference items,
# title records and index entries), and uktv-prefs reads back what the
# service wrote.  One service is started for the file; tests that need
# their own (faketime, SIGTERM, socket activation) start one.  Tokens stay
# in files (helpers/cognito), out of every argv.  What the answers hold is
# tests/api-data.bats'; this suite is sign-in, the server's bounds and its
# shutdown.

load helpers/common
load helpers/cognito

bats_require_minimum_version 1.5.0

P="$FIXTURES/prefs"
T=UKTVProgrammes
# user NAME POOL CLIENT EMAIL: NAME's ID token in $BATS_FILE_TMPDIR/NAME.token
# and its header in NAME.auth (raw token) and NAME.bearer (Bearer).
user() {
	local f="$BATS_FILE_TMPDIR/$1"
	cognito_user "$2" "$4" &&
	cognito_token "$3" "$4" "$f.token" &&
	cognito_auth_header "$f.token" "$f.auth" &&
	(umask 077 && printf 'Authorization: Bearer %s\n' "$(cat "$f.token")" >"$f.bearer")
}

# sub NAME: the sub claim of NAME's token.
sub() {
	cognito_claim "$BATS_FILE_TMPDIR/$1.token" sub
}

# api_up PORT: uktv-api answers on PORT.
api_up() {
	curl -s -o /dev/null -X OPTIONS "http://127.0.0.1:$1/"
}

# api_start NAME PORT [ARGS...]: uktv-api on PORT in the background, for the
# suite's pool and clients, logging to $BATS_FILE_TMPDIR/NAME.log; waits
# until it answers.
api_start() {
	local name=$1 port=$2
	shift 2
	start_bg "$name" uktv-api -t "$T" --user-pool "$POOL" --client-id "$CLIENT" \
	    --client-id "$CLIENT2" --listen "127.0.0.1:$port" "$@"
	wait_until 20 api_up "$port" || { cat "$BATS_FILE_TMPDIR/$name.log" >&2; return 1; }
}

setup_file() {
	moto_start
	unset UKTV_TABLE
	make_table "$T"
	aws dynamodb batch-write-item --request-items "file://$P/reference.json" >/dev/null
	aws dynamodb batch-write-item --request-items "file://$P/titles.json" >/dev/null
	POOL=$(cognito_pool viewers)
	CLIENT=$(cognito_client "$POOL" page)
	# An app client of the same pool that uktv-api is not told about.
	OTHER_CLIENT=$(cognito_client "$POOL" elsewhere)
	user alice "$POOL" "$CLIENT" alice@example.org
	user bob "$POOL" "$CLIENT" bob@example.org
	user carol "$POOL" "$OTHER_CLIENT" carol@example.org
	# A second pool, made second: moto signs its tokens with the same key,
	# so only their iss tells them apart.  Its client is allowed (as aud),
	# so the iss alone must refuse them.
	POOL2=$(cognito_pool others)
	CLIENT2=$(cognito_client "$POOL2" page)
	user dave "$POOL2" "$CLIENT2" dave@example.org
	export POOL CLIENT OTHER_CLIENT CLIENT2 POOL2
	API_PORT=$(free_port)
	export API_PORT API="http://127.0.0.1:$API_PORT"
	api_start api "$API_PORT" --request-timeout 3
}

teardown_file() {
	stop_bg api
	moto_stop
}

setup() {
	unset UKTV_TABLE
	LOG="$BATS_FILE_TMPDIR/api.log"
}

# A service a test started itself and left running when it failed.
teardown() {
	local f
	for f in "$BATS_TEST_TMPDIR"/*.pid; do
		[ -f "$f" ] || continue
		kill -9 "$(cat "$f")" 2>/dev/null || true
	done
	stop_bg expired
	stop_bg activated
	stop_bg rotated
	stop_bg jwks
}

# get PATH [CURL ARGS...]: "STATUS BODY" of one request to the suite's service.
get() {
	local path=$1 out
	shift
	out=$(curl -s -w '\n%{http_code}' "$@" "$API$path")
	echo "${out##*$'\n'} ${out%$'\n'*}"
}

# logcount PATTERN: how many lines of the service's log hold PATTERN.
logcount() {
	grep -c -- "$1" "$LOG" || true
}

@test "--help lists every option, each in both completion files; --version" {
	run uktv-api --help
	assert_success
	assert_line --index 0 --partial 'usage: uktv-api'
	opts=$(grep -oE -- '--[a-z][a-z-]+' <<<"$output" | sort -u)
	[ "$(wc -l <<<"$opts")" -ge 18 ]
	for o in $opts; do
		grep -q -- "$o" "$UKTV_ROOT/completions/bash/uktv-api" || fail "bash completion lacks $o"
		grep -q -- "$o" "$UKTV_ROOT/completions/zsh/_uktv-api" || fail "zsh completion lacks $o"
		grep -q -- "Fl -${o#--}\( \|\$\)" "$UKTV_ROOT/man/uktv-api.1" || fail "uktv-api(1) lacks $o"
	done
	run uktv-api --version
	assert_output "uktv-api 0.1.0"
}

@test "usage errors: no pool, no client, a bad pool id or listen address; exit 2" {
	run --separate-stderr uktv-api --client-id x
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" "uktv-api: give the Cognito user pool: --user-pool POOL_ID"
	run --separate-stderr uktv-api --user-pool "$POOL"
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" "uktv-api: give the app client(s) allowed to sign in: --client-id ID"
	run --separate-stderr uktv-api --user-pool 'no pool' --client-id x
	assert_failure 2
	run --separate-stderr uktv-api --user-pool "$POOL" --client-id x --listen 8080
	assert_failure 2
	assert_equal "$stderr" "uktv-api: bad listen address '8080': give ADDR:PORT"
	run --separate-stderr uktv-api --user-pool "$POOL" --client-id x --threads 0
	assert_failure 2
	run --separate-stderr uktv-api --user-pool "$POOL" --client-id x --cors-origin "$(printf 'a\r\nX-Evil: 1')"
	assert_failure 2
}

@test "OPTIONS on any path is 200 {} with the CORS headers, signed in or not" {
	run curl -s -i -X OPTIONS "$API/preferences"
	assert_success
	assert_line --index 0 --partial 'HTTP/1.1 200'
	assert_line --partial 'Access-Control-Allow-Origin: *'
	assert_line --partial 'Access-Control-Allow-Headers: Content-Type,Authorization'
	assert_line --partial 'Access-Control-Allow-Methods: GET,POST,PUT,DELETE,OPTIONS'
	assert_line --partial 'Content-Type: application/json'
	assert_equal "${lines[${#lines[@]}-1]}" '{}'
	assert_equal "$(get /nowhere/at/all -X OPTIONS)" '200 {}'
}

@test "GET /sources and /genres need no sign-in and list what uktv-prefs lists" {
	want=$(uktv-prefs sources | jq -s -c '[.[] | {id, name}]')
	assert_equal "$(get /sources)" "200 $want"
	[ "$(jq length <<<"$want")" = 4 ]
	want=$(uktv-prefs genres | jq -s -c '[.[] | {id, name}]')
	assert_equal "$(get /genres)" "200 $want"
	run curl -s -i "$API/genres"
	assert_line --partial 'Access-Control-Allow-Origin: *'
	assert_line --partial 'Content-Type: application/json'
}

@test "two signed-in users put and get their own preferences, the items uktv-prefs reads" {
	a=$(sub alice)
	b=$(sub bob)
	assert_equal "$(get /preferences -X PUT -H "@$BATS_FILE_TMPDIR/alice.auth" -d '{"sources":["203",26],"genres":["4"]}')" \
	    '200 {"message":"Preferences updated successfully"}'
	assert_equal "$(get /preferences -X PUT -H "@$BATS_FILE_TMPDIR/bob.bearer" -d '{"sources":["349"],"genres":["6","7"]}')" \
	    '200 {"message":"Preferences updated successfully"}'
	assert_equal "$(get /preferences -H "@$BATS_FILE_TMPDIR/alice.auth")" \
	    '200 {"sources":["26","203"],"genres":["4"],"favourites":[]}'
	assert_equal "$(get /preferences -H "@$BATS_FILE_TMPDIR/bob.bearer")" \
	    '200 {"sources":["349"],"genres":["6","7"],"favourites":[]}'
	# The items under userpref:<sub>, as uktv-prefs get reads them.
	assert_equal "$(uktv-prefs get "$a" | jq -c '{sources, genres, favourites}')" \
	    '{"sources":["26","203"],"genres":["4"],"favourites":[]}'
	assert_equal "$(uktv-prefs get "$b" | jq -c .sources)" '["349"]'
	# The access lines name the user, never the token.
	wait_until 5 grep -q "PUT /preferences 200 [0-9]* [0-9]*ms $b\$" "$LOG"
	grep -q "GET /preferences 200 [0-9]* [0-9]*ms $a\$" "$LOG"
	tok=$(cat "$BATS_FILE_TMPDIR/alice.token")
	if grep -qF "${tok:0:40}" "$LOG"; then fail "a token reached the log"; fi
}

@test "a path that is not the API: 404 signed in, 401 without a token" {
	assert_equal "$(get /users -H "@$BATS_FILE_TMPDIR/alice.auth")" \
	    '404 {"error":"Path not found or method not allowed: GET /users"}'
	assert_equal "$(get /preferences -X DELETE -H "@$BATS_FILE_TMPDIR/alice.auth")" \
	    '404 {"error":"Path not found or method not allowed: DELETE /preferences"}'
	assert_equal "$(get /users)" '401 {"error":"Unauthorized"}'
}

@test "a body over 16 KiB is 413 with the CORS headers, one of 16 KiB is read" {
	head -c 17408 /dev/zero | tr '\0' ' ' >"$BATS_TEST_TMPDIR/big"
	run curl -s -i -X PUT -H "@$BATS_FILE_TMPDIR/alice.auth" --data-binary "@$BATS_TEST_TMPDIR/big" "$API/preferences"
	assert_line --index 0 --partial 'HTTP/1.1 413'
	assert_line --partial 'Access-Control-Allow-Origin: *'
	assert_equal "${lines[${#lines[@]}-1]}" '{"error":"Request body too large"}'
	# 16 KiB of spaces around a body: read whole, and it is JSON.
	{ head -c 16000 /dev/zero | tr '\0' ' '; echo '{"genres":["7"]}'; } >"$BATS_TEST_TMPDIR/ok"
	assert_equal "$(get /preferences -X PUT -H "@$BATS_FILE_TMPDIR/alice.auth" --data-binary "@$BATS_TEST_TMPDIR/ok")" \
	    '200 {"message":"Preferences updated successfully"}'
}

# forge KIND NAME: NAME's token made wrong in one way (hs256 takes moto's
# JWKS), in $BATS_TEST_TMPDIR/KIND.token and .auth.
forge() {
	local f="$BATS_TEST_TMPDIR/$1"
	(umask 077 && python3 - "$1" "$BATS_FILE_TMPDIR/$2.token" \
	    "$MOTO_URL/$POOL/.well-known/jwks.json" >"$f.token") <<'PY'
import base64, hashlib, hmac, json, sys, urllib.request
kind, tokfile, jwks_url = sys.argv[1:4]
h, p, s = open(tokfile).read().strip().split(".")
def dec(x): return json.loads(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))
def enc(o): return base64.urlsafe_b64encode(json.dumps(o).encode()).rstrip(b"=").decode()
hdr, pay = dec(h), dec(p)
if kind == "payload":
    pay["sub"] = "someone-else"
    print(f"{h}.{enc(pay)}.{s}")
elif kind == "none":
    hdr["alg"] = "none"
    print(f"{enc(hdr)}.{p}.")
elif kind == "nokid":
    del hdr["kid"]
    print(f"{enc(hdr)}.{p}.{s}")
elif kind == "hs256":
    # The classic confusion: the pool's public key (PEM) as an HMAC secret.
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers
    from cryptography.hazmat.primitives import serialization
    k = json.load(urllib.request.urlopen(jwks_url))["keys"][0]
    n = int.from_bytes(base64.urlsafe_b64decode(k["n"] + "=" * (-len(k["n"]) % 4)), "big")
    e = int.from_bytes(base64.urlsafe_b64decode(k["e"] + "=" * (-len(k["e"]) % 4)), "big")
    pem = RSAPublicNumbers(e, n).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    hdr["alg"] = "HS256"
    head = f"{enc(hdr)}.{p}"
    sig = hmac.new(pem, head.encode(), hashlib.sha256).digest()
    print(f"{head}.{base64.urlsafe_b64encode(sig).rstrip(b'=').decode()}")
PY
	cognito_auth_header "$f.token" "$f.auth"
}

# refused F WHY: the token in F.token (header in F.auth) is 401
# Unauthorized, with one more log line saying why (WHY, a regexp), and
# without the token.
refused() {
	local before tok
	tok=$(cat "$1.token")
	before=$(logcount '401 GET /preferences: ')
	assert_equal "$(get /preferences -H "@$1.auth")" '401 {"error":"Unauthorized"}'
	wait_until 5 bash -c "[ \"\$(grep -c -- '401 GET /preferences: ' '$LOG')\" = $((before + 1)) ]"
	run grep -- '401 GET /preferences: ' "$LOG"
	assert_equal "$(tail -1 <<<"$output" | grep -ciE -- "$2")" 1
	[ "${#tok}" -gt 40 ] || return 0
	if grep -qF -- "${tok:0:40}" "$LOG"; then fail "the token reached the log"; fi
	if grep -qF -- "${tok: -20}" "$LOG"; then fail "the token's signature reached the log"; fi
}

@test "tokens from another client, another pool, changed, alg none or HS256, or without kid are 401" {
	refused "$BATS_FILE_TMPDIR/carol" 'aud|audience|client'
	refused "$BATS_FILE_TMPDIR/dave" 'iss|issuer'
	for kind in payload none hs256 nokid; do forge "$kind" alice; done
	refused "$BATS_TEST_TMPDIR/payload" 'signature'
	refused "$BATS_TEST_TMPDIR/none" 'alg|none'
	refused "$BATS_TEST_TMPDIR/hs256" 'alg|HS256'
	refused "$BATS_TEST_TMPDIR/nokid" 'kid'
	echo not-a-token >"$BATS_TEST_TMPDIR/junk.token"
	cognito_auth_header "$BATS_TEST_TMPDIR/junk.token" "$BATS_TEST_TMPDIR/junk.auth"
	refused "$BATS_TEST_TMPDIR/junk" 'malformed|token'
	# None of them changed anything: alice's token still works.
	assert_equal "$(get /preferences -H "@$BATS_FILE_TMPDIR/alice.auth" | cut -c1-3)" 200
}

# jwks_token KEY KID FILE: an ID token for the JWKS double's pool, signed
# with tests/fixtures/jwt/KEY.pem under KID, into FILE and FILE's header.
jwks_token() {
	local now
	now=$(date +%s)
	jq -n --arg iss "https://cognito-idp.eu-west-2.amazonaws.com/$JPOOL" \
	    --arg aud "$CLIENT" --argjson now "$now" \
	    '{sub: "rotated-user", iss: $iss, aud: $aud, token_use: "id",
	      iat: $now, exp: ($now + 3600)}' |
	    (umask 077 && uktv-jwks-double sign --key "$FIXTURES/jwt/$1.pem" --kid "$2" >"$3.token")
	cognito_auth_header "$3.token" "$3.auth"
}

jwks_fetches() {
	curl -s "http://127.0.0.1:$(cat "$BATS_TEST_TMPDIR/jwks.port")/_count"
}

@test "a token with an unknown kid fetches the JWKS again, at most once a minute" {
	JPOOL=eu-west-2_JwksDouble1
	d=$BATS_TEST_TMPDIR
	# Two key sets: "one" (k1) is served first, then "two" (k1 and k2), as a
	# pool rotating its keys.
	start_bg jwks uktv-jwks-double --port-file "$d/jwks.port" --pool "$JPOOL" \
	    --set "one=k1:$FIXTURES/jwt/key1.pem" \
	    --set "two=k1:$FIXTURES/jwt/key1.pem,k2:$FIXTURES/jwt/key2.pem"
	wait_until 10 test -s "$d/jwks.port"
	port=$(free_port)
	# The service's clocks, wall and monotonic, move when the test says:
	# faketime's library reads the offset from a file at every call.
	echo +0 >"$d/clock"
	libft=$(dpkg -L libfaketime | grep -m1 '/libfaketimeMT\.so\.1$')
	AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="http://127.0.0.1:$(cat "$d/jwks.port")" \
	    start_bg rotated env LD_PRELOAD="$libft" FAKETIME_TIMESTAMP_FILE="$d/clock" \
	    FAKETIME_NO_CACHE=1 uktv-api -t "$T" --user-pool "$JPOOL" --client-id "$CLIENT" \
	    --listen "127.0.0.1:$port"
	wait_until 20 api_up "$port"
	jwks_token key1 k1 "$d/t1"
	jwks_token key2 k2 "$d/t2"
	jwks_token key2 k3 "$d/t3"
	u="http://127.0.0.1:$port/preferences"
	assert_equal "$(curl -s -o /dev/null -w '%{http_code}' -H "@$d/t1.auth" "$u")" 200
	assert_equal "$(jwks_fetches)" 1
	# The pool rotates.  Within the minute of that fetch, k2 is refused
	# without another fetch: a flood of made-up kids costs one a minute.
	curl -s -X POST "http://127.0.0.1:$(cat "$d/jwks.port")/_use/two" >/dev/null
	assert_equal "$(curl -s -H "@$d/t2.auth" "$u")" '{"error":"Unauthorized"}'
	assert_equal "$(curl -s -H "@$d/t3.auth" "$u")" '{"error":"Unauthorized"}'
	assert_equal "$(jwks_fetches)" 1
	# A minute and a half later, the unknown kid fetches the JWKS again
	# (once), and the token is good.
	echo +90 >"$d/clock"
	assert_equal "$(curl -s -o /dev/null -w '%{http_code}' -H "@$d/t2.auth" "$u")" 200
	assert_equal "$(jwks_fetches)" 2
	# k3 is in no set: refused, and the fetch just made counts for it.
	assert_equal "$(curl -s -H "@$d/t3.auth" "$u")" '{"error":"Unauthorized"}'
	assert_equal "$(jwks_fetches)" 2
	wait_until 5 grep -q '401 GET /preferences: .*\(kid\|key\)' "$BATS_FILE_TMPDIR/rotated.log"
	stop_bg rotated
	stop_bg jwks
}

@test "no Authorization header: 401, and the log says so" {
	before=$(logcount '401 GET /preferences: no Authorization header')
	assert_equal "$(get /preferences)" '401 {"error":"Unauthorized"}'
	assert_equal "$(get /titles -H 'Authorization:')" '401 {"error":"Unauthorized"}'
	wait_until 5 bash -c "[ \"\$(grep -c -- '401 GET /preferences: no Authorization header' '$LOG')\" = $((before + 1)) ]"
	wait_until 5 grep -q 'GET /preferences 401 [0-9]* [0-9]*ms -$' "$LOG"
}

@test "an expired token is 401 (uktv-api two hours ahead under faketime)" {
	port=$(free_port)
	# Two hours ahead of the token's one hour of validity: faketime's
	# library for threaded programs, preloaded as faketime -m -f +2h would,
	# but with no faketime process between stop_bg and the service.
	libft=$(dpkg -L libfaketime | grep -m1 '/libfaketimeMT\.so\.1$')
	[ -n "$libft" ]
	start_bg expired env LD_PRELOAD="$libft" FAKETIME=+2h uktv-api -t "$T" \
	    --user-pool "$POOL" --client-id "$CLIENT" --listen "127.0.0.1:$port"
	wait_until 20 api_up "$port"
	run curl -s "http://127.0.0.1:$port/preferences" -H "@$BATS_FILE_TMPDIR/alice.auth"
	assert_output '{"error":"Unauthorized"}'
	wait_until 5 grep -qiE '401 GET /preferences: .*expired' "$BATS_FILE_TMPDIR/expired.log"
	stop_bg expired
}

@test "100 clients at once all get their own answers" {
	a=$(sub alice)
	b=$(sub bob)
	uktv-prefs put "$a" --sources 203 --genres 4 --favourites ''
	uktv-prefs put "$b" --sources 349 --genres 6 --favourites ''
	d="$BATS_TEST_TMPDIR/c"
	mkdir -p "$d"
	for i in $(seq 1 100); do
		case $((i % 3)) in
		0) curl -s -o "$d/$i" -w '%{http_code}\n' -H "@$BATS_FILE_TMPDIR/alice.auth" "$API/preferences" >"$d/$i.code" & ;;
		1) curl -s -o "$d/$i" -w '%{http_code}\n' -H "@$BATS_FILE_TMPDIR/bob.auth" "$API/preferences" >"$d/$i.code" & ;;
		2) curl -s -o "$d/$i" -w '%{http_code}\n' "$API/sources" >"$d/$i.code" & ;;
		esac
	done
	wait
	sources=$(uktv-prefs sources | jq -s -c '[.[] | {id, name}]')
	for i in $(seq 1 100); do
		assert_equal "$(cat "$d/$i.code")" 200
		case $((i % 3)) in
		0) assert_equal "$(cat "$d/$i")" '{"sources":["203"],"genres":["4"],"favourites":[]}' ;;
		1) assert_equal "$(cat "$d/$i")" '{"sources":["349"],"genres":["6"],"favourites":[]}' ;;
		2) assert_equal "$(cat "$d/$i")" "$sources" ;;
		esac
	done
}

@test "20 clients trickling a byte every half second are closed at the deadline; others are answered" {
	# Each trickler sends a request head one byte every 0.5 s (it would take
	# a minute): libmicrohttpd's idle timeout never fires, the deadline (3 s
	# here) must.  The script says "open" once all 20 are connected, then
	# for each "closed" (the server hung up) or "held" (still open after 30 s).
	python3 - "$API_PORT" >"$BATS_TEST_TMPDIR/trickle" 3>&- <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
head = b"GET /sources HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 100 + b"\r\n\r\n"
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
for s in socks:
    s.settimeout(0.01)
print("open", flush=True)
state = {s: None for s in socks}
end = time.monotonic() + 30
i = 0
while time.monotonic() < end and any(v is None for v in state.values()):
    for s in socks:
        if state[s] is not None:
            continue
        try:
            if s.recv(1) == b"":
                state[s] = "closed"
                continue
        except socket.timeout:
            pass
        except OSError:
            state[s] = "closed"
            continue
        try:
            s.send(head[i:i + 1])
        except OSError:
            state[s] = "closed"
    i += 1
    time.sleep(0.5)
for s in socks:
    print(state[s] or "held", flush=True)
PY
	pid=$!
	wait_until 10 grep -q '^open$' "$BATS_TEST_TMPDIR/trickle"
	# While they trickle, a whole request is answered.
	want=$(uktv-prefs sources | jq -s -c '[.[] | {id, name}]')
	assert_equal "$(get /sources)" "200 $want"
	wait "$pid"
	assert_equal "$(grep -c '^closed$' "$BATS_TEST_TMPDIR/trickle")" 20
	assert_equal "$(get /sources)" "200 $want"
}

@test "SIGTERM: the request in flight is answered, new clients are refused, exit 0" {
	a=$(sub alice)
	port=$(free_port)
	# Its own child (wait gives its status), with none of bats' descriptors:
	# if the test fails half-way, teardown stops it and bats does not hang.
	uktv-api -t "$T" --user-pool "$POOL" --client-id "$CLIENT" --listen "127.0.0.1:$port" \
	    -v >/dev/null 2>"$BATS_TEST_TMPDIR/drain.log" 3>&- &
	pid=$!
	echo "$pid" >"$BATS_TEST_TMPDIR/drain.pid"
	wait_until 20 api_up "$port"
	# A PUT whose body is only half sent: the head is in, the request in
	# flight.  The rest follows once the service has begun to drain.
	mkfifo "$BATS_TEST_TMPDIR/go"
	python3 - "$port" "$BATS_FILE_TMPDIR/alice.token" "$BATS_TEST_TMPDIR/go" \
	    >"$BATS_TEST_TMPDIR/answer" 3>&- <<'PY' &
import socket, sys
port, token, go = int(sys.argv[1]), open(sys.argv[2]).read().strip(), sys.argv[3]
body = b'{"sources":["409"],"genres":["1"]}'
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"PUT /preferences HTTP/1.1\r\nHost: x\r\nAuthorization: " + token.encode() +
          b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:10])
open(go).read()
s.sendall(body[10:])
s.settimeout(20)
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
print(out.decode())
PY
	client=$!
	wait_until 10 bash -c "ss -Htn state established '( dport = :$port )' | grep -q ."
	kill -TERM "$pid"
	wait_until 10 term_taken "$pid"
	# Draining: the listening socket is closed to new clients.
	wait_until 10 bash -c "! curl -s -o /dev/null http://127.0.0.1:$port/sources"
	kill -0 "$pid"
	echo go >"$BATS_TEST_TMPDIR/go"
	wait "$client"
	run cat "$BATS_TEST_TMPDIR/answer"
	assert_line --index 0 --partial 'HTTP/1.1 200'
	assert_line --partial 'Connection: close'
	assert_output --partial '{"message":"Preferences updated successfully"}'
	rc=0
	wait "$pid" || rc=$?
	rm -f "$BATS_TEST_TMPDIR/drain.pid"
	assert_equal "$rc" 0
	assert_equal "$(uktv-prefs get "$a" | jq -c '[.sources, .genres]')" '[["409"],["1"]]'
	grep -q 'SIGTERM: draining 1 request' "$BATS_TEST_TMPDIR/drain.log"
	grep -q "PUT /preferences 200 [0-9]* [0-9]*ms $a\$" "$BATS_TEST_TMPDIR/drain.log"
}

@test "a socket passed by systemd (LISTEN_FDS) is served" {
	command -v systemd-socket-activate >/dev/null || skip "not-here: systemd-socket-activate"
	port=$(free_port)
	# It passes on only PATH, HOME, TERM and what -E names.
	env=()
	for v in AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION \
	    AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_EC2_METADATA_DISABLED \
	    UKTV_RETRY_BASE_MS ASAN_OPTIONS UBSAN_OPTIONS; do
		[ -n "${!v+x}" ] && env+=(-E "$v")
	done
	start_bg activated systemd-socket-activate -l "127.0.0.1:$port" "${env[@]}" \
	    uktv-api -v -t "$T" --user-pool "$POOL" --client-id "$CLIENT" --listen 127.0.0.1:1
	# The first connection starts uktv-api on the passed socket.
	want=$(uktv-prefs sources | jq -s -c '[.[] | {id, name}]')
	wait_until 20 bash -c "curl -sf http://127.0.0.1:$port/sources | grep -qF '$want'"
	assert_equal "$(curl -s "http://127.0.0.1:$port/sources")" "$want"
	wait_until 5 grep -q "listening on systemd's socket (port $port)" "$BATS_FILE_TMPDIR/activated.log"
	grep -q 'serving the first of the 1 socket(s) systemd passed; --listen ignored' "$BATS_FILE_TMPDIR/activated.log"
	stop_bg activated
}
