"""The code that runs inside the learner's process.

Started by ``supervisor.py`` as ``python -I -S child.py JOB RESULTS SITE GO`` (on Windows by ``runner.py`` directly,
without GO, once JOB is written). GO is a pipe's file descriptor: the process imports numpy, then waits for a byte
on it before it reads JOB, so it can start while dlquiz is still preparing the job; end of file there means the
grading was called off.
It must stay a standalone script (stdlib + numpy only, no dlquiz imports). ``-I -S`` leave only the standard library
on ``sys.path``; SITE (see runfolder.py) adds numpy — and torch for an exercise that allows it — and nothing else,
so dlquiz, the reference solutions and other installed packages cannot be imported here, and the learner's code
never sees the expected outputs, which exist only in the grading process. Limits and isolation are the
supervisor's job; this script only speaks the protocol.

Protocol: JOB is a pickle written by the grader ``{"path": str, "functions": [...], "calls": [(function, bytes)],
"allow_torch": bool, "harness": source or None}`` where each ``bytes`` is ``pickle.dumps((args, kwargs))`` —
unpickled afresh per call, so one case mutating its input can never change the next case's input. RESULTS is a
pipe's file descriptor (a file path on Windows) that receives length-prefixed pickle frames, one per event, as they
happen, so a timeout or crash still leaves the results of the cases that finished. The frames hold only builtins
(arrays travel as dtype/shape/bytes), so the grader can unpickle them without trusting this process. Each result
frame also carries the call's arguments as they were after the call: the grader compares them with its own copy to
find inputs changed in place. The learner's prints go to this process's stdout/stderr, captured separately.

With a harness (an exercise about objects that cannot cross the process boundary, see spec.py), a call runs
``harness.run(learner_functions, function, *args, **kwargs)`` instead of the learner's function itself.
"""

import functools
import importlib.abc
import importlib.util
import os
import pickle
import sys
import time
import traceback
import types
import warnings

TORCH_REFUSED = (
    "dlquiz: importing torch is not allowed in an exercise: the point is to write it yourself with numpy. "
    "(dlquiz compares your result with PyTorch's in a separate process.)"
)
BLOCKED = ("torch", "functorch")
MAX_ARRAY_BYTES = 16 * 2**20  # larger results are described, not sent: every expected output is far smaller
MAX_ITEMS = 10_000
MAX_TEXT = 2_000
MAX_WARNINGS = 5  # distinct RuntimeWarnings reported per case: the first few say it all


class TorchRefused(ImportError):
    pass


class _RefuseTorch(importlib.abc.MetaPathFinder):
    """First on sys.meta_path: refuses torch before any other finder can locate it."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in BLOCKED:
            raise TorchRefused(TORCH_REFUSED, name=fullname)
        return None


# Bound before the learner's code runs: it may replace pickle.dumps, numpy's functions or sys.modules entries,
# and must not change what this script sends. (Types such as numpy.ndarray cannot be patched.)
_dumps = pickle.dumps
_numpy = types.SimpleNamespace()


def _bind_numpy():
    import numpy

    _numpy.ndarray, _numpy.generic, _numpy.asarray = numpy.ndarray, numpy.generic, numpy.asarray
    _numpy.tobytes, _numpy.may_share_memory = numpy.ndarray.tobytes, numpy.may_share_memory


class _Channel:
    def __init__(self, target):
        self.file = os.fdopen(int(target), "wb", buffering=0) if target.isdigit() else open(target, "ab", buffering=0)
        self.write = self.file.write

    def send(self, **frame):
        data = _dumps(frame, protocol=4)
        self.write(len(data).to_bytes(8, "little") + data)


def _text(value, limit=MAX_TEXT):
    try:
        text = str(value)
    except BaseException:  # a learner's __str__ can do anything
        text = "<unprintable>"
    return text if len(text) <= limit else text[:limit] + " …"


def _safe_repr(value):
    try:
        return _text(repr(value), 200)
    except BaseException:
        return "<unprintable>"


def encode(value, depth=0):
    """A learner's return value as builtins only (see the module docstring)."""
    if value is None or isinstance(value, (bool, str)):
        return _text(value) if isinstance(value, str) else value
    if isinstance(value, (int, float, complex)) and type(value) in (int, float, complex):
        return value
    if isinstance(value, (_numpy.ndarray, _numpy.generic)):
        kind = "ndarray" if isinstance(value, _numpy.ndarray) else "scalar"
        array = value if kind == "ndarray" else _numpy.asarray(value)
        described = {"__dlquiz__": kind, "dtype": array.dtype.str, "shape": list(array.shape)}
        if array.dtype.hasobject or array.dtype.fields is not None:
            described["dtype"] = str(array.dtype)
            described["unsupported"] = True
            return described
        if array.nbytes > MAX_ARRAY_BYTES:
            described["too_big"] = True
            return described
        described["data"] = _numpy.tobytes(array)  # the unbound method: a subclass cannot override what is read
        return described
    if isinstance(value, (list, tuple)) and depth < 3:
        items = [encode(item, depth + 1) for item in value[:MAX_ITEMS]]
        return {
            "__dlquiz__": type(value).__name__ if type(value) in (list, tuple) else "list",
            "items": items,
            "length": len(value),
        }
    if type(value) is dict and depth < 3 and all(type(key) is str for key in value):
        return {
            "__dlquiz__": "dict",
            "items": [[key, encode(item, depth + 1)] for key, item in list(value.items())[:MAX_ITEMS]],
        }
    cls = type(value)
    name = (
        cls.__qualname__ if cls.__module__ in ("dlquiz_learner", "builtins") else f"{cls.__module__}.{cls.__qualname__}"
    )
    return {"__dlquiz__": "opaque", "type": name, "repr": _safe_repr(value)}


