"""Load on `tipsearch serve`: throughput, latency percentiles and errors at 1, 8, 32 and 64 concurrent clients, with
1 and 2 worker processes, on loopback.

    PYTHONPATH=src python bench/load.py --index index/ [--seconds 20] [--workers 1 2] [--clients 1 8 32 64]
        [--questions FILE.jsonl ...] [--out bench/results/load.md]

For each worker count it starts `tipsearch serve --workers N -q` in its own process group on a free loopback port,
waits for /health, warms each worker, then for each client count runs that many clients for --seconds, each asking
GET /search?q=...&k=10 in a loop (questions from the question files, in turn) and waiting for the answer before the
next (a closed loop: a slow server slows its clients instead of drowning). A request counts as an error when it is
not 200 with a JSON list, or takes over --timeout seconds.

The bound it is measured against: cores / server CPU time of one search, the CPU time of the server's processes
(from /proc, every process of its group) over the requests answered at 1 client. The clients run in this process
on the same machine, and on a shared machine other processes run too: each level also says how many cores were
left to the server (all of them, less the CPU time /proc/stat shows every other process and the clients used), and
the best throughput is put against that bound too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTION_FILES = [ROOT / "tests/data/real_corpus/questions.jsonl", ROOT / "tests/data/real_corpus/questions_batch2.jsonl",
                  ROOT / "tests/data/dev_qa.jsonl", ROOT / "tests/data/qa_2022.jsonl"]
TICKS = os.sysconf("SC_CLK_TCK")


def questions(files: list[Path]) -> list[str]:
    out = [json.loads(line)["q"] for f in files if f.is_file() for line in f.read_text().splitlines() if line.strip()]
    if not out:
        sys.exit("no questions: give --questions FILE.jsonl ({\"q\": ...} a line)")
    return out


def group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) of the live processes in a process group."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        if int(fields[2]) == pgid:  # field 5, pgrp
            total += int(fields[11]) + int(fields[12])  # fields 14, 15: utime, stime
    return total / TICKS


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (every process, every core), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / TICKS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Run:
    workers: int
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    timeouts: int = 0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    others_cpu: float = 0.0  # what every other process on the machine used meanwhile
    first_error: str = ""

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def free_cores(self, cores: int) -> float:
        """The cores left to the server: all of them less what the other processes and the clients used."""
        return max(0.0, cores - (self.others_cpu + self.client_cpu) / self.seconds)

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def drive(url: str, qs: list[str], clients: int, seconds: float, timeout: float, run: Run) -> None:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as client:
        end = time.monotonic() + seconds

        async def one(n: int) -> None:
            i = n * 7
            while time.monotonic() < end:
                i += 1
                start = time.perf_counter()
                try:
                    r = await client.get("/search", params={"q": qs[i % len(qs)], "k": 10})
                    ok = r.status_code == 200 and isinstance(r.json(), list)
                    why = "" if ok else f"{r.status_code} {r.text[:120]}"
                except httpx.TimeoutException as e:
                    run.timeouts += 1
                    ok, why = False, f"timeout {e!r}"[:160]
                except httpx.HTTPError as e:
                    ok, why = False, repr(e)[:160]
                if ok:
                    run.latencies.append(time.perf_counter() - start)
                else:
                    run.errors += 1
                    run.first_error = run.first_error or why

        await asyncio.gather(*(one(n) for n in range(clients)))


def start_server(index: Path, workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "tipsearch.cli", "serve", "--index", str(index), "--port",
                                 str(port), "--workers", str(workers), "-q"], stdout=out, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    stop_server(proc)
    sys.exit(f"the server did not come up:\n{log.read_text()[-2000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
            if sig == signal.SIGTERM:
                time.sleep(0.5)  # then SIGKILL whatever of the group is left
        except subprocess.TimeoutExpired:
            pass


def measure(index: Path, workers: int, levels: list[int], qs: list[str], seconds: float, timeout: float,
            log: Path) -> list[Run]:
    proc, url = start_server(index, workers, log)
    try:
        for q in qs[: 4 * workers]:  # each worker loads its encoders on its own first search
            httpx.get(f"{url}/search", params={"q": q, "k": 10}, timeout=120)
        runs = []
        for clients in levels:
            run = Run(workers, clients, seconds)
            cpu0, mine0, all0, start = group_cpu(proc.pid), time.process_time(), machine_busy(), time.monotonic()
            asyncio.run(drive(url, qs, clients, seconds, timeout, run))
            run.seconds = time.monotonic() - start  # the last answers, begun before the end, are waited for
            run.server_cpu, run.client_cpu = group_cpu(proc.pid) - cpu0, time.process_time() - mine0
            run.others_cpu = max(0.0, machine_busy() - all0 - run.server_cpu - run.client_cpu)
            runs.append(run)
            print(row(run), flush=True)
        return runs
    finally:
        stop_server(proc)


HEAD = ("| workers | clients | req/s | p50 ms | p95 ms | p99 ms | errors | timeouts | server CPU ms/req | "
        "client CPU s | cores left to the server |\n|---|---|---|---|---|---|---|---|---|---|---|")


def row(r: Run) -> str:
    n = max(1, len(r.latencies))
    return (f"| {r.workers} | {r.clients} | {r.throughput:.1f} | {r.percentile(50) * 1000:.0f} | "
            f"{r.percentile(95) * 1000:.0f} | {r.percentile(99) * 1000:.0f} | {r.errors} | {r.timeouts} | "
            f"{r.server_cpu / n * 1000:.0f} | {r.client_cpu:.1f} | {r.free_cores(os.cpu_count() or 1):.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, default=ROOT / "index")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32, 64])
    parser.add_argument("--seconds", type=float, default=20.0, help="each level's duration (default 20)")
    parser.add_argument("--timeout", type=float, default=30.0, help="a request over this is a timeout (default 30)")
    parser.add_argument("--questions", type=Path, nargs="+", default=QUESTION_FILES)
    parser.add_argument("--out", type=Path, help="also write the table (Markdown) here")
    args = parser.parse_args()
    qs = questions(args.questions)
    cores = os.cpu_count() or 1
    manifest = json.loads((args.index / "manifest.json").read_text())
    print(f"index {args.index}: {manifest['units']} units, {len(manifest['documents'])} documents, models "
          f"{', '.join(manifest.get('models') or [manifest['model']])}; {len(qs)} questions; {cores} cores; "
          f"load average before: {os.getloadavg()[0]:.2f}")
    print(HEAD)
    runs: list[Run] = []
    for workers in args.workers:
        runs += measure(args.index, workers, args.clients, qs, args.seconds, args.timeout,
                        Path(f"/tmp/tipsearch-load-{os.getpid()}-{workers}.log"))
    lines = [HEAD, *map(row, runs)]
    for workers in args.workers:
        alone = next((r for r in runs if r.workers == workers and r.clients == 1 and r.latencies), None)
        if alone:
            cpu = alone.server_cpu / len(alone.latencies)
            best = max((r for r in runs if r.workers == workers), key=lambda r: r.throughput)
            free = best.free_cores(cores)
            lines.append(f"\n{workers} worker(s): server CPU {cpu * 1000:.0f} ms a search at 1 client, so {cores} "
                         f"cores allow {cores / cpu:.1f} req/s; best measured {best.throughput:.1f} req/s "
                         f"({best.clients} clients) = {best.throughput / (cores / cpu):.0%} of that, and "
                         f"{best.throughput / (free / cpu):.0%} of what the {free:.2f} cores other processes and the clients left "
                         f"({free / cpu:.1f} req/s)" if free else "")
    lines.append(f"\nload average after: {os.getloadavg()[0]:.2f}")
    print("\n".join(lines[len(runs) + 1:]))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
