"""ngram_probability / sentence_probability on small corpora of (mostly Chinese) words.

Corpora, contexts and sentences are plain lists of str, so a Call stays
JSON-friendly. Probabilities are Python floats compared as scalars.
"""

import numpy as np

from grader.checks.base import KIND_SCALAR, Param, Suite, count_params, min_max_rule, tolerance_params
from grader.checks.messages import Bilingual

# A textbook-style corpus: small enough to count by hand.
TEXT_CORPUS = [
    ["我", "喜欢", "大", "模型"],
    ["我", "喜欢", "学习"],
    ["你", "喜欢", "大", "模型"],
    ["我", "学习", "语言", "模型"],
]

# Words for random corpora; a few English ones so tokens are not all CJK.
POOL = [
    "我", "你", "他", "我们", "喜欢", "学习", "研究", "使用", "大", "小", "语言", "模型",
    "数据", "很", "有趣", "今天", "天气", "好", "人工", "智能", "注意力", "机制", "生成",
    "文本", "翻译", "语音", "识别", "the", "cat", "sat", "on", "mat",
]

PROBABILITY_ARGS = ("corpus", "context", "word", "n", "k")
SENTENCE_ARGS = ("corpus", "sentence", "n", "k")


def _probability(b, name_en, name_zh, corpus, context, word, n=None, k=None, *, hidden, weight=1.0):
    args = (corpus, list(context), word)
    # n and k are left out when both are the defaults of the worked example,
    # so the defaults of the signature are exercised too.
    if n is not None or k is not None:
        args += (2 if n is None else n, 0.0 if k is None else float(k))
    b.add(
        name_en,
        name_zh,
        "ngram_probability",
        args,
        hidden=hidden,
        weight=weight,
        kind=KIND_SCALAR,
        arg_names=PROBABILITY_ARGS,
    )


def _sentence(b, name_en, name_zh, corpus, sentence, n=None, k=None, *, hidden, weight=1.0):
    args = (corpus, list(sentence))
    if n is not None or k is not None:
        args += (2 if n is None else n, 0.0 if k is None else float(k))
    b.add(
        name_en,
        name_zh,
        "sentence_probability",
        args,
        hidden=hidden,
        weight=weight,
        kind=KIND_SCALAR,
        arg_names=SENTENCE_ARGS,
    )


def _random_corpus(rng, p):
    vocab = [str(w) for w in rng.choice(POOL, size=p["vocab_size"], replace=False)]
    # Zipf-like word frequencies: some n-grams repeat, as in real text, so counts
    # above 1 and shared histories occur.
    freq = 1.0 / np.arange(1, len(vocab) + 1)
    freq /= freq.sum()
    corpus = []
    for _ in range(p["corpus_sentences"]):
        length = int(rng.integers(p["min_sentence_len"], p["max_sentence_len"] + 1))
        corpus.append([vocab[i] for i in rng.choice(len(vocab), size=length, p=freq)])
    return vocab, corpus


def _random_case(b, p, rng, hidden):
    vocab, corpus = _random_corpus(rng, p)
    n = int(rng.choice([1, 2, 3]))
    k = float(rng.choice([0.0, 0.0, 0.5, 1.0]))
    unseen = [w for w in POOL if w not in vocab]
    if rng.random() < 0.6:
        source = corpus[int(rng.integers(len(corpus)))]
        if rng.random() < 0.6:
            # A real position of a training sentence: a seen context and word.
            end = int(rng.integers(0, len(source) + 1))
            context = source[max(0, end - int(rng.integers(0, 4))):end]
            word = source[end] if end < len(source) else "</s>"
        else:
            context = [str(w) for w in rng.choice(vocab, size=int(rng.integers(0, 4)))]
            pick = rng.random()
            if pick < 0.15 and unseen:
                word = str(rng.choice(unseen))  # outside V
            elif pick < 0.3:
                word = "</s>"
            else:
                word = str(rng.choice(vocab))
        _probability(
            b,
            f"random corpus: P(word | context), n={n}, k={k:g}",
            f"随机语料：P(词 | 上下文)，n={n}，k={k:g}",
            corpus,
            context,
            word,
            n,
            k,
            hidden=hidden,
        )
        return
    # Sentence scores are products, so they get small: keep sentences short
    # and redraw tiny ones, so atol never decides a case.
    floor = 1000.0 * p["atol"]
    for _ in range(20):
        if rng.random() < 0.5:
            sentence = list(corpus[int(rng.integers(len(corpus)))])
        else:
            sentence = [str(w) for w in rng.choice(vocab, size=int(rng.integers(1, 4)))]
        value = b.reference["sentence_probability"](corpus, sentence, n, k)
        if value == 0.0 or value >= floor:
            break
    _sentence(
        b,
        f"random corpus: sentence probability, n={n}, k={k:g}",
        f"随机语料：句子概率，n={n}，k={k:g}",
        corpus,
        sentence,
        n,
        k,
        hidden=hidden,
    )


