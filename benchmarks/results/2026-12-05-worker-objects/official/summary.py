# The six alternating official runs of each version: ranges, medians, and in how many pairs the new one was higher.
#   python3 summary.py [DIR]  (DIR holds old-runN.jsonl and new-runN.jsonl; by default this script's directory)
import json, os, statistics as st, sys
here = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
def load(arm, i):
    d = {}
    for line in open(os.path.join(here, f'{arm}-run{i}.jsonl')):
        if line.strip():
            r = json.loads(line); d.setdefault(r['peer'], r)
    return d
runs = {arm: [load(arm, i) for i in range(1, 7)] for arm in ('old', 'new')}
def figure(d, name):
    if name.endswith('/raw'):
        peer = name[:-4]
        return d[peer]['throughput_msgs_s'] / d['java-uds-raw']['throughput_msgs_s']
    return d['ipc-workers-more'][name]
names = ['ipc-workers-bus/raw', 'ipc-workers/raw', 'ipc-workers-text/raw', 'bus_send_throughput_1w_msgs_s',
         'bus_send_throughput_2w_msgs_s', 'bus_send_throughput_4w_msgs_s', 'bus_warm_send_throughput_msgs_s',
         'warm_throughput_msgs_s', 'bus_pipelined_requests_1w_per_s', 'bus_pipelined_requests_2w_per_s',
         'bus_pipelined_requests_4w_per_s', 'bus_typed_rtt_p50_us', 'spring_worker_spawn_ms']
for name in names:
    old = [figure(d, name) for d in runs['old']]
    new = [figure(d, name) for d in runs['new']]
    def f(x):
        if name.endswith('/raw'):
            return f'{x:.2f}'
        return f'{x:.1f}' if name.endswith(('_ms', '_us')) else f'{x / 1e3:.0f}k'
    higher = sum(1 for a, b in zip(old, new) if b > a)
    print(f"{name}: old {f(min(old))}–{f(max(old))} ({f(st.median(old))}), new {f(min(new))}–{f(max(new))} "
          f"({f(st.median(new))}), new higher in {higher} of 6")
