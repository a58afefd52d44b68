// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hist.h"
#include "json_writer.h"
#include "names.h"
#include "paths.h"
#include "trace_stream.h"
#include "untrusted.h"

void dt_fault_result_str(int result, char *buf, size_t len)
{
#define BIT(name, value) { value, #name },
	static const struct { int bit; const char *name; } bits[] = { DT_VM_FAULT_BITS(BIT) };
	size_t used = 0;

	buf[0] = 0;
	if (result < 0) { /* an errno, e.g. a failed fsync */
		snprintf(buf, len, "%d", result);
		return;
	}
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (!(result & bits[i].bit))
			continue;
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%s", used ? "|" : "",
				 bits[i].name);
		result &= ~bits[i].bit;
	}
	if (result && used < len)
		snprintf(buf + used, len - used, "%s0x%x", used ? "|" : "", result);
	else if (!used)
		snprintf(buf, len, "0");
}

void dt_trace_header(struct dt_trace_ctx *t)
{
	if (t->cfg->json)
		return;
	if (t->cfg->timestamps)
		fprintf(t->out, "%-12s ", "WALL");
	fprintf(t->out, "%-11s %-15s %7s %7s %-17s %-8s %9s %12s %-10s %-26s %s\n", "TIME(s)", "COMM",
		"PID", "TID", "EVENT", "DEV", "INODE", "OFFSET", "LAT(us)", "RESULT", "PATH");
}

/* Resolved paths per inode, the key of the slot first: a path (NUL-terminated) and its
 * DT_PATH_* flags. One process has one trace stream. */
static struct trace_path {
	struct dt_inode_key key;
	unsigned flags;
	char *path;
} paths[DT_TRACE_PATHS];

void dt_trace_end(struct dt_trace_ctx *t)
{
	(void)t;
	for (int i = 0; i < DT_TRACE_PATHS; i++) {
		free(paths[i].path);
		paths[i].path = NULL;
	}
}

/* The event's path ("" while its inode has no name: the inode row is made by the fault path,
 * so a writeback of a file never faulted has none), and its flags. */
static const char *event_path(struct dt_trace_ctx *t, const struct dt_event *e, unsigned *flags)
{
	struct dt_inode_rec r = { .key = { .dev = e->dev, .gen = e->gen, .ino = e->ino } };
	struct trace_path *c = &paths[(e->ino * 0x9e3779b97f4a7c15ULL ^ e->dev ^
				      (uint64_t)e->gen << 32) % DT_TRACE_PATHS];
	char buf[DT_PATH_MAX];

	*flags = 0;
	if (c->path && !memcmp(&c->key, &r.key, sizeof(r.key))) {
		*flags = c->flags;
		return c->path;
	}
	if (!t->lookup || t->lookup(t->lookup_arg, &r.key, &r.val) || !r.val.path[0][0])
		return "";
	*flags = dt_paths_resolve(&r, buf, sizeof(buf));
	free(c->path);
	c->path = strdup(buf);
	if (!c->path)
		return "";
	c->key = r.key;
	c->flags = *flags;
	return c->path;
}

/* The file offset of the event: its page index in bytes; none for a failed fsync. */
static bool event_offset(const struct dt_event *e, uint64_t *off)
{
	*off = e->pgoff << DT_PAGE_SHIFT;
	return e->type != DT_E_FSYNC_FAILED;
}

