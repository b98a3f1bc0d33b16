/*
 * report: renders the normalization report as HTML (libxml2's text
 * writer, which escapes every string), JSON, TSV and text. See report.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/xmlwriter.h>
#include <yajl/yajl_gen.h>

#include "buf.h"
#include "fsutil.h"
#include "jsonout.h"
#include "log.h"
#include "stagefile.h"

#define BAD_STR(s) ((const xmlChar *)(s))

static json_int_t count_of(const json_t *rep, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(rep, "counts"), key));
}

static json_int_t change_count(const json_t *rep, const char *type, const char *what)
{
	const json_t *c = json_object_get(json_object_get(rep, "changes"), "counts");
	return json_integer_value(json_object_get(json_object_get(c, type), what));
}

static bool has_previous(const json_t *rep)
{
	return json_is_true(json_object_get(json_object_get(rep, "changes"), "previous"));
}

/* ---- HTML ---- */

struct html {
	xmlTextWriterPtr w;
};

static void el(struct html *h, const char *name)
{
	xmlTextWriterStartElement(h->w, BAD_STR(name));
}

static void end(struct html *h)
{
	xmlTextWriterFullEndElement(h->w);
}

static void attr(struct html *h, const char *name, const char *value)
{
	xmlTextWriterWriteAttribute(h->w, BAD_STR(name), BAD_STR(value));
}

static void attrf(struct html *h, const char *name, const char *fmt, double v)
{
	char b[64];
	snprintf(b, sizeof b, fmt, v);
	attr(h, name, b);
}

static void text(struct html *h, const char *s)
{
	if (s)
		xmlTextWriterWriteString(h->w, BAD_STR(s));
}

static void textf(struct html *h, const char *fmt, long long v)
{
	char b[64];
	snprintf(b, sizeof b, fmt, v);
	text(h, b);
}

static void leaf(struct html *h, const char *name, const char *s)
{
	el(h, name);
	text(h, s);
	end(h);
}

static void td(struct html *h, const char *s)
{
	leaf(h, "td", s ? s : "");
}

static void td_num(struct html *h, long long v)
{
	el(h, "td");
	attr(h, "class", "num");
	textf(h, "%lld", v);
	end(h);
}

static void td_link(struct html *h, const char *url)
{
	el(h, "td");
	if (url && *url) {
		el(h, "a");
		attr(h, "href", url);
		text(h, url);
		end(h);
	}
	end(h);
}

/* A table with these column heads, open at its body. */
static void table_open(struct html *h, const char *const *cols)
{
	el(h, "table");
	el(h, "thead");
	el(h, "tr");
	for (; *cols; cols++)
		leaf(h, "th", *cols);
	end(h);
	end(h);
	el(h, "tbody");
}

static void more(struct html *h, size_t n);

/* Closes table_open's table of n items (it shows REPORT_HTML_ROWS). */
static void table_close(struct html *h, size_t n)
{
	end(h);
	end(h);
	more(h, n);
}

static void section(struct html *h, const char *id, const char *title, size_t n,
		    const char *what)
{
	el(h, "section");
	attr(h, "id", id);
	el(h, "h2");
	text(h, title);
	if (what) {
		el(h, "span");
		attr(h, "class", "n");
		char b[96];
		snprintf(b, sizeof b, " %zu %s", n, what);
		text(h, b);
		end(h);
	}
	end(h);
}

static void more(struct html *h, size_t n)
{
	if (n > REPORT_HTML_ROWS) {
		el(h, "p");
		attr(h, "class", "more");
		char b[160];
		snprintf(b, sizeof b, "%zu more rows in report.json and report.tsv.",
			 n - REPORT_HTML_ROWS);
		text(h, b);
		end(h);
	}
}

static void empty(struct html *h, const char *msg)
{
	el(h, "p");
	attr(h, "class", "none");
	text(h, msg);
	end(h);
}

struct bar {
	const char *label;
	long long value;
	const char *cls;
};

