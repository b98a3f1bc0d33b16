/*
 * config_keys: every key of pipeline.conf, with its type, default and help.
 * pipeline.conf documents each of these; tests/config.sh checks that the
 * file and this table name the same keys. Adding a key: add it here and
 * in pipeline.conf, then read it with config_str()/config_int()/...
 */
#include "config.h"

#define NOLIM 0, 0
#define INF 1e18

const struct cfg_key config_keys[] = {
	{ "pipeline", "work_dir", CFG_PATH, "work", NOLIM, NULL,
	  "directory holding every stage's output" },
	{ "pipeline", "log_level", CFG_ENUM, "info", NOLIM, "error warn info debug",
	  "least severe message printed" },
	{ "pipeline", "log_file", CFG_PATH, "", NOLIM, NULL,
	  "append messages to this file instead of stderr (empty: stderr)" },
	{ "pipeline", "spare_files", CFG_BOOL, "true", NOLIM, NULL,
	  "keep the stage file a run replaces as FILE.spare and write the next one over it" },

	{ "fetch", "start_urls", CFG_LIST,
	  "https://www.animevice.com/anime/ https://www.animevice.com/people/", NOLIM, NULL,
	  "space-separated URLs the crawl starts from; their hosts are the crawl's hosts" },
	{ "fetch", "site_hosts", CFG_LIST, "www.animevice.com animevice.com", NOLIM, NULL,
	  "the site's own host names; links to them are followed on the host being crawled" },
	{ "fetch", "follow", CFG_REGEX_LIST,
	  "^/[^/]+/(12|18|26)-[0-9]+/$ ^/(anime|people)/$", NOLIM, NULL,
	  "PCRE2 patterns; a link is followed when its path matches one of them" },
	{ "fetch", "deny", CFG_REGEX_LIST, "", NOLIM, NULL,
	  "PCRE2 patterns; a link whose path matches one is never followed" },
	{ "fetch", "sitemap", CFG_BOOL, "true", NOLIM, NULL,
	  "read the sitemaps robots.txt names (else /sitemap.xml) to find pages" },
	{ "fetch", "trust_lastmod", CFG_BOOL, "true", NOLIM, NULL,
	  "do not request a page whose sitemap lastmod is not newer than its stored copy" },
	{ "fetch", "recheck_gone_days", CFG_INT, "7", 0, 3650, NULL,
	  "a page that answered 404/410 is asked again only after this many days (0: every run)" },
	{ "fetch", "user_agent", CFG_STRING, "animewiki-import/0.1", NOLIM, NULL,
	  "User-Agent product token; the contact URL is appended" },
	{ "fetch", "contact", CFG_STRING, "", NOLIM, NULL,
	  "URL or mail address where the wiki's operators can reach you" },
	{ "fetch", "concurrency", CFG_INT, "1", 1, 64, NULL,
	  "simultaneous connections per host" },
	{ "fetch", "delay", CFG_DOUBLE, "1.0", 0, 3600, NULL,
	  "seconds between two requests to one host" },
	{ "fetch", "ignore_crawl_delay", CFG_BOOL, "false", NOLIM, NULL,
	  "allow delay below robots.txt Crawl-delay (only for a mirror of your own)" },
	{ "fetch", "max_pages", CFG_INT, "0", 0, INF, NULL,
	  "stop after this many page requests (0: no limit)" },
	{ "fetch", "max_depth", CFG_INT, "0", 0, INF, NULL,
	  "follow links at most this many hops from a start URL (0: no limit)" },
	{ "fetch", "max_page_size", CFG_INT, "32M", 1024, INF, NULL,
	  "largest body accepted, in bytes (k, M, G suffixes)" },
	{ "fetch", "timeout", CFG_INT, "60", 1, 86400, NULL,
	  "seconds a whole request may take" },
	{ "fetch", "connect_timeout", CFG_INT, "15", 1, 3600, NULL,
	  "seconds to establish a connection" },
	{ "fetch", "retries", CFG_INT, "4", 0, 20, NULL,
	  "retries of a transient failure (5xx, 429, timeout, reset)" },

	{ "parse", "profile", CFG_PATH, "parse/animevice.ini", NOLIM, NULL,
	  "site profile: the XPath rules that find each field of each page kind" },
	{ "parse", "jobs", CFG_INT, "0", 0, 64, NULL,
	  "threads that parse pages (0: one per processor)" },

	{ "normalize", "date_order", CFG_ENUM, "mdy", NOLIM, "mdy dmy none",
	  "reading of an ambiguous numeric date like 03/04/2005 (none: leave NULL)" },
	{ "normalize", "roles", CFG_PATH, "normalize/roles.tsv", NOLIM, NULL,
	  "role mapping file (role text, tab, role name)" },
	{ "normalize", "overrides", CFG_PATH, "normalize/overrides.txt", NOLIM, NULL,
	  "the user's merge, separate and name decisions about people" },
	{ "normalize", "jobs", CFG_INT, "0", 0, 64, NULL,
	  "threads that normalize records (0: one per processor); the output is the same" },

	{ "load", "database", CFG_PATH, "anime.db", NOLIM, NULL,
	  "the SQLite database file" },
	{ "load", "busy_timeout", CFG_INT, "10000", 0, INF, NULL,
	  "milliseconds to wait for another writer of the database" },

	{ NULL, NULL, 0, NULL, NOLIM, NULL, NULL }
};
