"""The worker pool behind ``predict --jobs``: order, errors, and stopping without hanging."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from linesift.model.errors import LinesiftError
from linesift.model.io.workers import WorkerPool

FORK = multiprocessing.get_context("fork")


def _nothing() -> None:
    pass


def _failing_setup() -> None:
    raise ValueError("model file is corrupt")


def _slow_echo(task):
    """Later tasks finish sooner, so answers arrive out of order unless the pool restores it."""
    index, payload = task
    time.sleep(0.05 * (5 - index % 5))
    return index, len(payload)


def _divide(task):
    return 1 / task


def _sleep(task):
    time.sleep(task if isinstance(task, (int, float)) else 60)
    return os.getpid()


def _gone(pid: int) -> bool:
    """Exited (a zombie waiting for a reaper counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1].startswith("Z")
    except FileNotFoundError:
        return True


@pytest.mark.parametrize("context", ["fork", "spawn"])
def test_answers_come_back_in_submission_order(context):
    with WorkerPool(multiprocessing.get_context(context), 2, _slow_echo, _nothing).start() as pool:
        for i in range(10):
            pool.submit((i, "x" * i))
        answers = [pool.result() for _ in range(10)]
    assert answers == [(i, i) for i in range(10)]
    assert all(not p.is_alive() for p in pool.processes_)
    # Nothing of the pool keeps the interpreter alive once the main thread ends, and the parent
    # only reads answers.
    assert all(p.daemon for p in pool.processes_) and all(f.daemon for f in pool.feeders_)
    assert all(a.readable and not a.writable for a in pool.answers_)


def test_a_workers_exception_reaches_the_caller():
    with pytest.raises(ZeroDivisionError):
        with WorkerPool(FORK, 2, _divide, _nothing).start() as pool:
            pool.submit(2)
            pool.submit(0)
            assert pool.result() == 0.5
            pool.result()
    assert all(not p.is_alive() for p in pool.processes_)


def test_a_failed_setup_is_reported_on_the_first_answer():
    with pytest.raises(ValueError, match="corrupt"):
        with WorkerPool(FORK, 1, _divide, _failing_setup).start() as pool:
            pool.submit(1)
            pool.result()


def test_a_worker_that_dies_is_an_error_not_a_hang():
    with pytest.raises(LinesiftError) as caught:
        with WorkerPool(FORK, 2, _sleep, _nothing).start() as pool:
            pool.submit(30)
            os.kill(pool.processes_[0].pid, signal.SIGKILL)
            pool.result()
    assert str(caught.value) in (
        "worker process 1 of 2 stopped unexpectedly (exit code -9); out of memory? try fewer --jobs",
        "worker process 1 of 2 stopped unexpectedly; out of memory? try fewer --jobs")  # not yet reaped


class _Gone:
    """A worker process that has ended, with the exit code the parent has seen (None: not reaped)."""

    def __init__(self, exitcode):
        self.exitcode = exitcode


@pytest.mark.parametrize("exitcode, says", [(137, " (exit code 137)"), (None, "")])
def test_a_dead_workers_message_gives_its_exit_code_when_known(exitcode, says):
    from collections import deque

    reader, writer = FORK.Pipe(duplex=False)
    writer.close()  # the worker's end is gone: reading fails at once
    pool = WorkerPool(FORK, 3, _sleep, _nothing)
    pool.processes_, pool.answers_, pool.pending_ = [None, _Gone(exitcode), None], [None, reader, None], deque([1])
    with pytest.raises(LinesiftError) as caught:
        pool.result()
    assert str(caught.value) == f"worker process 2 of 3 stopped unexpectedly{says}; out of memory? try fewer --jobs"


def test_tasks_go_to_the_workers_in_turn():
    import queue
    from collections import deque

    pool = WorkerPool(FORK, 2, _sleep, _nothing)
    pool.inboxes_, pool.pending_, pool.submitted_ = [queue.Queue(), queue.Queue()], deque(), 0
    for task in range(5):
        pool.submit(task)
    assert [pool.inboxes_[0].get_nowait() for _ in range(3)] == [0, 2, 4]
    assert [pool.inboxes_[1].get_nowait() for _ in range(2)] == [1, 3]
    assert list(pool.pending_) == [0, 1, 0, 1, 0] and pool.in_flight() == 5 and pool.submitted_ == 5


def test_stopping_while_a_large_task_is_being_sent_returns_at_once():
    # Each worker is busy for a minute and its pipe is full, so each feeder thread is blocked part
    # way through sending a task far larger than a pipe's buffer: what hung multiprocessing.Pool.
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="reader went away"):
        with WorkerPool(FORK, 2, _sleep, _nothing).start() as pool:
            for _ in range(6):
                pool.submit("x" * 4_000_000)
            time.sleep(0.5)
            assert any(feeder.is_alive() for feeder in pool.feeders_)
            raise RuntimeError("reader went away")
    assert time.monotonic() - started < 30
    assert all(not p.is_alive() for p in pool.processes_)
    assert all(not feeder.is_alive() for feeder in pool.feeders_)


