/*
 * Copying to the operator's clipboard through the terminal: the OSC 52
 * escape sequence ("ESC ] 52 ; c ; BASE64 BEL"), which xterm-like terminals
 * turn into a clipboard write. It travels with the rest of the output, so
 * it works over SSH; tmux takes it (and passes it on to the terminal
 * outside) with "set -g set-clipboard on", and ignores it with its default
 * "external". The text is the caller's, already safe; this module only
 * encodes. Pure code.
 */
#ifndef SWANTOP_UTIL_OSC52_H
#define SWANTOP_UTIL_OSC52_H

#include <stddef.h>

/* Most bytes copied at once (before base64): terminals cap what they take
 * (xterm, tmux and others at around 100 KB of sequence or less). */
#define OSC52_MAX 100000

/* Bytes base64 takes for len bytes (without a NUL). */
size_t base64_len(size_t len);
/* RFC 4648 base64 of s[0..len) into out, which must hold base64_len(len)
 * + 1 bytes (NUL-terminated). Returns the length written. */
size_t base64_encode(const void *s, size_t len, char *out);

/* The OSC 52 sequence that puts s[0..len) on the clipboard, in a new
 * string (free()), its length in *outlen; NULL when len > OSC52_MAX. */
char *osc52_sequence(const void *s, size_t len, size_t *outlen);

#endif
