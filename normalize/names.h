/*
 * names: person name keys. A romanization-aware key makes the spellings
 * of one Japanese name meet: macrons folded (Kōji = Koji), long vowels
 * collapsed (Kouji, Ootomo, Ohtomo, Yuuko), either name order (Morimoto
 * Koji = Koji Morimoto), case ignored. Native-script names keep their
 * characters with spaces removed (森本 晃司 = 森本晃司).
 */
#ifndef NAMES_H
#define NAMES_H

/* Returns the key of a name; the caller frees it. "" for blank input. */
char *name_key(const char *name);

/* The display form of a credited name: cleaned, ALL-CAPS words put in
 * normal case. The caller frees it. */
char *name_display(const char *name);

#endif
