"""The ``wallboard`` command: demo, simulator, poller, web. The only module that knows every
part."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError

from wallboard import processes
from wallboard.settings import Settings

DEMO_SUPERVISOR = ("demosupervisor", "demo")


def _logging() -> None:
    """Text or JSON lines with request ids; every secret we hold is redacted (wallboard.logs)."""
    from wallboard import logs

    settings = load_settings()
    password = settings.qm_password.get_secret_value()
    logs.setup(
        settings.log_level,
        settings.log_format,
        secrets=(
            password,
            settings.secret_key.get_secret_value(),
            settings.tv_token.get_secret_value() if settings.tv_token else None,
            logs.basic_credentials(settings.qm_user, password) if password else None,
            urlsplit(settings.redis_url).password,
        ),
    )


def _fail(message: str) -> int:
    print(f"wallboard: {message}", file=sys.stderr)
    return 2


class BadSettings(Exception):
    """The environment holds a setting that cannot be used; the message says which and why."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"])
            reason = error["msg"].removeprefix("Value error, ")
            lines.append(f"WALLBOARD_{where.upper()}: {reason}" if where else reason)
        raise BadSettings("bad configuration:\n  " + "\n  ".join(lines)) from None


def cmd_simulator(args: argparse.Namespace) -> int:
    from wallboard.simulator import run

    _logging()
    run(
        host=args.host,
        port=args.port,
        agents=args.agents,
        queues=args.queues,
        seed=args.seed,
        speed=args.speed,
        robot_password=args.robot_password,
    )
    return 0


def cmd_poller(args: argparse.Namespace) -> int:
    from wallboard.poller.service import serve

    settings = load_settings()
    if not settings.qm_url:
        return _fail("WALLBOARD_QM_URL is not set (e.g. http://127.0.0.1:8084/queuemetrics)")
    _logging()
    asyncio.run(serve(settings))
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    import uvicorn

    from wallboard.web.app import create_app

    settings = load_settings()
    if not settings.secret_key.get_secret_value():
        return _fail("WALLBOARD_SECRET_KEY is not set: web refuses to start without it")
    _logging()
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level=os.environ.get("WALLBOARD_LOG_LEVEL", "info").lower(),
        timeout_graceful_shutdown=5,
        # Forwarded headers are read by the app itself, from WALLBOARD_TRUSTED_PROXIES only.
        proxy_headers=False,
        log_config=None,  # our handlers (wallboard.logs): JSON, request ids, redaction
    )
    return 0


def _demo_env(env: dict[str, str], sim_port: int) -> dict[str, str]:
    """The demo's settings, unless the environment already holds them."""
    env.setdefault("WALLBOARD_QM_URL", f"http://127.0.0.1:{sim_port}/queuemetrics")
    env.setdefault("WALLBOARD_QM_USER", "robot")
    # A fresh robot password per demo, known only to the simulator and the poller/web.
    env.setdefault("WALLBOARD_SIM_ROBOT_PASSWORD", secrets.token_urlsafe(12))
    env.setdefault("WALLBOARD_QM_PASSWORD", env["WALLBOARD_SIM_ROBOT_PASSWORD"])
    env.setdefault("WALLBOARD_SECRET_KEY", secrets.token_urlsafe(32))
    # Three example boards and a playlist, loaded into an empty Redis.
    env.setdefault("WALLBOARD_BOARDS_FILE", str(Path(__file__).with_name("demo_boards.json")))
    return env


def _demo_children(
    args: argparse.Namespace,
    env: dict[str, str],
    ports: tuple[int, int],
    children: dict[str, subprocess.Popen[bytes]],
) -> None:
    """Simulator, poller and web into ``children``, each started once the one before listens
    (``children`` is filled as they start, so that a failure still stops those started)."""
    sim_port, web_port = ports
    me = processes.python_module("wallboard.cli")
    sizes = ["--agents", str(args.agents), "--queues", str(args.queues), "--seed", str(args.seed)]
    where = ["--host", "127.0.0.1", "--port", str(sim_port)]
    children["simulator"] = processes.spawn([*me, "simulator", *where, *sizes], env)
    processes.wait_for_port("127.0.0.1", sim_port, 30, children["simulator"])
    children["poller"] = processes.spawn([*me, "poller"], env)
    children["web"] = processes.spawn(
        [*me, "web", "--host", args.host, "--port", str(web_port)], env
    )
    processes.wait_for_port(args.host, web_port, 30, children["web"])


