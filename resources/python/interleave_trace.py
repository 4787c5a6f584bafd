"""Runs a Python program and streams what its asyncio tasks, threads and worker processes do, for Interleave.

    python3 interleave_trace.py --fd N [--] script.py [args...]

Standard library only (Python 3.11 and later). Events go to file descriptor N as records of native 64-bit integers,
so that recording one costs a tuple and an array append rather than formatting text:

    1 <id> <bytes> <words...>               a string (UTF-8, zero-padded to whole words), named by id in what follows
    2 <lane> <kind> <name>                  a lane: kind 0 the main thread, 1 a thread, 2 a worker process
    3 <ns> <task> <parent> <lane> <index> <name>
                                            a task: an asyncio task (on its loop's thread), a thread, a pool job;
                                            <index> numbers the tasks of one name (-1: main, the main thread)
    4 <ns> <task> <lane> <state> <what>     a task's state: 1 running, 2 waiting for I/O (a sleep), 3 blocked on
                                            <what>, 4 ready, 5 done, 6 failed, 7 cancelled; <what> 0 says nothing
    5 <ns> <lane> <name> <value>            a counter's sample
    6 <ns> <task> <lane> <kind> <text>      a marker: kind 1 an exception
    7 <ns> <status> <text>                  the program ended: status 0, or 1 with the traceback's last line
    10 <ns>                                 the program starts: the run's time zero
    <task·256 + state·16 + 8> <ns>          an asyncio task's state, short: its lane is the one it was made on
    <task·256 + state·16 + 9> <ns> <what>   the same, with what it waits on

The short forms are what a task's step writes, two records a step: their first word is made once per task. Names
and texts are string ids. Each process (the program and its forked workers) writes its own stream in chunks of
at most PIPE_BUF bytes, each led by two words, its pid and the chunk's length: a pipe write that size is never split,
so the reader can tell the streams apart. <ns> is time.monotonic_ns() (CLOCK_MONOTONIC, the engine's clock).
What CPython does not say is not drawn: there is no GIL lane, since Python 3.11 cannot tell who holds the GIL.
"""

from array import array
import asyncio
import collections.abc
import concurrent.futures
import concurrent.futures.process
import concurrent.futures.thread
import contextvars
import functools
import itertools
import linecache
import multiprocessing
import os
import queue
import re
import sys
import threading
import time
import traceback

_now = time.monotonic_ns
_real_sleep = time.sleep
_real_lock = threading.Lock
_real_rlock = threading.RLock


_STRING, _LANE, _TASK, _STATE, _COUNTER, _MARKER, _END, _STEP, _STEP_ON, _START = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
_STATES = {"r": 1, "i": 2, "b": 3, "y": 4, "d": 5, "f": 6, "c": 7}
_CHUNK = 4096 - 16  # a chunk and its two-word header fit in PIPE_BUF


class _Writer:
    """Collects records in an array and writes them to the pipe every 5 ms (and at exit): a write per event would
    cost more than the event. The program's threads extend the array without a lock (one extend by a tuple is one C
    call under the GIL); a flush takes what is there and deletes just that, one flush at a time."""

    def __init__(self, fd):
        global _put
        self.fd = fd
        self.lock = _real_lock()  # one flush at a time
        self.records = array("q")
        _put = self.records.extend
        self.header = array("q", (os.getpid(), 0))
        self.stopped = False
        self.thread = None

    def start(self):
        self.thread = threading.Thread(target=self._run, name="interleave-trace-writer", daemon=True)
        self.thread.__dict__["_interleave_untraced"] = True
        self.thread.start()

    def flush(self):
        with self.lock:
            records = self.records
            count = len(records)
            if count == 0 or self.fd < 0:
                return
            data = records[:count].tobytes()
            del records[:count]
            for start in range(0, len(data), _CHUNK):
                piece = data[start:start + _CHUNK]
                self.header[1] = len(piece)
                chunk = self.header.tobytes() + piece
                while True:
                    try:
                        os.write(self.fd, chunk)  # at most PIPE_BUF bytes: all of it, at once
                        break
                    except InterruptedError:
                        continue
                    except OSError:  # the reader is gone: nothing more to say
                        self.stopped = True
                        self.fd = -1
                        return

    def _run(self):
        while not self.stopped:
            _real_sleep(0.005)
            self.flush()


def _put(record):  # replaced by the writer's array's extend
    pass


