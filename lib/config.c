/*
 * config: reads pipeline.conf with inih, validates every value against
 * config_keys, applies --set overrides. See config.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "config.h"
#include "ini_lines.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ini.h>
#include <pcre2.h>

#include "buf.h"
#include "log.h"

static int key_index(const char *sec, const char *key)
{
	for (int i = 0; config_keys[i].section; i++)
		if (!strcmp(config_keys[i].section, sec) &&
		    !strcmp(config_keys[i].name, key))
			return i;
	return -1;
}

static bool section_known(const char *sec)
{
	for (int i = 0; config_keys[i].section; i++)
		if (!strcmp(config_keys[i].section, sec))
			return true;
	return false;
}

static int parse_bool(const char *v)
{
	static const char *yes[] = { "true", "yes", "on", "1" };
	static const char *no[] = { "false", "no", "off", "0" };
	for (int i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -1;
}

static int parse_int(const char *v, long long *out)
{
	char *end;
	long long n;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v)
		return -1;
	long long mul = 1;
	switch (*end) {
	case 'k': case 'K': mul = 1024; end++; break;
	case 'm': case 'M': mul = 1024 * 1024; end++; break;
	case 'g': case 'G': mul = 1024LL * 1024 * 1024; end++; break;
	default: break;
	}
	if (__builtin_mul_overflow(n, mul, &n))
		return -1;
	if (*end)
		return -1;
	*out = n;
	return 0;
}

static int parse_double(const char *v, double *out)
{
	char *end;
	double d;
	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

static bool word_in(const char *word, const char *words)
{
	size_t wl = strlen(word);
	const char *p = words;
	while (*p) {
		const char *e = strchr(p, ' ');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == wl && !strncmp(p, word, l))
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

/* Checks v against key k; on error writes the reason into why. */
static int validate(const struct cfg_key *k, const char *v, struct buf *why)
{
	long long n;
	double d;

	switch (k->type) {
	case CFG_STRING:
	case CFG_PATH:
	case CFG_LIST:
		return 0;
	case CFG_INT:
		if (parse_int(v, &n)) {
			buf_addf(why, "'%s' is not a whole number", v);
			return -1;
		}
		if ((double)n < k->min || (double)n > k->max) {
			buf_addf(why, "%s is out of range (%.0f to %.0f)", v, k->min, k->max);
			return -1;
		}
		return 0;
	case CFG_DOUBLE:
		if (parse_double(v, &d)) {
			buf_addf(why, "'%s' is not a number", v);
			return -1;
		}
		if (d < k->min || d > k->max) {
			buf_addf(why, "%s is out of range (%g to %g)", v, k->min, k->max);
			return -1;
		}
		return 0;
	case CFG_BOOL:
		if (parse_bool(v) < 0) {
			buf_addf(why, "'%s' is not true or false", v);
			return -1;
		}
		return 0;
	case CFG_ENUM:
		if (!word_in(v, k->choices)) {
			buf_addf(why, "'%s' is not one of: %s", v, k->choices);
			return -1;
		}
		return 0;
	case CFG_REGEX_LIST: {
		char *copy = strdup(v), *save = NULL, *w;
		int rc = 0;
		if (!copy)
			return -1;
		for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
			int err;
			PCRE2_SIZE off;
			pcre2_code *re = pcre2_compile((PCRE2_SPTR)w, PCRE2_ZERO_TERMINATED,
						       PCRE2_UTF, &err, &off, NULL);
			if (!re) {
				PCRE2_UCHAR msg[256];
				pcre2_get_error_message(err, msg, sizeof msg);
				buf_addf(why, "pattern '%s': %s at offset %zu", w, (char *)msg, (size_t)off);
				rc = -1;
				break;
			}
			pcre2_code_free(re);
		}
		free(copy);
		return rc;
	}
	}
	return -1;
}

static int store(struct config *c, int i, const char *v, const char *base,
		 const char *origin)
{
	char *nv = strdup(v), *nb = strdup(base), *no = strdup(origin);
	if (!nv || !nb || !no) {
		free(nv);
		free(nb);
		free(no);
		return -1;
	}
	free(c->values[i].value);
	free(c->values[i].base);
	free(c->values[i].origin);
	c->values[i].value = nv;
	c->values[i].base = nb;
	c->values[i].origin = no;
	return 0;
}

