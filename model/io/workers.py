"""Worker processes for ``predict --jobs N``: tasks go out round-robin, results come back in order.

Not ``multiprocessing.Pool``: its ``terminate()`` can wait for ever when its task thread is part
way through sending a large chunk as the pool stops (``predict big.jsonl | head -1`` never ended,
about one run in twenty). Here every worker has its own pair of pipes and the parent keeps no copy
of a worker's reading end, so killing the workers fails any blocked send at once; a worker that
dies is an error, not a hang.
"""

from __future__ import annotations

import os
import queue
import threading
from collections import deque
from typing import Any, Callable

from ..errors import LinesiftError

#: How long a stopping run waits for a killed worker to be reaped (seconds).
REAP_SECONDS = 5.0
#: How often an idle worker checks that the process that started it is still there (seconds).
PARENT_CHECK_SECONDS = 1.0
#: Tells a worker's feeder thread and the worker itself to finish.
_STOP = None
#: The parent's ends of the pipes of workers already started, which a forked worker inherits.
_INHERITED: list = []


class WorkerPool:
    """``jobs`` processes running ``function`` on tasks, each set up once by ``initializer``.

    Task k goes to worker k mod jobs; each worker answers its tasks in the order given, so
    :meth:`result` returns answers in submission order. Use as a context manager: leaving the
    block normally lets them finish (:meth:`close`), leaving it by an exception kills them."""

    def __init__(self, context, jobs: int, function: Callable[[Any], Any],
                 initializer: Callable[..., None], initargs: tuple = ()):
        self.context = context
        self.jobs = jobs
        self.function = function
        self.initializer = initializer
        self.initargs = initargs

    def start(self) -> "WorkerPool":
        """Fork (or spawn) every worker, then start one thread per worker that sends it its tasks."""
        self.processes_: list = []
        self.inboxes_: list[queue.Queue] = []
        self.answers_: list = []
        self.feeders_: list[threading.Thread] = []
        self.pending_: deque[int] = deque()
        self.submitted_ = 0
        senders: list = []
        try:
            for _ in range(self.jobs):  # every fork before any thread of ours starts
                task_reader, task_writer = self.context.Pipe(duplex=False)
                answer_reader, answer_writer = self.context.Pipe(duplex=False)
                # A forked worker closes its copies of the parent's ends, its own pair included.
                _INHERITED[:] = senders + self.answers_ + [task_writer, answer_reader]
                process = self.context.Process(
                    target=_serve, args=(task_reader, answer_writer, os.getpid(), self.function,
                                         self.initializer, self.initargs), daemon=True)
                process.start()
                task_reader.close()  # only the worker reads its tasks, so its death fails our sends
                answer_writer.close()  # only the worker writes its answers, so its death ends our reads
                self.processes_.append(process)
                senders.append(task_writer)
                self.answers_.append(answer_reader)
        except BaseException:
            self.kill()
            raise
        finally:
            _INHERITED.clear()
        for sender in senders:
            inbox: queue.Queue = queue.Queue()
            feeder = threading.Thread(target=_feed, args=(inbox, sender), daemon=True)
            feeder.start()
            self.inboxes_.append(inbox)
            self.feeders_.append(feeder)
        return self

    def __enter__(self) -> "WorkerPool":
        return self

    def submit(self, task: Any) -> None:
        """Queue ``task`` without blocking (the caller bounds how many are in flight)."""
        worker = self.submitted_ % self.jobs
        self.inboxes_[worker].put(task)
        self.pending_.append(worker)
        self.submitted_ += 1

    def in_flight(self) -> int:
        return len(self.pending_)

    def result(self) -> Any:
        """The answer to the oldest task not yet answered; re-raises the worker's exception."""
        worker = self.pending_.popleft()
        try:
            ok, value = self.answers_[worker].recv()
        except (EOFError, OSError):
            code = self.processes_[worker].exitcode
            raise LinesiftError(f"worker process {worker + 1} of {self.jobs} stopped unexpectedly"
                                f"{f' (exit code {code})' if code is not None else ''}; "
                                "out of memory? try fewer --jobs") from None
        if not ok:
            raise value
        return value

    def close(self) -> None:
        """Let every worker finish what it was given, then wait for it to exit."""
        for inbox in self.inboxes_:
            inbox.put(_STOP)
        for feeder in self.feeders_:
            feeder.join()
        for process in self.processes_:
            process.join()

    def kill(self) -> None:
        """Stop every worker now (an error, Ctrl-C or a closed output pipe)."""
        for process in self.processes_:
            if process.exitcode is None:
                process.kill()
        for process in self.processes_:
            process.join(REAP_SECONDS)
        for inbox in self.inboxes_:
            inbox.put(_STOP)
        for feeder in self.feeders_:
            feeder.join(REAP_SECONDS)

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            self.close()
        else:
            self.kill()
        for connection in self.answers_:
            connection.close()


def _feed(inbox: queue.Queue, sender) -> None:
    """Send tasks to one worker as it takes them; ends at the stop sign or when the worker is gone."""
    try:
        while True:
            task = inbox.get()
            sender.send(task)
            if task is _STOP:
                return
    except (BrokenPipeError, OSError):
        return
    finally:
        sender.close()


def _serve(tasks, answers, parent: int, function: Callable, initializer: Callable, initargs: tuple) -> None:
    """A worker's life: set up once, then answer each task with (True, result) or (False, error);
    it ends at the stop sign, or when its parent has gone (even one killed outright)."""
    for connection in _INHERITED:  # other workers' pipes: holding them would keep those open
        connection.close()
    _INHERITED.clear()
    failure: BaseException | None = None
    try:
        initializer(*initargs)
    except BaseException as exc:  # reported on the first task, where the parent is listening
        failure = exc
    while True:
        try:
            while not tasks.poll(PARENT_CHECK_SECONDS):
                if os.getppid() != parent:
                    return
            task = tasks.recv()
        except EOFError:
            return
        if task is _STOP:
            return
        if failure is not None:
            _answer(answers, False, failure)
            continue
        try:
            value = function(task)
        except BaseException as exc:
            _answer(answers, False, exc)
        else:
            _answer(answers, True, value)


def _answer(answers, ok: bool, value: Any) -> None:
    try:
        answers.send((ok, value))
    except BrokenPipeError:
        raise SystemExit(0) from None  # the parent has gone
    except Exception as exc:  # an error that does not pickle still reaches the parent, as text
        answers.send((False, LinesiftError(f"worker failed: {value!r} ({exc})")))
