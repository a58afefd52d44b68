// SPDX-License-Identifier: GPL-2.0
/* contention: what daxtrace's programs cost per fault when every CPU faults at once (issue 14).
 *
 * The raw_tp programs run through BPF_PROG_TEST_RUN, with the arguments of one PTE sync fault
 * (dax_pte_fault, iomap_iter_dstmap, dax_pte_fault_done with NEEDDSYNC, dax_writeback_range,
 * dax_writeback_one, dax_writeback_range_done, dax_insert_pfn_mkwrite) and of one cheap read
 * fault (dax_pte_fault, iomap_iter_dstmap, dax_pte_fault_done with NOPAGE). The inode, super
 * block, VMA, file and dentries are one fake set in kernel memory (tests/lib/kmem.h), so every
 * CPU counts into the same inode row, as the threads of one process faulting on one file do;
 * each thread has its own vm_fault. One thread per CPU, pinned, runs with
 * BPF_F_TEST_RUN_ON_CPU on its own CPU: first one thread with the others idle, then all at
 * once. Each syscall is timed in user space and the same timing of a program that only returns
 * is subtracted, so the figures are the programs' own cost. No DAX device, no kprobes needed.
 *
 * After the runs the counters are read back with dt_collect(), the code daxtrace's reports use,
 * and must be exactly what ran: a lost update or a program that gave up early fails the run.
 * Nothing here depends on the layout of the BPF maps or globals. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "collect.h"
#include "daxtrace.h"
#include "daxtrace.skel.h"
#include "hist.h"
#include "inflight.h"
#include "kmem.h"

/* Exit codes (--help). */
enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,   /* BPF load or test run failed, out of memory */
	EXIT_SELFCHECK = 3, /* the counters read back differ from what ran */
	EXIT_USAGE = 64,
	EXIT_NO_PERM = 77,  /* not root, or BPF refused for lack of privilege */
};

/* Kernel values of the fake fault (include/linux/mm_types.h, mm.h, fs.h, kdev_t.h). */
#define VM_FAULT_NOPAGE 0x100
#define VM_FAULT_NEEDDSYNC 0x2000
#define FAULT_FLAG_WRITE 0x1
#define VM_SHARED 0x8
#define PAGE_SIZE 4096ULL
#define FAKE_DEV dt_dev_encode(259, 0) /* the kernel's MKDEV(259, 0): a pmem namespace */
#define FAKE_INO 4242
#define FAKE_GEN 7
#define FAKE_NAME "contention"
#define FAKE_START 0x7f0000000000ULL

#define MAX_STEPS 8 /* the trivial program, then a sequence's programs */
/* A test run longer than this was preempted, interrupted or lost its vCPU to the hypervisor
 * (a run costs 1-2 us here): it is left out of the means and counted. Other load on the host
 * (a guest on one of two CPUs) would otherwise weigh on the all-CPUs runs only, whose threads
 * have no idle CPU to let it run on. A contended cache line costs far less than this. */
#define CUTOFF_NS 20000
#define MAX_ROUNDS 101
enum kind { K_SYNC, K_READ, K_NR };
enum mode { M_ONE, M_ALL, M_NR };

/* One program of a sequence and its arguments, as the tracepoint passes them. Step 0 of every
 * sequence is the trivial program, run before each fault under the same conditions (same
 * CPUs busy, same moment), so that what is subtracted was measured alongside. */
struct step {
	const char *name;
	int fd;
	int nargs;
	uint64_t args[3];
};

struct sequence {
	const char *name;
	int nsteps;
	struct step steps[MAX_STEPS];
};

/* Where the fake structs are in the kernel memory (kmem), set by layout(). */
static struct {
	uint32_t sb, inode, vma, file, dentry, root, name, iomap, vmf, vmf_stride;
	size_t size;
} at;

