"""Background jobs: an RQ worker when REDIS_URL is set, else a small pool of local worker threads.

Start the worker (the app must be importable; the job builds its own app):

    rq worker --url $TRAINHUB_REDIS_URL trainhub

With JOBS_INLINE set (tests, scripts) the job runs at once in its own app context.
A job is named by a dotted path to a function taking plain arguments (ids); the function runs
inside an app context and commits its own work.
"""
from __future__ import annotations

import importlib
import logging
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app

QUEUE_NAME = "trainhub"
LOCAL_WORKERS = 2
JOB_TIMEOUT_SECONDS = 600

log = logging.getLogger(__name__)
_executor: ThreadPoolExecutor | None = None


def _function(path: str):
    module_name, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module_name), name)


def perform(path: str, *args) -> None:
    """Run a job in a worker process: build the app, then call the function in its context."""
    from trainhub import create_app

    app = create_app()
    with app.app_context():
        _function(path)(*args)


def _perform_local(app: Flask, path: str, args: tuple) -> None:
    with app.app_context():
        try:
            _function(path)(*args)
        except Exception:  # the job records its own failure; this keeps the thread alive and logs the rest
            log.exception("background job %s%r failed", path, args)
            raise


def enqueue(path: str, *args) -> Future | str:
    """Queue a job; return the RQ job id, or the local thread's future.

    Call it after the request has committed what the job reads.
    """
    app = current_app._get_current_object()
    if app.config.get("JOBS_INLINE"):  # tests and scripts: run now, in a context of its own
        _perform_local(app, path, args)
        return "inline"
    url = app.config.get("REDIS_URL")
    if url:
        from redis import Redis
        from rq import Queue

        queue = Queue(QUEUE_NAME, connection=Redis.from_url(url))
        return queue.enqueue(perform, path, *args, job_timeout=JOB_TIMEOUT_SECONDS).id
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=LOCAL_WORKERS, thread_name_prefix="trainhub-job")
    return _executor.submit(_perform_local, app, path, args)
