"""What every run of many orders shares: running a batch with or without a progress display."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from automation.runs.batch import BatchOptions, BatchRun, BatchSummary, OrderRecord
from automation.runs.batch_input import BatchInput
from automation.settings import Settings

# Given the number of orders, a display that is told of each finished order (the command line's bar).
Progress = Callable[[int], AbstractContextManager[Callable[[OrderRecord], None]]]


def run_batch(settings: Settings, options: BatchOptions, parsed: BatchInput, browser: Any = None,
              progress: Progress | None = None) -> BatchSummary:
    """The batch's orders worked through, in the browser given or one of its own."""
    run = BatchRun(settings, options, parsed, browser=browser)
    if progress is None:
        return run.run()
    with progress(len(parsed.rows) + len(parsed.invalid)) as tick:
        run.progress = tick
        return run.run()