int config_init(struct config *c)
{
	memset(c, 0, sizeof *c);
	while (config_keys[c->n].section)
		c->n++;
	c->values = calloc(c->n, sizeof *c->values);
	if (!c->values)
		return -1;
	for (size_t i = 0; i < c->n; i++)
		if (store(c, (int)i, config_keys[i].def, ".", "default"))
			return -1;
	return 0;
}

struct reader_state {
	struct ini_lines il;
	struct config *c;
	const char *file;
	char *dir;
	int *seen;
	int first_error_line;   /* line of the first error the handler reported */
};

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct reader_state *rs = user;
	struct config *c = rs->c;
	struct buf why, origin;
	int i, rc = 1;

	buf_init(&why, 0);
	buf_init(&origin, 0);
	buf_addf(&origin, "%s:%d", rs->file, rs->il.line);
	if (!*section) {
		log_error("%s: key '%s' is outside any [section]", origin.data, name);
		rc = 0;
	} else if ((i = key_index(section, name)) < 0) {
		if (section_known(section))
			log_error("%s: unknown key '%s' in [%s]", origin.data, name, section);
		else
			log_error("%s: unknown section [%s] (key '%s')", origin.data, section, name);
		rc = 0;
	} else if (rs->seen[i]) {
		log_error("%s: [%s] %s is set twice (first on line %d)",
			  origin.data, section, name, rs->seen[i]);
		rc = 0;
	} else if (validate(&config_keys[i], value, &why)) {
		log_error("%s: [%s] %s: %s", origin.data, section, name, why.data);
		rc = 0;
	} else {
		rs->seen[i] = rs->il.line;
		if (store(c, i, value, rs->dir, origin.data))
			rc = 0;
	}
	if (!rc) {
		c->errors++;
		if (!rs->first_error_line)
			rs->first_error_line = rs->il.line;
	}
	buf_free(&why);
	buf_free(&origin);
	return rc;
}

int config_read(struct config *c, const char *path, bool required)
{
	struct reader_state rs;
	int rc;
	char *tmp;

	memset(&rs, 0, sizeof rs);
	ini_lines_init(&rs.il, fopen(path, "r"));
	if (!rs.il.fp) {
		if (!required && errno == ENOENT)
			return 0;
		log_error("cannot read config '%s': %s", path, strerror(errno));
		c->errors++;
		return -1;
	}
	tmp = strdup(path);
	rs.dir = tmp ? strdup(dirname(tmp)) : NULL;
	free(tmp);
	rs.seen = calloc(c->n, sizeof *rs.seen);
	if (!rs.dir || !rs.seen) {
		fclose(rs.il.fp);
		free(rs.dir);
		free(rs.seen);
		return -1;
	}
	rs.c = c;
	rs.file = path;

	/* Values may be long (lists of URLs); let inih grow its line buffer. */
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_max_line = 1 << 20;
	ini_allow_multiline = false;
	ini_stop_on_first_error = false;

	int before = c->errors;
	rs.first_error_line = 0;
	rc = ini_parse_stream(ini_lines_read, &rs.il, handler, &rs);
	if (rc > 0 && (c->errors == before || rc < rs.first_error_line)) {
		/* inih returns the first error's line; when the handler did not
		 * report that line, it is a syntax error inih found itself (no
		 * '=' or a bad [section]). Later syntax errors, if any, show up
		 * once this one is fixed. */
		log_error("%s:%d: syntax error (expected [section] or key = value)", path, rc);
		c->errors++;
	} else if (rc < 0) {
		log_error("cannot read config '%s': out of memory", path);
		c->errors++;
	}
	if (ferror(rs.il.fp)) {
		log_error("cannot read config '%s': %s", path, strerror(errno ? errno : EIO));
		c->errors++;
	}
	fclose(rs.il.fp);
	free(rs.dir);
	free(rs.seen);
	free(c->path);
	c->path = strdup(path);
	return c->errors == before ? 0 : -1;
}

