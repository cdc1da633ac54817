"""How fast the Slack bot acknowledges, with Slack's Web API healthy, slow (5 s) and hung.

Starts a stand-in for Slack's Web API and response_url (tests/slack_standin.py) and a real
`kb serve` on loopback with the Slack bot on, then sends signed slash commands and signed
app_mention events, several at a time, under each condition. Slack allows 3 seconds for the
acknowledgement; prints p50/p95/max acknowledgement latency, errors and how many took longer
than 3 s, and writes bench/results/slack_ack.json. Needs an index (`kb ingest`).

    python -m bench.slack_ack [--requests 40] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import httpx

from tests.process import Server
from tests.slack_standin import SlackStandIn

ROOT = Path(__file__).resolve().parent.parent

SECRET = "bench-signing-secret"
# Slack's acknowledgement window: https://api.slack.com/interactivity/slash-commands
WINDOW_S = 3.0
QUESTION = "What is a deployer under the AI Act?"


def signed(url: str, body: str, content_type: str) -> tuple[int, float]:
    """POST a request signed as Slack signs it; (status, seconds to the acknowledgement)."""
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    signature = f"v0={digest}"
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }
    started = time.perf_counter()
    try:
        status = httpx.post(f"{url}/slack/events", content=body, headers=headers, timeout=30).status_code
    except httpx.HTTPError:
        status = 0
    return status, time.perf_counter() - started


def slash_body(slack: SlackStandIn, n: int, condition: str) -> str:
    return urlencode(
        {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/regkb",
            "text": QUESTION,
            "response_url": f"{slack.url}/response/{condition}-{n}",
            "trigger_id": f"bench-{condition}-{n}",
        }
    )


def event_body(n: int, condition: str) -> str:
    return json.dumps(
        {
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"EvBench-{condition}-{n}",
            "event_time": int(time.time()),
            "event": {
                "type": "app_mention",
                "user": "U1",
                "channel": f"CB-{condition}",
                "ts": f"3000.{n:06d}",
                "text": f"<@UBOT> {QUESTION}",
            },
        }
    )


def run(url: str, slack: SlackStandIn, condition: str, kind: str, n: int, concurrency: int) -> dict:
    def one(i: int) -> tuple[int, float]:
        if kind == "slash command":
            return signed(url, slash_body(slack, i, condition), "application/x-www-form-urlencoded")
        return signed(url, event_body(i, condition), "application/json")

    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(n)))
    ms = sorted(t * 1000 for _, t in results)
    return {
        "web_api": condition,
        "kind": kind,
        "requests": n,
        "concurrency": concurrency,
        "errors": sum(1 for status, _ in results if status != 200),
        "over_3_s": sum(1 for _, t in results if t >= WINDOW_S),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[max(0, round(0.95 * len(ms)) - 1)], 1),
        "max_ms": round(ms[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=40, help="requests per kind and condition")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight at once")
    args = parser.parse_args()

    slack = SlackStandIn()
    env = {
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "KB_SLACK_API_URL": f"{slack.url}/api/",
        "KB_SLACK_API_TIMEOUT": "8",
    }
    server = Server(env, ROOT / "bench" / "results" / "slack_ack_server.log")
    results = []
    try:
        server.wait_ready()
        for condition in ("healthy", "slow", "hung"):
            if condition == "slow":
                slack.delay = 5.0
            elif condition == "hung":
                slack.delay = 0.0
                slack.hang()
            for kind in ("slash command", "event"):
                r = run(server.url, slack, condition, kind, args.requests, args.concurrency)
                results.append(r)
                print(
                    f"Web API {condition:8s} {kind:13s} n={r['requests']:<3d} c={r['concurrency']:<2d} "
                    f"errors={r['errors']:<2d} over 3 s={r['over_3_s']:<2d} p50={r['p50_ms']:6.1f} ms  "
                    f"p95={r['p95_ms']:6.1f} ms  max={r['max_ms']:6.1f} ms"
                )
    finally:
        server.stop()
        slack.close()
    out = ROOT / "bench" / "results" / "slack_ack.json"
    out.write_text(json.dumps({"machine": "2 cores, 24 GB", "results": results}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
