"""Entry point of the worker process: `huey_consumer portal.worker.huey -w 2`.

Importing this module registers every job and schedule of every domain.
"""
import importlib
import pkgutil

import portal
from portal.core.jobs import huey  # noqa: F401  (the consumer looks it up here)

for _module in pkgutil.iter_modules(portal.__path__):
    if _module.ispkg:
        try:
            importlib.import_module(f"portal.{_module.name}.jobs")
        except ModuleNotFoundError as exc:
            if exc.name != f"portal.{_module.name}.jobs":
                raise
