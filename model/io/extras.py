"""Optional dependencies of the runtime: a missing one is a one-line error naming the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from ..errors import LinesiftError

#: What each optional module is for, and the extra (``pip install 'linesift[EXTRA]'``) that brings it.
EXTRAS = {
    "pyarrow": ("Parquet input and output", "parquet"),
    "pyarrow.parquet": ("Parquet input and output", "parquet"),
    "zstandard": ("zstd-compressed input and output", "zstd"),
    "fastwarc.warc": ("WARC and WET input", "warc"),
    "resiliparse.extract.html2text": ("HTML input", "html"),
}


def require(module: str, source: str | None = None) -> ModuleType:
    """``module`` imported, or a LinesiftError saying which extra provides it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        what, extra = EXTRAS.get(module, (module, module))
        raise LinesiftError(f"{what} needs {module.split('.')[0]}: pip install 'linesift[{extra}]'",
                            source=source) from None