def _encode_safely(value):
    try:
        return encode(value)
    except BaseException:  # e.g. MemoryError copying a huge result, or a hostile __len__
        return {"__dlquiz__": "opaque", "type": type(value).__name__, "repr": "<could not be read back>"}


def _learner_frames(error, learner_path):
    """The traceback cut to the frames in the learner's file (the last frame at least), as text."""
    frames = traceback.extract_tb(error.__traceback__)
    target = os.path.normcase(os.path.abspath(learner_path))
    mine = [f for f in frames if os.path.normcase(os.path.abspath(f.filename)) == target]
    if not mine and frames:
        mine = frames[-1:]
    lines = ["Traceback (most recent call last):\n"] + traceback.format_list(mine)
    lines += traceback.format_exception_only(type(error), error)
    return _text("".join(lines), 6_000)


def describe_exception(error, learner_path):
    """The learner's exception as builtins; never raises, whatever the exception object does."""
    try:
        return _describe(error, learner_path)
    except BaseException:
        return {
            "type": type(error).__name__,
            "mro": ["Exception"],
            "message": "<unprintable>",
            "traceback": "",
            "torch_refused": False,
        }


def _describe(error, learner_path):
    cls = type(error)
    refused = isinstance(error, TorchRefused) or any(
        isinstance(e, TorchRefused) for e in (error.__cause__, error.__context__)
    )
    info = {
        "type": cls.__name__,
        "mro": [c.__name__ for c in cls.__mro__],
        "message": _text(error),
        "traceback": _learner_frames(error, learner_path),
        "torch_refused": refused,
    }
    if isinstance(error, SyntaxError):
        info["traceback"] = _text("".join(traceback.format_exception_only(cls, error)), 6_000)
        info["lineno"] = error.lineno
    if isinstance(error, SystemExit):
        info["message"] = f"exit code {error.code!r}"
    return info


def _arrays(value, path):
    """(path, array) for every numpy array inside a value (tuples/lists/dicts of them included)."""
    if isinstance(value, _numpy.ndarray):
        yield path, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value[:MAX_ITEMS]):
            yield from _arrays(item, path + [i])
    elif isinstance(value, dict):
        for key, item in list(value.items())[:MAX_ITEMS]:
            yield from _arrays(item, path + [str(key)])


def _aliases(value, args, kwargs):
    """Paths of the input arrays ([position, ...] or [keyword, ...]) that a returned array shares memory with."""
    inputs = list(_arrays(list(args), [])) + list(_arrays(dict(kwargs), []))
    found = []
    for _, returned in _arrays(value, []):
        for path, array in inputs:
            if path not in found and _numpy.may_share_memory(returned, array):
                found.append(path)
    return found


def _encode_arguments(args, kwargs):
    """The call's arguments as they are now, for the grader to compare with its untouched copy: an encoded
    ``{"args": [...], "kwargs": {...}}``."""
    try:
        positional = {"__dlquiz__": "list", "items": [_encode_safely(arg) for arg in args]}
        keywords = {"__dlquiz__": "dict", "items": [[str(key), _encode_safely(value)] for key, value in kwargs.items()]}
        return {"__dlquiz__": "dict", "items": [["args", positional], ["kwargs", keywords]]}
    except BaseException:
        return None


def _load_harness(source):
    module = types.ModuleType("dlquiz_harness")
    module.__file__ = "harness.py"
    sys.modules[module.__name__] = module
    exec(compile(source, "harness.py", "exec"), module.__dict__)
    return module


