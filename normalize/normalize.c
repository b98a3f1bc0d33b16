/*
 * normalize: the third stage. Reads WORK/parsed.jsonl and writes
 * WORK/normalized.jsonl (one record per work, person and gone entity,
 * in id order) and the normalization report WORK/report.json and
 * WORK/report.txt: what each rule did, what could not be understood,
 * which names were merged.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "date.h"
#include "entity.h"
#include "fsutil.h"
#include "log.h"
#include "names.h"
#include "roles.h"
#include "runtime.h"
#include "stage.h"
#include "stagefile.h"
#include "text.h"

#define NORM_FORMAT "animewiki-normalized"
#define NORM_VERSION 1
#define MAX_ROLES 16

struct norm {
	enum date_order order;
	struct role_map *roles;
	json_t *works, *pages, *chars, *gone;   /* id -> parsed record */
	json_t *forms;       /* person id -> {display form: count} */
	json_t *name_index;  /* name key -> person id, or "" when shared */
	json_t *unlinked;    /* x-id -> {name, forms} */
	/* report */
	json_t *rules;       /* "kind:rule" -> count */
	json_t *examples;    /* "kind:rule" -> [raw, ...] (up to 3) */
	json_t *problems;    /* [{field, value, url, why}] */
	json_t *merges;      /* [{name, person_id, evidence, url}] */
	json_t *review;      /* [{name, person_ids}] */
	json_t *unmapped;    /* raw role -> count */
};

static void count_rule(struct norm *n, const char *kind, const char *rule,
		       const char *raw)
{
	char key[96];
	snprintf(key, sizeof key, "%s:%s", kind, rule);
	json_t *c = json_object_get(n->rules, key);
	json_object_set_new(n->rules, key, json_integer(c ? json_integer_value(c) + 1 : 1));
	json_t *ex = json_object_get(n->examples, key);
	if (!ex) {
		ex = json_array();
		json_object_set_new(n->examples, key, ex);
	}
	if (raw && json_array_size(ex) < 3) {
		for (size_t i = 0; i < json_array_size(ex); i++)
			if (!strcmp(json_string_value(json_array_get(ex, i)), raw))
				return;
		json_array_append_new(ex, json_string(raw));
	}
}

static void problem(struct norm *n, const char *field, const char *value,
		    const char *url, const char *why)
{
	json_t *p = json_object();
	json_set_str(p, "field", field);
	json_set_str(p, "value", value);
	json_set_str(p, "url", url);
	json_set_str(p, "why", why);
	json_array_append_new(n->problems, p);
}

/* Cleaned text of member key of obj, or NULL when absent or blank. The
 * caller frees it. */
static char *clean_member(const json_t *obj, const char *key)
{
	const char *s = json_str(obj, key);
	char *c = s ? text_clean(s) : NULL;
	if (c && !*c) {
		free(c);
		c = NULL;
	}
	return c;
}

static void set_date(struct norm *n, json_t *out, const char *field, const char *end_field,
		     const char *raw_field, const char *raw, const char *url)
{
	struct date_result r;
	json_set_str(out, raw_field, raw);
	if (!raw) {
		json_object_set_new(out, field, json_null());
		if (end_field)
			json_object_set_new(out, end_field, json_null());
		return;
	}
	bool ok = date_parse(raw, n->order, &r);
	count_rule(n, "date", r.rule, raw);
	json_set_str(out, field, ok ? r.iso : NULL);
	if (end_field)
		json_set_str(out, end_field, ok && r.end[0] ? r.end : NULL);
	if (r.ambiguous)
		problem(n, field, raw, url, ok ? "ambiguous numeric date, read by [normalize] date_order"
					       : "ambiguous numeric date, left NULL (date_order = none)");
	else if (!ok && !r.non_date)
		problem(n, field, raw, url, "not a date form normalize knows");
}

static void add_form(struct norm *n, const char *pid, const char *raw)
{
	char *d = name_display(raw);
	if (!d || !*d) {
		free(d);
		return;
	}
	json_t *f = json_object_get(n->forms, pid);
	if (!f) {
		f = json_object();
		json_object_set_new(n->forms, pid, f);
	}
	json_t *c = json_object_get(f, d);
	json_object_set_new(f, d, json_integer(c ? json_integer_value(c) + 1 : 1));
	free(d);
}

