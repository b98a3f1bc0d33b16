/*
 * changes: the difference between this run's normalized records and the
 * previous run's. See changes.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "changes.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "fsutil.h"
#include "log.h"
#include "stagefile.h"

struct pending {
	char key[96];
	long offset;
	size_t len;
};

/* A line of the previous file: its hash, where it is, and whether a new
 * line has matched it. */
struct prev_line {
	struct changes_hash h;
	long offset;
	unsigned len;
	bool matched;
};

struct changes {
	int prev;                /* the previous file, or -1 when there is none */
	char *prev_path;
	struct prev_line *lines; /* in file order */
	size_t nlines, alines;
	unsigned *slots;         /* 1 + index in lines, by hash (open addressing) */
	size_t nslots;           /* a power of two, over twice nlines */
	struct pending *fresh;   /* new lines whose hash prev lacks */
	size_t nfresh, afresh;
};

const char *changes_key(const json_t *rec, char *buf, size_t size)
{
	const char *type = json_str(rec, "type"), *id = NULL;
	if (!type)
		return NULL;
	if (!strcmp(type, "work"))
		id = json_str(rec, "work_id");
	else if (!strcmp(type, "person") || !strcmp(type, "merged"))
		id = json_str(rec, "person_id");
	else
		id = json_str(rec, "entity_id");
	if (!id)
		return NULL;
	snprintf(buf, size, "%s:%s", type, id);
	return buf;
}

/* A line's identity across runs: XXH3's 128-bit hash. Change
 * detection needs no cryptographic strength, and XXH3 is some fifty times
 * faster than SHA-256 over the tens of megabytes read and written here. */
void changes_line_hash(const char *line, size_t len, struct changes_hash *h)
{
	XXH128_hash_t x = XXH3_128bits(line, len);
	h->lo = x.low64;
	h->hi = x.high64;
}

/* The slot of hash h: its line's, or the free one where it would go. */
static unsigned *slot_of(const struct changes *c, const struct changes_hash *h)
{
	size_t j = (size_t)h->lo & (c->nslots - 1);
	for (; c->slots[j]; j = (j + 1) & (c->nslots - 1)) {
		const struct prev_line *l = &c->lines[c->slots[j] - 1];
		if (l->h.lo == h->lo && l->h.hi == h->hi)
			break;
	}
	return &c->slots[j];
}

static bool slots_grow(struct changes *c)
{
	size_t n = c->nslots ? 2 * c->nslots : 1u << 16;
	unsigned *s = calloc(n, sizeof *s);
	if (!s)
		return false;
	free(c->slots);
	c->slots = s;
	c->nslots = n;
	for (size_t i = 0; i < c->nlines; i++)
		*slot_of(c, &c->lines[i].h) = (unsigned)i + 1;
	return true;
}

/* Notes a line of the previous file (a line equal to an earlier one
 * takes its place). */
static bool note_prev(struct changes *c, const char *line, size_t len, long offset)
{
	struct changes_hash h;
	if (len > UINT_MAX || c->nlines >= UINT_MAX - 1)
		return false;
	if (2 * (c->nlines + 1) > c->nslots && !slots_grow(c))
		return false;
	if (c->nlines == c->alines) {
		size_t na = c->alines ? 2 * c->alines : 1u << 15;
		struct prev_line *l = realloc(c->lines, na * sizeof *l);
		if (!l)
			return false;
		c->lines = l;
		c->alines = na;
	}
	changes_line_hash(line, len, &h);
	unsigned *slot = slot_of(c, &h);
	if (!*slot)
		*slot = (unsigned)++c->nlines;
	c->lines[*slot - 1] = (struct prev_line){ h, offset, (unsigned)len, false };
	return true;
}

/* Reads the previous file's lines after its header, by blocks of 1 MB
 * (a longer line grows the block). 0; 1 when it is not a previous run
 * after all (said why); -1 when memory runs out. */
static int read_prev(struct changes *c, const char *format)
{
	size_t cap = 1u << 20, have = 0;
	char *buf = malloc(cap);
	long at = 0;             /* the file offset of buf[0] */
	bool header = true, bad = false;
	ssize_t got;

	if (!buf)
		return -1;
	while (!bad && (got = read(c->prev, buf + have, cap - have)) > 0) {
		have += (size_t)got;
		size_t pos = 0;
		char *nl;
		while (!bad && (nl = memchr(buf + pos, '\n', have - pos))) {
			size_t len = (size_t)(nl - (buf + pos));
			if (header) {
				header = false;
				bad = !memmem(buf, len, format, strlen(format));
			} else if (!note_prev(c, buf + pos, len, at + (long)pos)) {
				free(buf);
				return -1;
			}
			pos += len + 1;
		}
		memmove(buf, buf + pos, have - pos);
		have -= pos;
		at += (long)pos;
		if (have == cap) {
			char *b2 = realloc(buf, 2 * cap);
			if (!b2) {
				free(buf);
				return -1;
			}
			buf = b2;
			cap *= 2;
		}
	}
	int err = !bad && got < 0 ? errno : 0;
	/* (a last line without its newline) */
	if (!bad && !err && have && !header && !note_prev(c, buf, have, at)) {
		free(buf);
		return -1;
	}
	free(buf);
	if (err) {
		log_warn("cannot read the previous '%s' (%s): changes since the previous run "
			 "are not shown", c->prev_path, strerror(err));
		return 1;
	}
	/* The header must name the format; else it is no previous run. */
	if (header || bad) {
		log_warn("'%s' is not a previous %s file: changes since the previous "
			 "run are not shown", c->prev_path, format);
		return 1;
	}
	return 0;
}

