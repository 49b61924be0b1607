/*
 * test_lease.c: the lease table's balance rule (lib/stream/lease.h) without
 * DynamoDB: which leases a worker takes, when it steals, how workers are
 * counted, and that children wait for their parents.
 */
#include <stdlib.h>
#include <string.h>

#include "lease.h"
#include "private/lease.h"
#include "unit.h"

#define DUR	1000L
#define NOW	100000LL

/* Leases from a compact description: "shard owner [seen_ago_ms]". */
static struct uktv_lease *
mk(size_t n, const char *const shards[], const char *const owners[],
    const long long ago[])
{
	struct uktv_lease *l = calloc(n, sizeof(*l));

	for (size_t i = 0; i < n; i++) {
		strlcpy(l[i].shard, shards[i], sizeof(l[i].shard));
		strlcpy(l[i].owner, owners[i], sizeof(l[i].owner));
		uktv_position_set(&l[i].checkpoint, UKTV_POS_TRIM_HORIZON);
		l[i].seen_ms = NOW - (ago ? ago[i] : 0);
		l[i].counter = 1;
	}
	return l;
}

static const char *const four[] = {
	"shardId-000000000000", "shardId-000000000001",
	"shardId-000000000002", "shardId-000000000003"
};

static void
test_first_worker_takes_every_free_lease(void)
{
	static const char *const owners[] = { "", "", "", "" };
	struct uktv_lease *l = mk(4, four, owners, NULL);
	int want[4];

	CHECK_INT(uktv_lease_plan(l, 4, "a", NOW, DUR, want), 4);
	for (int i = 0; i < 4; i++)
		CHECK_INT(want[i], 1);
	free(l);
}

static void
test_second_worker_steals_one_at_a_time_up_to_half(void)
{
	static const char *const owners[] = { "a", "a", "a", "a" };
	struct uktv_lease *l = mk(4, four, owners, NULL);
	int want[4];

	/* a is alive (counters moving): nothing free, so b steals one. */
	CHECK_INT(uktv_lease_plan(l, 4, "b", NOW, DUR, want), 1);
	CHECK_INT(want[3], 2);
	CHECK_INT(want[0] + want[1] + want[2], 0);
	/* After that: a 3, b 1 -> b steals again (a above target 2). */
	strlcpy(l[3].owner, "b", sizeof(l[3].owner));
	l[3].held = 1;
	CHECK_INT(uktv_lease_plan(l, 4, "b", NOW, DUR, want), 1);
	CHECK_INT(want[2], 2);
	/* 2 and 2: balanced, nothing more. */
	strlcpy(l[2].owner, "b", sizeof(l[2].owner));
	l[2].held = 1;
	CHECK_INT(uktv_lease_plan(l, 4, "b", NOW, DUR, want), 0);
	free(l);
}

static void
test_odd_count_settles_without_flapping(void)
{
	static const char *const three[] = { "s0", "s1", "s2" };
	static const char *const owners[] = { "a", "a", "b" };
	struct uktv_lease *l = mk(3, three, owners, NULL);
	int want[3];

	l[2].held = 1;		/* I am b with 1; a has 2; target 2 */
	CHECK_INT(uktv_lease_plan(l, 3, "b", NOW, DUR, want), 0);
	free(l);
}

static void
test_expired_leases_are_taken_dead_worker_not_counted(void)
{
	static const char *const owners[] = { "a", "a", "b", "b" };
	static const long long ago[] = { 5000, 5000, 0, 0 };
	struct uktv_lease *l = mk(4, four, owners, ago);
	int want[4];

	/* I am b holding two; a's counters stopped 5 s ago (> 1 s): a is
	 * dead, so b alone has target 4 and takes both. */
	l[2].held = l[3].held = 1;
	CHECK_INT(uktv_lease_plan(l, 4, "b", NOW, DUR, want), 2);
	CHECK_INT(want[0], 1);
	CHECK_INT(want[1], 1);
	/* Not yet expired at exactly the duration. */
	l[0].seen_ms = l[1].seen_ms = NOW - DUR;
	CHECK_INT(uktv_lease_plan(l, 4, "b", NOW, DUR, want), 0);
	free(l);
}

static void
test_own_name_from_an_earlier_run_is_taken_at_once(void)
{
	static const char *const owners[] = { "b", "b", "", "" };
	struct uktv_lease *l = mk(4, four, owners, NULL);
	int want[4];

	CHECK_INT(uktv_lease_plan(l, 4, "b", NOW, DUR, want), 4);
	free(l);
}

