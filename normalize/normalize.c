/*
 * normalize: the third stage. Reads WORK/parsed.jsonl and writes
 * WORK/normalized.jsonl (one record per work, person and gone entity,
 * in id order) and the normalization report (report.c): what each rule
 * did, what could not be understood, which names were merged and on what
 * evidence, which were not and should be reviewed, where pages disagree,
 * and what changed since the previous run. The user's overrides file
 * (overrides.h) forces or forbids merges and fixes names.
 *
 * The input is read into plain structs (input.h) and the output written
 * with YAJL's generator: a DOM per record would cost many times the work.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <xxhash.h>
#include <yajl/yajl_gen.h>

#include "changes.h"
#include "forms.h"
#include "strtab.h"
#include "date.h"
#include "entity.h"
#include "fsutil.h"
#include "hugeheap.h"
#include "input.h"
#include "jsonout.h"
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
#define MAX_RULES 256

struct rule_count {
	char name[96];       /* "kind:rule" */
	unsigned long long hash;   /* of name */
	long count;
	char *ex[3];         /* the first distinct examples */
	int nex;
};

/* A person id and its key (id_key), compared by the key first. */
struct pid_ref {
	unsigned long long h;
	const char *id;
};

/* Digits only, at most 12, no leading zero: a number written one way. */
static bool plain_digits(const char *s, const char *end)
{
	if (end <= s || end - s > 12 || (*s == '0' && end - s > 1))
		return false;
	for (const char *p = s; p < end; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

struct idx {
	const char *id;
	const struct in_page *pg;
	long type;           /* TYPE and ID of TYPE-ID, for sorting as cmp_id */
	long long num;
	struct pid_ref *pids;   /* works: the people its links name, by key */
	size_t npids;
	bool exact;          /* id is TYPE-ID exactly (see id_key): the same
			      * type and number are the same id */
};

struct norm {
	enum date_order order;
	struct role_map *roles;
	struct overrides ov;
	struct input in;
	struct idx *works, *people, *gone;
	size_t nworks, npeople, ngone;
	/* Works by number, when their ids are TYPE-ID of one type, exactly
	 * (see id_key): work_at[ID] is the index in works + 1, 0 for none.
	 * The works a person page lists are looked up here (153,000 at
	 * 20,000 pages), not by a binary search each. */
	uint32_t *work_at;
	long long work_at_n;
	long work_type;
	json_t *redirect;    /* person id -> the id a merge line sends it to */
	json_t *redirect_by; /* person id -> index of that merge line */
	json_t *merged_from; /* person id -> [ids merged into it] */
	struct formset forms; /* person id -> display forms and their counts */
	/* By shard of the key (shard_of(key, nindex)), as collect_forms made them: */
	json_t *name_index[16];  /* name key -> the first person id with it */
	json_t *name_shared[16]; /* name key -> [person ids] when several share it */
	int nindex;
	json_t *role_cache;  /* role cell -> [[raw, role, rule], ...] */
	json_t *char_names;  /* character id -> {name: url}, in the order seen */
	json_t *credited_in; /* "work id|person id" of every unlinked credit and voice */
	json_t *unmapped;    /* raw role -> count */
	json_t *role_counts; /* role -> credits */
	json_t *problems;    /* [{field, value, url, why}] */
	json_t *merges;      /* [{name, person_id, evidence, key, url}] */
	json_t *review;      /* [{name, why, url, person_ids}] */
	json_t *conflicts;   /* [{entity_id, field, values: [{value, url}]}] */
	struct rule_count rules[MAX_RULES];
	size_t nrules;
	yajl_gen g;
};

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

static struct idx make_idx(const char *id, const struct in_page *pg);
static int cmp_idx(const void *a, const void *b);

/* obj's keys in cmp_id's order (their numbers parsed once, not at every
 * comparison). */
static const char **sorted_keys_of(json_t *const *objs, int nobjs, size_t *count)
{
	size_t n = 0, i = 0;
	for (int o = 0; o < nobjs; o++)
		n += json_object_size(objs[o]);
	const char **keys = calloc(n + 1, sizeof *keys), *k;
	struct idx *x = malloc((n + 1) * sizeof *x);
	json_t *v;
	if (!keys || !x) {
		free(x);
		*count = 0;
		return keys;
	}
	for (int o = 0; o < nobjs; o++)
		json_object_foreach(objs[o], k, v)
			x[i++] = make_idx(k, NULL);
	qsort(x, n, sizeof *x, cmp_idx);
	for (i = 0; i < n; i++)
		keys[i] = x[i].id;
	free(x);
	*count = n;
	return keys;
}

/* The keys of objects that have no key in common (the shards of one map),
 * sorted as one object's. */
static const char **sorted_keys(const json_t *obj, size_t *count)
{
	json_t *o = (json_t *)obj;
	return sorted_keys_of(&o, 1, count);
}

/* The leading decimal number of s as strtoll reads it, fast for the
 * short plain digits of ids ("12", "4567"); *end after it. */
static long long lead_num(const char *s, const char **end)
{
	long long v = 0;
	int i = 0;
	while (s[i] >= '0' && s[i] <= '9' && i < 18)
		v = v * 10 + (s[i++] - '0');
	if (i == 18 || s[i] == ' ' || s[i] == '+' || s[i] == '\t' || (!i && s[0] == '-')) {
		char *e;   /* long, signed or blank-led: strtoll decides */
		v = strtoll(s, &e, 10);
		*end = e;
		return v;
	}
	*end = s + i;
	return v;
}

static struct idx make_idx(const char *id, const struct in_page *pg)
{
	const char *e;
	long long type = lead_num(id, &e);
	struct idx x = { id, pg, type > LONG_MAX ? LONG_MAX : (long)type, 0, NULL, 0, false };
	const char *dash = strchr(e, '-');
	if (x.type && dash) {
		x.exact = dash == e && plain_digits(id, e);
		x.num = lead_num(dash + 1, &e);
		x.exact = x.exact && !*e && plain_digits(dash + 1, e);
	}
	return x;
}

/* The order of cmp_id, on the numbers parsed once. */
static int cmp_idx(const void *a, const void *b)
{
	const struct idx *x = a, *y = b;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return x->exact && y->exact ? 0 : strcmp(x->id, y->id);
}

/* An id's key: an id in the site's form, TYPE-ID exactly (make_idx's
 * exact: "26-1190"), is its two numbers, packed, with the top bit set:
 * two such ids are the same exactly when their keys are, and are never
 * compared by their bytes (a read from elsewhere in memory, which showed
 * in the profile). Any other id ("x-3f2a...") is keyed by its hash, top
 * bit clear, and compared by its bytes when keys match. */
static unsigned long long id_key(const char *id)
{
	struct idx k = make_idx(id, NULL);
	if (k.exact && k.type < 1L << 23 && k.num < 1LL << 40)
		return 1ULL << 63 | (unsigned long long)k.type << 40 | (unsigned long long)k.num;
	return XXH3_64bits(id, strlen(id)) & ~(1ULL << 63);
}

static bool id_key_exact(unsigned long long k)
{
	return k >> 63;
}

static const struct idx *find_idx(const struct idx *v, size_t n, const char *id)
{
	if (!id)
		return NULL;
	struct idx key = make_idx(id, NULL);
	return bsearch(&key, v, n, sizeof *v, cmp_idx);
}

/* The work of id: by its number (work_at) when it can, else by search. */
static const struct idx *find_work(const struct norm *n, const char *id)
{
	if (!id)
		return NULL;
	if (n->work_at) {
		struct idx k = make_idx(id, NULL);
		if (k.exact && k.type == n->work_type) {
			uint32_t at = k.num >= 0 && k.num < n->work_at_n ? n->work_at[k.num] : 0;
			return at ? &n->works[at - 1] : NULL;
		}
	}
	return find_idx(n->works, n->nworks, id);
}

static const struct in_page *find(const struct idx *v, size_t n, const char *id)
{
	const struct idx *hit = find_idx(v, n, id);
	return hit ? hit->pg : NULL;
}

/* "a" SEP "b" into out (size bytes, cut to fit): snprintf's "%s|%s"
 * without its cost, which showed in the profile at a million calls. */
static void join2(char *out, size_t size, const char *a, char sep, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > size - 1)
		la = size - 1;
	memcpy(out, a, la);
	if (la + 1 < size) {
		out[la++] = sep;
		if (lb > size - 1 - la)
			lb = size - 1 - la;
		memcpy(out + la, b, lb);
		la += lb;
	}
	out[la] = '\0';
}

/* Counts `by` uses of rule kind:rule, raw (may be NULL) among them as an
 * example. */
static void count_rule_by(struct norm *n, const char *kind, const char *rule, const char *raw,
			  long by)
{
	char name[96];
	join2(name, sizeof name, kind, ':', rule);
	unsigned long long h = XXH3_64bits(name, strlen(name));
	struct rule_count *r = NULL;
	for (size_t i = 0; i < n->nrules && !r; i++)
		if (n->rules[i].hash == h && !strcmp(n->rules[i].name, name))
			r = &n->rules[i];
	if (!r) {
		if (n->nrules == MAX_RULES)
			return;
		r = &n->rules[n->nrules++];
		memset(r, 0, sizeof *r);
		memcpy(r->name, name, sizeof r->name);
		r->hash = h;
	}
	r->count += by;
	if (!raw || r->nex == 3)
		return;
	for (int i = 0; i < r->nex; i++)
		if (!strcmp(r->ex[i], raw))
			return;
	r->ex[r->nex++] = strdup(raw);
}

static void count_rule(struct norm *n, const char *kind, const char *rule, const char *raw)
{
	count_rule_by(n, kind, rule, raw, 1);
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

/* Cleaned text, or NULL when absent or blank. The caller frees it. */
static char *clean(const char *s)
{
	char *c = s ? text_clean(s) : NULL;
	if (c && !*c) {
		free(c);
		c = NULL;
	}
	return c;
}

/* ---- output: one record at a time through YAJL's generator ---- */

static void o_key(yajl_gen g, const char *k)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
}

/* A string value (see jsonout_string). */
static void o_value(yajl_gen g, const char *v)
{
	jsonout_string(g, v, strlen(v));
}

static void o_str(yajl_gen g, const char *k, const char *v)
{
	if (k)
		o_key(g, k);
	if (v)
		o_value(g, v);
	else
		yajl_gen_null(g);
}

static void o_int(yajl_gen g, const char *k, long long v, bool present)
{
	o_key(g, k);
	if (present)
		yajl_gen_integer(g, v);
	else
		yajl_gen_null(g);
}

static void o_bool(yajl_gen g, const char *k, bool v)
{
	o_key(g, k);
	yajl_gen_bool(g, v);
}

static void o_source(yajl_gen g, const struct in_page *pg)
{
	o_key(g, "source");
	if (!pg) {
		yajl_gen_null(g);
		return;
	}
	yajl_gen_map_open(g);
	o_str(g, "url", pg->url);
	o_str(g, "entity_id", pg->entity_id);
	o_int(g, "http_status", pg->http_status, pg->has_status);
	o_str(g, "fetched_at", pg->fetched_at);
	o_str(g, "sha256", pg->sha256);
	yajl_gen_map_close(g);
}

/* A date member pair (and end date): ISO text at the source's precision,
 * NULL with the raw text kept when it is not one. */
static void o_date(struct norm *n, const char *field, const char *end_field,
		   const char *raw_field, const char *raw, const char *url)
{
	struct date_result r;
	bool ok = false;
	if (raw) {
		ok = date_parse(raw, n->order, &r);
		count_rule(n, "date", r.rule, raw);
		if (r.ambiguous)
			problem(n, field, raw, url, ok ? "ambiguous numeric date, read by [normalize] date_order"
						       : "ambiguous numeric date, left NULL (date_order = none)");
		else if (!ok && !r.non_date)
			problem(n, field, raw, url, "not a date form normalize knows");
	}
	o_str(n->g, raw_field, raw);
	o_str(n->g, field, ok ? r.iso : NULL);
	if (end_field)
		o_str(n->g, end_field, ok && r.end[0] ? r.end : NULL);
}

/* ---- people: forms, the name index, overrides ---- */

/* The member key of obj, made (by make: json_object or json_array) when
 * it is not there. */
static json_t *member(json_t *obj, const char *key, json_t *(*make)(void))
{
	json_t *m = json_object_get(obj, key);
	if (!m) {
		m = make();
		json_object_set_new(obj, key, m);
	}
	return m;
}

/* Adds by to the count at key of obj (a new key starts at 0). */
static void bump(json_t *obj, const char *key, json_int_t by)
{
	json_t *c = json_object_get(obj, key);
	if (c)
		json_integer_set(c, json_integer_value(c) + by);
	else
		json_object_set_new(obj, key, json_integer(by));
}

static void add_form(struct norm *n, const char *pid, const char *raw)
{
	char *d = name_display(raw);
	if (!d || !*d) {
		free(d);
		return;
	}
	struct pforms *pf = formset_add(&n->forms, pid);
	if (pf)
		formset_bump(&n->forms, pf, d, 1);
	free(d);
}

/* The person a site or own id stands for after the overrides' merges. */
static const char *resolve(struct norm *n, const char *pid)
{
	if (!json_object_size(n->redirect))
		return pid;
	const char *to = json_str(n->redirect, pid);
	if (!to)
		return pid;
	json_t *by = json_object_get(n->redirect_by, pid);
	if (by)
		n->ov.v[json_integer_value(by)].used = true;
	return to;
}

static int shard_of(const char *s, int nshards);

/* The shard of a name-index map (name_index, name_shared) that holds key k. */
static json_t *index_shard_of(json_t *const *shards, int count, const char *k)
{
	return count < 1 ? NULL : shards[count == 1 ? 0 : shard_of(k, count)];
}

/* Indexes pid under name key k in index and shared (see struct norm). */
static void index_key(json_t *index, json_t *shared, const char *k, const char *pid)
{
	if (!k || !*k)
		return;
	const char *have = json_str(index, k);
	if (!have) {
		json_object_set_new(index, k, json_string(pid));
	} else if (strcmp(have, pid)) {
		json_t *sh = json_object_get(shared, k), *v;
		size_t i;
		bool known = false;
		if (!sh) {
			sh = json_array();
			json_array_append_new(sh, json_string(have));
			json_object_set_new(shared, k, sh);
		}
		json_array_foreach(sh, i, v)
			if (!strcmp(json_string_value(v), pid))
				known = true;
		if (!known)
			json_array_append_new(sh, json_string(pid));
	}
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
		json_array_append_new(member(n->merged_from, to, json_array), json_string(o->other));
	}
}

