/*
 * OSC 52 and the base64 it carries (see osc52.h).
 */
#include "util/osc52.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

static const char b64_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base64_len(size_t len)
{
	return (len + 2) / 3 * 4;
}

size_t base64_encode(const void *data, size_t len, char *out)
{
	const uint8_t *s = data;
	size_t k = 0;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		out[k++] = b64_alphabet[(v >> 18) & 63];
		out[k++] = b64_alphabet[(v >> 12) & 63];
		out[k++] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		out[k++] = i + 2 < len ? b64_alphabet[v & 63] : '=';
	}
	out[k] = '\0';
	return k;
}

char *osc52_sequence(const void *s, size_t len, size_t *outlen)
{
	static const char head[] = "\033]52;c;";
	if (len > OSC52_MAX)
		return NULL;
	size_t hl = sizeof(head) - 1;
	char *out = xmalloc(hl + base64_len(len) + 2);
	memcpy(out, head, hl);
	size_t n = hl + base64_encode(s, len, out + hl);
	out[n++] = '\a';
	out[n] = '\0';
	*outlen = n;
	return out;
}
