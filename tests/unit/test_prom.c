// SPDX-License-Identifier: GPL-2.0
/* The --prometheus textfile (src/report_prom.c) and the interval accumulation behind it
 * (dt_snapshot_accumulate): exposition-format syntax of every line, label escaping,
 * per-device sums, cumulative counters, bounded cardinality, atomic replacement. */
#include <regex.h>
#include <sys/stat.h>
#include <unistd.h>
#include "test_support.h"
#include "cli.h"
#include "names.h"
#include "report.h"

#define KDEV(ma, mi) dt_dev_encode(ma, mi)

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
	dt_snapshot_finish(s);
}

/* A snapshot and a file to render it to, for each test. */
struct prom_fixture {
	struct dt_snapshot s;
	char path[32];
};

static int prom_setup(void **state)
{
	struct prom_fixture *f = calloc(1, sizeof(*f));
	int fd;

	if (!f)
		return -1;
	snprintf(f->path, sizeof(f->path), "/tmp/dt-prom-XXXXXX");
	fd = mkstemp(f->path);
	if (fd < 0)
		return -1;
	close(fd);
	dt_snapshot_init(&f->s);
	*state = f;
	return 0;
}

static int prom_teardown(void **state)
{
	struct prom_fixture *f = *state;

	dt_snapshot_free(&f->s);
	unlink(f->path);
	free(f);
	return 0;
}

/* The real toolchain's verdict: `promtool check metrics` prints nothing for a clean file.
 * Every file the tests write goes through it. */
