/*
 * normalize: the third stage. Reads WORK/parsed.jsonl and writes
 * WORK/normalized.jsonl (one record per work, person and gone entity,
 * in id order) and the normalization report (report.c): what each rule
 * did, what could not be understood, which names were merged and on what
 * evidence, which were not and should be reviewed, where pages disagree,
 * and what changed since the previous run. The user's overrides file
 * (overrides.h) forces or forbids merges and fixes names.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "changes.h"
#include "date.h"
#include "entity.h"
#include "fsutil.h"
#include "log.h"
#include "names.h"
#include "overrides.h"
#include "report.h"
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
	struct overrides ov;
	json_t *works, *pages, *chars, *gone;   /* id -> parsed record */
	json_t *redirect;    /* person id -> the id a merge line sends it to */
	json_t *redirect_by; /* person id -> index of that merge line */
	json_t *merged_from; /* person id -> [ids merged into it] */
	json_t *forms;       /* person id -> {display form: count} */
	json_t *name_index;  /* name key -> the first person id with it */
	json_t *name_shared; /* name key -> [person ids] when several share it */
	json_t *role_cache;  /* role cell -> [[raw, role, rule], ...] */
	json_t *char_names;  /* character id -> {name key: {value, url}} */
	json_t *work_people; /* work id -> {person id: true}, credits and cast */
	/* report */
	json_t *rules;       /* "kind:rule" -> count */
	json_t *examples;    /* "kind:rule" -> [raw, ...] (up to 3) */
	json_t *problems;    /* [{field, value, url, why}] */
	json_t *merges;      /* [{name, person_id, evidence, key, url}] */
	json_t *review;      /* [{name, why, url, person_ids}] */
	json_t *unmapped;    /* raw role -> count */
	json_t *role_counts; /* role -> credits */
	json_t *conflicts;   /* [{entity_id, field, values: [{value, url}]}] */
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

/* The person a site or own id stands for after the overrides' merges. */
static const char *resolve(struct norm *n, const char *pid)
{
	const char *to = json_str(n->redirect, pid);
	if (!to)
		return pid;
	json_t *by = json_object_get(n->redirect_by, pid);
	if (by)
		n->ov.v[json_integer_value(by)].used = true;
	return to;
}

static void index_name(struct norm *n, const char *name, const char *pid)
{
	char *k = name_key(name);
	if (k && *k) {
		const char *have = json_str(n->name_index, k);
		if (!have) {
			json_object_set_new(n->name_index, k, json_string(pid));
		} else if (strcmp(have, pid)) {
			json_t *sh = json_object_get(n->name_shared, k), *v;
			size_t i;
			bool known = false;
			if (!sh) {
				sh = json_array();
				json_array_append_new(sh, json_string(have));
				json_object_set_new(n->name_shared, k, sh);
			}
			json_array_foreach(sh, i, v)
				if (!strcmp(json_string_value(v), pid))
					known = true;
			if (!known)
				json_array_append_new(sh, json_string(pid));
		}
	}
	free(k);
}

/* The merges of the overrides file, as a map from each merged id to the
 * person it ends at. */
static void build_redirects(struct norm *n)
{
	for (size_t i = 0; i < n->ov.n; i++) {
		const struct override *o = &n->ov.v[i], *by;
		if (o->kind != OV_MERGE || o->other_key)
			continue;
		const char *to = overrides_resolve(&n->ov, o->other, &by);
		json_object_set_new(n->redirect, o->other, json_string(to));
		json_object_set_new(n->redirect_by, o->other, json_integer((json_int_t)i));
		json_t *mf = json_object_get(n->merged_from, to);
		if (!mf) {
			mf = json_array();
			json_object_set_new(n->merged_from, to, mf);
		}
		json_array_append_new(mf, json_string(o->other));
	}
}

static void index_page_names(struct norm *n, const json_t *p, const char *pid)
{
	json_t *a;
	size_t i;
	if (json_str(p, "title"))
		index_name(n, json_str(p, "title"), pid);
	if (json_str(p, "info_name"))
		index_name(n, json_str(p, "info_name"), pid);
	if (json_str(p, "native_name"))
		index_name(n, json_str(p, "native_name"), pid);
	json_array_foreach(json_object_get(p, "aliases"), i, a)
		index_name(n, json_string_value(a), pid);
}