_writer = None
_ids = itertools.count(1)
_lanes = {}  # thread ident -> lane id
_lane_ids = itertools.count(0)
_lanes_lock = _real_lock()
_names = collections.Counter()  # task name -> how many so far (fetch #0, fetch #1, ...)
_user_files = set()
_local = threading.local()
_in_flight = 0  # the program's tasks and pool jobs not yet ended
_in_flight_lock = _real_lock()
_process_lane_name = None
_strings = {}  # text -> string id, in this process
_string_ids = itertools.count(1)
_strings_lock = _real_lock()


def _sid(text):
    """The id of a string, written to the stream the first time it is used."""
    sid = _strings.get(text)
    if sid is not None:
        return sid
    with _strings_lock:
        sid = _strings.get(text)
        if sid is None:
            encoded = str(text).encode("utf-8", "replace")
            if len(encoded) > 4000:
                encoded = encoded[:4000].decode("utf-8", "ignore").encode()
            sid = next(_string_ids)
            record = array("q", (_STRING, sid, len(encoded)))
            record.frombytes(encoded + bytes(-len(encoded) % 8))
            _put(record)  # written before any record that names it
            _strings[text] = sid
    return sid


def _lane():
    """This thread's lane, declared on first use."""
    ident = threading.get_ident()
    lane = _lanes.get(ident)
    if lane is None:
        with _lanes_lock:
            lane = _lanes.get(ident)
            if lane is None:
                lane = next(_lane_ids)
                _lanes[ident] = lane
                name = threading.current_thread().name
                main = threading.current_thread() is threading.main_thread()
                kind = 0 if main else 1
                if _process_lane_name is not None:
                    name = _process_lane_name if main else f"{_process_lane_name} · {name}"
                    kind = 2 if main else 1
                _put((_LANE, lane, kind, _sid(name)))
    return lane


_main_thread = None  # the main thread's task: [id, lane, started ns, written yet]
_loop_on_main = False  # an event loop ran on the main thread


def _seen(task):
    """`task`, written first if it is the main thread's and not yet written. An asyncio program's main thread only
    runs its loop, which its tasks show: its lane is drawn only once something of its own is to be seen (a wait, a
    thread it starts, an exception, a program without a loop), from the program's start."""
    main = _main_thread
    if main is not None and task == main[0] and not main[3]:
        main[3] = True
        _put((_TASK, main[2], task, 0, main[1], -1, _sid("MainThread")))
        _put((_STATE, main[2], task, main[1], 1, 0))
    return task


def _next_index(name):
    """The number of the next task of this name (fetch #0, fetch #1, ...); -1 for the one main."""
    index = -1 if name in ("main", "MainThread") and _names[name] == 0 else _names[name]
    _names[name] += 1
    return index


def _new_task(name, parent=0, lane=None, index=None):
    _seen(parent)
    task = next(_ids)
    if index is None:
        index = _next_index(name)
    _put((_TASK, _now(), task, parent, _lane() if lane is None else lane, index, _sid(name)))
    return task


def _state(task, state, what=None, lane=None):
    _seen(task)
    _put((_STATE, _now(), task, _lane() if lane is None else lane, _STATES[state], 0 if what is None else _sid(what)))


def _counter(name, value):
    _put((_COUNTER, _now(), _lane(), _sid(name), int(value)))


def _marker(task, text):
    _seen(task)
    _put((_MARKER, _now(), task, _lane(), 1, _sid(text)))


def _run_as_task(task, call, keep=True, flush=False):
    """Runs call() on this thread as `task`: running, then done, or failed with its exception marked.
    `keep`: the thread's task stays (a thread's own); otherwise the thread has none after (a pool's call). `flush`: the
    records go out before the process may end."""
    thread = threading.current_thread()
    thread.__dict__["_interleave_task"] = task
    _state(task, "r")
    try:
        result = call()
    except BaseException as error:  # noqa: BLE001 (recorded, then raised on)
        _marker(task, f"{type(error).__name__}: {error}")
        _state(task, "f")
        raise
    else:
        _state(task, "d")
    finally:
        if not keep:
            thread.__dict__["_interleave_task"] = 0
        if flush:
            _writer.flush()
    return result


def _traced_join(real_join):
    """A join (of a thread or a process) that records its caller blocked on what it waits for."""

    def join(self, timeout=None):
        resume = _wait("b", f"join {self.name}") if self.is_alive() else (lambda: None)
        try:
            return real_join(self, timeout)
        finally:
            resume()

    return join


def _is_user_frame(frame):
    return frame is not None and frame.f_code.co_filename in _user_files


