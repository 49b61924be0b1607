/*
 * secret.h: wiping what held a secret (keys, tokens, signatures, request
 * bodies that carried them) before the memory goes back to the allocator.
 * explicit_bzero(3), so the compiler cannot drop the store.
 */
#ifndef UKTV_SECRET_H
#define UKTV_SECRET_H

#include <stddef.h>

/* Wipes the string's bytes, then frees it.  NULL is a no-op. */
void	uktv_secret_free(char *s);
/* Wipes len bytes at p, then frees p.  NULL is a no-op. */
void	uktv_secret_free_len(void *p, size_t len);
/* Wipes a string in place (it stays allocated), NULL is a no-op. */
void	uktv_secret_wipe(char *s);

#endif