/* A horizontal bar chart as inline SVG, one bar per item. */
static void bar_chart(struct html *h, const char *title, const struct bar *bars, size_t n)
{
	const double lw = 190, bw = 420, rh = 20, top = 26;
	long long max = 1;
	for (size_t i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	el(h, "figure");
	el(h, "svg");
	attr(h, "xmlns", "http://www.w3.org/2000/svg");
	attr(h, "role", "img");
	attr(h, "class", "chart");
	attrf(h, "width", "%.0f", lw + bw + 80);
	attrf(h, "height", "%.0f", top + rh * (double)n + 6);
	attr(h, "aria-label", title);
	el(h, "text");
	attr(h, "x", "0");
	attr(h, "y", "16");
	attr(h, "class", "title");
	text(h, title);
	end(h);
	for (size_t i = 0; i < n; i++) {
		double y = top + rh * (double)i;
		double wpx = bars[i].value > 0 ? bw * (double)bars[i].value / (double)max : 0;
		if (bars[i].value > 0 && wpx < 1)
			wpx = 1;
		el(h, "text");
		attrf(h, "x", "%.0f", lw - 6);
		attrf(h, "y", "%.0f", y + 14);
		attr(h, "text-anchor", "end");
		text(h, bars[i].label);
		end(h);
		el(h, "rect");
		attrf(h, "x", "%.0f", lw);
		attrf(h, "y", "%.0f", y + 3);
		attrf(h, "width", "%.1f", wpx);
		attrf(h, "height", "%.0f", rh - 6);
		attr(h, "class", bars[i].cls ? bars[i].cls : "bar");
		el(h, "title");
		char b[200];
		snprintf(b, sizeof b, "%s: %lld", bars[i].label, bars[i].value);
		text(h, b);
		end(h);
		end(h);
		el(h, "text");
		attrf(h, "x", "%.0f", lw + wpx + 4);
		attrf(h, "y", "%.0f", y + 14);
		attr(h, "class", "val");
		textf(h, "%lld", bars[i].value);
		end(h);
	}
	end(h);
	end(h);
}

static const char *CSS =
	"body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}"
	"h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}"
	"h2 .n{font-weight:normal;color:#666;font-size:.8em}"
	"table{border-collapse:collapse;width:100%;margin:.5em 0}"
	"th,td{border-bottom:1px solid #eee;padding:.25em .5em;text-align:left;vertical-align:top}"
	"th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}"
	"nav a{margin-right:1em}.none{color:#666;font-style:italic}.more{color:#666}"
	".cards{display:flex;flex-wrap:wrap;gap:.75em}.card{border:1px solid #ddd;border-radius:6px;"
	"padding:.5em 1em;min-width:8em}.card b{display:block;font-size:1.4em}"
	".card.warn b{color:#b45309}svg.chart text{font-size:12px;fill:#333}"
	"svg.chart text.title{font-weight:bold}rect.bar{fill:#4477aa}rect.other{fill:#cc6677}"
	"rect.add{fill:#228833}rect.chg{fill:#ccbb44}rect.rem{fill:#ee6677}"
	"figure{margin:1em 0}code{background:#f4f4f4;padding:0 .2em}";

static void card(struct html *h, const char *label, long long v, bool warn, const char *href)
{
	el(h, "a");
	attr(h, "href", href);
	attr(h, "class", warn && v ? "card warn" : "card");
	el(h, "b");
	textf(h, "%lld", v);
	end(h);
	text(h, label);
	end(h);
}

static int cmp_bar(const void *a, const void *b)
{
	const struct bar *x = a, *y = b;
	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	return strcmp(x->label, y->label);
}

static void html_changes(struct html *h, const json_t *rep)
{
	const json_t *ch = json_object_get(rep, "changes");
	const json_t *items = json_object_get(ch, "items");
	section(h, "changes", "Changes since the previous run", json_array_size(items), "records");
	if (!has_previous(rep)) {
		empty(h, "No previous run: this is the first normalized.jsonl in this work directory.");
		end(h);
		return;
	}
	struct bar bars[] = {
		{ "works added", change_count(rep, "work", "added"), "add" },
		{ "works changed", change_count(rep, "work", "changed"), "chg" },
		{ "works removed", change_count(rep, "work", "removed"), "rem" },
		{ "people added", change_count(rep, "person", "added"), "add" },
		{ "people changed", change_count(rep, "person", "changed"), "chg" },
		{ "people removed", change_count(rep, "person", "removed"), "rem" },
		{ "credits added", change_count(rep, "credit", "added"), "add" },
		{ "credits removed", change_count(rep, "credit", "removed"), "rem" },
	};
	bar_chart(h, "Changes since the previous run", bars, sizeof bars / sizeof *bars);
	if (!json_array_size(items)) {
		empty(h, "Nothing changed.");
		end(h);
		return;
	}
	static const char *const cols[] = { "change", "kind", "id", "title or name",
					    "fields changed", "credits +/-", NULL };
	table_open(h, cols);
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		if (i >= REPORT_HTML_ROWS)
			break;
		el(h, "tr");
		td(h, json_str(it, "change"));
		td(h, json_str(it, "type"));
		td(h, json_str(it, "id"));
		td(h, json_str(it, "label"));
		struct buf f;
		buf_init(&f, 0);
		size_t k;
		json_t *fv;
		json_array_foreach(json_object_get(it, "fields"), k, fv) {
			buf_adds(&f, k ? ", " : "");
			buf_adds(&f, json_string_value(fv));
		}
		td(h, f.data ? f.data : "");
		buf_free(&f);
		if (json_object_get(it, "credits_added")) {
			char b[64];
			snprintf(b, sizeof b, "+%lld / -%lld",
				 (long long)json_integer_value(json_object_get(it, "credits_added")),
				 (long long)json_integer_value(json_object_get(it, "credits_removed")));
			td(h, b);
		} else {
			td(h, "");
		}
		end(h);
	}
	table_close(h, json_array_size(items));
	end(h);
}