def _creator_name(kind, depth=2):
    """The variable a primitive is assigned to where the program makes it (`sem = asyncio.Semaphore(10)` is
    'sem'), or None when it is made inside a library (asyncio's and queue's own locks are not drawn)."""
    frame = sys._getframe(depth)
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    if not _is_user_frame(frame):
        return None
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
    match = re.match(r"\s*(?:self\.)?([A-Za-z_][A-Za-z_0-9]*)\s*(?::[^=]*)?=[^=]", line)
    return match.group(1) if match else kind


# ---- the current task: an asyncio task's id, or the thread's own


_running_loop = asyncio.events._get_running_loop
_tasks_running = getattr(asyncio.tasks, "_current_tasks", None)  # loop -> the task it steps now


def _stepping():
    """The traced coroutine whose step runs on this thread now, if any (asyncio knows its current task: the steps
    themselves keep no per-thread state)."""
    loop = _running_loop()
    if loop is None:
        return None
    task = _tasks_running.get(loop) if _tasks_running is not None else asyncio.current_task(loop)
    coro = task.get_coro() if task is not None else None
    return coro if type(coro) is _TracedCoroutine else None


def _current_task():
    stepping = _stepping()
    if stepping is not None:
        return stepping._task
    return threading.current_thread().__dict__.get("_interleave_task", 0)


def _wait(state, what):
    """Records the current task waiting; returns what to call when it runs again."""
    stepping = _stepping()
    if stepping is not None:
        # An asyncio task: its step ends when it yields; the coroutine wrapper records the wait then.
        stepping._reason = (_STATES[state], _sid(what))
        return lambda: None
    task = threading.current_thread().__dict__.get("_interleave_task", 0)
    if task == 0:
        return lambda: None
    _state(task, state, what)
    return lambda: _state(task, "r")


# ---- asyncio: every task's coroutine is wrapped, so that each step is seen


class _TracedCoroutine(collections.abc.Coroutine):
    """A task's coroutine, wrapped so that each step is seen. asyncio's C task steps it through __next__ (send(None)
    goes there): that is the hot path of a switch-heavy program, one Python call and two short records a step."""

    __slots__ = ("_coro", "_task", "_lane", "_reason", "_running", "_ready", "_waiting", "__name__", "__qualname__")

    def __init__(self, coro, task, lane):
        self._coro = coro
        self._task = task
        self._lane = lane
        self._reason = None  # why the step that runs now gives the loop back, when a wrapped wait says so
        # The first word of this task's short state records (see _STEP), made once.
        self._running = task << 8 | 1 << 4 | _STEP  # running
        self._ready = task << 8 | 4 << 4 | _STEP  # ready
        self._waiting = task << 8 | _STEP_ON
        # What asyncio shows of a task's coroutine (its repr, a warning that it was never awaited).
        self.__name__ = getattr(coro, "__name__", "coroutine")
        self.__qualname__ = getattr(coro, "__qualname__", self.__name__)

    def __next__(self):
        self._reason = None
        _put((self._running, _now()))
        try:
            result = self._coro.send(None)
        except BaseException as error:
            self._ended(error)
            raise
        reason = self._reason
        if reason is None:
            if result is None:  # a bare yield (asyncio.sleep(0)): ready at once
                _put((self._ready, _now()))
                return result
            reason = _awaiting(result)
        _put((self._waiting | reason[0] << 4, _now(), reason[1]))
        return result

    def send(self, value):
        if value is None:
            return self.__next__()
        return self._step(self._coro.send, value)

    def throw(self, *args):
        return self._step(self._coro.throw, *args)

    def _step(self, call, *args):
        self._reason = None
        _put((self._running, _now()))
        try:
            result = call(*args)
        except BaseException as error:
            self._ended(error)
            raise
        reason = self._reason or (_awaiting(result) if result is not None else (_STATES["y"], 0))
        _put((self._waiting | reason[0] << 4, _now(), reason[1]))
        return result

    def _ended(self, error):
        if isinstance(error, StopIteration):
            _end(self._task, "d", self._lane)
        elif isinstance(error, asyncio.CancelledError):
            _end(self._task, "c", self._lane)
        else:
            _marker(self._task, f"{type(error).__name__}: {error}")
            _end(self._task, "f", self._lane)

    def close(self):
        return self._coro.close()

    def __await__(self):
        return self

    def __iter__(self):
        return self

    @property
    def cr_frame(self):
        return getattr(self._coro, "cr_frame", None)

    @property
    def cr_running(self):
        return getattr(self._coro, "cr_running", False)

    @property
    def cr_code(self):
        return getattr(self._coro, "cr_code", None)



