"""The child's side: load the submission, run its calls, send the results.

Runs INSIDE the sandbox, in a child forked by the supervisor, after
supervisor._child_confine has taken away everything the child may not have.
Standard library and numpy only. Nothing here is a security boundary: student
code shares this interpreter and can patch any of it; the trusted side checks
whatever arrives (grader.sandbox.codec, grader.sandbox.outcome).
"""

import base64
import io
import json
import linecache
import math
import os
import sys
import traceback
import types

# Outside the sandbox this file is a module of its own; inside, the assembled
# program already holds these names (grader.sandbox.inside.program_source).
from .wire import (
    EXIT_MEMORY,
    EXIT_OK,
    FD_HIDDEN,
    FD_RESULT,
    FD_SEAL,
    FRAME,
    MAX_ARRAY_BYTES,
    MAX_ITEMS,
    MAX_NESTING,
    MAX_STRING,
    MAX_TEXT,
    NPY_HEADER_RE,
    NPY_MAGIC,
    NPY_PREFIX,
    read_exact,
    write_all,
)

SUBMISSION_FILENAME = "submission.py"


class _Stop(Exception):
    """The run cannot go on (memory): stop without running more calls."""


class _BadReturn(Exception):
    """The return value is not plain numeric data; args[0] says what it is."""


# What json.dumps(separators=(",", ":"), ensure_ascii=True, allow_nan=False)
# would build on every call.
_FRAME_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True, allow_nan=False)


