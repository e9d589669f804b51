"""Connecting to a Dask cluster, or starting a local one, with spaCy loaded once per worker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from factcli.errors import FactcliError

if TYPE_CHECKING:
    from distributed import Client

CONNECT_TIMEOUT_S = 5
"""An unreachable scheduler is reported after this long, never after a hang."""


def _worker_plugin() -> Any:
    from distributed.diagnostics.plugin import WorkerPlugin

    class LoadModel(WorkerPlugin):
        """Load spaCy (and whatever the extractor needs) when a worker starts, once: every
        task on that worker process then reuses it through `factcli.nlp.load`'s cache."""

        name = "factcli-load-model"

        def setup(self, worker: Any) -> None:
            from factcli import nlp

            nlp.load()

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
            from factcli.pipeline import default_jobs

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