struct worker {
	pthread_t thread;
	int cpu;
	uint64_t vmf, pgoff;
	struct sequence seq[K_NR];
	uint64_t ns[MAX_STEPS];   /* the last phase: time in each step's kept syscalls */
	uint64_t kept[MAX_STEPS]; /* and how many were kept (under CUTOFF_NS) */
	int err;                /* the last phase: -errno of the first failed run, or 0 */
	const char *failed;     /* and the program it ran */
};

static struct daxtrace_bpf *skel;
static int trivial_fd = -1;
static struct worker *workers;
static int nworkers;
static uint64_t events = 100000;
static int rounds = 5;
static bool verbose;

/* The phase the workers run between the two barriers: kind on worker `only`, or on all. */
static pthread_barrier_t start_line, finish_line;
static struct {
	enum kind kind;
	int only; /* a worker index, or -1 for all */
	bool quit;
} phase;

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return verbose && level != LIBBPF_DEBUG ? vfprintf(stderr, fmt, ap) : 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: contention [--events N] [--rounds R] [-v]\n"
		"Runs daxtrace's raw_tp programs through BPF_PROG_TEST_RUN with the events of a PTE\n"
		"sync fault and of a read fault, one thread per CPU, and prints the ns per fault with\n"
		"one thread running and with all at once (median of the rounds), minus the cost of the\n"
		"test-run syscall itself; and what this machine charges for one cache line two CPUs\n"
		"write at once, against lines of their own (without such a charge no contention can\n"
		"show). Then checks that daxtrace's counters (read as its reports read them) hold\n"
		"exactly the faults that ran. Needs root.\n"
		"  --events N   faults of each kind per thread and run (default 100000)\n"
		"  --rounds R   rounds, each one thread then all threads (default 5, at most %d)\n"
		"  -v           libbpf's warnings\n"
		"Exit codes: 0 done, counters exact; 1 BPF load or run failed; 3 counters differ from\n"
		"the faults run (lost updates, programs that exited early); 64 usage; 77 not root or\n"
		"no permission for BPF.\n",
		MAX_ROUNDS);
}

static int parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "events", required_argument, NULL, 'e' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{},
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "e:r:hv", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			errno = 0;
			events = strtoull(optarg, &end, 10);
			if (errno || *end || !events || *optarg == '-') {
				fprintf(stderr, "contention: --events needs a positive number, not '%s'\n", optarg);
				return -1;
			}
			break;
		case 'r':
			rounds = (int)strtol(optarg, &end, 10);
			if (*end || rounds < 1 || rounds > MAX_ROUNDS) {
				fprintf(stderr, "contention: --rounds needs 1 to %d, not '%s'\n", MAX_ROUNDS, optarg);
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		case 'v':
			verbose = true;
			break;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "contention: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

/* ---- the programs and the fake fault ------------------------------------------------ */

/* daxtrace's raw_tp programs, configured as its aggregate mode configures them with default
 * options (src/loader.c): the same rodata and map sizes. */
static struct daxtrace_bpf *open_programs(void)
{
	struct dt_config cfg;
	struct dt_inflight_choice choice;
	struct daxtrace_bpf *o;
	struct bpf_program *p;
	uint32_t slots;
	int err;

	dt_config_defaults(&cfg);
	choice = dt_inflight_choose(&cfg);
	o = dt_inflight_open(choice.kind, NULL);
	if (!o)
		return NULL;
	o->rodata->hist_unit_ns = dt_unit_div(cfg.unit);
	o->rodata->seq_set_mask = dt_seq_slots(cfg.max_inflight) / DT_SEQ_WAYS - 1;
	slots = choice.kind == DT_INFLIGHT_HASH ? cfg.max_inflight : dt_seq_slots(cfg.max_inflight);
	err = bpf_map__set_max_entries(o->maps.inodes, cfg.max_inodes);
	err = err ?: bpf_map__set_max_entries(o->maps.procs, cfg.max_procs);
	err = err ?: bpf_map__set_max_entries(o->maps.offsets, cfg.max_offsets);
	err = err ?: bpf_map__set_max_entries(o->maps.inflight, slots);
	err = err ?: bpf_map__set_max_entries(o->maps.wb_start, cfg.max_inflight);
	err = err ?: bpf_map__set_max_entries(o->maps.traced, cfg.max_inflight);
	bpf_object__for_each_program(p, o->obj)
		bpf_program__set_autoload(p, !strncmp(bpf_program__section_name(p), "raw_tp/", 7));
	if (err || daxtrace_bpf__load(o)) {
		err = errno;
		daxtrace_bpf__destroy(o);
		errno = err;
		return NULL;
	}
	/* as the loader sets it where iomap_iter_dstmap is attached (6.18 has it) */
	o->bss->dstmap_hooked = true;
	return o;
}

/* r0 = 0; exit: the cost of the test-run syscall alone. */
static int load_trivial(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "dt_cont_trivial", "GPL", insns, 2, NULL);
}