static void html_problems(struct html *h, const json_t *rep)
{
	const json_t *pr = json_object_get(rep, "problems");
	section(h, "problems", "Values not understood", json_array_size(pr), "values");
	if (!json_array_size(pr)) {
		empty(h, "Every value was understood.");
	} else {
		el(h, "p");
		text(h, "Each was kept as written (dates and runtimes in their *_raw column) "
			"and its normalized column left NULL; an ambiguous date was read by "
			"[normalize] date_order.");
		end(h);
		static const char *const cols[] = { "field", "value", "why", "page", NULL };
		table_open(h, cols);
		size_t i;
		json_t *p;
		json_array_foreach(pr, i, p) {
			if (i >= REPORT_HTML_ROWS)
				break;
			el(h, "tr");
			td(h, json_str(p, "field"));
			el(h, "td");
			el(h, "code");
			text(h, json_str(p, "value"));
			end(h);
			end(h);
			td(h, json_str(p, "why"));
			td_link(h, json_str(p, "url"));
			end(h);
		}
		table_close(h, json_array_size(pr));
	}
	end(h);
}

static void html_roles(struct html *h, const json_t *rep)
{
	const json_t *roles = json_object_get(rep, "roles"), *un = json_object_get(rep, "unmapped_roles");
	size_t n = json_array_size(roles), i;
	json_t *r;
	section(h, "roles", "Roles", json_array_size(un), "role texts mapped to other");
	if (n) {
		struct bar *bars = calloc(n, sizeof *bars);
		json_array_foreach(roles, i, r) {
			bars[i].label = json_str(r, "role");
			bars[i].value = json_integer_value(json_object_get(r, "credits"));
			bars[i].cls = strcmp(bars[i].label, "other") ? "bar" : "other";
		}
		qsort(bars, n, sizeof *bars, cmp_bar);
		bar_chart(h, "Credits by role", bars, n);
		free(bars);
	}
	if (!json_array_size(un)) {
		empty(h, "Every role text maps to a role of the database.");
	} else {
		el(h, "p");
		text(h, "These role texts map to no role and became 'other'. Add a line "
			"\"text<TAB>role\" to the role mapping file ([normalize] roles) and "
			"rerun normalize.");
		end(h);
		size_t m = json_array_size(un);
		struct bar *rows = calloc(m, sizeof *rows);
		json_array_foreach(un, i, r) {
			rows[i].label = json_str(r, "role");
			rows[i].value = json_integer_value(json_object_get(r, "count"));
		}
		qsort(rows, m, sizeof *rows, cmp_bar);
		static const char *const cols[] = { "role text", "credits", NULL };
		table_open(h, cols);
		for (i = 0; i < m && i < REPORT_HTML_ROWS; i++) {
			el(h, "tr");
			td(h, rows[i].label);
			td_num(h, rows[i].value);
			end(h);
		}
		table_close(h, m);
		free(rows);
	}
	end(h);
}

static void html_merges(struct html *h, const json_t *rep)
{
	const json_t *m = json_object_get(rep, "merges");
	section(h, "merges", "Names merged", json_array_size(m), "credits");
	if (!json_array_size(m)) {
		empty(h, "No unlinked credit was joined to a person.");
	} else {
		el(h, "p");
		text(h, "Credits without a link, joined to a person because their name key "
			"matches exactly one person's names, or because an overrides line says so. "
			"A wrong one: add \"separate PERSON NAME\" to the overrides file.");
		end(h);
		static const char *const cols[] = { "credited as", "person", "name key", "evidence",
						    "page", NULL };
		table_open(h, cols);
		size_t i;
		json_t *x;
		json_array_foreach(m, i, x) {
			if (i >= REPORT_HTML_ROWS)
				break;
			el(h, "tr");
			td(h, json_str(x, "name"));
			td(h, json_str(x, "person_id"));
			td(h, json_str(x, "key"));
			td(h, json_str(x, "evidence"));
			td_link(h, json_str(x, "url"));
			end(h);
		}
		table_close(h, json_array_size(m));
	}
	end(h);
}

static void join_into(struct buf *b, const json_t *arr, const char *sep)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (i)
			buf_adds(b, sep);
		buf_adds(b, json_is_string(v) ? json_string_value(v) : "?");
	}
	buf_addc(b, '\0');
}

