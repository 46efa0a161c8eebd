"""Which pieces of code look alike, by copydetect's winnowed fingerprints (the MOSS method).

Pure: no Django. Code is tokenised (names, strings and comments stripped, so
renaming variables or rewording comments hides nothing), cut into k-grams,
winnowed, and the fingerprints every student was given (the starter code) or
could have been shown (the reference) are removed as boilerplate before any
two submissions are compared: sharing the skeleton is not copying.

Why copydetect: maintained since 2020 with regular releases (0.5.0 the
latest), MIT, tokenises with Pygments, runs offline, and exposes the two calls
needed here (`CodeFingerprint`, `compare_files`) without its HTML report.
"""

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from copydetect import CodeFingerprint, compare_files

# copydetect's defaults: a shared run must be 25 filtered characters long to count (noise),
# and every run that long is found (window = guarantee - noise + 1).
NOISE_THRESHOLD = 25
GUARANTEE_THRESHOLD = 25
WINDOW = GUARANTEE_THRESHOLD - NOISE_THRESHOLD + 1
# The lexer is chosen by the (made-up) file name's extension.
FILENAME = "submission.py"
DEFAULT_THRESHOLD = 0.8


@dataclass(frozen=True)
class Pair:
    first: object  # the caller's keys, in the order given
    second: object
    first_similarity: float  # share of first's fingerprinted code also in second
    second_similarity: float
    shared_tokens: int
    first_spans: list[list[int]]  # [start, end) character spans in each one's own text
    second_spans: list[list[int]]

    @property
    def similarity(self) -> float:
        return max(self.first_similarity, self.second_similarity)


def boilerplate_hashes(texts: Iterable[str]) -> np.ndarray:
    """Every fingerprint of the given code (window 1: all k-grams), to be ignored in submissions."""
    hashes = []
    for text in texts:
        if text.strip():
            hashes.extend(CodeFingerprint(FILENAME, NOISE_THRESHOLD, 1, fp=io.StringIO(text)).hashes)
    return np.unique(np.array(hashes, dtype=np.int64))


def fingerprint(text: str, boilerplate: np.ndarray) -> CodeFingerprint:
    return CodeFingerprint(FILENAME, NOISE_THRESHOLD, WINDOW, boilerplate=boilerplate, fp=io.StringIO(text))


def _spans(slices) -> list[list[int]]:
    if len(slices) == 0 or len(slices[0]) == 0:
        return []
    return [[int(start), int(end)] for start, end in zip(slices[0], slices[1])]


def similar_pairs(
    codes: dict,
    *,
    boilerplate: Iterable[str] = (),
    threshold: float = DEFAULT_THRESHOLD,
    progress: Callable[[int, int], None] | None = None,
    progress_every: int = 2000,
) -> list[Pair]:
    """The pairs of `codes` (key -> text) whose similarity reaches `threshold`, most similar first.

    `progress(done, total)` is called every `progress_every` pairs compared and once at the end.
    """
    ignored = boilerplate_hashes(boilerplate)
    prints = {key: fingerprint(text, ignored) for key, text in codes.items()}
    # Without a fingerprint in common two files share nothing: a set test is far cheaper than
    # compare_files, and most pairs of a class's submissions fail it.
    hash_sets = {key: frozenset(int(h) for h in found.hashes) for key, found in prints.items()}
    keys = list(codes)
    total = len(keys) * (len(keys) - 1) // 2
    pairs = []
    for done, (first, second) in enumerate(combinations(keys, 2), start=1):
        if progress is not None and done % progress_every == 0:
            progress(done, total)
        if hash_sets[first].isdisjoint(hash_sets[second]):
            continue
        shared, (first_share, second_share), (first_slices, second_slices) = compare_files(prints[first], prints[second])
        if max(first_share, second_share) >= threshold:
            pairs.append(
                Pair(
                    first=first, second=second, first_similarity=float(first_share),
                    second_similarity=float(second_share), shared_tokens=int(shared),
                    first_spans=_spans(first_slices), second_spans=_spans(second_slices),
                )  # fmt: skip
            )
    if progress is not None:
        progress(total, total)
    pairs.sort(key=lambda pair: -pair.similarity)
    return pairs
