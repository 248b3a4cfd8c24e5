"""Entry point of the worker process: `huey_consumer portal.worker.huey -w 2`.

Importing this module imports every domain's wiring (`portal.app.DOMAINS`), hence its jobs and
schedules, and tells the job runner how to build the app of each worker process.
"""
from portal.app import create_app, domain_wirings
from portal.core import jobs
from portal.core.jobs import huey  # noqa: F401  (the consumer looks it up here)

domain_wirings()
jobs.app_factory = create_app