/* Pass over the works: the credited forms of every linked person, and
 * the name index of every site person. */
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
				add_form(n, resolve(n, pid), nm);
		}
		json_t *row;
		json_array_foreach(json_object_get(w, "cast"), i, row) {
			size_t k;
			json_t *v;
			json_array_foreach(json_object_get(row, "voices"), k, v) {
				const char *pid = json_str(v, "person_id"), *nm = json_str(v, "name");
				if (pid && nm && entity_kind_of(pid) == ENT_PERSON)
					add_form(n, resolve(n, pid), nm);
			}
		}
	}
	json_object_foreach(n->pages, id, rec)
		index_page_names(n, json_object_get(rec, "person"), resolve(n, id));
	json_t *f;
	json_object_foreach(n->forms, id, f) {
		const char *form;
		json_t *cnt;
		json_object_foreach(f, form, cnt)
			index_name(n, form, id);
	}
}

static void add_merge(struct norm *n, const char *name, const char *pid, const char *key,
		      const char *url, const char *evidence)
{
	json_t *m = json_object();
	json_set_str(m, "name", name);
	json_set_str(m, "person_id", pid);
	json_set_str(m, "evidence", evidence);
	json_set_str(m, "key", key);
	json_set_str(m, "url", url);
	json_array_append_new(n->merges, m);
}

static void add_review(struct norm *n, const char *name, const char *url, const char *why,
		       const json_t *ids)
{
	json_t *r = json_object();
	json_set_str(r, "name", name);
	json_set_str(r, "why", why);
	json_set_str(r, "url", url);
	json_object_set_new(r, "person_ids", ids ? json_deep_copy(ids) : json_array());
	json_array_append_new(n->review, r);
}

/* The person id of an unlinked credit: the person an overrides line
 * names for it, else the one site person whose names share its key,
 * else an id of the project's own made from the key. */
static char *unlinked_person(struct norm *n, const char *name, const char *url)
{
	char *k = name_key(name);
	char *pid = NULL;
	char why[256];

	if (!k || !*k) {
		free(k);
		return NULL;
	}
	const struct override *o = overrides_merge_name(&n->ov, k);
	const char *hit = json_str(n->name_index, k);
	const json_t *shared = json_object_get(n->name_shared, k);
	if (o) {
		((struct override *)o)->used = true;
		pid = strdup(resolve(n, o->person));
		snprintf(why, sizeof why, "unlinked credit; merged by %s:%u", n->ov.path, o->line);
		add_merge(n, name, pid, k, url, why);
		count_rule(n, "name", "unlinked-joined-by-override", name);
	} else if (hit && !shared) {
		const struct override *sep = overrides_separated_name(&n->ov, k, hit);
		if (sep) {
			((struct override *)sep)->used = true;
			snprintf(why, sizeof why, "unlinked credit whose name matches %s; kept apart by %s:%u",
				 hit, n->ov.path, sep->line);
			json_t *ids = json_array();
			json_array_append_new(ids, json_string(hit));
			add_review(n, name, url, why, ids);
			json_decref(ids);
		} else {
			pid = strdup(hit);
			add_merge(n, name, hit, k, url,
				  "unlinked credit; its name key matches exactly one person");
			count_rule(n, "name", "unlinked-joined", name);
		}
	} else if (shared) {
		add_review(n, name, url, "unlinked credit whose name matches several people; kept apart",
			   shared);
	}
	if (!pid) {
		char sha[65], id[32];
		sha256_hex(k, strlen(k), sha);
		snprintf(id, sizeof id, "x-%.12s", sha);
		pid = strdup(resolve(n, id));
		count_rule(n, "name", "unlinked-own-id", name);
	}
	add_form(n, pid, name);
	free(k);
	return pid;
}

/* The roles of a credit cell, mapped once per distinct cell. */
static size_t map_roles(struct norm *n, const char *cell, struct role_part *parts)
{
	json_t *hit = json_object_get(n->role_cache, cell), *v;
	size_t i;
	if (!hit) {
		size_t np = role_map_cell(n->roles, cell, parts, MAX_ROLES);
		hit = json_array();
		for (i = 0; i < np; i++)
			json_array_append_new(hit, json_pack("[sss]", parts[i].raw, parts[i].role,
							     parts[i].rule));
		json_object_set_new(n->role_cache, cell, hit);
		return np;
	}
	json_array_foreach(hit, i, v) {
		parts[i].raw = strdup(json_string_value(json_array_get(v, 0)));
		parts[i].role = json_string_value(json_array_get(v, 1));
		parts[i].rule = json_string_value(json_array_get(v, 2));
	}
	return json_array_size(hit);
}

