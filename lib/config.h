/*
 * config: pipeline.conf, the one configuration file of every stage.
 *
 * The file is INI (read with inih). Every key the pipeline knows is listed
 * in config_keys.c with its type, default and one line of help; a key not in
 * that table, or a value that does not fit its type, is an error naming the
 * file, the line and the key. `--set SECTION.KEY=VALUE` overrides the file
 * as `git -c` does. Relative paths in the file are relative to the file's
 * directory; relative paths given with --set are relative to the current
 * directory.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum cfg_type {
	CFG_STRING,
	CFG_PATH,    /* a file name; resolved against the config's directory */
	CFG_INT,     /* integer in [min, max]; k, M, G suffixes (x1024) allowed */
	CFG_DOUBLE,  /* decimal number in [min, max] */
	CFG_BOOL,    /* true/false, yes/no, on/off, 1/0 */
	CFG_ENUM,    /* one of the space-separated words in choices */
	CFG_LIST,    /* space-separated words */
	CFG_REGEX_LIST /* space-separated PCRE2 patterns, each must compile */
};

struct cfg_key {
	const char *section;
	const char *name;
	enum cfg_type type;
	const char *def;      /* default value, as it would be written */
	double min, max;      /* for CFG_INT and CFG_DOUBLE */
	const char *choices;  /* for CFG_ENUM */
	const char *help;     /* one line */
};

/* The table of known keys, terminated by a zeroed entry (config_keys.c). */
extern const struct cfg_key config_keys[];

struct cfg_value {
	char *value;    /* validated text */
	char *base;     /* directory relative paths resolve against */
	char *origin;   /* "default", "FILE:LINE" or "--set" */
};

struct config {
	char *path;                 /* file read, or NULL if none */
	size_t n;                   /* number of keys */
	struct cfg_value *values;   /* parallel to config_keys */
	int errors;                 /* errors reported so far */
};

/* Fills c with the defaults. Returns 0, or -1 when out of memory. */
int config_init(struct config *c);

/* Reads path over the defaults. A missing file is an error when required
 * (the user named it), else silently skipped. Every problem is logged as
 * "FILE:LINE: ..." and counted; returns 0 if the file was good, -1 if not. */
int config_read(struct config *c, const char *path, bool required);

/* Applies one "SECTION.KEY=VALUE" override. Logs and returns -1 when the
 * argument is malformed, the key unknown or the value bad. */
int config_set(struct config *c, const char *arg);

/* Frees everything c holds. */
void config_free(struct config *c);

/* Accessors. The key must exist in config_keys with the matching type;
 * asking for an unknown key is a programming error and aborts. */
const char *config_str(const struct config *c, const char *sec, const char *key);
long long config_int(const struct config *c, const char *sec, const char *key);
double config_double(const struct config *c, const char *sec, const char *key);
bool config_bool(const struct config *c, const char *sec, const char *key);

/* The path value resolved against its base directory; "" stays "".
 * The caller frees the result. NULL only when out of memory. */
char *config_path(const struct config *c, const char *sec, const char *key);

/* Splits a CFG_LIST or CFG_REGEX_LIST value into words. Returns a
 * NULL-terminated array and its length in *n; free it with
 * config_list_free. NULL only when out of memory. */
char **config_list(const struct config *c, const char *sec, const char *key,
		   size_t *n);
void config_list_free(char **list);

/* Where a value came from ("default", "pipeline.conf:12", "--set"). */
const char *config_origin(const struct config *c, const char *sec, const char *key);

/* Writes every key as "[section] key = value  ; origin" lines to fp. */
void config_dump(const struct config *c, void *fp);

#endif
