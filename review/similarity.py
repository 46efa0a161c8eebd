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


def share_matrix(prints: list[CodeFingerprint]) -> np.ndarray:
    """S[i, j]: the share of document i's fingerprinted code covered by fingerprints it shares with j.

    compare_files's two numbers for every pair at once: for document i, the
    k-grams at the positions whose hash j also has, merged where they overlap,
    over i's token coverage. compare_files costs about half a millisecond a
    pair (a minute for a class of 500); this is a few numpy passes per document.
    """
    count = len(prints)
    shares = np.zeros((count, count))
    if count == 0:
        return shares
    vocabulary: dict = {}
    documents = []
    for found in prints:
        positions, columns = [], []
        for value, where in found.hash_idx.items():
            column = vocabulary.setdefault(value, len(vocabulary))
            positions.extend(where)
            columns.extend([column] * len(where))
        order = np.argsort(positions, kind="stable")
        documents.append((np.asarray(positions, dtype=np.int64)[order], np.asarray(columns, dtype=np.int64)[order]))
    has = np.zeros((count, len(vocabulary)), dtype=bool)
    for row, (_, columns) in enumerate(documents):
        has[row, columns] = True
    far = np.iinfo(np.int64).max // 4
    for row, ((positions, columns), found) in enumerate(zip(documents, prints)):
        if not len(positions) or not found.token_coverage:
            continue
        shared = has[:, columns]  # documents x i's positions: is that position's hash also theirs?
        at = np.where(shared, positions[None, :], far)
        # the next shared position after each one (far after the last): a k-gram counts up to it
        following = np.minimum.accumulate(at[:, ::-1], axis=1)[:, ::-1]
        following = np.concatenate([following[:, 1:], np.full((count, 1), far)], axis=1)
        covered = np.where(shared, np.minimum(found.k, following - positions[None, :]), 0).sum(axis=1)
        shares[row] = covered / found.token_coverage
    return shares


def compare(first_print: CodeFingerprint, second_print: CodeFingerprint, first=None, second=None) -> Pair:
    """copydetect's comparison of two fingerprinted files, as a Pair."""
    shared, (first_share, second_share), (first_slices, second_slices) = compare_files(first_print, second_print)
    return Pair(
        first=first, second=second, first_similarity=float(first_share), second_similarity=float(second_share),
        shared_tokens=int(shared), first_spans=_spans(first_slices), second_spans=_spans(second_slices),
    )  # fmt: skip


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
    progress_rows: int = 20,
) -> list[Pair]:
    """The pairs of `codes` (key -> text) whose similarity reaches `threshold`, most similar first.

    `progress(pairs done, total)` is called every `progress_rows` documents and once at the end.
    """
    ignored = boilerplate_hashes(boilerplate)
    prints = {key: fingerprint(text, ignored) for key, text in codes.items()}
    keys = list(codes)
    shares = share_matrix([prints[key] for key in keys])
    total = len(keys) * (len(keys) - 1) // 2
    pairs = []
    done = 0
    for row, first in enumerate(keys):
        if progress is not None and row and row % progress_rows == 0:
            progress(done, total)
        for column in np.flatnonzero(np.maximum(shares[row, row + 1 :], shares[row + 1 :, row]) >= threshold):
            second = keys[row + 1 + column]
            # compare_files again for the listed pairs only: its spans are what the review page shows.
            pairs.append(compare(prints[first], prints[second], first, second))
        done += len(keys) - 1 - row
    if progress is not None:
        progress(total, total)
    pairs.sort(key=lambda pair: -pair.similarity)
    return pairs
