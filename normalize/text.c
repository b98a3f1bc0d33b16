/*
 * text: Unicode cleaning with utf8proc; entity decoding with libxml2's
 * entity table. See text.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <utf8proc.h>

#include "buf.h"

static void add_cp(struct buf *b, utf8proc_int32_t cp)
{
	utf8proc_uint8_t tmp[4];
	utf8proc_ssize_t n = utf8proc_encode_char(cp, tmp);
	buf_add(b, tmp, (size_t)n);
}

/* Decodes &name; &#N; &#xN; that survived HTML parsing (typed by users
 * as &amp;ouml;, say). Unknown references stay as written. */
static void decode_entities(const char *s, struct buf *out)
{
	while (*s) {
		const char *semi;
		if (*s == '&' && (semi = strchr(s, ';')) && semi - s <= 32 && semi - s > 1) {
			long cp = -1;
			if (s[1] == '#') {
				char *end;
				if (s[2] == 'x' || s[2] == 'X')
					cp = strtol(s + 3, &end, 16);
				else
					cp = strtol(s + 2, &end, 10);
				if (end != semi || cp <= 0 || cp > 0x10FFFF ||
				    (cp >= 0xD800 && cp <= 0xDFFF))
					cp = -1;
			} else {
				char name[40];
				memcpy(name, s + 1, (size_t)(semi - s - 1));
				name[semi - s - 1] = '\0';
				const htmlEntityDesc *e = htmlEntityLookup((const xmlChar *)name);
				if (e)
					cp = (long)e->value;
			}
			if (cp > 0) {
				add_cp(out, (utf8proc_int32_t)cp);
				s = semi + 1;
				continue;
			}
		}
		buf_addc(out, *s++);
	}
}

/* True when NFC leaves c as it is whatever surrounds it: no combining
 * mark, no decomposable or composable character (the common Latin,
 * punctuation, kana and CJK ranges of this wiki's text). */
static bool nfc_stable(utf8proc_int32_t c)
{
	return c < 0x300 ||
	       (c >= 0x2010 && c <= 0x2027) ||               /* dashes, quotes, bullets */
	       (c >= 0x3001 && c <= 0x303F) ||               /* CJK punctuation */
	       (c >= 0x3041 && c <= 0x3096) || (c >= 0x309D && c <= 0x30FF) || /* kana */
	       (c >= 0x4E00 && c <= 0x9FFF) ||               /* CJK unified ideographs */
	       (c >= 0xFF01 && c <= 0xFFEF);                 /* full/halfwidth forms */
}

static bool zero_width(utf8proc_int32_t c)
{
	return c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 ||
	       c == 0xFEFF || c == 0x00AD;
}

/* True when s is plain ASCII with no character reference: the common
 * case, which needs neither utf8proc nor NFC. */
static bool plain_ascii(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80 || *p == '&')
			return false;
	return true;
}

/* True when s (len bytes) is already what text_clean makes of it:
 * printable ASCII without '&', no blank at either end and no two blanks
 * in a row: the common case, tested eight bytes at a time. */
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
static bool already_clean(const char *s, size_t len)
{
	if (!len)
		return true;
	if (s[0] == ' ' || s[len - 1] == ' ')
		return false;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		uint64_t amp = w ^ (ONES * '&'), del = w ^ (ONES * 0x7f), sp = w ^ (ONES * ' ');
		uint64_t spaces = (sp - ONES) & ~sp & HIGHS;   /* may also mark a byte after one */
		if ((w & HIGHS) ||                              /* >= 0x80 */
		    ((w - ONES * 0x20) & ~w & HIGHS) ||         /* < 0x20 */
		    ((amp - ONES) & ~amp & HIGHS) ||            /* '&' */
		    ((del - ONES) & ~del & HIGHS) ||            /* DEL */
		    (spaces & (spaces << 8)) ||                 /* two blanks (or maybe not: */
		    (i && s[i - 1] == ' ' && s[i] == ' '))      /*  the slow path decides) */
			return false;
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f || c == '&' || (c == ' ' && i && s[i - 1] == ' '))
			return false;
	}
	return true;
}