def _demo_banner(host: str, web_port: int, sim_port: int) -> None:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(
        f"\n  Wallboard demo is running.\n"
        f"  TV wallboard:  http://{shown}:{web_port}/wallboard\n"
        f"  Supervisor:    http://{shown}:{web_port}/supervisor"
        f"  (login {DEMO_SUPERVISOR[0]} / {DEMO_SUPERVISOR[1]})\n"
        f"  Snapshot JSON: http://{shown}:{web_port}/api/snapshot\n"
        f"  Simulator:     http://127.0.0.1:{sim_port}/queuemetrics/ (control API /sim/)\n"
        f"  Press Ctrl-C to stop everything.\n",
        flush=True,
    )


def _watch(children: dict[str, subprocess.Popen[bytes]]) -> int:
    """Until one child exits (a failure: the demo stops) or Ctrl-C."""
    web = children["web"]
    while True:
        for role, child in children.items():
            if child.poll() is not None:
                return _fail(f"the {role} exited with code {child.returncode}")
        with contextlib.suppress(subprocess.TimeoutExpired):
            web.wait(1.0)


def cmd_demo(args: argparse.Namespace) -> int:
    """Everything in one command: each role a child process that dies with this one."""
    _logging()
    env = dict(os.environ)
    redis = None
    children: dict[str, subprocess.Popen[bytes]] = {}

    def on_signal(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # SIGINT too: a shell starts background jobs with it ignored, and Ctrl-C must still work.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        if not env.get("WALLBOARD_REDIS_URL"):
            try:
                redis = processes.EmbeddedRedis().start()
            except processes.MissingRedis as exc:
                return _fail(str(exc))
            env["WALLBOARD_REDIS_URL"] = redis.url
        sim_port = processes.free_port(args.host, args.simulator_port)
        web_port = processes.free_port(args.host, args.port)
        _demo_children(args, _demo_env(env, sim_port), (sim_port, web_port), children)
        _demo_banner(args.host, web_port, sim_port)
        return _watch(children)
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
        return 0
    finally:
        processes.stop(list(reversed(children.values())))
        if redis is not None:
            redis.stop()


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="wallboard", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="embedded Redis + simulator + poller + web")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--simulator-port", type=int, default=8084)
    demo.add_argument("--agents", type=int, default=24)
    demo.add_argument("--queues", type=int, default=4)
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(run=cmd_demo)

    sim = sub.add_parser("simulator", help="the QueueMetrics simulator")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8084)
    sim.add_argument("--agents", type=int, default=20)
    sim.add_argument("--queues", type=int, default=4)
    sim.add_argument("--seed", type=int, default=1)
    sim.add_argument("--speed", type=float, default=1.0)
    sim.add_argument(
        "--robot-password",
        default=os.environ.get("WALLBOARD_SIM_ROBOT_PASSWORD", "robot"),
        help="password of the simulated robot user (key ROBOT)",
    )
    sim.set_defaults(run=cmd_simulator)

    poller = sub.add_parser("poller", help="the poller (needs QueueMetrics and Redis)")
    poller.set_defaults(run=cmd_poller)

    web = sub.add_parser("web", help="the web frontend (needs Redis)")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8000)
    web.set_defaults(run=cmd_web)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except BadSettings as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        # uvicorn shuts down on Ctrl-C, then raises the signal again for its caller: that is
        # us, and a stop asked for is no error to print.
        return 130


if __name__ == "__main__":
    sys.exit(main())
