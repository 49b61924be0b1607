/*
 * fuzz-replay-dynamodb: the fuzz target tests/fuzz/fuzz_dynamodb.c without libFuzzer
 * (tests/fuzz/replay.c's main), built by the Makefile's tests/tools rule with
 * the project's compiler and flags (SANITIZE=1 too), so tests/fuzz-regress.bats
 * replays tests/fuzz/regress/dynamodb and tests/fuzz/corpus/dynamodb on every make check.
 * fakehttp.c defines every lib/net/http.h function, so libuktv.a's http.o is
 * never linked in.
 */
#include "../fuzz/common.c"
#include "../fuzz/fakehttp.c"
#include "../fuzz/fuzz_dynamodb.c"
#include "../fuzz/replay.c"
