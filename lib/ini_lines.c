/* ini_lines: see ini_lines.h. */
#include "ini_lines.h"

#include <string.h>

void ini_lines_init(struct ini_lines *il, FILE *fp)
{
	memset(il, 0, sizeof *il);
	il->fp = fp;
	il->line = 1;
	il->next_line = 1;
	il->at_start = true;
}

char *ini_lines_read(char *str, int num, void *stream)
{
	struct ini_lines *il = stream;
	char *r = fgets(str, num, il->fp);

	if (!r)
		return NULL;
	if (il->at_start) {
		il->line = il->next_line;
		il->indented = r[0] == ' ' || r[0] == '\t';
	}
	if (strchr(r, '\n')) {
		il->next_line++;
		il->at_start = true;
	} else {
		il->at_start = false;
	}
	return r;
}
