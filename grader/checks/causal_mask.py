"""causal_mask(length) -> bool (length, length), True where key j <= query i."""

from grader.checks.base import KIND_BOOL, Param, Suite, count_params, tolerance_params
from grader.checks.messages import Bilingual


def _add(b, name_en, name_zh, length, *, hidden, weight=1.0):
    args = (int(length),)
    b.add(name_en, name_zh, "causal_mask", args, hidden=hidden, weight=weight, kind=KIND_BOOL, arg_names=("length",))


def build(b, p, rng):
    _add(b, "length 4: each token sees itself and the tokens before it", "长度 4：每个 token 能看到自己和之前的 token", 4, hidden=False, weight=1.5)
    _add(b, "length 1", "长度 1", 1, hidden=False)
    _add(b, "length 2", "长度 2", 2, hidden=True)
    _add(b, "length 7", "长度 7", 7, hidden=True)
    for hidden, count in ((False, p["visible"]), (True, p["hidden"])):
        for _ in b.random_cases(count):
            length = int(rng.integers(1, p["max_len"] + 1))
            _add(b, f"random: length {length}", f"随机：长度 {length}", length, hidden=hidden)


SUITE = Suite(
    name="causal-mask",
    functions=("causal_mask",),
    # rtol/atol are accepted for uniformity; a bool mask is compared exactly.
    params=count_params(1, 3) + tolerance_params() + (Param("max_len", int, 12, 1, 256, "largest random length"),),
    build=build,
    hidden_hint=Bilingual(
        "look again at a length of 1 and long sequences.",
        "请再检查：长度为 1 以及较长序列的情况。",
    ),
)
