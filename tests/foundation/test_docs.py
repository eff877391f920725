"""docs/configuration.md lists every environment variable the cloud reads."""

from __future__ import annotations

import re

from tests.harness import ROOT

# Settings modules and the few other places that read the environment directly.
SOURCES = ["cloud/settings.py", "cloud/celery_config.py", "cloud/asgi_http.py",
           "cloud/db/pooled_postgresql/base.py", "cloud/launcher/run.py"]
READ = re.compile(r"(?:env_(?:str|int|float|bool|list)\(|environ\.get\(|environ\[|getenv\()"
                  r"""\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_every_environment_variable_is_documented():
    found = {name for source in SOURCES for name in READ.findall((ROOT / source).read_text())}
    assert {"DATABASE_URL", "CELERY_BROKER_URL", "CLOUD_PORT"} <= found  # the pattern still matches
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", (ROOT / "docs/configuration.md").read_text(), re.M))
    assert not found - documented, f"add these to docs/configuration.md: {sorted(found - documented)}"