def _awaiting(yielded):
    """Why a step that set no reason gave the loop a future: a gather or a task awaited waits for its children; any
    other future is waited for as such."""
    if isinstance(yielded, (asyncio.Task, asyncio.tasks._GatheringFuture)):
        return (3, _sid("awaiting children"))
    return (3, _sid("awaiting a future"))


def _in_flight_by(delta):
    global _in_flight
    with _in_flight_lock:  # a pool's jobs end on its threads
        _in_flight += delta
        # On the program's first lane: a process pool's jobs end on its manager thread, which has none.
        _put((_COUNTER, _now(), 0, _sid("in_flight"), _in_flight))


def _end(task, state, lane):
    _state(task, state, lane=lane)
    if task != getattr(_local, "main_task", None):
        _in_flight_by(-1)


def _task_factory(loop, coro, **kwargs):
    global _loop_on_main
    if getattr(coro, "__qualname__", "").startswith("BaseEventLoop."):
        return asyncio.Task(coro, loop=loop, **kwargs)  # asyncio.run's own clean-up, not the program's
    parent = _current_task()
    if _main_thread is not None and parent == _main_thread[0] and not _main_thread[3]:
        parent = 0  # asyncio.run's main task, on a main thread not drawn
    name = getattr(coro, "__qualname__", None) or getattr(coro, "__name__", "task")
    name = name.split(".")[-1]
    lane = _lane()
    task = _new_task(name, parent, lane)
    if parent == 0 or getattr(_local, "main_task", None) is None:
        _local.main_task = task
        if threading.current_thread() is threading.main_thread():
            _loop_on_main = True
        _start_heartbeat(loop)
    else:
        _in_flight_by(1)
    _state(task, "y", lane=lane)
    return asyncio.Task(_TracedCoroutine(coro, task, lane), loop=loop, **kwargs)


def _start_heartbeat(loop):
    """Every 10 ms the loop is asked to run a callback: how late it runs is the loop's lag (loop_lag_ms)."""
    interval = 0.010

    def beat(expected):
        lag = max(0.0, loop.time() - expected)
        _counter("loop_lag_us", int(lag * 1e6))
        loop.call_later(interval, beat, loop.time() + interval)

    loop.call_later(interval, beat, loop.time() + interval)


_real_loop_init = asyncio.BaseEventLoop.__init__


def _loop_init(self, *args, **kwargs):
    _real_loop_init(self, *args, **kwargs)
    self.set_task_factory(_task_factory)


_real_async_sleep = asyncio.sleep


def _async_sleep(delay, result=None):
    # asyncio.sleep(0) only yields to the loop: the task is ready, not waiting (a bare yield says so). A longer one is
    # marked as the task's reason when it is called, which is where it is awaited: no coroutine of ours around it.
    if delay > 0:
        stepping = _stepping()
        if stepping is not None:
            stepping._reason = (2, _sid("sleep"))
    return _real_async_sleep(delay, result)


def _named(instance, kind):
    name = _creator_name(kind, depth=3)
    instance._interleave_name = name
    return name