static void
test_children_wait_for_parents_at_shard_end(void)
{
	static const char *const shards[] = { "p", "c1", "c2" };
	static const char *const owners[] = { "", "", "" };
	struct uktv_lease *l = mk(3, shards, owners, NULL);
	int want[3];

	strlcpy(l[1].parents[0], "p", sizeof(l[1].parents[0]));
	l[1].nparents = 1;
	strlcpy(l[2].parents[0], "p", sizeof(l[2].parents[0]));
	strlcpy(l[2].parents[1], "gone", sizeof(l[2].parents[1]));
	l[2].nparents = 2;
	CHECK_INT(uktv_lease_eligible(l, 3, 0), 1);
	CHECK_INT(uktv_lease_eligible(l, 3, 1), 0);
	CHECK_INT(uktv_lease_plan(l, 3, "a", NOW, DUR, want), 1);
	CHECK_INT(want[0], 1);
	CHECK_INT(want[1], 0);
	/* The parent read to its end: children (a trimmed-away parent does
	 * not hold c2 back), and the ended parent is not taken again. */
	uktv_position_set(&l[0].checkpoint, UKTV_POS_SHARD_END);
	CHECK_INT(uktv_lease_eligible(l, 3, 0), 0);
	CHECK_INT(uktv_lease_eligible(l, 3, 2), 1);
	CHECK_INT(uktv_lease_plan(l, 3, "a", NOW, DUR, want), 2);
	CHECK_INT(want[0], 0);
	CHECK_INT(want[1], 1);
	CHECK_INT(want[2], 1);
	free(l);
}

static void
test_three_workers_share_four(void)
{
	static const char *const owners[] = { "a", "a", "b", "b" };
	struct uktv_lease *l = mk(4, four, owners, NULL);
	int want[4];

	/* c arrives: target ceil(4/3) = 2; a and b hold 2 = target and c
	 * needs 2 (> 1): c steals one. */
	CHECK_INT(uktv_lease_plan(l, 4, "c", NOW, DUR, want), 1);
	/* Then a 1 (or b 1), c 1: c is one short, most loaded has target:
	 * no more stealing. */
	strlcpy(l[1].owner, "c", sizeof(l[1].owner));
	l[1].held = 1;
	CHECK_INT(uktv_lease_plan(l, 4, "c", NOW, DUR, want), 0);
	free(l);
}

static void
test_lease_json_names_position_owner_counter(void)
{
	static const char *const owners[] = { "w1" };
	static const char *const one[] = { "shardId-000000000007" };
	struct uktv_lease *l = mk(1, one, owners, NULL);
	struct json_object *o;

	uktv_position_set_sequence(&l[0].checkpoint, "49590338271490256608559692538361571095921575989136588898", 2);
	l[0].counter = 12;
	o = uktv_lease_to_json(&l[0]);
	CHECK_STR(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	    "{\"shard\":\"shardId-000000000007\",\"position\":"
	    "\"49590338271490256608559692538361571095921575989136588898\","
	    "\"sub_sequence\":2,\"owner\":\"w1\",\"lease_counter\":12,"
	    "\"owner_switches\":0}");
	json_object_put(o);
	free(l);
}

static void
test_new_checks_worker_id_and_durations(void)
{
	struct uktv_lease_opts o = { .table = "L", .worker_id = "" };
	struct uktv_error err = { 0 };
	struct uktv_leases *ls;

	CHECK(uktv_leases_new(NULL, &o, &err) == NULL);
	CHECK_INT(err.kind, UKTV_ERR_USAGE);
	o.worker_id = "w\n1";
	CHECK(uktv_leases_new(NULL, &o, &err) == NULL);
	o.worker_id = "w1";
	o.duration_ms = 1000;
	o.renew_ms = 1000;
	CHECK(uktv_leases_new(NULL, &o, &err) == NULL);
	o.renew_ms = 0;
	ls = uktv_leases_new(NULL, &o, &err);
	CHECK(ls != NULL);
	CHECK_INT(uktv_leases_count(ls), 0);
	CHECK(!uktv_leases_holds(ls, "shardId-000000000000"));
	uktv_leases_free(ls);
}

int
main(void)
{
	RUN(test_first_worker_takes_every_free_lease);
	RUN(test_second_worker_steals_one_at_a_time_up_to_half);
	RUN(test_odd_count_settles_without_flapping);
	RUN(test_expired_leases_are_taken_dead_worker_not_counted);
	RUN(test_own_name_from_an_earlier_run_is_taken_at_once);
	RUN(test_children_wait_for_parents_at_shard_end);
	RUN(test_three_workers_share_four);
	RUN(test_lease_json_names_position_owner_counter);
	RUN(test_new_checks_worker_id_and_durations);
	return UNIT_DONE();
}