static int cmp_pid_ref(const void *a, const void *b)
{
	const struct pid_ref *x = a, *y = b;
	return x->h != y->h ? (x->h < y->h ? -1 : 1) : id_key_exact(x->h) ? 0 : strcmp(x->id, y->id);
}

/* A growable list of (string, person id) pairs (or a slice of one,
 * never grown: see collect_links). */
struct pairs {
	const char **str, **pid;
	size_t n, cap;
	bool oom;                /* a pair could not be added */
	bool slice;              /* part of another's arrays: never grown */
};

static void pairs_add(struct pairs *l, const char *str, const char *pid)
{
	if (l->n == l->cap) {
		if (l->slice) {
			l->oom = true;
			return;
		}
		size_t cap = l->cap ? 2 * l->cap : 4096;
		const char **s2 = realloc(l->str, cap * sizeof *s2);
		if (s2)
			l->str = s2;
		const char **p2 = realloc(l->pid, cap * sizeof *p2);
		if (p2)
			l->pid = p2;
		if (!s2 || !p2) {
			l->oom = true;
			return;
		}
		l->cap = cap;
	}
	l->str[l->n] = str;
	l->pid[l->n++] = pid;
}

/* A link of work wi to person pid, credited as name: the person among
 * the work's, and the name (to become one of the person's forms). */
static void note_link(struct norm *n, struct idx *wi, const char *pid, const char *name,
		      struct pairs *links)
{
	if (!pid)
		return;
	const char *to = resolve(n, pid);
	if (wi->pids)
		wi->pids[wi->npids++] = (struct pid_ref){ id_key(to), to };
	if (name && entity_kind_of(pid) == ENT_PERSON)
		pairs_add(links, name, to);
}

/*
 * The forms and the name index are filled by shards, one thread each: a
 * shard takes the person ids (for the forms) or the name keys (for the
 * index) whose hash falls in it, in the order of the links or names, so
 * each id's or key's entries come out as one thread would make them. The
 * shards are then joined: the forms in the order each id was first seen.
 */
static int shard_of(const char *s, int nshards)
{
	return (int)(XXH3_64bits(s, strlen(s)) % (unsigned)nshards);
}

/* What fn (name_display, name_key) makes of each distinct string, kept
 * by one thread: a credited name recurs at every credit of the person. */
struct memo {
	struct strtab t;         /* each value: fn's string, owned by the memo */
	char *(*fn)(const char *);
	size_t hint;             /* strings to size the table for at once */
	bool oom;
};

/* fn(s), made once; owned by m. NULL when fn gives NULL. */
static const char *memo_get(struct memo *m, const char *s)
{
	size_t len = strlen(s);
	unsigned long long h = strtab_hash(s, len);
	struct strtab_ent *e = strtab_find(&m->t, s, len, h);
	if (e)
		return e->v;
	char *v = m->fn(s);
	if (!(e = strtab_add(&m->t, s, len, h, m->hint))) {
		free(v);
		m->oom = true;
		return NULL;
	}
	e->v = v;
	return v;
}

static void memo_free(struct memo *m)
{
	for (size_t i = 0; i < m->t.cap; i++)
		free(m->t.e[i].v);
	strtab_free(&m->t);
	memset(m, 0, sizeof *m);
}

struct shard {
	struct memo memo;        /* forms: display forms; index: keys */
	const struct pairs *list;
	int i, count;
	json_t *a, *b;           /* index: a index, b shared */
	struct formset fs;       /* forms */
	size_t *first;           /* forms: each id's first link, in order */
	size_t nfirst;
	const char **keys;       /* index: the names' keys */
};

static void *forms_shard(void *arg)
{
	struct shard *sh = arg;
	const struct pairs *l = sh->list;
	for (size_t i = 0; i < l->n; i++) {
		if (sh->count > 1 && shard_of(l->pid[i], sh->count) != sh->i)
			continue;
		const char *d = memo_get(&sh->memo, l->str[i]);
		if (d && *d) {
			size_t had = sh->fs.n;
			struct pforms *f = formset_add(&sh->fs, l->pid[i]);
			if (!f)
				continue;
			if (sh->fs.n > had)
				sh->first[sh->nfirst++] = i;
			formset_bump(&sh->fs, f, d, 1);
		}
	}
	return NULL;
}

static void *keys_shard(void *arg)
{
	struct shard *sh = arg;
	const struct pairs *l = sh->list;
	/* Sized at once for the distinct names among those it is given
	 * (two thirds of them at 20,000 pages: a person's forms recur among
	 * the names of the person's page): growing by doubling takes fresh
	 * memory and rehashes at each step; a table sized for them all
	 * would be twice as large, fresh memory too. */
	sh->memo.hint = l->n / (size_t)sh->count * 2 / 3;
	for (size_t i = sh->i; i < l->n; i += (size_t)sh->count)
		sh->keys[i] = l->str[i] ? memo_get(&sh->memo, l->str[i]) : NULL;
	return NULL;
}

static void *index_shard(void *arg)
{
	struct shard *sh = arg;
	const struct pairs *l = sh->list;
	for (size_t i = 0; i < l->n; i++)
		if (sh->keys[i] && *sh->keys[i] &&
		    (sh->count == 1 || shard_of(sh->keys[i], sh->count) == sh->i))
			index_key(sh->a, sh->b, sh->keys[i], l->pid[i]);
	return NULL;
}

/* fn(arg) on a thread of its own; bg_wait waits for it, or runs it
 * there when the thread could not start. */
struct bg {
	pthread_t tid;
	bool started;
	void *(*fn)(void *);
	void *arg;
};

