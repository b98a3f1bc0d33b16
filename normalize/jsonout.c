/*
 * jsonout: see jsonout.h.
 */
#include "jsonout.h"

#include <stdint.h>
#include <string.h>

/*
 * Most strings need no escape: those YAJL is given already quoted, as a
 * value it prints as it is (yajl_gen_number does no more than that),
 * which skips its escaping loop (a tenth of normalize's instructions);
 * the others, and long ones, YAJL escapes. The output is the same bytes:
 * YAJL escapes only '"', '\\' and the bytes below 0x20 (when not set to
 * escape '/').
 */
yajl_gen_status jsonout_string(yajl_gen g, const char *s, size_t n)
{
	static _Thread_local char q[4096];
	size_t i = 0;
	if (n > sizeof q - 2)
		goto escaped;
	/* Eight bytes at a time: is one of them below 0x20, '"' or '\\'? */
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	for (; i + 8 <= n; i += 8) {
		uint64_t x, y, z;
		memcpy(&x, s + i, 8);
		y = x ^ (ones * '"');
		z = x ^ (ones * '\\');
		if (((x - ones * 0x20) | (y - ones) | (z - ones)) & ~x & high)
			goto escaped;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\')
			goto escaped;
	}
	q[0] = '"';
	memcpy(q + 1, s, n);
	q[n + 1] = '"';
	return yajl_gen_number(g, q, n + 2);
escaped:
	return yajl_gen_string(g, (const unsigned char *)s, n);
}
