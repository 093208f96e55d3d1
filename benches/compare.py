#!/usr/bin/env python3
"""Side-by-side benchmark of clients of the asynchronous task API, in one run,
with the same tasks:

1. against the release reference server on loopback (long polling, Retry-After);
2. against a scripted server that does neither: it answers at once, sends no
   Retry-After, and reports linear progress in whole percents, as most servers
   of this shape do.

    python3 benches/compare.py [--tasks 20] [--durations 0.5,3] [--parallel 4]
        [--hintless-tasks 15] [--hintless-durations 1.5,3,20] [--before PATH]

`--before PATH` adds an older orchestrator-cli binary as a row, for a
before/after in the same run. Installs what it needs (a venv in
target/bench-venv with requests and azure-core), builds the release binaries,
and writes its part of benches/RESULTS.md. Detection lag = when the client printed the
result minus the server's completed_at; requests per task are counted by the
server.
"""
import argparse
import datetime
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = os.path.join(ROOT, "benches", "peers")
VENV = os.path.join(ROOT, "target", "bench-venv")
CLI = os.path.join(ROOT, "target", "release", "orchestrator-cli")
SERVER = os.path.join(ROOT, "target", "release", "orchestrator-server")
KEY = "bench-key-%d" % os.getpid()
DOC = "data:text/plain,Market%20trends%20show%20strong%20growth.%20Acme%20Corp%20reported%20record%20revenue."
TASK_ID = re.compile(r"task-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PINS = ["requests==2.34.2", "azure-core==1.41.0"]


def run(cmd, **kw):
    subprocess.run(cmd, check=True, cwd=ROOT, **kw)


def setup():
    run(["cargo", "build", "--release", "--locked", "--workspace", "--bins", "-q"])
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        run([sys.executable, "-m", "venv", VENV])
    run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", *PINS])
    return py


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, work_delay_ms, tmp, extra=()):
        self.url = "http://127.0.0.1:%d" % free_port()
        self.log_path = os.path.join(tmp, "server-%d.log" % work_delay_ms)
        env = dict(os.environ, ORCHESTRATOR_API_KEY=KEY, RUST_LOG="orchestrator=debug,warn")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [SERVER, "--listen", self.url[len("http://"):], "--db", ":memory:", "--workers", "64",
             "--work-delay-ms", str(work_delay_ms), *extra],
            env=env, stdout=subprocess.DEVNULL, stderr=self.log)
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the server did not start")

    def completed_at(self, task_id):
        req = urllib.request.Request("%s/v1/tasks/%s" % (self.url, task_id),
                                     headers={"Authorization": "Bearer " + KEY})
        body = json.load(urllib.request.urlopen(req, timeout=5))
        at = datetime.datetime.strptime(body["completed_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
        return at.replace(tzinfo=datetime.timezone.utc).timestamp()

    def requests_for(self, task_id):
        with open(self.log_path) as f:
            text = f.read()
        return text.count("path=/v1/tasks/" + task_id + " ") + 1  # + the submit

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.log.close()


class HintlessServer:
    """The scripted server: every task runs `duration` seconds from its submit;
    a poll answers at once with RUNNING and linear progress rounded down to a
    whole percent, then COMPLETED. No Retry-After, no long polling; `Prefer`
    is ignored. Requests are counted per task, the submit included."""

    def __init__(self, duration):
        self.duration = duration
        self.tasks = {}
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, code, body, headers=()):
                data = json.dumps(body, separators=(",", ":")).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                task = "task-%s" % uuid.uuid4()
                with outer.lock:
                    outer.tasks[task] = [time.time(), 1]
                self.reply(202, {"task_id": task, "status": "PENDING"},
                           [("Location", "/v1/tasks/" + task)])

            def do_GET(self):
                task = self.path.rsplit("/", 1)[-1]
                with outer.lock:
                    entry = outer.tasks.get(task)
                    if entry:
                        entry[1] += 1
                if not entry:
                    return self.reply(404, {"title": "not found"})
                elapsed = time.time() - entry[0]
                if elapsed < outer.duration:
                    percent = int(elapsed / outer.duration * 100)
                    return self.reply(200, {"task_id": task, "status": "RUNNING", "progress_percent": percent})
                done = datetime.datetime.fromtimestamp(entry[0] + outer.duration, datetime.timezone.utc)
                self.reply(200, {"task_id": task, "status": "COMPLETED", "progress_percent": 100,
                                 "result": {"summary": "done", "sentiment": "positive"},
                                 "completed_at": done.strftime("%Y-%m-%dT%H:%M:%S.%fZ")})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def completed_at(self, task_id):
        return self.tasks[task_id][0] + self.duration

    def requests_for(self, task_id):
        return self.tasks[task_id][1]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def hintless_clients(py, before):
    cli = lambda binary: [binary, "submit", "bench", "--document-url", DOC, "--wait", "-o", "json", "--progress", "none"]
    rows = {}
    if before:
        rows["orchestrator-cli (before)"] = cli(before)
    rows["orchestrator-cli"] = cli(CLI)
    rows["bash + curl (1 s polls)"] = ["bash", os.path.join(PEERS, "poll.sh"), "bench", DOC]
    rows["spec Python client (requests, 5 s sleep)"] = [py, os.path.join(PEERS, "spec_client.py"), "bench", DOC]
    return rows


def measure(name, cmd, server, duration, tmp, tasks, parallel):
    with ThreadPoolExecutor(parallel) as pool:
        results = list(pool.map(lambda _: one_run(cmd, server, tmp), range(tasks)))
    lags, reqs, cpus, rss = [], [], [], []
    for task, printed, cpu, peak in results:
        if not task or not printed:
            continue
        lags.append((printed - server.completed_at(task)) * 1000)
        reqs.append(server.requests_for(task))
        cpus.append(cpu)
        rss.append(peak)
    row = (name, duration, len(lags), statistics.median(lags), p95(lags),
           statistics.median(reqs), statistics.median(cpus) * 1000, max(rss))
    print("%-42s %4.1fs  n=%2d  lag p50 %8.1f ms  p95 %8.1f ms  requests %4.1f  cpu %6.1f ms  rss %6d KiB"
          % row, flush=True)
    return row


def clients(py):
    return {
        "orchestrator-cli (long poll)": [CLI, "submit", "bench", "--document-url", DOC, "--wait", "-o", "json", "--progress", "none"],
        "orchestrator-cli --no-long-poll": [CLI, "submit", "bench", "--document-url", DOC, "--wait", "-o", "json", "--progress", "none", "--no-long-poll"],
        "spec Python client (requests, 5 s sleep)": [py, os.path.join(PEERS, "spec_client.py"), "bench", DOC],
        "bash + curl (1 s polls)": ["bash", os.path.join(PEERS, "poll.sh"), "bench", DOC],
        "azure-core LROPoller + adapter": [py, os.path.join(PEERS, "azure_lro.py"), "bench", DOC],
    }


def one_run(cmd, server, tmp):
    """Runs one client to completion: (task id, print time, CPU s, peak RSS KiB)."""
    timing = tempfile.NamedTemporaryFile(dir=tmp, delete=False).name
    env = dict(os.environ, ORCHESTRATOR_API_URL=server.url, ORCHESTRATOR_API_KEY=KEY, ADMIN_API_KEY=KEY)
    env.pop("CI", None)
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%U %S %M", "-o", timing, *cmd], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    task, printed = None, None
    for line in proc.stdout:
        found = TASK_ID.search(line)
        task = task or (found.group(0) if found else None)
        if "COMPLETED" in line or '"summary"' in line:
            printed = time.time()
    proc.wait()
    user, system, rss = open(timing).read().split()[-3:]
    os.unlink(timing)
    return task, printed, float(user) + float(system), int(rss)


def startup(cmd):
    samples = []
    for _ in range(20):
        t = time.perf_counter()
        subprocess.run([cmd[0], *cmd[1:2], "--version"] if cmd[0] != CLI else [CLI, "--version"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=20)
    ap.add_argument("--durations", default="0.5,3")
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--hintless-tasks", type=int, default=15)
    ap.add_argument("--hintless-durations", default="1.5,3,20")
    ap.add_argument("--before", help="an older orchestrator-cli binary to compare with")
    ap.add_argument("--only", choices=["reference", "hintless"], help="run one part only")
    args = ap.parse_args()
    py = setup()
    rows, hintless, starts = [], [], {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.only != "hintless":
            for duration in [float(d) for d in args.durations.split(",") if d]:
                server = Server(int(duration * 1000), tmp)
                try:
                    for name, cmd in clients(py).items():
                        rows.append(measure(name, cmd, server, duration, tmp, args.tasks, args.parallel))
                finally:
                    server.stop()
            starts = {name: startup(cmd) for name, cmd in clients(py).items()}
        if args.only != "reference":
            for duration in [float(d) for d in args.hintless_durations.split(",") if d]:
                server = HintlessServer(duration)
                try:
                    for name, cmd in hintless_clients(py, args.before).items():
                        hintless.append(measure(name, cmd, server, duration, tmp,
                                                args.hintless_tasks, args.parallel))
                finally:
                    server.stop()
    write_results(rows, starts, hintless, args)


# Where this script's part of benches/RESULTS.md begins.
RESULTS_MARKER = "<!-- compare.py writes from here to the end; edit benches/compare.py, not this part. -->"


def write_results(rows, starts, hintless, args):
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    command = "python3 benches/compare.py --tasks %d --durations %s --parallel %d --hintless-tasks %d --hintless-durations %s%s%s" % (
        args.tasks, args.durations, args.parallel, args.hintless_tasks, args.hintless_durations,
        " --before PATH" if args.before else "", " --only " + args.only if args.only else "")
    lines = [
        "Generated by `%s` on %s." % (command, datetime.date.today().isoformat()),
        "",
    ]
    if rows:
        lines += [
            "### Against the reference server",
            "",
            "Machine: %s, %d cores, %s. Server: the release `orchestrator-server` on loopback, in-memory database, "
            "64 workers, `--work-delay-ms` set to the task duration. Every client ran the same analyze-document task, "
            "%d times per duration, %d at a time." % (cpu, os.cpu_count(), platform.platform(), args.tasks, args.parallel),
            "",
            "Detection lag: the client printing the result minus the server's `completed_at` (median and p95). "
            "Requests: per task, counted in the server's request log, including the submit. CPU: user + system time "
            "of the client process (median); RSS: its peak (max over runs).",
            "",
            "| client | task | n | lag p50 (ms) | lag p95 (ms) | lag p50 vs orchestrator-cli | requests/task | client CPU (ms) | peak RSS (MiB) | start-up (ms) |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        baseline = {d: p50 for name, d, _, p50, *_ in rows if name == "orchestrator-cli (long poll)"}
        for name, duration, n, p50, p95v, req, cpu_ms, rss in rows:
            ratio = p50 / baseline[duration] if baseline.get(duration) else float("nan")
            lines.append("| %s | %.1f s | %d | %.1f | %.1f | %.0f× | %.1f | %.1f | %.1f | %.1f |"
                         % (name, duration, n, p50, p95v, ratio, req, cpu_ms, rss / 1024, starts[name]))
        lines += [
            "",
            "Notes:",
            "- The spec's Python client needed one fix to run: `if current_status in:` lost its tuple "
            "(`(\"COMPLETED\", \"FAILED\")`). Its fixed 5 s sleep is kept.",
            "- azure-core's stock `LocationPolling` treats the first 200 as final and does not resolve a relative "
            "`Location`, so `benches/peers/azure_lro.py` adds a 20-line polling strategy (state mapping, Location "
            "joined to the request URL). It polls every second or per `Retry-After`.",
            "- CPU comes from `/usr/bin/time`, which counts in 10 ms ticks: 0.0 means under 10 ms.",
            "- Without long polling the CLI follows the server's `Retry-After` (a floor on its pause), "
            "which is 1 s for a task that has shown no progress yet and then a quarter of the estimated time left.",
            "- Start-up is the median wall time of `--version` (for the Python and bash peers: the interpreter "
            "starting and importing what the script imports, then exiting).",
            "",
        ]
    if hintless:
        lines += [
            "### Against a server that gives no hints",
            "",
            "The scripted server in `compare.py` (`HintlessServer`): it answers every poll at once, sends no "
            "`Retry-After` (not even on the 202) and ignores `Prefer: wait`, and reports linear progress rounded "
            "down to whole percents. %d tasks per duration, %d at a time. Lag: the client printing the result "
            "minus the instant the task finished (submit + duration). Requests include the submit."
            % (args.hintless_tasks, args.parallel),
            "",
            "| client | task | n | lag p50 (ms) | lag p95 (ms) | requests/task | client CPU (ms) | peak RSS (MiB) |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for name, duration, n, p50, p95v, req, cpu_ms, rss in hintless:
            lines.append("| %s | %.1f s | %d | %.1f | %.1f | %.1f | %.1f | %.1f |"
                         % (name, duration, n, p50, p95v, req, cpu_ms, rss / 1024))
        lines += [
            "",
            "`orchestrator-cli (before)` is the CLI before progress-aware pacing (first poll at once, then "
            "1 s doubling with up to 100 % jitter), built from an earlier commit and passed with `--before`." ,
            "",
        ]
    # A partial run (--only) leaves the committed results alone. A full one
    # replaces its own part of RESULTS.md: everything after the marker.
    text = "\n".join(lines)
    if args.only:
        path = os.path.join(ROOT, "target", "compare-%s.md" % args.only)
    else:
        path = os.path.join(ROOT, "benches", "RESULTS.md")
        kept = open(path).read()
        text = kept[: kept.index(RESULTS_MARKER) + len(RESULTS_MARKER)] + "\n" + text
    with open(path, "w") as f:
        f.write(text)
    print("wrote", path)


if __name__ == "__main__":
    main()