static void html_candidates(struct html *h, const json_t *rep)
{
	const json_t *c = json_object_get(rep, "candidates"), *rv = json_object_get(rep, "review");
	section(h, "candidates", "Candidate duplicates, not merged", json_array_size(c), "groups");
	el(h, "p");
	text(h, "Different site people whose names share a key. Two people can share a "
		"name, so normalize never merges them on the name alone. Same person: add "
		"\"merge KEEP OTHER\" to the overrides file; different people: \"separate A B\".");
	end(h);
	if (!json_array_size(c)) {
		empty(h, "No two people share a name key.");
	} else {
		static const char *const cols[] = { "name key", "people", "names", "status", NULL };
		table_open(h, cols);
		size_t i;
		json_t *x;
		json_array_foreach(c, i, x) {
			if (i >= REPORT_HTML_ROWS)
				break;
			struct buf ids, names;
			buf_init(&ids, 0);
			buf_init(&names, 0);
			join_into(&ids, json_object_get(x, "person_ids"), ", ");
			join_into(&names, json_object_get(x, "names"), " | ");
			el(h, "tr");
			td(h, json_str(x, "key"));
			td(h, ids.data);
			td(h, names.data);
			td(h, json_str(x, "status"));
			end(h);
			buf_free(&ids);
			buf_free(&names);
		}
		table_close(h, json_array_size(c));
	}
	el(h, "h3");
	text(h, "Unlinked credits left apart");
	end(h);
	if (!json_array_size(rv)) {
		empty(h, "None.");
	} else {
		static const char *const cols[] = { "credited as", "matching people", "why", "page", NULL };
		table_open(h, cols);
		size_t i;
		json_t *x;
		json_array_foreach(rv, i, x) {
			if (i >= REPORT_HTML_ROWS)
				break;
			struct buf ids;
			buf_init(&ids, 0);
			join_into(&ids, json_object_get(x, "person_ids"), ", ");
			el(h, "tr");
			td(h, json_str(x, "name"));
			td(h, ids.data);
			td(h, json_str(x, "why"));
			td_link(h, json_str(x, "url"));
			end(h);
			buf_free(&ids);
		}
		table_close(h, json_array_size(rv));
	}
	end(h);
}

static void html_conflicts(struct html *h, const json_t *rep)
{
	const json_t *c = json_object_get(rep, "conflicts");
	section(h, "conflicts", "Conflicts between pages", json_array_size(c), "conflicts");
	if (!json_array_size(c)) {
		empty(h, "No two pages disagree.");
	} else {
		el(h, "p");
		text(h, "Pages that say different things about one entity. The first value "
			"is the one kept; fix the wiki page, or the overrides file.");
		end(h);
		static const char *const cols[] = { "entity", "field", "values (page)", NULL };
		table_open(h, cols);
		size_t i;
		json_t *x;
		json_array_foreach(c, i, x) {
			if (i >= REPORT_HTML_ROWS)
				break;
			el(h, "tr");
			td(h, json_str(x, "entity_id"));
			td(h, json_str(x, "field"));
			el(h, "td");
			el(h, "ul");
			size_t k;
			json_t *v;
			json_array_foreach(json_object_get(x, "values"), k, v) {
				el(h, "li");
				el(h, "code");
				text(h, json_str(v, "value"));
				end(h);
				if (json_str(v, "url") && *json_str(v, "url")) {
					text(h, " ");
					el(h, "a");
					attr(h, "href", json_str(v, "url"));
					text(h, json_str(v, "url"));
					end(h);
				}
				end(h);
			}
			end(h);
			end(h);
			end(h);
		}
		table_close(h, json_array_size(c));
	}
	end(h);
}

static void html_overrides(struct html *h, const json_t *rep)
{
	const json_t *o = json_object_get(rep, "overrides");
	section(h, "overrides", "Overrides applied", json_array_size(o), "lines");
	if (!json_array_size(o)) {
		empty(h, "The overrides file has no lines.");
	} else {
		static const char *const cols[] = { "line", "action", "person", "other or name",
						    "decided something", NULL };
		table_open(h, cols);
		size_t i;
		json_t *x;
		json_array_foreach(o, i, x) {
			el(h, "tr");
			char b[600];
			snprintf(b, sizeof b, "%s:%lld", json_str(x, "file"),
				 (long long)json_integer_value(json_object_get(x, "line")));
			td(h, b);
			td(h, json_str(x, "action"));
			td(h, json_str(x, "person"));
			td(h, json_str(x, "other"));
			td(h, json_is_true(json_object_get(x, "used")) ? "yes" : "no: nothing matched");
			end(h);
		}
		end(h);
		end(h);
	}
	end(h);
}

static void html_rules(struct html *h, const json_t *rep)
{
	const json_t *r = json_object_get(rep, "rules");
	size_t i, nd = 0;
	json_t *x;
	section(h, "rules", "Rules applied", json_array_size(r), "rules");
	struct bar dates[32];
	json_array_foreach(r, i, x)
		if (!strcmp(json_str(x, "kind"), "date") && nd < 32) {
			dates[nd].label = json_str(x, "rule");
			dates[nd].value = json_integer_value(json_object_get(x, "count"));
			dates[nd].cls = strstr(dates[nd].label, "ambiguous") ||
					!strcmp(dates[nd].label, "unparsed") ? "other" : "bar";
			nd++;
		}
	if (nd) {
		qsort(dates, nd, sizeof *dates, cmp_bar);
		bar_chart(h, "Dates by the form they were written in", dates, nd);
	}
	static const char *const cols[] = { "kind", "rule", "count", "examples", NULL };
	table_open(h, cols);
	json_array_foreach(r, i, x) {
		struct buf ex;
		buf_init(&ex, 0);
		join_into(&ex, json_object_get(x, "examples"), " | ");
		el(h, "tr");
		td(h, json_str(x, "kind"));
		td(h, json_str(x, "rule"));
		td_num(h, json_integer_value(json_object_get(x, "count")));
		td(h, ex.data);
		end(h);
		buf_free(&ex);
	}
	end(h);
	end(h);
	end(h);
}

