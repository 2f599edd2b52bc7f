"""The deployment files at parse level (no Docker daemon here): the compose file, the image,
the example env file, and the proxies' configurations (checked by Caddy and nginx themselves
where they are installed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from wallboard.settings import Settings
from wallboard.store.connection import check_url, parse_sentinel_url

ROOT = Path(__file__).resolve().parent.parent
ROLES = {"redis", "poller", "web", "proxy", "simulator"}
HA = {"redis-a", "redis-b", "sentinel-1", "sentinel-2", "sentinel-3"}


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def services() -> dict[str, Any]:
    found: dict[str, Any] = compose()["services"]
    return found


def health(service: dict[str, Any]) -> str:
    return " ".join(service["healthcheck"]["test"])


def test_every_role_is_there_with_a_healthcheck() -> None:
    found = services()
    assert set(found) == ROLES | HA
    for name, service in found.items():
        assert service["healthcheck"]["test"][0] == "CMD", name
        assert service.get("restart") == "unless-stopped", name
    assert found["redis"]["image"].startswith("redis:7")


def test_pollers_and_webs_are_replicated_and_share_one_image() -> None:
    found = services()
    assert found["poller"]["deploy"]["replicas"] == 2
    assert found["web"]["deploy"]["replicas"] == 2
    images = {found[role]["image"] for role in ("poller", "web", "simulator")}
    assert images == {"${WALLBOARD_IMAGE:-wallboard:latest}"}
    assert found["poller"]["command"] == ["wallboard", "poller"]
    assert found["web"]["command"][:2] == ["wallboard", "web"]
    assert found["simulator"]["command"][:2] == ["wallboard", "simulator"]
    for role in ("poller", "web"):
        assert found[role]["depends_on"]["redis"]["condition"] == "service_healthy"
        env = found[role]["environment"]
        assert env["WALLBOARD_REDIS_URL"].endswith("redis://redis:6379/0}")
        assert env["WALLBOARD_LOG_FORMAT"] == "${WALLBOARD_LOG_FORMAT:-json}"


def test_only_the_proxy_is_published_and_the_secret_key_is_required() -> None:
    found = services()
    published = {name for name, s in found.items() if s.get("ports")}
    assert published == {"proxy"}
    assert any(str(p).endswith(":443") for p in found["proxy"]["ports"])
    key = found["web"]["environment"]["WALLBOARD_SECRET_KEY"]
    assert key.startswith("${WALLBOARD_SECRET_KEY:?"), "compose must refuse to start without it"
    assert found["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_web_healthcheck_keeps_stale_replicas_in_service() -> None:
    check = health(services()["web"])
    assert "/readyz" in check and "strict" not in check
    assert "import sys, wallboard.metrics as m" in health(services()["poller"])


def test_simulator_only_in_the_demo_profile() -> None:
    found = services()
    assert found["simulator"]["profiles"] == ["demo"]
    assert all("profiles" not in s for name, s in found.items() if name not in HA | {"simulator"})


def test_the_ha_profile_is_a_master_a_replica_and_three_sentinels() -> None:
    found = services()
    for name in HA:
        service = found[name]
        assert service["profiles"] == ["ha"], name
        assert service["image"].startswith("redis:7"), name
        command = service["command"]
        assert command[:2] == ["sh", "/usr/local/bin/redis-ha.sh"], name
        role = "sentinel" if name.startswith("sentinel") else "node"
        assert command[2:4] == [role, name], "each member is told its own name"
        assert "./deploy/redis-ha.sh:/usr/local/bin/redis-ha.sh:ro" in service["volumes"], name
    for sentinel in ("sentinel-1", "sentinel-2", "sentinel-3"):
        assert any(v.endswith(":/data") for v in found[sentinel]["volumes"]), "keeps what it learnt"
    for role in ("poller", "web"):
        waits = found[role]["depends_on"]
        assert all(waits[s] == {"condition": "service_healthy", "required": False}
                   for s in ("sentinel-1", "sentinel-2", "sentinel-3"))  # fmt: skip


def script_default(name: str) -> str:
    text = (ROOT / "deploy" / "redis-ha.sh").read_text()
    found = re.search(rf"^{name}=\$\{{REDIS_HA_{name}:-\"?([^}}\"]*)\"?\}}$", text, re.M)
    assert found, name
    return found[1]


def test_the_ha_script_names_the_compose_services_and_safe_timings() -> None:
    assert subprocess.run(["sh", "-n", str(ROOT / "deploy" / "redis-ha.sh")]).returncode == 0
    sentinels = script_default("SENTINELS").split()
    assert sentinels == [f"{s}:26379" for s in ("sentinel-1", "sentinel-2", "sentinel-3")]
    assert script_default("FIRST_MASTER") in HA
    assert script_default("SERVICE") == "mymaster" and script_default("QUORUM") == "2"
    # Not 1 s: on a busy machine that declared a freshly promoted master down (docs/reliability.md).
    assert int(script_default("DOWN_AFTER_MS")) >= 5000
    assert int(script_default("FAILOVER_TIMEOUT_MS")) >= 60000


def test_the_documented_sentinel_url_is_one_the_settings_take() -> None:
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    url = "redis+sentinel://sentinel-1:26379,sentinel-2:26379,sentinel-3:26379/mymaster/0"
    assert f"WALLBOARD_REDIS_URL={url}" in deploy
    assert f"WALLBOARD_REDIS_URL={url}" in (ROOT / "docker-compose.yml").read_text()
    parsed = parse_sentinel_url(check_url(url))
    assert [host for host, _ in parsed.sentinels] == ["sentinel-1", "sentinel-2", "sentinel-3"]


def test_proxy_mounts_the_caddyfile_and_terminates_tls() -> None:
    proxy = services()["proxy"]
    assert proxy["image"].startswith("caddy:2")
    sources = [v.split(":")[0] for v in proxy["volumes"]]
    assert "./deploy/Caddyfile" in sources
    for source in sources:
        if source.startswith("./"):
            assert (ROOT / source).exists(), source
    assert proxy["environment"]["WALLBOARD_TLS"] == "${WALLBOARD_TLS:-internal}"
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "flush_interval -1" in caddyfile and "protocols h1 h2" in caddyfile
    assert "tls {$WALLBOARD_TLS:internal}" in caddyfile


def test_containers_are_hardened() -> None:
    for name in ("poller", "web", "simulator"):
        service = services()[name]
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name


def test_dockerfile_is_slim_non_root_with_a_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    froms = re.findall(r"^FROM (\S+)", text, re.M)
    assert froms and all("-slim" in image for image in froms)
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    check = re.search(r"^HEALTHCHECK [^\n]*\\\n([^\n]*)", text, re.M)
    assert check and "CMD" in check.group(1)
    assert "/healthz" in check.group(1) and "strict" not in check.group(1)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and ".env" in ignored and ".git" in ignored


def test_env_example_names_only_real_settings() -> None:
    text = (ROOT / ".env.example").read_text()
    names = re.findall(r"^#?\s*(WALLBOARD_[A-Z_]+)=", text, re.M)
    compose_only = {"SITE", "TLS", "HTTP_PORT", "HTTPS_PORT", "IMAGE", "BUILD"}
    fields = {name.upper() for name in Settings.model_fields}
    unknown = {n for n in names if n.removeprefix("WALLBOARD_") not in fields | compose_only}
    assert not unknown
    used = set(re.findall(r"\$\{(WALLBOARD_[A-Z_]+)", (ROOT / "docker-compose.yml").read_text()))
    assert used <= set(names), f"compose variables missing from .env.example: {used - set(names)}"


@pytest.mark.skipif(
    subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0
    if shutil.which("docker")
    else True,
    reason="no `docker compose` plugin on this machine; the YAML checks above stand in",
)
def test_docker_compose_config_accepts_it(tmp_path: Path) -> None:
    env = {**os.environ, "WALLBOARD_SECRET_KEY": "x" * 32}
    for profile in ([], ["--profile", "demo"], ["--profile", "ha"]):
        result = subprocess.run(
            ["docker", "compose", *profile, "-f", str(ROOT / "docker-compose.yml"), "config"],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stderr
    env.pop("WALLBOARD_SECRET_KEY")
    refused = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
    )
    assert refused.returncode != 0


@pytest.mark.skipif(not shutil.which("caddy"), reason="caddy is not installed")
def test_caddy_accepts_the_caddyfile(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    result = subprocess.run(
        ["caddy", "adapt", "--adapter", "caddyfile", "--config", str(ROOT / "deploy/Caddyfile")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert '"flush_interval":-1' in result.stdout
    assert '"protocols":["h1","h2"]' in result.stdout


@pytest.mark.skipif(
    not (shutil.which("nginx") and shutil.which("openssl")), reason="nginx is not installed"
)
def test_nginx_accepts_the_example(tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    subprocess.run(
        ["sh", str(ROOT / "deploy/make-cert.sh"), "wallboard.example.com", str(certs)],
        check=True,
        capture_output=True,
    )
    server = (ROOT / "deploy/nginx.conf").read_text().replace("/etc/nginx/certs", str(certs))
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\n{server}\n}}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