static void index_name(struct norm *n, const char *name, const char *pid)
{
	char *k = name_key(name);
	if (k && *k) {
		const char *have = json_str(n->name_index, k);
		if (!have)
			json_object_set_new(n->name_index, k, json_string(pid));
		else if (*have && strcmp(have, pid))
			json_object_set_new(n->name_index, k, json_string(""));
	}
	free(k);
}

/* Pass over the works: the credited forms of every linked person. */
static void collect_forms(struct norm *n)
{
	const char *id;
	json_t *rec;
	json_object_foreach(n->works, id, rec) {
		json_t *w = json_object_get(rec, "work"), *c;
		size_t i;
		json_array_foreach(json_object_get(w, "credits"), i, c) {
			const char *pid = json_str(c, "person_id"), *nm = json_str(c, "name");
			if (pid && nm && entity_kind_of(pid) == ENT_PERSON)
				add_form(n, pid, nm);
		}
		json_t *row;
		json_array_foreach(json_object_get(w, "cast"), i, row) {
			size_t k;
			json_t *v;
			json_array_foreach(json_object_get(row, "voices"), k, v) {
				const char *pid = json_str(v, "person_id"), *nm = json_str(v, "name");
				if (pid && nm && entity_kind_of(pid) == ENT_PERSON)
					add_form(n, pid, nm);
			}
		}
	}
	/* The name index: every name a site person is known by. */
	json_object_foreach(n->pages, id, rec) {
		json_t *p = json_object_get(rec, "person"), *a;
		size_t i;
		if (json_str(p, "title"))
			index_name(n, json_str(p, "title"), id);
		if (json_str(p, "info_name"))
			index_name(n, json_str(p, "info_name"), id);
		if (json_str(p, "native_name"))
			index_name(n, json_str(p, "native_name"), id);
		json_array_foreach(json_object_get(p, "aliases"), i, a)
			index_name(n, json_string_value(a), id);
	}
	json_t *f;
	json_object_foreach(n->forms, id, f) {
		const char *form;
		json_t *cnt;
		json_object_foreach(f, form, cnt)
			index_name(n, form, id);
	}
}

/* The person id of an unlinked credit: the one site person whose names
 * share its key, else an id of the project's own from the key. */
static char *unlinked_person(struct norm *n, const char *name, const char *url)
{
	char *k = name_key(name);
	char *pid = NULL;
	const char *hit = k ? json_str(n->name_index, k) : NULL;

	if (!k || !*k) {
		free(k);
		return NULL;
	}
	if (hit && *hit) {
		pid = strdup(hit);
		json_t *m = json_object();
		json_set_str(m, "name", name);
		json_set_str(m, "person_id", hit);
		json_set_str(m, "evidence", "unlinked credit; its name key matches exactly one person");
		json_set_str(m, "key", k);
		json_set_str(m, "url", url);
		json_array_append_new(n->merges, m);
		count_rule(n, "name", "unlinked-joined", name);
	} else {
		char sha[65], id[32];
		sha256_hex(k, strlen(k), sha);
		snprintf(id, sizeof id, "x-%.12s", sha);
		pid = strdup(id);
		if (hit) {
			json_t *r = json_object();
			json_set_str(r, "name", name);
			json_set_str(r, "why", "unlinked credit whose name matches several people; kept apart");
			json_set_str(r, "url", url);
			json_array_append_new(n->review, r);
		}
		count_rule(n, "name", "unlinked-own-id", name);
		json_t *u = json_object_get(n->unlinked, pid);
		if (!u) {
			u = json_object();
			json_object_set_new(n->unlinked, pid, u);
		}
	}
	add_form(n, pid, name);
	free(k);
	return pid;
}

static json_t *source_of(const json_t *rec)
{
	json_t *s = json_object();
	json_set_str(s, "url", json_str(rec, "url"));
	json_set_str(s, "entity_id", json_str(rec, "entity_id"));
	json_object_set(s, "http_status", json_object_get(rec, "http_status"));
	json_set_str(s, "fetched_at", json_str(rec, "fetched_at"));
	json_set_str(s, "sha256", json_str(rec, "sha256"));
	return s;
}

/* Adds a title unless its key is there; returns true when added. */
static bool add_title(json_t *titles, json_t *keys, const char *title,
		      const char *source)
{
	char *clean = text_clean(title);
	char *k = text_key(clean);
	bool added = false;
	if (clean && *clean && k && *k && !json_object_get(keys, k)) {
		json_object_set_new(keys, k, json_true());
		json_t *t = json_object();
		json_set_str(t, "title", clean);
		json_set_str(t, "lang", text_is_japanese(clean) ? "ja" : "en");
		json_set_str(t, "source", source);
		json_array_append_new(titles, t);
		added = true;
	}
	free(clean);
	free(k);
	return added;
}

