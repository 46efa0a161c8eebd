"""softmax(x, axis=-1): the textbook example, overflow, -inf, every axis, float32."""

import numpy as np

from grader.checks.base import Param, Suite, count_params, min_max_rule, tolerance_params
from grader.checks.messages import Bilingual

# exp() overflows float64 just above 709: inputs beyond this break a softmax
# that does not subtract the max, which is the mistake to name on NaN/inf.
OVERFLOW = 700.0
NO_MAX_SUBTRACTION = "no_max_subtraction"


def _add(b, name_en, name_zh, x, axis=None, *, hidden, weight=1.0, float32=False):
    # axis=None: call with the default axis, so the default itself is tested.
    args = (x,) if axis is None else (x, axis)
    finite = np.abs(x[np.isfinite(x)])
    big = finite.size > 0 and float(finite.max()) > OVERFLOW
    expected_args = None
    rtol = None
    if float32:
        # The expected value is the exact softmax of the float32 values the
        # student received (widened to float64), judged with a float32-sized
        # rtol: a float32 computation carries about 6e-8 relative error per
        # operation, so 1e-5 passes honest float32 work and nothing wrong.
        expected_args = (x.astype(np.float64),) + args[1:]
        rtol = b.params["float32_rtol"]
    b.add(
        name_en,
        name_zh,
        "softmax",
        args,
        hidden=hidden,
        weight=weight,
        rtol=rtol,
        nonfinite_mistake=NO_MAX_SUBTRACTION if big else "",
        arg_names=("x", "axis"),
        expected_args=expected_args,
    )


def build(b, p, rng):
    # --- fixed visible cases
    _add(
        b,
        "worked example: scores 112 and 96 / 8",
        "课本例题：分数 112 与 96 除以 8",
        np.array([112.0, 96.0]) / 8,
        hidden=False,
        weight=2.0,
    )
    _add(
        b,
        "large inputs [1000, 1001, 1002] (exp overflows)",
        "大数值输入 [1000, 1001, 1002]（exp 会溢出）",
        np.array([1000.0, 1001.0, 1002.0]),
        hidden=False,
        weight=1.5,
    )
    # Each row needs its own shift: the maximum of the whole array (1002)
    # leaves the second row at exp(-1000) = 0 everywhere, then 0/0.
    _add(
        b,
        "2-D input, rows of very different size",
        "二维输入，各行数值大小相差很大",
        np.array([[1000.0, 1002.0, 1001.0], [-3.0, 0.0, 2.0]]),
        hidden=False,
    )
    _add(
        b,
        "2-D input, axis=0 (columns)",
        "二维输入，axis=0（按列）",
        rng.normal(0.0, 2.0, size=(3, 4)),
        0,
        hidden=False,
    )
    _add(
        b,
        "-inf entries get weight 0",
        "-inf 元素的权重为 0",
        np.array([[0.5, -np.inf, 1.5, 0.0], [-np.inf, 2.0, -1.0, -np.inf]]),
        hidden=False,
    )
    _add(
        b,
        "float32 input (compared with rtol 1e-5)",
        "float32 输入（按 rtol 1e-5 比较）",
        rng.normal(0.0, 3.0, size=(2, 5)).astype(np.float32),
        hidden=False,
        float32=True,
    )

    # --- fixed hidden cases
    _add(
        b,
        "very negative inputs around -1e4",
        "约为 -1e4 的极小输入",
        np.array([[-1e4, -1e4 + 1.0, -1e4 - 2.0], [-2e4, -2e4 + 0.5, -2e4 + 3.0]]),
        hidden=True,
        weight=1.5,
    )
    _add(
        b,
        "large inputs of mixed sign, 1e3 to 1e5, along axis 0",
        "正负混合的大数值（1e3 到 1e5），沿 axis 0",
        rng.choice([-1.0, 1.0], size=(4, 3)) * 10.0 ** rng.uniform(3, 5, size=(4, 3)),
        0,
        hidden=True,
        weight=1.5,
    )
    x3 = rng.normal(0.0, 2.0, size=(2, 3, 4))
    for axis in (1, -2, -3, 2):
        _add(
            b,
            f"3-D input (batch), axis={axis}",
            f"三维输入（批量），axis={axis}",
            x3,
            axis,
            hidden=True,
        )
    _add(
        b,
        "-inf entries with large values, along axis 0",
        "含 -inf 与大数值，沿 axis 0",
        np.array([[1200.0, -np.inf, 3.0], [-np.inf, -5.0, 1201.0], [1199.0, 7.0, -np.inf]]),
        0,
        hidden=True,
    )
    _add(
        b,
        "axis of length 1",
        "长度为 1 的轴",
        rng.normal(0.0, 2.0, size=(4, 1)),
        hidden=True,
    )
    _add(b, "a single element", "只有一个元素", np.array([-3.5]), hidden=True)
    _add(
        b,
        "float32 3-D input, axis=-2",
        "float32 三维输入，axis=-2",
        rng.normal(0.0, 5.0, size=(2, 4, 3)).astype(np.float32),
        -2,
        hidden=True,
        float32=True,
    )

    # --- random cases
    for hidden, count in ((False, p["visible"]), (True, p["hidden"])):
        for _ in b.random_cases(count):
            ndim = int(rng.integers(1, p["max_ndim"] + 1))
            shape = tuple(int(s) for s in rng.integers(p["min_size"], p["max_size"] + 1, size=ndim))
            x = rng.normal(0.0, p["scale"], size=shape)
            # One draw in ndim+1 keeps the default axis; the rest name one, half negative.
            choice = int(rng.integers(-ndim, ndim + 1))
            axis = None if choice == ndim else choice
            label = "default axis" if axis is None else f"axis={axis}"
            _add(
                b,
                f"random: shape {shape}, {label}",
                f"随机：形状 {shape}，{'默认 axis' if axis is None else label}",
                x,
                axis,
                hidden=hidden,
            )


SUITE = Suite(
    name="softmax",
    functions=("softmax",),
    params=count_params(3, 6)
    + tolerance_params()
    + (
        Param("float32_rtol", float, 1e-5, 0.0, 1e-2, "rtol for float32 inputs"),
        Param("max_ndim", int, 3, 1, 4, "most dimensions of a random input"),
        Param("min_size", int, 1, 1, 16, "smallest length of an axis"),
        Param("max_size", int, 6, 1, 16, "largest length of an axis"),
        Param("scale", float, 10.0, 0.0, 1e4, "standard deviation of random inputs", low_inclusive=False),
    ),
    build=build,
    constraints=(min_max_rule("min_size", "max_size"),),
    nonfinite_hint=Bilingual(
        "NaN or inf come from exp overflowing on large inputs, or from 0/0 when every exp of a slice underflows to 0: subtract each slice's own maximum along the axis before exp",
        "NaN 或 inf 来自大输入使 exp 溢出，或来自某个切片的 exp 全部下溢为 0 造成的 0/0：在 exp 之前沿该轴减去每个切片自己的最大值",
    ),
    hidden_hint=Bilingual(
        "look again at -inf entries together with very large values, inputs around -1e4, an axis of length 1, and every axis of a 3-D input, negative ones included.",
        "请再检查：-inf 与极大数值同时出现、约 -1e4 的输入、长度为 1 的轴，以及三维输入的每一个轴（包括负数轴）。",
    ),
)
