"""greedy_next_token(logits): argmax over the last axis, ties to the lowest id."""

import numpy as np

from grader.checks.base import KIND_INT, Param, Suite, count_params, tolerance_params
from grader.checks.messages import Bilingual


def _add(b, name_en, name_zh, logits, *, hidden, weight=1.0):
    args = (np.asarray(logits, dtype=np.float64),)
    b.add(name_en, name_zh, "greedy_next_token", args, hidden=hidden, weight=weight, kind=KIND_INT, arg_names=("logits",))


def _tied(rng, shape):
    # Small integer-valued logits: ties for the maximum are common.
    return rng.integers(-3, 4, size=shape).astype(np.float64)


def build(b, p, rng):
    _add(b, "one step: logits of 4 tokens", "单步：4 个 token 的 logits", [1.0, 3.5, 0.2, -1.0], hidden=False, weight=1.5)
    _add(b, "a tie: the lowest token id wins", "并列最大：取最小的 token id", [2.0, 5.0, 5.0, 1.0], hidden=False, weight=1.5)
    _add(b, "batch (3, 6) with ties", "批量 (3, 6)，含并列", _tied(rng, (3, 6)), hidden=True)
    _add(b, "3-D batch (2, 3, 5)", "三维批量 (2, 3, 5)", rng.normal(size=(2, 3, 5)), hidden=True)
    _add(b, "-inf logits (masked tokens)", "-inf 的 logits（被屏蔽的 token）", [[-np.inf, 0.5, -np.inf, 0.2], [-1.0, -np.inf, -0.5, -np.inf]], hidden=True)
    # A softmax-first solution without the max trick turns these into NaN.
    _add(b, "very large logits (1e4)", "极大的 logits（1e4）", [1e4, 1e4 + 2.0, 1e4 + 1.0], hidden=True)
    _add(b, "all logits equal", "所有 logits 相等", np.full(5, 0.7), hidden=True)
    _add(b, "a vocabulary of one token", "只有一个 token 的词表", [[3.0], [-2.0]], hidden=True)
    for hidden, count in ((False, p["visible"]), (True, p["hidden"])):
        for _ in b.random_cases(count):
            batch = tuple(int(s) for s in rng.integers(1, p["max_batch"] + 1, size=int(rng.integers(0, 3))))
            vocab = int(rng.integers(1, p["max_vocab"] + 1))
            logits = _tied(rng, batch + (vocab,)) if rng.random() < 0.5 else rng.normal(size=batch + (vocab,))
            _add(b, f"random: logits {logits.shape}", f"随机：logits {logits.shape}", logits, hidden=hidden)


SUITE = Suite(
    name="greedy-decoding",
    functions=("greedy_next_token",),
    # rtol/atol are accepted for uniformity; token ids are compared exactly.
    params=count_params(2, 4)
    + tolerance_params()
    + (
        Param("max_batch", int, 4, 1, 16, "largest size of a batch dimension (0 to 2 batch dims)"),
        Param("max_vocab", int, 20, 1, 1000, "largest vocabulary size V"),
    ),
    build=build,
    hidden_hint=Bilingual(
        "look again at batches of several axes, ties (the lowest id wins), -inf logits, very large logits and a vocabulary of one token.",
        "请再检查：多个批量维、并列最大值（取最小 id）、-inf 的 logits、极大的 logits，以及只有一个 token 的词表。",
    ),
    batch_arg=0,
    core_ndim=1,
    batch_hint=Bilingual(
        "Take np.argmax(logits, axis=-1): without an axis, argmax flattens the whole batch.",
        "请使用 np.argmax(logits, axis=-1)：不指定轴时，argmax 会把整个批量展平。",
    ),
)