static void bg_start(struct bg *b, void *(*fn)(void *), void *arg)
{
	b->fn = fn;
	b->arg = arg;
	b->started = pthread_create(&b->tid, NULL, fn, arg) == 0;
}

static void bg_wait(struct bg *b)
{
	if (b->started)
		pthread_join(b->tid, NULL);
	else if (b->fn)
		b->fn(b->arg);
	b->started = false;
	b->fn = NULL;
}

/* Runs fn on each of count items (at most 16) of size bytes from v,
 * count - 1 of them on new threads. */
static void run_parallel(void *v, size_t size, int count, void *(*fn)(void *))
{
	struct bg b[16];
	for (int t = 1; t < count; t++)
		bg_start(&b[t], fn, (char *)v + (size_t)t * size);
	fn(v);
	for (int t = 1; t < count; t++)
		bg_wait(&b[t]);
}

static void run_shards(struct shard *shards, int count, void *(*fn)(void *))
{
	run_parallel(shards, sizeof *shards, count, fn);
}

/* The links of the works from..to (their people, sorted, and the pairs
 * of name and person in work order), one thread's share. */
struct link_range {
	struct norm *n;
	size_t from, to;
	struct pairs links;
};

/* A work's links to people: its credits and its voices. */
static size_t links_of(const struct in_page *w)
{
	size_t nl = w->ncredits;
	for (size_t c = 0; c < w->ncast; c++)
		nl += w->cast[c].nvoices;
	return nl;
}

static void *links_range(void *arg)
{
	struct link_range *r = arg;
	struct norm *n = r->n;
	for (size_t i = r->from; i < r->to; i++) {
		struct idx *wi = &n->works[i];
		const struct in_page *w = wi->pg;
		size_t nl = links_of(w);
		wi->pids = nl ? malloc(nl * sizeof *wi->pids) : NULL;
		for (size_t c = 0; c < w->ncredits; c++)
			note_link(n, wi, w->credits[c].person_id, w->credits[c].name, &r->links);
		for (size_t c = 0; c < w->ncast; c++)
			for (size_t v = 0; v < w->cast[c].nvoices; v++)
				note_link(n, wi, w->cast[c].voices[v].person_id,
					  w->cast[c].voices[v].name, &r->links);
		if (wi->npids)
			qsort(wi->pids, wi->npids, sizeof *wi->pids, cmp_pid_ref);
	}
	return NULL;
}

/* Every work's links, the works split in ranges between threads and the
 * pairs joined in work order (as one thread makes them). With merges
 * in the overrides, one thread: resolve() notes the lines it uses. The
 * pairs are one array taken at once, a slice per range as large as its
 * credits and voices (a pair each at most), closed up at the end: no
 * array grown by doubling and copied, which is fresh memory. */
static void collect_links(struct norm *n, int threads, struct pairs *links)
{
	struct link_range r[16];
	size_t at[17] = { 0 };
	int count = n->nworks < 256 || json_object_size(n->redirect) ? 1
		: threads < 1 ? 1 : threads > 16 ? 16 : threads;
	for (int t = 0; t < count; t++) {
		r[t] = (struct link_range){ n, n->nworks * (size_t)t / (size_t)count,
					    n->nworks * (size_t)(t + 1) / (size_t)count, { 0 } };
		size_t most = 0;
		for (size_t i = r[t].from; i < r[t].to; i++)
			most += links_of(n->works[i].pg);
		at[t + 1] = at[t] + most;
	}
	memset(links, 0, sizeof *links);
	links->str = malloc((at[count] + 1) * sizeof *links->str);
	links->pid = malloc((at[count] + 1) * sizeof *links->pid);
	if (!links->str || !links->pid) {
		links->oom = true;
		return;
	}
	for (int t = 0; t < count; t++)
		r[t].links = (struct pairs){ links->str + at[t], links->pid + at[t], 0,
					     at[t + 1] - at[t], false, true };
	run_parallel(r, sizeof *r, count, links_range);
	for (int t = 0; t < count; t++) {
		memmove(links->str + links->n, r[t].links.str, r[t].links.n * sizeof *links->str);
		memmove(links->pid + links->n, r[t].links.pid, r[t].links.n * sizeof *links->pid);
		links->n += r[t].links.n;
		links->oom = links->oom || r[t].links.oom;
	}
	links->cap = at[count];
}

/* The credited forms of every linked person, and the name index of every
 * site person (their pages' names and credited forms). 0, or -1 when
 * memory ran out. */
static int collect_forms(struct norm *n, int threads)
{
	bool oom = false;
	struct pairs links = { 0 }, names = { 0 };
	struct shard sh[16];
	collect_links(n, threads, &links);

	/* The forms, by shard; joined in the order ids were first seen. */
	int count = links.n < 4096 ? 1 : threads < 1 ? 1 : threads > 16 ? 16 : threads;
	for (int t = 0; t < count; t++) {
		sh[t] = (struct shard){ .list = &links, .i = t, .count = count };
		sh[t].memo.fn = name_display;
		sh[t].first = malloc((links.n + 1) * sizeof *sh[t].first);
		if (!sh[t].first)
			oom = true;
	}
	if (!oom && !links.oom)
		run_shards(sh, count, forms_shard);
	size_t at[16] = { 0 };
	for (; !oom;) {
		int best = -1;
		for (int t = 0; t < count; t++)
			if (at[t] < sh[t].nfirst &&
			    (best < 0 || sh[t].first[at[t]] < sh[best].first[at[best]]))
				best = t;
		if (best < 0)
			break;
		formset_take(&n->forms, &sh[best].fs.p[at[best]++]);
	}
	for (int t = 0; t < count; t++) {
		oom = oom || sh[t].memo.oom || sh[t].fs.oom;
		formset_free(&sh[t].fs);
		free(sh[t].first);
		memo_free(&sh[t].memo);
	}
	oom = oom || n->forms.oom;

	/* The name index: the keys on all threads, then by shard. */
	size_t most = 0;   /* (the pairs taken at once: see collect_links) */
	for (size_t i = 0; i < n->npeople; i++)
		most += 3 + n->people[i].pg->aliases.n;
	for (size_t i = 0; i < n->forms.n; i++)
		most += n->forms.p[i].n;
	names.str = malloc((most + 1) * sizeof *names.str);
	names.pid = malloc((most + 1) * sizeof *names.pid);
	names.cap = names.str && names.pid ? most + 1 : 0;
	for (size_t i = 0; i < n->npeople; i++) {
		const struct in_page *p = n->people[i].pg;
		const char *pid = resolve(n, n->people[i].id);
		pairs_add(&names, p->title, pid);
		pairs_add(&names, p->info_name, pid);
		pairs_add(&names, p->native_name, pid);
		for (size_t a = 0; a < p->aliases.n; a++)
			pairs_add(&names, p->aliases.v[a], pid);
	}
	for (size_t i = 0; i < n->forms.n; i++)
		for (size_t k = 0; k < n->forms.p[i].n; k++)
			pairs_add(&names, n->forms.p[i].v[k].s, n->forms.p[i].pid);
	const char **keys = calloc(names.n + 1, sizeof *keys);
	oom = oom || !keys || names.oom || links.oom;
	count = oom ? 0 : names.n < 4096 ? 1 : threads < 1 ? 1 : threads > 16 ? 16 : threads;
	for (int t = 0; t < count; t++)
		sh[t] = (struct shard){ .memo.fn = name_key, .list = &names, .i = t, .count = count,
					.keys = keys, .a = json_object(), .b = json_object() };
	if (count) {
		run_shards(sh, count, keys_shard);
		run_shards(sh, count, index_shard);
	}
	/* The shards are the index (no copy into one map). */
	for (int t = 0; t < count; t++) {
		oom = oom || sh[t].memo.oom;
		n->name_index[t] = sh[t].a;
		n->name_shared[t] = sh[t].b;
		memo_free(&sh[t].memo);
	}
	n->nindex = count;
	free(keys);
	free(links.str);
	free(links.pid);
	free(names.str);
	free(names.pid);
	return oom ? -1 : 0;
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
	const char *hit = json_str(index_shard_of(n->name_index, n->nindex, k), k);
	const json_t *shared = json_object_get(index_shard_of(n->name_shared, n->nindex, k), k);
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

/* A set of strings (a work's "person|role" pairs); the strings are
 * copied. */
struct pair_set {
	struct strtab t;
};

static void pair_set_free(struct pair_set *ps)
{
	for (size_t i = 0; i < ps->t.cap; i++)
		free((char *)ps->t.e[i].s);
	strtab_free(&ps->t);
}

/* Adds s; false when it was there already. (Out of memory, s counts as
 * new: a duplicate credit may then be written twice, never one lost.) */
static bool pair_set_add(struct pair_set *ps, const char *s)
{
	size_t len = strlen(s);
	unsigned long long h = strtab_hash(s, len);
	if (strtab_find(&ps->t, s, len, h))
		return false;
	char *d = strdup(s);
	if (d && !strtab_add(&ps->t, d, len, h, 0))
		free(d);
	return true;
}

/* The roles of a credit cell, mapped once per distinct cell; the parts'
 * texts belong to the cache. */
static size_t map_roles(struct norm *n, const char *cell, struct role_part *parts)
{
	json_t *hit = json_object_get(n->role_cache, cell), *v;
	size_t i;
	if (!hit) {
		size_t np = role_map_cell(n->roles, cell, parts, MAX_ROLES);
		hit = json_array();
		for (i = 0; i < np; i++) {
			json_array_append_new(hit, json_pack("[sss]", parts[i].raw, parts[i].role,
							     parts[i].rule));
			free(parts[i].raw);
		}
		json_object_set_new(n->role_cache, cell, hit);
	}
	json_array_foreach(hit, i, v) {
		parts[i].raw = (char *)json_string_value(json_array_get(v, 0));
		parts[i].role = json_string_value(json_array_get(v, 1));
		parts[i].rule = json_string_value(json_array_get(v, 2));
	}
	return json_array_size(hit);
}

/* Notes an unlinked credit's person (linked ones are in the page). */
static void note_credited(struct norm *n, const char *wid, const char *pid)
{
	char k[160];
	join2(k, sizeof k, wid, '|', pid);
	json_object_set_new(n->credited_in, k, json_true());
}

/* A character's name as one page writes it, for conflicts between pages. */
static void note_character(struct norm *n, const char *cid, const char *name, const char *url)
{
	/* By the name as it is: the keys are made for the few characters
	 * named more than one way (character_conflicts). */
	json_t *c = member(n->char_names, cid, json_object);
	if (!json_object_get(c, name))
		json_object_set_new(c, name, json_string(url ? url : ""));
}

/* ---- works ---- */

/* The titles of a work, one per key, before they are written. */
struct title {
	char *text, *key;
	const char *source;
};

struct titles {
	struct title *v;
	size_t n, cap;
};

/* How good a display form is: mixed case over all capitals or all lower
 * case, then proper characters kept (accents, dashes, curly quotes:
 * "Kōkaku" over "Kokaku"). */
static int form_score(const char *s)
{
	bool upper = false, lower = false, accent = false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			upper = true;
		else if (*p >= 'a' && *p <= 'z')
			lower = true;
		else if (*p >= 0x80)
			accent = true;
	}
	return (upper && lower ? 2 : 0) + (accent ? 1 : 0);
}