int config_set(struct config *c, const char *arg)
{
	const char *dot = strchr(arg, '.'), *eq = strchr(arg, '=');
	struct buf why;
	char *sec, *key;
	int i, rc = 0;

	if (!dot || !eq || dot > eq || dot == arg || eq == dot + 1) {
		log_error("--set '%s': expected SECTION.KEY=VALUE", arg);
		c->errors++;
		return -1;
	}
	sec = strndup(arg, (size_t)(dot - arg));
	key = strndup(dot + 1, (size_t)(eq - dot - 1));
	buf_init(&why, 0);
	if (!sec || !key) {
		rc = -1;
	} else if ((i = key_index(sec, key)) < 0) {
		log_error("--set '%s': unknown key '%s.%s'", arg, sec, key);
		rc = -1;
	} else if (validate(&config_keys[i], eq + 1, &why)) {
		log_error("--set [%s] %s: %s", sec, key, why.data);
		rc = -1;
	} else if (store(c, i, eq + 1, ".", "--set")) {
		rc = -1;
	}
	if (rc)
		c->errors++;
	free(sec);
	free(key);
	buf_free(&why);
	return rc;
}

void config_free(struct config *c)
{
	for (size_t i = 0; i < c->n && c->values; i++) {
		free(c->values[i].value);
		free(c->values[i].base);
		free(c->values[i].origin);
	}
	free(c->values);
	free(c->path);
	memset(c, 0, sizeof *c);
}

static const struct cfg_value *lookup(const struct config *c, const char *sec,
				      const char *key, enum cfg_type t1, enum cfg_type t2)
{
	int i = key_index(sec, key);
	if (i < 0 || (config_keys[i].type != t1 && config_keys[i].type != t2)) {
		fprintf(stderr, "BUG: config key [%s] %s unknown or of another type\n", sec, key);
		abort();
	}
	return &c->values[i];
}

const char *config_str(const struct config *c, const char *sec, const char *key)
{
	int i = key_index(sec, key);
	if (i < 0) {
		fprintf(stderr, "BUG: config key [%s] %s unknown\n", sec, key);
		abort();
	}
	return c->values[i].value;
}

long long config_int(const struct config *c, const char *sec, const char *key)
{
	long long n = 0;
	parse_int(lookup(c, sec, key, CFG_INT, CFG_INT)->value, &n);
	return n;
}

double config_double(const struct config *c, const char *sec, const char *key)
{
	double d = 0;
	parse_double(lookup(c, sec, key, CFG_DOUBLE, CFG_DOUBLE)->value, &d);
	return d;
}

bool config_bool(const struct config *c, const char *sec, const char *key)
{
	return parse_bool(lookup(c, sec, key, CFG_BOOL, CFG_BOOL)->value) == 1;
}

char *config_path(const struct config *c, const char *sec, const char *key)
{
	const struct cfg_value *v = lookup(c, sec, key, CFG_PATH, CFG_PATH);
	struct buf b;

	buf_init(&b, 0);
	if (v->value[0] == '/' || v->value[0] == '\0' || !strcmp(v->base, "."))
		buf_adds(&b, v->value);
	else
		buf_addf(&b, "%s/%s", v->base, v->value);
	return buf_detach(&b, NULL);
}

char **config_list(const struct config *c, const char *sec, const char *key,
		   size_t *n)
{
	const struct cfg_value *v = lookup(c, sec, key, CFG_LIST, CFG_REGEX_LIST);
	char *copy = strdup(v->value), *save = NULL, *w;
	char **list;
	size_t cap = 1, k = 0;

	if (!copy)
		return NULL;
	for (const char *p = copy; *p; p++)
		if (*p == ' ' || *p == '\t')
			cap++;
	list = calloc(cap + 1, sizeof *list);
	if (!list) {
		free(copy);
		return NULL;
	}
	for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		list[k] = strdup(w);
		if (!list[k]) {
			config_list_free(list);
			free(copy);
			return NULL;
		}
		k++;
	}
	free(copy);
	if (n)
		*n = k;
	return list;
}

void config_list_free(char **list)
{
	if (!list)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}

const char *config_origin(const struct config *c, const char *sec, const char *key)
{
	int i = key_index(sec, key);
	return i < 0 ? NULL : c->values[i].origin;
}

void config_dump(const struct config *c, void *out)
{
	FILE *fp = out;
	const char *sec = "";
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(sec, config_keys[i].section)) {
			sec = config_keys[i].section;
			fprintf(fp, "%s[%s]\n", i ? "\n" : "", sec);
		}
		/* inih reads " ;" as the start of a comment: a value that
		 * starts with ';' follows the '=' without a blank, so that the
		 * dump read back as a config gives the same value. */
		const char *v = c->values[i].value;
		fprintf(fp, "%s =%s%s    ; %s\n", config_keys[i].name,
			*v == ';' ? "" : " ", v, c->values[i].origin);
	}
}