def _patch_asyncio():
    asyncio.BaseEventLoop.__init__ = _loop_init
    asyncio.sleep = _async_sleep
    asyncio.tasks.sleep = _async_sleep

    semaphore_init = asyncio.Semaphore.__init__
    semaphore_acquire = asyncio.Semaphore.acquire
    semaphore_release = asyncio.Semaphore.release

    def sem_init(self, value=1):
        semaphore_init(self, value)
        self._interleave_limit = value
        _named(self, "semaphore")

    async def sem_acquire(self):
        name = getattr(self, "_interleave_name", None)
        if name is not None and self.locked():
            self._interleave_waiting = getattr(self, "_interleave_waiting", 0) + 1
            _counter(f"{name}.waiters", self._interleave_waiting)
            _wait("b", name)
            try:
                return await semaphore_acquire(self)
            finally:
                self._interleave_waiting -= 1
                _counter(f"{name}.waiters", self._interleave_waiting)
                _counter(f"{name}.in_use", self._interleave_limit - self._value)
        result = await semaphore_acquire(self)
        if name is not None:
            _counter(f"{name}.in_use", self._interleave_limit - self._value)
        return result

    def sem_release(self):
        semaphore_release(self)
        name = getattr(self, "_interleave_name", None)
        if name is not None:
            _counter(f"{name}.in_use", max(0, self._interleave_limit - self._value))

    asyncio.Semaphore.__init__ = sem_init
    asyncio.Semaphore.acquire = sem_acquire
    asyncio.Semaphore.release = sem_release
    # BoundedSemaphore is a Semaphore: its __init__ calls ours.

    lock_init = asyncio.Lock.__init__
    lock_acquire = asyncio.Lock.acquire

    def lock_init_(self, *args, **kwargs):
        lock_init(self, *args, **kwargs)
        _named(self, "lock")

    async def lock_acquire_(self):
        name = getattr(self, "_interleave_name", None)
        if name is not None and self.locked():
            _wait("b", name)
        return await lock_acquire(self)

    asyncio.Lock.__init__ = lock_init_
    asyncio.Lock.acquire = lock_acquire_

    event_init = asyncio.Event.__init__
    event_wait = asyncio.Event.wait

    def event_init_(self, *args, **kwargs):
        event_init(self, *args, **kwargs)
        _named(self, "event")

    async def event_wait_(self):
        name = getattr(self, "_interleave_name", None)
        if name is not None and not self.is_set():
            _wait("b", name)
        return await event_wait(self)

    asyncio.Event.__init__ = event_init_
    asyncio.Event.wait = event_wait_

    queue_init = asyncio.Queue.__init__
    queue_get = asyncio.Queue.get
    queue_put = asyncio.Queue.put
    queue_get_nowait = asyncio.Queue.get_nowait
    queue_put_nowait = asyncio.Queue.put_nowait

    def queue_init_(self, maxsize=0):
        queue_init(self, maxsize)
        _named(self, "queue")

    def depth(self):
        name = getattr(self, "_interleave_name", None)
        if name is not None:
            _counter(f"{name}.depth", self.qsize())

    async def get_(self):
        name = getattr(self, "_interleave_name", None)
        if name is not None and self.empty():
            _wait("b", f"{name} empty")
        return await queue_get(self)

    async def put_(self, item):
        name = getattr(self, "_interleave_name", None)
        if name is not None and self.full():
            _wait("b", f"{name} full")
        return await queue_put(self, item)

    def get_nowait_(self):
        item = queue_get_nowait(self)
        depth(self)
        return item

    def put_nowait_(self, item):
        queue_put_nowait(self, item)
        depth(self)

    asyncio.Queue.__init__ = queue_init_
    asyncio.Queue.get = get_
    asyncio.Queue.put = put_
    asyncio.Queue.get_nowait = get_nowait_
    asyncio.Queue.put_nowait = put_nowait_


# ---- threads