struct changes *changes_open(const char *prev_path, const char *format)
{
	struct changes *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->prev = open(prev_path, O_RDONLY | O_CLOEXEC);
	if (!(c->prev_path = strdup(prev_path))) {
		changes_free(c);
		return NULL;
	}
	if (c->prev < 0) {
		if (errno != ENOENT)
			log_warn("cannot read the previous '%s' (%s): changes since the "
				 "previous run are not shown", prev_path, strerror(errno));
		return c;
	}
	int r = read_prev(c, format);
	if (r < 0) {
		changes_free(c);
		return NULL;
	}
	if (r > 0) {
		close(c->prev);
		c->prev = -1;
		free(c->lines);
		free(c->slots);
		c->lines = NULL;
		c->slots = NULL;
		c->nlines = c->alines = c->nslots = 0;
	}
	return c;
}

bool changes_wanted(const struct changes *c)
{
	return c->prev >= 0;
}

void changes_add(struct changes *c, const char *key, const char *line, size_t len,
		 long offset)
{
	struct changes_hash h;
	if (c->prev < 0)
		return;
	changes_line_hash(line, len, &h);
	changes_add_hashed(c, key, &h, len, offset);
}

void changes_add_hashed(struct changes *c, const char *key, const struct changes_hash *h,
			size_t len, long offset)
{
	if (c->prev < 0)
		return;
	if (c->nslots) {
		unsigned *slot = slot_of(c, h);
		if (*slot && !c->lines[*slot - 1].matched) {
			c->lines[*slot - 1].matched = true;
			return;
		}
	}
	if (c->nfresh == c->afresh) {
		size_t na = c->afresh ? 2 * c->afresh : 256;
		struct pending *p = realloc(c->fresh, na * sizeof *p);
		if (!p)
			return;
		c->fresh = p;
		c->afresh = na;
	}
	struct pending *p = &c->fresh[c->nfresh++];
	snprintf(p->key, sizeof p->key, "%s", key);
	p->offset = offset;
	p->len = len;
}

/* "work", "person", "merged" or "gone" of a "type:id" key. */
static const char *key_type(const char *key)
{
	static const char *const types[] = { "work", "person", "merged" };
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(types[i]);
		if (!strncmp(key, types[i], n) && key[n] == ':')
			return types[i];
	}
	return "gone";
}

static json_t *read_record(int fd, long offset, size_t len)
{
	char *buf = malloc(len + 1);
	json_t *rec = NULL;
	if (buf && pread(fd, buf, len, offset) == (ssize_t)len)
		rec = json_loadb(buf, len, 0, NULL);
	free(buf);
	return rec;
}

/* "person_id|role" of each credit of a work record. */
static json_t *credit_set(const json_t *rec)
{
	json_t *set = json_object(), *cr;
	size_t i;
	json_array_foreach(json_object_get(rec, "credits"), i, cr) {
		char k[160];
		snprintf(k, sizeof k, "%s|%s", json_str(cr, "person_id") ? json_str(cr, "person_id") : "",
			 json_str(cr, "role") ? json_str(cr, "role") : "");
		json_object_set_new(set, k, json_true());
	}
	return set;
}

static size_t count_missing(const json_t *a, const json_t *b)
{
	size_t n = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)a, k, v)
		if (!json_object_get(b, k))
			n++;
	return n;
}

static void bump(json_t *obj, const char *type, const char *what, size_t by)
{
	json_t *t = json_object_get(obj, type);
	if (!t) {
		t = json_object();
		json_object_set_new(t, "added", json_integer(0));
		json_object_set_new(t, "changed", json_integer(0));
		json_object_set_new(t, "removed", json_integer(0));
		json_object_set_new(obj, type, t);
	}
	json_t *v = json_object_get(t, what);
	json_object_set_new(t, what, json_integer(json_integer_value(v) + (json_int_t)by));
}

static const char *label_of(const json_t *rec)
{
	const char *s = json_str(rec, "title");
	if (!s)
		s = json_str(rec, "name");
	if (!s)
		s = json_str(rec, "url");
	return s;
}

