// SPDX-License-Identifier: GPL-2.0
/* The --prometheus textfile (src/report_prom.c) and the interval accumulation behind it
 * (dt_snapshot_accumulate): exposition-format syntax of every line, label escaping,
 * per-device sums, cumulative counters, bounded cardinality, atomic replacement. */
#include <regex.h>
#include <sys/stat.h>
#include <unistd.h>
#include "test_support.h"
#include "cli.h"
#include "report.h"

#define KDEV(ma, mi) ((ma) << 20 | (mi))

static void add(struct dt_snapshot *s, uint32_t dev, uint64_t ino, uint64_t pte, uint64_t pmd,
		const char *name)
{
	struct dt_inode_key k = { .dev = dev, .ino = ino };
	struct dt_inode_val v = {};

	v.counters[DT_C_PTE_FAULTS] = pte;
	v.counters[DT_C_PMD_FAULTS] = pmd;
	v.counters[DT_C_SYNC_FAULTS] = pte + pmd;
	v.fallbacks[DT_FB_MISALIGNED] = 1;
	snprintf(v.path[0], DT_NAME_LEN, "%s", name);
	assert_non_null(dt_snapshot_add_inode(s, &k, &v));
	s->totals[DT_C_PTE_FAULTS] += pte;
	s->totals[DT_C_PMD_FAULTS] += pmd;
}