static void note_person_in_work(struct norm *n, const char *wid, const char *pid)
{
	json_t *s = json_object_get(n->work_people, wid);
	if (!s) {
		s = json_object();
		json_object_set_new(n->work_people, wid, s);
	}
	json_object_set_new(s, pid, json_true());
}

/* A character's name as one page writes it, for conflicts between pages. */
static void note_character(struct norm *n, const char *cid, const char *name, const char *url)
{
	char *k = text_key(name);
	if (!k || !*k) {
		free(k);
		return;
	}
	json_t *c = json_object_get(n->char_names, cid);
	if (!c) {
		c = json_object();
		json_object_set_new(n->char_names, cid, c);
	}
	if (!json_object_get(c, k))
		json_object_set_new(c, k, json_pack("{ssss}", "value", name, "url", url ? url : ""));
	free(k);
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
		char *pid = pid0 ? strdup(resolve(n, pid0)) : NULL;
		char *nm = clean_member(v, "name");
		if (!pid && nm)
			pid = unlinked_person(n, nm, url);
		if (!pid) {
			free(nm);
			continue;
		}
		note_person_in_work(n, id, pid);
		struct role_part parts[MAX_ROLES];
		const char *role_cell = json_str(v, "role");
		size_t np = role_cell ? map_roles(n, role_cell, parts) : 0;
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
				json_t *rc = json_object_get(n->role_counts, parts[k].role);
				json_object_set_new(n->role_counts, parts[k].role,
						    json_integer(json_integer_value(rc) + 1));
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
		const char *cid = json_str(v, "character_id");
		if (cid && cname)
			note_character(n, cid, cname, url);
		json_array_foreach(json_object_get(v, "voices"), k, va) {
			const char *pid0 = json_str(va, "person_id");
			char *vname = clean_member(va, "name");
			char *pid = pid0 ? strdup(resolve(n, pid0))
					 : vname ? unlinked_person(n, vname, url) : NULL;
			if (pid) {
				note_person_in_work(n, id, pid);
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

static void add_conflict(struct norm *n, const char *id, const char *field,
			 const char *v1, const char *url1, const char *v2, const char *url2)
{
	json_t *c = json_object(), *vals = json_array();
	json_set_str(c, "entity_id", id);
	json_set_str(c, "field", field);
	json_array_append_new(vals, json_pack("{ss*ss*}", "value", v1, "url", url1));
	json_array_append_new(vals, json_pack("{ss*ss*}", "value", v2, "url", url2));
	json_object_set_new(c, "values", vals);
	json_array_append_new(n->conflicts, c);
}

/* A date field of a person page as ISO text (or its raw text when it is
 * not a date), for comparing pages; NULL when absent. */
static char *page_date(struct norm *n, const json_t *p, const char *key)
{
	char *raw = clean_member(p, key);
	struct date_result r;
	if (raw && date_parse(raw, n->order, &r) && r.iso[0]) {
		free(raw);
		return strdup(r.iso);
	}
	return raw;
}

/* Fields of a person merged from several pages: the first page's value
 * stands; another page's different value is a conflict; a value only
 * another page has fills the gap. */
static void merge_page_fields(struct norm *n, json_t *o, const char *id, const json_t *p,
			      const char *url, const json_t *q, const char *qurl)
{
	static const char *const dates[][3] = {
		{ "birth_date", "birth_raw", "birthday" }, { "death_date", "death_raw", "death" },
	};
	static const char *const texts[][2] = {
		{ "gender", "gender" }, { "hometown", "hometown" }, { "website", "website" },
		{ "name_native", "native_name" },
	};
	for (size_t i = 0; i < 2; i++) {
		char *a = page_date(n, p, dates[i][2]), *b = page_date(n, q, dates[i][2]);
		if (a && b && strcmp(a, b)) {
			add_conflict(n, id, dates[i][0], a, url, b, qurl);
		} else if (!a && b) {
			char *raw = clean_member(q, dates[i][2]);
			struct date_result r;
			bool ok = date_parse(raw, n->order, &r);
			json_set_str(o, dates[i][0], ok ? r.iso : NULL);
			json_set_str(o, dates[i][1], raw);
			free(raw);
		}
		free(a);
		free(b);
	}
	for (size_t i = 0; i < 4; i++) {
		char *a = clean_member(p, texts[i][1]), *b = clean_member(q, texts[i][1]);
		char *ka = a ? text_key(a) : NULL, *kb = b ? text_key(b) : NULL;
		if (ka && kb && strcmp(ka, kb))
			add_conflict(n, id, texts[i][0], a, url, b, qurl);
		else if (!a && b)
			json_set_str(o, texts[i][0], b);
		free(a);
		free(b);
		free(ka);
		free(kb);
	}
}

/* Works a person page lists that do not credit the person. */
static void check_person_credits(struct norm *n, const char *id, const json_t *p, const char *url)
{
	json_t *c;
	size_t i;
	json_array_foreach(json_object_get(p, "credits"), i, c) {
		const char *wid = json_str(c, "work_id");
		const json_t *w = wid ? json_object_get(n->works, wid) : NULL;
		if (!w || json_object_get(json_object_get(n->work_people, wid), id))
			continue;
		char a[512], b[512];
		snprintf(a, sizeof a, "lists %s%s%s%s", wid, json_str(c, "role") ? " (" : "",
			 json_str(c, "role") ? json_str(c, "role") : "", json_str(c, "role") ? ")" : "");
		snprintf(b, sizeof b, "%s does not credit %s", wid, id);
		add_conflict(n, id, "credits", a, url, b, json_str(w, "url"));
	}
}

static void add_page_names(json_t *names, json_t *seen, const json_t *p, const char *title_source)
{
	char *t = clean_member(p, "title");
	char *td = t ? name_display(t) : NULL;
	add_name(names, seen, td, title_source);
	free(t);
	free(td);
	char *nat = clean_member(p, "native_name");
	add_name(names, seen, nat, "native");
	free(nat);
	char *in = clean_member(p, "info_name");
	char *ind = in ? name_display(in) : NULL;
	add_name(names, seen, ind, "alias");
	free(in);
	free(ind);
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(p, "aliases"), i, a) {
		char *c = text_clean(json_string_value(a));
		add_name(names, seen, c, "alias");
		free(c);
	}
}

static json_t *norm_person(struct norm *n, const char *id)
{
	/* The person's own page first, then the pages merged into it. */
	const json_t *recs[64];
	size_t nrec = 0;
	const json_t *own = json_object_get(n->pages, id), *v;
	size_t i;
	if (own)
		recs[nrec++] = own;
	json_array_foreach(json_object_get(n->merged_from, id), i, v) {
		const json_t *r = json_object_get(n->pages, json_string_value(v));
		if (r && nrec < 64)
			recs[nrec++] = r;
	}
	const json_t *rec = nrec ? recs[0] : NULL;
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
	const struct override *ov = overrides_name(&n->ov, id);
	if (ov) {
		((struct override *)ov)->used = true;
		add_name(names, seen, ov->other, "main");
		add_name(names, seen, name, "alias");
		free(name);
		name = strdup(ov->other);
		count_rule(n, "name", "override", name);
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
	for (i = 1; i < nrec; i++)
		merge_page_fields(n, o, id, p, url, json_object_get(recs[i], "person"),
				  json_str(recs[i], "url"));
	json_set_str(o, "url", url);
	/* Credited, but the person's own page answers 404/410. */
	json_object_set_new(o, "gone", json_boolean(json_object_get(n->gone, id) != NULL));
	add_name(names, seen, name, "main");
	add_name(names, seen, native, "native");
	for (i = 0; i < nrec; i++)
		add_page_names(names, seen, json_object_get(recs[i], "person"), i ? "alias" : "main");
	if (forms) {
		const char *f;
		json_t *cnt;
		json_object_foreach((json_t *)forms, f, cnt)
			add_name(names, seen, f, "credited");
	}
	json_object_set_new(o, "names", names);
	json_object_set_new(o, "source", rec ? source_of(rec) : json_null());
	for (i = 0; i < nrec; i++) {
		size_t k;
		json_array_foreach(json_object_get(recs[i], "warnings"), k, v)
			problem(n, "page", json_string_value(v), json_str(recs[i], "url"), "parse warning");
		check_person_credits(n, id, json_object_get(recs[i], "person"), json_str(recs[i], "url"));
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

static const char *display_name_of(struct norm *n, const char *pid)
{
	const json_t *rec = json_object_get(n->pages, pid);
	const char *t = rec ? json_str(json_object_get(rec, "person"), "title") : NULL;
	return t ? t : best_form(json_object_get(n->forms, pid));
}

static int cmp_json_id(const void *a, const void *b)
{
	const char *x = json_string_value(*(json_t *const *)a);
	const char *y = json_string_value(*(json_t *const *)b);
	return cmp_id(&x, &y);
}

/* Site people whose names share a key: never merged on the name alone,
 * listed for a person to decide (an overrides line settles a pair). */
static json_t *build_candidates(struct norm *n)
{
	json_t *out = json_array();
	size_t nk;
	const char **keys = sorted_keys(n->name_shared, &nk);
	for (size_t i = 0; i < nk; i++) {
		json_t *ids = json_object_get(n->name_shared, keys[i]);
		size_t m = json_array_size(ids), j;
		json_t **v = calloc(m, sizeof *v), *x;
		json_array_foreach(ids, j, x)
			v[j] = x;
		qsort(v, m, sizeof *v, cmp_json_id);
		json_t *c = json_object(), *sorted = json_array(), *names = json_array();
		const struct override *settled = NULL;
		bool all_settled = true;
		for (j = 0; j < m; j++) {
			const char *a = json_string_value(v[j]);
			json_array_append(sorted, v[j]);
			const char *dn = display_name_of(n, a);
			json_array_append_new(names, dn ? json_string(dn) : json_null());
			for (size_t k = j + 1; k < m; k++) {
				const struct override *s = overrides_separated_ids(
					&n->ov, a, json_string_value(v[k]));
				if (s) {
					((struct override *)s)->used = true;
					settled = s;
				} else {
					all_settled = false;
				}
			}
		}
		free(v);
		json_set_str(c, "key", keys[i]);
		json_object_set_new(c, "person_ids", sorted);
		json_object_set_new(c, "names", names);
		char st[300];
		if (all_settled && settled)
			snprintf(st, sizeof st, "kept apart by %s:%u", n->ov.path, settled->line);
		else
			snprintf(st, sizeof st, "review");
		json_set_str(c, "status", st);
		json_array_append_new(out, c);
	}
	free(keys);
	return out;
}

/* Characters that pages name differently (by name key). */
static void character_conflicts(struct norm *n)
{
	size_t nk;
	const char **ids = sorted_keys(n->char_names, &nk);
	for (size_t i = 0; i < nk; i++) {
		json_t *names = json_object_get(n->char_names, ids[i]);
		if (json_object_size(names) < 2)
			continue;
		json_t *c = json_object(), *vals = json_array(), *v;
		const char *k;
		json_set_str(c, "entity_id", ids[i]);
		json_set_str(c, "field", "character_name");
		json_object_foreach(names, k, v)
			json_array_append(vals, v);
		json_object_set_new(c, "values", vals);
		json_array_append_new(n->conflicts, c);
	}
	free(ids);
}

static json_t *build_report(struct norm *n, unsigned long works, unsigned long people,
			    unsigned long gone, unsigned long credits, json_t *candidates,
			    json_t *changes)
{
	json_t *rep = json_object(), *counts = json_object(), *rules = json_array();
	size_t nk;
	const char **keys = sorted_keys(n->rules, &nk);

	for (size_t i = 0; i < nk; i++) {
		const char *colon = strchr(keys[i], ':');
		json_t *r = json_object();
		json_object_set_new(r, "kind", json_stringn(keys[i], (size_t)(colon - keys[i])));
		json_set_str(r, "rule", colon + 1);
		json_object_set(r, "count", json_object_get(n->rules, keys[i]));
		json_t *ex = json_object_get(n->examples, keys[i]);
		json_object_set_new(r, "examples", ex ? json_deep_copy(ex) : json_array());
		json_array_append_new(rules, r);
	}
	free(keys);
	json_t *unmapped = json_array(), *roles = json_array();
	keys = sorted_keys(n->unmapped, &nk);
	for (size_t i = 0; i < nk; i++)
		json_array_append_new(unmapped, json_pack("{sssO}", "role", keys[i], "count",
							  json_object_get(n->unmapped, keys[i])));
	free(keys);
	keys = sorted_keys(n->role_counts, &nk);
	for (size_t i = 0; i < nk; i++)
		json_array_append_new(roles, json_pack("{sssO}", "role", keys[i], "credits",
						       json_object_get(n->role_counts, keys[i])));
	free(keys);
	json_t *ovs = json_array();
	for (size_t i = 0; i < n->ov.n; i++) {
		const struct override *o = &n->ov.v[i];
		static const char *const kinds[] = { "merge", "separate", "name" };
		json_array_append_new(ovs, json_pack("{sssIsssssssb}", "file", n->ov.path, "line",
						     (json_int_t)o->line, "action", kinds[o->kind],
						     "person", o->person, "other", o->other,
						     "used", o->used));
	}
	size_t review_pairs = 0, i;
	json_t *c;
	json_array_foreach(candidates, i, c)
		if (!strcmp(json_str(c, "status"), "review"))
			review_pairs++;
	json_object_set_new(counts, "works", json_integer((json_int_t)works));
	json_object_set_new(counts, "people", json_integer((json_int_t)people));
	json_object_set_new(counts, "gone", json_integer((json_int_t)gone));
	json_object_set_new(counts, "credits", json_integer((json_int_t)credits));
	json_object_set_new(counts, "problems", json_integer((json_int_t)json_array_size(n->problems)));
	json_object_set_new(counts, "unmapped_roles", json_integer((json_int_t)json_object_size(n->unmapped)));
	json_object_set_new(counts, "merges", json_integer((json_int_t)json_array_size(n->merges)));
	json_object_set_new(counts, "candidates", json_integer((json_int_t)review_pairs));
	json_object_set_new(counts, "review", json_integer((json_int_t)json_array_size(n->review)));
	json_object_set_new(counts, "conflicts", json_integer((json_int_t)json_array_size(n->conflicts)));
	json_object_set_new(rep, "format", json_string("animewiki-report"));
	json_object_set_new(rep, "version", json_integer(2));
	json_object_set_new(rep, "counts", counts);
	json_object_set_new(rep, "rules", rules);
	json_object_set_new(rep, "roles", roles);
	json_object_set_new(rep, "unmapped_roles", unmapped);
	json_object_set(rep, "problems", n->problems);
	json_object_set(rep, "merges", n->merges);
	json_object_set_new(rep, "candidates", candidates);
	json_object_set(rep, "review", n->review);
	json_object_set(rep, "conflicts", n->conflicts);
	json_object_set_new(rep, "overrides", ovs);
	json_object_set_new(rep, "changes", changes);
	return rep;
}

static int normalize_run(struct stage_ctx *ctx)
{
	struct norm n;
	struct stage_reader r;
	struct stage_writer w;
	struct changes *chg = NULL;
	char *in = fs_join(ctx->work_dir, "parsed.jsonl");
	char *out = fs_join(ctx->work_dir, "normalized.jsonl");
	char *roles = config_path(&ctx->cfg, "normalize", "roles");
	char *ovpath = config_path(&ctx->cfg, "normalize", "overrides");
	json_t *rec, *all = NULL;
	int rc = EXIT_OK, got;
	unsigned long nw = 0, np = 0, ng = 0, ncred = 0;
	bool writing = false;
	long offset = 0;

	memset(&n, 0, sizeof n);
	xmlInitParser();
	n.order = (enum date_order)date_order_parse(config_str(&ctx->cfg, "normalize", "date_order"));
	json_t **objs[] = { &n.works, &n.pages, &n.chars, &n.gone, &n.redirect, &n.redirect_by,
			    &n.merged_from, &n.forms, &n.name_index, &n.name_shared,
			    &n.role_cache, &n.char_names, &n.work_people, &n.rules,
			    &n.examples, &n.unmapped, &n.role_counts };
	for (size_t i = 0; i < sizeof objs / sizeof *objs; i++)
		*objs[i] = json_object();
	n.problems = json_array();
	n.merges = json_array();
	n.review = json_array();
	n.conflicts = json_array();
	fs_remove_stale_tmp(ctx->work_dir);

	/* No overrides file where none was configured: no overrides. */
	if (!strcmp(config_origin(&ctx->cfg, "normalize", "overrides"), "default") &&
	    access(ovpath, F_OK) != 0) {
		n.ov.path = strdup(ovpath);
	} else if (overrides_load(&n.ov, ovpath)) {
		rc = EXIT_CONFIG;
		goto cleanup;
	}
	if (!(n.roles = role_map_load(roles))) {
		rc = EXIT_CONFIG;
		goto cleanup;
	}
	build_redirects(&n);
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
		else if (json_object_get(rec, "character")) {
			const char *t = json_str(json_object_get(rec, "character"), "title");
			char *ct = t ? text_clean(t) : NULL;
			if (ct && *ct)
				note_character(&n, id, ct, json_str(rec, "url"));
			free(ct);
			json_object_set_new(n.chars, id, rec);
		} else
			json_decref(rec);
	}
	stage_reader_close(&r);
	if (got < 0) {
		rc = EXIT_INPUT;
		goto cleanup;
	}

	collect_forms(&n);
	if (!(chg = changes_open(out, NORM_FORMAT))) {
		rc = EXIT_OUTPUT;
		goto cleanup;
	}
	if (stage_writer_open(&w, out, NORM_FORMAT, NORM_VERSION, NULL)) {
		rc = EXIT_OUTPUT;
		goto cleanup;
	}
	writing = true;
	offset = ftell(w.af.fp);

	/* One record: written, and noted for the changes since last run. */
#define PUT(o) do { \
		char *line_ = stage_record_dump(o); \
		size_t len_ = line_ ? strlen(line_) : 0; \
		if (!line_ || stage_writer_put_line(&w, line_, len_)) \
			rc = EXIT_OUTPUT; \
		else \
			changes_add(chg, o, line_, len_, offset); \
		offset += (long)len_ + 1; \
		free(line_); \
	} while (0)

	size_t cnt;
	const char **ids = sorted_keys(n.works, &cnt);
	for (size_t i = 0; i < cnt && !rc && !stage_stop; i++) {
		json_t *o = norm_work(&n, ids[i], json_object_get(n.works, ids[i]));
		ncred += json_array_size(json_object_get(o, "credits"));
		PUT(o);
		json_decref(o);
		nw++;
	}
	free(ids);
	/* Every person: those with a page, and those only credited. */
	all = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(n.pages, k, v)
		json_object_set_new(all, resolve(&n, k), json_true());
	json_object_foreach(n.forms, k, v)
		json_object_set_new(all, k, json_true());
	ids = sorted_keys(all, &cnt);
	for (size_t i = 0; i < cnt && !rc && !stage_stop; i++) {
		if (json_object_get(n.gone, ids[i]) && !json_object_get(n.forms, ids[i]))
			continue;
		json_t *o = norm_person(&n, ids[i]);
		PUT(o);
		json_decref(o);
		np++;
	}
	free(ids);
	ids = sorted_keys(n.gone, &cnt);
	for (size_t i = 0; i < cnt && !rc && !stage_stop; i++) {
		if (json_object_get(n.forms, ids[i]) || json_object_get(all, ids[i]))
			continue; /* written as a person marked gone */
		json_t *g = json_object(), *src = json_object_get(n.gone, ids[i]);
		json_set_str(g, "type", "gone");
		json_set_str(g, "entity_id", ids[i]);
		json_set_str(g, "url", json_str(src, "url"));
		json_object_set(g, "http_status", json_object_get(src, "http_status"));
		PUT(g);
		json_decref(g);
		ng++;
	}
	free(ids);
#undef PUT
	if (rc || stage_stop) {
		if (!rc)
			rc = EXIT_INTERRUPTED;
		goto cleanup;
	}
	character_conflicts(&n);
	json_t *changes = changes_finish(chg, w.af.fp, w.af.tmp);
	writing = false;
	if (stage_writer_commit(&w)) {
		json_decref(changes);
		rc = EXIT_OUTPUT;
		goto cleanup;
	}
	log_info("normalized %lu works, %lu people, %lu gone into '%s'", nw, np, ng, out);
	json_t *cand = build_candidates(&n);
	for (size_t i = 0; i < n.ov.n; i++)
		if (!n.ov.v[i].used)
			log_warn("%s:%u: this override decided nothing (no such person, name "
				 "or pair in this run)", n.ov.path, n.ov.v[i].line);
	json_t *rep = build_report(&n, nw, np, ng, ncred, cand, changes);
	if (report_write(rep, ctx->work_dir))
		rc = EXIT_OUTPUT;
	json_decref(rep);

cleanup:
	if (writing)
		stage_writer_abort(&w);
	changes_free(chg);
	json_decref(all);
	role_map_free(n.roles);
	overrides_free(&n.ov);
	for (size_t i = 0; i < sizeof objs / sizeof *objs; i++)
		json_decref(*objs[i]);
	json_decref(n.problems);
	json_decref(n.merges);
	json_decref(n.review);
	json_decref(n.conflicts);
	free(in);
	free(out);
	free(roles);
	free(ovpath);
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