struct report_job;
static int job_put(struct report_job *j, const void *data, size_t len);

static int write_html(const json_t *rep, struct report_job *j)
{
	xmlBufferPtr xb = xmlBufferCreate();
	struct html h = { xmlNewTextWriterMemory(xb, 0) };
	int rc = 0;

	if (!xb || !h.w) {
		xmlBufferFree(xb);
		errno = ENOMEM;
		return -1;
	}
	xmlTextWriterWriteRaw(h.w, BAD_STR("<!DOCTYPE html>\n"));
	el(&h, "html");
	attr(&h, "lang", "en");
	el(&h, "head");
	el(&h, "meta");
	attr(&h, "charset", "utf-8");
	end(&h);
	/* Opened from disk, it must fetch nothing: no script, no remote. */
	el(&h, "meta");
	attr(&h, "http-equiv", "Content-Security-Policy");
	attr(&h, "content", "default-src 'none'; style-src 'unsafe-inline'");
	end(&h);
	leaf(&h, "title", "Normalization report");
	leaf(&h, "style", CSS);
	end(&h);
	el(&h, "body");
	leaf(&h, "h1", "Normalization report");
	el(&h, "div");
	attr(&h, "class", "cards");
	card(&h, "works", count_of(rep, "works"), false, "#rules");
	card(&h, "people", count_of(rep, "people"), false, "#rules");
	card(&h, "credits", count_of(rep, "credits"), false, "#roles");
	card(&h, "values not understood", count_of(rep, "problems"), true, "#problems");
	card(&h, "role texts unmapped", count_of(rep, "unmapped_roles"), true, "#roles");
	card(&h, "names merged", count_of(rep, "merges"), false, "#merges");
	card(&h, "candidate duplicates", count_of(rep, "candidates"), true, "#candidates");
	card(&h, "conflicts", count_of(rep, "conflicts"), true, "#conflicts");
	end(&h);
	el(&h, "nav");
	static const char *const nav[][2] = {
		{ "#changes", "Changes" }, { "#problems", "Not understood" }, { "#roles", "Roles" },
		{ "#merges", "Merges" }, { "#candidates", "Candidates" },
		{ "#conflicts", "Conflicts" }, { "#overrides", "Overrides" }, { "#rules", "Rules" },
	};
	for (size_t i = 0; i < sizeof nav / sizeof *nav; i++) {
		el(&h, "a");
		attr(&h, "href", nav[i][0]);
		text(&h, nav[i][1]);
		end(&h);
	}
	end(&h);
	html_changes(&h, rep);
	html_problems(&h, rep);
	html_roles(&h, rep);
	html_merges(&h, rep);
	html_candidates(&h, rep);
	html_conflicts(&h, rep);
	html_overrides(&h, rep);
	html_rules(&h, rep);
	end(&h);
	end(&h);
	if (xmlTextWriterEndDocument(h.w) < 0)
		rc = -1;
	xmlFreeTextWriter(h.w);
	if (!rc) {
		xmlBufferAdd(xb, BAD_STR("\n"), 1);
		rc = job_put(j, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
	}
	xmlBufferFree(xb);
	return rc;
}

/* ---- TSV ---- */

/* A field of the TSV: tabs and line breaks become spaces. */
/* A field: its text as it is, but for tabs and line ends, made blanks
 * (in runs: a byte at a time was most of the file's time). */
static void tsv_field(struct buf *b, const char *s, bool last)
{
	while (s && *s) {
		size_t run = strcspn(s, "\t\n\r");
		buf_add(b, s, run);
		s += run;
		if (*s) {
			buf_addc(b, ' ');
			s++;
		}
	}
	buf_addc(b, last ? '\n' : '\t');
}

static void tsv_row(struct buf *b, const char *section, const char *id, const char *field,
		    const char *value, const char *detail, const char *url)
{
	tsv_field(b, section, false);
	tsv_field(b, id, false);
	tsv_field(b, field, false);
	tsv_field(b, value, false);
	tsv_field(b, detail, false);
	tsv_field(b, url, true);
}

static char *joined(const json_t *arr, const char *key, const char *sep)
{
	struct buf b;
	size_t i;
	json_t *v;
	buf_init(&b, 0);
	json_array_foreach(arr, i, v) {
		const char *s = key ? json_str(v, key) : json_string_value(v);
		if (i)
			buf_adds(&b, sep);
		buf_adds(&b, s ? s : "");
	}
	buf_addc(&b, '\0');
	return buf_detach(&b, NULL);
}

static void write_tsv(const json_t *rep, struct buf *b)
{
	size_t i;
	json_t *x;
	char num[32], *s1, *s2;

	tsv_row(b, "section", "id", "field", "value", "detail", "url");
	json_array_foreach(json_object_get(json_object_get(rep, "changes"), "items"), i, x) {
		s1 = joined(json_object_get(x, "fields"), NULL, ",");
		tsv_row(b, "change", json_str(x, "id"), json_str(x, "type"), json_str(x, "change"),
			s1, json_str(x, "label"));
		free(s1);
	}
	json_array_foreach(json_object_get(rep, "problems"), i, x)
		tsv_row(b, "problem", "", json_str(x, "field"), json_str(x, "value"),
			json_str(x, "why"), json_str(x, "url"));
	json_array_foreach(json_object_get(rep, "unmapped_roles"), i, x) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(x, "count")));
		tsv_row(b, "unmapped_role", "", json_str(x, "role"), num, "", "");
	}
	json_array_foreach(json_object_get(rep, "roles"), i, x) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(x, "credits")));
		tsv_row(b, "role", "", json_str(x, "role"), num, "", "");
	}
	json_array_foreach(json_object_get(rep, "merges"), i, x)
		tsv_row(b, "merge", json_str(x, "person_id"), json_str(x, "name"), json_str(x, "key"),
			json_str(x, "evidence"), json_str(x, "url"));
	json_array_foreach(json_object_get(rep, "candidates"), i, x) {
		s1 = joined(json_object_get(x, "person_ids"), NULL, ",");
		s2 = joined(json_object_get(x, "names"), NULL, " | ");
		tsv_row(b, "candidate", s1, json_str(x, "key"), s2, json_str(x, "status"), "");
		free(s1);
		free(s2);
	}
	json_array_foreach(json_object_get(rep, "review"), i, x) {
		s1 = joined(json_object_get(x, "person_ids"), NULL, ",");
		tsv_row(b, "review", s1, json_str(x, "name"), "", json_str(x, "why"), json_str(x, "url"));
		free(s1);
	}
	json_array_foreach(json_object_get(rep, "conflicts"), i, x) {
		s1 = joined(json_object_get(x, "values"), "value", " | ");
		s2 = joined(json_object_get(x, "values"), "url", " ");
		tsv_row(b, "conflict", json_str(x, "entity_id"), json_str(x, "field"), s1, "", s2);
		free(s1);
		free(s2);
	}
	json_array_foreach(json_object_get(rep, "overrides"), i, x) {
		char where[600];
		snprintf(where, sizeof where, "%s:%lld", json_str(x, "file"),
			 (long long)json_integer_value(json_object_get(x, "line")));
		tsv_row(b, "override", json_str(x, "person"), json_str(x, "action"),
			json_str(x, "other"), json_is_true(json_object_get(x, "used")) ? "used" : "unused",
			where);
	}
	json_array_foreach(json_object_get(rep, "rules"), i, x) {
		char kr[128];
		snprintf(kr, sizeof kr, "%s:%s", json_str(x, "kind"), json_str(x, "rule"));
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(x, "count")));
		s1 = joined(json_object_get(x, "examples"), NULL, " | ");
		tsv_row(b, "rule", "", kr, num, s1, "");
		free(s1);
	}
}