static json_t *clean_list(const json_t *arr)
{
	json_t *out = json_array(), *v;
	size_t i;
	json_array_foreach(arr, i, v) {
		char *c = text_clean(json_string_value(v));
		if (c && *c)
			json_array_append_new(out, json_string(c));
		free(c);
	}
	return out;
}

static json_t *norm_work(struct norm *n, const char *id, const json_t *rec)
{
	const json_t *w = json_object_get(rec, "work");
	const char *url = json_str(rec, "url");
	json_t *o = json_object(), *titles = json_array(), *tkeys = json_object();
	json_t *releases = json_array(), *credits = json_array(), *cast = json_array();
	json_t *seen = json_object();
	char *title = clean_member(w, "title"), *native = NULL;
	size_t i;
	json_t *v;

	json_set_str(o, "type", "work");
	json_set_str(o, "work_id", id);
	json_set_str(o, "title", title);
	if (!title)
		problem(n, "title", NULL, url, "work page without a title");

	/* Releases: Name / Release Date pairs; region inferred from script. */
	json_array_foreach(json_object_get(w, "releases"), i, v) {
		json_t *r = json_object();
		char *name = clean_member(v, "name"), *date = clean_member(v, "date");
		bool ja = name && text_is_japanese(name);
		json_set_str(r, "title", name);
		json_set_str(r, "lang", name ? (ja ? "ja" : "en") : NULL);
		json_set_str(r, "region", name ? (ja ? "JP" : "US") : NULL);
		json_object_set_new(r, "region_inferred", json_boolean(name != NULL));
		set_date(n, r, "date", "end_date", "date_raw", date, url);
		json_array_append_new(releases, r);
		if (name)
			count_rule(n, "region", ja ? "japanese-script-JP" : "latin-script-US", name);
		if (ja && !native)
			native = strdup(name);
		free(name);
		free(date);
	}
	if (!native) {
		json_array_foreach(json_object_get(w, "aliases"), i, v) {
			char *c = text_clean(json_string_value(v));
			if (c && text_is_japanese(c)) {
				native = c;
				break;
			}
			free(c);
		}
	}
	json_set_str(o, "title_native", native);
	{
		char *kind = clean_member(w, "type");
		json_set_str(o, "kind", kind);
		free(kind);
		char *rating = clean_member(w, "rating");
		json_set_str(o, "rating", rating);
		free(rating);
	}
	{
		char *rt = clean_member(w, "runtime");
		struct runtime_result r;
		json_set_str(o, "runtime_raw", rt);
		if (rt) {
			bool ok = runtime_parse(rt, &r);
			count_rule(n, "runtime", r.rule, rt);
			json_object_set_new(o, "runtime_min", ok ? json_integer(r.minutes) : json_null());
			if (!ok)
				problem(n, "runtime", rt, url, "not a runtime form normalize knows");
		} else {
			json_object_set_new(o, "runtime_min", json_null());
		}
		free(rt);
		char *ep = clean_member(w, "episodes");
		const char *rule;
		long e = ep ? episodes_parse(ep, &rule) : -1;
		json_set_str(o, "episodes_raw", ep);
		json_object_set_new(o, "episodes", e > 0 ? json_integer(e) : json_null());
		if (ep) {
			count_rule(n, "episodes", rule, ep);
			if (e <= 0)
				problem(n, "episodes", ep, url, "not a number of episodes");
		}
		free(ep);
	}
	{
		char *deck = clean_member(w, "deck"), *desc = clean_member(w, "description");
		json_set_str(o, "summary", deck);
		json_set_str(o, "description", desc);
		free(deck);
		free(desc);
	}
	json_set_str(o, "url", url);
	json_object_set_new(o, "genres", clean_list(json_object_get(w, "genres")));
	json_object_set_new(o, "themes", clean_list(json_object_get(w, "themes")));

	/* Titles: main, native, release names, aliases; one per key. */
	if (title)
		add_title(titles, tkeys, title, "main");
	if (native)
		add_title(titles, tkeys, native, "native");
	json_array_foreach(releases, i, v)
		if (json_str(v, "title"))
			add_title(titles, tkeys, json_str(v, "title"), "release");
	json_array_foreach(json_object_get(w, "aliases"), i, v) {
		if (add_title(titles, tkeys, json_string_value(v), "alias"))
			count_rule(n, "title", "alias-kept", json_string_value(v));
		else
			count_rule(n, "title", "alias-duplicate-dropped", json_string_value(v));
	}

	/* Credits: one per person and role. */
	json_array_foreach(json_object_get(w, "credits"), i, v) {
		const char *pid0 = json_str(v, "person_id");
		char *pid = pid0 ? strdup(pid0) : NULL;
		char *nm = clean_member(v, "name");
		if (!pid && nm)
			pid = unlinked_person(n, nm, url);
		if (!pid) {
			free(nm);
			continue;
		}
		struct role_part parts[MAX_ROLES];
		const char *role_cell = json_str(v, "role");
		size_t np = role_cell ? role_map_cell(n->roles, role_cell, parts, MAX_ROLES) : 0;
		if (!np) {
			parts[0].raw = strdup("");
			parts[0].role = "other";
			parts[0].rule = "no-role";
			np = 1;
		}
		char *note = clean_member(v, "note");
		for (size_t k = 0; k < np; k++) {
			count_rule(n, "role", parts[k].rule, parts[k].raw);
			if (!strcmp(parts[k].role, "other")) {
				json_t *c = json_object_get(n->unmapped, parts[k].raw);
				json_object_set_new(n->unmapped, parts[k].raw,
						    json_integer(c ? json_integer_value(c) + 1 : 1));
			}
			char dkey[256];
			snprintf(dkey, sizeof dkey, "%s|%s", pid, parts[k].role);
			if (json_object_get(seen, dkey)) {
				count_rule(n, "credit", "duplicate-dropped", dkey);
			} else {
				json_object_set_new(seen, dkey, json_true());
				json_t *c = json_object();
				json_set_str(c, "person_id", pid);
				json_set_str(c, "role", parts[k].role);
				json_set_str(c, "role_raw", parts[k].raw);
				json_set_str(c, "note", note);
				json_array_append_new(credits, c);
			}
			free(parts[k].raw);
		}
		free(note);
		free(nm);
		free(pid);
	}
	/* Cast: one row per character, voice actor and language. */
	json_array_foreach(json_object_get(w, "cast"), i, v) {
		size_t k;
		json_t *va;
		char *cname = clean_member(v, "character_name");
		json_array_foreach(json_object_get(v, "voices"), k, va) {
			const char *pid0 = json_str(va, "person_id");
			char *vname = clean_member(va, "name");
			char *pid = pid0 ? strdup(pid0) : vname ? unlinked_person(n, vname, url) : NULL;
			if (pid) {
				json_t *c = json_object();
				json_set_str(c, "character_id", json_str(v, "character_id"));
				json_set_str(c, "character_name", cname);
				json_set_str(c, "person_id", pid);
				json_set_str(c, "lang", json_str(va, "lang"));
				json_array_append_new(cast, c);
			}
			free(vname);
			free(pid);
		}
		free(cname);
	}
	json_object_set_new(o, "titles", titles);
	json_object_set_new(o, "releases", releases);
	json_object_set_new(o, "credits", credits);
	json_object_set_new(o, "cast", cast);
	json_object_set_new(o, "source", source_of(rec));
	json_t *warnings = json_object_get(rec, "warnings");
	json_array_foreach(warnings, i, v)
		problem(n, "page", json_string_value(v), url, "parse warning");
	json_decref(tkeys);
	json_decref(seen);
	free(title);
	free(native);
	return o;
}

