"""positional_encoding(length, d_model): sin on even columns, cos on odd ones."""

from grader.checks.base import Param, Suite, count_params, tolerance_params
from grader.checks.messages import Bilingual


def _add(b, name_en, name_zh, length, d_model, *, hidden, weight=1.0):
    args = (int(length), int(d_model))
    b.add(name_en, name_zh, "positional_encoding", args, hidden=hidden, weight=weight, arg_names=("length", "d_model"))


def build(b, p, rng):
    _add(b, "4 positions, d_model = 6", "4 个位置，d_model = 6", 4, 6, hidden=False, weight=1.5)
    _add(b, "10 positions, d_model = 16", "10 个位置，d_model = 16", 10, 16, hidden=False)
    _add(b, "odd d_model = 7 (ends on a sin column)", "奇数 d_model = 7（最后一列是 sin）", 5, 7, hidden=True, weight=1.5)
    _add(b, "a single position (length 1)", "只有一个位置（length 1）", 1, 8, hidden=True)
    _add(b, "d_model = 1", "d_model = 1", 3, 1, hidden=True)
    _add(b, "as in the text: d_model = 512, 50 positions", "与课本相同：d_model = 512，50 个位置", 50, 512, hidden=True)
    for hidden, count in ((False, p["visible"]), (True, p["hidden"])):
        for _ in b.random_cases(count):
            length = int(rng.integers(1, p["max_len"] + 1))
            d_model = int(rng.integers(1, p["max_d_model"] + 1))
            _add(b, f"random: length {length}, d_model {d_model}", f"随机：length {length}，d_model {d_model}", length, d_model, hidden=hidden)


SUITE = Suite(
    name="positional-encoding",
    functions=("positional_encoding",),
    params=count_params(1, 3)
    + tolerance_params()
    + (
        Param("max_len", int, 64, 1, 512, "largest random length"),
        Param("max_d_model", int, 64, 1, 512, "largest random d_model"),
    ),
    build=build,
    hidden_hint=Bilingual(
        "look again at an odd d_model, a single position, d_model = 1 and d_model = 512.",
        "请再检查：奇数 d_model、只有一个位置、d_model = 1，以及 d_model = 512。",
    ),
)
