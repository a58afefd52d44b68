# Sourced by tests/operator/run-modes and tests/host/run (POSIX sh, busybox too): what of
# daxtrace is left in the kernel, told apart from other daxtrace runs on a shared host. A
# program or link no process holds an fd to is left over (the kernel frees an unpinned one
# shortly after its last fd closes); another engineer's running daxtrace holds its own.
# Needs $BPFTOOL.

# "prog ID" and "link ID" for every BPF program and link an fd of a live process holds.
bpf_held() {
	cat /proc/[0-9]*/fdinfo/* 2> /dev/null |
		awk '/^link_id:/ { print "link", $2 } /^prog_id:/ { print "prog", $2 }'
}

# The link ids an fd of process $1 holds, one a line.
bpf_links_of() { cat /proc/"$1"/fdinfo/* 2> /dev/null | awk '/^link_id:/ { print $2 }'; }

# The ids of the programs process $1 attached to perf events (kprobes) it holds, one a line
# ("pid 7  fd 12: prog_id 40  kprobe  func insert_pfn  offset 0").
bpf_perf_progs_of() {
	$BPFTOOL perf list 2> /dev/null | awk -v pid="$1" '$1 == "pid" && $2 == pid {
		for (i = 3; i < NF; i++) if ($i == "prog_id") print $(i + 1) }'
}

# "PROGS LINKS [ID:NAME...]": daxtrace programs (names btf_/raw_/fe_/fx_/kp_/krp_) and links
# to them that no process holds, then those programs' ids and names.
bpf_orphans() {
	{
		bpf_held | sed 's/^/H /'
		$BPFTOOL prog list 2> /dev/null | awk '/^[0-9]+:/ && / name (btf|raw|fe|fx|kp|krp)_/ {
			for (i = 2; i < NF; i++) if ($i == "name") { sub(":", "", $1); print "P", $1, $(i + 1) } }'
		$BPFTOOL link list 2> /dev/null | awk '/^[0-9]+:/ {
			for (i = 2; i < NF; i++) if ($i == "prog") { sub(":", "", $1); print "L", $1, $(i + 1) } }'
	} | awk '$1 == "H" { held[$2 " " $3] = 1; next }
		$1 == "P" { ours[$2] = 1; if (!(("prog " $2) in held)) { np++; ids = ids " " $2 ":" $3 }; next }
		$1 == "L" { prog[$2] = $3 }
		END { for (l in prog) if ((prog[l] in ours) && !(("link " l) in held)) nl++
		      print np + 0, nl + 0 ids }'
}

# Waits up to 20 s (the kernel frees a dead process's objects asynchronously, later on a
# loaded machine) for no orphan; prints the last bpf_orphans.
bpf_settle() {
	i=0
	while [ "$(bpf_orphans)" != "0 0" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	bpf_orphans
}
