/* test_consumer.c: the stream tools' one claim rule (consumer.h), without
 * AWS: a checkpoint directory, and the parent-read rule over a reshard. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "consumer.h"
#include "unit.h"

static char tmpdir[256];

static struct uktv_shard_info
shard(const char *id, const char *parent, const char *adjacent,
    const char *ending)
{
	struct uktv_shard_info i;

	memset(&i, 0, sizeof(i));
	i.shard_id = id;
	i.parent = parent;
	i.adjacent_parent = adjacent;
	i.starting_sequence = "1";
	i.ending_sequence = ending;
	return i;
}

static struct uktv_consumer *
consumer(struct uktv_checkpoint_dir *ck, const char *at_shard)
{
	struct uktv_consumer_opts o;
	struct uktv_error e;
	struct uktv_consumer *c;

	memset(&o, 0, sizeof(o));
	o.backend = UKTV_SR_KINESIS;
	o.ckdir = ck;
	o.at_shard = at_shard;
	if (at_shard != NULL)
		uktv_position_set_sequence(&o.at_pos, "77", -1);
	uktv_error_clear(&e);
	c = uktv_consumer_new(&o, &e);
	CHECK(c != NULL);
	return c;
}

/* Claims info with the default start dflt: the claim, *pos after. */
static int
claim(struct uktv_consumer *c, const struct uktv_shard_info *info,
    enum uktv_position_kind dflt, struct uktv_position *pos)
{
	struct uktv_error e;

	uktv_error_clear(&e);
	uktv_position_set(pos, dflt);
	return uktv_consumer_claim(c, info, pos, &e);
}

static void
test_parent_read_rule(void)
{
	struct uktv_consumer *c = consumer(NULL, NULL);
	struct uktv_shard_info p = shard("shardId-000000000000", NULL, NULL, "9");
	struct uktv_shard_info a = shard("shardId-000000000001", NULL, NULL, "9");
	struct uktv_shard_info k = shard("shardId-000000000002",
	    "shardId-000000000000", "shardId-000000000001", NULL);
	struct uktv_shard_info o = shard("shardId-000000000003",
	    "shardId-000000000009", NULL, NULL);
	struct uktv_position pos;

	/* A parent read from the default start... */
	CHECK_INT(claim(c, &p, UKTV_POS_TRIM_HORIZON, &pos), UKTV_SR_CLAIM_READ);
	CHECK_INT(pos.kind, UKTV_POS_TRIM_HORIZON);
	/* ...makes its child start at TRIM_HORIZON whatever the default. */
	CHECK_INT(claim(c, &k, UKTV_POS_LATEST, &pos), UKTV_SR_CLAIM_READ);
	CHECK_INT(pos.kind, UKTV_POS_TRIM_HORIZON);
	/* A shard whose parents this run did not read: the default. */
	CHECK_INT(claim(c, &o, UKTV_POS_LATEST, &pos), UKTV_SR_CLAIM_READ);
	CHECK_INT(pos.kind, UKTV_POS_LATEST);
	uktv_consumer_free(c);

	/* LATEST on a closed shard reads nothing: its child is news. */
	c = consumer(NULL, NULL);
	CHECK_INT(claim(c, &a, UKTV_POS_LATEST, &pos), UKTV_SR_CLAIM_READ);
	k.parent = NULL;
	CHECK_INT(claim(c, &k, UKTV_POS_LATEST, &pos), UKTV_SR_CLAIM_READ);
	CHECK_INT(pos.kind, UKTV_POS_LATEST);
	uktv_consumer_free(c);
}

static void
test_checkpoint_wins(void)
{
	struct uktv_checkpoint_dir *ck;
	struct uktv_consumer *c;
	struct uktv_shard_info p = shard("shardId-000000000000", NULL, NULL, "9");
	struct uktv_shard_info k = shard("shardId-000000000002",
	    "shardId-000000000000", NULL, NULL);
	struct uktv_shard_info s = shard("shardId-000000000005", NULL, NULL, NULL);
	struct uktv_position pos, got;
	struct uktv_error e;

	uktv_error_clear(&e);
	ck = uktv_checkpoint_open(tmpdir, 1, &e);
	CHECK(ck != NULL);
	if (ck == NULL)
		return;
	c = consumer(ck, "shardId-000000000005");
	/* Written through the consumer, read back by the claim. */
	uktv_position_set_sequence(&pos, "42", -1);
	CHECK_INT(uktv_consumer_checkpoint(c, k.shard_id, &pos, &e), 0);
	CHECK_INT(uktv_consumer_checkpoints(c), 1);
	CHECK_INT(claim(c, &p, UKTV_POS_TRIM_HORIZON, &got), UKTV_SR_CLAIM_READ);
	CHECK_INT(claim(c, &k, UKTV_POS_LATEST, &got), UKTV_SR_CLAIM_READ);
	CHECK_INT(got.kind, UKTV_POS_SEQUENCE);
	CHECK_STR(got.sequence, "42");
	/* at_shard: its own start when it has no checkpoint. */
	CHECK_INT(claim(c, &s, UKTV_POS_TRIM_HORIZON, &got), UKTV_SR_CLAIM_READ);
	CHECK_INT(got.kind, UKTV_POS_SEQUENCE);
	CHECK_STR(got.sequence, "77");
	/* SHARD_END: DONE. */
	uktv_position_set(&pos, UKTV_POS_SHARD_END);
	CHECK_INT(uktv_consumer_checkpoint(c, p.shard_id, &pos, &e), 0);
	CHECK_INT(claim(c, &p, UKTV_POS_TRIM_HORIZON, &got), UKTV_SR_CLAIM_DONE);
	uktv_consumer_free(c);
	uktv_checkpoint_close(ck);
}

static void
test_no_store(void)
{
	struct uktv_consumer *c = consumer(NULL, NULL);
	struct uktv_position pos;
	struct uktv_error e;

	uktv_error_clear(&e);
	uktv_position_set(&pos, UKTV_POS_TRIM_HORIZON);
	/* Nowhere to keep positions: nothing written, nothing counted. */
	CHECK_INT(uktv_consumer_checkpoint(c, "shardId-000000000000", &pos, &e), 0);
	CHECK_INT(uktv_consumer_checkpoints(c), 0);
	/* No lease table: a tick and a poll do nothing. */
	long long wait = 1000;
	CHECK_INT(uktv_consumer_lease_tick(c, &e), 0);
	CHECK_INT(uktv_consumer_lease_poll(c, 0, &wait, &e), 0);
	CHECK_INT(wait, 1000);
	uktv_consumer_free(c);
}

int
main(void)
{
	char cmd[300];
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "%s/uktv-consumer-XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return 2;
	RUN(test_parent_read_rule);
	RUN(test_checkpoint_wins);
	RUN(test_no_store);
	rc = UNIT_DONE();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