static uint32_t place(uint32_t *next, const char *type)
{
	uint32_t here = *next;

	*next += (uint32_t)((kmem_sizeof(type) + 63) & ~(size_t)63);
	return here;
}

/* Offsets of each struct, whole and cache-line aligned: the kernel's sizes from its BTF. Each
 * worker's vm_fault on lines of its own, so that only daxtrace's writes are shared. */
static int layout(int n)
{
	uint32_t next = 64;

	if (!kmem_sizeof("super_block") || !kmem_sizeof("inode") || !kmem_sizeof("vm_fault"))
		return -1;
	at.sb = place(&next, "super_block");
	at.inode = place(&next, "inode");
	at.vma = place(&next, "vm_area_struct");
	at.file = place(&next, "file");
	at.dentry = place(&next, "dentry");
	at.root = place(&next, "dentry");
	at.iomap = place(&next, "iomap");
	at.name = next;
	next += 64;
	at.vmf = next;
	at.vmf_stride = (uint32_t)((kmem_sizeof("vm_fault") + 127) & ~(size_t)127);
	at.size = next + (size_t)n * at.vmf_stride;
	return 0;
}

static int set_field_at(uint32_t base, const char *type, const char *field, const char *sub_type,
			const char *sub_field, uint64_t value)
{
	uint32_t off, size;

	if (kmem_field(type, field, &off, &size))
		return -1;
	return kmem_set(base + off, sub_type, sub_field, value);
}

/* One file (dev, inode, generation) named FAKE_NAME in a filesystem's root, mapped shared:
 * the programs find its row, and capture its path once, as for a real file. */
static int fake_file(void)
{
	uint64_t a = kmem_addr;
	int err = 0;

	err |= kmem_set(at.sb, "super_block", "s_dev", FAKE_DEV);
	err |= kmem_set(at.inode, "inode", "i_sb", a + at.sb);
	err |= kmem_set(at.inode, "inode", "i_ino", FAKE_INO);
	err |= kmem_set(at.inode, "inode", "i_generation", FAKE_GEN);
	err |= kmem_set(at.vma, "vm_area_struct", "vm_start", FAKE_START);
	err |= kmem_set(at.vma, "vm_area_struct", "vm_end", FAKE_START + (uint64_t)nworkers * PAGE_SIZE);
	err |= kmem_set(at.vma, "vm_area_struct", "vm_flags", VM_SHARED);
	err |= kmem_set(at.vma, "vm_area_struct", "vm_file", a + at.file);
	err |= set_field_at(at.file, "file", "f_path", "path", "dentry", a + at.dentry);
	err |= kmem_set(at.dentry, "dentry", "d_parent", a + at.root);
	err |= set_field_at(at.dentry, "dentry", "d_name", "qstr", "name", a + at.name);
	err |= set_field_at(at.dentry, "dentry", "d_name", "qstr", "len", strlen(FAKE_NAME));
	err |= kmem_set(at.root, "dentry", "d_parent", a + at.root);
	memcpy(kmem + at.name, FAKE_NAME, sizeof(FAKE_NAME));
	return err ? -1 : 0;
}

