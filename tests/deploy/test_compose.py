"""The deployment files hold together: deploy/compose.yaml is checked by
``docker compose config`` where a working Compose exists, and always by a structural
check that fails on a broken file: every service runnable, every reference resolved,
every Easel setting one Easel knows, the proxy pointed at the API replicas without
buffering, the image running `easel serve` as a user other than root."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from easel.cli.main import app as cli
from easel.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
EASEL_SERVICES = ("api-1", "api-2", "worker", "migrate")
_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}")


def example_env() -> dict[str, str]:
    pairs = []
    for line in (DEPLOY / "example.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs.append((name.strip(), value.strip()))
    return dict(pairs)


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}``; ``$$`` is a
    literal dollar. A required variable missing from ``env`` fails the test."""

    def one(match: re.Match[str]) -> str:
        name, kind, argument = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        assert kind != ":?", f"{name} is required ({argument}) but example.env lacks it"
        assert kind is not None, f"{name} has no default and example.env lacks it"
        return argument if kind == ":-" else ""

    text = text.replace("$$", "\0")
    return _VARIABLE.sub(one, text).replace("\0", "$")


def load_compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    text = interpolate((DEPLOY / "compose.yaml").read_text(), env or example_env())
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def easel_setting_names() -> set[str]:
    names = {f"EASEL_{field.upper()}" for field in Settings.model_fields}
    # The queue's Redis (its own setting lands with the Redis queue).
    return names | {"EASEL_REDIS_URL"}


def test_every_service_is_runnable_and_every_reference_resolves() -> None:
    compose = load_compose()
    services: dict[str, dict[str, Any]] = compose["services"]
    assert set(services) >= {*EASEL_SERVICES, "proxy", "postgres", "redis", "minio"}
    volumes = set(compose.get("volumes") or {})
    for name, service in services.items():
        assert service.get("image") or service.get("build"), f"{name} has nothing to run"
        depends = service.get("depends_on") or {}
        for target in depends:
            assert target in services, f"{name} depends on unknown {target}"
            if isinstance(depends, dict):
                condition = depends[target]["condition"]
                assert condition in {
                    "service_started",
                    "service_healthy",
                    "service_completed_successfully",
                }, f"{name}: {condition}"
                if condition == "service_healthy":
                    assert "healthcheck" in services[target], f"{target} has no healthcheck"
        for mount in service.get("volumes") or []:
            source = mount.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in volumes, f"{name} mounts undeclared volume {source}"


def test_the_easel_services_are_configured_for_a_cluster() -> None:
    services = load_compose()["services"]
    known = easel_setting_names()
    for name in EASEL_SERVICES:
        env: dict[str, str] = services[name]["environment"]
        assert env["EASEL_DATABASE_URL"].startswith("postgresql+asyncpg://easel:")
        assert env["EASEL_REDIS_URL"].startswith("redis://redis:")
        assert env["EASEL_STORAGE_URL"].startswith("s3://")
        assert env["EASEL_S3_ENDPOINT"] == "http://minio:9000"
        unknown = {
            key
            for key in env
            if key.startswith("EASEL_") and key not in known and not key.startswith("EASEL_S3_")
        }
        assert not unknown, f"{name} sets settings Easel does not have: {unknown}"
    for name in ("api-1", "api-2"):
        assert services[name]["command"] == ["easel", "serve"]
        assert services[name]["environment"]["EASEL_EMBEDDED_WORKERS"] == "false"
    assert services["worker"]["command"] == ["easel", "worker"]
    assert int(services["worker"]["deploy"]["replicas"]) >= 1
    assert services["migrate"]["command"] == ["easel", "db", "upgrade"]
    # The bucket the store is pointed at is the one the setup job creates.
    bucket = services["api-1"]["environment"]["EASEL_STORAGE_URL"].split("/")[2]
    assert f"local/{bucket}" in services["minio-bucket"]["command"][0]


def test_the_worker_count_follows_the_setting() -> None:
    compose = load_compose({**example_env(), "EASEL_WORKERS": "7"})
    assert int(compose["services"]["worker"]["deploy"]["replicas"]) == 7


def test_a_missing_secret_is_refused() -> None:
    env = {k: v for k, v in example_env().items() if k != "POSTGRES_PASSWORD"}
    with pytest.raises(AssertionError, match="POSTGRES_PASSWORD"):
        load_compose(env)


def _cli_commands() -> set[str]:
    names = {(c.name or c.callback.__name__ if c.callback else "") for c in cli.registered_commands}
    groups = {g.name for g in cli.registered_groups if g.name}
    return {n.replace("_", "-") for n in names} | groups


def test_every_command_the_services_run_exists() -> None:
    services = load_compose()["services"]
    for name in EASEL_SERVICES:
        command = services[name]["command"]
        assert command[0] == "easel" and command[1] in _cli_commands(), (name, command)


def test_the_proxy_balances_the_api_replicas_without_buffering_events() -> None:
    conf = (DEPLOY / "nginx.conf").read_text()
    upstreams = set(re.findall(r"^\s*server\s+([\w.-]+):(\d+)", conf, re.MULTILINE))
    assert upstreams == {("api-1", "8000"), ("api-2", "8000")}
    location = conf[conf.index("location / {") :]
    assert re.search(r"proxy_buffering\s+off;", location)
    assert re.search(r"proxy_http_version\s+1\.1;", location)
    assert "/etc/nginx/conf.d/default.conf" in str(load_compose()["services"]["proxy"]["volumes"])


def test_the_image_runs_easel_serve_as_an_unprivileged_user() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "Containerfile").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert re.match(r"FROM python:3\.\d+-slim$", lines[0])
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert lines[-1] == 'CMD ["easel", "serve"]'
    copied = [line.split()[1:-1] for line in lines if line.startswith("COPY ")]
    for sources in copied:
        for source in sources:
            assert (ROOT / source).exists(), f"COPY of missing {source}"


def _compose_cli() -> list[str] | None:
    for command in (["docker", "compose"], ["podman", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        probe = subprocess.run([*command, "version"], capture_output=True, timeout=60)
        if probe.returncode == 0:
            return command
    return None


@pytest.mark.skipif(_compose_cli() is None, reason="no working docker/podman compose here")
def test_compose_itself_accepts_the_file(tmp_path: Path) -> None:
    command = _compose_cli()
    assert command is not None
    env_file = tmp_path / "example.env"
    env_file.write_text((DEPLOY / "example.env").read_text())
    result = subprocess.run(
        [*command, "-f", str(DEPLOY / "compose.yaml"), "--env-file", str(env_file), "config"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
