"""The process harness of the tests and benchmarks, and the product's process helpers it stands
on: free ports, a start that fails with the process's log, stop by process group, children that
die with their parent, the open-file limit, CPU and memory of a child."""

from __future__ import annotations

import os
import resource
import signal
import socket
import sys
from pathlib import Path

import pytest

from tests.harness import DidNotStart, Proc, Stack, cpu_seconds, rss_bytes
from tests.waiting import until
from wallboard.processes import free_port

SLEEPER = "import time; time.sleep(600)"


def python(
    tmp_path: Path, code: str, port: int | None = None, many_files: bool = False, name: str = "py"
) -> Proc:
    log = tmp_path / f"{name}.log"
    return Proc(name, [sys.executable, "-c", code], dict(os.environ), log, port, many_files)


def gone(pid: int) -> bool:
    """Whether a process that is not our child has ended (a zombie has)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def test_free_port_takes_the_preferred_one_when_it_is_free() -> None:
    port = free_port()
    assert free_port(preferred=port) == port


def test_free_port_falls_back_when_the_preferred_one_is_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        other = free_port(preferred=busy)
        assert other != busy
        with socket.socket() as check:
            check.bind(("127.0.0.1", other))


def test_a_process_that_exits_while_starting_reports_its_log(tmp_path: Path) -> None:
    code = "import sys; print('cannot open the listening socket', flush=True); sys.exit(3)"
    with pytest.raises(DidNotStart) as failed:
        python(tmp_path, code, port=free_port()).start()
    assert "exited with code 3" in str(failed.value)
    assert "cannot open the listening socket" in str(failed.value)


def test_a_process_that_never_listens_is_killed_and_reports_its_log(tmp_path: Path) -> None:
    proc = python(tmp_path, f"print('up but deaf', flush=True); {SLEEPER}", port=free_port())
    with pytest.raises(DidNotStart, match="up but deaf") as failed:
        proc.start(timeout=1.0)
    assert "nothing listens" in str(failed.value)
    assert proc.process is not None and proc.process.returncode == -signal.SIGKILL


def test_stop_ends_what_the_process_started_too(tmp_path: Path) -> None:
    """Even a grandchild that ignores SIGTERM: the group is killed once its leader is gone."""
    pidfile = tmp_path / "grandchild"
    stubborn = (
        "import os, pathlib, signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"pathlib.Path({str(pidfile)!r}).write_text(str(os.getpid()))\n"
        "time.sleep(600)\n"
    )
    code = f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', {stubborn!r}])"
    code += "; time.sleep(600)"
    proc = python(tmp_path, code).start()
    grandchild = int(until(lambda: pidfile.exists() and pidfile.read_text(), what="a grandchild"))
    assert not gone(grandchild)
    proc.stop()
    assert proc.process is not None and proc.process.returncode == -signal.SIGTERM
    until(lambda: gone(grandchild), what="the grandchild to be killed with its group")


def test_stop_kills_a_process_that_ignores_sigterm(tmp_path: Path) -> None:
    code = (
        "import signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('ignoring SIGTERM', flush=True)\n"
        "time.sleep(600)\n"
    )
    proc = python(tmp_path, code).start()
    until(lambda: "ignoring SIGTERM" in proc.output(), what="the handler to be set")
    took = proc.stop(timeout=0.5)
    assert proc.process is not None and proc.process.returncode == -signal.SIGKILL
    assert 0.5 <= took < 5


def test_stop_ends_a_stopped_process(tmp_path: Path) -> None:
    proc = python(tmp_path, SLEEPER).start()
    proc.signal(signal.SIGSTOP)
    proc.stop(timeout=5)
    assert proc.process is not None and proc.process.returncode == -signal.SIGTERM
    assert proc.stop() == 0.0, "stopping twice does nothing"


def test_a_child_dies_with_its_parent(tmp_path: Path) -> None:
    """The parent here is killed outright (SIGKILL), so it cannot stop its child itself."""
    pidfile = tmp_path / "child"
    code = (
        "import pathlib, sys, time\n"
        "from tests.harness import Proc\n"
        f"log = pathlib.Path({str(tmp_path / 'inner.log')!r})\n"
        f"child = Proc('inner', [sys.executable, '-c', {SLEEPER!r}], {{}}, log).start()\n"
        f"pathlib.Path({str(pidfile)!r}).write_text(str(child.pid))\n"
        "time.sleep(600)\n"
    )
    parent = python(tmp_path, code).start()
    child = int(until(lambda: pidfile.exists() and pidfile.read_text(), what="the child"))
    assert not gone(child)
    os.kill(parent.pid, signal.SIGKILL)
    until(lambda: gone(child), what="the child to die with its parent")
    parent.stop()


def test_many_files_raises_the_childs_open_file_limit(tmp_path: Path) -> None:
    code = "import resource; print(*resource.getrlimit(resource.RLIMIT_NOFILE), flush=True)"
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    plain = python(tmp_path, code).start()
    assert plain.process is not None and plain.process.wait(10) == 0
    assert plain.output().split() == [str(soft), str(hard)], "the limit is inherited unchanged"
    many = python(tmp_path, code, many_files=True, name="many").start()
    assert many.process is not None and many.process.wait(10) == 0
    raised = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    assert int(many.output().split()[0]) == raised


def test_cpu_and_memory_of_a_child(tmp_path: Path) -> None:
    busy = python(tmp_path, "data = b'x' * 64 * 2**20\nwhile True: pass").start()
    try:
        until(lambda: rss_bytes(busy.pid) > 64 * 2**20, what="the child's 64 MiB resident")
        first = cpu_seconds(busy.pid)
        until(lambda: cpu_seconds(busy.pid) > first + 0.1, what="the child's CPU time to grow")
    finally:
        busy.stop()


def test_the_stack_keeps_logs_and_stops_its_own_redis(tmp_path: Path) -> None:
    stack = Stack.with_own_redis(tmp_path)
    assert stack.redis is not None and stack.redis.process is not None
    redis = stack.redis.process
    with stack:
        say = stack.start("speaker", [sys.executable, "-c", f"print('hello'); {SLEEPER}"])
        until(lambda: "hello" in say.output(), what="the speaker's line")
        assert "===== speaker" in stack.logs() and "hello" in stack.logs()
        assert say.env["WALLBOARD_REDIS_URL"] == stack.redis_url
    assert say.process is not None and say.process.returncode is not None
    assert redis.poll() is not None and stack.redis is None
    assert "hello" in stack.logs(), "the logs outlive the stop, for the failure's report"


def test_a_role_that_cannot_start_is_reported_with_its_log(tmp_path: Path) -> None:
    # Bound but not listening: nothing answers there, and the simulator cannot bind it.
    with socket.socket() as taken, Stack(tmp_path, "redis://127.0.0.1:1/0") as stack:
        taken.bind(("127.0.0.1", 0))
        with pytest.raises(DidNotStart) as failed:
            stack.simulator(port=taken.getsockname()[1])
    assert str(failed.value).startswith("simulator: ")
    assert "address already in use" in str(failed.value).lower()
