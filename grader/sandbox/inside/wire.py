"""The protocol between the worker and the zygote, shared by both sides.

Standard library only: this file is part of the program that runs inside the
sandbox (see grader.sandbox.inside), and it is the one file of that program the
trusted side imports (for these constants; importing it runs nothing).

Wire format (all integers big-endian)
-------------------------------------
worker -> zygote: frames, u32 length + body.
    init:    JSON frame, then a frame with the child's BPF program (may be empty)
    request: JSON header frame {"cpu","wall","mem_mb","out","fsize","nofile","vis","hid"},
             then exactly `vis` + `hid` raw payload bytes (JSON, UTF-8).
zygote -> worker: chunks, 1-byte tag + u32 length + body:
    R  bytes of the child's result stream (u32-framed JSON, see harness.Harness)
    S  seal: result bytes after this point belong to the hidden phase
    O  the visible output (the first bytes the child printed before the seal)
    E  end of the request (JSON status); also the answer to init
"""

import os
import re
import struct

FRAME = struct.Struct(">I")
CHUNK = struct.Struct(">cI")
TAG_RESULT = b"R"
TAG_SEAL = b"S"
TAG_OUTPUT = b"O"
TAG_END = b"E"

# The child's fds: 0 is /dev/null, 1 and 2 its output pipe, and these three.
FD_RESULT = 3  # frames the child writes (results)
FD_SEAL = 4  # one byte: "visible phase over, send the hidden inputs"
FD_HIDDEN = 5  # the hidden payload, written by the zygote after the seal

# Exit codes the harness uses; the trusted side reads them (with the frames).
EXIT_OK = 0
EXIT_INTERNAL = 70  # harness failure (including a filter that would not load)
EXIT_MEMORY = 71  # MemoryError where not even a frame could be sent

MAX_TEXT = 16 * 1024  # traceback or detail text the child sends, per call
MAX_STRING = 64 * 1024  # a returned str
MAX_NESTING = 32
MAX_ITEMS = 200_000  # nodes of a returned structure (arrays count as one)
MAX_ARRAY_BYTES = 8 * 1024 * 1024

# The .npy header numpy's write_array writes (format 1.0), matched whole: a
# dict of exactly these keys in this order, a short printable descr, a shape
# of non-negative integers, space padding and a newline. The trusted side
# reads arrays with this and nothing looser (codec._load_npy); the harness
# uses it to skip np.load's ast-based header parsing for its inputs.
NPY_MAGIC = b"\x93NUMPY\x01\x00"
NPY_PREFIX = len(NPY_MAGIC) + 2  # magic, version, u16 little-endian header length
NPY_HEADER_RE = re.compile(
    rb"\{'descr': '([!-&(-\[\]-~]{1,64})', 'fortran_order': (True|False), "
    rb"'shape': \(((?:[0-9]{1,20}, )*(?:[0-9]{1,20},?)?)\), \} *\n"
)


# --------------------------------------------------------------------------
# Small I/O helpers (raw fds only: no buffered objects that keep copies)


def read_exact(fd, n):
    """n bytes from fd, for small non-secret frames; EOFError on a closed pipe."""
    parts = []
    while n:
        part = os.read(fd, min(n, 1 << 20))
        if not part:
            raise EOFError
        parts.append(part)
        n -= len(part)
    return b"".join(parts)


def read_into(fd, buf):
    view = memoryview(buf)
    got = 0
    while got < len(view):
        n = os.readv(fd, [view[got:]])
        if n == 0:
            raise EOFError
        got += n


def write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def read_frame(fd):
    (length,) = FRAME.unpack(read_exact(fd, FRAME.size))
    return read_exact(fd, length)