/* text_clean for plain ASCII: the same result without decoding. */
static char *clean_ascii(const char *s)
{
	size_t n = strlen(s), o = 0;
	char *out = malloc(n + 1);
	bool space = false;
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if (c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == ' ') {
			space = o > 0;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			continue;
		if (space)
			out[o++] = ' ';
		space = false;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

/* Appends code point c at out (room for 4 bytes); returns the new end. */
static char *put_cp(char *out, utf8proc_int32_t c)
{
	return out + utf8proc_encode_char(c, (utf8proc_uint8_t *)out);
}

char *text_clean(const char *s)
{
	struct buf dec;
	utf8proc_uint8_t *nfc = NULL;
	bool space = false, stable = true;

	if (!s)
		return NULL;
	size_t slen = strlen(s);
	if (already_clean(s, slen)) {
		char *copy = malloc(slen + 1);
		if (copy)
			memcpy(copy, s, slen + 1);
		return copy;
	}
	if (plain_ascii(s))
		return clean_ascii(s);
	/* Character references first (only when there is an '&'). */
	buf_init(&dec, 0);
	if (strchr(s, '&')) {
		decode_entities(s, &dec);
		s = dec.data;
	}
	/* The result is never longer than s: references only shrink, blanks
	 * only collapse, and a code point is written back in as many bytes. */
	size_t len = strlen(s);
	char *out = malloc(len + 1), *o = out;
	if (!out) {
		buf_free(&dec);
		return NULL;
	}
	/* Blanks, zero-width characters and controls first, NFC last:
	 * dropping one can bring a mark next to its letter ("e", U+200B,
	 * U+0301), which NFC then composes. */
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t c;
	utf8proc_ssize_t n = 1;
	while (*p) {
		if (*p < 0x80) {   /* ASCII: no call into utf8proc */
			unsigned char a = *p++;
			if (a == '\t' || a == '\n' || a == '\r' || a == '\f' || a == '\v' || a == ' ') {
				space = o > out;
				continue;
			}
			if (a < 0x20 || a == 0x7f)
				continue;
			if (space)
				*o++ = ' ';
			space = false;
			*o++ = (char)a;
			continue;
		}
		if ((n = utf8proc_iterate(p, -1, &c)) <= 0)
			break;
		p += n;
		stable = stable && nfc_stable(c);
		utf8proc_category_t cat = utf8proc_category(c);
		if (zero_width(c))
			continue;
		if (c == 0x85 || cat == UTF8PROC_CATEGORY_ZS ||
		    cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP) {
			space = o > out;
			continue;
		}
		if (cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF)
			continue;
		if (space)
			*o++ = ' ';
		space = false;
		o = put_cp(o, c);
	}
	*o = '\0';
	buf_free(&dec);
	if (n > 0 && stable)
		return out;   /* NFC would change nothing */
	if (n <= 0 || utf8proc_map((const utf8proc_uint8_t *)out, 0, &nfc,
				   UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE) < 0) {
		/* Not valid UTF-8 (parse guarantees it is; be safe anyway). */
		free(out);
		return strdup("");
	}
	free(out);
	return (char *)nfc;
}

char *text_key(const char *s)
{
	char *clean = text_clean(s);
	utf8proc_uint8_t *nfd = NULL;
	struct buf out;
	utf8proc_int32_t base = 0;

	if (!clean)
		return NULL;
	if (plain_ascii(clean)) {
		/* Casefolding ASCII is lowering it; letters and digits stay. */
		size_t o = 0;
		for (const char *p = clean; *p; p++) {
			char c = *p;
			if (c >= 'A' && c <= 'Z')
				clean[o++] = (char)(c - 'A' + 'a');
			else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
				clean[o++] = c;
		}
		clean[o] = '\0';
		return clean;
	}
	buf_init(&out, 0);
	if (utf8proc_map((const utf8proc_uint8_t *)clean, 0, &nfd,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE |
			 UTF8PROC_COMPAT | UTF8PROC_CASEFOLD) < 0) {
		free(clean);
		return strdup("");
	}
	free(clean);
	const utf8proc_uint8_t *p = nfd;
	utf8proc_int32_t c;
	utf8proc_ssize_t n;
	struct buf tmp;
	buf_init(&tmp, 0);
	while ((n = utf8proc_iterate(p, -1, &c)) > 0 && c) {
		p += n;
		utf8proc_category_t cat = utf8proc_category(c);
		if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC) {
			/* Accents of Latin letters go; kana voicing marks stay. */
			if (base >= 0x250)
				add_cp(&tmp, c);
			continue;
		}
		base = c;
		if ((cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
		    (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO))
			add_cp(&tmp, c);
		else if (c == 0x30FC) /* katakana long vowel mark is a letter here */
			add_cp(&tmp, c);
	}
	free(nfd);
	/* Recompose what is left (kana with their marks). */
	utf8proc_uint8_t *nfc = NULL;
	if (utf8proc_map((const utf8proc_uint8_t *)tmp.data, 0, &nfc,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE) >= 0) {
		buf_adds(&out, (const char *)nfc);
		free(nfc);
	}
	buf_free(&tmp);
	return buf_detach(&out, NULL);
}

bool text_is_japanese(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t c;
	utf8proc_ssize_t n;
	while (s && (n = utf8proc_iterate(p, -1, &c)) > 0 && c) {
		p += n;
		if ((c >= 0x3040 && c <= 0x30FF) ||   /* hiragana, katakana */
		    (c >= 0x3400 && c <= 0x4DBF) ||   /* CJK ext A */
		    (c >= 0x4E00 && c <= 0x9FFF) ||   /* CJK unified */
		    (c >= 0xFF66 && c <= 0xFF9F) ||   /* halfwidth katakana */
		    (c >= 0x31F0 && c <= 0x31FF))
			return true;
	}
	return false;
}

bool text_all_caps(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t c;
	utf8proc_ssize_t n;
	int letters = 0;
	while ((n = utf8proc_iterate(p, -1, &c)) > 0 && c) {
		p += n;
		utf8proc_category_t cat = utf8proc_category(c);
		if (cat == UTF8PROC_CATEGORY_LL)
			return false;
		if (cat == UTF8PROC_CATEGORY_LU)
			letters++;
	}
	return letters >= 2;
}

/* text_fix_caps for plain ASCII. */
static char *fix_caps_ascii(const char *s)
{
	char *out = strdup(s);
	if (!out)
		return NULL;
	bool word_start = true;
	for (char *p = out; *p; ) {
		char *w = p;
		int upper = 0, lower = 0;
		while ((*w >= 'A' && *w <= 'Z') || (*w >= 'a' && *w <= 'z')) {
			if (*w <= 'Z')
				upper++;
			else
				lower++;
			w++;
		}
		if (w == p) {
			p++;
			word_start = true;
			continue;
		}
		if (word_start && upper >= 2 && lower == 0)
			for (char *q = p + 1; q < w; q++)
				*q = (char)(*q - 'A' + 'a');
		word_start = false;
		p = w;
	}
	return out;
}

char *text_fix_caps(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t c;
	utf8proc_ssize_t n;
	struct buf out;
	bool word_start = true;

	if (plain_ascii(s))
		return fix_caps_ascii(s);
	buf_init(&out, 0);
	/* Only words written all in capitals change: "MORIMOTO Koji". */
	while (*p) {
		const utf8proc_uint8_t *w = p;
		int upper = 0, lower = 0, len = 0;
		while ((n = utf8proc_iterate(w, -1, &c)) > 0 && c &&
		       utf8proc_category(c) <= UTF8PROC_CATEGORY_LO &&
		       utf8proc_category(c) >= UTF8PROC_CATEGORY_LU) {
			if (utf8proc_category(c) == UTF8PROC_CATEGORY_LU)
				upper++;
			else
				lower++;
			w += n;
			len++;
		}
		if (len == 0) {
			n = utf8proc_iterate(p, -1, &c);
			if (n <= 0)
				break;
			buf_add(&out, p, (size_t)n);
			p += n;
			word_start = true;
			continue;
		}
		bool fix = word_start && upper >= 2 && lower == 0;
		bool first = true;
		while (p < w) {
			n = utf8proc_iterate(p, -1, &c);
			add_cp(&out, fix && !first ? utf8proc_tolower(c) : c);
			first = false;
			p += n;
		}
		word_start = false;
	}
	return buf_detach(&out, NULL);
}
