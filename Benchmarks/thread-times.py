#!/usr/bin/env python3
"""Runs a command and reports, per thread, its CPU time and its time waiting for a core.

    python3 Benchmarks/thread-times.py CUSTODY_OR_PEER_COMMAND...

Linux only: every 250 ms it reads /proc/<pid>/task/<tid>/schedstat (time on a core, time
runnable in the run queue, timeslices) for every thread of the command. At the end it
prints the command's last output line, its wall time, the six busiest threads, and each
core's busy and idle time over the run (/proc/stat). docs/benchmarks.md ("Sixteenth
session") shows how to read it: a thread that waits for a core about as long as it runs
means the cores are short, not that the thread is slow.
"""
import os
import subprocess
import sys
import time


def cpu_times():
    with open("/proc/stat") as stat:
        return {line.split()[0]: [int(x) for x in line.split()[1:]] for line in stat if line.startswith("cpu")}


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    before, started = cpu_times(), time.time()
    process = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    threads = {}
    while process.poll() is None:
        try:
            for tid in os.listdir(f"/proc/{process.pid}/task"):
                try:
                    with open(f"/proc/{process.pid}/task/{tid}/comm") as comm, \
                         open(f"/proc/{process.pid}/task/{tid}/schedstat") as schedstat:
                        running, waiting, slices = map(int, schedstat.read().split())
                        threads[tid] = (comm.read().strip(), running / 1e9, waiting / 1e9, slices)
                except OSError:
                    pass  # the thread ended between listing and reading
        except OSError:
            pass  # the process ended
        time.sleep(0.25)
    output = process.stdout.read().strip().splitlines()
    after, wall = cpu_times(), time.time() - started
    print(output[-1] if output else "(no output)")
    print(f"wall {wall:.2f} s, exit status {process.returncode}")
    for tid, (name, running, waiting, slices) in sorted(threads.items(), key=lambda item: -item[1][1])[:6]:
        print(f"{tid:>8} {name:18s} on a core {running:6.2f} s  waiting for one {waiting:6.2f} s  slices {slices}")
    for name in before:
        delta = [b - a for a, b in zip(before[name], after[name])]
        idle = delta[3] + delta[4]
        print(f"{name:6s} busy {(sum(delta) - idle) / 100:6.2f} s  idle {idle / 100:6.2f} s")
    sys.exit(process.returncode)


if __name__ == "__main__":
    main()