/* Worker i's write fault at page i of the file. */
static int fake_vmf(int i)
{
	uint32_t base = at.vmf + (uint32_t)i * at.vmf_stride;
	int err = 0;

	workers[i].vmf = kmem_addr + base;
	workers[i].pgoff = (uint64_t)i;
	err |= kmem_set(base, "vm_fault", "vma", kmem_addr + at.vma);
	err |= kmem_set(base, "vm_fault", "pgoff", workers[i].pgoff);
	err |= kmem_set(base, "vm_fault", "address", FAKE_START + workers[i].pgoff * PAGE_SIZE);
	err |= kmem_set(base, "vm_fault", "flags", FAULT_FLAG_WRITE);
	return err ? -1 : 0;
}

static struct step step3(const char *name, const struct bpf_program *p, uint64_t a0, uint64_t a1,
			 uint64_t a2)
{
	return (struct step){ .name = name, .fd = bpf_program__fd(p), .nargs = 3,
			      .args = { a0, a1, a2 } };
}

/* The events of each kind of fault, with worker w's vmf, in the order the kernel fires them. */
static void sequences(struct worker *w)
{
	typeof(skel->progs) *p = &skel->progs;
	uint64_t inode = kmem_addr + at.inode, iomap = kmem_addr + at.iomap, vmf = w->vmf;
	struct sequence *s;

	s = &w->seq[K_SYNC];
	*s = (struct sequence){ .name = "pte_sync", .nsteps = 8 };
	s->steps[0] = (struct step){ .name = "trivial", .fd = trivial_fd, .nargs = 3 };
	s->steps[1] = step3("dax_pte_fault", p->raw_dax_pte_fault, inode, vmf, 0);
	s->steps[2] = step3("iomap_iter_dstmap", p->raw_iomap_iter_dstmap, inode, iomap, 0);
	s->steps[2].nargs = 2;
	s->steps[3] = step3("dax_pte_fault_done", p->raw_dax_pte_fault_done, inode, vmf,
			    VM_FAULT_NEEDDSYNC);
	s->steps[4] = step3("dax_writeback_range", p->raw_dax_writeback_range, inode, w->pgoff,
			    w->pgoff);
	s->steps[5] = step3("dax_writeback_one", p->raw_dax_writeback_one, inode, w->pgoff, 1);
	s->steps[6] = step3("dax_writeback_range_done", p->raw_dax_writeback_range_done, inode,
			    w->pgoff, w->pgoff);
	s->steps[7] = step3("dax_insert_pfn_mkwrite", p->raw_dax_insert_pfn_mkwrite, inode, vmf,
			    VM_FAULT_NOPAGE);

	s = &w->seq[K_READ];
	*s = w->seq[K_SYNC];
	s->name = "pte_read";
	s->nsteps = 4;
	s->steps[3].args[2] = VM_FAULT_NOPAGE;
}

/* ---- the workers -------------------------------------------------------------------- */

/* events runs of the worker's sequence, each syscall timed on its own. */
static void run_sequence(struct worker *w, const struct sequence *s)
{
	struct bpf_test_run_opts opts[MAX_STEPS];

	for (int i = 0; i < s->nsteps; i++) {
		opts[i] = (struct bpf_test_run_opts){
			.sz = sizeof(opts[i]),
			.ctx_in = s->steps[i].args,
			.ctx_size_in = (uint32_t)s->steps[i].nargs * 8,
			.flags = BPF_F_TEST_RUN_ON_CPU,
			.cpu = (uint32_t)w->cpu,
		};
		w->ns[i] = w->kept[i] = 0;
	}
	w->err = 0;
	for (uint64_t e = 0; e < events; e++) {
		for (int i = 0; i < s->nsteps; i++) {
			uint64_t t0 = now_ns();
			int err = bpf_prog_test_run_opts(s->steps[i].fd, &opts[i]);
			uint64_t t = now_ns() - t0;

			if (t < CUTOFF_NS) {
				w->ns[i] += t;
				w->kept[i]++;
			}
			if (err) {
				w->err = -errno;
				w->failed = s->steps[i].name;
				return;
			}
		}
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int idx = (int)(w - workers);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		w->err = -errno;
		w->failed = "sched_setaffinity";
	}
	for (;;) {
		pthread_barrier_wait(&start_line);
		if (phase.quit)
			return NULL;
		if (!w->err && (phase.only < 0 || phase.only == idx))
			run_sequence(w, &w->seq[phase.kind]);
		pthread_barrier_wait(&finish_line);
	}
}

