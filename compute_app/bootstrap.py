"""Default flavors, created by ``manage.py bootstrap`` when missing."""

from __future__ import annotations

from compute_app.models import Flavor

# (flavorid, name, memory_mb, vcpus, root_gb): Nova's classic m1 set.
DEFAULT_FLAVORS = [
    ("1", "m1.tiny", 512, 1, 1),
    ("2", "m1.small", 2048, 1, 20),
    ("3", "m1.medium", 4096, 2, 40),
    ("4", "m1.large", 8192, 4, 80),
]


def ensure_default_flavors() -> list[str]:
    created = []
    for flavorid, name, ram, vcpus, disk in DEFAULT_FLAVORS:
        if Flavor.objects.filter(flavorid=flavorid).exists() or Flavor.objects.filter(name=name).exists():
            continue
        Flavor.objects.create(flavorid=flavorid, name=name, memory_mb=ram, vcpus=vcpus, root_gb=disk)
        created.append(f"flavor {name}")
    return created
