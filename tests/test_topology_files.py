"""The deployment files of docs/topology.md, checked without a container engine (none here):
compose.yaml parses, has the topology's services, and names only settings that exist; the proxy
balances over both web servers by their readiness; S3 storage is chosen only when a bucket is
named."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from interlude.core.management.commands.serve import ROLES

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = {"web1", "web2", "worker", "clock", "migrate"}


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def settings_names() -> set[str]:
    """Every environment variable the settings read, and every one the README's table names."""
    code = "".join(p.read_text() for p in (ROOT / "config" / "settings").glob("*.py"))
    names = set(re.findall(r"os\.environ\.get\(\s*\"([A-Z0-9_]+)\"", code))
    names |= set(re.findall(r"os\.environ\[\"([A-Z0-9_]+)\"\]", code))
    readme = (ROOT / "README.md").read_text()
    names |= set(re.findall(r"^\| `([A-Z0-9_]+)`", readme, re.MULTILINE))
    names |= set(re.findall(r"`([A-Z0-9_]+)`, `[A-Z0-9_]+`", readme))
    return names


def test_compose_has_the_topology_services():
    services = compose()["services"]
    assert sorted(services) == [
        "clock",
        "migrate",
        "postgres",
        "proxy",
        "redis",
        "web1",
        "web2",
        "worker",
    ]
    assert services["worker"]["deploy"]["replicas"] == 2
    roles = {
        name: services[name]["command"][services[name]["command"].index("--role") + 1]
        for name in ("web1", "web2", "worker", "clock")
    }
    assert roles == {"web1": "web", "web2": "web", "worker": "worker", "clock": "clock"}
    assert set(roles.values()) <= set(ROLES)
    # The web and worker services share the folder where exports and uploads wait.
    for name in ("web1", "web2", "worker", "clock"):
        assert "files:/var/lib/interlude/files" in services[name]["volumes"]


def test_every_variable_compose_gives_the_app_is_a_setting():
    known = settings_names()
    services = compose()["services"]
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        unknown = sorted(set(environment) - known)
        assert unknown == [], f"{name} sets variables no setting reads: {unknown}"
    assert "INTERLUDE_S3_BUCKET" in known
    assert "INTERLUDE_CLOCK_LOCK" in known


def test_every_variable_compose_reads_from_env_is_in_the_example():
    text = (ROOT / "compose.yaml").read_text()
    wanted = set(re.findall(r"\$\{([A-Z0-9_]+)", text))
    example = (ROOT / "deploy" / "compose.env.example").read_text()
    offered = set(re.findall(r"^([A-Z0-9_]+)=", example, re.MULTILINE))
    assert sorted(wanted - offered) == []


def test_the_proxy_balances_over_both_web_servers_by_readiness():
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy web1:8000 web2:8000" in caddyfile
    assert "health_uri /readyz" in caddyfile
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in compose()["services"]["proxy"]["volumes"]


STORAGE = """
import json
from config.settings import base
print(json.dumps(base.STORAGES["default"]))
"""


def default_storage_with(tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERLUDE_S3_")}
    env.update(INTERLUDE_DATA_DIR=str(tmp_path), **extra)
    env.pop("INTERLUDE_ENV", None)
    out = subprocess.run(
        [sys.executable, "-c", STORAGE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_s3_storage_only_when_a_bucket_is_named(tmp_path):
    assert default_storage_with(tmp_path) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    s3 = default_storage_with(
        tmp_path,
        INTERLUDE_S3_BUCKET="interlude-files",
        INTERLUDE_S3_ENDPOINT_URL="https://s3.example.org",
        INTERLUDE_S3_ACCESS_KEY_ID="AKEXAMPLE",
        INTERLUDE_S3_SECRET_ACCESS_KEY="not-a-real-secret",
    )
    assert s3 == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "interlude-files",
            "endpoint_url": "https://s3.example.org",
            "region_name": None,
            "access_key": "AKEXAMPLE",
            "secret_key": "not-a-real-secret",
            "location": "",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }


def test_the_s3_backend_is_installed():
    from storages.backends.s3 import S3Storage

    storage = S3Storage(bucket_name="interlude-files", endpoint_url="https://s3.example.org")
    assert storage.bucket_name == "interlude-files"
