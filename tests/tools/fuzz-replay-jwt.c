/*
 * fuzz-replay-jwt: the fuzz target tests/fuzz/fuzz_jwt.c without libFuzzer
 * (tests/fuzz/replay.c's main), built by the Makefile's tests/tools rule with
 * the project's compiler and flags (SANITIZE=1 too), so tests/fuzz-regress.bats
 * replays tests/fuzz/regress/jwt and tests/fuzz/corpus/jwt on every make check.
 * fakehttp.c defines every lib/net/http.h function, so libuktv.a's http.o is
 * never linked in.
 */
#include "../fuzz/common.c"
#include "../fuzz/fakehttp.c"
#include "../fuzz/fuzz_jwt.c"
#include "../fuzz/replay.c"