/* Adds a title unless its key is there (an alias then only improves the
 * display form of another alias); returns true when it was new. */
static bool add_title(struct titles *t, const char *title, const char *source)
{
	char *c = clean(title);
	char *k = c ? text_key(c) : NULL;
	if (!c || !k || !*k) {
		free(c);
		free(k);
		return false;
	}
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->v[i].key, k))
			continue;
		if (!strcmp(source, "alias") && !strcmp(t->v[i].source, "alias") &&
		    form_score(c) > form_score(t->v[i].text)) {
			free(t->v[i].text);
			t->v[i].text = c;
			c = NULL;
		}
		free(c);
		free(k);
		return false;
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? 2 * t->cap : 16;
		struct title *nv = realloc(t->v, nc * sizeof *nv);
		if (!nv) {
			free(c);
			free(k);
			return false;
		}
		t->v = nv;
		t->cap = nc;
	}
	t->v[t->n++] = (struct title){ c, k, source };
	return true;
}

static void write_titles(yajl_gen g, struct titles *t)
{
	o_key(g, "titles");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < t->n; i++) {
		yajl_gen_map_open(g);
		o_str(g, "title", t->v[i].text);
		o_str(g, "lang", text_is_japanese(t->v[i].text) ? "ja" : "en");
		o_str(g, "source", t->v[i].source);
		yajl_gen_map_close(g);
		free(t->v[i].text);
		free(t->v[i].key);
	}
	yajl_gen_array_close(g);
	free(t->v);
}

static void o_list(yajl_gen g, const char *key, const struct strs *l)
{
	o_key(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < l->n; i++) {
		char *c = clean(l->v[i]);
		if (c)
			o_str(g, NULL, c);
		free(c);
	}
	yajl_gen_array_close(g);
}

static void warnings_of(struct norm *n, const struct in_page *pg)
{
	for (size_t i = 0; i < pg->warnings.n; i++)
		problem(n, "page", pg->warnings.v[i], pg->url, "parse warning");
}

static void norm_work(struct norm *n, const char *id, const struct in_page *w)
{
	yajl_gen g = n->g;
	const char *url = w->url;
	char *title = clean(w->title), *native = NULL;
	size_t nr = w->nreleases, i;
	char **rname = calloc(nr + 1, sizeof *rname), **rdate = calloc(nr + 1, sizeof *rdate);

	if (!title)
		problem(n, "title", NULL, url, "work page without a title");
	/* Releases: the first Japanese-script one names the native title. */
	for (i = 0; i < nr; i++) {
		rname[i] = clean(w->releases[i].name);
		rdate[i] = clean(w->releases[i].date);
		if (rname[i] && !native && text_is_japanese(rname[i]))
			native = strdup(rname[i]);
	}
	for (i = 0; i < w->aliases.n && !native; i++) {
		char *c = clean(w->aliases.v[i]);
		if (c && text_is_japanese(c))
			native = c;
		else
			free(c);
	}
	yajl_gen_map_open(g);
	o_str(g, "type", "work");
	o_str(g, "work_id", id);
	o_str(g, "title", title);
	o_str(g, "title_native", native);
	{
		char *kind = clean(w->type), *rating = clean(w->rating);
		o_str(g, "kind", kind);
		o_str(g, "rating", rating);
		free(kind);
		free(rating);
	}
	{
		char *rt = clean(w->runtime);
		struct runtime_result r;
		bool ok = rt && runtime_parse(rt, &r);
		if (rt) {
			count_rule(n, "runtime", r.rule, rt);
			if (!ok)
				problem(n, "runtime", rt, url, "not a runtime form normalize knows");
		}
		o_str(g, "runtime_raw", rt);
		o_int(g, "runtime_min", ok ? r.minutes : 0, ok);
		free(rt);
		char *ep = clean(w->episodes);
		const char *rule = NULL;
		long e = ep ? episodes_parse(ep, &rule) : -1;
		if (ep) {
			count_rule(n, "episodes", rule, ep);
			if (e <= 0)
				problem(n, "episodes", ep, url, "not a number of episodes");
		}
		o_str(g, "episodes_raw", ep);
		o_int(g, "episodes", e, e > 0);
		free(ep);
	}
	{
		char *deck = clean(w->deck), *desc = clean(w->description);
		o_str(g, "summary", deck);
		o_str(g, "description", desc);
		free(deck);
		free(desc);
	}
	o_str(g, "url", url);
	o_list(g, "genres", &w->genres);
	o_list(g, "themes", &w->themes);

	/* Titles: main, native, release names, aliases; one per key. */
	struct titles tl = { NULL, 0, 0 };
	if (title)
		add_title(&tl, title, "main");
	if (native)
		add_title(&tl, native, "native");
	for (i = 0; i < nr; i++)
		if (rname[i])
			add_title(&tl, rname[i], "release");
	for (i = 0; i < w->aliases.n; i++) {
		if (add_title(&tl, w->aliases.v[i], "alias"))
			count_rule(n, "title", "alias-kept", w->aliases.v[i]);
		else
			count_rule(n, "title", "alias-duplicate-dropped", w->aliases.v[i]);
	}
	write_titles(g, &tl);

	/* Releases: Name / Release Date pairs; region inferred from script. */
	o_key(g, "releases");
	yajl_gen_array_open(g);
	for (i = 0; i < nr; i++) {
		bool ja = rname[i] && text_is_japanese(rname[i]);
		yajl_gen_map_open(g);
		o_str(g, "title", rname[i]);
		o_str(g, "lang", rname[i] ? (ja ? "ja" : "en") : NULL);
		o_str(g, "region", rname[i] ? (ja ? "JP" : "US") : NULL);
		o_bool(g, "region_inferred", rname[i] != NULL);
		o_date(n, "date", "end_date", "date_raw", rdate[i], url);
		yajl_gen_map_close(g);
		if (rname[i])
			count_rule(n, "region", ja ? "japanese-script-JP" : "latin-script-US", rname[i]);
		free(rname[i]);
		free(rdate[i]);
	}
	yajl_gen_array_close(g);
	free(rname);
	free(rdate);

	/* Credits: one per person and role. */
	struct pair_set seen = { 0 };
	o_key(g, "credits");
	yajl_gen_array_open(g);
	for (i = 0; i < w->ncredits; i++) {
		const struct in_credit *cr = &w->credits[i];
		const char *pid = cr->person_id ? resolve(n, cr->person_id) : NULL;
		char *nm = pid ? NULL : clean(cr->name);   /* the name joins an unlinked credit */
		char *own = NULL;                           /* (pid, when made here) */
		if (!pid && nm && (pid = own = unlinked_person(n, nm, url)))
			note_credited(n, id, pid);
		if (!pid) {
			free(nm);
			continue;
		}
		struct role_part parts[MAX_ROLES];
		size_t np = cr->role ? map_roles(n, cr->role, parts) : 0;
		if (!np) {
			parts[0].raw = (char *)"";
			parts[0].role = "other";
			parts[0].rule = "no-role";
			np = 1;
		}
		char *note = clean(cr->note);
		for (size_t k = 0; k < np; k++) {
			count_rule(n, "role", parts[k].rule, parts[k].raw);
			if (!strcmp(parts[k].role, "other")) {
				bump(n->unmapped, parts[k].raw, 1);
			}
			char dkey[256];
			join2(dkey, sizeof dkey, pid, '|', parts[k].role);
			if (!pair_set_add(&seen, dkey)) {
				count_rule(n, "credit", "duplicate-dropped", dkey);
			} else {
				bump(n->role_counts, parts[k].role, 1);
				yajl_gen_map_open(g);
				o_str(g, "person_id", pid);
				o_str(g, "role", parts[k].role);
				o_str(g, "role_raw", parts[k].raw);
				o_str(g, "note", note);
				yajl_gen_map_close(g);
			}
		}
		free(note);
		free(nm);
		free(own);
	}
	yajl_gen_array_close(g);
	pair_set_free(&seen);

	/* Cast: one row per character, voice actor and language. */
	o_key(g, "cast");
	yajl_gen_array_open(g);
	for (i = 0; i < w->ncast; i++) {
		const struct in_cast *row = &w->cast[i];
		char *cname = clean(row->character_name);
		if (row->character_id && cname)
			note_character(n, row->character_id, cname, url);
		for (size_t k = 0; k < row->nvoices; k++) {
			const struct in_voice *va = &row->voices[k];
			const char *pid = va->person_id ? resolve(n, va->person_id) : NULL;
			char *vname = pid ? NULL : clean(va->name);
			char *own = NULL;
			if (!pid && vname && (pid = own = unlinked_person(n, vname, url)))
				note_credited(n, id, pid);
			if (pid) {
				yajl_gen_map_open(g);
				o_str(g, "character_id", row->character_id);
				o_str(g, "character_name", cname);
				o_str(g, "person_id", pid);
				o_str(g, "lang", va->lang);
				yajl_gen_map_close(g);
			}
			free(vname);
			free(own);
		}
		free(cname);
	}
	yajl_gen_array_close(g);
	o_source(g, w);
	yajl_gen_map_close(g);
	warnings_of(n, w);
	free(title);
	free(native);
}

