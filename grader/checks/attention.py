"""scaled_dot_product_attention(q, k, v, mask=None) -> (output, weights)."""

import numpy as np

from grader.checks.base import KIND_TUPLE, Param, Suite, count_params, tolerance_params
from grader.checks.messages import Bilingual

NO_MAX_SUBTRACTION = "no_max_subtraction"
WEIGHTS_NOT_RETURNED = "weights_not_returned"
OVERFLOW = 700.0


def random_mask(rng, shape, p_true=0.6):
    """A bool mask with at least one True in every row (last axis), as the contract promises."""
    mask = rng.random(shape) < p_true
    rows = ~mask.any(axis=-1)
    if rows.any():
        # Give each empty row one allowed key at a random position.
        empty = np.argwhere(rows)
        keys = rng.integers(0, shape[-1], size=len(empty))
        mask[tuple(empty.T) + (keys,)] = True
    return mask


def causal(length):
    return np.tril(np.ones((length, length), dtype=bool))


def add_case(b, name_en, name_zh, q, k, v, mask=None, *, hidden, weight=1.0):
    args = (q, k, v) if mask is None else (q, k, v, mask)
    scores = (q @ np.swapaxes(k, -1, -2)) / np.sqrt(q.shape[-1])
    big = float(np.max(np.abs(scores))) > OVERFLOW
    zeros = {}
    if mask is not None:
        weights_shape = np.broadcast_shapes(scores.shape, mask.shape)
        zeros[1] = np.broadcast_to(~mask, weights_shape).copy()
    return b.add(
        name_en,
        name_zh,
        "scaled_dot_product_attention",
        args,
        hidden=hidden,
        weight=weight,
        kind=KIND_TUPLE,
        parts=("output", "weights"),
        exact_zeros=zeros,
        nonfinite_mistake=NO_MAX_SUBTRACTION if big else "",
        single_array_mistake=WEIGHTS_NOT_RETURNED,
        arg_names=("q", "k", "v", "mask"),
    )


def _qkv(rng, batch, lq, lk, d_k, d_v):
    q = rng.normal(size=batch + (lq, d_k))
    k = rng.normal(size=batch + (lk, d_k))
    v = rng.normal(size=batch + (lk, d_v))
    return q, k, v


