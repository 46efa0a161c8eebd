"""cosine_similarity(a, b): along the last axis, 0.0 where a vector is all zeros."""

import numpy as np

from grader.checks.base import Param, Suite, count_params, tolerance_params
from grader.checks.messages import Bilingual


def _add(b, name_en, name_zh, a, v, *, hidden, weight=1.0):
    args = (np.asarray(a, dtype=np.float64), np.asarray(v, dtype=np.float64))
    b.add(name_en, name_zh, "cosine_similarity", args, hidden=hidden, weight=weight, arg_names=("a", "b"))


def build(b, p, rng):
    # --- fixed visible cases
    # Toy word embeddings: related words point the same way, unrelated ones do not.
    _add(b, "word vectors: 国王 (king) vs 女王 (queen)", "词向量：国王 与 女王", [0.8, 0.6, 0.1, 0.3], [0.7, 0.7, 0.2, 0.35], hidden=False, weight=1.5)
    _add(
        b,
        "batch: parallel, orthogonal and opposite vectors",
        "批量：同向、正交与反向的向量",
        [[1.0, 2.0, 3.0], [1.0, 0.0, 0.0], [1.0, -2.0, 0.5]],
        [[2.0, 4.0, 6.0], [0.0, 3.0, 0.0], [-2.0, 4.0, -1.0]],
        hidden=False,
    )
    _add(b, "a zero vector: similarity 0.0", "零向量：相似度为 0.0", [0.0, 0.0, 0.0], [1.0, 2.0, 3.0], hidden=False)

    # --- fixed hidden cases
    _add(b, "both vectors zero", "两个向量都是零向量", [0.0, 0.0], [0.0, 0.0], hidden=True)
    rows = rng.normal(size=(4, 5))
    rows[2] = 0.0  # one zero row in a batch: 0.0 there, the rest unaffected
    _add(b, "batch with one zero vector", "批量中含一个零向量", rows, rng.normal(size=(4, 5)), hidden=True, weight=1.5)
    a = rng.normal(size=6)
    _add(b, "scale does not matter: b = 5a", "与长度无关：b = 5a", a, 5.0 * a, hidden=True)
    _add(b, "1-dimensional vectors [3] and [-2]", "一维向量 [3] 与 [-2]", [3.0], [-2.0], hidden=True)
    _add(b, "3-D batch (2, 3, 4)", "三维批量 (2, 3, 4)", rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4)), hidden=True)
    _add(
        b,
        "large and small magnitudes (1e3 and 1e-3)",
        "大与小的数量级（1e3 与 1e-3）",
        rng.normal(size=(3, 4)) * 1e3,
        rng.normal(size=(3, 4)) * 1e-3,
        hidden=True,
    )

    # --- random cases
    for hidden, count in ((False, p["visible"]), (True, p["hidden"])):
        for _ in b.random_cases(count):
            batch = () if rng.random() < 0.4 else (int(rng.integers(1, p["max_batch"] + 1)),)
            shape = batch + (int(rng.integers(1, p["max_dim"] + 1)),)
            _add(
                b,
                f"random: shape {shape}",
                f"随机：形状 {shape}",
                rng.normal(size=shape),
                rng.normal(size=shape),
                hidden=hidden,
            )


SUITE = Suite(
    name="cosine-similarity",
    functions=("cosine_similarity",),
    params=count_params(2, 4)
    + tolerance_params()
    + (
        Param("max_batch", int, 5, 1, 50, "largest number of vector pairs"),
        Param("max_dim", int, 16, 1, 512, "largest vector length d"),
    ),
    build=build,
    nonfinite_hint=Bilingual(
        "a zero vector has norm 0: return 0.0 there instead of dividing by 0",
        "零向量的范数为 0：此时应返回 0.0，而不是除以 0",
    ),
    hidden_hint=Bilingual(
        "look again at zero vectors (alone and inside a batch), vectors of length 1, 3-D batches and inputs of very different magnitudes.",
        "请再检查：零向量（单独出现或在批量中）、长度为 1 的向量、三维批量，以及数量级相差很大的输入。",
    ),
    batch_arg=0,
    core_ndim=1,
    batch_hint=Bilingual(
        "Reduce along the last axis only (np.sum(a * b, axis=-1), np.linalg.norm(a, axis=-1)) instead of np.dot or a sum over everything.",
        "只沿最后一个轴归约（np.sum(a * b, axis=-1)、np.linalg.norm(a, axis=-1)），不要用 np.dot 或对全部元素求和。",
    ),
)