class Harness:
    """Loads the submission and runs its calls, reporting frames on FD_RESULT.

    Frames (JSON objects, u32-framed):
      {"k": "load_error", "tb": str}
      {"k": "missing", "names": [str]}
      {"k": "call", "name": str, "kind": "returned"|"raised"|"bad_return",
       "value": tree, "tb": str, "detail": str, "exc": str}
      {"k": "memory", "where": str}
      {"k": "done"}
    Value trees: null, true/false, {"i": "123"}, {"f": float.hex}, {"s": str},
    {"a": base64 .npy}, {"l": [...]}, {"t": [...]}; inputs may also hold
    {"g": base64 .npy of a 0-d array} (a numpy scalar) and {"d": [[key, tree]...]}.

    Nothing here is a security boundary: student code shares this interpreter
    and can patch any of it. The trusted side checks whatever arrives.
    """

    def __init__(self, header, vis):
        self.hid_len = int(header["hid"])
        self.request = json.loads(bytes(vis).decode("utf-8"))
        import numpy

        self.np = numpy
        self.write_array = numpy.lib.format.write_array
        self.load = numpy.load
        self.module = None

    # -- plumbing -----------------------------------------------------------

    def send(self, obj):
        data = _FRAME_ENCODER.encode(obj).encode("ascii")
        write_all(FD_RESULT, FRAME.pack(len(data)) + data)

    def install_stdio(self):
        # Line-buffered text on the output pipe; the zygote counts the bytes.
        self.stdout = io.TextIOWrapper(
            io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace", line_buffering=True
        )
        self.stderr = io.TextIOWrapper(
            io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace", line_buffering=True
        )
        sys.stdout, sys.stderr = self.stdout, self.stderr
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.argv = [SUBMISSION_FILENAME]

    def flush(self):
        for stream in (self.stdout, self.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - e.g. output closed by the submission
                pass

    # -- the run --------------------------------------------------------------

    def run(self):
        self.install_stdio()
        request = self.request
        try:
            self.module = self.load_module(request["code"])
            if self.module is not None:
                missing = [name for name in request["required"] if not callable(getattr(self.module, name, None))]
                if missing:
                    self.send({"k": "missing", "names": missing})
                for call in request["calls"]:
                    self.run_call(call, hidden=False)
            self.flush()
            # Visible phase over: from here on the zygote shows nothing we say.
            write_all(FD_SEAL, b"S")
            if self.module is not None and self.hid_len:
                hidden = json.loads(read_exact(FD_HIDDEN, self.hid_len).decode("utf-8"))
                for call in hidden["calls"]:
                    self.run_call(call, hidden=True)
        except _Stop:
            self.flush()
            return EXIT_OK
        self.flush()
        self.send({"k": "done"})
        return EXIT_OK

    def load_module(self, code):
        linecache.cache[SUBMISSION_FILENAME] = (len(code), None, code.splitlines(True), SUBMISSION_FILENAME)
        module = types.ModuleType("submission")
        module.__file__ = SUBMISSION_FILENAME
        # dataclasses and pickle look classes up in sys.modules by module name.
        sys.modules["submission"] = module
        try:
            compiled = compile(code, SUBMISSION_FILENAME, "exec", dont_inherit=True)
            exec(compiled, module.__dict__)
        except MemoryError:
            self.memory("import")
        except BaseException as exc:  # noqa: BLE001 - SystemExit too: it is the student's
            self.flush()
            self.send({"k": "load_error", "tb": _student_traceback(exc)})
            return None
        return module

    def memory(self, where):
        self.flush()
        try:
            self.send({"k": "memory", "where": where})
        except MemoryError:
            os._exit(EXIT_MEMORY)
        raise _Stop

    def run_call(self, call, hidden):
        name = call["name"]
        function = getattr(self.module, call["function"], None)
        if not callable(function):
            return  # reported as missing; the trusted side calls it not_run
        frame = {"k": "call", "name": name}
        try:
            args = self.decode(call["args"])
            kwargs = self.decode(call["kwargs"])
            # A second copy, which the submission never sees, to tell whether
            # the call changed the arguments it was given.
            pristine = self.decode(call["args"]) if call.get("report_changed") else None
            value = function(*args, **kwargs)
        except MemoryError:
            self.memory(name)
        except BaseException as exc:  # noqa: BLE001
            frame["kind"] = "raised"
            if not hidden:
                frame["exc"] = _text(type(exc).__name__, 200)
                frame["tb"] = _student_traceback(exc)
        else:
            if pristine is not None:
                frame["changed"] = [i for i, before in enumerate(pristine) if not self.unchanged(before, args[i])]
            try:
                frame["value"] = self.encode(value, 0, [MAX_ITEMS])
                frame["kind"] = "returned"
            except MemoryError:
                self.memory(name)
            except _BadReturn as bad:
                frame["kind"] = "bad_return"
                if not hidden:
                    frame["detail"] = _text(str(bad.args[0]), MAX_TEXT)
            except Exception:  # noqa: BLE001 - a patched numpy, a hostile __len__...
                frame["kind"] = "bad_return"
                if not hidden:
                    frame["detail"] = "a value that could not be sent back"
        self.flush()
        try:
            self.send(frame)
        except MemoryError:
            self.memory(name)

    # -- values ---------------------------------------------------------------

    def unchanged(self, before, after, depth=0):
        """Whether `after` (an argument after the call) still equals `before` (its untouched copy)."""
        np = self.np
        try:
            if depth > MAX_NESTING or type(after) is not type(before):
                return False
            if type(before) is np.ndarray:
                return (
                    after.dtype == before.dtype
                    and after.shape == before.shape
                    and after.tobytes() == before.tobytes()  # NaN equals NaN, -0.0 differs from 0.0
                )
            if type(before) in (list, tuple):
                return len(after) == len(before) and all(
                    self.unchanged(b, a, depth + 1) for b, a in zip(before, after)
                )
            if type(before) is dict:
                return list(after) == list(before) and all(
                    self.unchanged(before[key], after[key], depth + 1) for key in before
                )
            if type(before) is float and before != before:
                return after != after
            return bool(after == before)
        except BaseException:  # noqa: BLE001 - an element the submission replaced with a hostile object
            return False

    def decode(self, tree):
        if tree is None or tree is True or tree is False:
            return tree
        if type(tree) is list:
            raise ValueError("untagged list in input")
        ((tag, value),) = tree.items()
        if tag == "i":
            return int(value)
        if tag == "f":
            return float.fromhex(value)
        if tag == "s":
            return value
        if tag == "a":
            return self.load_array(value)
        if tag == "g":
            return self.load_array(value)[()]
        if tag == "l":
            return [self.decode(item) for item in value]
        if tag == "t":
            return tuple(self.decode(item) for item in value)
        if tag == "d":
            return {key: self.decode(item) for key, item in value}
        raise ValueError(f"unknown input tag {tag!r}")

    def load_array(self, b64):
        """What np.load(allow_pickle=False) gives, without its per-array compile()."""
        raw = base64.b64decode(b64)
        match = None
        if raw.startswith(NPY_MAGIC) and len(raw) >= NPY_PREFIX:
            end = NPY_PREFIX + int.from_bytes(raw[len(NPY_MAGIC):NPY_PREFIX], "little")
            match = NPY_HEADER_RE.fullmatch(raw, NPY_PREFIX, end)
        if match is None:
            return self.load(io.BytesIO(raw), allow_pickle=False)
        np = self.np
        dtype = np.dtype(match[1].decode("ascii"))
        if dtype.hasobject or not dtype.itemsize:
            return self.load(io.BytesIO(raw), allow_pickle=False)
        shape = tuple(int(n) for n in match[3].split(b",") if n.strip())
        count = math.prod(shape)
        flat = np.frombuffer(raw, dtype=dtype, count=count, offset=end)
        # A writeable array of its own, laid out as np.load would (C or F).
        return flat.reshape(shape, order="F" if match[2] == b"True" else "C").copy(order="K")

    def encode(self, value, depth, budget):
        np = self.np
        budget[0] -= 1
        if budget[0] < 0 or depth > MAX_NESTING:
            raise _BadReturn("a structure too large or too deeply nested to send back")
        kind = type(value)
        if value is None:
            return None
        if kind is bool or kind is np.bool_:
            return bool(value)
        if isinstance(value, np.ndarray):
            return {"a": self.encode_array(value.view(np.ndarray))}
        if isinstance(value, np.generic):
            code = value.dtype.kind
            if code == "b":
                return bool(value)
            if code in "iu":
                return {"i": str(int(value))}
            if code == "f" and value.dtype.itemsize <= 8:
                return {"f": float.hex(float(value))}
            raise _BadReturn(f"a numpy {value.dtype.name} scalar")
        if isinstance(value, int):
            try:
                return {"i": str(int.__index__(value))}
            except ValueError:
                raise _BadReturn("an int too large to send back") from None
        if isinstance(value, float):
            return {"f": float.hex(value)}
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                raise _BadReturn(f"a str of {len(value)} characters")
            return {"s": str.__str__(value)}
        if isinstance(value, (list, tuple)):
            if len(value) > budget[0]:
                raise _BadReturn("a structure too large or too deeply nested to send back")
            items = [self.encode(item, depth + 1, budget) for item in value]
            return {"t": items} if isinstance(value, tuple) else {"l": items}
        if isinstance(value, dict):
            raise _BadReturn("a dict")
        raise _BadReturn(f"an object of type {_text(kind.__name__, 100)}")

    def encode_array(self, array):
        dtype = array.dtype
        if dtype.kind not in "biuf" or dtype.itemsize > 8 or dtype.fields is not None or dtype.subdtype is not None:
            shown = dtype.name if dtype.kind in "Ocv" else dtype.str
            raise _BadReturn(f"an array of dtype {shown}")
        if array.nbytes > MAX_ARRAY_BYTES:
            raise _BadReturn(f"an array too large to send back ({array.nbytes} bytes)")
        buffer = io.BytesIO()
        self.write_array(buffer, array, allow_pickle=False)
        return base64.b64encode(buffer.getvalue()).decode("ascii")


def warm_up_harness():
    """Run the harness's value paths once on made-up data, before the fork.

    First uses fill caches (numpy's dtype and ufunc lookups, the regex, json)
    that every child would otherwise fill again on its first call. Only
    constants pass through here: nothing of any submission.
    """
    import numpy

    harness = Harness.__new__(Harness)
    harness.np = numpy
    harness.write_array = numpy.lib.format.write_array
    harness.load = numpy.load
    for array in (numpy.linspace(-1.0, 1.0, 6).reshape(2, 3), numpy.arange(3, dtype=numpy.int32)):
        tree = json.loads(json.dumps({"t": [{"a": harness.encode_array(array)}, {"f": float.hex(1.5)}, {"i": "2"}]}))
        (value, *_rest) = harness.decode(tree)
        shifted = numpy.exp(value - numpy.max(value, axis=-1, keepdims=True))
        result = shifted / numpy.sum(shifted, axis=-1, keepdims=True)
        _FRAME_ENCODER.encode({"k": "call", "value": harness.encode(result, 0, [MAX_ITEMS])})


def _text(value, limit):
    value = str(value)
    return value if len(value) <= limit else value[:limit] + "…"


def _keep_student_frames(te, depth=0):
    te.stack = traceback.StackSummary.from_list([f for f in te.stack if f.filename == SUBMISSION_FILENAME])
    if depth < 10:
        for chained in (te.__cause__, te.__context__):
            if chained is not None:
                _keep_student_frames(chained, depth + 1)


def _student_traceback(exc):
    """The traceback as the student would see it: their frames only."""
    try:
        te = traceback.TracebackException(type(exc), exc, exc.__traceback__, compact=True)
        _keep_student_frames(te)
        return _text("".join(te.format()), MAX_TEXT)
    except Exception:  # noqa: BLE001 - a hostile __str__, a broken linecache...
        return f"{_text(type(exc).__name__, 200)} (its message could not be shown)\n"

