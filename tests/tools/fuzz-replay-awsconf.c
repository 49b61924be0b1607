/*
 * fuzz-replay-awsconf: the fuzz target tests/fuzz/fuzz_awsconf.c without libFuzzer
 * (tests/fuzz/replay.c's main), built by the Makefile's tests/tools rule with
 * the project's compiler and flags (SANITIZE=1 too), so tests/fuzz-regress.bats
 * replays tests/fuzz/regress/awsconf and tests/fuzz/corpus/awsconf on every make check.
 * fakehttp.c defines every lib/net/http.h function, so libuktv.a's http.o is
 * never linked in.
 */
#include "../fuzz/common.c"
#include "../fuzz/fakehttp.c"
#include "../fuzz/fuzz_awsconf.c"
#include "../fuzz/replay.c"