/* ---- text ---- */

static void summary_lines(const json_t *rep, struct buf *b)
{
	buf_addf(b, "%lld works, %lld people, %lld credits, %lld gone\n",
		 (long long)count_of(rep, "works"), (long long)count_of(rep, "people"),
		 (long long)count_of(rep, "credits"), (long long)count_of(rep, "gone"));
	buf_addf(b, "%lld values not understood, %lld role texts unmapped, %lld names merged, "
		 "%lld candidate duplicates, %lld conflicts between pages\n",
		 (long long)count_of(rep, "problems"), (long long)count_of(rep, "unmapped_roles"),
		 (long long)count_of(rep, "merges"), (long long)count_of(rep, "candidates"),
		 (long long)count_of(rep, "conflicts"));
	if (has_previous(rep))
		buf_addf(b, "since the previous run: works +%lld ~%lld -%lld, people +%lld ~%lld -%lld, "
			 "credits +%lld -%lld\n",
			 (long long)change_count(rep, "work", "added"),
			 (long long)change_count(rep, "work", "changed"),
			 (long long)change_count(rep, "work", "removed"),
			 (long long)change_count(rep, "person", "added"),
			 (long long)change_count(rep, "person", "changed"),
			 (long long)change_count(rep, "person", "removed"),
			 (long long)change_count(rep, "credit", "added"),
			 (long long)change_count(rep, "credit", "removed"));
	else
		buf_adds(b, "no previous run to compare with\n");
}