/* ---- people ---- */

/* Picks the display name among credited forms: Latin script first, with
 * macrons over without, then the most frequent, then the first seen. */
static const char *best_form(const struct pforms *forms)
{
	const char *best = NULL;
	long bscore = -1;
	for (size_t i = 0; forms && i < forms->n; i++) {
		const char *f = forms->v[i].s;
		bool latin = !text_is_japanese(f), macron = false;
		for (const unsigned char *p = (const unsigned char *)f; *p; p++)
			if (*p >= 0x80)
				macron = true;
		long score = (latin ? 1L << 40 : 0) + (latin && macron ? 1L << 39 : 0) +
			     forms->v[i].count;
		if (score > bscore) {
			bscore = score;
			best = f;
		}
	}
	return best;
}

/* A person's names, written once each (a person has a handful: a list of
 * copies). */
struct names {
	yajl_gen g;
	char **seen;
	size_t n, cap;
};

static void add_name(struct names *nm, const char *name, const char *source)
{
	if (!name || !*name)
		return;
	for (size_t i = 0; i < nm->n; i++)
		if (!strcmp(nm->seen[i], name))
			return;
	if (nm->n == nm->cap) {
		size_t cap = nm->cap ? 2 * nm->cap : 16;
		char **v = realloc(nm->seen, cap * sizeof *v);
		if (!v)
			return;
		nm->seen = v;
		nm->cap = cap;
	}
	if (!(nm->seen[nm->n] = strdup(name)))
		return;
	nm->n++;
	yajl_gen_map_open(nm->g);
	o_str(nm->g, "name", name);
	o_str(nm->g, "source", source);
	yajl_gen_map_close(nm->g);
}

