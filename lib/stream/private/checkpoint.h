/*
 * private/checkpoint.h: what the checkpoint tests look at.
 * Not installed: for libuktv's own tests only.
 */
#ifndef UKTV_PRIVATE_CHECKPOINT_H
#define UKTV_PRIVATE_CHECKPOINT_H

#include "checkpoint.h"

/* Deletes the shard's file (0 also when there was none). */
int	uktv_checkpoint_remove(struct uktv_checkpoint_dir *, const char *shard,
	    struct uktv_error *);


/* Files written by this process (for --stats). */
long	uktv_checkpoint_writes(const struct uktv_checkpoint_dir *);

#endif
