/*
 * fuzz-replay-webapi: the fuzz target tests/fuzz/fuzz_webapi.c without libFuzzer
 * (tests/fuzz/replay.c's main), built by the Makefile's tests/tools rule with
 * the project's compiler and flags (SANITIZE=1 too), so tests/fuzz-regress.bats
 * replays tests/fuzz/regress/webapi and tests/fuzz/corpus/webapi on every make check.
 * fakehttp.c defines every lib/net/http.h function, so libuktv.a's http.o is
 * never linked in.
 */
#include "../fuzz/common.c"
#include "../fuzz/fakehttp.c"
#include "../fuzz/fuzz_webapi.c"
#include "../fuzz/replay.c"
