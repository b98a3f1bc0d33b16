/*
 * test_forms: the table of credited forms per person (normalize/forms.h):
 * ids and forms kept in the order first added, counts summed, lookups of
 * present and absent ids through growth of the table, and moving an id's
 * forms from one set to another (how normalize joins its shards).
 */
#include <stdio.h>
#include <string.h>

#include "forms.h"
#include "tap.h"

/* "id:form=count,form=count" of pf. */
static const char *show(const struct pforms *pf)
{
	static char out[256];
	size_t at = 0;
	if (!pf)
		return "(none)";
	at += (size_t)snprintf(out, sizeof out, "%s:", pf->pid);
	for (size_t i = 0; i < pf->n && at < sizeof out; i++)
		at += (size_t)snprintf(out + at, sizeof out - at, "%s%s=%ld", i ? "," : "",
				       pf->v[i].s, pf->v[i].count);
	return out;
}

int main(void)
{
	struct formset fs = { 0 };
	char id[32], form[32];

	CHECK(formset_get(&fs, "26-1") == NULL, "an empty set has no id");
	struct pforms *a = formset_add(&fs, "26-1");
	formset_bump(&fs, a, "Kōji Morimoto", 1);
	formset_bump(&fs, a, "Koji Morimoto", 2);
	strcpy(form, "Kōji Morimoto");    /* equal text, another pointer */
	formset_bump(&fs, a, form, 3);
	CHECK_STR(show(formset_get(&fs, "26-1")), "26-1:Kōji Morimoto=4,Koji Morimoto=2",
		  "forms in the order first added, counts summed");
	CHECK(formset_add(&fs, "26-1") == formset_get(&fs, "26-1"), "adding a present id gives it");
	CHECK_INT((long)fs.n, 1, "and adds nothing");

	/* Enough ids to grow the table several times. */
	for (int i = 2; i <= 20000; i++) {
		snprintf(id, sizeof id, "26-%d", i);
		snprintf(form, sizeof form, "Name %d", i % 7);
		struct pforms *p = formset_add(&fs, id);
		formset_bump(&fs, p, form, i);
	}
	CHECK_INT((long)fs.n, 20000, "20,000 ids");
	CHECK(!fs.oom, "nothing failed");
	CHECK_STR(show(formset_get(&fs, "26-12345")), "26-12345:Name 4=12345",
		  "an id found after growth");
	CHECK_STR(show(formset_get(&fs, "26-1")), "26-1:Kōji Morimoto=4,Koji Morimoto=2",
		  "the first id still found");
	CHECK(formset_get(&fs, "26-20001") == NULL, "an absent id is not found");
	CHECK(formset_get(&fs, "26-") == NULL, "nor a prefix of one");
	CHECK_STR(fs.p[0].pid, "26-1", "ids in the order added: first");
	CHECK_STR(fs.p[19999].pid, "26-20000", "ids in the order added: last");

	/* Moving ids between sets: the id and its forms go, the source
	 * entry is left empty and freeing both frees each string once. */
	struct formset to = { 0 };
	formset_take(&to, &fs.p[1]);
	formset_take(&to, &fs.p[0]);
	CHECK_STR(show(formset_get(&to, "26-1")), "26-1:Kōji Morimoto=4,Koji Morimoto=2",
		  "a moved id keeps its forms");
	CHECK_STR(to.p[0].pid, "26-2", "moved ids in the order moved");
	CHECK(fs.p[0].pid == NULL && fs.p[0].n == 0, "the moved entry is left empty");
	formset_free(&fs);
	formset_free(&to);
	CHECK(to.n == 0 && to.p == NULL, "a freed set is empty");
	CHECK(formset_get(&to, "26-1") == NULL, "and finds nothing");
	return tap_done();
}
