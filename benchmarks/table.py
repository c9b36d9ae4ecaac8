"""Prints the peer table of one results.jsonl (ratios to java-uds-raw), then our extra figures."""
import json
import sys

rows = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        record = json.loads(line)
        rows[record["peer"]] = record
def fmt(value):
    return f"{value:,.0f}" if abs(value) >= 10000 else f"{value:g}"


cols = ["spawn_ms", "rtt_p50_us", "rtt_p99_us", "throughput_msgs_s", "mib_rtt_ms"]
base = rows.get("java-uds-raw", {})
print("| peer | " + " | ".join(cols) + " |")
print("|---" * (len(cols) + 1) + "|")
for name, record in rows.items():
    if name == "ipc-workers-more":
        continue
    cells = []
    for col in cols:
        value = record.get(col)
        cell = "–" if value is None else fmt(value)
        if value and base.get(col) and name != "java-uds-raw":
            cell += f" ({value / base[col]:.2f}×)"
        cells.append(cell)
    print(f"| {name} | " + " | ".join(cells) + " |")
more = rows.get("ipc-workers-more")
if more:
    # figures without a peer counterpart, each against the raw-JDK figure closest in meaning
    baselines = {"spawn_ms": "spawn_ms", "_msgs_s": "throughput_msgs_s", "_per_s": "throughput_msgs_s",
                 "rtt_p50_us": "rtt_p50_us", "rtt_p99_us": "rtt_p99_us", "mib_rtt_ms": "mib_rtt_ms"}
    # once the JIT is done, against the raw program once its JIT is done too
    raw_warm = {"_msgs_s": "raw_warm_throughput_msgs_s", "mib_rtt_ms": "raw_warm_mib_rtt_ms"}
    print()
    print("| ipc-workers figure | value | vs java-uds-raw |")
    print("|---|---|---|")
    for key, value in more.items():
        if key == "peer":
            continue
        ratio = ""
        for suffix, base_key in baselines.items():
            if key.endswith(suffix) and base.get(base_key):
                ratio = f"{value / base[base_key]:.2f}× {base_key}"
        for suffix, raw_key in raw_warm.items():
            if "warm" in key and not key.startswith("raw_") and key.endswith(suffix) and more.get(raw_key):
                ratio += f"; {value / more[raw_key]:.2f}× {raw_key}"
        print(f"| {key} | {fmt(value)} | {ratio} |")
