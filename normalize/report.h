/*
 * report: the normalization report, written on every run of normalize
 * from one JSON object (the data normalize.c gathers):
 *
 *   WORK/report.html  one self-contained page (inline CSS and SVG charts,
 *                     no script, nothing fetched): open it from disk
 *   WORK/report.json  the whole report, for scripts
 *   WORK/report.tsv   the same items as one flat table, for spreadsheets
 *   WORK/report.txt   a plain-text digest (what `pipeline report` shows)
 *
 * and a short summary on the terminal (info level). Each file is written
 * atomically.
 */
#ifndef REPORT_H
#define REPORT_H

#include <jansson.h>

/* Writes the four files into work_dir. Returns 0, or -1 after logging. */
int report_write(const json_t *rep, const char *work_dir);

/* report_write in two steps, so that the report appears with the output
 * it describes: report_prepare writes and syncs the four files under
 * temporary names (NULL after logging a failure); report_commit gives
 * them their names and prints the summary (0, or -1 after logging);
 * report_abort removes them instead. Both free rf. */
struct report_files;
struct report_files *report_prepare(const json_t *rep, const char *work_dir);
int report_commit(struct report_files *rf);
void report_abort(struct report_files *rf);

/* Rows of each list the HTML page shows; the rest is in json and tsv. */
#define REPORT_HTML_ROWS 300

#endif
