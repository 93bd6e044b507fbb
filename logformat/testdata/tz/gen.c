/*
 * gen.c prints how glibc (2.36 on Debian 12 for the committed golden.tsv)
 * turns seconds since the epoch into local time for a table of TZ values:
 * what localtime_r gives, and what httpd's apr_strftime path prints for %Z
 * (tzname[tm_isdst], since apr_strftime leaves tm_zone NULL), %z and %s.
 *
 * Regenerate from the logformat directory (go generate does the same):
 *
 *   sh testdata/tz/zoneinfo.sh &&
 *   gcc -std=gnu11 -O2 -Wall -o /tmp/tz-gen testdata/tz/gen.c &&
 *   /tmp/tz-gen > testdata/tz/golden.tsv
 *
 * Most rows set TZDIR to testdata/tz/zoneinfo, which zoneinfo.sh fills with
 * copies of the system's tzfiles, so that they hold whatever tzdata
 * release is installed; the few rows with TZDIR unset read the system's
 * /usr/share/zoneinfo and use only zones whose rules are settled.
 *
 * For each TZ value it prints a fixed set of times, and the second before,
 * at and after every change of offset, isdst or abbreviation that it finds
 * in a few years by scanning hour by hour.
 *
 * Output: comment lines starting with '#', then one row per case, fields
 * separated by tabs:
 *
 *   TZDIR TZ unix local wday yday isdst gmtoff %Z %z %s tm_zone
 *
 * TZDIR is - when unset. Strings are double-quoted with Go escaping, so
 * strconv.Unquote reads them back. local is "Y-MM-DD hh:mm:ss". tm_zone is
 * informational: it differs from %Z only where glibc's tzname and the
 * tm_zone it returns disagree.
 */
#define _GNU_SOURCE
#include <gnu/libc-version.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void quote(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	putchar('"');
}

static void settz(const char *tzdir, const char *tz)
{
	/* Force a reread even when the value repeats. */
	setenv("TZ", "XXX0", 1);
	tzset();
	if (tzdir != NULL)
		setenv("TZDIR", tzdir, 1);
	else
		unsetenv("TZDIR");
	setenv("TZ", tz, 1);
	tzset();
}

/* warmup leaves glibc's mktime, which %s calls, in the state a steady stream
 * of requests would: it starts its search from the offset it found last
 * time, which decides between the two times a wall clock that went back
 * without a change of tm_isdst shows twice. */
static void warmup(time_t t)
{
	static const long back[] = {86400, 3600, 1};
	for (size_t i = 0; i < sizeof back / sizeof back[0]; i++) {
		time_t w = t - back[i];
		struct tm a;
		if (localtime_r(&w, &a) != NULL)
			mktime(&a);
	}
}

/* aprstrftime renders one layout as httpd does: tm_zone left NULL. */
static const char *aprstrftime(const char *layout, const struct tm *lt)
{
	static char buf[256];
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_sec = lt->tm_sec;
	tm.tm_min = lt->tm_min;
	tm.tm_hour = lt->tm_hour;
	tm.tm_mday = lt->tm_mday;
	tm.tm_mon = lt->tm_mon;
	tm.tm_year = lt->tm_year;
	tm.tm_wday = lt->tm_wday;
	tm.tm_yday = lt->tm_yday;
	tm.tm_isdst = lt->tm_isdst;
	tm.tm_gmtoff = lt->tm_gmtoff;
	if (strftime(buf, sizeof buf, layout, &tm) == 0)
		buf[0] = '\0';
	return buf;
}

static void row(const char *tzdir, const char *tz, time_t t)
{
	struct tm lt;
	char local[64];
	warmup(t);
	if (localtime_r(&t, &lt) == NULL) {
		fprintf(stderr, "localtime_r failed for %lld in %s\n", (long long)t, tz);
		exit(1);
	}
	snprintf(local, sizeof local, "%d-%02d-%02d %02d:%02d:%02d", lt.tm_year + 1900,
		 lt.tm_mon + 1, lt.tm_mday, lt.tm_hour, lt.tm_min, lt.tm_sec);
	if (tzdir == NULL)
		printf("-");
	else
		quote(tzdir);
	putchar('\t');
	quote(tz);
	printf("\t%lld\t", (long long)t);
	quote(local);
	printf("\t%d\t%d\t%d\t%ld\t", lt.tm_wday, lt.tm_yday, lt.tm_isdst, lt.tm_gmtoff);
	quote(aprstrftime("%Z", &lt));
	putchar('\t');
	quote(aprstrftime("%z", &lt));
	putchar('\t');
	quote(aprstrftime("%s", &lt));
	putchar('\t');
	quote(lt.tm_zone ? lt.tm_zone : "");
	putchar('\n');
}

