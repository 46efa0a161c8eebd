"""multi_head_attention(x, w_q, w_k, w_v, w_o, num_heads, mask=None)."""

import numpy as np

from grader.checks.attention import causal, random_mask
from grader.checks.base import Param, Suite, count_params, tolerance_params
from grader.checks.messages import Bilingual

HEADS = (1, 2, 4, 8)


def _weights(rng, d_model):
    # Scaled by 1/sqrt(d_model) so projections stay O(1): the softmax is neither
    # flat nor one-hot, and a wrong head split or scale changes the result a lot.
    return tuple(rng.normal(0.0, 1.0 / np.sqrt(d_model), size=(d_model, d_model)) for _ in range(4))


def add_case(b, name_en, name_zh, x, num_heads, mask=None, *, hidden, weight=1.0, rng):
    d_model = x.shape[-1]
    w_q, w_k, w_v, w_o = _weights(rng, d_model)
    args = (x, w_q, w_k, w_v, w_o, num_heads) if mask is None else (x, w_q, w_k, w_v, w_o, num_heads, mask)
    b.add(
        name_en,
        name_zh,
        "multi_head_attention",
        args,
        hidden=hidden,
        weight=weight,
        arg_names=("x", "w_q", "w_k", "w_v", "w_o", "num_heads", "mask"),
    )


def build(b, p, rng):
    # --- fixed visible cases
    add_case(
        b,
        "x (4, 8), 2 heads, no mask",
        "x (4, 8)，2 个头，无掩码",
        rng.normal(size=(4, 8)),
        2,
        hidden=False,
        weight=1.5,
        rng=rng,
    )
    add_case(
        b,
        "x (2, 5, 8) (batch), 4 heads, causal mask (5, 5)",
        "x (2, 5, 8)（批量），4 个头，因果掩码 (5, 5)",
        rng.normal(size=(2, 5, 8)),
        4,
        causal(5),
        hidden=False,
        weight=1.5,
        rng=rng,
    )

    # --- fixed hidden cases
    add_case(b, "1 head: plain attention on projections", "1 个头：对投影做普通注意力", rng.normal(size=(3, 4)), 1, hidden=True, rng=rng)
    add_case(
        b,
        "8 heads as in the text, d_model = 32",
        "与课本相同的 8 个头，d_model = 32",
        rng.normal(size=(5, 32)),
        8,
        hidden=True,
        weight=1.5,
        rng=rng,
    )
    add_case(
        b,
        "batch, 2 heads, random mask (3, 4, 4) per batch item",
        "批量，2 个头，每个样本一个随机掩码 (3, 4, 4)",
        rng.normal(size=(3, 4, 6)),
        2,
        random_mask(rng, (3, 4, 4)),
        hidden=True,
        rng=rng,
    )
    add_case(
        b,
        "batch, 4 heads, padding mask (2, 1, 6)",
        "批量，4 个头，填充掩码 (2, 1, 6)",
        rng.normal(size=(2, 6, 8)),
        4,
        random_mask(rng, (2, 1, 6), p_true=0.5),
        hidden=True,
        rng=rng,
    )
    add_case(
        b,
        "8 heads, batch, causal mask",
        "8 个头，批量，因果掩码",
        rng.normal(size=(2, 4, 16)),
        8,
        causal(4),
        hidden=True,
        rng=rng,
    )
    add_case(b, "a single position (L = 1), 2 heads", "只有一个位置（L = 1），2 个头", rng.normal(size=(1, 4)), 2, hidden=True, rng=rng)

    # --- random cases
    for hidden, count in ((False, p["visible"]), (True, p["hidden"])):
        for _ in b.random_cases(count):
            heads = int(rng.choice(HEADS))
            d_head = int(rng.integers(1, p["max_d_head"] + 1))
            length = int(rng.integers(1, p["max_len"] + 1))
            batched = bool(rng.integers(0, 2))
            batch = (int(rng.integers(1, p["max_batch"] + 1)),) if batched else ()
            x = rng.normal(size=batch + (length, heads * d_head))
            style = int(rng.integers(0, 3))
            if style == 0:
                mask, label = None, Bilingual("no mask", "无掩码")
            elif style == 1:
                mask, label = causal(length), Bilingual("causal mask", "因果掩码")
            else:
                mask, label = random_mask(rng, batch + (length, length)), Bilingual("random mask", "随机掩码")
            add_case(
                b,
                f"random: x {x.shape}, {heads} head(s), {label.en}",
                f"随机：x {x.shape}，{heads} 个头，{label.zh}",
                x,
                heads,
                mask,
                hidden=hidden,
                rng=rng,
            )

    # --- after the random cases, so that their draws are unchanged
    # Large inputs whose rows differ in scale: the scores reach thousands in
    # some rows (exp overflows unless each row is shifted by its maximum) and
    # stay small in others (a shift by the maximum of all rows underflows them).
    x = rng.normal(size=(4, 8)) * np.array([[1.0], [100.0], [3.0], [60.0]])
    add_case(
        b,
        "large inputs, rows of very different scale",
        "很大的输入，各行数量级相差很大",
        x,
        2,
        hidden=True,
        rng=rng,
    )


SUITE = Suite(
    name="multi-head-attention",
    functions=("multi_head_attention",),
    params=count_params(2, 4)
    + tolerance_params()
    + (
        Param("max_batch", int, 3, 1, 6, "largest batch size B"),
        Param("max_len", int, 6, 1, 32, "largest sequence length L"),
        Param("max_d_head", int, 4, 1, 16, "largest d_head; d_model = num_heads × d_head"),
    ),
    build=build,
    nonfinite_hint=Bilingual(
        "NaN or inf come from exp overflowing on large scores, or from 0/0 when every exp of a row underflows to 0: subtract each row's own maximum (not the whole array's) before exp",
        "NaN 或 inf 来自较大的分数使 exp 溢出，或来自某一行的 exp 全部下溢为 0 造成的 0/0：在 exp 之前减去每一行自己的最大值（而不是整个数组的最大值）",
    ),
    hidden_hint=Bilingual(
        "look again at batched x (B, L, d_model) with masks per batch item, 1 and 8 heads, a single position, and inputs of very different size per row.",
        "请再检查：批量的 x (B, L, d_model) 及每个样本各自的掩码、1 个和 8 个头、只有一个位置，以及各行数量级相差很大的输入。",
    ),
    batch_arg=0,
    core_ndim=2,
    batch_hint=Bilingual(
        "Split the heads on the last axis and move the head axis next to the batch axes (reshape to (..., L, h, d_head), then swap L and h with np.swapaxes(..., -2, -3)); transpose with np.swapaxes(..., -1, -2), not .T.",
        "在最后一个轴上拆分各头，并把头所在的轴移到批量维旁边（先 reshape 成 (..., L, h, d_head)，再用 np.swapaxes(..., -2, -3) 交换 L 和 h）；转置用 np.swapaxes(..., -1, -2)，不要用 .T。",
    ),
)
