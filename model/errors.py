"""The one exception type users see: every message names the file (and line) at fault."""


class LinesiftError(Exception):
    """A failure the user can act on; the CLI prints it as one line and exits non-zero."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        self.source = source
        self.line = line
        self.reason = message
        where = source if source is not None else ""
        if source is not None and line is not None:
            where = f"{source}:{line}"
        super().__init__(f"{where}: {message}" if where else message)


class NotTextError(LinesiftError):
    """Input that is binary (NUL bytes, undecodable) and must not be classified."""


class ModelFileError(LinesiftError):
    """A model file that is missing, damaged, of another format or library version, or not ours."""


class DataError(LinesiftError):
    """Labelled or JSONL input that breaks its documented format."""