static void write_text(const json_t *rep, struct buf *t)
{
	size_t i;
	json_t *x;
	buf_adds(t, "Normalization report (report.html has it all, with charts)\n\n");
	summary_lines(rep, t);
	buf_adds(t, "\nRules applied:\n");
	json_array_foreach(json_object_get(rep, "rules"), i, x) {
		char kr[128];
		snprintf(kr, sizeof kr, "%s:%s", json_str(x, "kind"), json_str(x, "rule"));
		buf_addf(t, "  %-40s %7lld\n", kr,
			 (long long)json_integer_value(json_object_get(x, "count")));
	}
#define LIST(key, title, ...) do { \
		const json_t *a_ = json_object_get(rep, key); \
		if (json_array_size(a_)) { \
			buf_addf(t, "\n%s (%zu):\n", title, json_array_size(a_)); \
			json_array_foreach(a_, i, x) { \
				if (i >= REPORT_HTML_ROWS) { \
					buf_addf(t, "  ... %zu more in report.tsv\n", \
						 json_array_size(a_) - i); \
					break; \
				} \
				__VA_ARGS__; \
			} \
		} \
	} while (0)
	LIST("unmapped_roles", "Roles mapped to 'other' (add them to the role mapping file)",
	     buf_addf(t, "  %-40s %7lld\n", json_str(x, "role"),
		      (long long)json_integer_value(json_object_get(x, "count"))));
	LIST("problems", "Values not understood",
	     buf_addf(t, "  %s '%s': %s (%s)\n", json_str(x, "field"),
		      json_str(x, "value") ? json_str(x, "value") : "", json_str(x, "why"),
		      json_str(x, "url") ? json_str(x, "url") : "-"));
	LIST("merges", "Names merged",
	     buf_addf(t, "  '%s' -> %s: %s (%s)\n", json_str(x, "name"), json_str(x, "person_id"),
		      json_str(x, "evidence"), json_str(x, "url")));
	LIST("candidates", "Candidate duplicates, not merged", {
		char *ids = joined(json_object_get(x, "person_ids"), NULL, ", ");
		buf_addf(t, "  %s: %s (%s)\n", json_str(x, "key"), ids, json_str(x, "status"));
		free(ids);
	});
	LIST("conflicts", "Conflicts between pages", {
		char *vals = joined(json_object_get(x, "values"), "value", " | ");
		buf_addf(t, "  %s %s: %s\n", json_str(x, "entity_id"), json_str(x, "field"), vals);
		free(vals);
	});
#undef LIST
}

/* One of the four report files, written by its own thread. */
struct report_job {
	const json_t *rep;
	char *path;
	int (*write)(const json_t *rep, struct report_job *j);
	struct atomic_file af;   /* written and synced, renamed by the commit */
	bool staged;
	int err;                 /* errno of a failure, else 0 */
	pthread_t tid;
	bool started;
};

struct report_files {
	struct report_job jobs[4];
	char *summary;           /* the lines for the terminal */
};

/* Writes data under the job's temporary name and syncs it; the name it
 * is read by comes with report_commit. */
/* Writes a file's text to its temporary file and starts its writeback;
 * report_prepare syncs the four once all are written. */
static int job_put(struct report_job *j, const void *data, size_t len)
{
	if (atomic_file_open(&j->af, j->path))
		return -1;
	if ((len && fwrite(data, 1, len, j->af.fp) != len) || fflush(j->af.fp)) {
		int e = errno ? errno : EIO;
		atomic_file_abort(&j->af);
		errno = e;
		return -1;
	}
#ifdef SYNC_FILE_RANGE_WRITE
	sync_file_range(fileno(j->af.fp), 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
	j->staged = true;
	return 0;
}

/* v through YAJL's generator. Members in the object's order (jansson
 * keeps the order they were set in). An empty object or array is given
 * as "{}" or "[]" printed as they are (a number is), as json_dumps
 * writes them: YAJL's indenting would put a blank line between. */
static bool gen_json(yajl_gen g, const json_t *v)
{
	const char *k;
	const json_t *x;
	size_t i;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (!json_object_size(v))
			return yajl_gen_number(g, "{}", 2) == yajl_gen_status_ok;
		if (yajl_gen_map_open(g) != yajl_gen_status_ok)
			return false;
		json_object_foreach((json_t *)v, k, x)
			if (yajl_gen_string(g, (const unsigned char *)k, strlen(k)) != yajl_gen_status_ok ||
			    !gen_json(g, x))
				return false;
		return yajl_gen_map_close(g) == yajl_gen_status_ok;
	case JSON_ARRAY:
		if (!json_array_size(v))
			return yajl_gen_number(g, "[]", 2) == yajl_gen_status_ok;
		if (yajl_gen_array_open(g) != yajl_gen_status_ok)
			return false;
		json_array_foreach(v, i, x)
			if (!gen_json(g, x))
				return false;
		return yajl_gen_array_close(g) == yajl_gen_status_ok;
	case JSON_STRING:
		return jsonout_string(g, json_string_value(v), json_string_length(v)) ==
		       yajl_gen_status_ok;
	case JSON_INTEGER:
		return yajl_gen_integer(g, json_integer_value(v)) == yajl_gen_status_ok;
	case JSON_REAL:
		return yajl_gen_double(g, json_real_value(v)) == yajl_gen_status_ok;
	case JSON_TRUE:
	case JSON_FALSE:
		return yajl_gen_bool(g, json_is_true(v)) == yajl_gen_status_ok;
	default:
		return yajl_gen_null(g) == yajl_gen_status_ok;
	}
}

