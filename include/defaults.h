/* SPDX-License-Identifier: GPL-2.0 */
/* Default map sizes: the BPF object's own max_entries (bpf/maps.bpf.h), the command line's
 * defaults and its --help (src/cli.c). The man page states them too; tests/unit/test_cli.c
 * fails when docs/daxtrace.8 says otherwise. */
#ifndef DT_DEFAULTS_H
#define DT_DEFAULTS_H

#define DT_DEFAULT_MAX_INODES 10240   /* --max-inodes: the per-inode map */
#define DT_DEFAULT_MAX_PROCS 16384    /* --max-procs: the per-(inode, process) map */
#define DT_DEFAULT_MAX_INFLIGHT 4096  /* --max-inflight: in-flight slots, a power of two */
#define DT_DEFAULT_RINGBUF_KB 4096    /* --ringbuf-kb: the ring buffer of `trace` */
/* --max-offsets: the (inode, 2 MiB block, kind, reason) rows of fallbacks and races. A
 * preallocated hash entry of a 32-byte key and an 8-byte value is 88 bytes in the kernel, plus
 * a 16-byte bucket per entry rounded up to a power of two: about 420 KiB at 4096. */
#define DT_DEFAULT_MAX_OFFSETS 4096
/* --max-hists: with --hist-by, the (key, stage) rows of the per-key histograms, each a 24-byte
 * key and a 256-byte value (32 slots of 8 bytes): 328 bytes per preallocated hash entry plus a
 * 16-byte bucket, 1.35 MiB at 4096 (1410592 bytes of memlock on 6.18): 585 keys with all 7
 * stages. Sized apart from --max-inodes: all 7 stages of 10240 inodes would be 23.5 MiB. */
#define DT_DEFAULT_MAX_HISTS 4096
/* Offsets listed per inode and kind in the JSON; the text detail line shows fewer. */
#define DT_OFFSETS_SHOWN 16

/* For --help, whose strings are built at compile time. */
#define DT_STR_(x) #x
#define DT_STR(x) DT_STR_(x)

#endif