def build(b, p, rng):
    c = TEXT_CORPUS
    # --- fixed visible cases
    _probability(b, "worked example: P(喜欢 | 我), bigram", "课本式例题：P(喜欢 | 我)，二元模型", c, ["我"], "喜欢", hidden=False, weight=2.0)
    _sentence(
        b,
        "worked example: P(我 喜欢 大 模型), bigram",
        "课本式例题：P(我 喜欢 大 模型)，二元模型",
        c,
        ["我", "喜欢", "大", "模型"],
        hidden=False,
        weight=1.5,
    )
    _probability(b, "unseen word after a seen context: 0.0", "已见上下文后的未见词：0.0", c, ["我"], "数据", 2, 0.0, hidden=False)
    _probability(b, "add-1 smoothing of an unseen word", "加一平滑下的未见词", c, ["我"], "数据", 2, 1.0, hidden=False)
    # An empty training sentence still pads to <s> </s>: one more sentence
    # start and one more end, and nothing else.
    with_empty = [list(sentence) for sentence in c] + [[]]
    _probability(
        b,
        "training on an empty sentence: P(</s> | <s>)",
        "训练语料含空句子：P(</s> | <s>)",
        with_empty,
        [],
        "</s>",
        2,
        0.0,
        hidden=False,
    )

    # --- fixed hidden cases
    _probability(b, "unigram (n = 1): the context is ignored", "一元模型（n = 1）：忽略上下文", c, ["我", "喜欢"], "模型", 1, 0.0, hidden=True)
    _probability(b, "trigram, context longer than n-1", "三元模型，上下文长于 n-1", c, ["你", "喜欢", "大"], "模型", 3, 0.0, hidden=True)
    _probability(b, "trigram, context shorter than n-1", "三元模型，上下文短于 n-1", c, ["我"], "喜欢", 3, 0.0, hidden=True)
    _probability(b, "empty context: first word of a sentence", "空上下文：句首词", c, [], "我", 2, 0.0, hidden=True)
    _probability(b, "unseen context: denominator 0 gives 0.0", "未见上下文：分母为 0 时为 0.0", c, ["数据"], "喜欢", 2, 0.0, hidden=True)
    _probability(b, "unseen context with add-k smoothing (k = 0.5)", "未见上下文，加 k 平滑（k = 0.5）", c, ["数据"], "喜欢", 2, 0.5, hidden=True)
    _probability(b, "probability of the end token </s>", "句末符号 </s> 的概率", c, ["模型"], "</s>", 2, 0.0, hidden=True)
    _probability(b, "trigram with add-1 smoothing", "三元模型加一平滑", c, ["我", "喜欢"], "大", 3, 1.0, hidden=True)
    _sentence(b, "unseen sentence: probability 0.0", "未见句子：概率 0.0", c, ["你", "学习", "大", "模型"], 2, 0.0, hidden=True, weight=1.5)
    _sentence(b, "unseen sentence with add-1 smoothing", "未见句子，加一平滑", c, ["你", "学习", "大", "模型"], 2, 1.0, hidden=True)
    _sentence(b, "trigram sentence probability", "三元模型的句子概率", c, ["我", "喜欢", "学习"], 3, 0.0, hidden=True)
    _sentence(b, "unigram sentence probability", "一元模型的句子概率", c, ["我", "学习", "模型"], 1, 0.0, hidden=True)
    _sentence(b, "empty sentence: only </s> is scored (k = 1)", "空句子：只对 </s> 计分（k = 1）", c, [], 2, 1.0, hidden=True)
    _sentence(
        b,
        "trigram trained with an empty sentence, add-1 smoothing",
        "三元模型，训练语料含空句子，加一平滑",
        [[]] + [list(sentence) for sentence in c],
        ["我", "学习"],
        3,
        1.0,
        hidden=True,
    )

    # --- random cases
    for hidden, count in ((False, p["visible"]), (True, p["hidden"])):
        for _ in b.random_cases(count):
            _random_case(b, p, rng, hidden)


SUITE = Suite(
    name="ngram",
    functions=("ngram_probability", "sentence_probability"),
    params=count_params(2, 6)
    + tolerance_params()
    + (
        Param("vocab_size", int, 8, 3, len(POOL) - 2, "words in a random corpus"),
        Param("corpus_sentences", int, 6, 1, 30, "sentences in a random corpus"),
        Param("min_sentence_len", int, 1, 1, 12, "shortest random training sentence"),
        Param("max_sentence_len", int, 6, 1, 12, "longest random training sentence"),
    ),
    build=build,
    constraints=(min_max_rule("min_sentence_len", "max_sentence_len"),),
    nonfinite_hint=Bilingual(
        "a 0/0 somewhere? an unseen context has c(h) = 0: return 0.0 when the denominator is 0",
        "出现了 0/0？未见上下文的 c(h) = 0：分母为 0 时应返回 0.0",
    ),
    hidden_hint=Bilingual(
        "look again at n = 1 and n = 3, contexts longer or shorter than n-1 and empty ones, contexts never seen in training (c(h) = 0 gives 0.0), the end token </s>, add-k smoothing over V, and empty sentences.",
        "请再检查：n = 1 与 n = 3、比 n-1 长或短的上下文以及空上下文、训练中从未出现的上下文（c(h) = 0 时为 0.0）、句末符号 </s>、在 V 上的加 k 平滑，以及空句子。",
    ),
)
