"""Operations with real processes: the compose commands, scaling out on one Redis, /metrics,
JSON logs without secrets, and Caddy in front (where it is installed)."""

from __future__ import annotations

import base64
import json
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.drive import agent_in, control, quiet, set_agent, snapshot
from tests.harness import Proc, Stack
from tests.waiting import until
from wallboard.processes import free_port
from wallboard.web.fragments import dom_id

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FAST = {"WALLBOARD_LEASE_TTL": "1.5", "WALLBOARD_POLL_INTERVAL": "0.5"}


def scrape(web: Proc) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = httpx.get(f"{web.url}/metrics", timeout=10)
    response.raise_for_status()
    assert response.headers["content-type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def total(metrics: dict[tuple[str, Any], float], name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include ``labels``."""
    return sum(
        value
        for (sample, have), value in metrics.items()
        if sample == name and set(labels.items()) <= set(have)
    )


class Screen:
    """An SSE client in a thread, as a TV would be; its events queue up for the test."""

    def __init__(self, web: Proc) -> None:
        self.events: queue.Queue[str] = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._read, args=(f"{web.url}/events",), daemon=True)
        self.thread.start()

    def _read(self, url: str) -> None:
        with httpx.stream("GET", url, timeout=httpx.Timeout(10, read=30)) as response:
            buffer = ""
            for chunk in response.iter_text():
                buffer += chunk.replace("\r\n", "\n")
                while "\n\n" in buffer:
                    event, buffer = buffer.split("\n\n", 1)
                    self.events.put(event)
                if self.stop.is_set():
                    return

    def close(self) -> None:
        self.stop.set()
        self.thread.join(15)

    def wait_for(self, *needles: str, what: str) -> str:
        def match() -> str | None:
            try:
                event = self.events.get(timeout=0.2)
            except queue.Empty:
                return None
            return event if all(n in event for n in needles) else None

        found: str = until(match, what=what)
        return found


def event_id(event: str) -> str:
    return next(line[4:] for line in event.splitlines() if line.startswith("id: "))


def compose_service(name: str) -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return services[name]


def on_loopback(argv: list[str], port: int) -> list[str]:
    """A compose command or healthcheck as a plain process here: the venv's console script or
    interpreter, loopback instead of every interface, a free port instead of the fixed one."""
    fixed = {"wallboard": str(BIN / "wallboard"), "python": sys.executable, "0.0.0.0": "127.0.0.1"}
    out = [fixed.get(arg, arg) for arg in argv]
    return [a.replace(":8000/", f":{port}/").replace(":8084/", f":{port}/") for a in out]


def healthcheck(argv: list[str], env: dict[str, str]) -> bool:
    return subprocess.run(argv, env=env, capture_output=True, timeout=15).returncode == 0


def test_the_compose_commands_start_every_role(stack: Stack) -> None:
    roles = {}
    poller_check = on_loopback(compose_service("poller")["healthcheck"]["test"][1:], 0)
    assert not healthcheck(poller_check, stack.env), "no poller yet: unhealthy"
    for name, default_port in (("simulator", "8084"), ("poller", None), ("web", "8000")):
        service = compose_service(name)
        port = free_port()
        argv = [str(port) if a == default_port else a for a in service["command"]]
        argv = on_loopback(argv, port)
        assert Path(argv[0]).name == "wallboard"
        roles[name] = stack.start(name, argv, port if default_port else None)
        if name == "simulator":
            stack.env["WALLBOARD_QM_URL"] = f"{roles[name].url}/queuemetrics"
        check = on_loopback(service["healthcheck"]["test"][1:], port)
        until(lambda check=check: healthcheck(check, stack.env), timeout=20, what=f"{name} healthy")
    dockerfile = (ROOT / "Dockerfile").read_text()
    image_check = json.loads(
        dockerfile.split("HEALTHCHECK", 1)[1].split("CMD", 1)[1].split("\n")[0]
    )
    assert healthcheck(on_loopback(image_check, roles["web"].port or 0), stack.env)
    until(lambda: snapshot(roles["web"])["agents"], what="data through the compose commands")


