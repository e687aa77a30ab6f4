"""The code that runs inside the learner's process.

Started by ``runner.py`` as ``python -I child.py JOB RESULTS MEMORY_MB CPU_S``. It must stay a standalone script
(stdlib + numpy only, no dlquiz imports): ``-I`` keeps the learner's folder, PYTHONPATH and user site-packages off
``sys.path``, so nothing of dlquiz is importable here — and the learner's code never sees the expected outputs,
which exist only in the grading process.

Protocol: JOB is a pickle written by the grader ``{"path": str, "functions": [...], "calls": [(function, bytes)]}``
where each ``bytes`` is ``pickle.dumps((args, kwargs))`` — unpickled afresh per call, so one case mutating its input
can never change the next case's input. RESULTS is appended with length-prefixed pickle frames, one per event,
flushed as they happen, so a timeout or crash still leaves the results of the cases that finished. The frames hold
only builtins (arrays travel as dtype/shape/bytes), so the grader can unpickle them without trusting this process.
The learner's prints go to this process's stdout/stderr, which the grader captures separately.
"""

import importlib.abc
import importlib.util
import inspect
import os
import pickle
import sys
import time
import traceback

TORCH_REFUSED = (
    "dlquiz: importing torch is not allowed in an exercise: the point is to write it yourself with numpy. "
    "(dlquiz compares your result with PyTorch's in a separate process.)"
)
BLOCKED = ("torch", "functorch")
MAX_ARRAY_BYTES = 64 * 2**20  # larger results are described, not sent: every expected output is far smaller
MAX_ITEMS = 10_000
MAX_TEXT = 2_000


class TorchRefused(ImportError):
    pass


class _RefuseTorch(importlib.abc.MetaPathFinder):
    """First on sys.meta_path: refuses torch before any other finder can locate it."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in BLOCKED:
            raise TorchRefused(TORCH_REFUSED, name=fullname)
        return None


class _Channel:
    def __init__(self, path):
        self.file = open(path, "ab", buffering=0)

    def send(self, **frame):
        data = pickle.dumps(frame, protocol=4)
        self.file.write(len(data).to_bytes(8, "little") + data)


def _limit_resources(memory_mb, cpu_s):
    try:
        import resource
    except ImportError:  # Windows: the grader's wall-clock timeout is the only limit
        return
    limits = [(getattr(resource, "RLIMIT_CORE", None), 0)]
    if memory_mb > 0:
        limits.append((getattr(resource, "RLIMIT_AS", None), memory_mb * 2**20))
    if cpu_s > 0:
        # A backstop in case the grader dies without killing us: a spinning loop cannot outlive it for long.
        limits.append((getattr(resource, "RLIMIT_CPU", None), cpu_s))
    for which, value in limits:
        if which is None:
            continue
        try:
            _soft, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, hard))
        except (ValueError, OSError):
            pass  # e.g. macOS refuses RLIMIT_AS: better no limit than no grading


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
    import numpy as np

    if value is None or isinstance(value, (bool, str)):
        return _text(value) if isinstance(value, str) else value
    if isinstance(value, (int, float, complex)) and type(value) in (int, float, complex):
        return value
    if isinstance(value, (np.ndarray, np.generic)):
        kind = "ndarray" if isinstance(value, np.ndarray) else "scalar"
        array = np.asarray(value)
        described = {"__dlquiz__": kind, "dtype": array.dtype.str, "shape": list(array.shape)}
        if array.dtype.hasobject or array.dtype.fields is not None:
            described["dtype"] = str(array.dtype)
            described["unsupported"] = True
            return described
        if array.nbytes > MAX_ARRAY_BYTES:
            described["too_big"] = True
            return described
        described["data"] = np.ascontiguousarray(array).tobytes()
        return described
    if isinstance(value, (list, tuple)) and depth < 3:
        items = [encode(item, depth + 1) for item in value[:MAX_ITEMS]]
        return {"__dlquiz__": type(value).__name__ if type(value) in (list, tuple) else "list",
                "items": items, "length": len(value)}
    cls = type(value)
    name = cls.__qualname__ if cls.__module__ in ("dlquiz_learner", "builtins") else f"{cls.__module__}.{cls.__qualname__}"
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
        return {"type": type(error).__name__, "mro": ["Exception"], "message": "<unprintable>", "traceback": "",
                "torch_refused": False}


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


def _arrays(value, label):
    """(label, array) for every numpy array inside an argument (tuples/lists/dicts of them included)."""
    import numpy as np

    if isinstance(value, np.ndarray):
        yield label, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _arrays(item, f"{label}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _arrays(item, f"{label}[{key!r}]")


def _labelled(function, args, kwargs):
    """Argument name → value, named as in the learner's signature where it binds."""
    try:
        bound = inspect.signature(function).bind(*args, **kwargs)
        return dict(bound.arguments)
    except (TypeError, ValueError):
        labelled = {f"argument {i + 1}": a for i, a in enumerate(args)}
        labelled.update(kwargs)
        return labelled