def _patch_threading():
    thread_start = threading.Thread.start
    thread_run = threading.Thread.run

    def start(self):
        # multiprocessing's and the process pool's own helper threads are not the program's.
        target = getattr(self, "_target", None)
        module = getattr(target, "__module__", None) or type(self).__module__ or ""
        # A pool's threads are lanes: the calls they run are its tasks (see _TracedCall). asyncio's own threads (the
        # default executor's shutdown) are not the program's either.
        if module.startswith(("multiprocessing", "concurrent.futures.process", "concurrent.futures.thread", "asyncio")):
            self.__dict__["_interleave_untraced"] = True
        if not self.__dict__.get("_interleave_untraced"):
            self.__dict__["_interleave_parent"] = _current_task()
        return thread_start(self)

    threading.Thread.join = _traced_join(threading.Thread.join)

    def run(self):
        try:
            if self.__dict__.get("_interleave_untraced"):
                return thread_run(self)
            target = getattr(self, "_target", None)
            name = getattr(target, "__name__", None) if self.name.startswith("Thread-") else None
            task = _new_task(name or self.name, self.__dict__.get("_interleave_parent", 0))
            _run_as_task(task, lambda: thread_run(self))
        finally:
            # A later thread may get this one's ident: it gets a lane of its own.
            with _lanes_lock:
                _lanes.pop(threading.get_ident(), None)

    threading.Thread.start = start
    threading.Thread.run = run

    def sleep(seconds):
        resume = _wait("i", "sleep") if seconds > 0 else (lambda: None)
        try:
            _real_sleep(seconds)
        finally:
            resume()

    time.sleep = sleep

    class TracedLock:
        """threading.Lock() made by the program: acquire records the wait when it would block."""

        def __init__(self, name, lock=None):
            self._lock = _real_lock() if lock is None else lock
            self._name = name

        def acquire(self, blocking=True, timeout=-1):
            if self._lock.acquire(False):
                return True
            if not blocking:
                return False
            resume = _wait("b", self._name)
            try:
                return self._lock.acquire(True, timeout)
            finally:
                resume()

        def release(self):
            self._lock.release()

        def locked(self):
            return self._lock.locked()

        __enter__ = acquire

        def __exit__(self, *exc):
            self.release()

        def _at_fork_reinit(self):
            self._lock._at_fork_reinit()

    class TracedRLock(TracedLock):
        """threading.RLock() made by the program: taken again by its owner at once; a wait for another's is drawn. A
        Condition built on it uses the RLock's own save and restore (it may be held more than once)."""

        def __init__(self, name):
            super().__init__(name, _real_rlock())

        def _is_owned(self):
            return self._lock._is_owned()

        def _release_save(self):
            return self._lock._release_save()

        def _acquire_restore(self, state):
            self._lock._acquire_restore(state)

    def lock_factory():
        name = _creator_name("lock")
        return _real_lock() if name is None else TracedLock(name)

    def rlock_factory(*args, **kwargs):
        name = _creator_name("rlock")
        return _real_rlock(*args, **kwargs) if name is None else TracedRLock(name)

    threading.Lock = lock_factory
    threading.RLock = rlock_factory

    semaphore_init = threading.Semaphore.__init__
    semaphore_acquire = threading.Semaphore.acquire
    semaphore_release = threading.Semaphore.release

    def sem_init(self, value=1):
        semaphore_init(self, value)
        self._interleave_limit = value
        _named(self, "semaphore")

    def sem_acquire(self, blocking=True, timeout=None):
        name = getattr(self, "_interleave_name", None)
        resume = (lambda: None)
        if name is not None and blocking and self._value == 0:
            resume = _wait("b", name)
        try:
            result = semaphore_acquire(self, blocking, timeout)
        finally:
            resume()
        if name is not None and result:
            _counter(f"{name}.in_use", self._interleave_limit - self._value)
        return result

    def sem_release(self, n=1):
        semaphore_release(self, n)
        name = getattr(self, "_interleave_name", None)
        if name is not None:
            _counter(f"{name}.in_use", max(0, self._interleave_limit - self._value))

    threading.Semaphore.__init__ = sem_init
    threading.Semaphore.acquire = sem_acquire
    threading.Semaphore.__enter__ = sem_acquire
    threading.Semaphore.release = sem_release

    event_init = threading.Event.__init__
    event_wait = threading.Event.wait

    def event_init_(self):
        event_init(self)
        _named(self, "event")

    def event_wait_(self, timeout=None):
        name = getattr(self, "_interleave_name", None)
        resume = _wait("b", name) if name is not None and not self.is_set() else (lambda: None)
        try:
            return event_wait(self, timeout)
        finally:
            resume()

    threading.Event.__init__ = event_init_
    threading.Event.wait = event_wait_

    condition_init = threading.Condition.__init__
    condition_wait = threading.Condition.wait

    def condition_init_(self, lock=None):
        condition_init(self, lock)
        _named(self, "condition")

    def condition_wait_(self, timeout=None):
        name = getattr(self, "_interleave_name", None)
        resume = _wait("b", name) if name is not None else (lambda: None)
        try:
            return condition_wait(self, timeout)
        finally:
            resume()

    threading.Condition.__init__ = condition_init_
    threading.Condition.wait = condition_wait_

    queue_init = queue.Queue.__init__
    queue_get = queue.Queue.get
    queue_put = queue.Queue.put

    def queue_init_(self, maxsize=0):
        queue_init(self, maxsize)
        _named(self, "queue")

    def get_(self, block=True, timeout=None):
        name = getattr(self, "_interleave_name", None)
        resume = _wait("b", f"{name} empty") if name is not None and block and self.empty() else (lambda: None)
        try:
            item = queue_get(self, block, timeout)
        finally:
            resume()
        if name is not None:
            _counter(f"{name}.depth", self.qsize())
        return item

    def put_(self, item, block=True, timeout=None):
        name = getattr(self, "_interleave_name", None)
        resume = _wait("b", f"{name} full") if name is not None and block and self.full() else (lambda: None)
        try:
            queue_put(self, item, block, timeout)
        finally:
            resume()
        if name is not None:
            _counter(f"{name}.depth", self.qsize())

    queue.Queue.__init__ = queue_init_
    queue.Queue.get = get_
    queue.Queue.put = put_


# ---- worker processes: every call sent to a ProcessPoolExecutor is a task in the worker that runs it