/* Runs kind on worker only (or all, -1) and waits for it; 0, or -1 if a run failed. */
static int run_phase(enum kind kind, int only)
{
	phase.kind = kind;
	phase.only = only;
	pthread_barrier_wait(&start_line);
	pthread_barrier_wait(&finish_line);
	for (int i = 0; i < nworkers; i++) {
		if (workers[i].err) {
			fprintf(stderr, "contention: %s on CPU %d: %s\n", workers[i].failed,
				workers[i].cpu, strerror(-workers[i].err));
			return -1;
		}
	}
	return 0;
}

/* Test runs of each mode, and those left out (over CUTOFF_NS). */
static uint64_t runs[M_NR], dropped[M_NR];

/* ns per event of each step in the last phase (kept runs), averaged over the workers that ran
 * it; their left-out runs counted in mode m. */
static void step_ns(enum kind kind, int only, enum mode m, double *out)
{
	int n = 0, nsteps = workers[0].seq[kind].nsteps;

	for (int s = 0; s < nsteps; s++)
		out[s] = 0;
	for (int i = 0; i < nworkers; i++) {
		const struct worker *w = &workers[i];

		if (only >= 0 && i != only)
			continue;
		n++;
		for (int s = 0; s < nsteps; s++) {
			out[s] += w->kept[s] ? (double)w->ns[s] / (double)w->kept[s] : 0;
			runs[m] += events;
			dropped[m] += events - w->kept[s];
		}
	}
	for (int s = 0; s < nsteps; s++)
		out[s] /= n;
}

/* ---- the figures ---------------------------------------------------------------------- */

/* ns[round][mode][kind][step]: per event, the trivial program's syscall (step 0) not yet
 * subtracted. */
static double ns[MAX_ROUNDS][M_NR][K_NR][MAX_STEPS];