def build(b, p, rng):
    # --- fixed visible cases
    # The text's example: d_k = 64, so scores 112 and 96 are divided by 8 and the
    # softmax gives about 0.88 and 0.12. q·k1 = 64 × 1.75 = 112, q·k2 = 64 × 1.5 = 96.
    q = np.ones((1, 64))
    k = np.stack([np.full(64, 1.75), np.full(64, 1.5)])
    v = np.array([[1.0, 0.0], [0.0, 1.0]])
    add_case(
        b,
        "worked example: d_k = 64, scores 112 and 96 / sqrt(64) = 8",
        "课本例题：d_k = 64，分数 112 与 96 除以 sqrt(64) = 8",
        q,
        k,
        v,
        hidden=False,
        weight=2.0,
    )
    q, k, v = _qkv(rng, (), 2, 3, 4, 5)
    add_case(
        b,
        "no mask, 2 queries, 3 keys, d_v != d_k",
        "无掩码，2 个查询、3 个键，d_v != d_k",
        q,
        k,
        v,
        hidden=False,
        weight=1.5,
    )
    q, k, v = _qkv(rng, (), 4, 4, 3, 3)
    add_case(
        b,
        "causal mask (4, 4)",
        "因果掩码 (4, 4)",
        q,
        k,
        v,
        causal(4),
        hidden=False,
        weight=1.5,
    )

    # --- fixed hidden cases
    q, k, v = _qkv(rng, (2,), 5, 5, 4, 6)
    add_case(b, "batch of 2, causal mask (5, 5) shared by the batch", "批量 2，批内共用因果掩码 (5, 5)", q, k, v, causal(5), hidden=True)
    q, k, v = _qkv(rng, (2, 3), 3, 4, 4, 2)
    add_case(
        b,
        "batch (2, 3), random mask (2, 3, 3, 4)",
        "批量 (2, 3)，随机掩码 (2, 3, 3, 4)",
        q,
        k,
        v,
        random_mask(rng, (2, 3, 3, 4)),
        hidden=True,
    )
    q, k, v = _qkv(rng, (3,), 4, 6, 5, 3)
    add_case(
        b,
        "padding mask (3, 1, 6) broadcast over queries",
        "填充掩码 (3, 1, 6)，在查询维上广播",
        q,
        k,
        v,
        random_mask(rng, (3, 1, 6), p_true=0.5),
        hidden=True,
    )
    q, k, v = _qkv(rng, (), 3, 3, 64, 4)
    add_case(b, "d_k = 64 (scaled by 8)", "d_k = 64（除以 8）", q, k, v, hidden=True)
    q, k, v = _qkv(rng, (), 3, 4, 8, 2)
    add_case(
        b,
        "large scores (exp overflows)",
        "很大的分数（exp 会溢出）",
        q * 30.0,
        k * 30.0,
        v,
        hidden=True,
        weight=1.5,
    )
    q, k, v = _qkv(rng, (), 1, 1, 3, 2)
    add_case(b, "one query, one key", "一个查询、一个键", q, k, v, hidden=True)
    q, k, v = _qkv(rng, (2,), 1, 7, 4, 4)
    add_case(
        b,
        "one query attending to 7 keys, batch of 2, mask (1, 7)",
        "一个查询对 7 个键，批量 2，掩码 (1, 7)",
        q,
        k,
        v,
        random_mask(rng, (1, 7)),
        hidden=True,
    )

    # --- random cases
    for hidden, count in ((False, p["visible"]), (True, p["hidden"])):
        for _ in b.random_cases(count):
            batch = tuple(int(s) for s in rng.integers(1, p["max_batch"] + 1, size=int(rng.integers(0, 3))))
            lq, lk = (int(s) for s in rng.integers(1, p["max_len"] + 1, size=2))
            d_k, d_v = (int(s) for s in rng.integers(1, p["max_d"] + 1, size=2))
            q, k, v = _qkv(rng, batch, lq, lk, d_k, d_v)
            style = int(rng.integers(0, 3))
            if style == 0:
                mask, label = None, Bilingual("no mask", "无掩码")
            elif style == 1 and lq == lk:
                mask, label = causal(lq), Bilingual("causal mask", "因果掩码")
            else:
                mask = random_mask(rng, batch + (lq, lk))
                label = Bilingual("random mask", "随机掩码")
            add_case(
                b,
                f"random: batch {batch}, Lq={lq}, Lk={lk}, d_k={d_k}, d_v={d_v}, {label.en}",
                f"随机：批量 {batch}，Lq={lq}，Lk={lk}，d_k={d_k}，d_v={d_v}，{label.zh}",
                q,
                k,
                v,
                mask,
                hidden=hidden,
            )

    # --- after the random cases, so that their draws are unchanged
    # Stability is per row: one row's scores reach 1000 while the other's stay
    # near 0, so shifting by the maximum of the whole array (not of each row)
    # underflows the small row to 0/0.
    q, k, v = _qkv(rng, (), 2, 4, 4, 3)
    q[0] *= 0.1
    q[1] = 2000.0 * k[0] / (k[0] @ k[0])  # its score against key 0 is exactly 1000 (d_k = 4)
    add_case(
        b,
        "one row of scores near 1000, another near 0",
        "一行分数接近 1000，另一行接近 0",
        q,
        k,
        v,
        hidden=True,
    )


SUITE = Suite(
    name="attention",
    functions=("scaled_dot_product_attention",),
    params=count_params(2, 5)
    + tolerance_params()
    + (
        Param("max_batch", int, 3, 1, 6, "largest size of a batch dimension (0 to 2 batch dims)"),
        Param("max_len", int, 6, 1, 32, "largest Lq and Lk"),
        Param("max_d", int, 8, 1, 128, "largest d_k and d_v"),
    ),
    build=build,
    nonfinite_hint=Bilingual(
        "NaN or inf come from exp overflowing on large scores, or from 0/0 when every exp of a row underflows to 0: subtract each row's own maximum (not the whole array's) before exp",
        "NaN 或 inf 来自较大的分数使 exp 溢出，或来自某一行的 exp 全部下溢为 0 造成的 0/0：在 exp 之前减去每一行自己的最大值（而不是整个数组的最大值）",
    ),
    hidden_hint=Bilingual(
        "look again at batches (q, k, v with leading batch axes and a mask that broadcasts over them), masks that allow few keys, d_k = 64, and rows of scores of very different size (shift each row by its own maximum).",
        "请再检查：批量输入（q、k、v 带前导批量维，掩码在其上广播）、只允许少数键的掩码、d_k = 64，以及各行分数大小相差很大的情况（每行减去它自己的最大值）。",
    ),
    batch_arg=0,
    core_ndim=2,
    batch_hint=Bilingual(
        "Transpose only the last two axes of k (np.swapaxes(k, -1, -2), not k.T), use @ or np.matmul (np.dot pairs the axes differently on 3-D arrays), and reduce along axis=-1 with keepdims=True.",
        "只交换 k 的最后两个轴（用 np.swapaxes(k, -1, -2)，不要用 k.T），使用 @ 或 np.matmul（三维数组上 np.dot 的轴配对不同），并沿 axis=-1 且 keepdims=True 归约。",
    ),
)