static char *render(struct dt_snapshot *s, uint32_t top, const char *path)
{
	struct dt_config cfg;
	struct dt_report_ctx ctx = { .cfg = &cfg, .wall_ns = 1700000000123000000ULL };
	char *buf;
	FILE *f;
	long n;

	dt_config_defaults(&cfg);
	cfg.prometheus_top = top;
	assert_int_equal(dt_report_prometheus(path, &ctx, s), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		n += !strncmp(l, prefix, strlen(prefix));
	return n;
}

static void test_every_line_is_valid_exposition_format(void **state)
{
	struct dt_snapshot s;
	regex_t sample, comment;
	char path[] = "/tmp/dt-prom-XXXXXX", *text, *save;

	close(mkstemp(path));
	dt_snapshot_init(&s);
	add(&s, KDEV(259, 0), 12, 100, 2, "a \"quoted\" \\ name\nwith newline");
	add(&s, KDEV(8, 1), 13, 5, 0, "b");
	s.hists[DT_H_PTE_FAULT].slots[10] = 3;
	s.hist_sum_ns[DT_H_PTE_FAULT] = 3300;
	text = render(&s, 5, path);
	/* name{label="value",...} number — values may hold escaped quotes */
	assert_int_equal(regcomp(&sample, "^[a-z_]+(\\{([a-z_]+=\"([^\"\\\\]|\\\\.)*\",?)+\\})? "
				 "[-+0-9.e]+$", REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regcomp(&comment, "^# (HELP|TYPE) [a-z_]+ .+$", REG_EXTENDED | REG_NOSUB), 0);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (regexec(l[0] == '#' ? &comment : &sample, l, 0, NULL, 0))
			fail_msg("not exposition format: %s", l);
		if (l[0] != '#' && !strstr(l, "_total") && !strstr(l, "_seconds"))
			fail_msg("not in base units / _total: %s", l);
	}
	regfree(&sample);
	regfree(&comment);
	free(text);
	dt_snapshot_free(&s);
	unlink(path);
}

static void test_values_devices_and_escaping(void **state)
{
	struct dt_snapshot s;
	char path[] = "/tmp/dt-prom-XXXXXX", *text;

	close(mkstemp(path));
	dt_snapshot_init(&s);
	add(&s, KDEV(259, 0), 12, 100, 2, "x\"y");
	add(&s, KDEV(259, 0), 14, 7, 1, "z");
	add(&s, KDEV(8, 1), 13, 5, 0, "b");
	s.hists[DT_H_PTE_FAULT].slots[10] = 3;
	s.hists[DT_H_PTE_FAULT].slots[DT_MAX_SLOTS - 1] = 1;
	s.hist_sum_ns[DT_H_PTE_FAULT] = 2500000000ULL;
	text = render(&s, 5, path);
	/* per-device sums of the inodes */
	assert_non_null(strstr(text, "daxtrace_faults_total{dev=\"259:0\",size=\"pte\"} 107\n"));
	assert_non_null(strstr(text, "daxtrace_faults_total{dev=\"259:0\",size=\"pmd\"} 3\n"));
	assert_non_null(strstr(text, "daxtrace_faults_total{dev=\"8:1\",size=\"pte\"} 5\n"));
	assert_non_null(strstr(text, "daxtrace_fallbacks_total{dev=\"259:0\",reason=\"misaligned\"} 2\n"));
	/* histogram: cumulative buckets, +Inf == count, sum in seconds */
	assert_non_null(strstr(text, "daxtrace_latency_seconds_bucket{stage=\"pte_fault\",le=\"0.002048\"} 3\n"));
	assert_non_null(strstr(text, "daxtrace_latency_seconds_bucket{stage=\"pte_fault\",le=\"+Inf\"} 4\n"));
	assert_non_null(strstr(text, "daxtrace_latency_seconds_count{stage=\"pte_fault\"} 4\n"));
	assert_non_null(strstr(text, "daxtrace_latency_seconds_sum{stage=\"pte_fault\"} 2.500000000\n"));
	/* labelled inode series, path escaped */
	assert_non_null(strstr(text, "path=\"x\\\"y\"} 100\n"));
	free(text);
	dt_snapshot_free(&s);
	unlink(path);
}

static void test_top_n_bounds_inode_series(void **state)
{
	struct dt_snapshot s;
	char path[] = "/tmp/dt-prom-XXXXXX", *text;

	close(mkstemp(path));
	dt_snapshot_init(&s);
	for (int i = 0; i < 1000; i++)
		add(&s, KDEV(259, 0), 100 + i, i, 0, "f");
	text = render(&s, 3, path);
	assert_int_equal(count_lines(text, "daxtrace_inode_faults_total{"), 3 * 2);
	/* the busiest ones */
	assert_non_null(strstr(text, "ino=\"1099\",size=\"pte\""));
	assert_null(strstr(text, "ino=\"100\",size=\"pte\""));
	free(text);
	text = render(&s, 0, path);
	assert_int_equal(count_lines(text, "daxtrace_inode_faults_total{"), 0);
	free(text);
	dt_snapshot_free(&s);
	unlink(path);
}

/* -i resets the kernel maps each interval; the exported counters must still only grow. */
static void test_accumulate_is_cumulative(void **state)
{
	struct dt_snapshot cum, a, b;

	dt_snapshot_init(&cum);
	dt_snapshot_init(&a);
	dt_snapshot_init(&b);
	add(&a, KDEV(259, 0), 12, 10, 1, "f");
	a.hists[DT_H_SYNC_FAULT].slots[5] = 2;
	a.hist_sum_ns[DT_H_SYNC_FAULT] = 70;
	a.diag[DT_D_STALE] = 1;
	add(&b, KDEV(259, 0), 12, 5, 0, "f");
	add(&b, KDEV(259, 0), 13, 1, 0, "g");
	b.hists[DT_H_SYNC_FAULT].slots[5] = 1;
	b.hist_sum_ns[DT_H_SYNC_FAULT] = 30;
	assert_int_equal(dt_snapshot_accumulate(&cum, &a), 0);
	assert_int_equal(dt_snapshot_accumulate(&cum, &b), 0);
	assert_int_equal(cum.n_inodes, 2);
	assert_int_equal(cum.totals[DT_C_PTE_FAULTS], 16);
	assert_int_equal(cum.inodes[0].val.counters[DT_C_PTE_FAULTS], 15);
	assert_int_equal(cum.inodes[0].val.fallbacks[DT_FB_MISALIGNED], 2);
	assert_int_equal(cum.hists[DT_H_SYNC_FAULT].slots[5], 3);
	assert_int_equal(cum.hist_sum_ns[DT_H_SYNC_FAULT], 100);
	assert_int_equal(cum.diag[DT_D_STALE], 1);
	dt_snapshot_free(&cum);
	dt_snapshot_free(&a);
	dt_snapshot_free(&b);
}

static void test_unwritable_path_fails_and_leaves_nothing(void **state)
{
	struct dt_snapshot s;
	struct dt_config cfg;
	struct dt_report_ctx ctx = { .cfg = &cfg };
	char dir[] = "/tmp/dt-promdir-XXXXXX", path[64], tmp[80];
	struct stat st;

	dt_config_defaults(&cfg);
	dt_snapshot_init(&s);
	assert_int_not_equal(dt_report_prometheus("/nonexistent-dir/x.prom", &ctx, &s), 0);
	/* the replacement is atomic: only the final file remains, no .tmp */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(dt_report_prometheus(path, &ctx, &s), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_not_equal(stat(tmp, &st), 0);
	unlink(path);
	rmdir(dir);
	dt_snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_line_is_valid_exposition_format),
		cmocka_unit_test(test_values_devices_and_escaping),
		cmocka_unit_test(test_top_n_bounds_inode_series),
		cmocka_unit_test(test_accumulate_is_cumulative),
		cmocka_unit_test(test_unwritable_path_fails_and_leaves_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