/* report.json: the bytes json_dumps writes with JSON_INDENT(1) (one
 * space per level, ": " after a key, no newline at the end), made by
 * YAJL's generator, which is several times faster (1.8 MB at 20,000
 * pages: 6 ms against 18 to 25): the report's longest file was the one
 * the others waited for. */
static int write_json_file(const json_t *rep, struct report_job *j)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *out;
	size_t len;
	int rc = -1;
	if (g && yajl_gen_config(g, yajl_gen_beautify, 1) &&
	    yajl_gen_config(g, yajl_gen_indent_string, " ") && gen_json(g, rep) &&
	    yajl_gen_get_buf(g, &out, &len) == yajl_gen_status_ok) {
		if (len && out[len - 1] == '\n')
			len--;   /* (YAJL ends the text with a newline) */
		rc = job_put(j, out, len);
	} else {
		errno = ENOMEM;
	}
	if (g)
		yajl_gen_free(g);
	return rc;
}

static int write_buf_file(const json_t *rep, struct report_job *j,
			  void (*fill)(const json_t *rep, struct buf *b))
{
	struct buf b;
	buf_init(&b, 0);
	fill(rep, &b);
	int rc = job_put(j, b.data, b.len) ? -1 : 0;
	buf_free(&b);
	return rc;
}

static int write_tsv_file(const json_t *rep, struct report_job *j)
{
	return write_buf_file(rep, j, write_tsv);
}

static int write_text_file(const json_t *rep, struct report_job *j)
{
	return write_buf_file(rep, j, write_text);
}

static void *report_job_run(void *arg)
{
	struct report_job *j = arg;
	errno = 0;
	if (j->write(j->rep, j)) {
		j->err = errno ? errno : EIO;
		if (j->staged)
			atomic_file_abort(&j->af);
		j->staged = false;
	}
	return NULL;
}

void report_abort(struct report_files *rf)
{
	if (!rf)
		return;
	for (size_t i = 0; i < 4; i++) {
		if (rf->jobs[i].staged)
			atomic_file_abort(&rf->jobs[i].af);
		free(rf->jobs[i].path);
	}
	free(rf->summary);
	free(rf);
}

struct report_files *report_prepare(const json_t *rep, const char *work_dir)
{
	struct report_files *rf = calloc(1, sizeof *rf);
	if (!rf) {
		log_error("cannot write the report: out of memory");
		return NULL;
	}
	/* The four files are independent readings of rep: written at once. */
	static const char *const names[4] = { "report.json", "report.tsv", "report.txt",
					      "report.html" };
	int (*const writers[4])(const json_t *, struct report_job *) = {
		write_json_file, write_tsv_file, write_text_file, write_html
	};
	struct report_job *jobs = rf->jobs;
	const size_t njobs = 4;
	const char *failed = NULL;
	int err = 0;

	for (size_t i = 0; i < njobs; i++) {
		jobs[i].rep = rep;
		jobs[i].path = fs_join(work_dir, names[i]);
		jobs[i].write = writers[i];
	}
	for (size_t i = 1; i < njobs; i++)
		jobs[i].started = !pthread_create(&jobs[i].tid, NULL, report_job_run, &jobs[i]);
	for (size_t i = 0; i < njobs; i++)
		if (!jobs[i].started)
			report_job_run(&jobs[i]);
	for (size_t i = 1; i < njobs; i++)
		if (jobs[i].started)
			pthread_join(jobs[i].tid, NULL);
	for (size_t i = 0; i < njobs && !failed; i++)
		if (jobs[i].err) {
			failed = jobs[i].path;
			err = jobs[i].err;
		}
	/* Synced once all four are written: the first fsync's journal
	 * commit takes the others' blocks with it (each synced as soon as
	 * it was written cost a commit of its own, 5 to 13 ms each here). */
	for (size_t i = 0; i < njobs && !failed; i++)
		if (fsync(fileno(jobs[i].af.fp))) {
			failed = jobs[i].path;
			err = errno;
		}
	if (failed) {
		log_error("cannot write '%s': %s", failed, strerror(err));
		report_abort(rf);
		return NULL;
	}
	struct buf sum;
	buf_init(&sum, 0);
	summary_lines(rep, &sum);
	rf->summary = buf_detach(&sum, NULL);
	return rf;
}

int report_commit(struct report_files *rf)
{
	int rc = 0;
	for (size_t i = 0; i < 4; i++) {
		struct report_job *j = &rf->jobs[i];
		if (!rc && atomic_file_commit(&j->af, false)) {
			log_error("cannot write '%s': %s", j->path, strerror(errno));
			rc = -1;
		}
		j->staged = !rc ? false : j->staged;
	}
	if (!rc) {
		for (char *line = rf->summary, *nl; line && *line; line = nl + 1) {
			nl = strchr(line, '\n');
			*nl = '\0';
			log_info("%s", line);
		}
		log_info("report: %s (also report.json, report.tsv, report.txt)", rf->jobs[3].path);
	}
	report_abort(rf);
	return rc;
}

int report_write(const json_t *rep, const char *work_dir)
{
	struct report_files *rf = report_prepare(rep, work_dir);
	return rf ? report_commit(rf) : -1;
}
