"""Benchmark of the whole bot through Rasa's REST channel: latency per message and memory.

Starts the action server and the Rasa server (trained model models/wbc.tar.gz) on loopback,
sends realistic messages one conversation at a time and prints the median and p95 latency per
message, next to a baseline in the same run: "hi" (a reply that needs no custom-action work
beyond the intro). Also prints the resident memory of both servers and the time to the first
answer.

    .venv/bin/python scripts/bench_rest.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
RASA_PORT, ACTIONS_PORT = 5105, 5155
MESSAGES = [
    "my wbc is 3,200, is that bad?",
    "what causes a low white count?",
    "WBC 2.9 L 4.0-11.0 x10^3/uL",
    "My 3 year old had the flu and her WBC was 4,500, should I be concerned?",
    "wbc 2.9 and I have a fever",
    "how can I avoid infections?",
    "ANC 800 on chemo, no fever",
    "could the lab have made a mistake?",
]
BASELINE = ["hi"]


def post(sender: str, text: str) -> list[dict[str, object]]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{RASA_PORT}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def latencies(texts: list[str], rounds: int, prefix: str) -> list[float]:
    times = []
    for round_number in range(rounds):
        for index, text in enumerate(texts):
            started = time.perf_counter()
            post(f"{prefix}-{round_number}-{index}", text)
            times.append(time.perf_counter() - started)
    return times


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(child) for child in children.read_text().split()]
    for one in pids:
        for line in Path(f"/proc/{one}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.25)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false"}
    endpoints = ROOT / "var" / "bench-endpoints.yml"
    endpoints.parent.mkdir(exist_ok=True)
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{ACTIONS_PORT}/webhook"\n')
    log = (ROOT / "var" / "bench-rest.log").open("w")
    started = time.perf_counter()
    actions = subprocess.Popen(
        [BIN / "rasa", "run", "actions", "--actions", "actions", "--port", str(ACTIONS_PORT)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = subprocess.Popen(
        [
            BIN / "rasa",
            "run",
            "--model",
            "models/wbc.tar.gz",
            "--port",
            str(RASA_PORT),
            "--endpoints",
            str(endpoints),
            "--credentials",
            "credentials.yml",
            "-i",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{ACTIONS_PORT}/health", 120)
        wait_for(f"http://127.0.0.1:{RASA_PORT}/", 180)
        post("warm-up", "my wbc is 3.2")
        print(f"start-up to the first answer: {time.perf_counter() - started:.1f} s")
        base = latencies(BASELINE * len(MESSAGES), args.rounds, "base")
        real = latencies(MESSAGES, args.rounds, "real")
        print(f"{'workload':<28}{'messages':>9}{'median ms':>11}{'p95 ms':>9}")
        for name, times in (("baseline: 'hi'", base), ("realistic messages", real)):
            p95 = statistics.quantiles(times, n=20)[-1] * 1000
            median = statistics.median(times) * 1000
            print(f"{name:<28}{len(times):>9}{median:>11.1f}{p95:>9.1f}")
        print(
            f"resident memory: Rasa server {rss_mb(server.pid):.0f} MB, "
            f"action server {rss_mb(actions.pid):.0f} MB"
        )
    finally:
        for process in (server, actions):
            os.killpg(process.pid, signal.SIGTERM)
        for process in (server, actions):
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