def _call_name(fn):
    """The name a pool's job is drawn with: the function it runs, through functools.partial, asyncio.to_thread's
    Context.run and ProcessPoolExecutor.map's chunks."""
    for _ in range(8):
        if not isinstance(fn, functools.partial):
            break
        inner = fn.func
        runs_first_argument = isinstance(getattr(inner, "__self__", None), contextvars.Context) or (
            getattr(inner, "__name__", None) == "_process_chunk")
        fn = fn.args[0] if runs_first_argument and fn.args else inner
    return getattr(fn, "__name__", None) or "job"


class _TracedCall:
    """A call sent to a pool (ThreadPoolExecutor, ProcessPoolExecutor, asyncio.to_thread, run_in_executor), run as a
    task on the lane of the thread or worker process that runs it. Picklable by reference to this module, which a
    forked worker has."""

    def __init__(self, fn, parent, in_process):
        self.fn = fn
        self.parent = parent
        self.in_process = in_process
        self.name = _call_name(fn)
        self.index = _next_index(self.name)  # numbered by the program, across its workers

    def __call__(self, *args, **kwargs):
        if _writer is None:  # a worker that could not open the program's pipe is not traced
            return self.fn(*args, **kwargs)
        task = _new_task(self.name, self.parent, index=self.index)
        # In a worker process, its records go out at once: the parent may stop the worker any time now.
        return _run_as_task(task, lambda: self.fn(*args, **kwargs), keep=False, flush=self.in_process)


def _patch_pools():
    def traced(submit, in_process):
        def submit_(self, fn, /, *args, **kwargs):
            future = submit(self, _TracedCall(fn, _seen(_current_task()), in_process), *args, **kwargs)
            _in_flight_by(1)
            future.add_done_callback(lambda _: _in_flight_by(-1))
            return future

        return submit_

    # Waiting for a pool's result (pool.map, future.result()) is the caller blocked, not running.
    future_result = concurrent.futures.Future.result

    def result_(self, timeout=None):
        resume = _wait("b", "awaiting a future") if not self.done() else (lambda: None)
        try:
            return future_result(self, timeout)
        finally:
            resume()

    concurrent.futures.Future.result = result_
    thread_pool = concurrent.futures.ThreadPoolExecutor
    process_pool = concurrent.futures.ProcessPoolExecutor
    thread_pool.submit = traced(thread_pool.submit, False)
    process_pool.submit = traced(process_pool.submit, True)

def _own_stream(fd):
    """This process is a pool's worker: its own writer and stream, and lanes, task and string ids of its own (numbered
    from its pid, so that they never meet the program's). Another thread may have held a lock at a fork: fresh
    ones."""
    global _writer, _process_lane_name, _lane_ids, _lanes_lock, _ids, _string_ids, _strings_lock, _in_flight_lock
    _strings_lock = _real_lock()
    _in_flight_lock = _real_lock()
    _strings.clear()
    if _main_thread is not None:
        _main_thread[3] = True  # the program's, not this worker's: never written from here
    _string_ids = itertools.count(os.getpid() * 1_000_000)
    _writer = _Writer(fd)
    _writer.start()
    _lanes_lock = _real_lock()
    _lanes.clear()
    # The thread that forked was the program's; here it is this process's own, whose records never name the
    # program's tasks (they may reach the pipe before the program's own records of them).
    threading.current_thread().__dict__["_interleave_task"] = 0
    _lane_ids = itertools.count(os.getpid() * 64)
    _ids = itertools.count(os.getpid() * 1_000_000)
    _process_lane_name = f"process {os.getpid()}"


class _StartedWorker:
    """The initializer of a pool whose workers are started, not forked (spawn, forkserver: the default from Python
    3.14): a started interpreter has neither the tracer's pipe nor its patches. It opens the program's pipe again
    through /proc, traces itself, then runs the program's own initializer."""

    def __init__(self, pipe, script, initializer):
        self.pipe = pipe
        self.script = script
        self.initializer = initializer

    def __call__(self, *args):
        try:
            fd = os.open(self.pipe, os.O_WRONLY)
        except OSError:
            fd = -1  # the program is gone: the worker runs untraced
        if fd >= 0 and _writer is None:
            _user_files.add(self.script)
            _own_stream(fd)
            _patch_asyncio()
            _patch_threading()
            _patch_pools()
        if self.initializer is not None:
            self.initializer(*args)


