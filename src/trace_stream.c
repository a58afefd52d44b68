// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
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
	fprintf(t->out, "%-11s %-15s %7s %7s %-17s %-8s %9s %-10s %s\n", "TIME(s)", "COMM", "PID",
		"TID", "EVENT", "DEV", "INODE", "LAT(us)", "RESULT");
}

static void json_event(struct dt_trace_ctx *t, const struct dt_event *e, const char *dev,
		       const char *result)
{
	struct dt_json j;

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

	if (size < sizeof(*e))
		return 0;
	if (!t->first_ts)
		t->first_ts = e->ts_ns;
	t->events++;
	dt_format_dev(e->dev, dev, sizeof(dev));
	dt_fault_result_str(e->result, result, sizeof(result));
	if (t->cfg->json) {
		json_event(t, e, dev, result);
		return 0;
	}
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
	fprintf(t->out, "%-11.6f %-15s %7u %7u %-17s %-8s %9" PRIu64 " %-10s %s%s%s\n",
		(e->ts_ns - t->first_ts) / 1e9, comm, e->pid, e->tid,
		e->type < DT_E_NR ? dt_event_names[e->type] : "?", dev, (uint64_t)e->ino, lat, result,
		e->fallback && e->fallback <= DT_FB_NR ? " " : "",
		e->fallback && e->fallback <= DT_FB_NR ? dt_fallback_names[e->fallback - 1] : "");
	return 0;
}