/* One round: one worker (a different CPU each round) with the others idle, then all. */
static int run_round(int r)
{
	int one = r % nworkers;

	for (enum kind k = 0; k < K_NR; k++) {
		if (run_phase(k, one))
			return -1;
		step_ns(k, one, M_ONE, ns[r][M_ONE][k]);
	}
	for (enum kind k = 0; k < K_NR; k++) {
		if (run_phase(k, -1))
			return -1;
		step_ns(k, -1, M_ALL, ns[r][M_ALL][k]);
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The programs' own ns per event, median of the rounds: of step s of kind, or, with s < 0, of
 * the whole sequence; each syscall minus the trivial one of the same phase. */
static double cost(enum mode m, enum kind k, int s)
{
	double v[MAX_ROUNDS];
	int nsteps = workers[0].seq[k].nsteps;

	for (int r = 0; r < rounds; r++) {
		double base = ns[r][m][k][0], sum = 0;

		for (int i = 1; i < nsteps; i++)
			if (s < 0 || s == i)
				sum += ns[r][m][k][i] - base;
		v[r] = sum;
	}
	return median(v, rounds);
}

/* The trivial program's syscall, median of the rounds, alongside kind. */
static double baseline(enum mode m, enum kind k)
{
	double v[MAX_ROUNDS];

	for (int r = 0; r < rounds; r++)
		v[r] = ns[r][m][k][0];
	return median(v, rounds);
}

static double ratio(double all, double one)
{
	return one > 0 ? all / one : 0;
}

static void print_figures(void)
{
	const struct worker *w = &workers[0];

	printf("contention: daxtrace raw_tp programs via BPF_PROG_TEST_RUN, %d CPUs, %llu faults per "
	       "thread and run, %d rounds (median)\n",
	       nworkers, (unsigned long long)events, rounds);
	printf("test-run syscall alone (subtracted): one %.1f ns, all %.1f ns (beside pte_sync)\n",
	       baseline(M_ONE, K_SYNC), baseline(M_ALL, K_SYNC));
	printf("runs over %d us left out (preempted, interrupted): one %.3f%%, all %.3f%%\n\n",
	       CUTOFF_NS / 1000, 100.0 * (double)dropped[M_ONE] / (double)runs[M_ONE],
	       100.0 * (double)dropped[M_ALL] / (double)runs[M_ALL]);
	printf("%-28s %5s %13s %13s %8s\n", "sequence", "CPUs", "ns/fault one", "ns/fault all",
	       "all/one");
	for (enum kind k = K_SYNC; k < K_NR; k++) {
		double one = cost(M_ONE, k, -1), all = cost(M_ALL, k, -1);

		printf("%-28s %5d %13.1f %13.1f %8.2f\n", w->seq[k].name, nworkers, one, all,
		       ratio(all, one));
		for (int s = 1; s < w->seq[k].nsteps; s++) {
			double so = cost(M_ONE, k, s), sa = cost(M_ALL, k, s);

			printf("  %-26s %5s %13.1f %13.1f %8.2f\n", w->seq[k].steps[s].name, "", so, sa,
			       ratio(sa, so));
		}
	}
	printf("goal: all/one <= 1.2\n\n");
	printf("@@contention baseline one=%.1f all=%.1f cpus=%d dropped_one=%llu dropped_all=%llu "
	       "runs_one=%llu runs_all=%llu\n", baseline(M_ONE, K_SYNC), baseline(M_ALL, K_SYNC), nworkers,
	       (unsigned long long)dropped[M_ONE], (unsigned long long)dropped[M_ALL],
	       (unsigned long long)runs[M_ONE], (unsigned long long)runs[M_ALL]);
	for (enum kind k = K_SYNC; k < K_NR; k++) {
		double one = cost(M_ONE, k, -1), all = cost(M_ALL, k, -1);

		printf("@@contention %s one=%.1f all=%.1f ratio=%.3f cpus=%d\n", w->seq[k].name, one,
		       all, ratio(all, one), nworkers);
		for (int s = 1; s < w->seq[k].nsteps; s++) {
			double so = cost(M_ONE, k, s), sa = cost(M_ALL, k, s);

			printf("@@contention_prog %s %s one=%.1f all=%.1f ratio=%.3f cpus=%d\n",
			       w->seq[k].name, w->seq[k].steps[s].name, so, sa, ratio(sa, so), nworkers);
		}
	}
}

/* ---- the self-check ----------------------------------------------------------------- */

struct expect {
	const char *what;
	uint64_t got, want;
};

/* The counters as daxtrace's reports read them must hold every fault that ran: n of each kind
 * (a sync fault is a PTE fault, one writeback and one PTE upgrade; a read fault a PTE fault),
 * and every sync sequence closed (its latency sampled). */
static int self_check(void)
{
	uint64_t n = events * (uint64_t)rounds * (uint64_t)(1 + nworkers);
	const struct dt_inode_key fake = { .dev = FAKE_DEV, .gen = FAKE_GEN, .ino = FAKE_INO };
	const struct dt_inode_rec *row;
	struct dt_snapshot s;
	int bad = -1;

	dt_snapshot_init(&s);
	if (dt_collect(skel, &s, false)) {
		fprintf(stderr, "contention: reading the counters back failed: %s\n", strerror(errno));
		dt_snapshot_free(&s);
		return EXIT_RUNTIME;
	}
	/* the programs read the fake inode through its pointers: every fault is in its row */
	row = dt_snapshot_find(&s, &fake);
	struct expect e[] = {
		{ "inode rows", s.n_inodes, 1 },
		{ "pte_faults of the fake inode's row", row ? row->val.counters[DT_C_PTE_FAULTS] : 0, 2 * n },
		/* its name taken once, as for a real file, not tried again at every fault */
		{ "rows named " FAKE_NAME, row && !strcmp(row->val.path[0], FAKE_NAME), 1 },
		{ "pte_faults", s.totals[DT_C_PTE_FAULTS], 2 * n },
		{ "sync_faults", s.totals[DT_C_SYNC_FAULTS], n },
		{ "pte_upgrades", s.totals[DT_C_PTE_UPGRADES], n },
		{ "writebacks", s.totals[DT_C_WRITEBACKS], n },
		{ "sync_fault samples", dt_hist_count(&s.hists[DT_H_SYNC_FAULT]), n },
		{ "pte_fault samples", dt_hist_count(&s.hists[DT_H_PTE_FAULT]), 2 * n },
	};
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]) && bad < 0; i++)
		if (e[i].got != e[i].want)
			bad = (int)i;
	if (bad >= 0)
		fprintf(stderr, "contention: self-check failed: %s %llu, expected %llu (lost updates "
			"or programs that exited early)\n", e[bad].what,
			(unsigned long long)e[bad].got, (unsigned long long)e[bad].want);
	else
		printf("@@contention selfcheck ok pte_faults=%llu sync_faults=%llu pte_upgrades=%llu\n",
		       (unsigned long long)s.totals[DT_C_PTE_FAULTS],
		       (unsigned long long)s.totals[DT_C_SYNC_FAULTS],
		       (unsigned long long)s.totals[DT_C_PTE_UPGRADES]);
	dt_snapshot_free(&s);
	return bad >= 0 ? EXIT_SELFCHECK : EXIT_OK;
}