def _flat(arguments):
    """Label → array for every array inside the (named) arguments."""
    return {label: array for name, value in arguments.items() for label, array in _arrays(value, name)}


def _mutated(function, args, kwargs, pristine_args, pristine_kwargs):
    """Names of the arguments whose arrays differ after the call from an untouched copy of them."""
    import numpy as np

    now = _flat(_labelled(function, args, kwargs))
    before = _flat(_labelled(function, pristine_args, pristine_kwargs))
    changed = []
    for label, array in now.items():
        original = before.get(label)
        try:
            same = original is not None and array.shape == original.shape and bool(
                np.array_equal(array, original, equal_nan=array.dtype.kind in "fc")
            )
        except Exception:
            same = False
        if not same:
            changed.append(label)
    return changed


def _aliased(function, args, kwargs, value):
    """Names of the arguments whose memory the returned value shares (the array itself or a view of it).

    Pickling back to the grader copies every array, so this can only be seen here. PyTorch's functional forms
    return new tensors; a result that is a view of an input changes when the caller changes either of them.
    """
    import numpy as np

    returned = [array for _, array in _arrays(value, "result")]
    if not returned:
        return []
    return [label for label, array in _flat(_labelled(function, args, kwargs)).items()
            if any(np.may_share_memory(array, result) for result in returned)]


def _load(path):
    # Like `python file.py`, the file's folder is importable (helper modules next to it work), but appended, so a
    # file there named like an installed package cannot shadow it.
    sys.path.append(os.path.dirname(os.path.abspath(path)))
    spec = importlib.util.spec_from_file_location("dlquiz_learner", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["dlquiz_learner"] = module  # so dataclasses/pickle inside the learner's file work
    spec.loader.exec_module(module)
    return module


def main(argv):
    job_path, results_path, memory_mb, cpu_s = argv[1], argv[2], int(argv[3]), int(argv[4])
    _limit_resources(memory_mb, cpu_s)
    channel = _Channel(results_path)
    with open(job_path, "rb") as handle:
        job = pickle.load(handle)  # written by the grader: trusted
    path = job["path"]
    sys.meta_path.insert(0, _RefuseTorch())
    try:
        import numpy  # noqa: F401  -- the cases' inputs are numpy arrays; fail here, not inside the learner's file
    except BaseException as error:
        channel.send(event="load_error", stage="numpy", error=describe_exception(error, path))
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
    for index, (name, payload) in enumerate(job["calls"]):
        function = getattr(module, name, None)
        if name in missing or name in not_callable:
            continue
        args, kwargs = pickle.loads(payload)
        pristine_args, pristine_kwargs = pickle.loads(payload)
        channel.send(event="begin", index=index)
        started = time.perf_counter()
        try:
            value = function(*args, **kwargs)
        except BaseException as error:
            seconds = time.perf_counter() - started
            outcome = {"ok": False, "error": describe_exception(error, path)}
        else:
            seconds = time.perf_counter() - started
            outcome = {"ok": True, "value": _encode_safely(value)}
        try:
            mutated = _mutated(function, args, kwargs, pristine_args, pristine_kwargs)
        except BaseException:  # e.g. a hostile __signature__: better no mutation report than no grading
            mutated = []
        try:
            aliased = _aliased(function, args, kwargs, value) if outcome["ok"] else []
        except BaseException:
            aliased = []
        channel.send(event="result", index=index, seconds=seconds, mutated=mutated, aliased=aliased, **outcome)
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
