#!/usr/bin/env python3
"""Sum a LibTorch autograd-profiler Chrome trace (link_bench --trace) by
operator: calls, self time (the operator's own time, its nested operators
taken out) and inclusive time, largest self time first.

    python3 bench/trace-summary.py trace.json [top] [per]

`per`: divide the times by this (e.g. the number of batches) to read them
per batch.  Self times add up to the traced time, so their shares are where
the time went; the profiler's own overhead inflates small operators.
"""
import json
import sys
from collections import defaultdict


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    per = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    with open(path) as f:
        ev = json.load(f)
    if isinstance(ev, dict):
        ev = ev.get("traceEvents", [])
    ev = [e for e in ev if e.get("ph") == "X"]
    by_tid = defaultdict(list)
    for e in ev:
        by_tid[e.get("tid")].append(e)
    calls = defaultdict(int)
    incl = defaultdict(float)
    self_t = defaultdict(float)
    for tid, es in by_tid.items():
        # Parents start no later and end no earlier than their children.
        es.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []  # [end, name, child time]
        for e in es:
            ts, dur, name = e["ts"], e["dur"], e["name"]
            while stack and stack[-1][0] <= ts:
                end, n, child = stack.pop()
            if stack:
                stack[-1][2] += dur
            calls[name] += 1
            incl[name] += dur
            stack.append([ts + dur, name, 0.0])
            e["_slot"] = stack[-1]
        for e in es:
            self_t[e["name"]] += e["dur"] - e["_slot"][2]
    total = sum(self_t.values())
    unit = "ms" if per == 1.0 else "ms per unit"
    print(f"{len(ev)} events, {total / 1e3:.1f} ms of self time in all (times in {unit})")
    print(f"{'operator':60s} {'calls':>9s} {'self':>10s} {'share':>6s} {'incl':>10s}")
    for name in sorted(self_t, key=lambda n: -self_t[n])[:top]:
        print(f"{name[:60]:60s} {calls[name] / per:9.1f} {self_t[name] / 1e3 / per:10.3f} "
              f"{100 * self_t[name] / total:5.1f}% {incl[name] / 1e3 / per:10.3f}")


if __name__ == "__main__":
    main()