static void json_event(struct dt_trace_ctx *t, const struct dt_event *e, const char *dev,
		       const char *result, const char *path, unsigned flags)
{
	struct dt_json j;
	uint64_t off;

	dt_json_init(&j, t->out);
	dt_json_begin_object(&j);
	dt_json_key(&j, "ts_ns");
	dt_json_u64(&j, e->ts_ns);
	dt_json_key(&j, "event");
	dt_json_string(&j, e->type < DT_E_NR ? dt_event_names[e->type] : "?");
	dt_json_key(&j, "comm");
	dt_json_string_n(&j, e->comm, sizeof(e->comm));
	dt_json_key(&j, "pid");
	dt_json_u64(&j, e->pid);
	dt_json_key(&j, "tid");
	dt_json_u64(&j, e->tid);
	dt_json_key(&j, "dev");
	dt_json_string(&j, dev);
	dt_json_key(&j, "ino");
	dt_json_u64(&j, e->ino);
	dt_json_key(&j, "address");
	dt_json_u64(&j, e->address);
	dt_json_key(&j, "pgoff");
	dt_json_u64(&j, e->pgoff);
	dt_json_key(&j, "offset");
	if (event_offset(e, &off))
		dt_json_u64(&j, off);
	else
		dt_json_null(&j);
	dt_json_key(&j, "path");
	dt_json_string(&j, path);
	dt_json_key(&j, "deleted");
	dt_json_bool(&j, flags & DT_PATH_DELETED);
	dt_json_key(&j, "result");
	dt_json_string(&j, result);
	dt_json_key(&j, "latency_ns");
	dt_json_u64(&j, e->latency_ns);
	if (e->fallback && e->fallback <= DT_FB_NR) {
		dt_json_key(&j, "fallback_reason");
		dt_json_string(&j, dt_fallback_names[e->fallback - 1]);
	}
	dt_json_end_object(&j);
	fputc('\n', t->out);
}

int dt_trace_event(void *ctx, void *data, size_t size)
{
	struct dt_trace_ctx *t = ctx;
	const struct dt_event *e = data;
	char dev[16], result[96], comm[DT_UNTRUSTED_TEXT_SIZE(DT_TASK_COMM_LEN)], lat[24] = "";
	char offset[24] = "-", res[128], shown[DT_UNTRUSTED_TEXT_SIZE(DT_PATH_MAX)];
	const char *path;
	unsigned flags;
	uint64_t off;

	if (size < sizeof(*e))
		return 0;
	if (!t->first_ts)
		t->first_ts = e->ts_ns;
	t->events++;
	dt_format_dev(e->dev, dev, sizeof(dev));
	dt_fault_result_str(e->result, result, sizeof(result));
	path = event_path(t, e, &flags);
	if (t->cfg->json) {
		json_event(t, e, dev, result, path, flags);
		return 0;
	}
	if (event_offset(e, &off))
		snprintf(offset, sizeof(offset), "0x%" PRIx64, off);
	snprintf(res, sizeof(res), "%s%s%s", result, e->fallback && e->fallback <= DT_FB_NR ? " " : "",
		 e->fallback && e->fallback <= DT_FB_NR ? dt_fallback_names[e->fallback - 1] : "");
	/* escaped, a name is data: no control byte reaches the terminal, the line stays one */
	dt_untrusted_text(shown, sizeof(shown), path[0] ? path : "-", strlen(path[0] ? path : "-"));
	/* escaped, a comm is wider than its 15 columns: the row stays one line, just longer */
	dt_untrusted_text(comm, sizeof(comm), e->comm, sizeof(e->comm));
	if (e->latency_ns)
		snprintf(lat, sizeof(lat), "%.3f", e->latency_ns / 1000.0);
	if (t->cfg->timestamps) { /* wall clock: bpf_ktime_get_ns() is CLOCK_MONOTONIC */
		struct timespec rt, mono;
		struct tm tm;
		int64_t wall;
		time_t sec;

		clock_gettime(CLOCK_REALTIME, &rt);
		clock_gettime(CLOCK_MONOTONIC, &mono);
		wall = (int64_t)e->ts_ns + (rt.tv_sec - mono.tv_sec) * 1000000000LL +
		       (rt.tv_nsec - mono.tv_nsec);
		sec = (time_t)(wall / 1000000000LL);
		localtime_r(&sec, &tm);
		fprintf(t->out, "%02d:%02d:%02d.%03d ", tm.tm_hour, tm.tm_min, tm.tm_sec,
			(int)(wall % 1000000000LL / 1000000));
	}
	fprintf(t->out, "%-11.6f %-15s %7u %7u %-17s %-8s %9" PRIu64 " %12s %-10s %-26s %s%s\n",
		(e->ts_ns - t->first_ts) / 1e9, comm, e->pid, e->tid,
		e->type < DT_E_NR ? dt_event_names[e->type] : "?", dev, (uint64_t)e->ino, offset, lat,
		res, shown, flags & DT_PATH_DELETED ? DT_DELETED_SUFFIX : "");
	return 0;
}
