"""One line of backfill progress, as the CLI and the local runner show it (pure formatting)."""

from __future__ import annotations

from ..dal.backfill_progress import Progress

WIDTH = 24


def render(progress: Progress | None, status: str, elapsed_seconds: float) -> str:
    clock = f"{int(elapsed_seconds) // 60:02d}:{int(elapsed_seconds) % 60:02d}"
    if progress is None:
        return f"[{'.' * WIDTH}] planning ...  {status} {clock}"
    total = progress.prefixes_total
    done = min(progress.prefixes_done, total) if total else 0
    filled = WIDTH if total == 0 and status != "RUNNING" else (WIDTH * done // total if total else 0)
    return (f"[{'#' * filled}{'.' * (WIDTH - filled)}] prefixes {done}/{total}  "
            f"files {progress.files_done}/{progress.files_listed} listed  "
            f"events stored {progress.events_stored:,}  dup {progress.duplicates:,}  "
            f"failed files {progress.files_failed}  {status} {clock}")
