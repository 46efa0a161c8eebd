"""layer_norm(x, gamma, beta, eps=1e-5): over the last axis, biased variance."""

import numpy as np

from grader.checks.base import Param, Suite, count_params, tolerance_params
from grader.checks.messages import Bilingual


def _add(b, name_en, name_zh, x, gamma, beta, eps=None, *, hidden, weight=1.0):
    args = (np.asarray(x, dtype=np.float64), np.asarray(gamma, dtype=np.float64), np.asarray(beta, dtype=np.float64))
    if eps is not None:
        args += (float(eps),)
    b.add(name_en, name_zh, "layer_norm", args, hidden=hidden, weight=weight, arg_names=("x", "gamma", "beta", "eps"))


def _affine(rng, d):
    return rng.normal(1.0, 0.3, size=d), rng.normal(0.0, 0.5, size=d)


def build(b, p, rng):
    # --- fixed visible cases
    _add(b, "x = [1, 2, 3, 4], gamma = 1, beta = 0", "x = [1, 2, 3, 4]，gamma = 1，beta = 0", [1.0, 2.0, 3.0, 4.0], np.ones(4), np.zeros(4), hidden=False, weight=1.5)
    g, be = _affine(rng, 5)
    _add(b, "(3, 5) with gamma and beta", "(3, 5)，带 gamma 与 beta", rng.normal(0.5, 2.0, size=(3, 5)), g, be, hidden=False)

    # --- fixed hidden cases
    g, be = _affine(rng, 4)
    x = rng.normal(size=(3, 4))
    x[1] = 2.5  # a constant row: variance 0, so only eps keeps the division finite
    _add(b, "a constant row (variance 0: eps matters)", "常数行（方差为 0：eps 起作用）", x, g, be, hidden=True, weight=1.5)
    g, be = _affine(rng, 6)
    # Variance about 1e-6, below eps = 1e-5: eps inside the sqrt changes the
    # result a lot, eps outside it (or no eps) gives something else entirely.
    _add(b, "tiny variance, smaller than eps", "方差极小，小于 eps", 1.0 + 1e-3 * rng.normal(size=(2, 6)), g, be, hidden=True)
    g, be = _affine(rng, 5)
    _add(b, "eps given explicitly (1e-3)", "显式给出 eps（1e-3）", 0.05 * rng.normal(size=(3, 5)), g, be, 1e-3, hidden=True)
    g, be = _affine(rng, 6)
    _add(b, "3-D batch (2, 3, 6)", "三维批量 (2, 3, 6)", rng.normal(-1.0, 3.0, size=(2, 3, 6)), g, be, hidden=True)
    g, be = _affine(rng, 1)
    _add(b, "a single feature (d = 1)", "只有一个特征（d = 1）", rng.normal(size=(4, 1)), g, be, hidden=True)

    # --- random cases
    for hidden, count in ((False, p["visible"]), (True, p["hidden"])):
        for _ in b.random_cases(count):
            ndim = int(rng.integers(1, p["max_ndim"] + 1))
            d = int(rng.integers(2, p["max_size"] + 1))
            shape = tuple(int(s) for s in rng.integers(1, p["max_size"] + 1, size=ndim - 1)) + (d,)
            # Means stay O(1): a large mean with a tiny spread would judge the
            # student's variance formula's rounding, not layer norm.
            x = rng.normal(rng.uniform(-3, 3), rng.uniform(0.1, 3.0), size=shape)
            g, be = _affine(rng, d)
            eps = None if rng.random() < 0.7 else float(rng.choice([1e-6, 1e-3, 0.1]))
            label = "" if eps is None else f", eps={eps:g}"
            _add(b, f"random: shape {shape}{label}", f"随机：形状 {shape}{label}", x, g, be, eps, hidden=hidden)


SUITE = Suite(
    name="layer-norm",
    functions=("layer_norm",),
    params=count_params(2, 4)
    + tolerance_params()
    + (
        Param("max_ndim", int, 3, 1, 4, "most dimensions of a random x"),
        Param("max_size", int, 8, 2, 64, "largest length of an axis"),
    ),
    build=build,
    nonfinite_hint=Bilingual(
        "a constant row has variance 0: add eps inside the square root, sqrt(var + eps)",
        "常数行的方差为 0：应在开方内加 eps，即 sqrt(var + eps)",
    ),
    hidden_hint=Bilingual(
        "look again at a constant row (variance 0), a variance smaller than eps, an explicit eps, 3-D batches and a single feature.",
        "请再检查：常数行（方差为 0）、小于 eps 的方差、显式给出的 eps、三维批量，以及只有一个特征的情况。",
    ),
    batch_arg=0,
    core_ndim=2,
    batch_hint=Bilingual(
        "Normalise along axis=-1 with keepdims=True, whatever the number of axes (axis=1 is the last axis only for 2-D input).",
        "无论有几个轴，都沿 axis=-1 并使用 keepdims=True 归一化（axis=1 只在二维输入时才是最后一个轴）。",
    ),
)
