#!/usr/bin/env python3
"""Times a server's start: spawns COMMAND, polls URL until it answers 200, prints the
milliseconds from spawn to that answer, then stops the server (SIGTERM). Last it prints
the CPU milliseconds the process had used by then (user and system, with the children it
waited for, such as the launcher's `java -version`): on a shared machine a steadier
figure than the wall time.

  startup.py [--log-line REGEX] URL COMMAND [ARGS...]   prints: HEALTHY_MS [LOG_MS] CPU_MS

With --log-line it also waits for a line of the server's stderr matching REGEX and
prints the milliseconds to it as a second number (for Gantry: the history index
loaded). Polls every 2 ms from this one process, so the measuring costs the server
little CPU.
"""
import argparse
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse


def cpu_millis(pid):
    """utime + stime + cutime + cstime of /proc/PID/stat, in milliseconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = sum(int(v) for v in fields[11:15])
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log-line")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("url")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    url = urllib.parse.urlsplit(args.url)

    start = time.monotonic()
    proc = subprocess.Popen(args.command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    logged = threading.Event()
    log_ms = []

    def read_stderr():
        for line in proc.stderr:
            if args.log_line and not logged.is_set() and re.search(args.log_line, line):
                log_ms.append((time.monotonic() - start) * 1000)
                logged.set()
            sys.stderr.write(line) if os.environ.get("STARTUP_VERBOSE") else None

    threading.Thread(target=read_stderr, daemon=True).start()
    healthy_ms = None
    try:
        while time.monotonic() - start < args.timeout:
            if proc.poll() is not None:
                sys.exit(f"{args.command[0]} exited with {proc.returncode} before answering")
            try:
                c = http.client.HTTPConnection(url.hostname, url.port, timeout=1)
                c.request("GET", url.path or "/")
                if c.getresponse().status == 200:
                    healthy_ms = (time.monotonic() - start) * 1000
                    cpu_ms = cpu_millis(proc.pid)
                    break
            except OSError:
                pass
            time.sleep(0.002)
        if healthy_ms is None:
            sys.exit(f"no 200 from {args.url} within {args.timeout} s")
        if args.log_line and not logged.wait(args.timeout):
            sys.exit(f"no log line matching {args.log_line!r} within {args.timeout} s")
        print(f"{healthy_ms:.0f}" + (f" {log_ms[0]:.0f}" if log_ms else "") + f" {cpu_ms:.0f}")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
