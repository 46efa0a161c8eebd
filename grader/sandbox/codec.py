"""What crosses the sandbox boundary, as bytes: inputs going in, results coming out.

Going in, the trusted side encodes the calls' arguments (exact dtypes kept:
float32 stays float32) as a tagged JSON tree whose arrays are `.npy` bytes.
Coming out, EVERYTHING is hostile: the child shares an interpreter with the
student, who can forge frames, patch numpy or json, or write raw bytes to the
result pipe. So a result is accepted only if it parses as strict JSON of the
expected shape, and a value only as the tagged tree below, whose leaves become
None, bool, int, float, str or a plain ``numpy.ndarray`` of a numeric dtype,
rebuilt here from bytes. No object from the sandbox survives: an ndarray
subclass or an ``__eq__`` that always says yes cannot come through.

Tree tags (see inside/harness.py): null, true/false, {"i": "123"}, {"f": float.hex},
{"s": str}, {"a": base64 .npy}, {"l": [...]}, {"t": [...]}; inputs may also use
{"g": base64 .npy of a 0-d array} (a numpy scalar) and {"d": [[key, tree], ...]}.

Reading never raises for what the child sent: a frame is a dict or None, a
value is a value or BadValue. And reading costs bounded time and memory: what
json and the decoder build is paid for from a ReadBudget BEFORE it is built,
since a few bytes each ("[],") become Python objects of 60 bytes and a
microsecond each, so 32 MiB of them would be gigabytes and tens of seconds.

Text from the child is shown to people (feedback, `manage.py grade`): it goes
through clean_text, which also makes terminal control sequences visible.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
import re

import numpy as np

from grader.sandbox.types import Call
from grader.sandbox.inside.wire import MAX_STRING, NPY_HEADER_RE, NPY_MAGIC, NPY_PREFIX

logger = logging.getLogger("grader.sandbox")

FRAME_HEADER_BYTES = 4
MAX_INT_DIGITS = 4300  # Python's own int/str conversion limit
MAX_FLOAT_TEXT = 64
MAX_NDIM = 32
MAX_NESTING = 32
MAX_NODES = 200_000
MAX_NPY_HEADER = 10_000  # bytes; numpy's own headers take a few hundred
ALLOWED_KINDS = "biuf"

# What reading one run's results may cost, in units of about a microsecond
# of a busy 2-core machine. bench/decode_bench.py measures the costliest
# frames we know how to build: half a second to a second (by the load) and
# under 70 MiB, against 20 s and 800 MiB when json parsed whatever fit in the
# result cap. An honest run returning arrays spends a few hundred units; one
# returning the largest answers of the sample course as nested Python lists
# instead, about 130,000. Work that grows with the bytes alone (UTF-8,
# base64, copying arrays) is bounded by the result cap instead.
READ_BUDGET = 400_000
COST_TOKEN = 1  # per structural byte of a frame, before json parses it
COST_NODE = 1  # per node of a value tree
COST_ARRAY = 50  # per array: base64, header match, dtype, frombuffer, copy
COST_INT_DIGITS_SQUARED = 40_000  # str -> int takes about digits**2 / this units
_STRUCTURAL = (b"[", b"{", b",", b":")
_COUNT_STEP = 4 * 1024 * 1024
TOO_COSTLY = "more result data than the grader reads from one run"

_INT_RE = re.compile(r"-?[0-9]{1,%d}" % MAX_INT_DIGITS)


class BadValue(Exception):
    """A value from the sandbox that is not plain numeric data.

    `detail` says what it was, in words fit for the student ("an array of dtype <U3").
    """

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class ReadBudget:
    """What reading one run's frames may still cost (see READ_BUDGET).

    Shared by every frame of a run, so many frames just under a per-frame
    bound cannot add up. A frame or a value it cannot pay for is refused, and
    a refused frame costs nothing: the frames after it are still read.
    """

    def __init__(self, units: int = READ_BUDGET):
        self.left = units

    def affords(self, units: int) -> bool:
        return units <= self.left

    def spend(self, units: int) -> None:
        if units > self.left:
            raise BadValue(TOO_COSTLY)
        self.left -= units


# --------------------------------------------------------------------------
# Going in


def encode_input(value, _depth: int = 0):
    """A call argument as a tagged tree. TypeError for what a Call may not hold."""
    if _depth > MAX_NESTING:
        raise TypeError("call arguments nest too deeply")
    if value is None or isinstance(value, (bool, np.bool_)):
        return None if value is None else bool(value)
    if isinstance(value, np.ndarray):
        return {"a": _npy_b64(value)}
    if isinstance(value, np.generic):
        # A numpy scalar keeps its dtype (np.float32(1) stays float32).
        return {"g": _npy_b64(np.asarray(value))}
    if isinstance(value, int):
        return {"i": str(int(value))}
    if isinstance(value, float):
        return {"f": float(value).hex()}
    if isinstance(value, str):
        return {"s": value}
    if isinstance(value, tuple):
        return {"t": [encode_input(item, _depth + 1) for item in value]}
    if isinstance(value, list):
        return {"l": [encode_input(item, _depth + 1) for item in value]}
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("dict arguments must have str keys")
        return {"d": [[key, encode_input(item, _depth + 1)] for key, item in value.items()]}
    raise TypeError(f"cannot send a {type(value).__name__} into the sandbox")


def _npy_b64(array: np.ndarray) -> str:
    array = np.asarray(array)
    if array.dtype.kind not in ALLOWED_KINDS + "U":
        raise TypeError(f"cannot send an array of dtype {array.dtype} into the sandbox")
    return base64.b64encode(npy_bytes(array)).decode("ascii")


def npy_bytes(array: np.ndarray) -> bytes:
    """The bytes np.lib.format.write_array writes for a plain (non-object) array.

    The same format 1.0 file, byte for byte (a test holds it to that), built
    without write_array's file-object and per-key overhead.
    """
    fortran = bool(array.flags.f_contiguous and not array.flags.c_contiguous)
    shape = tuple(array.shape)
    header = "{'descr': %r, 'fortran_order': %r, 'shape': %r, }" % (array.dtype.str, fortran, shape)
    # numpy's spare room for the growing axis, then spaces so that the data
    # starts 64-byte aligned, then "\n".
    if shape:
        header += " " * (21 - len(repr(shape[-1 if fortran else 0])))
    header += " " * (-(NPY_PREFIX + len(header) + 1) % 64) + "\n"
    prefix = NPY_MAGIC + len(header).to_bytes(2, "little")
    return prefix + header.encode("latin1") + array.tobytes(order="F" if fortran else "C")


def _call_json(call: Call) -> dict:
    data = {
        "name": call.name,
        "function": call.function,
        "args": encode_input(tuple(call.args)),
        "kwargs": encode_input(dict(call.kwargs)),
    }
    if call.report_changed_args:
        data["report_changed"] = True
    return data


def encode_payloads(code: str, calls: list[Call], required: list[str]) -> tuple[bytes, bytes]:
    """(visible payload, hidden payload). The hidden one is b"" when no call is hidden.

    They are separate because the sandbox hands the hidden one to the child
    only after the child's visible phase is sealed (see inside/supervisor.py).
    """
    visible = {
        "code": code,
        "required": list(required),
        "calls": [_call_json(call) for call in calls if not call.hidden],
    }
    hidden_calls = [_call_json(call) for call in calls if call.hidden]
    hidden = json.dumps({"calls": hidden_calls}).encode() if hidden_calls else b""
    return json.dumps(visible).encode(), hidden


# --------------------------------------------------------------------------
# Coming out


class FrameSplitter:
    """Cuts the child's result stream into frames and tags each with its phase.

    A frame belongs to the visible phase only if it was complete before the
    seal; one that ends after it (even if it began before) is hidden-phase,
    since its bytes may have been written once the hidden inputs were known.
    A length prefix above `max_frame`, or more than `max_frames` frames, means
    the stream is garbage from there on: the rest is dropped and `broken`
    says why. (An honest child sends one frame per call and a few more.)
    """

    def __init__(self, max_frame: int, max_frames: int):
        self.max_frame = max_frame
        self.max_frames = max_frames
        self.buffer = bytearray()
        self.sealed = False
        self.frames: list[tuple[bool, bytes]] = []
        self.broken = ""

    def feed(self, data) -> None:
        if self.broken:
            return
        self.buffer += data
        start = 0
        while len(self.buffer) - start >= FRAME_HEADER_BYTES:
            length = int.from_bytes(self.buffer[start:start + FRAME_HEADER_BYTES], "big")
            if length > self.max_frame:
                self._break(f"a result frame of {length} bytes")
                return
            end = start + FRAME_HEADER_BYTES + length
            if len(self.buffer) < end:
                break
            if len(self.frames) >= self.max_frames:
                self._break(f"more than {self.max_frames} result frames")
                return
            self.frames.append((self.sealed, bytes(self.buffer[start + FRAME_HEADER_BYTES:end])))
            start = end
        # One deletion per feed, not per frame: many small frames stay linear.
        del self.buffer[:start]

    def _break(self, why: str) -> None:
        self.broken = why
        self.buffer = bytearray()

    def seal(self) -> None:
        self.sealed = True


def _no_constants(name):
    raise ValueError(f"{name} is not JSON")


def _unique_keys(pairs):
    # dict() in C, not a Python loop: this runs once per object of every frame.
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


# What json.loads(text, parse_constant=..., object_pairs_hook=...) builds per call.
_FRAME_DECODER = json.JSONDecoder(parse_constant=_no_constants, object_pairs_hook=_unique_keys)


def parse_cost(raw: bytes, limit: int | None = None) -> int:
    """An upper bound on the objects json would build from `raw`, counted without parsing.

    Every JSON value but the outermost comes right after "[", ",", or ":" and
    every key after "{" or ","; counting these bytes inside strings as well
    only overestimates. A string or number is one object whatever its length,
    and its memory is bounded by its bytes. Counting stops, in steps of a few
    MiB, once it passes `limit`: a hostile frame is refused after its start.
    """
    total = 1
    for start in range(0, len(raw), _COUNT_STEP):
        end = start + _COUNT_STEP
        total += sum(raw.count(byte, start, end) for byte in _STRUCTURAL)
        if limit is not None and total > limit:
            break
    return total


def parse_frame(raw: bytes, budget: ReadBudget | None = None):
    """A frame's JSON object, or None if it is not strict JSON of an object or costs too much to parse."""
    budget = ReadBudget() if budget is None else budget
    cost = parse_cost(raw, budget.left // COST_TOKEN) * COST_TOKEN
    if not budget.affords(cost):
        return None
    budget.spend(cost)
    try:
        text = raw.decode("utf-8", errors="strict")
        frame = _FRAME_DECODER.decode(text)
    except Exception:  # noqa: BLE001 - whatever the bytes make json do, they are just not a frame
        return None
    return frame if type(frame) is dict else None


def decode_value(tree, *, allow_str: bool, budget: ReadBudget | None = None):
    """A returned value rebuilt from its tree, or BadValue saying what it was. Never anything else."""
    budget = ReadBudget() if budget is None else budget
    try:
        return _decode(tree, allow_str, 0, [MAX_NODES], budget)
    except BadValue:
        raise
    except Exception as exc:  # noqa: BLE001 - the child's data, never our failure (THREATS 8)
        # Each known case is a BadValue already; one that gets here is worth a look.
        logger.warning("a returned value the decoder did not expect: %s: %.200r", type(exc).__name__, str(exc))
        raise BadValue("data the grader cannot read") from None


def _decode(tree, allow_str: bool, depth: int, nodes: list[int], budget: ReadBudget):
    nodes[0] -= 1
    if nodes[0] < 0 or depth > MAX_NESTING:
        raise BadValue("a structure too large or too deeply nested")
    budget.spend(COST_NODE)
    if tree is None or tree is True or tree is False:
        return tree
    if type(tree) is not dict or len(tree) != 1:
        raise BadValue("data the grader cannot read")
    ((tag, body),) = tree.items()
    if tag == "f" and type(body) is str and len(body) <= MAX_FLOAT_TEXT:
        try:
            return float.fromhex(body)
        except (ValueError, OverflowError):
            raise BadValue("data the grader cannot read") from None
    if tag == "i" and type(body) is str and _INT_RE.fullmatch(body):
        budget.spend(len(body) ** 2 // COST_INT_DIGITS_SQUARED)
        return int(body)
    if tag == "a" and type(body) is str:
        budget.spend(COST_ARRAY)
        return _load_npy(body)
    if tag in ("l", "t") and type(body) is list:
        items = [_decode(item, allow_str, depth + 1, nodes, budget) for item in body]
        return tuple(items) if tag == "t" else items
    if tag == "s" and type(body) is str:
        if not allow_str:
            raise BadValue("a str")
        if len(body) > MAX_STRING:
            raise BadValue(f"a str of {len(body)} characters")
        # A value, compared rather than shown: feedback quotes it with repr(),
        # which escapes control characters itself.
        return _storable(body)
    raise BadValue("data the grader cannot read")


def _load_npy(b64: str) -> np.ndarray:
    """A plain ndarray from .npy bytes, checked before anything is allocated.

    np.load would allocate what the header claims before noticing the data is
    short: a forged header could ask the worker for terabytes. The header is
    read by matching wire.NPY_HEADER_RE whole (numpy's own format 1.0
    header, nothing looser), not by numpy's ast-based parser.
    """
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise BadValue("data the grader cannot read") from None
    if len(raw) < NPY_PREFIX or not raw.startswith(NPY_MAGIC):
        raise BadValue("data the grader cannot read")
    header_size = int.from_bytes(raw[len(NPY_MAGIC):NPY_PREFIX], "little")
    header_end = NPY_PREFIX + header_size
    match = None
    if header_size <= MAX_NPY_HEADER and header_end <= len(raw):
        match = NPY_HEADER_RE.fullmatch(raw, NPY_PREFIX, header_end)
    if match is None:
        raise BadValue("data the grader cannot read")
    try:
        dtype = np.dtype(match[1].decode("ascii"))
    except (ValueError, TypeError, SyntaxError, OverflowError):
        raise BadValue("data the grader cannot read") from None
    if dtype.kind not in ALLOWED_KINDS or dtype.itemsize > 8 or dtype.fields is not None or dtype.subdtype is not None:
        shown = dtype.name if dtype.kind in "Ocv" else dtype.str
        raise BadValue(f"an array of dtype {shown}")
    shape = tuple(int(n) for n in match[3].split(b",") if n.strip())
    if len(shape) > MAX_NDIM:
        raise BadValue("data the grader cannot read")
    count = math.prod(shape)
    if len(raw) - header_end != count * dtype.itemsize:
        raise BadValue("data the grader cannot read")
    try:
        flat = np.frombuffer(raw, dtype=dtype, count=count, offset=header_end)
        shaped = flat.reshape(shape, order="F" if match[2] == b"True" else "C")
        # Own memory, native byte order, C order, writeable: a plain array.
        return np.array(shaped, dtype=dtype.newbyteorder("="), order="C", copy=True)
    except (ValueError, OverflowError, MemoryError):
        # A zero-length axis makes any other axis fit the byte count above, and
        # numpy refuses axes whose product passes its maximum size: (0, 10**19).
        raise BadValue("data the grader cannot read") from None


# Characters that make a terminal DO something rather than show something, and
# how each is shown instead (its Python escape, as a student would write it):
# C0 controls but tab and newline (ESC starts ANSI/OSC sequences, BEL ends an
# OSC title, CR overwrites the line), DEL, C1 controls (U+009B is a whole CSI
# by itself), the bidi embeddings, overrides and isolates that reorder what is
# shown (U+202E makes text read backwards), and the line and paragraph
# separators that split a line where no newline is. NUL becomes U+FFFD:
# PostgreSQL text cannot hold it.
CONTROL_CODES = (
    *(code for code in range(0x20) if chr(code) not in "\t\n"), 0x7F, *range(0x80, 0xA0),
    0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029,
)
_NEUTRALISED = {code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") for code in CONTROL_CODES}
_NEUTRALISED[0] = "\ufffd"


def neutralise_controls(text: str) -> str:
    """`text` with every terminal control character shown as its escape; newlines and tabs kept."""
    return text.replace("\r\n", "\n").translate(_NEUTRALISED)


def _storable(text: str) -> str:
    # Lone surrogates (from \\ud800 escapes) are not UTF-8; NUL breaks PostgreSQL text.
    return text.encode("utf-8", errors="replace").decode("utf-8").replace("\x00", "\ufffd")


def clean_text(text: str, limit: int) -> str:
    """Text from the sandbox made safe to store and to show: valid UTF-8, no NUL, no terminal controls, cut.

    The one way text from a submission (tracebacks, messages, exception and
    type names, what it printed) reaches feedback: neutralised here, it is
    safe wherever it is shown later (web page, API, terminal).
    """
    cut = len(text) > limit
    # An escape is up to six characters for one: cut before (bounded work) and after.
    text = neutralise_controls(_storable(text[:limit]))
    if len(text) > limit:
        text, cut = text[:limit], True
    return text + "…" if cut else text


def decode_output(raw: bytes, limit: int) -> str:
    return clean_text(raw.decode("utf-8", errors="replace"), limit)