static void promtool_check(const char *path)
{
	char cmd[256], out[4096];
	size_t n;
	FILE *p;
	int rc;

	if (system("command -v promtool > /dev/null 2>&1"))
		fail_msg("promtool not found: install Debian's prometheus package (tools/deps does)");
	snprintf(cmd, sizeof(cmd), "promtool check metrics < '%s' 2>&1", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	rc = pclose(p);
	if (rc || n)
		fail_msg("promtool check metrics (exit %d):\n%s", rc, out);
}

static char *render_hooks(struct prom_fixture *fx, uint32_t top, const struct dt_hooks *hooks,
			  enum dt_unit unit)
{
	const char *path = fx->path;
	struct dt_config cfg;
	struct dt_report_ctx ctx = { .cfg = &cfg, .hooks = hooks, .wall_ns = 1700000000123000000ULL };
	char *buf;
	FILE *f;
	long n;

	dt_config_defaults(&cfg);
	cfg.prometheus_top = top;
	cfg.unit = unit;
	assert_int_equal(dt_report_prometheus(path, &ctx, &fx->s), 0);
	promtool_check(path);
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

static char *render(struct prom_fixture *fx, uint32_t top)
{
	return render_hooks(fx, top, NULL, DT_UNIT_US);
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
	struct prom_fixture *f = *state;
	struct dt_snapshot *s = &f->s;
	regex_t sample, comment;
	char *text, *save;

	add(s, KDEV(259, 0), 12, 100, 2, "a \"quoted\" \\ name\nwith newline");
	add(s, KDEV(8, 1), 13, 5, 0, "b");
	s->hists[DT_H_PTE_FAULT].slots[10] = 3;
	s->hist_sum_ns[DT_H_PTE_FAULT] = 3300;
	text = render(f, 5);
	/* name{label="value",...} number — values may hold escaped quotes */
	assert_int_equal(regcomp(&sample, "^[a-z_]+(\\{([a-z_]+=\"([^\"\\\\]|\\\\.)*\",?)+\\})? "
				 "[-+0-9.e]+$", REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regcomp(&comment, "^# (HELP|TYPE) [a-z_]+ .+$", REG_EXTENDED | REG_NOSUB), 0);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (regexec(l[0] == '#' ? &comment : &sample, l, 0, NULL, 0))
			fail_msg("not exposition format: %s", l);
		if (l[0] != '#' && !strstr(l, "_total") && !strstr(l, "_seconds") &&
		    strncmp(l, "daxtrace_hook_info{", 19) && strncmp(l, "daxtrace_stage_measured{", 24))
			fail_msg("not in base units / _total: %s", l);
	}
	regfree(&sample);
	regfree(&comment);
	free(text);
}

static void test_values_devices_and_escaping(void **state)
{
	struct prom_fixture *f = *state;
	struct dt_snapshot *s = &f->s;
	char *text;

	add(s, KDEV(259, 0), 12, 100, 2, "x\"y");
	add(s, KDEV(259, 0), 14, 7, 1, "z");
	add(s, KDEV(8, 1), 13, 5, 0, "b");
	s->hists[DT_H_PTE_FAULT].slots[10] = 3;
	s->hists[DT_H_PTE_FAULT].slots[DT_MAX_SLOTS - 1] = 1;
	s->hist_sum_ns[DT_H_PTE_FAULT] = 2500000000ULL;
	text = render(f, 5);
	/* per-device sums of the inodes */
	assert_non_null(strstr(text, "daxtrace_faults_total{dev=\"259:0\",size=\"pte\"} 107\n"));
	assert_non_null(strstr(text, "daxtrace_faults_total{dev=\"259:0\",size=\"pmd\"} 3\n"));
	assert_non_null(strstr(text, "daxtrace_faults_total{dev=\"8:1\",size=\"pte\"} 5\n"));
	assert_non_null(strstr(text, "daxtrace_fallbacks_total{dev=\"259:0\",reason=\"misaligned\"} 2\n"));
	/* histogram: cumulative buckets (slot 10 of us: below 2048 us), +Inf == count, sum in s */
	assert_non_null(strstr(text, "daxtrace_pte_fault_latency_seconds_bucket{le=\"0.001024\"} 0\n"));
	assert_non_null(strstr(text, "daxtrace_pte_fault_latency_seconds_bucket{le=\"0.002048\"} 3\n"));
	assert_non_null(strstr(text, "daxtrace_pte_fault_latency_seconds_bucket{le=\"+Inf\"} 4\n"));
	assert_non_null(strstr(text, "daxtrace_pte_fault_latency_seconds_count 4\n"));
	assert_non_null(strstr(text, "daxtrace_pte_fault_latency_seconds_sum 2.5\n"));
	/* labelled inode series, path escaped */
	assert_non_null(strstr(text, "path=\"x\\\"y\"} 100\n"));
	free(text);
}

static void test_top_n_bounds_inode_series(void **state)
{
	struct prom_fixture *f = *state;
	struct dt_snapshot *s = &f->s;
	char *text;

	for (int i = 0; i < 1000; i++)
		add(s, KDEV(259, 0), 100 + i, i, 0, "f");
	text = render(f, 3);
	assert_int_equal(count_lines(text, "daxtrace_inode_faults_total{"), 3 * 2);
	/* the busiest ones */
	assert_non_null(strstr(text, "ino=\"1099\",size=\"pte\""));
	assert_null(strstr(text, "ino=\"100\",size=\"pte\""));
	free(text);
	text = render(f, 0);
	assert_int_equal(count_lines(text, "daxtrace_inode_faults_total{"), 0);
	free(text);
}

/* Digits with at most one point and, after a point, no trailing zero: "2", "0.000002". */
static bool exact_decimal(const char *p, size_t n)
{
	size_t dots = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == '.')
			dots++;
		else if (p[i] < '0' || p[i] > '9')
			return false;
	}
	return n && dots <= 1 && p[n - 1] != '.' && !(dots && p[n - 1] == '0');
}