class _WarningLog:
    """Stands in for warnings.showwarning during a call: keeps the first few distinct RuntimeWarnings (numpy's
    overflow/invalid/divide ones among them) as builtins, each with its line when it comes from the learner's file.
    Bounded, so a loop that warns a million times costs nothing."""

    def __init__(self, learner_path):
        self.target = os.path.normcase(os.path.abspath(learner_path))
        self.items = []

    def __call__(self, message, category, filename, lineno, file=None, line=None):
        if len(self.items) >= MAX_WARNINGS or not issubclass(category, RuntimeWarning):
            return
        mine = os.path.normcase(os.path.abspath(str(filename))) == self.target
        item = {"category": category.__name__, "message": _text(message, 300), "line": lineno if mine else None}
        if item not in self.items:
            self.items.append(item)


def _load(path):
    # Like `python file.py`, the file's folder is importable (helper modules next to it work), but appended, so a
    # file there named like an installed package cannot shadow it.
    sys.path.append(os.path.dirname(os.path.abspath(path)))
    spec = importlib.util.spec_from_file_location("dlquiz_learner", path)
    assert spec is not None and spec.loader is not None  # a path with a .py suffix always has both
    module = importlib.util.module_from_spec(spec)
    sys.modules["dlquiz_learner"] = module  # so dataclasses/pickle inside the learner's file work
    spec.loader.exec_module(module)
    return module


def _wait_for_go(fd):
    """True once dlquiz says go; False when it called the grading off (the pipe closed without a byte)."""
    with os.fdopen(fd, "rb", buffering=0) as go:
        return bool(go.read(1))


def main(argv):
    job_path, results, site = argv[1], argv[2], argv[3]
    sys.path.append(site)  # numpy (and torch where allowed): see runfolder.py
    channel = _Channel(results)
    try:
        _bind_numpy()  # the cases' inputs are numpy arrays; fail here, not inside the learner's file
        numpy_error = None
    except BaseException as error:
        numpy_error = error
    if len(argv) > 4 and not _wait_for_go(int(argv[4])):
        return
    with open(job_path, "rb") as handle:
        job = pickle.load(handle)  # written by the grader: trusted
    path = job["path"]
    if numpy_error is not None:
        channel.send(event="load_error", stage="numpy", error=describe_exception(numpy_error, path))
        return
    if not job.get("allow_torch"):
        sys.meta_path.insert(0, _RefuseTorch())  # torch is not on sys.path anyway; this explains why
    harness = None
    if job.get("harness"):
        try:
            harness = _load_harness(job["harness"])
        except BaseException as error:
            channel.send(event="load_error", stage="harness", error=describe_exception(error, "harness.py"))
            return
    channel.send(event="started")
    try:
        module = _load(path)
    except BaseException as error:
        channel.send(event="load_error", stage="import", error=describe_exception(error, path))
        return
    missing, not_callable = [], []
    for name in job["functions"]:
        if not hasattr(module, name):
            missing.append(name)
        elif not callable(getattr(module, name)):
            not_callable.append(name)
    channel.send(event="loaded", missing=missing, not_callable=not_callable)
    learner = {name: getattr(module, name) for name in job["functions"] if name not in missing + not_callable}
    for index, (name, payload) in enumerate(job["calls"]):
        if name in missing or name in not_callable:
            continue
        function = getattr(module, name)
        if harness is not None:
            if missing or not_callable:  # a harness calls several of the learner's functions
                continue
            function = functools.partial(harness.run, learner, name)
        args, kwargs = pickle.loads(payload)
        channel.send(event="begin", index=index)
        # Every RuntimeWarning of the call is recorded ("always": numpy's overflow warnings would otherwise show
        # once per line and then never again), so the grader can fail results that only came out right through
        # inf/NaN arithmetic.
        log = _WarningLog(path)
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = log
            started = time.perf_counter()
            try:
                value = function(*args, **kwargs)
            except BaseException as error:
                seconds = time.perf_counter() - started
                outcome = {"ok": False, "error": describe_exception(error, path)}
            else:
                seconds = time.perf_counter() - started
                try:
                    aliases = _aliases(value, args, kwargs)
                except BaseException:  # e.g. a hostile __len__ on a returned list
                    aliases = []
                outcome = {"ok": True, "value": _encode_safely(value), "aliases": aliases}
        channel.send(
            event="result",
            index=index,
            seconds=seconds,
            arguments=_encode_arguments(args, kwargs),
            warnings=log.items,
            **outcome,
        )
    channel.send(event="done")


if __name__ == "__main__":
    code = 0
    try:
        main(sys.argv)
    except BaseException:  # a fault of this script, not the learner's: the grader reports it as internal
        code = 70
        traceback.print_exc()
    finally:
        # os._exit skips atexit handlers and non-daemon threads the learner's code may have left behind.
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        os._exit(code)