def _patch_processes(script):
    def in_child():
        if _writer is not None:
            _own_stream(_writer.fd)

    os.register_at_fork(after_in_child=in_child)

    # A multiprocessing.Process of the program's is a task on its process's lane (a pool's workers are not: the
    # calls they run are). A forked one inherits the tracer; a started one (spawn) is not traced.
    process_start = multiprocessing.process.BaseProcess.start
    process_run = multiprocessing.process.BaseProcess.run

    def traced(process):
        target = getattr(process, "_target", None)
        module = getattr(target, "__module__", None) or type(process).__module__ or ""
        return not module.startswith(("concurrent.futures", "multiprocessing"))

    def start(self):
        if traced(self):
            # Named and numbered by the program, as its threads and pool calls are.
            target = getattr(self, "_target", None)
            name = (getattr(target, "__name__", None) if self.name.startswith("Process-") else None) or self.name
            self._interleave_task = (name, _next_index(name), _seen(_current_task()))
        return process_start(self)

    def run(self):
        named = getattr(self, "_interleave_task", None)
        if _writer is None or named is None:
            return process_run(self)
        task = _new_task(named[0], named[2], index=named[1])
        return _run_as_task(task, lambda: process_run(self), flush=True)

    multiprocessing.process.BaseProcess.start = start
    multiprocessing.process.BaseProcess.run = run
    multiprocessing.process.BaseProcess.join = _traced_join(multiprocessing.process.BaseProcess.join)

    pool_init = concurrent.futures.ProcessPoolExecutor.__init__

    def init(self, max_workers=None, mp_context=None, initializer=None, initargs=(), **kwargs):
        method = mp_context.get_start_method() if mp_context is not None else multiprocessing.get_start_method()
        if method != "fork" and _writer is not None and _writer.fd >= 0:
            initializer = _StartedWorker(f"/proc/{os.getpid()}/fd/{_writer.fd}", script, initializer)
        pool_init(self, max_workers, mp_context, initializer, initargs, **kwargs)

    concurrent.futures.ProcessPoolExecutor.__init__ = init


# ---- the program


def main(argv):
    global _writer, _main_thread
    if len(argv) < 3 or argv[0] != "--fd":
        sys.stderr.write(__doc__)
        return 2
    fd = int(argv[1])
    rest = argv[2:]
    if rest and rest[0] == "--":
        rest = rest[1:]
    if not rest:
        sys.stderr.write("interleave_trace: no program to run\n")
        return 2
    script = os.path.abspath(rest[0])
    # The program runs as __main__ (runpy): this module is reached by its own name, so that a call sent to a worker
    # process pickles as interleave_trace._TracedCall.
    sys.modules.setdefault("interleave_trace", sys.modules[__name__])
    _TracedCall.__module__ = "interleave_trace"
    _StartedWorker.__module__ = "interleave_trace"
    # A started (not forked) worker finds this module by name on the program's path, which it is given.
    sys.path.append(os.path.dirname(os.path.abspath(__file__)))
    _user_files.add(script)
    _writer = _Writer(fd)
    _writer.start()
    _patch_asyncio()
    _patch_threading()
    _patch_pools()
    _patch_processes(script)
    real_exit = os._exit

    def leave(status):
        # os._exit skips every clean-up (L13's listings leave their deadlocked threads so): say so first.
        if os.getpid() == main_pid:
            _put((_END, _now(), status, _sid(f"os._exit({status})")))
        _writer.stopped = True
        _writer.flush()
        real_exit(status)

    main_pid = os.getpid()
    os._exit = leave
    started = _now()
    _put((_START, started))
    main_task = next(_ids)
    _names["MainThread"] += 1
    _main_thread = [main_task, _lane(), started, False]
    threading.current_thread().__dict__["_interleave_task"] = main_task
    sys.argv = rest
    sys.path[0] = os.path.dirname(script)
    status, text = 0, ""
    try:
        import runpy

        runpy.run_path(script, run_name="__main__")
    except SystemExit as leaving:
        status = leaving.code if isinstance(leaving.code, int) else (0 if leaving.code is None else 1)
    except BaseException as error:  # noqa: BLE001
        status = 1
        # The program's traceback, without the tracer's and runpy's frames in it.
        shown = traceback.TracebackException.from_exception(error)
        shown.stack = traceback.StackSummary.from_list(
            [frame for frame in shown.stack if frame.filename != __file__ and "runpy" not in frame.filename])
        text = "".join(shown.format())
        sys.stderr.write(text)
        _marker(main_task, f"{type(error).__name__}: {error}")
    if _main_thread[3] or not _loop_on_main:  # drawn, or a program without a loop on it: it ran all along
        _state(main_task, "d" if status == 0 else "f")
    _put((_END, _now(), status, _sid(text.strip().splitlines()[-1] if text else "")))
    _writer.stopped = True
    _writer.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
