/*
 * sha256_hex (declared in fsutil.h), in a file of its own: a program
 * that never hashes links neither this nor libcrypto, whose loading and
 * set-up cost a few milliseconds at each start.
 */
#include "fsutil.h"

#include <openssl/evp.h>

void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	static const char hex[] = "0123456789abcdef";

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}