static void add_page_names(struct names *nm, const struct in_page *p, const char *title_source)
{
	char *t = clean(p->title);
	char *td = t ? name_display(t) : NULL;
	add_name(nm, td, title_source);
	free(t);
	free(td);
	char *nat = clean(p->native_name);
	add_name(nm, nat, "native");
	free(nat);
	char *in = clean(p->info_name);
	char *ind = in ? name_display(in) : NULL;
	add_name(nm, ind, "alias");
	free(in);
	free(ind);
	for (size_t i = 0; i < p->aliases.n; i++) {
		char *c = clean(p->aliases.v[i]);
		char *d = c ? name_display(c) : NULL;
		add_name(nm, d, "alias");
		free(c);
		free(d);
	}
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

/* A person's fields before they are written: the first page's values,
 * then gaps filled from pages merged into it. */
struct pfields {
	char *raw[2];        /* birthday, death as written */
	char *text[4];       /* gender, hometown, website, native name */
	const char *url[6];  /* the page each value came from */
};

static const char *const date_fields[2] = { "birth_date", "death_date" };
static const char *const text_fields[4] = { "gender", "hometown", "website", "name_native" };

static const char *text_member(const struct in_page *p, int i)
{
	switch (i) {
	case 0: return p->gender;
	case 1: return p->hometown;
	case 2: return p->website;
	default: return p->native_name;
	}
}

/* A date of a page as ISO text (or its cleaned raw text when not a
 * date), for comparing pages. */
static char *page_date(struct norm *n, const char *raw)
{
	char *c = clean(raw);
	struct date_result r;
	if (c && date_parse(c, n->order, &r) && r.iso[0]) {
		free(c);
		return strdup(r.iso);
	}
	return c;
}

static void merge_page(struct norm *n, struct pfields *f, const char *id, const struct in_page *q)
{
	for (int i = 0; i < 2; i++) {
		const char *qraw = i ? q->death : q->birthday;
		char *a = f->raw[i] ? page_date(n, f->raw[i]) : NULL, *b = page_date(n, qraw);
		if (a && b && strcmp(a, b))
			add_conflict(n, id, date_fields[i], a, f->url[i], b, q->url);
		else if (!a && b) {
			f->raw[i] = clean(qraw);
			f->url[i] = q->url;
		}
		free(a);
		free(b);
	}
	for (int i = 0; i < 4; i++) {
		char *b = clean(text_member(q, i));
		char *ka = f->text[i] ? text_key(f->text[i]) : NULL, *kb = b ? text_key(b) : NULL;
		if (ka && kb && strcmp(ka, kb)) {
			add_conflict(n, id, text_fields[i], f->text[i], f->url[2 + i], b, q->url);
			free(b);
		} else if (!f->text[i] && b) {
			f->text[i] = b;
			f->url[2 + i] = q->url;
		} else {
			free(b);
		}
		free(ka);
		free(kb);
	}
}

/* True when a link of work w (credit or voice) is to person id. */
/* True when work w links person id (hash h). */
static bool credits_person(const struct idx *w, const char *id, unsigned long long h)
{
	size_t lo = 0, hi = w->npids;
	while (lo < hi) {   /* the first entry with hash >= h */
		size_t mid = lo + (hi - lo) / 2;
		if (w->pids[mid].h < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < w->npids && w->pids[lo].h == h; lo++)
		if (id_key_exact(h) || !strcmp(w->pids[lo].id, id))
			return true;
	return false;
}

/* Works a person page lists that do not credit the person. */
static void check_person_credits(struct norm *n, const char *id, const struct in_page *p)
{
	unsigned long long h = id_key(id);
	for (size_t i = 0; i < p->npcredits; i++) {
		const struct in_pcredit *c = &p->pcredits[i];
		const struct idx *wi = find_work(n, c->work_id);
		const struct in_page *w = wi ? wi->pg : NULL;
		char k[160];
		if (!w)
			continue;
		if (credits_person(wi, id, h))
			continue;
		join2(k, sizeof k, c->work_id, '|', id);
		if (json_object_get(n->credited_in, k))
			continue;
		char a[512], b[512];
		snprintf(a, sizeof a, "lists %s%s%s%s", c->work_id, c->role ? " (" : "",
			 c->role ? c->role : "", c->role ? ")" : "");
		snprintf(b, sizeof b, "%s does not credit %s", c->work_id, id);
		add_conflict(n, id, "credits", a, p->url, b, w->url);
	}
}

static void norm_person(struct norm *n, const char *id)
{
	/* The person's own page first, then the pages merged into it. */
	const struct in_page *pages[64];
	size_t np = 0, i;
	const struct in_page *own = find(n->people, n->npeople, id);
	json_t *v;
	if (own)
		pages[np++] = own;
	json_array_foreach(json_object_get(n->merged_from, id), i, v) {
		const struct in_page *r = find(n->people, n->npeople, json_string_value(v));
		if (r && np < 64)
			pages[np++] = r;
	}
	const struct in_page *p = np ? pages[0] : NULL;
	const struct pforms *forms = formset_get(&n->forms, id);
	const char *url = p ? p->url : NULL;
	yajl_gen g = n->g;
	char *name = NULL;
	struct pfields f;

	memset(&f, 0, sizeof f);
	if (p) {
		char *t = clean(p->title);
		if (!t)
			t = clean(p->info_name);
		name = t ? name_display(t) : NULL;
		free(t);
		count_rule(n, "name", "person-page-title", name);
		f.raw[0] = clean(p->birthday);
		f.raw[1] = clean(p->death);
		for (int k = 0; k < 4; k++)
			f.text[k] = clean(text_member(p, k));
		for (int k = 0; k < 6; k++)
			f.url[k] = url;
	}
	if (!name && forms && best_form(forms)) {
		name = strdup(best_form(forms));
		count_rule(n, "name", "credited-form", name);
	}
	for (i = 1; i < np; i++)
		merge_page(n, &f, id, pages[i]);
	const struct override *ov = overrides_name(&n->ov, id);
	char *page_name = NULL;
	if (ov) {
		((struct override *)ov)->used = true;
		page_name = name;
		name = strdup(ov->other);
		count_rule(n, "name", "override", name);
	}

	yajl_gen_map_open(g);
	o_str(g, "type", "person");
	o_str(g, "person_id", id);
	o_str(g, "name", name);
	o_str(g, "name_native", f.text[3]);
	for (int k = 0; k < 2; k++)
		o_date(n, date_fields[k], NULL, k ? "death_raw" : "birth_raw", f.raw[k],
		       f.url[k] ? f.url[k] : url);
	o_str(g, "gender", f.text[0]);
	o_str(g, "hometown", f.text[1]);
	o_str(g, "website", f.text[2]);
	o_str(g, "url", url);
	/* Credited, but the person's own page answers 404/410. */
	o_bool(g, "gone", find(n->gone, n->ngone, id) != NULL);
	o_key(g, "names");
	yajl_gen_array_open(g);
	struct names nm = { g, NULL, 0, 0 };
	add_name(&nm, name, "main");
	add_name(&nm, page_name, "alias");
	add_name(&nm, f.text[3], "native");
	for (i = 0; i < np; i++)
		add_page_names(&nm, pages[i], i || ov ? "alias" : "main");
	for (i = 0; forms && i < forms->n; i++)
		add_name(&nm, forms->v[i].s, "credited");
	for (size_t k = 0; k < nm.n; k++)
		free(nm.seen[k]);
	free(nm.seen);
	yajl_gen_array_close(g);
	o_source(g, p);
	yajl_gen_map_close(g);
	for (i = 0; i < np; i++) {
		warnings_of(n, pages[i]);
		check_person_credits(n, id, pages[i]);
	}
	for (int k = 0; k < 2; k++)
		free(f.raw[k]);
	for (int k = 0; k < 4; k++)
		free(f.text[k]);
	free(name);
	free(page_name);
}

/* ---- the report's lists built after the records ---- */

static const char *display_name_of(struct norm *n, const char *pid)
{
	const struct in_page *p = find(n->people, n->npeople, pid);
	return p && p->title ? p->title : best_form(formset_get(&n->forms, pid));
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
	const char **keys = sorted_keys_of(n->name_shared, n->nindex, &nk);
	for (size_t i = 0; i < nk; i++) {
		json_t *ids = json_object_get(index_shard_of(n->name_shared, n->nindex, keys[i]),
					      keys[i]);
		size_t m = json_array_size(ids), j;
		json_t **v = calloc(m + 1, sizeof *v), *x;
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
		json_t *names = json_object_get(n->char_names, ids[i]), *v;
		if (json_object_size(names) < 2)
			continue;
		/* The names one per key, the first seen of each. */
		json_t *bykey = json_object();
		const char *name;
		json_object_foreach(names, name, v) {
			char *k = text_key(name);
			if (k && *k && !json_object_get(bykey, k))
				json_object_set_new(bykey, k, json_string(name));
			free(k);
		}
		if (json_object_size(bykey) < 2) {
			json_decref(bykey);
			continue;
		}
		json_t *c = json_object(), *vals = json_array();
		const char *k;
		json_set_str(c, "entity_id", ids[i]);
		json_set_str(c, "field", "character_name");
		json_object_foreach(bykey, k, v)
			json_array_append_new(vals, json_pack("{sssO}", "value", json_string_value(v),
							      "url", json_object_get(names,
										     json_string_value(v))));
		json_decref(bykey);
		json_object_set_new(c, "values", vals);
		json_array_append_new(n->conflicts, c);
	}
	free(ids);
}

static int cmp_rule(const void *a, const void *b)
{
	return strcmp(((const struct rule_count *)a)->name, ((const struct rule_count *)b)->name);
}

static json_t *build_report(struct norm *n, unsigned long works, unsigned long people,
			    unsigned long gone, unsigned long credits, json_t *candidates,
			    json_t *changes)
{
	json_t *rep = json_object(), *counts = json_object(), *rules = json_array();
	size_t nk, i;

	qsort(n->rules, n->nrules, sizeof *n->rules, cmp_rule);
	for (i = 0; i < n->nrules; i++) {
		const struct rule_count *rc = &n->rules[i];
		const char *colon = strchr(rc->name, ':');
		json_t *r = json_object(), *ex = json_array();
		json_object_set_new(r, "kind", json_stringn(rc->name, (size_t)(colon - rc->name)));
		json_set_str(r, "rule", colon + 1);
		json_object_set_new(r, "count", json_integer(rc->count));
		for (int e = 0; e < rc->nex; e++)
			json_array_append_new(ex, json_string(rc->ex[e]));
		json_object_set_new(r, "examples", ex);
		json_array_append_new(rules, r);
	}
	json_t *unmapped = json_array(), *roles = json_array();
	const char **keys = sorted_keys(n->unmapped, &nk);
	for (i = 0; i < nk; i++)
		json_array_append_new(unmapped, json_pack("{sssO}", "role", keys[i], "count",
							  json_object_get(n->unmapped, keys[i])));
	free(keys);
	keys = sorted_keys(n->role_counts, &nk);
	for (i = 0; i < nk; i++)
		json_array_append_new(roles, json_pack("{sssO}", "role", keys[i], "credits",
						       json_object_get(n->role_counts, keys[i])));
	free(keys);
	json_t *ovs = json_array();
	for (i = 0; i < n->ov.n; i++) {
		const struct override *o = &n->ov.v[i];
		static const char *const kinds[] = { "merge", "separate", "name" };
		json_array_append_new(ovs, json_pack("{sssIsssssssb}", "file", n->ov.path, "line",
						     (json_int_t)o->line, "action", kinds[o->kind],
						     "person", o->person, "other", o->other,
						     "used", o->used));
	}
	size_t review_pairs = 0;
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

/* ---- records in parallel ----
 *
 * Works (then people) are cut into blocks of BLOCK records; each worker
 * thread takes the next block and normalizes it into a copy of struct
 * norm whose shared parts (pages, name index, forms, overrides) are read
 * only and whose own parts (rule counts, report lists, the forms that
 * unlinked credits add, the overrides lines used) start empty. A
 * finished block is written and merged as soon as every block before it
 * is (by whichever thread finished it, one at a time), so writing overlaps
 * normalizing and a block's memory is freed early. Blocks are merged in
 * order, so the output and the report are the same bytes as one thread
 * would give, whatever the number of threads.
 */
#define BLOCK 128

/* A block's records: a plain growing array (struct buf zeroes what it
 * grows by, which here would be the whole output once more). */
struct lines {
	char *data;
	size_t len, cap;
};

static int lines_put(struct lines *l, const char *s, size_t n)
{
	if (l->len + n + 1 > l->cap) {
		size_t cap = l->cap ? l->cap : 256u << 10;
		while (cap < l->len + n + 1)
			cap *= 2;
		char *d = realloc(l->data, cap);
		if (!d)
			return -1;
		l->data = d;
		l->cap = cap;
	}
	memcpy(l->data + l->len, s, n);
	l->len += n;
	return 0;
}

/* YAJL's output goes straight into the block's records (its own buffer
 * would be copied there, and appends to it showed in the profile). */
struct emit_to {
	struct lines *l;
	bool oom;
};

static void emit(void *ctx, const char *s, size_t n)
{
	struct emit_to *e = ctx;
	struct lines *l = e->l;
	/* YAJL prints a record in many small pieces (a quote, a comma, a
	 * key): the common case is inline. */
	if (l->len + n < l->cap) {
		if (n == 1)
			l->data[l->len] = *s;
		else
			memcpy(l->data + l->len, s, n);
		l->len += n;
		return;
	}
	if (lines_put(l, s, n))
		e->oom = true;
}

struct block {
	struct norm part;
	struct lines lines;      /* the block's records, each ending in '\n' */
	char (*keys)[96];        /* "work:12-1" per record */
	struct changes_hash *hashes;            /* each line's hash, when there is a previous run */
	size_t nrec;
	bool done;               /* normalized (under batch.mu) */
};

enum phase { PH_WORKS, PH_PEOPLE };

struct sink {
	struct stage_writer w;
	struct changes *chg;
	long offset;
	int rc;
};

struct batch {
	struct norm *n;
	bool hash;               /* hash each line (for the changes) */
	enum phase phase;
	const char **ids;        /* people phase: the person ids, sorted */
	size_t count;            /* records in the phase */
	struct block *blocks;
	size_t nblocks;
	atomic_size_t next;
	struct sink *sink;
	pthread_mutex_t mu;
	size_t flushed;          /* blocks written and merged (under mu) */
	bool flushing;           /* a thread is writing blocks (under mu) */
	size_t written;          /* records written (by the flushing thread) */
};

static void flush_ready(struct batch *b, struct block *blk);

static int part_init(struct norm *part, const struct norm *n, enum phase phase)
{
	*part = *n;
	part->nrules = 0;
	memset(part->rules, 0, sizeof part->rules);
	part->problems = json_array();
	part->merges = json_array();
	part->review = json_array();
	part->conflicts = json_array();
	part->unmapped = json_object();
	part->role_counts = json_object();
	part->char_names = json_object();
	if (phase == PH_WORKS) {
		memset(&part->forms, 0, sizeof part->forms);   /* what unlinked credits add */
		part->credited_in = json_object();
	}
	part->ov.v = n->ov.n ? malloc(n->ov.n * sizeof *n->ov.v) : NULL;
	if (n->ov.n && part->ov.v) {
		memcpy(part->ov.v, n->ov.v, n->ov.n * sizeof *n->ov.v);
		for (size_t i = 0; i < n->ov.n; i++)
			part->ov.v[i].used = false;
	}
	part->g = NULL;
	return (n->ov.n && !part->ov.v) ? -1 : 0;
}

/* Folds a finished block into n, and frees what the block owned. */
static void part_merge(struct norm *n, struct norm *part, enum phase phase)
{
	const char *k;
	json_t *v;
	for (size_t i = 0; i < part->nrules; i++) {
		struct rule_count *r = &part->rules[i];
		const char *colon = strchr(r->name, ':');
		char kind[96];
		snprintf(kind, sizeof kind, "%.*s", (int)(colon - r->name), r->name);
		/* Once per example (the first examples stay first), then the rest. */
		long counted = 0;
		for (int e = 0; e < r->nex; e++, counted++)
			count_rule(n, kind, colon + 1, r->ex[e]);
		if (counted < r->count)
			count_rule_by(n, kind, colon + 1, NULL, r->count - counted);
		for (int e = 0; e < r->nex; e++)
			free(r->ex[e]);
	}
	json_array_extend(n->problems, part->problems);
	json_array_extend(n->merges, part->merges);
	json_array_extend(n->review, part->review);
	json_array_extend(n->conflicts, part->conflicts);
	json_object_foreach(part->unmapped, k, v)
		bump(n->unmapped, k, json_integer_value(v));
	json_object_foreach(part->role_counts, k, v)
		bump(n->role_counts, k, json_integer_value(v));
	json_object_foreach(part->char_names, k, v) {
		json_t *have = json_object_get(n->char_names, k);
		if (!have)
			json_object_set(n->char_names, k, v);
		else
			json_object_update_missing(have, v);
	}
	if (phase == PH_WORKS) {
		for (size_t i = 0; i < part->forms.n; i++) {
			const struct pforms *pp = &part->forms.p[i];
			struct pforms *f = formset_add(&n->forms, pp->pid);
			for (size_t j = 0; f && j < pp->n; j++)
				formset_bump(&n->forms, f, pp->v[j].s, pp->v[j].count);
		}
		n->forms.oom = n->forms.oom || part->forms.oom;
		formset_free(&part->forms);
		json_object_update(n->credited_in, part->credited_in);
		json_decref(part->credited_in);
	}
	for (size_t i = 0; i < n->ov.n; i++)
		if (part->ov.v[i].used)
			n->ov.v[i].used = true;
	json_decref(part->problems);
	json_decref(part->merges);
	json_decref(part->review);
	json_decref(part->conflicts);
	json_decref(part->unmapped);
	json_decref(part->role_counts);
	json_decref(part->char_names);
	free(part->ov.v);
}

static void *worker(void *arg)
{
	struct batch *b = arg;
	struct emit_to et = { NULL, false };
	yajl_gen g = yajl_gen_alloc(NULL);
	if (g)
		yajl_gen_config(g, yajl_gen_print_callback, emit, &et);
	json_t *role_cache = json_object();
	size_t bi;
	while (g && (bi = atomic_fetch_add(&b->next, 1)) < b->nblocks && !stage_stop) {
		struct block *blk = &b->blocks[bi];
		struct norm *part = &blk->part;
		size_t from = bi * BLOCK, to = from + BLOCK < b->count ? from + BLOCK : b->count;
		part->g = g;
		part->role_cache = role_cache;
		blk->keys = calloc(to - from + 1, sizeof *blk->keys);
		blk->hashes = b->hash ? calloc(to - from + 1, sizeof *blk->hashes) : NULL;
		et.l = &blk->lines;
		for (size_t i = from; i < to && blk->keys; i++) {
			const char *id = b->phase == PH_WORKS ? b->n->works[i].id : b->ids[i];
			size_t start = blk->lines.len;
			if (b->phase == PH_WORKS)
				norm_work(part, id, b->n->works[i].pg);
			else
				norm_person(part, id);
			yajl_gen_reset(g, NULL);
			if (et.oom || lines_put(&blk->lines, "\n", 1))
				break;   /* out of memory: the block comes up short, and the phase fails */
			const char *line = blk->lines.data + start;
			size_t len = blk->lines.len - start - 1;
			if (blk->hashes)
				changes_line_hash(line, len, &blk->hashes[blk->nrec]);
			join2(blk->keys[blk->nrec++], sizeof *blk->keys,
			      b->phase == PH_WORKS ? "work" : "person", ':', id);
		}
		part->g = NULL;
		flush_ready(b, blk);
	}
	json_decref(role_cache);
	if (g)
		yajl_gen_free(g);
	return NULL;
}

/* Writes a finished block's records, notes them for the changes, merges
 * its report parts into n and frees it. */
static void flush_block(struct batch *b, struct block *blk)
{
	struct sink *s = b->sink;
	const char *line = blk->lines.data;
	for (size_t r = 0; r < blk->nrec && !s->rc; r++) {
		const char *nl = memchr(line, '\n', blk->lines.len - (size_t)(line - blk->lines.data));
		size_t len = (size_t)(nl - line);
		if (stage_writer_put_line(&s->w, line, len))
			s->rc = EXIT_OUTPUT;
		else if (blk->hashes)
			changes_add_hashed(s->chg, blk->keys[r], &blk->hashes[r], len, s->offset);
		else
			changes_add(s->chg, blk->keys[r], line, len, s->offset);
		s->offset += (long)len + 1;
		line = nl + 1;
		b->written++;
	}
	part_merge(b->n, &blk->part, b->phase);
	free(blk->lines.data);
	blk->lines = (struct lines){ NULL, 0, 0 };
	free(blk->keys);
	free(blk->hashes);
	blk->keys = NULL;
	blk->hashes = NULL;
}

/* Marks blk normalized; then, unless another thread is at it, writes
 * every block whose turn has come. */
static void flush_ready(struct batch *b, struct block *blk)
{
	pthread_mutex_lock(&b->mu);
	blk->done = true;
	if (!b->flushing) {
		b->flushing = true;
		while (b->flushed < b->nblocks && b->blocks[b->flushed].done) {
			struct block *f = &b->blocks[b->flushed];
			pthread_mutex_unlock(&b->mu);
			flush_block(b, f);
			pthread_mutex_lock(&b->mu);
			b->flushed++;
		}
		b->flushing = false;
	}
	pthread_mutex_unlock(&b->mu);
}

/* Normalizes `count` records of one phase on `threads` threads and
 * writes them in order. Returns the number written. */
static size_t run_phase(struct norm *n, struct sink *s, enum phase phase, const char **ids,
			size_t count, int threads)
{
	struct batch b = { .n = n, .phase = phase, .ids = ids, .count = count,
			   .hash = changes_wanted(s->chg), .sink = s };
	b.nblocks = (count + BLOCK - 1) / BLOCK;
	b.blocks = calloc(b.nblocks + 1, sizeof *b.blocks);
	atomic_init(&b.next, 0);
	if (!b.blocks || pthread_mutex_init(&b.mu, NULL)) {
		free(b.blocks);
		s->rc = EXIT_FAIL;
		return 0;
	}
	for (size_t i = 0; i < b.nblocks; i++) {
		if (part_init(&b.blocks[i].part, n, phase))
			s->rc = EXIT_FAIL;
	}
	pthread_t tid[16];
	int started = 0;
	for (int t = 1; t < threads && t < 16 && !s->rc; t++) {
		if (pthread_create(&tid[started], NULL, worker, &b))
			break;
		started++;
	}
	if (!s->rc)
		worker(&b);
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	/* Blocks left by a stop or a failure: merged and freed, not written. */
	for (size_t i = b.flushed; i < b.nblocks; i++) {
		if (!s->rc)
			s->rc = stage_stop ? EXIT_INTERRUPTED : EXIT_FAIL;
		flush_block(&b, &b.blocks[i]);
	}
	pthread_mutex_destroy(&b.mu);
	free(b.blocks);
	if (!s->rc && b.written != count)
		s->rc = stage_stop ? EXIT_INTERRUPTED : EXIT_FAIL;
	return b.written;
}

/* ---- the run ---- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_mb(void)
{
	long a = 0, b = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld", &a, &b) != 2)
			b = 0;
		fclose(f);
	}
	return b * 4096 / 1048576;
}

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* -v shows where the time goes (wall, and CPU of all threads). */
#define PHASE(name) do { \
		double t_ = now_s(), c_ = cpu_s(); \
		log_debug("%-10s %.3f s wall %.3f s cpu %ld MB", name, t_ - t_phase, c_ - c_phase, rss_mb()); \
		t_phase = t_; \
		c_phase = c_; \
	} while (0)

/* Writes the record the generator holds, and notes it for the changes. */
static void put(struct norm *n, struct sink *s, const char *type, const char *id)
{
	const unsigned char *buf;
	size_t len;
	char key[96];
	yajl_gen_get_buf(n->g, &buf, &len);
	if (!s->rc && stage_writer_put_line(&s->w, (const char *)buf, len))
		s->rc = EXIT_OUTPUT;
	if (!s->rc) {
		join2(key, sizeof key, type, ':', id);
		changes_add(s->chg, key, (const char *)buf, len, s->offset);
	}
	s->offset += (long)len + 1;
	yajl_gen_clear(n->g);
	yajl_gen_reset(n->g, NULL);
}

static int index_pages(struct norm *n)
{
	/* Each list its own size: fresh memory is what costs here. */
	size_t cap[IN_GONE + 1] = { 0 };
	for (size_t i = 0; i < n->in.n; i++)
		if (n->in.pages[i]->entity_id)
			cap[n->in.pages[i]->kind]++;
	n->works = calloc(cap[IN_WORK] + 1, sizeof *n->works);
	n->people = calloc(cap[IN_PERSON] + 1, sizeof *n->people);
	n->gone = calloc(cap[IN_GONE] + 1, sizeof *n->gone);
	if (!n->works || !n->people || !n->gone)
		return -1;
	for (size_t i = 0; i < n->in.n; i++) {
		const struct in_page *pg = n->in.pages[i];
		if (!pg->entity_id)
			continue;
		struct idx x = make_idx(pg->entity_id, pg);
		switch (pg->kind) {
		case IN_WORK: n->works[n->nworks++] = x; break;
		case IN_PERSON: n->people[n->npeople++] = x; break;
		case IN_GONE: n->gone[n->ngone++] = x; break;
		case IN_CHARACTER: {
			char *t = clean(pg->title);
			if (t)
				note_character(n, pg->entity_id, t, pg->url);
			free(t);
			break;
		}
		default: break;
		}
	}
	qsort(n->works, n->nworks, sizeof *n->works, cmp_idx);
	long long top = 0;
	bool direct = n->nworks > 0 && n->nworks < UINT32_MAX;
	for (size_t i = 0; direct && i < n->nworks; i++) {
		direct = n->works[i].exact && n->works[i].type == n->works[0].type;
		if (n->works[i].num > top)
			top = n->works[i].num;
	}
	/* (a table at most a few times the works' list: ids run from 1) */
	if (direct && top < 8 * (long long)n->nworks + 65536 &&
	    (n->work_at = calloc((size_t)top + 1, sizeof *n->work_at))) {
		for (size_t i = 0; i < n->nworks; i++)
			n->work_at[n->works[i].num] = (uint32_t)(i + 1);
		n->work_at_n = top + 1;
		n->work_type = n->works[0].type;
	}
	qsort(n->people, n->npeople, sizeof *n->people, cmp_idx);
	qsort(n->gone, n->ngone, sizeof *n->gone, cmp_idx);
	return 0;
}

struct prev_job {
	const char *path;
	struct changes *chg;
};

/* fsync of the output, on a thread of its own. */
struct sync_job {
	int fd;
	int err;
};

static void *sync_output(void *arg)
{
	struct sync_job *j = arg;
	if (fdatasync(j->fd))
		j->err = errno;
	return NULL;
}

struct changes_job {
	struct changes *c;
	FILE *fp;
	const char *path;
	json_t *out;
};

static void *changes_run(void *arg)
{
	struct changes_job *j = arg;
	j->out = changes_finish(j->c, j->fp, j->path);
	return NULL;
}

static void *read_previous(void *arg)
{
	struct prev_job *pj = arg;
	pj->chg = changes_open(pj->path, NORM_FORMAT);
	return NULL;
}

static int normalize_run(struct stage_ctx *ctx)
{
	/* Static: after a run that succeeded, the process ends next, and the
	 * state (some 200,000 small objects at 20,000 pages) is left to the
	 * kernel instead of being freed one by one; kept reachable from here,
	 * it is not a leak to valgrind or LeakSanitizer. */
	static struct norm n;
	struct sink s;
	char *in = fs_join(ctx->work_dir, "parsed.jsonl");
	char *out = fs_join(ctx->work_dir, "normalized.jsonl");
	char *roles = config_path(&ctx->cfg, "normalize", "roles");
	char *ovpath = config_path(&ctx->cfg, "normalize", "overrides");
	static struct idx *all;  /* every person, sorted as cmp_idx */
	static json_t *report;   /* (as n: left to the kernel after a success;
				  * freeing its 300,000 values took 10 ms) */
	size_t nall = 0;
	int rc = EXIT_OK;
	unsigned long nw = 0, np = 0, ng = 0, nm = 0, ncred = 0;
	bool writing = false;

	double t_phase = now_s(), c_phase = cpu_s();
	/* Memory is taken once and kept: glibc would otherwise hand freed
	 * memory back to the kernel and fault it in again, and grow each
	 * thread's heap a few pages at a time (thousands of mprotect calls). */
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
	mallopt(M_TOP_PAD, 16 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	{
		const char *t = getenv("GLIBC_TUNABLES");
		log_debug("malloc's heaps: GLIBC_TUNABLES=%s", t ? t : "(not set)");
	}
	memset(&n, 0, sizeof n);
	memset(&s, 0, sizeof s);
	xmlInitParser();
	n.order = (enum date_order)date_order_parse(config_str(&ctx->cfg, "normalize", "date_order"));
	json_t **objs[] = { &n.redirect, &n.redirect_by, &n.merged_from,
			    &n.role_cache, &n.char_names, &n.credited_in,
			    &n.unmapped, &n.role_counts };
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
	long jobs = config_int(&ctx->cfg, "normalize", "jobs");
	if (jobs <= 0)
		jobs = sysconf(_SC_NPROCESSORS_ONLN);
	int threads = jobs > 0 ? (int)(jobs < 16 ? jobs : 16) : 1;
	if (input_read(&n.in, in, "animewiki-parsed", 2, threads)) {
		rc = EXIT_INPUT;
		goto cleanup;
	}
	PHASE("read");
	if (index_pages(&n) || !(n.g = yajl_gen_alloc(NULL))) {
		log_error("out of memory");
		rc = EXIT_FAIL;
		goto cleanup;
	}
	PHASE("index");
	/* The previous output's hashes are read while the forms are collected. */
	struct prev_job pj = { out, NULL };
	struct bg prev;
	bg_start(&prev, read_previous, &pj);
	if (collect_forms(&n, threads)) {
		log_error("out of memory");
		rc = EXIT_FAIL;
		bg_wait(&prev);
		changes_free(pj.chg);
		goto cleanup;
	}
	PHASE("forms");
	bg_wait(&prev);
	if (!(s.chg = pj.chg)) {
		rc = EXIT_OUTPUT;
		goto cleanup;
	}
	if (stage_writer_open(&s.w, out, NORM_FORMAT, NORM_VERSION, NULL)) {
		rc = EXIT_OUTPUT;
		goto cleanup;
	}
	writing = true;
	s.offset = ftell(s.w.af.fp);

	PHASE("previous");
	nw = run_phase(&n, &s, PH_WORKS, NULL, n.nworks, threads);
	PHASE("works");
	ncred = 0;
	json_t *rc_v;
	const char *k;
	json_object_foreach(n.role_counts, k, rc_v)
		ncred += (unsigned long)json_integer_value(rc_v);
	/* Every person, once: those with a page, and those only credited. */
	all = malloc((n.npeople + n.forms.n + 1) * sizeof *all);
	const char **ids = malloc((n.npeople + n.forms.n + 1) * sizeof *ids);
	if (!all || !ids) {
		free(ids);
		log_error("out of memory");
		rc = EXIT_FAIL;
		goto cleanup;
	}
	for (size_t i = 0; i < n.npeople; i++)
		all[nall++] = make_idx(resolve(&n, n.people[i].id), NULL);
	for (size_t i = 0; i < n.forms.n; i++)
		all[nall++] = make_idx(n.forms.p[i].pid, NULL);
	qsort(all, nall, sizeof *all, cmp_idx);
	size_t cnt = 0, keep = 0;
	for (size_t i = 0; i < nall; i++)
		if (!cnt || cmp_idx(&all[cnt - 1], &all[i]))
			all[cnt++] = all[i];
	nall = cnt;
	for (size_t i = 0; i < nall; i++)   /* a gone page no credit names: a gone record */
		if (!find(n.gone, n.ngone, all[i].id) || formset_get(&n.forms, all[i].id))
			ids[keep++] = all[i].id;
	if (!s.rc)
		np = run_phase(&n, &s, PH_PEOPLE, ids, keep, threads);
	free(ids);
	PHASE("people");
	/* People merged away by the overrides: a record each, so that load
	 * removes them and keeps where they went. */
	const char **mids = sorted_keys(n.redirect, &cnt);
	for (size_t i = 0; i < cnt && !s.rc && !stage_stop; i++) {
		const char *into = json_str(n.redirect, mids[i]);
		json_t *by = json_object_get(n.redirect_by, mids[i]);
		if (!n.ov.v[json_integer_value(by)].used)
			continue;   /* the id appeared nowhere in this run */
		yajl_gen_map_open(n.g);
		o_str(n.g, "type", "merged");
		o_str(n.g, "person_id", mids[i]);
		o_str(n.g, "into", into);
		yajl_gen_map_close(n.g);
		put(&n, &s, "merged", mids[i]);
		nm++;
	}
	free(mids);
	for (size_t i = 0; i < n.ngone && !s.rc && !stage_stop; i++) {
		const struct in_page *g = n.gone[i].pg;
		if (formset_get(&n.forms, n.gone[i].id) || find_idx(all, nall, n.gone[i].id))
			continue; /* written as a person marked gone */
		yajl_gen_map_open(n.g);
		o_str(n.g, "type", "gone");
		o_str(n.g, "entity_id", n.gone[i].id);
		o_str(n.g, "url", g->url);
		o_int(n.g, "http_status", g->http_status, g->has_status);
		yajl_gen_map_close(n.g);
		put(&n, &s, "gone", n.gone[i].id);
		ng++;
	}
	rc = s.rc;
	if (rc || stage_stop) {
		if (!rc)
			rc = EXIT_INTERRUPTED;
		goto cleanup;
	}
	/* Everything written reaches the file now, so that a full disk is
	 * reported as what it is (changes_finish reads the file back). */
	if (fflush(s.w.af.fp) || atomic_file_trim(&s.w.af)) {
		log_error("cannot write '%s': %s", s.w.af.path, strerror(errno));
		rc = EXIT_OUTPUT;
		goto cleanup;
	}
	/* The output is synced while the report is made; the report's files
	 * are synced too, and all of them get their names at the end. */
	struct sync_job sj = { fileno(s.w.af.fp), 0 };
	struct bg sync;
	bg_start(&sync, sync_output, &sj);
	/* What changed (the changed records read back) on a thread of its
	 * own, while this one lists conflicts and candidates. */
	struct changes_job cj = { s.chg, s.w.af.fp, s.w.af.tmp, NULL };
	struct bg chg;
	bg_start(&chg, changes_run, &cj);
	character_conflicts(&n);
	json_t *cand = build_candidates(&n);
	PHASE("candidates");
	bg_wait(&chg);
	PHASE("changes");
	report = build_report(&n, nw, np, ng, ncred, cand, cj.out);
	struct report_files *rf = report_prepare(report, ctx->work_dir);
	bg_wait(&sync);
	PHASE("report");
	if (sj.err)
		log_error("cannot write '%s': %s", out, strerror(sj.err));
	if (!rf || sj.err) {
		report_abort(rf);
		rc = EXIT_OUTPUT;
		goto cleanup;
	}
	writing = false;
	if (stage_writer_commit(&s.w)) {
		report_abort(rf);
		rc = EXIT_OUTPUT;
		goto cleanup;
	}
	log_info("normalized %lu works, %lu people, %lu gone, %lu merged away into '%s'",
		 nw, np, ng, nm, out);
	stage_count(ctx, "works", nw); stage_count(ctx, "people", np); stage_count(ctx, "credits", ncred); stage_count(ctx, "gone", ng);
	for (size_t i = 0; i < n.ov.n; i++)
		if (!n.ov.v[i].used)
			log_warn("%s:%u: this override decided nothing (no such person, name "
				 "or pair in this run)", n.ov.path, n.ov.v[i].line);
	if (report_commit(rf))
		rc = EXIT_OUTPUT;
	PHASE("commit");

cleanup:
	if (writing)
		stage_writer_abort(&s.w);
	changes_free(s.chg);
	free(in);
	free(out);
	free(roles);
	free(ovpath);
	if (rc == EXIT_OK) {
		PHASE("free");
		return rc;
	}
	if (n.g)
		yajl_gen_free(n.g);
	free(all);
	all = NULL;
	json_decref(report);
	report = NULL;
	role_map_free(n.roles);
	overrides_free(&n.ov);
	for (size_t i = 0; i < sizeof objs / sizeof *objs; i++)
		json_decref(*objs[i]);
	formset_free(&n.forms);
	for (int t = 0; t < n.nindex; t++) {
		json_decref(n.name_index[t]);
		json_decref(n.name_shared[t]);
	}
	json_decref(n.problems);
	json_decref(n.merges);
	json_decref(n.review);
	json_decref(n.conflicts);
	for (size_t i = 0; i < n.nrules; i++)
		for (int e = 0; e < n.rules[i].nex; e++)
			free(n.rules[i].ex[e]);
	for (size_t i = 0; i < n.nworks; i++)
		free(n.works[i].pids);
	free(n.works);
	free(n.work_at);
	free(n.people);
	free(n.gone);
	input_free(&n.in);
	xmlCleanupParser();
	PHASE("free");
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
	ctx->no_summary = explain_kind != NULL;
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
	static const char *const query_opts[] = { "explain", NULL };
	static const struct stage st = {
		.name = "normalize",
		.summary = "Clean names, dates, roles and titles; merge people; write the report.",
		.usage = "[OPTIONS]\n       normalize --explain KIND VALUE",
		.description =
			"Reads WORK/parsed.jsonl and writes WORK/normalized.jsonl (one record\n"
			"per work, person and gone entity, in id order) and the normalization\n"
			"report: WORK/report.html (one page that opens from disk), with the\n"
			"same data in report.json and report.tsv, and a digest in report.txt.",
		.opts = opts,
		.opt = normalize_opt,
		.query_opts = query_opts,   /* --explain needs no lock */
		.run = normalize_main,
		.positional = true,
	};
	hugeheap_reexec(argv);
	return stage_main(&st, argc, argv);
}