/* Bucket bounds and sums are exact decimal seconds of integer ns: no rounding, no exponent. */
static void test_seconds_are_exact(void **state)
{
	static const struct {
		enum dt_unit unit;
		const char *want[7];
	} cases[] = {
		/* --nanoseconds: slot 29 is below 2^30 ns, which %.9g printed as 1.07374182 */
		{ DT_UNIT_NS, { "daxtrace_fsync_latency_seconds_bucket{le=\"1.073741824\"} 1\n",
				"daxtrace_fsync_latency_seconds_bucket{le=\"0.000000002\"} 0\n",
				"daxtrace_fsync_latency_seconds_sum 1.073741824\n",
				"daxtrace_mkwrite_latency_seconds_sum 2\n",
				"daxtrace_insert_latency_seconds_sum 0.000000007\n",
				"daxtrace_pte_fault_latency_seconds_sum 0\n" } },
		/* us (the default): slot 0 is below 2 us */
		{ DT_UNIT_US, { "daxtrace_fsync_latency_seconds_bucket{le=\"0.000002\"} 0\n",
				"daxtrace_fsync_latency_seconds_bucket{le=\"1073.741824\"} 1\n" } },
		/* ms: slot 29 is below 2^30 ms */
		{ DT_UNIT_MS, { "daxtrace_fsync_latency_seconds_bucket{le=\"0.002\"} 0\n",
				"daxtrace_fsync_latency_seconds_bucket{le=\"1073741.824\"} 1\n" } },
	};
	struct prom_fixture *f = *state;

	f->s.hists[DT_H_FSYNC].slots[29] = 1;
	f->s.hist_sum_ns[DT_H_FSYNC] = 1073741824ULL;
	f->s.hist_sum_ns[DT_H_MKWRITE] = 2000000000ULL;
	f->s.hist_sum_ns[DT_H_INSERT] = 7;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char *text = render_hooks(f, 5, NULL, cases[c].unit), *save;

		for (int i = 0; i < 7 && cases[c].want[i]; i++)
			if (!strstr(text, cases[c].want[i]))
				fail_msg("%s missing", cases[c].want[i]);
		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			const char *v = strrchr(l, ' ') + 1, *le = strstr(l, "le=\"");

			if (l[0] == '#' || !strstr(l, "_latency_seconds"))
				continue;
			if (!exact_decimal(v, strlen(v)) ||
			    (le && strncmp(le + 4, "+Inf", 4) &&
			     !exact_decimal(le + 4, strcspn(le + 4, "\""))))
				fail_msg("not an exact decimal: %s", l);
		}
		free(text);
	}
}

/* One histogram metric per stage, named from dt_hist_names, with a HELP that says how the
 * stages nest: no stage label to sum over. */
static void test_one_metric_per_stage(void **state)
{
	struct prom_fixture *f = *state;
	char *text;

	text = render(f, 5);
	assert_null(strstr(text, "daxtrace_latency_seconds"));
	assert_null(strstr(text, "_latency_seconds_bucket{stage="));
	for (int h = 0; h < DT_H_NR; h++) {
		char want[160];
		const char *help, *end;

		snprintf(want, sizeof(want), "# TYPE daxtrace_%s_latency_seconds histogram\n",
			 dt_hist_names[h]);
		assert_non_null(strstr(text, want));
		snprintf(want, sizeof(want), "daxtrace_%s_latency_seconds_count 0\n", dt_hist_names[h]);
		assert_non_null(strstr(text, want));
		snprintf(want, sizeof(want), "# HELP daxtrace_%s_latency_seconds ", dt_hist_names[h]);
		help = strstr(text, want);
		assert_non_null(help);
		end = strchr(help, '\n');
		/* sync_fault contains the others; each other one names what it nests in */
		if (h == DT_H_SYNC_FAULT) {
			assert_true(strstr(help, "contains") && strstr(help, "contains") < end);
		} else {
			const char *other = strstr(help + strlen(want), "daxtrace_");

			if (!other || other > end)
				fail_msg("HELP of %s names no other stage: %.*s", dt_hist_names[h],
					 (int)(end - help), help);
		}
	}
	free(text);
}

static void add_hook(struct dt_hooks *hooks, const char *name, enum dt_attach_mode mode)
{
	snprintf(hooks->h[hooks->n].name, sizeof(hooks->h[0].name), "%s", name);
	hooks->h[hooks->n++].mode = mode;
}

static void expect_measured(const char *text, int h, int want)
{
	char line[96];

	snprintf(line, sizeof(line), "daxtrace_stage_measured{stage=\"%s\"} %d\n", dt_hist_names[h],
		 want);
	if (!strstr(text, line))
		fail_msg("expected %s", line);
}

/* Every hook is listed with its mode, and each stage says whether its hooks are attached, so
 * that a stage without samples because of a missing hook does not read as idle. */
