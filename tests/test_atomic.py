"""Outputs replace files atomically, write through links and into pipes, and name the file a write failed on."""

from __future__ import annotations

import errno
import os
import stat
import sys

import pytest
from linesift.model.atomic import AtomicFile, atomic_write
from linesift.model.io.sinks import FileSink
from linesift.training.cli import EXIT_INPUT, EXIT_OK, main

PAGE = "Harbour reopens\n\nThe harbour reopened on Tuesday after the storm, the port said, and ferries ran again.\n"


class _Full:
    """A stream on a full disk: every write and flush fails as the kernel says it."""

    def __init__(self, inner):
        self.inner = inner

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fileno(self):
        return self.inner.fileno()

    def close(self):
        self.inner.close()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_failed_write_names_the_file_and_leaves_the_old_one(tmp_path):
    old = tmp_path / "out.jsonl"
    old.write_bytes(b"old\n")
    sink = FileSink(old)
    sink.stream = sink.atomic.handle = _Full(sink.atomic.handle)
    with pytest.raises(OSError) as caught:
        sink.write(b'{"text": "x"}\n')
    assert caught.value.filename == str(old) and caught.value.errno == errno.ENOSPC
    sink.abort()  # its close fails too: the temporary file still goes
    assert old.read_bytes() == b"old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_a_failed_write_in_atomic_write_names_the_file(tmp_path):
    target = tmp_path / "report.html"
    with pytest.raises(OSError) as caught, atomic_write(target) as handle:
        handle.flush = _Full(None).flush
        handle.flush()
    assert caught.value.filename == str(target) and list(tmp_path.iterdir()) == []


def test_a_link_is_written_through_and_kept(tmp_path, capsys):
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "out.txt"
    real.write_text("old\n")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    page = tmp_path / "page.txt"
    page.write_text(PAGE)
    assert main(["predict", str(page), "-o", str(link)]) == EXIT_OK
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "The harbour reopened" in real.read_text()
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["out.txt"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="holds a named pipe open read-write, as Linux allows")
def test_a_named_pipe_is_written_into_not_replaced(tmp_path, capsys):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    page = tmp_path / "page.txt"
    page.write_text(PAGE)
    held = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)  # a reader, so the writer never blocks; the output fits its buffer
    try:
        code = main(["predict", str(page), "-o", str(fifo)])
        got = os.read(held, 1 << 16) if stat.S_ISFIFO(os.stat(fifo).st_mode) else b""
    finally:
        os.close(held)
    assert code == EXIT_OK
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a pipe, not a regular file renamed over it
    assert b"The harbour reopened" in got
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.fifo", "page.txt"]


def test_a_device_that_refuses_the_write_is_a_one_line_error_naming_it(tmp_path, capsys, monkeypatch):
    """A special file is written directly; its write error ends the run naming it (not a traceback)."""
    page = tmp_path / "page.txt"
    page.write_text(PAGE)
    target = tmp_path / "device"
    monkeypatch.setattr("linesift.model.atomic._is_special", lambda path: True)
    real_init = AtomicFile.__init__

    def full_init(self, path, mode="wb", encoding="utf-8"):
        real_init(self, path, mode, encoding)
        self.handle = _Full(self.handle)

    monkeypatch.setattr(AtomicFile, "__init__", full_init)
    code = main(["predict", str(page), "-o", str(target)])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT
    assert err.strip().splitlines() == [f"linesift: error: {target}: {os.strerror(errno.ENOSPC)}"]


def test_a_link_into_a_missing_folder_is_an_error_naming_the_file_it_names(tmp_path, capsys):
    link = tmp_path / "out.txt"
    link.symlink_to(tmp_path / "missing" / "out.txt")
    page = tmp_path / "page.txt"
    page.write_text(PAGE)
    assert main(["predict", str(page), "-o", str(link)]) == EXIT_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"linesift: error: {tmp_path / 'missing' / 'out.txt'}: {os.strerror(errno.ENOENT)}"]
    assert link.is_symlink() and sorted(p.name for p in tmp_path.iterdir()) == ["out.txt", "page.txt"]


def test_the_temporary_file_is_hidden_beside_the_target_until_commit(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    atomic = AtomicFile("out.txt", "w")  # a bare name: the temporary file goes in the current folder
    tmp = os.path.basename(atomic.tmp)
    assert tmp.startswith(".out.txt.") and tmp.endswith(".tmp") and os.path.dirname(os.path.abspath(atomic.tmp)) == str(tmp_path)
    atomic.handle.write("done")
    atomic.commit()
    assert sorted(os.listdir(tmp_path)) == ["out.txt"] and (tmp_path / "out.txt").read_text() == "done"


def test_text_is_written_in_the_encoding_asked_for(tmp_path):
    for encoding, expected in (("utf-8", "é€".encode()), ("cp1252", b"\xe9\x80")):
        with atomic_write(tmp_path / "t.txt", "w", encoding) as handle:
            handle.write("é€")
        assert (tmp_path / "t.txt").read_bytes() == expected
    with atomic_write(tmp_path / "b.bin", "wb", "cp1252") as handle:  # binary: the encoding is unused
        handle.write(b"\x00\xff")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"


def test_a_new_file_gets_the_umask_default_and_an_old_one_keeps_its_mode(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "new.txt") as handle:
            handle.write("x")
        assert stat.S_IMODE(os.stat(tmp_path / "new.txt").st_mode) == 0o644
        assert os.umask(0o022) == 0o022  # the umask is as it was
        (tmp_path / "kept.txt").write_text("old")
        os.chmod(tmp_path / "kept.txt", 0o600)
        with atomic_write(tmp_path / "kept.txt") as handle:
            handle.write("new")
        assert stat.S_IMODE(os.stat(tmp_path / "kept.txt").st_mode) == 0o600
    finally:
        os.umask(old)


def test_the_default_mode_writes_bytes(tmp_path):
    atomic = AtomicFile(tmp_path / "out.bin")
    atomic.handle.write(b"\x00\xff")
    atomic.commit()
    assert (tmp_path / "out.bin").read_bytes() == b"\x00\xff"


def test_a_failed_rename_names_the_target_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "kept").write_text("x")
    atomic = AtomicFile(target, "w")
    atomic.handle.write("text")
    with pytest.raises(OSError) as caught:
        atomic.commit()  # a file cannot replace a folder
    assert caught.value.filename == str(target) and caught.value.filename2 is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"] and (target / "kept").read_text() == "x"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full, a device whose writes fail (Linux)")
def test_a_device_whose_flush_fails_on_commit_is_named():
    atomic = AtomicFile("/dev/full", "w")
    assert atomic.direct
    atomic.handle.write("x")  # buffered: the device refuses it when the file is closed
    with pytest.raises(OSError) as caught:
        atomic.commit()
    assert caught.value.filename == "/dev/full" and caught.value.errno == errno.ENOSPC


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="holds a named pipe open read-write, as Linux allows")
def test_a_named_pipe_gets_text_in_the_encoding_asked_for(tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    held = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        atomic = AtomicFile(fifo, "w", encoding="latin-1")
        atomic.handle.write("café")
        atomic.commit()
        got = os.read(held, 100)
    finally:
        os.close(held)
    assert got == "café".encode("latin-1")
