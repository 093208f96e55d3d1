#!/usr/bin/env python3
"""One orchestrator-cli process submitting and awaiting a batch of documents
against the release reference server, then the same batch again, side by side
with the usual shell way (one `orchestrator-cli submit --wait` per document,
run by `xargs -P`):

    python3 benches/cli_batch.py [--documents 1000] [--parallel 16] [--work-delay-ms 200]

Reports wall time and peak RSS (`/usr/bin/time`), and counts the tasks the
server created (its `orchestrator_tasks_submitted_total` metric): the rerun
with the same `--idempotency-key` prefix must create none and print the same
task ids in the same order. Writes target/cli-batch.md.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import CLI, KEY, ROOT, Server, free_port, run  # noqa: E402


def submitted(metrics_url):
    text = urllib.request.urlopen(metrics_url, timeout=5).read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith("orchestrator_tasks_submitted_total"):
            total += float(line.rsplit(" ", 1)[1])
    return int(total)


def timed(cmd, stdin=None, env=None):
    """Runs `cmd` under /usr/bin/time; returns (stdout, wall s, peak RSS MiB, exit code)."""
    started = time.monotonic()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdin=stdin, capture_output=True,
                          text=True, env=env)
    wall = time.monotonic() - started
    rss_kib = int(proc.stderr.strip().splitlines()[-1])
    return proc.stdout, wall, rss_kib / 1024, proc.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=1000)
    ap.add_argument("--parallel", type=int, default=16)
    ap.add_argument("--work-delay-ms", type=int, default=200)
    args = ap.parse_args()
    run(["cargo", "build", "--release", "--locked", "--workspace", "--bins", "-q"])

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        metrics_port = free_port()
        server = Server(args.work_delay_ms, tmp,
                        extra=["--metrics-listen", "127.0.0.1:%d" % metrics_port])
        metrics = "http://127.0.0.1:%d/metrics" % metrics_port
        # An empty config file, so no profile of the machine's user applies.
        config = os.path.join(tmp, "config.toml")
        open(config, "w").close()
        env = dict(os.environ, ORCHESTRATOR_API_URL=server.url, ORCHESTRATOR_API_KEY=KEY,
                   ORCHESTRATOR_CONFIG=config)
        urls = os.path.join(tmp, "urls.txt")
        with open(urls, "w") as f:
            for i in range(args.documents):
                f.write("data:text/plain,Report%%20%d:%%20Acme%%20Corp%%20grew%%20strongly.\n" % i)
        try:
            batch = [CLI, "submit", "bot-1", "--from", urls, "--parallel", str(args.parallel),
                     "--idempotency-key", "bench-batch", "--wait", "-o", "jsonl"]
            outputs = []
            for label in ["one process, first run", "one process, rerun (same --idempotency-key)"]:
                before = submitted(metrics)
                out, wall, rss, code = timed(batch, env=env)
                created = submitted(metrics) - before
                lines = [json.loads(line) for line in out.splitlines() if line.strip()]
                # With --wait, jsonl ends with one outcome object per document.
                ids = [o["task_id"] for o in lines if "outcome" in o]
                done = sum(1 for o in lines if o.get("outcome") == "completed")
                outputs.append(ids)
                rows.append((label, wall, rss, created, done, code))
            same = outputs[0] == outputs[1] and len(outputs[0]) == args.documents

            # The peer: one CLI process per document, as a shell script would.
            before = submitted(metrics)
            peer = ["xargs", "-P", str(args.parallel), "-n", "1", CLI, "submit", "bot-1", "--wait",
                    "-o", "json", "--document-url"]
            with open(urls) as stdin:
                started = time.monotonic()
                proc = subprocess.run(peer, stdin=stdin, capture_output=True, text=True, env=env)
                wall = time.monotonic() - started
            created = submitted(metrics) - before
            done = proc.stdout.count('"status":"COMPLETED"') + proc.stdout.count('"status": "COMPLETED"')
            peak = per_process_peak(urls, env)
            rows.append(("xargs -P %d, one process per document" % args.parallel, wall, peak, created,
                         done, proc.returncode))
        finally:
            server.stop()

    lines = [
        "# CLI batch: %d documents, --parallel %d, %d ms per task, 64 server workers" % (
            args.documents, args.parallel, args.work_delay_ms),
        "",
        "`python3 benches/cli_batch.py --documents %d --parallel %d --work-delay-ms %d`" % (
            args.documents, args.parallel, args.work_delay_ms),
        "",
        "| run | wall (s) | peak RSS (MiB) | tasks created | COMPLETED | exit |",
        "|---|---|---|---|---|---|",
    ]
    for label, wall, rss, created, done, code in rows:
        lines.append("| %s | %.1f | %.1f | %d | %d | %d |" % (label, wall, rss, created, done, code))
    lines += ["", "Rerun printed the same task ids in the same order: %s." % ("yes" if same else "NO"),
              "(For xargs the RSS is that of one of its CLI processes; %d of them ran.)" % args.documents, ""]
    text = "\n".join(lines)
    os.makedirs(os.path.join(ROOT, "target"), exist_ok=True)
    with open(os.path.join(ROOT, "target", "cli-batch.md"), "w") as f:
        f.write(text)
    print(text)
    if not same or rows[1][3] != 0:
        sys.exit("the rerun created tasks or changed the output")


def per_process_peak(urls, env):
    """Peak RSS of one `submit --wait` process of the peer, for the table."""
    with open(urls) as f:
        first = f.readline().strip()
    _, _, rss, _ = timed([CLI, "submit", "bot-1", "--wait", "-o", "json", "--document-url", first], env=env)
    return rss


if __name__ == "__main__":
    main()
