/*
 * log: messages of every stage, to stderr (or a log file), in the form
 *   fetch: error: cannot open 'pipeline.conf': No such file or directory
 * The verbosity is set once at start (from --verbose/--quiet or
 * [pipeline] log_level); messages below it are dropped.
 */
#ifndef LOG_H
#define LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* Sets the program name that prefixes every message (not copied). */
void log_init(const char *prog);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Parses "error", "warn", "info" or "debug". Returns -1 if unknown. */
int log_level_parse(const char *s);

/* Sends messages to the file at path (appended) as well as stderr's
 * role: with a log file, messages go only to the file, each line
 * prefixed with a UTC timestamp. Returns 0, or -1 with errno set. */
int log_open_file(const char *path);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Counts of errors and warnings logged so far (for summaries). */
unsigned long log_error_count(void);
unsigned long log_warn_count(void);

#endif