/* ---- set-up ------------------------------------------------------------------------- */

/* Exit code for a failed BPF call: no privilege, or anything else. */
static int bpf_failure(const char *what)
{
	int err = errno;

	fprintf(stderr, "contention: %s: %s\n", what, strerror(err));
	return err == EPERM || err == EACCES ? EXIT_NO_PERM : EXIT_RUNTIME;
}

/* One worker per CPU this process may run on (the online ones, unless restricted). */
static int make_workers(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	nworkers = CPU_COUNT(&set);
	workers = calloc((size_t)nworkers, sizeof(*workers));
	if (!workers)
		return -1;
	for (int cpu = 0, i = 0; cpu < CPU_SETSIZE && i < nworkers; cpu++)
		if (CPU_ISSET(cpu, &set))
			workers[i++].cpu = cpu;
	return 0;
}

static int setup(void)
{
	if (make_workers())
		return bpf_failure("CPUs");
	skel = open_programs();
	if (!skel)
		return bpf_failure("loading daxtrace's raw_tp programs");
	trivial_fd = load_trivial();
	if (trivial_fd < 0)
		return bpf_failure("loading the trivial program");
	/* the fixed structs take a few KiB; a vm_fault about 200 bytes */
	if (kmem_setup(16384 + (size_t)nworkers * 512) || layout(nworkers))
		return bpf_failure("kernel memory for the fake fault");
	if (at.size > kmem_size)
		return fprintf(stderr, "contention: the fake structs need %zu bytes, more than %zu\n",
			       at.size, kmem_size), EXIT_RUNTIME;
	if (fake_file())
		return fprintf(stderr, "contention: this kernel's BTF lacks a field of the fake fault\n"),
		       EXIT_RUNTIME;
	for (int i = 0; i < nworkers; i++) {
		if (fake_vmf(i))
			return fprintf(stderr, "contention: this kernel's BTF lacks a vm_fault field\n"),
			       EXIT_RUNTIME;
		sequences(&workers[i]);
	}
	if (kmem_store())
		return bpf_failure("writing the fake fault");
	return EXIT_OK;
}

