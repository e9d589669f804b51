"""Connecting to a Dask cluster, or starting a local one, with spaCy loaded once per worker."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from factcli.errors import FactcliError

if TYPE_CHECKING:
    from distributed import Client

CONNECT_TIMEOUT_S = 5
"""An unreachable scheduler is reported after this long, never after a hang."""


QUIET_INTERVALS_MS = {"tick": 1000, "monitor": 2000, "memory_monitor": 1000}
"""How often a process of the cluster wakes up to check itself. Dask's defaults (every 20 ms
its event loop's latency, every 500 ms the host's CPU, memory and disk, every 100 ms the
process's memory) suit short numeric tasks; a spaCy task runs for seconds, and each wake-up
takes the interpreter lock from it, so on 2 cores these checks cost about a tenth of the
throughput."""

WORKER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.admin.tick.interval": f"{QUIET_INTERVALS_MS['tick']}ms",
    "distributed.admin.tick.cycle": "5s",
    "distributed.admin.system-monitor.interval": f"{QUIET_INTERVALS_MS['monitor']}ms",
    "distributed.admin.system-monitor.disk": False,
    "distributed.worker.memory.monitor-interval": f"{QUIET_INTERVALS_MS['memory_monitor']}ms",
}
"""Dask settings for a local cluster (its scheduler, nannies and workers). Dask's statistical
profiler samples the busy thread's stack every 10 ms, which costs a deep spaCy stack about a
tenth of the worker's CPU; the nanny's MALLOC_TRIM_THRESHOLD_ turns off glibc's adaptive mmap
threshold, so every array spaCy allocates above 128 KB becomes an mmap, a munmap and page
faults (75 times the page faults of a plain process, a quarter more CPU per article); and the
checks of `QUIET_INTERVALS_MS` run less often. Remote workers get the same from the worker
plugin below, or from `dask worker` started as docs/scaling.md shows."""

MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 64 * 1024 * 1024


def tune_worker_process(worker: Any = None) -> None:
    """In a worker process: undo what makes spaCy slow under Dask (see `WORKER_CONFIG`).

    glibc's mmap threshold cannot be made adaptive again once the environment fixed it, so it is
    set to the adaptive ceiling (32 MB): spaCy's arrays come from the heap again. The profiler's
    periodic callbacks are stopped and the self-checks slowed; all best effort (another libc,
    another Dask)."""
    if os.environ.get("MALLOC_TRIM_THRESHOLD_") is not None:
        try:
            import ctypes

            libc = ctypes.CDLL("libc.so.6")
            libc.mallopt(-3, MMAP_THRESHOLD)  # M_MMAP_THRESHOLD
            libc.mallopt(-1, TRIM_THRESHOLD)  # M_TRIM_THRESHOLD
        except (OSError, AttributeError):  # pragma: no cover - not glibc
            pass
    callbacks = getattr(worker, "periodic_callbacks", None) or {}
    for name in ("profile", "profile-cycle"):
        # removed, not only stopped: a worker that joins later (one the nanny restarted) runs
        # its plugins before it starts every callback it still holds
        callback = callbacks.pop(name, None)
        if callback is not None:
            callback.stop()
    for name, interval_ms in QUIET_INTERVALS_MS.items():
        callback = callbacks.get(name)
        if callback is not None and getattr(callback, "callback_time", interval_ms) < interval_ms:
            callback.callback_time = interval_ms  # takes effect from the next wake-up


def _worker_plugin() -> Any:
    from distributed.diagnostics.plugin import WorkerPlugin

    class LoadModel(WorkerPlugin):
        """Load spaCy and the attribution model when a worker starts, once: every task on that
        worker process then reuses them through the per-process caches of `factcli.nlp` and
        `factcli.learn.model`."""

        name = "factcli-load-model"

        def setup(self, worker: Any) -> None:
            from factcli import nlp
            from factcli.extract import judge_for

            tune_worker_process(worker)
            nlp.load()
            with contextlib.suppress(FactcliError):  # rules need no model; "model" was checked
                judge_for("model")

    return LoadModel()


@contextmanager
def connect(scheduler: str | None, workers: int | None) -> Iterator[Client]:
    """A client of the scheduler at `scheduler` (``tcp://host:8786`` or a scheduler file), or
    of a `LocalCluster` of `workers` processes (one thread each) that lives as long as this."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - depends on the installation
        raise FactcliError(
            "the dask engine needs the dask extra: pip install 'factcli[dask]'"
        ) from None
    cluster = None
    try:
        if scheduler is not None:
            client = _remote(Client, scheduler)
        else:
            import dask

            from factcli.pipeline import default_jobs

            with dask.config.set(WORKER_CONFIG):
                cluster = LocalCluster(
                    n_workers=workers or default_jobs(),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    worker_dashboard_address=None,
                    scheduler_port=0,
                    silence_logs=40,
                )
                client = Client(cluster)
    except FactcliError:
        raise
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise FactcliError(f"cannot start a local Dask cluster: {exc}") from None
    try:
        client.register_plugin(_worker_plugin())
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _remote(client_type: Any, scheduler: str) -> Client:
    """A scheduler file is read for its address; a missing one or a silent address is one
    error line within `CONNECT_TIMEOUT_S` seconds."""
    kwargs: dict[str, Any] = {"timeout": f"{CONNECT_TIMEOUT_S}s"}
    looks_like_file = "://" not in scheduler and (
        os.path.sep in scheduler or scheduler.endswith(".json") or os.path.exists(scheduler)
    )
    if looks_like_file:
        if not os.path.isfile(scheduler):
            raise FactcliError(f"no scheduler file at {scheduler}")
        kwargs["scheduler_file"] = scheduler
    else:
        kwargs["address"] = scheduler
    try:
        client: Client = client_type(**kwargs)
    except (OSError, TimeoutError) as exc:
        raise FactcliError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    except ValueError as exc:
        raise FactcliError(f"not a Dask scheduler address: {scheduler} ({exc})") from None
    return client
