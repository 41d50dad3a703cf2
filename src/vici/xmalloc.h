/*
 * Allocation helpers. Allocation failure is not an error the library or the
 * program can recover from in a useful way, so every allocation goes through
 * this one family, which aborts with a message when memory runs out. Every
 * other failure is returned to the caller.
 */
#ifndef SWANTOP_XMALLOC_H
#define SWANTOP_XMALLOC_H

#include <stddef.h>

/* Like malloc/calloc/realloc/strdup/strndup, but never return NULL. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows an array of nmemb elements of size bytes, checking for overflow. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void *xmemdup(const void *p, size_t n);
/* printf into a newly allocated string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
