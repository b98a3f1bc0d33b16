/*
 * text: Unicode cleaning for display and comparison (utf8proc).
 *
 * text_clean gives display text: NFC, leftover HTML entities decoded,
 * non-breaking and other spaces made plain spaces, zero-width characters
 * and controls dropped, runs of blanks collapsed, ends trimmed. Curly
 * quotes and dashes are kept: they are proper characters.
 *
 * text_key gives a comparison key: the cleaned text casefolded, accents
 * of Latin letters removed, and everything but letters and digits
 * dropped, so "Magnetic Rose", "magnetic rose." and "MAGNETIC-ROSE" meet.
 */
#ifndef TEXT_H
#define TEXT_H

#include <stdbool.h>

/* Both return a new string the caller frees, or NULL when s is NULL or
 * memory runs out. text_clean returns "" for blank input. */
char *text_clean(const char *s);
char *text_key(const char *s);

/* True when s has kana or CJK ideographs (a Japanese-script title). */
bool text_is_japanese(const char *s);

/* True when every letter of s is uppercase and it has at least 2 letters. */
bool text_all_caps(const char *s);

/* "MORIMOTO Koji" -> "Morimoto Koji": uppercase words of more than one
 * letter put in capitalised form. The caller frees the result. */
char *text_fix_caps(const char *s);

#endif
