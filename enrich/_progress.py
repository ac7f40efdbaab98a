"""Progress of a run, per source: rich bars where they render, plain lines elsewhere.

The same display serves the ``enrich`` command and ``enrich.enrich`` in a
notebook.  Bars need a terminal, or Jupyter with ``ipywidgets`` (rich draws its
live display into a widget there); anywhere else, including a notebook without
``ipywidgets``, a ``progress: arxiv 40/100, s2 12/100`` line is printed to
stderr every few seconds and once at the end.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
from typing import Any, Final, TextIO

__all__ = ["ProgressDisplay", "in_jupyter"]

#: Seconds between two plain progress lines.
LINE_INTERVAL: Final = 5.0


def in_jupyter() -> bool:
    """Whether this process is a Jupyter kernel (notebook, lab, qtconsole, Colab).

    IPython in a terminal is not: it has a terminal for the bars already.
    """
    ipython_module = sys.modules.get("IPython")
    if ipython_module is None:
        return False
    get_ipython = getattr(ipython_module, "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    if shell is None:
        return False
    kind = type(shell)
    return kind.__name__ == "ZMQInteractiveShell" or "google.colab" in kind.__module__


def _widgets_available() -> bool:
    return importlib.util.find_spec("ipywidgets") is not None


class ProgressDisplay:
    """A ``callback(source, done, total)`` that shows what it is told; a context manager.

    Args:
        enabled: False shows nothing at all.
        stream: where plain lines go (default: ``sys.stderr`` at the time of the call).
        bars: force rich bars on (True) or off (False); by default they are used on
            a terminal and in Jupyter when ``ipywidgets`` is installed.
    """

    def __init__(
        self, enabled: bool = True, *, stream: TextIO | None = None, bars: bool | None = None
    ) -> None:
        self.enabled = enabled
        self.stream = stream
        if bars is None:
            out = stream if stream is not None else sys.stderr
            bars = out.isatty() or (in_jupyter() and _widgets_available())
        self.bars = enabled and bars
        self._lock = threading.Lock()
        self._last_line = 0.0
        self.state: dict[str, tuple[int, int]] = {}
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> ProgressDisplay:
        if self.bars:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            console = Console(file=self.stream, stderr=self.stream is None)
            self._progress = Progress(
                "[bold]{task.description:<7}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=False,
            )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
        elif self.enabled and self.state:
            self._line()

    def _line(self) -> None:
        parts = [f"{s} {d}/{t}" for s, (d, t) in sorted(self.state.items())]
        out = self.stream if self.stream is not None else sys.stderr
        out.write("progress: " + ", ".join(parts) + "\n")
        out.flush()

    def __call__(self, source: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        with self._lock:
            self.state[source] = (done, total)
            if self._progress is not None:
                task = self._tasks.get(source)
                if task is None:
                    task = self._tasks[source] = self._progress.add_task(source, total=total)
                self._progress.update(task, completed=done, total=total)
                return
            now = time.monotonic()
            if now - self._last_line >= LINE_INTERVAL:
                self._last_line = now
                self._line()
