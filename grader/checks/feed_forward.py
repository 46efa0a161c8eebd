"""feed_forward(x, w1, b1, w2, b2) = relu(x @ w1 + b1) @ w2 + b2."""

import numpy as np

from grader.checks.base import Param, Suite, count_params, tolerance_params
from grader.checks.messages import Bilingual


def _add(b, name_en, name_zh, x, w1, b1, w2, b2, *, hidden, weight=1.0):
    args = (x, w1, b1, w2, b2)
    b.add(name_en, name_zh, "feed_forward", args, hidden=hidden, weight=weight, arg_names=("x", "w1", "b1", "w2", "b2"))


def _layers(rng, d_model, d_ff):
    # Biases as large as the weights' contribution: a missing bias shows.
    w1 = rng.normal(0.0, 1.0 / np.sqrt(d_model), size=(d_model, d_ff))
    w2 = rng.normal(0.0, 1.0 / np.sqrt(d_ff), size=(d_ff, d_model))
    return w1, rng.normal(0.0, 0.5, size=d_ff), w2, rng.normal(0.0, 0.5, size=d_model)


def build(b, p, rng):
    # The text's layer widens d_model = 512 to 2048 (4×); these keep the ratio.
    _add(b, "x (3, 4), d_ff = 16 (4 × d_model)", "x (3, 4)，d_ff = 16（4 × d_model）", rng.normal(size=(3, 4)), *_layers(rng, 4, 16), hidden=False, weight=1.5)
    _add(b, "x (5, 2), d_ff = 3", "x (5, 2)，d_ff = 3", rng.normal(size=(5, 2)), *_layers(rng, 2, 3), hidden=False)
    w1, b1, w2, b2 = _layers(rng, 4, 6)
    x = np.abs(rng.normal(size=(3, 4)))
    # Every hidden pre-activation negative: ReLU zeroes them all and the output is b2.
    _add(b, "all hidden units negative: ReLU gives 0", "隐藏单元全为负：ReLU 输出 0", x, -np.abs(w1), -1.0 - np.abs(b1), w2, b2, hidden=True, weight=1.5)
    _add(b, "batch x (2, 3, 4), d_ff = 8", "批量 x (2, 3, 4)，d_ff = 8", rng.normal(size=(2, 3, 4)), *_layers(rng, 4, 8), hidden=True)
    _add(b, "d_model = 1", "d_model = 1", rng.normal(size=(4, 1)), *_layers(rng, 1, 4), hidden=True)
    _add(b, "a single position", "只有一个位置", rng.normal(size=(1, 6)), *_layers(rng, 6, 24), hidden=True)
    for hidden, count in ((False, p["visible"]), (True, p["hidden"])):
        for _ in b.random_cases(count):
            d_model = int(rng.integers(1, p["max_d_model"] + 1))
            d_ff = int(rng.integers(1, 4 * d_model + 1))
            length = int(rng.integers(1, p["max_len"] + 1))
            batch = () if rng.random() < 0.5 else (int(rng.integers(1, p["max_batch"] + 1)),)
            x = rng.normal(size=batch + (length, d_model))
            _add(b, f"random: x {x.shape}, d_ff = {d_ff}", f"随机：x {x.shape}，d_ff = {d_ff}", x, *_layers(rng, d_model, d_ff), hidden=hidden)


SUITE = Suite(
    name="feed-forward",
    functions=("feed_forward",),
    params=count_params(2, 4)
    + tolerance_params()
    + (
        Param("max_batch", int, 3, 1, 8, "largest batch size"),
        Param("max_len", int, 6, 1, 64, "largest number of positions"),
        Param("max_d_model", int, 8, 1, 64, "largest d_model; d_ff is drawn up to 4 × d_model"),
    ),
    build=build,
    hidden_hint=Bilingual(
        "look again at all-negative hidden units (ReLU gives 0), batched x (B, L, d_model), d_model = 1 and a single position.",
        "请再检查：隐藏单元全为负（ReLU 输出 0）、批量的 x (B, L, d_model)、d_model = 1，以及只有一个位置的情况。",
    ),
    batch_arg=0,
    core_ndim=2,
    batch_hint=Bilingual(
        "Use x @ w1 (or np.matmul), which works on any leading axes, and add the biases by broadcasting.",
        "使用 x @ w1（或 np.matmul），它对任意前导维都适用，并通过广播加上偏置。",
    ),
)