static void test_hook_info_and_stage_measured(void **state)
{
	struct dt_hooks *hooks = calloc(1, sizeof(*hooks));
	struct prom_fixture *f = *state;
	char *text;

	assert_non_null(hooks);
	add_hook(hooks, "dax_pte_fault", DT_ATTACH_TP_BTF);
	add_hook(hooks, "dax_pte_fault_done", DT_ATTACH_TP_BTF);
	add_hook(hooks, "dax_pmd_fault", DT_ATTACH_RAW_TP);
	add_hook(hooks, "dax_pmd_fault_done", DT_ATTACH_NONE);
	add_hook(hooks, "dax_insert_pfn_mkwrite", DT_ATTACH_TP_BTF);
	add_hook(hooks, "dax_writeback_range", DT_ATTACH_TP_BTF);
	add_hook(hooks, "dax_writeback_range_done", DT_ATTACH_TP_BTF);
	add_hook(hooks, "ext4_sync_file_exit", DT_ATTACH_TP_BTF);
	add_hook(hooks, "insert_pfn", DT_ATTACH_NONE);
	add_hook(hooks, "vmf_insert_page_mkwrite", DT_ATTACH_NONE);
	text = render_hooks(f, 5, hooks, DT_UNIT_US);
	assert_int_equal(count_lines(text, "daxtrace_hook_info{"), hooks->n);
	assert_non_null(strstr(text, "daxtrace_hook_info{hook=\"insert_pfn\",mode=\"unavailable\"} 1\n"));
	assert_non_null(strstr(text, "daxtrace_hook_info{hook=\"dax_pmd_fault\",mode=\"raw_tp\"} 1\n"));
	assert_int_equal(count_lines(text, "daxtrace_stage_measured{"), DT_H_NR);
	expect_measured(text, DT_H_PTE_FAULT, 1);
	expect_measured(text, DT_H_PMD_FAULT, 0); /* its start, but not its end */
	expect_measured(text, DT_H_SYNC_FAULT, 1);
	expect_measured(text, DT_H_FSYNC, 1);     /* ext4's exit tracepoint ends it */
	expect_measured(text, DT_H_MKWRITE, 1);
	expect_measured(text, DT_H_INSERT, 0);    /* no insert function hooked */
	expect_measured(text, DT_H_WRITEBACK, 1);
	free(text);

	/* an fentry on the page insert (6.15+) times insert; without an fsync end hook neither
	 * fsync nor mkwrite is timed */
	hooks->h[9].mode = DT_ATTACH_FENTRY;
	hooks->h[7].mode = DT_ATTACH_NONE;
	text = render_hooks(f, 5, hooks, DT_UNIT_US);
	expect_measured(text, DT_H_INSERT, 1);
	expect_measured(text, DT_H_FSYNC, 0);
	expect_measured(text, DT_H_MKWRITE, 0);
	free(text);

	/* no hooks known: nothing measured, no hook listed */
	text = render(f, 5);
	assert_int_equal(count_lines(text, "daxtrace_hook_info{"), 0);
	for (int h = 0; h < DT_H_NR; h++)
		expect_measured(text, h, 0);
	free(text);
	free(hooks);
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
	assert_int_equal(dt_snapshot_accumulate(&cum, &a, 100), 0);
	assert_int_equal(dt_snapshot_accumulate(&cum, &b, 100), 0);
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

/* A full inode map: the kernel counts the events of inodes without a row per device. The
 * device series include them, so they keep growing however full the map is. */
static void test_device_counters_include_unkeyed_events(void **state)
{
	struct prom_fixture *f = *state;
	struct dt_counts u = {};
	char *text;

	add(&f->s, KDEV(259, 0), 12, 10, 1, "f");
	u.counters[DT_C_PTE_FAULTS] = 50000;
	u.fallbacks[DT_FB_EOF] = 3;
	f->s.unkeyed = u;
	dt_snapshot_add_unkeyed_dev(&f->s, KDEV(259, 0), &u);
	dt_snapshot_finish(&f->s);
	assert_int_equal(f->s.totals[DT_C_PTE_FAULTS], 50010);
	text = render(f, 5);
	assert_non_null(strstr(text, "daxtrace_faults_total{dev=\"259:0\",size=\"pte\"} 50010\n"));
	assert_non_null(strstr(text, "daxtrace_fallbacks_total{dev=\"259:0\",reason=\"eof\"} 3\n"));
	assert_null(strstr(text, "dev=\"other\""));
	free(text);
	/* unkeyed events of a device past the kernel's device table: dev="other", still counted */
	f->s.unkeyed.counters[DT_C_PTE_FAULTS] += 7;
	dt_snapshot_finish(&f->s);
	text = render(f, 5);
	assert_non_null(strstr(text, "daxtrace_faults_total{dev=\"other\",size=\"pte\"} 7\n"));
	free(text);
}

/* Devices past the 64 that get series of their own are summed as dev="other": nothing is
 * dropped, so the device series still add up to the host totals. */
static void test_devices_past_64_are_other(void **state)
{
	struct prom_fixture *f = *state;
	unsigned long long sum = 0, v;
	char *text, *save, dev[16];

	for (int i = 0; i < 70; i++) /* device i: 100 + i PTE faults, so 0..5 are the least busy */
		add(&f->s, KDEV(259, (uint32_t)i), 1, 100 + (uint64_t)i, 0, "f");
	text = render(f, 5);
	assert_int_equal(count_lines(text, "daxtrace_faults_total{"), 2 * (64 + 1));
	assert_non_null(strstr(text, "daxtrace_faults_total{dev=\"other\",size=\"pte\"} 615\n"));
	assert_null(strstr(text, "daxtrace_faults_total{dev=\"259:5\""));
	assert_non_null(strstr(text, "daxtrace_faults_total{dev=\"259:6\",size=\"pte\"} 106\n"));
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (sscanf(l, "daxtrace_faults_total{dev=\"%15[^\"]\",size=\"pte\"} %llu", dev, &v) == 2)
			sum += v;
	assert_int_equal(sum, f->s.totals[DT_C_PTE_FAULTS]);
	free(text);
}

/* -i with --prometheus over many distinct files: the cumulative snapshot keeps a bounded number
 * of rows and folds the rest into per-device totals, which stay exact. */
static void test_accumulate_is_bounded_and_exact(void **state)
{
	struct dt_snapshot cum, iv;
	struct dt_dev_rec d[4], other;

	dt_snapshot_init(&cum);
	dt_snapshot_init(&iv);
	for (int round = 0; round < 50; round++) {
		dt_snapshot_clear(&iv);
		for (int i = 0; i < 200; i++)
			add(&iv, KDEV(259, round & 1), 1000 * (uint64_t)round + (uint64_t)i, 1 + (i == 0), 0, "f");
		dt_snapshot_finish(&iv);
		assert_int_equal(dt_snapshot_accumulate(&cum, &iv, 32), 0);
		assert_true(cum.n_inodes <= 32);
		assert_true(cum.cap_inodes <= 512); /* 32 kept + one interval's 200, doubled */
	}
	assert_int_equal(cum.totals[DT_C_PTE_FAULTS], 50 * 201);
	assert_int_equal(dt_snapshot_devices(&cum, d, 4, &other), 2);
	assert_int_equal(d[0].c.counters[DT_C_PTE_FAULTS] + d[1].c.counters[DT_C_PTE_FAULTS], 50 * 201);
	assert_int_equal(d[0].c.counters[DT_C_PTE_FAULTS], 25 * 201);
	assert_int_equal(other.c.counters[DT_C_PTE_FAULTS], 0);
	/* the busiest rows are the ones kept */
	assert_int_equal(cum.inodes[0].val.counters[DT_C_PTE_FAULTS], 2);
	dt_snapshot_free(&cum);
	dt_snapshot_free(&iv);
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
		cmocka_unit_test_setup_teardown(test_every_line_is_valid_exposition_format, prom_setup, prom_teardown),
		cmocka_unit_test_setup_teardown(test_values_devices_and_escaping, prom_setup, prom_teardown),
		cmocka_unit_test_setup_teardown(test_top_n_bounds_inode_series, prom_setup, prom_teardown),
		cmocka_unit_test_setup_teardown(test_seconds_are_exact, prom_setup, prom_teardown),
		cmocka_unit_test_setup_teardown(test_one_metric_per_stage, prom_setup, prom_teardown),
		cmocka_unit_test_setup_teardown(test_hook_info_and_stage_measured, prom_setup, prom_teardown),
		cmocka_unit_test(test_accumulate_is_cumulative),
		cmocka_unit_test_setup_teardown(test_devices_past_64_are_other, prom_setup, prom_teardown),
		cmocka_unit_test_setup_teardown(test_device_counters_include_unkeyed_events, prom_setup,
						prom_teardown),
		cmocka_unit_test(test_accumulate_is_bounded_and_exact),
		cmocka_unit_test(test_unwritable_path_fails_and_leaves_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
