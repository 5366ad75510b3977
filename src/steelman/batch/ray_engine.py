"""The Ray engine: the same job on Ray Data, for a cluster.

The pipeline is ``read_datasource`` -> ``map_batches`` -> ``iter_batches``:

- a read task reads and prepares the input exactly as the local engine does (in order: parents
  by id need the rows before), as blocks of one chunk each;
- ``map_batches`` runs :class:`JudgeActor`, a pool of actors (one CPU each) that load the judge
  once and judge whole blocks;
- this process (the driver) takes the blocks back in input order and writes them with the same
  writers and checkpoints as the local engine, so both write the same file.

The read task must see the input path (a shared file system on a multi-node cluster). Ray is
imported only through :func:`steelman.batch.compat.import_ray`.
"""

from __future__ import annotations

import logging
import os
import pickle
import warnings
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

from steelman.batch.compat import import_pyarrow, import_ray
from steelman.batch.judging import Outcome, Scorer, judge_texts, merge_outcomes, texts_of
from steelman.batch.prepare import Chunk, Fields, iter_chunks
from steelman.batch.readers import InputFile
from steelman.errors import SteelmanError

__all__ = ["JudgeActor", "run_ray"]

log = logging.getLogger(__name__)

# Each block holds one chunk (one row): a 1-byte target stops Ray from joining blocks, and a
# block of one row cannot be split.
_BLOCK_BYTES = 1
_FEW_BLOCKS = "The minimum number of concurrent actors"


def run_ray(
    path: Path,
    fields: Fields,
    factory: Any,
    *,
    skip: int,
    chunk_rows: int,
    workers: int | None,
    address: str | None,
    index_path: Path | None = None,
) -> Generator[tuple[Chunk, list[Outcome]], None, None]:
    """Yield each chunk with the outcome of each of its items, judged on Ray, in input order."""
    ray = import_ray()
    started = _connect(ray, address, workers)
    try:
        size = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        with warnings.catch_warnings():  # Ray's own defaults warn of a deprecated setting
            warnings.simplefilter("ignore", DeprecationWarning)
            context = ray.data.DataContext.get_current()
        saved = (context.execution_options.preserve_order, context.target_max_block_size)
        context.execution_options.preserve_order = True
        context.target_max_block_size = _BLOCK_BYTES
        context.enable_progress_bars = False
        source = _datasource(path.resolve(), fields, skip, chunk_rows, index_path)
        dataset = ray.data.read_datasource(source, override_num_blocks=1, num_cpus=0).map_batches(
            JudgeActor,
            fn_constructor_args=(factory,),
            batch_size=1,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=size),
            num_cpus=1,
        )
        try:
            with warnings.catch_warnings():
                # Ray advises more input blocks when a file has fewer chunks than actors.
                warnings.filterwarnings("ignore", _FEW_BLOCKS, UserWarning)
                yield from _chunks(dataset.iter_batches(batch_size=None, batch_format="numpy"))
        except Exception as exc:
            cause = _steelman_cause(exc)
            if cause is not None:
                raise cause from exc
            raise
        finally:
            context.execution_options.preserve_order, context.target_max_block_size = saved
    finally:
        if started:
            ray.shutdown()


def _connect(ray: Any, address: str | None, workers: int | None) -> bool:
    """Join the cluster at ``address`` or start a local one; ``True`` if this call started it."""
    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    # Ray's own log lines: errors only, and none from the workers (failures still raise here).
    settings: dict[str, Any] = {"logging_level": logging.ERROR, "log_to_driver": False}
    if address:
        ray.init(address=address, **settings)
    else:
        ray.init(num_cpus=workers or os.cpu_count() or 1, include_dashboard=False, **settings)
    return True


def _steelman_cause(exc: BaseException) -> SteelmanError | None:
    """The Steelman error that a Ray error wraps (Ray keeps it as ``cause``), if any."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        if isinstance(current, SteelmanError):
            return current
        seen.append(current)
        cause = getattr(current, "cause", None)
        current = cause if isinstance(cause, BaseException) else current.__cause__
    return None


def _datasource(
    path: Path, fields: Fields, skip: int, chunk_rows: int, index_path: Path | None
) -> Any:
    """A Ray Data datasource with one read task that yields the prepared chunks as blocks."""
    ray = import_ray()
    from ray.data import ReadTask
    from ray.data.block import BlockMetadata

    base: Any = ray.data.Datasource

    class PreparedSource(base):  # type: ignore[misc]
        def estimate_inmemory_data_size(self) -> int | None:
            return None

        def get_read_tasks(self, parallelism: int, **_: Any) -> list[Any]:
            meta = BlockMetadata(num_rows=None, size_bytes=None, input_files=None, exec_stats=None)
            return [ReadTask(lambda: _read(path, fields, skip, chunk_rows, index_path), meta)]

    return PreparedSource()


def _read(
    path: Path, fields: Fields, skip: int, chunk_rows: int, index_path: Path | None
) -> Iterator[Any]:
    pa = import_pyarrow()
    source = InputFile(path)
    for chunk in iter_chunks(
        source, fields, skip=skip, chunk_rows=chunk_rows, index_path=index_path
    ):
        yield pa.table({"chunk": pa.array([pickle.dumps(chunk)], pa.binary())})


class JudgeActor:
    """A Ray actor that loads the judge once and judges chunks (one per row of a block)."""

    def __init__(self, factory: Any) -> None:
        self.scorer: Scorer = factory()

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        chunks = [pickle.loads(data) for data in batch["chunk"]]
        outcomes = [
            pickle.dumps(merge_outcomes(chunk, judge_texts(self.scorer, *texts_of(chunk))))
            for chunk in chunks
        ]
        return {"chunk": batch["chunk"], "outcomes": outcomes}


def _chunks(batches: Iterable[dict[str, Any]]) -> Iterator[tuple[Chunk, list[Outcome]]]:
    for batch in batches:
        for data, outcomes in zip(batch["chunk"], batch["outcomes"], strict=True):
            yield pickle.loads(data), pickle.loads(outcomes)
