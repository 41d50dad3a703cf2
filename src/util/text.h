/*
 * Small text helpers shared by the JSON code, the sanitiser, the line editor,
 * the command line and the theme parser: strict UTF-8 decoding and encoding,
 * and "did you mean" suggestions for mistyped names.
 */
#ifndef SWANTOP_TEXT_H
#define SWANTOP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes one strict UTF-8 sequence at s (len bytes available): no overlong
 * forms, no surrogates, nothing above U+10FFFF. Returns its length (1..4) and
 * the code point in *cp, or 0 if the bytes are invalid or len is 0. */
size_t utf8_decode(const uint8_t *s, size_t len, uint32_t *cp);
/* Encodes a Unicode scalar value into out; returns its length (1..4). */
size_t utf8_encode(uint32_t cp, char out[4]);
/* Length of cp's UTF-8 encoding (1..4). */
static inline size_t utf8_len(uint32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}
/* Whether s/len is entirely valid UTF-8. */
bool utf8_valid(const void *s, size_t len);

/* The candidate closest to word by edit distance, if it is close enough to
 * be a typo (at most 1 edit for words of up to 3 characters, 2 otherwise),
 * else NULL. Returns one of cands (borrowed). */
const char *text_suggest(const char *word, const char *const *cands, size_t n);

#endif
