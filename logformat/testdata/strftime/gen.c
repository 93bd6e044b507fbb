/*
 * gen.c prints golden strftime output from the C library it is linked with
 * (glibc 2.36 on Debian 12 for the committed golden.tsv), rendered the way
 * Apache httpd renders %{format}t: localtime_r via apr_time_exp_lt, then
 * apr_strftime, which copies the fields into a zeroed struct tm (so tm_zone
 * is NULL and %Z comes from tzname[tm_isdst]) and calls
 * strftime(buf, 8192, format, &tm) in the C locale.
 *
 * Regenerate from the logformat directory (go generate does the same):
 *
 *   sh testdata/tz/zoneinfo.sh &&
 *   gcc -std=gnu11 -O2 -Wall -o /tmp/strftime-gen testdata/strftime/gen.c &&
 *   /tmp/strftime-gen > testdata/strftime/golden.tsv
 *
 * Named zones are read with TZDIR=testdata/tz/zoneinfo, the copies of the
 * system's tzfiles that testdata/tz/zoneinfo.sh makes.
 *
 * Output: comment lines starting with '#', then one row per case, fields
 * separated by tabs:
 *
 *   TZ  unix-seconds  layout  strftime-return-value  output
 *
 * TZ, layout and output are double-quoted with Go escaping (\\, \", \xHH
 * for bytes outside printable ASCII), so strconv.Unquote reads them back.
 * When strftime returns 0 the output field is "" (httpd would log an
 * unterminated buffer; logproxy logs nothing).
 */
#define _GNU_SOURCE
#include <gnu/libc-version.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void quote(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	putchar('"');
}

static void settz(const char *tz)
{
	/* Force a reread even when the value repeats. */
	setenv("TZ", "XXX0", 1);
	tzset();
	setenv("TZ", tz, 1);
	tzset();
}

static char buf[8192];

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

/* aprstrftime is httpd's path: apr_time_exp_lt, then apr_strftime. */
static size_t aprstrftime(const char *layout, time_t t)
{
	struct tm lt, tm;
	warmup(t);
	if (localtime_r(&t, &lt) == NULL) {
		fprintf(stderr, "localtime_r failed for %lld\n", (long long)t);
		exit(1);
	}
	memset(&tm, 0, sizeof tm);
	tm.tm_sec = lt.tm_sec;
	tm.tm_min = lt.tm_min;
	tm.tm_hour = lt.tm_hour;
	tm.tm_mday = lt.tm_mday;
	tm.tm_mon = lt.tm_mon;
	tm.tm_year = lt.tm_year;
	tm.tm_wday = lt.tm_wday;
	tm.tm_yday = lt.tm_yday;
	tm.tm_isdst = lt.tm_isdst;
	tm.tm_gmtoff = lt.tm_gmtoff;
	memset(buf, 0, sizeof buf);
	return strftime(buf, sizeof buf, layout, &tm);
}