def test_workers_end_when_their_parent_is_killed_outright():
    script = (
        "import os, signal, sys, multiprocessing\n"
        "from linesift.model.io.workers import WorkerPool\n"
        "from tests.test_workers import _nothing, _sleep\n"
        "pool = WorkerPool(multiprocessing.get_context('fork'), 2, _sleep, _nothing).start()\n"
        "print(' '.join(str(p.pid) for p in pool.processes_), flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=root)
    pids = [int(pid) for pid in done.stdout.split()]
    assert done.returncode == -signal.SIGKILL and len(pids) == 2
    deadline = time.monotonic() + 20
    while not all(_gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(_gone(pid) for pid in pids)


def test_a_worker_set_up_in_this_process_labels_as_the_main_process_does(monkeypatch, small_model):
    """What ``predict --jobs`` runs in each worker, run here (mutation tests see no worker process)."""
    import gc

    from linesift.model.io import predict as runner
    from linesift.model.io.sinks import OutputSpec
    from linesift.model.io.sources import Page
    from linesift.model.predictor import Predictor
    from linesift.model.site_repeats import RepeatedLines, line_keys

    calls: list[tuple] = []
    monkeypatch.setattr(signal, "signal", lambda *a: calls.append(("signal", *a)))  # pytest keeps its Ctrl-C
    monkeypatch.setattr(signal, "pthread_sigmask", lambda *a: calls.append(("mask", *a)))
    monkeypatch.setattr(gc, "freeze", lambda: calls.append(("freeze",)))
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    monkeypatch.setattr(runner, "_WORKER", {})
    spec, out = runner.ModelSpec(str(small_model), threshold=0.0), OutputSpec("jsonl", "lines")
    items = [(Page({"id": i, "url": f"https://example.com/{i}"}, text, f"p{i}"), False, i == 0)
             for i, text in enumerate(["Big storm hits\n\nShare\nWaves reached six metres.", "Home\nNews"])]
    # The run's site-repeats step: "Share" is on other pages of example.com, so it becomes chrome.
    revision = (runner.SiteRepeats(1), RepeatedLines(np.sort(line_keys("example.com", ["Share"])), 1))
    try:
        runner._init_worker(spec, out, revision)
        assert calls == [("signal", signal.SIGINT, signal.SIG_IGN), ("mask", signal.SIG_UNBLOCK, {signal.SIGINT}),
                         ("freeze",)]
        assert os.environ["OMP_NUM_THREADS"] == "1"
        from threadpoolctl import threadpool_info

        assert {pool["num_threads"] for pool in threadpool_info()} == {1}  # OpenMP and BLAS pools: one thread
        rendered, n_lines = runner._worker_chunk(items)
        keep_all = Predictor.load(str(small_model), threshold=0.0)
        expected = runner.label_chunk(keep_all, out, items, revision)
        assert (rendered, n_lines) == expected and n_lines == 6
        assert rendered != runner.label_chunk(keep_all, out, items)[0]  # the revise step ran in the worker
        # A forked worker inherits what _start_pool left: the main process's predictor for its model spec.
        inherited = runner._WORKER["predictor"]
        runner._WORKER["model"] = spec
        runner._init_worker(spec, out)  # the same spec: the inherited predictor, not loaded again
        assert runner._WORKER["predictor"] is inherited and calls.count(("freeze",)) == 1
        runner._init_worker(runner.ModelSpec(str(small_model)), out)  # another spec: loaded
        assert runner._WORKER["predictor"] is not inherited and calls.count(("freeze",)) == 2
    finally:
        if "limits" in runner._WORKER:
            runner._WORKER["limits"].restore_original_limits()


def test_a_counting_worker_leaves_ctrl_c_to_the_main_process(monkeypatch):
    from linesift.model.io import predict as runner

    calls: list[tuple] = []
    monkeypatch.setattr(signal, "signal", lambda *a: calls.append(("signal", *a)))
    monkeypatch.setattr(signal, "pthread_sigmask", lambda *a: calls.append(("mask", *a)))
    runner._init_counter()
    assert calls == [("signal", signal.SIGINT, signal.SIG_IGN), ("mask", signal.SIG_UNBLOCK, {signal.SIGINT})]


def test_a_workers_model_spec_loads_the_threshold_it_names():
    from linesift.model.io.predict import ModelSpec
    from linesift.model.predictor import Predictor

    # The bundled model (path None): its F0.5 and F2 thresholds differ from each other and from its own.
    thresholds = {favor: ModelSpec(favor=favor).load().threshold for favor in (None, "precision", "recall")}
    assert thresholds == {favor: Predictor.load(None, favor=favor).threshold for favor in thresholds}
    assert len(set(thresholds.values())) == 3
    assert ModelSpec(threshold=0.25).load().threshold == 0.25


# --- a worker's loop, run on a thread of this process (mutation tests see no worker process) ----

def _serve_here(function, initializer, initargs=(), parent=None):
    """``_serve`` on a thread with fresh pipes: (thread, task sender, answer receiver)."""
    import threading

    from linesift.model.io import workers

    task_reader, task_writer = FORK.Pipe(duplex=False)
    answer_reader, answer_writer = FORK.Pipe(duplex=False)
    parent = os.getppid() if parent is None else parent  # the thread's "parent": this process's
    thread = threading.Thread(target=workers._serve, daemon=True,
                              args=(task_reader, answer_writer, parent, function, initializer, initargs))
    thread.start()
    return thread, task_writer, answer_reader


def test_a_worker_sets_up_once_answers_each_task_and_ends_at_the_stop_sign():
    setups: list[tuple] = []
    thread, tasks, answers = _serve_here(_divide, lambda *args: setups.append(args), ("model.joblib", 2))
    for task in (4, 0, 8):
        tasks.send(task)
    assert answers.recv() == (True, 0.25)
    ok, error = answers.recv()
    assert not ok and isinstance(error, ZeroDivisionError)
    assert answers.recv() == (True, 0.125)  # a task's error does not end the worker
    tasks.send(None)  # the stop sign
    thread.join(5)
    assert not thread.is_alive()
    assert setups == [("model.joblib", 2)]
    with pytest.raises(EOFError):  # nothing answers the stop sign; the ended thread let go of its end
        answers.recv()


def test_a_worker_whose_setup_failed_answers_every_task_with_that_error():
    ran: list = []
    thread, tasks, answers = _serve_here(ran.append, _failing_setup)
    tasks.send(1)
    tasks.send(2)
    first, second = answers.recv(), answers.recv()
    assert first[0] is False and second[0] is False
    assert str(first[1]) == "model file is corrupt" and second[1].args == first[1].args
    assert ran == []  # the function never ran without its set-up
    tasks.close()  # the parent closing its end ends the worker too
    thread.join(5)
    assert not thread.is_alive()


def test_an_idle_worker_ends_when_its_parent_is_gone(monkeypatch):
    from linesift.model.io import workers

    monkeypatch.setattr(workers, "PARENT_CHECK_SECONDS", 0.01)
    thread, tasks, answers = _serve_here(_divide, _nothing, parent=os.getppid() + 1_000_000)
    thread.join(5)
    assert not thread.is_alive()
    alive, tasks2, answers2 = _serve_here(_divide, _nothing)  # its parent is there: it waits
    time.sleep(0.2)
    assert alive.is_alive()
    tasks2.send(2)
    assert answers2.recv() == (True, 0.5)
    tasks2.send(None)
    alive.join(5)
    assert not alive.is_alive()


def test_a_worker_closes_the_pipes_it_inherited_from_other_workers():
    from linesift.model.io import workers

    other_reader, other_writer = FORK.Pipe(duplex=False)
    workers._INHERITED[:] = [other_writer]
    try:
        thread, tasks, answers = _serve_here(_divide, _nothing)
        tasks.send(1)
        assert answers.recv() == (True, 1.0)
        assert other_writer.closed and workers._INHERITED == []
        tasks.send(None)
        thread.join(5)
    finally:
        workers._INHERITED.clear()


def test_an_answer_that_does_not_pickle_reaches_the_parent_as_text():
    from linesift.model.io import workers

    reader, writer = FORK.Pipe(duplex=False)
    workers._answer(writer, True, lambda: None)
    ok, error = reader.recv()
    assert ok is False and isinstance(error, LinesiftError)
    assert str(error).startswith("worker failed: <function ") and "pickle" in str(error)
    reader.close()
    with pytest.raises(SystemExit) as gone:  # the parent has gone: the worker ends quietly
        workers._answer(writer, True, 1)
    assert gone.value.code == 0


def test_a_feeder_sends_in_order_then_closes_at_the_stop_sign_or_a_gone_worker():
    import queue

    from linesift.model.io import workers

    reader, writer = FORK.Pipe(duplex=False)
    inbox: queue.Queue = queue.Queue()
    for task in (1, "two", None, "never sent"):
        inbox.put(task)
    workers._feed(inbox, writer)
    assert [reader.recv(), reader.recv(), reader.recv()] == [1, "two", None]
    assert writer.closed and inbox.get_nowait() == "never sent"
    with pytest.raises(EOFError):  # nothing after the stop sign
        reader.recv()
    reader2, writer2 = FORK.Pipe(duplex=False)
    reader2.close()
    inbox.put("to a worker that has gone")
    workers._feed(inbox, writer2)  # returns, no error
    assert writer2.closed