static json_t *item(const char *key, const char *change, const json_t *rec)
{
	json_t *it = json_object();
	const char *colon = strchr(key, ':');
	json_object_set_new(it, "type", json_stringn(key, (size_t)(colon - key)));
	json_set_str(it, "id", colon + 1);
	json_set_str(it, "change", change);
	json_set_str(it, "label", label_of(rec));
	return it;
}

json_t *changes_finish(struct changes *c, FILE *new_fp, const char *new_path)
{
	json_t *out = json_object(), *items = json_array(), *counts = json_object();
	json_t *prev_recs = json_object();   /* key -> record, prev lines not matched */
	json_t *prev_order = json_array();   /* their keys in file order */
	size_t credits_added = 0, credits_removed = 0, refreshed = 0;

	json_object_set_new(out, "previous", json_boolean(c->prev >= 0));
	bump(counts, "work", "added", 0);
	bump(counts, "person", "added", 0);
	if (c->prev < 0) {
		json_object_set_new(out, "counts", counts);
		json_object_set_new(out, "items", items);
		json_decref(prev_recs);
		json_decref(prev_order);
		return out;
	}
	fflush(new_fp);
	int fd = open(new_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		log_warn("cannot read back '%s' (%s): changed records are listed as added",
			 new_path, strerror(errno));

	/* The previous records no new line matched, in file order. */
	size_t i;
	json_t *v;
	for (i = 0; i < c->nlines; i++) {
		char kb[96];
		if (c->lines[i].matched)
			continue;
		json_t *rec = read_record(c->prev, c->lines[i].offset, c->lines[i].len);
		const char *key = rec ? changes_key(rec, kb, sizeof kb) : NULL;
		if (key) {
			json_object_set(prev_recs, key, rec);
			json_array_append_new(prev_order, json_string(key));
		}
		json_decref(rec);
	}

	/* New records: added, or changed when the previous run had them. */
	for (i = 0; i < c->nfresh; i++) {
		struct pending *p = &c->fresh[i];
		json_t *rec = fd >= 0 ? read_record(fd, p->offset, p->len) : NULL;
		json_t *old = json_object_get(prev_recs, p->key);
		const char *type = key_type(p->key);
		if (!rec || !old) {
			json_t *it = item(p->key, "added", rec);
			if (!rec)
				json_set_str(it, "id", strchr(p->key, ':') + 1);
			json_array_append_new(items, it);
			bump(counts, type, "added", 1);
			credits_added += json_array_size(json_object_get(rec, "credits"));
			json_decref(rec);
			continue;
		}
		json_incref(old);
		json_object_del(prev_recs, p->key);
		json_object_del(rec, "source");
		json_object_del(old, "source");
		if (json_equal(rec, old)) {
			refreshed++;
		} else {
			json_t *it = item(p->key, "changed", rec), *fields = json_array();
			const char *k;
			json_t *nv;
			json_object_foreach(rec, k, nv)
				if (!json_equal(nv, json_object_get(old, k)))
					json_array_append_new(fields, json_string(k));
			json_object_foreach(old, k, nv)
				if (!json_object_get(rec, k))
					json_array_append_new(fields, json_string(k));
			json_object_set_new(it, "fields", fields);
			if (!strcmp(type, "work")) {
				json_t *a = credit_set(rec), *b = credit_set(old);
				size_t add = count_missing(a, b), rem = count_missing(b, a);
				credits_added += add;
				credits_removed += rem;
				json_object_set_new(it, "credits_added", json_integer((json_int_t)add));
				json_object_set_new(it, "credits_removed", json_integer((json_int_t)rem));
				json_decref(a);
				json_decref(b);
			}
			json_array_append_new(items, it);
			bump(counts, type, "changed", 1);
		}
		json_decref(old);
		json_decref(rec);
	}
	/* What is left of the previous run is gone from this one. */
	json_array_foreach(prev_order, i, v) {
		const char *key = json_string_value(v);
		json_t *old = json_object_get(prev_recs, key);
		if (!old)
			continue;
		const char *type = key_type(key);
		json_array_append_new(items, item(key, "removed", old));
		bump(counts, type, "removed", 1);
		credits_removed += json_array_size(json_object_get(old, "credits"));
	}
	json_t *cr = json_object();
	json_object_set_new(cr, "added", json_integer((json_int_t)credits_added));
	json_object_set_new(cr, "removed", json_integer((json_int_t)credits_removed));
	json_object_set_new(counts, "credit", cr);
	json_object_set_new(out, "counts", counts);
	json_object_set_new(out, "refetched_unchanged", json_integer((json_int_t)refreshed));
	json_object_set_new(out, "items", items);
	json_decref(prev_recs);
	json_decref(prev_order);
	if (fd >= 0)
		close(fd);
	return out;
}

void changes_free(struct changes *c)
{
	if (!c)
		return;
	if (c->prev >= 0)
		close(c->prev);
	free(c->lines);
	free(c->slots);
	free(c->fresh);
	free(c->prev_path);
	free(c);
}