static int start_workers(void)
{
	pthread_barrier_init(&start_line, NULL, (unsigned)nworkers + 1);
	pthread_barrier_init(&finish_line, NULL, (unsigned)nworkers + 1);
	for (int i = 0; i < nworkers; i++) {
		errno = pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
		if (errno)
			return -1;
	}
	return 0;
}

static void stop_workers(void)
{
	phase.quit = true;
	pthread_barrier_wait(&start_line);
	for (int i = 0; i < nworkers; i++)
		pthread_join(workers[i].thread, NULL);
}

/* What this machine charges for one cache line written by two CPUs at once: the first and
 * last CPU add to one shared 8-byte counter, then each to its own line. Where the two cost
 * the same (SMT siblings, or vCPUs the host runs in turn), no contention can show here, and
 * the ratio above says nothing about a many-core host. */
#define CAL_OPS 5000000

static _Alignas(128) uint64_t cal_line[2][16];
static pthread_barrier_t cal_start;

struct cal {
	int cpu;
	uint64_t *p;
	double ns;
};

static void *cal_main(void *arg)
{
	struct cal *c = arg;
	cpu_set_t set;
	uint64_t t0;

	CPU_ZERO(&set);
	CPU_SET(c->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	pthread_barrier_wait(&cal_start);
	t0 = now_ns();
	for (int i = 0; i < CAL_OPS; i++)
		__atomic_fetch_add(c->p, 1, __ATOMIC_RELAXED);
	c->ns = (double)(now_ns() - t0) / CAL_OPS;
	return NULL;
}

/* ns per atomic add, the larger of the two threads', with both on one line or on their own. */
static double cal_run(bool same)
{
	struct cal c[2] = { { 0, &cal_line[0][0], 0 }, { nworkers - 1, &cal_line[same ? 0 : 1][0], 0 } };
	pthread_t t[2];

	pthread_barrier_init(&cal_start, NULL, 2);
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, cal_main, &c[i]))
			return -1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&cal_start);
	return c[0].ns > c[1].ns ? c[0].ns : c[1].ns;
}

static void calibrate(void)
{
	double own, shared;

	if (nworkers < 2)
		return;
	own = cal_run(false);
	shared = cal_run(true);
	printf("cache line written by CPUs 0 and %d at once: %.1f ns per atomic add, %.1f ns on lines "
	       "of their own (%.2fx)\n", nworkers - 1, shared, own, own > 0 ? shared / own : 0);
	printf("@@contention calibration shared=%.1f own=%.1f ratio=%.2f cpus=%d\n", shared, own,
	       own > 0 ? shared / own : 0, nworkers);
}

int main(int argc, char **argv)
{
	int rc;

	if (parse_args(argc, argv))
		return EXIT_USAGE;
	if (geteuid() != 0) {
		fprintf(stderr, "contention: needs root (BPF_PROG_TEST_RUN of daxtrace's programs)\n");
		return EXIT_NO_PERM;
	}
	libbpf_set_print(quiet);
	rc = setup();
	if (rc)
		return rc;
	if (start_workers()) {
		fprintf(stderr, "contention: threads: %s\n", strerror(errno));
		return EXIT_RUNTIME;
	}
	for (int r = 0; r < rounds && !rc; r++)
		rc = run_round(r) ? EXIT_RUNTIME : EXIT_OK;
	stop_workers();
	if (rc)
		return rc;
	print_figures();
	calibrate();
	fflush(stdout); /* the figures before a self-check failure, in a log of both streams */
	rc = self_check();
	fflush(stdout);
	return rc;
}
