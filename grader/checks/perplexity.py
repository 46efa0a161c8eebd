"""perplexity(probabilities) = exp(-mean(log p)) of a 1-D array of p > 0."""

import numpy as np

from grader.checks.base import KIND_SCALAR, Param, Suite, count_params, tolerance_params
from grader.checks.messages import Bilingual


def _add(b, name_en, name_zh, probabilities, *, hidden, weight=1.0):
    args = (np.asarray(probabilities, dtype=np.float64),)
    b.add(name_en, name_zh, "perplexity", args, hidden=hidden, weight=weight, kind=KIND_SCALAR, arg_names=("probabilities",))


def build(b, p, rng):
    _add(b, "uniform guess over 4 words: perplexity 4", "在 4 个词上均匀猜测：困惑度为 4", [0.25, 0.25, 0.25, 0.25], hidden=False, weight=1.5)
    _add(b, "probabilities [0.1, 0.2, 0.5, 0.9]", "概率 [0.1, 0.2, 0.5, 0.9]", [0.1, 0.2, 0.5, 0.9], hidden=False)
    _add(b, "a single token", "只有一个 token", [0.2], hidden=True)
    _add(b, "a perfect model: every p = 1", "完美模型：所有 p = 1", np.ones(5), hidden=True)
    # 2000 probabilities around 1e-3: their product is about 1e-6000, far below
    # the smallest float64, so a naive product gives 0 and then inf or an error.
    _add(
        b,
        "a long text: the product of probabilities underflows",
        "长文本：概率之积会下溢",
        10.0 ** rng.uniform(-4, -2, size=2000),
        hidden=False,
        weight=1.5,
    )
    _add(b, "very small probabilities (1e-300)", "极小的概率（1e-300）", [1e-300, 0.5, 1e-200, 0.25], hidden=True, weight=1.5)
    _add(b, "400 tokens of p = 0.001", "400 个 p = 0.001 的 token", np.full(400, 1e-3), hidden=True)
    for hidden, count in ((False, p["visible"]), (True, p["hidden"])):
        for _ in b.random_cases(count):
            size = int(rng.integers(1, p["max_len"] + 1))
            probs = rng.uniform(0.01, 1.0, size=size)
            _add(b, f"random: {size} token(s)", f"随机：{size} 个 token", probs, hidden=hidden)


SUITE = Suite(
    name="perplexity",
    functions=("perplexity",),
    params=count_params(2, 4) + tolerance_params() + (Param("max_len", int, 50, 1, 5000, "largest number of tokens"),),
    build=build,
    nonfinite_hint=Bilingual(
        "the product of many probabilities underflowed to 0: average the logs instead, exp(-mean(log p))",
        "许多概率相乘下溢成了 0：请改为对数取平均，exp(-mean(log p))",
    ),
    hidden_hint=Bilingual(
        "look again at a single token, a perfect model (every p = 1), very small probabilities and long texts whose product underflows (work with logarithms).",
        "请再检查：只有一个 token、完美模型（所有 p = 1）、极小的概率，以及乘积会下溢的长文本（请用对数计算）。",
    ),
)