def test_two_webs_and_two_pollers_on_one_redis(stack: Stack) -> None:
    sim = stack.simulator()
    state = quiet(sim)
    code = next(a["agent"] for a in state["agents"] if a["logged_queues"])
    set_agent(sim, code, "available")
    pollers = [stack.poller(**FAST), stack.poller(**FAST)]
    webs = [stack.web(), stack.web()]
    for web in webs:
        until(lambda web=web: agent_in(snapshot(web), code), what="data on every web")
    screens = [Screen(web) for web in webs]
    try:
        for screen in screens:
            screen.wait_for("retry:", 'id="agents"', what="a first full refresh")
        set_agent(sim, code, "paused", "10")
        tile = dom_id("agents", code)
        seen = [s.wait_for(tile, "st-paused", what="the pause on each screen") for s in screens]
        assert event_id(seen[0]) == event_id(seen[1]), "both webs follow one change stream"
    finally:
        for screen in screens:
            screen.close()

    # The simulator sees one poller: one request at a time, at about one per interval.
    control(sim, "POST", "requests/reset")
    until(lambda: requests(sim)["count"] >= 6, timeout=15, what="6 polls")
    assert requests(sim)["max_in_flight"] == 1
    # Every web exposes both pollers' figures: one leader, one standby, and who is active.
    pids = {f"{p.process.pid}" for p in pollers if p.process}
    for web in webs:
        got = until(lambda web=web: both_pollers(web, pids), what="both pollers in /metrics")
        leaders = [
            labels for (name, labels), v in got.items() if name == "wallboard_poller_leader" and v
        ]
        active = [labels for (name, labels), v in got.items() if name == "wallboard_active_poller"]
        assert len(leaders) == 1 and leaders == active


def requests(sim: Proc) -> dict[str, Any]:
    found: dict[str, Any] = control(sim, "GET", "requests")["endpoints"].get("QmRealtime", {})
    return {"count": 0, "max_in_flight": 0, **found}


def both_pollers(web: Proc, pids: set[str]) -> dict[tuple[str, Any], float] | None:
    got = scrape(web)
    seen = {
        dict(labels)["poller"].rsplit(":", 1)[1]
        for (name, labels) in got
        if name == "wallboard_poller_polls_total"
    }
    return got if seen == pids else None


def test_metrics_move_when_things_happen(stack: Stack) -> None:
    sim = stack.simulator()
    stack.poller(**FAST)
    web = stack.web()
    polls = until(lambda: total(scrape(web), "wallboard_poller_polls_total"), what="a poll")
    until(lambda: total(scrape(web), "wallboard_poller_polls_total") >= polls + 2, what="more")
    assert total(scrape(web), "wallboard_data_age_seconds") < 5
    assert total(scrape(web), "wallboard_redis_up") == 1

    assert total(scrape(web), "wallboard_sse_clients") == 0
    screens = [Screen(web), Screen(web)]
    until(lambda: total(scrape(web), "wallboard_sse_clients") == 2, what="2 SSE clients")
    # Changes and heartbeats reach both clients (the initial refresh is not counted).
    until(lambda: total(scrape(web), "wallboard_sse_events_total") >= 2, what="events counted")
    assert total(scrape(web), "wallboard_sse_bytes_total") > 0
    for screen in screens:
        screen.close()
    until(lambda: total(scrape(web), "wallboard_sse_clients") == 0, what="clients gone")
    # The web process times its garbage collections (wallboard/web/heap.py runs in it).
    assert total(scrape(web), "wallboard_gc_pause_seconds_total") > 0

    errors = "wallboard_poller_upstream_errors_total"
    assert total(scrape(web), errors) == 0
    control(sim, "POST", "faults", json={"mode": "http_500"})
    until(lambda: total(scrape(web), errors, kind="unreachable") >= 1, what="an error counted")
    until(lambda: total(scrape(web), "wallboard_data_stale") == 1, what="stale data")
    control(sim, "DELETE", "faults")
    until(lambda: total(scrape(web), "wallboard_data_stale") == 0, what="fresh again")


