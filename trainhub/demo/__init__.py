"""Demo data: a realistic Linxia prefecture registry, demo accounts and the domains' own demo data.

`seed` writes everything through the current session and flushes; the caller commits once,
so a failed run leaves the database as it was.
"""
from __future__ import annotations

import importlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from trainhub.demo import accounts, registry

# Optional seeders of other domains, run in this order after the registry:
# module.seed(scale: str, rng: random.Random) -> dict[str, int]
DOMAIN_SEEDERS = ("trainhub.training.demo", "trainhub.staffing.demo")


@dataclass
class Summary:
    counts: dict[str, int]
    accounts: list[accounts.DemoAccount]
    domains: dict[str, dict[str, int] | None] = field(default_factory=dict)  # None: not available yet
    seconds: dict[str, float] = field(default_factory=dict)


def seed(scale: str, seed_value: int, password: str, today: date | None = None) -> Summary:
    """Build the demo registry, the demo accounts and each available domain's demo data."""
    rng = random.Random(seed_value)
    started = time.perf_counter()
    built = registry.build(scale, rng, today)
    seconds = {"registry": time.perf_counter() - started}

    mark = time.perf_counter()
    demo_accounts = accounts.create(built, password)
    seconds["accounts"] = time.perf_counter() - mark

    domains = {}
    for module_name in DOMAIN_SEEDERS:
        seeder = _optional_seeder(module_name)
        if seeder is None:
            domains[module_name] = None
            continue
        mark = time.perf_counter()
        # Each domain gets its own generator, so adding one does not change the others' data.
        domains[module_name] = dict(seeder(scale, random.Random(f"{seed_value}:{module_name}")) or {})
        seconds[module_name] = time.perf_counter() - mark
    return Summary(built.counts, demo_accounts, domains, seconds)


def _optional_seeder(module_name: str) -> Callable | None:
    """Return module.seed if the module exists and defines it; errors inside the module propagate."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:
            return None
        raise
    return getattr(module, "seed", None)