/* Picks the display name among credited forms: Latin script first, with
 * macrons over without, then the most frequent, then the first seen. */
static const char *best_form(const json_t *forms)
{
	const char *best = NULL, *f;
	long bscore = -1;
	json_t *cnt;
	json_object_foreach((json_t *)forms, f, cnt) {
		bool latin = !text_is_japanese(f), macron = false;
		for (const unsigned char *p = (const unsigned char *)f; *p; p++)
			if (*p >= 0x80)
				macron = true;
		long score = (latin ? 1L << 40 : 0) + (latin && macron ? 1L << 39 : 0) +
			     json_integer_value(cnt);
		if (score > bscore) {
			bscore = score;
			best = f;
		}
	}
	return best;
}

static void add_name(json_t *names, json_t *seen, const char *name, const char *source)
{
	if (!name || !*name || json_object_get(seen, name))
		return;
	json_object_set_new(seen, name, json_true());
	json_t *o = json_object();
	json_set_str(o, "name", name);
	json_set_str(o, "source", source);
	json_array_append_new(names, o);
}

static json_t *norm_person(struct norm *n, const char *id)
{
	const json_t *rec = json_object_get(n->pages, id);
	const json_t *p = rec ? json_object_get(rec, "person") : NULL;
	const json_t *forms = json_object_get(n->forms, id);
	const char *url = rec ? json_str(rec, "url") : NULL;
	json_t *o = json_object(), *names = json_array(), *seen = json_object();
	char *name = NULL, *native = NULL;

	json_set_str(o, "type", "person");
	json_set_str(o, "person_id", id);
	if (p) {
		char *t = clean_member(p, "title");
		if (!t)
			t = clean_member(p, "info_name");
		name = t ? name_display(t) : NULL;
		free(t);
		native = clean_member(p, "native_name");
		count_rule(n, "name", "person-page-title", name);
	}
	if (!name && forms && best_form(forms)) {
		name = strdup(best_form(forms));
		count_rule(n, "name", "credited-form", name);
	}
	json_set_str(o, "name", name);
	json_set_str(o, "name_native", native);
	if (p) {
		char *b = clean_member(p, "birthday"), *d = clean_member(p, "death");
		set_date(n, o, "birth_date", NULL, "birth_raw", b, url);
		set_date(n, o, "death_date", NULL, "death_raw", d, url);
		free(b);
		free(d);
		char *g = clean_member(p, "gender"), *h = clean_member(p, "hometown"),
		     *ws = clean_member(p, "website");
		json_set_str(o, "gender", g);
		json_set_str(o, "hometown", h);
		json_set_str(o, "website", ws);
		free(g);
		free(h);
		free(ws);
	} else {
		json_object_set_new(o, "birth_date", json_null());
		json_object_set_new(o, "birth_raw", json_null());
		json_object_set_new(o, "death_date", json_null());
		json_object_set_new(o, "death_raw", json_null());
		json_object_set_new(o, "gender", json_null());
		json_object_set_new(o, "hometown", json_null());
		json_object_set_new(o, "website", json_null());
	}
	json_set_str(o, "url", url);
	/* Credited, but the person's own page answers 404/410. */
	json_object_set_new(o, "gone", json_boolean(json_object_get(n->gone, id) != NULL));
	add_name(names, seen, name, "main");
	add_name(names, seen, native, "native");
	if (p) {
		size_t i;
		json_t *a;
		char *in = clean_member(p, "info_name");
		char *ind = in ? name_display(in) : NULL;
		add_name(names, seen, ind, "alias");
		free(in);
		free(ind);
		json_array_foreach(json_object_get(p, "aliases"), i, a) {
			char *c = text_clean(json_string_value(a));
			add_name(names, seen, c, "alias");
			free(c);
		}
	}
	if (forms) {
		const char *f;
		json_t *cnt;
		json_object_foreach((json_t *)forms, f, cnt)
			add_name(names, seen, f, "credited");
	}
	json_object_set_new(o, "names", names);
	json_object_set_new(o, "source", rec ? source_of(rec) : json_null());
	if (rec) {
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(rec, "warnings"), i, v)
			problem(n, "page", json_string_value(v), url, "parse warning");
	}
	json_decref(seen);
	free(name);
	free(native);
	return o;
}

