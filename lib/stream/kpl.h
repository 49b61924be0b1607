/*
 * kpl.h: records aggregated by the Kinesis Producer Library (KPL).
 *
 * The KPL packs many user records into one Kinesis record (the format of
 * amazon-kinesis-producer's aggregation-format.md):
 *
 *   4 bytes    magic F3 89 9A C2
 *   N bytes    protobuf AggregatedRecord {
 *                repeated string partition_key_table     = 1;
 *                repeated string explicit_hash_key_table = 2;
 *                repeated Record records                 = 3;
 *              }
 *              Record {
 *                required uint64 partition_key_index     = 1;
 *                optional uint64 explicit_hash_key_index = 2;
 *                required bytes  data                    = 3;
 *                repeated Tag    tags                    = 4;
 *              }
 *   16 bytes   MD5 of the N protobuf bytes
 *
 * Each user record keeps the Kinesis record's sequence number and gets a
 * sub-sequence number: its index in records.  A record that starts with the
 * magic but whose digest or message is wrong is, as the KCL does, not an
 * aggregate: the caller passes it through whole and reports it.
 *
 * No global state; decoding does not copy: the user records point into the
 * buffer given.
 */
#ifndef UKTV_KPL_H
#define UKTV_KPL_H

#include <stddef.h>

#define UKTV_KPL_MAGIC		"\xF3\x89\x9A\xC2"
#define UKTV_KPL_MAGIC_LEN	4
#define UKTV_KPL_DIGEST_LEN	16	/* MD5 */

struct uktv_kpl_user_record {
	const char		*partition_key;		/* not NUL-terminated */
	size_t			 partition_key_len;
	const char		*explicit_hash_key;	/* NULL when absent */
	size_t			 explicit_hash_key_len;
	const unsigned char	*data;
	size_t			 data_len;
};

/*
 * Decoded user records (records[0, n)), pointing into the decoded buffer.
 * Initialise with {0}; one struct can be reused for many decodes (its arrays
 * grow and are kept).  Free with uktv_kpl_aggregate_free.
 */
struct uktv_kpl_aggregate {
	struct uktv_kpl_user_record *records;
	size_t			 n;
	/* private */
	size_t			 cap;
	const unsigned char	**pk;		/* partition_key_table */
	size_t			*pk_len;
	size_t			 npk, cap_pk;
	const unsigned char	**ehk;		/* explicit_hash_key_table */
	size_t			*ehk_len;
	size_t			 nehk, cap_ehk;
};

enum uktv_kpl_status {
	UKTV_KPL_OK = 0,
	UKTV_KPL_NOT_AGGREGATED,	/* no magic, or too short for a digest */
	UKTV_KPL_BAD_DIGEST,		/* the MD5 trailer does not match */
	UKTV_KPL_BAD_MESSAGE,		/* the protobuf is not an AggregatedRecord */
	UKTV_KPL_NOMEM
};

/* 1 when buf[0, len) starts with the magic and can hold a digest. */
int	uktv_kpl_is_aggregated(const void *buf, size_t len);

/*
 * Decodes buf[0, len).  UKTV_KPL_OK fills agg (n may be 0: an aggregate of
 * no records); any other status leaves agg->n 0 and, if why is not NULL,
 * puts one line saying what is wrong in why[0, whylen).
 */
enum uktv_kpl_status uktv_kpl_decode(const void *buf, size_t len,
	    struct uktv_kpl_aggregate *agg, char *why, size_t whylen);
void	uktv_kpl_aggregate_free(struct uktv_kpl_aggregate *);

#endif
