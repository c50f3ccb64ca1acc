"""One way for the maintainer scripts (gate, select, bench) to fail: a stderr line, never a traceback."""

from __future__ import annotations

import json
import sys
from typing import Callable

from linesift.model.errors import LinesiftError

EXIT_FAILED, EXIT_INTERRUPTED = 1, 130


def run_script(prog: str, main: Callable[[], int]) -> int:
    """Run ``main`` and map the failures a user can cause to one line on stderr and an exit code."""
    try:
        return main()
    except KeyboardInterrupt:
        message, code = "interrupted", EXIT_INTERRUPTED
    except KeyError as exc:  # a floors or metadata file without a field the script needs
        message, code = f"error: missing field {exc}", EXIT_FAILED
    except (LinesiftError, json.JSONDecodeError) as exc:
        message, code = f"error: {exc}", EXIT_FAILED
    except OSError as exc:
        name = getattr(exc, "filename", None)
        message, code = f"error: {name + ': ' if name else ''}{exc.strerror or exc}", EXIT_FAILED
    sys.stderr.write(f"{prog}: {message}\n")
    return code
