# The figures of this directory's runs: ratios to the raw program per run, their ranges and medians.
#   python3 summary.py [DIR [PREFIX]]  (the runs DIR/PREFIX*.jsonl; by default this directory's run*.jsonl)
import json,statistics as st,glob,os,sys
def load(f):
    d={}
    for l in open(f):
        if l.strip(): r=json.loads(l); d.setdefault(r['peer'],r)
    return d
here=sys.argv[1] if len(sys.argv)>1 else os.path.dirname(os.path.abspath(__file__))
files=sorted(glob.glob(os.path.join(here,(sys.argv[2] if len(sys.argv)>2 else 'run')+'*.jsonl')))
rs=[load(f) for f in files]
def R(p,k): return [d[p][k]/d['java-uds-raw'][k] for d in rs]
def show(name,v,fmt='{:.2f}×'):
    print(f"{name}: {', '.join(fmt.format(x) for x in v)}; range {fmt.format(min(v))}–{fmt.format(max(v))}, median {fmt.format(st.median(v))}")
print('runs',len(rs))
for p,k in [('ipc-workers','throughput_msgs_s'),('ipc-workers-bus','throughput_msgs_s'),('ipc-workers-text','throughput_msgs_s'),('ipc-workers','rtt_p50_us'),('ipc-workers-bus','rtt_p50_us'),('ipc-workers','spawn_ms'),('ipc-workers-bus','spawn_ms'),('ipc-workers','mib_rtt_ms'),('ipc-workers-bus','mib_rtt_ms')]:
    show(p+' '+k,R(p,k))
for p in ['ipc-workers','ipc-workers-bus']:
    show(p+' x node-json thr',[d[p]['throughput_msgs_s']/d['node-fork-json']['throughput_msgs_s'] for d in rs])
    show(p+' x node-adv thr',[d[p]['throughput_msgs_s']/d['node-fork-advanced']['throughput_msgs_s'] for d in rs])
    print(p,'rtt us',[d[p]['rtt_p50_us'] for d in rs],'node',[min(d['node-fork-json']['rtt_p50_us'],d['node-fork-advanced']['rtt_p50_us']) for d in rs],'python',[min(d['python-mp-pipe-spawn']['rtt_p50_us'],d['python-mp-pipe-fork']['rtt_p50_us']) for d in rs])
m=[d['ipc-workers-more'] for d in rs]
for k in ['spring_worker_spawn_ms','burst_live_heap_before_mib','burst_live_heap_peak_mib','warm_throughput_msgs_s','bus_warm_send_throughput_msgs_s','bus_send_throughput_1w_msgs_s','bus_pipelined_requests_1w_per_s']:
    print(k,[x[k] for x in m])
print('raw spawn',[d['java-uds-raw']['spawn_ms'] for d in rs],'raw thr',[d['java-uds-raw']['throughput_msgs_s'] for d in rs],'raw rtt',[d['java-uds-raw']['rtt_p50_us'] for d in rs])
# closeness to medians
keys=[('ipc-workers','throughput_msgs_s'),('ipc-workers-bus','throughput_msgs_s'),('ipc-workers','rtt_p50_us'),('ipc-workers-bus','rtt_p50_us'),('ipc-workers','spawn_ms'),('ipc-workers','mib_rtt_ms')]
meds={k:st.median(R(*k)) for k in keys}
for i,d in enumerate(rs):
    print('run',i+1,'distance',round(sum(abs(d[p][k]/d['java-uds-raw'][k]-meds[(p,k)])/meds[(p,k)] for p,k in keys),3))