static void row(const char *tz, time_t t, const char *layout)
{
	size_t n = aprstrftime(layout, t);
	quote(tz, strlen(tz));
	printf("\t%lld\t", (long long)t);
	quote(layout, strlen(layout));
	printf("\t%zu\t", n);
	quote(buf, n);
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

/* Times for every conversion: ISO week and year edges, 12-hour clock edges,
 * leap days, dates before 1970, after 2038, and before year 1000. */
static const char *times[] = {
	"2026-11-21 22:12:27", /* the Apache corpus example */
	"1970-01-01 00:00:00",
	"1969-12-31 23:59:59",
	"1970-01-01 00:00:01",
	"2000-02-29 12:00:00",
	"2000-12-31 23:59:59",
	"2001-01-01 00:00:00",
	"2004-12-31 11:59:59",
	"2005-01-01 12:00:00",
	"2005-01-02 13:00:00",
	"2005-01-03 00:30:00",
	"2008-12-28 01:00:00",
	"2008-12-29 10:00:00",
	"2009-12-31 23:00:00",
	"2010-01-03 09:09:09",
	"2010-01-04 00:00:00",
	"2015-12-31 15:00:00",
	"2016-01-01 08:00:00",
	"2016-01-03 18:00:00",
	"2016-01-04 03:00:00",
	"2020-12-31 12:34:56",
	"2021-01-01 00:00:00",
	"2021-01-03 23:59:59",
	"2021-01-04 06:00:00",
	"2026-01-01 04:00:00",
	"2026-03-08 05:29:59",
	"2026-03-08 05:30:00",
	"2026-11-01 04:29:59",
	"2026-11-01 04:30:00",
	"2026-12-31 23:59:59",
	"2027-01-01 00:00:00",
	"2037-12-31 23:59:59",
	"2038-01-19 03:14:07",
	"2038-01-19 03:14:08",
	"2100-02-28 23:59:59",
	"2100-03-01 00:00:00",
	"2400-02-29 11:00:00",
	"1900-01-01 00:00:00",
	"1899-12-31 23:59:59",
	"1600-02-29 13:00:00",
	"0999-12-31 23:00:00",
	"0099-07-04 12:00:00",
	"0001-01-01 00:00:00",
	"0000-06-15 12:00:00",
	"-0001-12-31 23:59:59",
	"-0101-03-01 00:00:00",
	"9999-12-31 23:59:59",
	"10000-01-01 00:00:00",
	"12345-06-07 08:09:10",
};

/* A few times for the flag and width combinations. */
static const char *fewtimes[] = {
	"2026-11-21 22:12:27",
	"2026-07-04 09:05:03",
	"0999-01-02 00:00:00",
	"-0101-03-01 00:00:00",
};

static const char conversions[] = "aAbBcCdDeFgGhHIjklmMnpPrRsStTuUVwWxXyYzZ%";

static const char *flagforms[] = {
	"%%%c", "%%_%c", "%%-%c", "%%0%c", "%%^%c", "%%#%c", "%%^#%c",
	"%%E%c", "%%O%c", "%%1%c", "%%3%c", "%%10%c", "%%_10%c", "%%-10%c",
	"%%010%c", "%%^10%c", "%%#10%c", "%%_E5%c", "%%0O6%c", "%%-_%c",
	"%%_-%c", "%%0_%c", "%%_0%c", "%%-0%c",
};

/* Layouts that are not one conversion: literal text, unknown conversions,
 * a trailing '%', the Apache corpus formats, and output-size limits. */
static const char *misc[] = {
	"",
	"literal text",
	"%Y-%m-%dT%H:%M:%S%z",
	"%a %A %b %B",
	"%j %U %u %e %k %l %p",
	"[%d/%b/%Y:%H:%M:%S %z]",
	"%Q",
	"%q",
	"%+",
	"%i",
	"%J",
	"%K",
	"%L",
	"%N",
	"%f",
	"%o",
	"%v",
	"%E",
	"%O",
	"%5",
	"%_",
	"%^",
	"%#",
	"%-",
	"%0",
	"%",
	"abc%",
	"%%%",
	"%E%",
	"%O%",
	"%5E%",
	"%5%",
	"%_5%",
	"%05%",
	"%EE",
	"%EO",
	"%OE",
	"%OOd",
	"%EEY",
	"%^q",
	"%#q",
	"%5Q",
	"%05Q",
	"%^5q",
	"%-5Q",
	"%_5EQ",
	"%5n",
	"%05t",
	"%^5%",
	"%E5d",
	"%5Ed",
	"%Ez",
	"%Oz",
	"%EZ",
	"%OZ",
	"%Es",
	"%Os",
	"%EP",
	"%Ep",
	"%ER",
	"%Er",
	"%ET",
	"%En",
	"%Et",
	"%Eu",
	"%Ou",
	"%OC",
	"%EC",
	"%EY",
	"%OY",
	"%Ey",
	"%Oy",
	"%Ob",
	"%OB",
	"%Oh",
	"%Eb",
	"%Ec",
	"%Oc",
	"%Ex",
	"%Ox",
	"%EX",
	"%OX",
	"%ED",
	"%EF",
	"%OF",
	"%Ea",
	"%Oa",
	"%EA",
	"%Ej",
	"%Oj",
	"%EV",
	"%OV",
	"%Eg",
	"%EG",
	"%EW",
	"%Ew",
	"%EU",
	"%Ee",
	"%Oe",
	"%Ek",
	"%El",
	"%EH",
	"%EI",
	"%EM",
	"%Em",
	"%ES",
	"%E%%",
	"caf\xc3\xa9 %Y \xff\x01\x7f\t\n",
	"%Y%%%m%%%d",
	"%H%%M",
	"100%% %s",
	"%D %F %T %R %r %c %x %X",
	"%^c|%#c|%^x|%^X|%^r|%^D|%^F|%^T|%^R",
	"%20c|%020c|%-20c|%_20c|%^30c",
	"%5D|%010F|%-12T|%_9R|%15r",
	"%a%a%a%a%a%a%a%a%a%a",
	"%^p %#p %^P %#P %^#p %#^P %P %p",
	"%^Z %#Z %^#Z %#^Z",
	"%^a %#a %^A %#A %^b %#b %^B %#B %^h %#h",
	"%-I %-l %-k %-H %-M %-S %-j %-m %-d %-e %-y %-C %-g %-V %-U %-W",
	"%_I %_l %_k %_H %_M %_S %_j %_m %_d %_e %_y %_C %_g %_V %_U %_W",
	"%0I %0l %0k %0H %0M %0S %0j %0m %0d %0e %0y %0C %0g %0V %0U %0W",
	"%G-W%V-%u %g",
	"%C%y",
	"%z|%_z|%-z|%0z|%6z|%_6z|%-6z|%06z|%1z|%5z",
	"%s|%_s|%-s|%0s|%15s|%_15s|%-15s|%015s",
	"%Y|%_Y|%-Y|%0Y|%6Y|%_6Y|%-6Y|%06Y|%1Y",
	"%G|%_G|%-G|%0G|%6G|%_6G|%-6G|%06G",
	"%C|%_C|%-C|%0C|%4C|%_4C|%-4C|%04C",
	"%t%n%%",
};

/* Layouts at and over the 8191-byte output limit, and huge widths. */
static const char *limits[] = {
	"%00000000000000000000003d",
	"%99999999999999999999Y",
	"%2147483647Y",
	"%2147483648d",
	"%8191Y",
	"%8192Y",
	"x%8190Y",
	"x%8191Y",
	"%4000Y%4191Y",
	"%4000Y%4192Y",
	"%8191n",
	"%8192n",
	"%8191Q",
	"%8192Q",
	"%8190c",
	"%8191c",
	"%8191s",
	"%8192s",
	"%_8191d",
	"%_8192d",
	"%-8191d",
	"%-8192d",
	"%8191z",
	"%8190z",
	"%8191Z",
	"%8192Z",
	"%^8191a",
	"%%%8190%",
};

/* Zones for the per-conversion rows. */
static const char *zones[] = {
	"UTC",
	"America/St_Johns",
};

/* Zones for the zone-dependent misc rows. */
static const char *misczones[] = {
	"UTC",
	"America/St_Johns",
	"Asia/Kolkata",
	"Europe/London",
	"JLS-5:30:45",
	"ABC+5:30:45",
	"<+0530>-5:30",
	"<-00>0:0:30",
	"Africa/Monrovia",
};

static const char *misctimes[] = {
	"2026-11-21 22:12:27",
	"2026-07-04 09:05:03",
	"1969-07-20 20:17:40",
	"1960-01-01 00:00:00",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The tzfiles testdata/tz/zoneinfo.sh copies, relative to the logformat
 * directory gen.c runs in. */
#define TZDIR "testdata/tz/zoneinfo"

int main(void)
{
	char layout[16];
	static char big[8194];

	setlocale(LC_ALL, "C");
	setenv("TZDIR", TZDIR, 1);
	printf("# glibc strftime golden data, generated by testdata/strftime/gen.c\n");
	printf("# glibc %s, TZDIR=%s\n", gnu_get_libc_version(), TZDIR);
	printf("# tz\tunix\tlayout\tret\toutput\n");

	for (size_t z = 0; z < N(zones); z++) {
		settz(zones[z]);
		for (const char *c = conversions; *c; c++) {
			snprintf(layout, sizeof layout, "%%%c", *c);
			for (size_t i = 0; i < N(times); i++)
				row(zones[z], utc(times[i]), layout);
		}
	}

	settz("America/St_Johns");
	for (size_t k = 0; k < N(flagforms); k++)
		for (const char *c = conversions; *c; c++) {
			snprintf(layout, sizeof layout, flagforms[k], *c);
			for (size_t i = 0; i < N(fewtimes); i++)
				row("America/St_Johns", utc(fewtimes[i]), layout);
		}

	for (size_t z = 0; z < N(misczones); z++) {
		settz(misczones[z]);
		for (size_t k = 0; k < N(misc); k++)
			for (size_t i = 0; i < N(misctimes); i++)
				row(misczones[z], utc(misctimes[i]), misc[k]);
	}

	settz("UTC");
	for (size_t k = 0; k < N(limits); k++)
		row("UTC", utc(times[0]), limits[k]);

	/* Literal-only layouts at and over the 8191-byte limit. */
	memset(big, 'x', sizeof big - 1);
	big[8191] = '\0';
	row("UTC", utc(times[0]), big);
	big[8191] = 'x';
	big[8192] = '\0';
	row("UTC", utc(times[0]), big);
	big[8189] = '%';
	big[8190] = 'Q';
	big[8191] = '\0';
	row("UTC", utc(times[0]), big);
	big[8191] = 'x';
	row("UTC", utc(times[0]), big);
	return 0;
}