static int cmp_id(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	/* TYPE-ID numerically, then own ids (x-...) by text. */
	long tx = strtol(x, NULL, 10), ty = strtol(y, NULL, 10);
	if (tx != ty)
		return tx < ty ? -1 : 1;
	const char *dx = strchr(x, '-'), *dy = strchr(y, '-');
	if (tx && dx && dy) {
		long long ix = strtoll(dx + 1, NULL, 10), iy = strtoll(dy + 1, NULL, 10);
		if (ix != iy)
			return ix < iy ? -1 : 1;
	}
	return strcmp(x, y);
}

static const char **sorted_keys(const json_t *obj, size_t *count)
{
	size_t n = json_object_size(obj), i = 0;
	const char **keys = calloc(n + 1, sizeof *keys), *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof *keys, cmp_id);
	*count = n;
	return keys;
}

static int write_report(struct norm *n, const char *work_dir, unsigned long works,
			unsigned long people, unsigned long gone)
{
	json_t *rep = json_object(), *counts = json_object();
	char *pj = fs_join(work_dir, "report.json"), *pt = fs_join(work_dir, "report.txt");
	int rc = 0;

	json_object_set_new(counts, "works", json_integer((json_int_t)works));
	json_object_set_new(counts, "people", json_integer((json_int_t)people));
	json_object_set_new(counts, "gone", json_integer((json_int_t)gone));
	json_object_set_new(counts, "problems", json_integer((json_int_t)json_array_size(n->problems)));
	json_object_set_new(counts, "merges", json_integer((json_int_t)json_array_size(n->merges)));
	json_object_set_new(rep, "format", json_string("animewiki-report"));
	json_object_set_new(rep, "version", json_integer(1));
	json_object_set_new(rep, "counts", counts);
	json_object_set(rep, "rules", n->rules);
	json_object_set(rep, "examples", n->examples);
	json_object_set(rep, "unmapped_roles", n->unmapped);
	json_object_set(rep, "problems", n->problems);
	json_object_set(rep, "merges", n->merges);
	json_object_set(rep, "review", n->review);
	char *js = json_dumps(rep, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (!js || fs_write_atomic(pj, js, strlen(js), true)) {
		log_error("cannot write '%s': %s", pj, strerror(errno));
		rc = -1;
	}
	free(js);

	struct buf t;
	buf_init(&t, 0);
	buf_addf(&t, "Normalization report\n\n%lu works, %lu people, %lu gone; "
		 "%zu values not understood, %zu names merged, %zu for review\n\n",
		 works, people, gone, json_array_size(n->problems),
		 json_array_size(n->merges), json_array_size(n->review));
	buf_addf(&t, "Rules applied:\n");
	size_t nk;
	const char **keys = sorted_keys(n->rules, &nk);
	for (size_t i = 0; i < nk; i++)
		buf_addf(&t, "  %-40s %6lld\n", keys[i],
			 (long long)json_integer_value(json_object_get(n->rules, keys[i])));
	free(keys);
	if (json_object_size(n->unmapped)) {
		buf_addf(&t, "\nRoles mapped to 'other' (add them to the role mapping file):\n");
		keys = sorted_keys(n->unmapped, &nk);
		for (size_t i = 0; i < nk; i++)
			buf_addf(&t, "  %-40s %6lld\n", keys[i],
				 (long long)json_integer_value(json_object_get(n->unmapped, keys[i])));
		free(keys);
	}
	if (json_array_size(n->problems)) {
		buf_addf(&t, "\nValues not understood:\n");
		size_t i;
		json_t *p;
		json_array_foreach(n->problems, i, p)
			buf_addf(&t, "  %s '%s': %s (%s)\n", json_str(p, "field"),
				 json_str(p, "value") ? json_str(p, "value") : "",
				 json_str(p, "why"), json_str(p, "url") ? json_str(p, "url") : "-");
	}
	if (json_array_size(n->merges)) {
		buf_addf(&t, "\nNames merged:\n");
		size_t i;
		json_t *p;
		json_array_foreach(n->merges, i, p)
			buf_addf(&t, "  '%s' -> %s: %s (%s)\n", json_str(p, "name"),
				 json_str(p, "person_id"), json_str(p, "evidence"), json_str(p, "url"));
	}
	if (fs_write_atomic(pt, t.data, t.len, true)) {
		log_error("cannot write '%s': %s", pt, strerror(errno));
		rc = -1;
	}
	buf_free(&t);
	log_info("report: %s (%zu values not understood, %zu unmapped roles, %zu merges)",
		 pt, json_array_size(n->problems), json_object_size(n->unmapped),
		 json_array_size(n->merges));
	json_decref(rep);
	free(pj);
	free(pt);
	return rc;
}

static int normalize_run(struct stage_ctx *ctx)
{
	struct norm n;
	struct stage_reader r;
	struct stage_writer w;
	char *in = fs_join(ctx->work_dir, "parsed.jsonl");
	char *out = fs_join(ctx->work_dir, "normalized.jsonl");
	char *roles = config_path(&ctx->cfg, "normalize", "roles");
	json_t *rec;
	int rc = EXIT_OK, got;
	unsigned long nw = 0, np = 0, ng = 0;

	memset(&n, 0, sizeof n);
	xmlInitParser();
	n.order = (enum date_order)date_order_parse(config_str(&ctx->cfg, "normalize", "date_order"));
	n.works = json_object();
	n.pages = json_object();
	n.chars = json_object();
	n.gone = json_object();
	n.forms = json_object();
	n.name_index = json_object();
	n.unlinked = json_object();
	n.rules = json_object();
	n.examples = json_object();
	n.problems = json_array();
	n.merges = json_array();
	n.review = json_array();
	n.unmapped = json_object();
	fs_remove_stale_tmp(ctx->work_dir);

	if (!(n.roles = role_map_load(roles))) {
		rc = EXIT_CONFIG;
		goto cleanup;
	}
	if (stage_reader_open(&r, in, "animewiki-parsed", 2)) {
		rc = EXIT_INPUT;
		goto cleanup;
	}
	while ((got = stage_reader_next(&r, &rec)) == 1) {
		const char *id = json_str(rec, "entity_id");
		if (!id) {
			json_decref(rec);
			continue;
		}
		if (json_is_true(json_object_get(rec, "gone")))
			json_object_set_new(n.gone, id, rec);
		else if (json_object_get(rec, "work"))
			json_object_set_new(n.works, id, rec);
		else if (json_object_get(rec, "person"))
			json_object_set_new(n.pages, id, rec);
		else if (json_object_get(rec, "character"))
			json_object_set_new(n.chars, id, rec);
		else
			json_decref(rec);
	}
	stage_reader_close(&r);
	if (got < 0) {
		rc = EXIT_INPUT;
		goto cleanup;
	}

	collect_forms(&n);
	if (stage_writer_open(&w, out, NORM_FORMAT, NORM_VERSION, NULL)) {
		rc = EXIT_OUTPUT;
		goto cleanup;
	}
	size_t cnt;
	const char **ids = sorted_keys(n.works, &cnt);
	for (size_t i = 0; i < cnt && !rc; i++) {
		json_t *o = norm_work(&n, ids[i], json_object_get(n.works, ids[i]));
		if (stage_writer_put(&w, o))
			rc = EXIT_OUTPUT;
		json_decref(o);
		nw++;
	}
	free(ids);
	/* Every person: those with a page, and those only credited. */
	json_t *all = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(n.pages, k, v)
		json_object_set_new(all, k, json_true());
	json_object_foreach(n.forms, k, v)
		json_object_set_new(all, k, json_true());
	ids = sorted_keys(all, &cnt);
	for (size_t i = 0; i < cnt && !rc; i++) {
		if (json_object_get(n.gone, ids[i]) && !json_object_get(n.forms, ids[i]))
			continue;
		json_t *o = norm_person(&n, ids[i]);
		if (stage_writer_put(&w, o))
			rc = EXIT_OUTPUT;
		json_decref(o);
		np++;
	}
	free(ids);
	json_decref(all);
	ids = sorted_keys(n.gone, &cnt);
	for (size_t i = 0; i < cnt && !rc; i++) {
		if (json_object_get(n.forms, ids[i]))
			continue; /* written as a person marked gone */
		json_t *g = json_object(), *src = json_object_get(n.gone, ids[i]);
		json_set_str(g, "type", "gone");
		json_set_str(g, "entity_id", ids[i]);
		json_set_str(g, "url", json_str(src, "url"));
		json_object_set(g, "http_status", json_object_get(src, "http_status"));
		if (stage_writer_put(&w, g))
			rc = EXIT_OUTPUT;
		json_decref(g);
		ng++;
	}
	free(ids);
	if (rc || stage_stop) {
		stage_writer_abort(&w);
		if (!rc)
			rc = EXIT_INTERRUPTED;
		goto cleanup;
	}
	if (stage_writer_commit(&w)) {
		rc = EXIT_OUTPUT;
		goto cleanup;
	}
	log_info("normalized %lu works, %lu people, %lu gone into '%s'", nw, np, ng, out);
	if (write_report(&n, ctx->work_dir, nw, np, ng))
		rc = EXIT_OUTPUT;

cleanup:
	role_map_free(n.roles);
	json_decref(n.works);
	json_decref(n.pages);
	json_decref(n.chars);
	json_decref(n.gone);
	json_decref(n.forms);
	json_decref(n.name_index);
	json_decref(n.unlinked);
	json_decref(n.rules);
	json_decref(n.examples);
	json_decref(n.problems);
	json_decref(n.merges);
	json_decref(n.review);
	json_decref(n.unmapped);
	free(in);
	free(out);
	free(roles);
	xmlCleanupParser();
	return rc;
}

/* --explain KIND VALUE */
static const char *explain_kind;

static int explain(struct stage_ctx *ctx)
{
	const char *v = ctx->argc ? ctx->argv[0] : NULL;
	if (!v) {
		log_error("--explain %s needs a VALUE", explain_kind);
		return EXIT_USAGE;
	}
	char *clean = text_clean(v);
	printf("input:    %s\ncleaned:  %s\n", v, clean);
	if (!strcmp(explain_kind, "date")) {
		struct date_result r;
		enum date_order o = (enum date_order)date_order_parse(
			config_str(&ctx->cfg, "normalize", "date_order"));
		bool ok = date_parse(clean, o, &r);
		printf("date:     %s\n", ok ? r.iso : "NULL");
		if (r.end[0])
			printf("end_date: %s\n", r.end);
		printf("rule:     %s%s\n", r.rule, r.ambiguous ?
		       " (ambiguous: read by [normalize] date_order)" : "");
	} else if (!strcmp(explain_kind, "runtime")) {
		struct runtime_result r;
		bool ok = runtime_parse(clean, &r);
		if (ok)
			printf("minutes:  %ld%s\n", r.minutes, r.per_episode ? " (per episode)" : "");
		else
			printf("minutes:  NULL\n");
		printf("rule:     %s\n", r.rule);
	} else if (!strcmp(explain_kind, "role")) {
		char *path = config_path(&ctx->cfg, "normalize", "roles");
		struct role_map *rm = role_map_load(path);
		free(path);
		if (!rm) {
			free(clean);
			return EXIT_CONFIG;
		}
		struct role_part parts[MAX_ROLES];
		size_t n = role_map_cell(rm, v, parts, MAX_ROLES);
		for (size_t i = 0; i < n; i++) {
			printf("role:     %s <- '%s' (rule %s)\n", parts[i].role, parts[i].raw,
			       parts[i].rule);
			free(parts[i].raw);
		}
		role_map_free(rm);
	} else if (!strcmp(explain_kind, "name")) {
		char *d = name_display(v), *k = name_key(v);
		printf("display:  %s\nkey:      %s\nrule:     %s\n", d, k,
		       strcmp(d, clean) ? "all-caps words put in normal case" : "cleaned");
		free(d);
		free(k);
	} else if (!strcmp(explain_kind, "title")) {
		char *k = text_key(v);
		printf("key:      %s\nlang:     %s\nregion:   %s (inferred from the script)\n", k,
		       text_is_japanese(clean) ? "ja" : "en", text_is_japanese(clean) ? "JP" : "US");
		free(k);
	}
	free(clean);
	return EXIT_OK;
}

static int normalize_opt(struct stage_ctx *ctx, const char *name, const char *arg)
{
	(void)ctx;
	if (!strcmp(name, "explain")) {
		static const char *kinds[] = { "date", "runtime", "role", "name", "title", NULL };
		for (const char **k = kinds; *k; k++)
			if (!strcmp(arg, *k))
				explain_kind = *k;
		if (!explain_kind) {
			log_error("--explain: unknown KIND '%s' (date, runtime, role, name, title)", arg);
			return -1;
		}
	}
	return 0;
}

static int normalize_main(struct stage_ctx *ctx)
{
	if (explain_kind)
		return explain(ctx);
	if (ctx->argc) {
		log_error("unexpected argument '%s' (see --help)", ctx->argv[0]);
		return EXIT_USAGE;
	}
	return normalize_run(ctx);
}

int main(int argc, char **argv)
{
	static const struct stage_opt opts[] = {
		{ "explain", "KIND VALUE",
		  "show what normalize makes of VALUE (KIND: date, runtime, role, name, title)" },
		{ NULL, NULL, NULL }
	};
	static const struct stage st = {
		.name = "normalize",
		.summary = "Clean names, dates, roles and titles; merge people; write the report.",
		.usage = "[OPTIONS]\n       normalize --explain KIND VALUE",
		.description =
			"Reads WORK/parsed.jsonl and writes WORK/normalized.jsonl (one record\n"
			"per work, person and gone entity, in id order) and the normalization\n"
			"report WORK/report.txt and WORK/report.json.",
		.opts = opts,
		.opt = normalize_opt,
		.run = normalize_main,
		.positional = true,
	};
	return stage_main(&st, argc, argv);
}