/* utc parses "[-]YYYY-MM-DD HH:MM:SS" as UTC. */
static time_t utc(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
		fprintf(stderr, "bad time %s\n", s);
		exit(1);
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* state is what a change is looked for in. */
struct state {
	long off;
	int isdst;
	char zone[64];
};

static void getstate(time_t t, struct state *s)
{
	struct tm lt;
	localtime_r(&t, &lt);
	s->off = lt.tm_gmtoff;
	s->isdst = lt.tm_isdst;
	snprintf(s->zone, sizeof s->zone, "%s", aprstrftime("%Z", &lt));
}

static int same(const struct state *a, const struct state *b)
{
	return a->off == b->off && a->isdst == b->isdst && strcmp(a->zone, b->zone) == 0;
}

static const char *fixed[] = {
	"1800-06-01 00:00:00",
	"1900-01-01 00:00:00",
	"1960-01-15 12:00:00",
	"1960-07-15 12:00:00",
	"1969-07-01 00:00:00",
	"1969-12-31 23:59:59",
	"1970-01-01 00:00:00",
	"1970-07-01 00:00:00",
	"2000-01-01 00:00:00",
	"2000-07-01 00:00:00",
	"2026-01-15 12:00:00",
	"2026-07-15 12:00:00",
	"2026-11-21 22:12:27",
	"2037-12-31 23:59:59",
	"2038-01-01 00:00:00",
	"2038-07-01 00:00:00",
	"2040-01-15 12:00:00",
	"2040-07-15 12:00:00",
	"2100-01-15 12:00:00",
	"2100-07-15 12:00:00",
	"2399-07-15 12:00:00",
	"2401-01-15 12:00:00",
	"2401-07-15 12:00:00",
};

/* Years scanned for changes. */
static const int years[] = {1969, 1970, 2026, 2038, 2040};

/* The tzfiles testdata/tz/zoneinfo.sh copies, relative to the logformat
 * directory gen.c runs in. */
#define V "testdata/tz/zoneinfo"

struct zonecase {
	const char *tzdir; /* NULL: unset */
	const char *tz;
};

static const struct zonecase zones[] = {
	/* tzfiles in the system's zone database, with TZDIR unset */
	{NULL, "UTC"},
	{NULL, ":UTC"},
	{NULL, "Etc/UTC"},
	{NULL, ""},
	{NULL, "Asia/Kolkata"},
	{NULL, "/usr/share/zoneinfo/Asia/Tokyo"},
	/* tzfiles copied into testdata, for data that does not change */
	{V, "UTC"},
	{V, ":UTC"},
	{V, "Etc/UTC"},
	{V, "GMT"},
	{V, "Universal"},
	{V, "America/St_Johns"},
	{V, ":America/St_Johns"},
	{V, "Asia/Kolkata"},
	{V, "Europe/London"},
	{V, "Europe/Dublin"},
	{V, "Europe/Moscow"},
	{V, "America/New_York"},
	{V, "America/Sao_Paulo"},
	{V, "Australia/Sydney"},
	{V, "Australia/Lord_Howe"},
	{V, "Pacific/Chatham"},
	{V, "Pacific/Apia"},
	{V, "Africa/Casablanca"},
	{V, "Africa/Monrovia"},
	{V, "Europe/Amsterdam"},
	{V, "Asia/Tehran"},
	{V, "EST5EDT"},
	{V, "EST"},
	{V, "CET"},
	{V, "testdata/tz/zoneinfo/Asia/Tokyo"},
	{V, ":testdata/tz/zoneinfo/America/Anchorage"},
	{V "/Asia", "Kolkata"},
	{V "/Asia", "Asia/Kolkata"},
	{"/nonexistent", "Asia/Kolkata"},
	{"/nonexistent", "EST5EDT"},
	{"/nonexistent", "JST-9JDT"},
	{"/nonexistent", ""},
	/* the empty value and other odd forms */
	{V, ""},
	{V, ":"},
	{V, "America"},
	{V, "Nowhere/Zone"},
	{V, "/dev/null"},
	{V, "/"},
	{V, "garbage"},
	{V, "utc"},
	{V, "ab"},
	{V, "a"},
	{V, " EST5"},
	{V, "EST"},
	{V, "EST+"},
	{V, "EST5:"},
	{V, "<ab>5"},
	{V, "<abc"},
	{V, "<>0"},
	{V, "<A1B>-3"},
	{V, "UTC0"},
	{V, "GMT0"},
	{V, "UTC+0"},
	{V, "XYZ"},
	{V, "A1B2"},
	/* offsets */
	{V, "JLS-5:30:45"},
	{V, "<+0530>-5:30"},
	{V, "<+0530>-5:30:45"},
	{V, "<-00>0:0:30"},
	{V, "ABC+5:30:45"},
	{V, "ABC-14"},
	{V, "ABC-25"},
	{V, "ABC+99"},
	{V, "ABC5:99:99"},
	{V, "ABC+ 5"},
	{V, "ABC+-5"},
	{V, "ABC5:-1"},
	{V, "ABC+70000"},
	{V, "ABC99999999999999999999999"},
	/* POSIX rules */
	{V, "EST5EDT,M3.2.0,M11.1.0"},
	{V, ":EST5EDT,M3.2.0,M11.1.0"},
	{V, "EST5EDT,M3.2.0/2,M11.1.0/2"},
	{V, "CET-1CEST,M3.5.0,M10.5.0/3"},
	{V, "<-0330>3:30<-0230>,M3.2.0/0:01,M11.1.0/0:01"},
	{V, "AEST-10AEDT,M10.1.0,M4.1.0/3"},
	{V, "NZST-12NZDT,M9.5.0,M4.1.0/3"},
	{V, "IST-1GMT0,M10.5.0,M3.5.0/1"},
	{V, "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1"},
	{V, "STD-5:30:45DST-6:30:45,M3.2.0,M11.1.0"},
	{V, "ABC+5DEF+6,M3.2.0,M11.1.0"},
	{V, "XXX3YYY,J60,J300"},
	{V, "XXX3YYY,59,300"},
	{V, "XXX3YYY,J1/0,J365/25"},
	{V, "XXX0YYY,0/0,365/0"},
	{V, "XXX3YYY,M3.2.0/-1:30,M11.1.0/26"},
	{V, "XXX3YYY,M3.2.0/167,M11.1.0/-167"},
	{V, "XXX3YYY,M3.2.0/200,M11.1.0"},
	{V, "XXX3YYY,M3.2.0/1:99:99,M11.1.0/ 3"},
	{V, "XXX3YYY,M3.5.6,M10.5.6"},
	{V, "XXX3YYY,M2.5.0,M12.5.6/23:59:59"},
	{V, "XXX3YYY,M 3. 2. 0,M11.1.0"},
	{V, "XXX3YYY,J365,J1"},
	/* DST without rules: posixrules, or glibc's built-in default */
	{V, "JST-9JDT"},
	{V, "JST-9JDT,"},
	{V, "EST5EDT4"},
	{V, "AAA3BBB"},
	{V, "AAA3BBB-"},
	{V, "AAA3BBB2:30"},
	/* partial and invalid rules */
	{V, "EST5EDT,M3.2.0"},
	{V, "EST5EDT,garbage"},
	{V, "EST5EDT;M3.2.0;M11.1.0"},
	{V, "EST5,M3.2.0,M11.1.0"},
	{V, "EST5EDT,J0,J365"},
	{V, "EST5EDT,0,366"},
	{V, "EST5EDT,M3.2.0/x,M11.1.0"},
	{V, "EST5EDT,M3.2.0/,M11.1.0"},
	{V, "EST5EDT,M3.2.0,M11.1.0,extra"},
	{V, "EST5EDT,M3.2.0,M11.1.0x"},
	{V, "EST5EDT,M3.0.0,M11.1.0"},
	{V, "EST5EDT,M3.6.0,M11.1.0"},
	{V, "EST5EDT,M3.2.7,M11.1.0"},
	{V, "EST5EDT,M3.2,M11.1.0"},
	{V, "EST5EDT,J60/-2,garbage"},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	setlocale(LC_ALL, "C");
	printf("# glibc localtime golden data, generated by testdata/tz/gen.c\n");
	printf("# glibc %s\n", gnu_get_libc_version());
	{
		FILE *f = fopen("/usr/share/zoneinfo/tzdata.zi", "r");
		char line[64] = "";
		if (f != NULL) {
			if (fgets(line, sizeof line, f) == NULL)
				line[0] = '\0';
			fclose(f);
		}
		line[strcspn(line, "\n")] = '\0';
		printf("# system tzdata.zi: %s; " V ": see its VERSION\n", line[0] ? line + 2 : "unknown");
	}
	printf("# TZDIR\tTZ\tunix\tlocal\twday\tyday\tisdst\tgmtoff\t%%Z\t%%z\t%%s\ttm_zone\n");

	for (size_t z = 0; z < N(zones); z++) {
		const char *tzdir = zones[z].tzdir, *tz = zones[z].tz;
		settz(tzdir, tz);
		for (size_t i = 0; i < N(fixed); i++)
			row(tzdir, tz, utc(fixed[i]));
		for (size_t y = 0; y < N(years); y++) {
			char buf[32];
			snprintf(buf, sizeof buf, "%d-01-01 00:00:00", years[y]);
			time_t t = utc(buf);
			snprintf(buf, sizeof buf, "%d-01-01 00:00:00", years[y] + 1);
			time_t end = utc(buf);
			struct state a, b;
			getstate(t - 1, &a);
			for (; t <= end; t += 3600) {
				getstate(t, &b);
				if (same(&a, &b))
					continue;
				/* The change is in (t-3600, t]: find its second. */
				time_t lo = t - 3600, hi = t;
				while (hi - lo > 1) {
					time_t mid = lo + (hi - lo) / 2;
					struct state m;
					getstate(mid, &m);
					if (same(&a, &m))
						lo = mid;
					else
						hi = mid;
				}
				row(tzdir, tz, hi - 1);
				row(tzdir, tz, hi);
				row(tzdir, tz, hi + 1);
				a = b;
			}
		}
	}
	return 0;
}