def test_json_logs_carry_request_ids_and_no_secrets(stack: Stack) -> None:
    secrets = {
        "qm password": "QmPw-4417-zebra",
        "secret key": "SecretKey-9931-yak",
        "tv token": "TvToken-5520-gnu-q8Wm3Zr7Kp2Xv9",
        "supervisor password": "Super-8080-owl",
        "session cookie": "Cookie-3141-emu",
    }
    basic = base64.b64encode(f"demosupervisor:{secrets['supervisor password']}".encode()).decode()
    stack.simulator()
    env = {
        "WALLBOARD_LOG_FORMAT": "json",
        "WALLBOARD_LOG_LEVEL": "debug",
        "WALLBOARD_QM_PASSWORD": secrets["qm password"],  # wrong: the poller logs failures
        "WALLBOARD_SECRET_KEY": secrets["secret key"],
        "WALLBOARD_TV_TOKEN": secrets["tv token"],
    }
    poller = stack.poller(**FAST, **env)
    web = stack.web(**env)
    headers = {
        "X-Request-ID": "ops-test-42",
        "Authorization": f"Basic {basic}",
        "Cookie": f"wallboard_session={secrets['session cookie']}",
    }
    url = f"{web.url}/api/snapshot?token={secrets['tv token']}"
    response = httpx.get(url, headers=headers, timeout=10)
    assert response.headers["x-request-id"] == "ops-test-42"
    generated = httpx.get(f"{web.url}/healthz", timeout=10).headers["x-request-id"]
    httpx.post(f"{web.url}/login", data={"password": secrets["supervisor password"]}, timeout=10)

    def logged() -> list[dict[str, Any]] | None:
        entries = [json.loads(line) for line in web.output().splitlines() if line.strip()]
        ids = {e.get("request_id") for e in entries}
        return entries if {"ops-test-42", generated} <= ids else None

    entries = until(logged, what="the request ids in the web's log lines")
    assert any(
        "/api/snapshot" in e["message"] for e in entries if e.get("request_id") == "ops-test-42"
    )
    access = [e for e in entries if e["logger"] == "uvicorn.access"]
    assert len(access) >= 3 and all(e.get("request_id") for e in access)
    until(lambda: "auth" in poller.output(), what="the poller logging its failures")
    for line in poller.output().splitlines():
        json.loads(line)  # every line is JSON
    everything = web.output() + poller.output()
    for what, secret in {**secrets, "basic credentials": basic}.items():
        assert secret not in everything, f"the {what} appears in the logs"


@pytest.mark.skipif(
    not (shutil.which("caddy") and shutil.which("curl")), reason="caddy or curl is not installed"
)
def test_caddy_serves_sse_over_http2_and_tls(stack: Stack) -> None:
    stack.simulator()
    stack.poller(**FAST)
    web = stack.web()
    until(lambda: snapshot(web)["agents"], what="data")
    https = free_port()
    env = {
        "XDG_DATA_HOME": str(stack.workdir / "caddy"),
        "XDG_CONFIG_HOME": str(stack.workdir / "caddy"),
        "CADDY_ADMIN": f"127.0.0.1:{free_port()}",
        "CADDY_HTTP_PORT": str(free_port()),
        "CADDY_HTTPS_PORT": str(https),
        "WALLBOARD_SITE": f"127.0.0.1:{https}",
        "WALLBOARD_TLS": "internal",
        "WALLBOARD_UPSTREAM": "127.0.0.1",
        "WALLBOARD_UPSTREAM_PORT": str(web.port),
    }
    argv = ["caddy", "run", "--adapter", "caddyfile", "--config", str(ROOT / "deploy/Caddyfile")]
    stack.start("caddy", argv, https, **env)
    base = f"https://127.0.0.1:{https}"

    def curl(path: str, *extra: str, limit: int = 10) -> subprocess.CompletedProcess[str]:
        argv = ["curl", "-sk", "--http2", "-N", "--max-time", str(limit), *extra, f"{base}{path}"]
        return subprocess.run(argv, capture_output=True, text=True, timeout=20)

    health = until(lambda: (r := curl("/healthz", "-i")).returncode == 0 and r, what="proxy up")
    assert health.stdout.startswith("HTTP/2 200")
    assert "x-request-id:" in health.stdout.lower()
    assert curl("/metrics", "-o", "/dev/null", "-w", "%{http_code}").stdout == "404"
    # The stream never ends: whatever arrives within curl's time limit came through unbuffered.
    stream = curl("/events", "-w", "\nHTTP_VERSION=%{http_version}", limit=3)
    assert stream.returncode == 28, "the stream stays open"
    assert "retry:" in stream.stdout and "data:" in stream.stdout
    assert "HTTP_VERSION=2" in stream.stdout
    # Without a replica, a page that reloads itself rather than a dead end.
    web.stop()
    down = curl("/wallboard", "-i")
    assert down.stdout.startswith("HTTP/2 50") and "http-equiv=refresh" in down.stdout
