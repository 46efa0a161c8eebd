"""N-gram reference: the chapter's counting examples by hand, and nltk.lm as an
independent oracle.

Independence: nltk does its own n-gram counting and its own MLE / Lidstone
arithmetic. What the tests supply themselves is the padding (n-1 "<s>", one
"</s>" — nltk's pad_both_ends would add n-1 "</s>"), the n-grams of each
padded sentence (nltk.util.ngrams), and for Lidstone a vocabulary of the
right size (see nltk_lidstone).
"""

import itertools
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from nltk.lm import MLE, Lidstone, Vocabulary
from nltk.util import ngrams

from engine import NgramModel, ngram_probability, sentence_probability

FAST = settings(max_examples=25, deadline=None)

# a chapter-style toy corpus
CORPUS = [
    ["我", "喜欢", "苹果"],
    ["我", "喜欢", "香蕉"],
    ["你", "喜欢", "苹果"],
]
# V = {我, 你, 喜欢, 苹果, 香蕉, </s>}
V_SIZE = 6


def padded(sentence, n):
    return ["<s>"] * (n - 1) + list(sentence) + ["</s>"]


def test_bigram_counts_n_over_N():
    # c(我 喜欢) / c(我) = 2 / 2, c(喜欢 苹果) / c(喜欢) = 2 / 3
    assert ngram_probability(CORPUS, ["我"], "喜欢") == 1.0
    assert ngram_probability(CORPUS, ["我"], "苹果") == 0.0
    assert ngram_probability(CORPUS, ["喜欢"], "苹果") == pytest.approx(2 / 3, rel=1e-12)
    assert ngram_probability(CORPUS, ["<s>"], "我") == pytest.approx(2 / 3, rel=1e-12)
    assert ngram_probability(CORPUS, ["苹果"], "</s>") == 1.0


def test_sentence_probability_is_the_product_including_end_token():
    # P(我|<s>) P(喜欢|我) P(苹果|喜欢) P(</s>|苹果) = 2/3 · 1 · 2/3 · 1
    assert sentence_probability(CORPUS, ["我", "喜欢", "苹果"]) == pytest.approx(4 / 9, rel=1e-12)
    # P(你|<s>) P(喜欢|你) P(香蕉|喜欢) P(</s>|香蕉) = 1/3 · 1 · 1/3 · 1
    assert sentence_probability(CORPUS, ["你", "喜欢", "香蕉"]) == pytest.approx(1 / 9, rel=1e-12)
    assert sentence_probability(CORPUS, ["苹果", "喜欢", "我"]) == 0.0


def test_unigram_counts_every_token_including_end():
    # n = 1: no "<s>", 12 tokens in all ("</s>" included), 喜欢 three times
    assert ngram_probability(CORPUS, [], "喜欢", n=1) == pytest.approx(3 / 12, rel=1e-12)
    assert ngram_probability(CORPUS, ["anything", "at", "all"], "</s>", n=1) == pytest.approx(3 / 12)
    assert sentence_probability(CORPUS, ["我"], n=1) == pytest.approx(2 / 12 * 3 / 12, rel=1e-12)


def test_add_k_smoothing_uses_v_without_start_and_not_extended():
    # (c + k) / (c(h) + k·|V|) with |V| = 6
    assert ngram_probability(CORPUS, ["喜欢"], "苹果", k=1) == pytest.approx(3 / 9, rel=1e-12)
    assert ngram_probability(CORPUS, ["喜欢"], "梨", k=1) == pytest.approx(1 / 9, rel=1e-12)
    assert ngram_probability(CORPUS, ["喜欢"], "香蕉", k=0.5) == pytest.approx(1.5 / 6, rel=1e-12)
    # unseen history: c(h) = 0, so k / (k·|V|) = 1/|V|
    assert ngram_probability(CORPUS, ["梨"], "我", k=0.1) == pytest.approx(1 / V_SIZE, rel=1e-12)
    assert sentence_probability(CORPUS, ["我", "喜欢", "苹果"], k=1) == pytest.approx(
        (3 / 9) * (3 / 8) * (3 / 9) * (3 / 8), rel=1e-12
    )


def test_corpus_of_empty_sentences_only_knows_the_end():
    assert sentence_probability([[], []], [], n=2, k=0.5) == 1.0
    assert ngram_probability([[]], [], "a", n=1, k=1.0) == 0.5  # (0 + 1) / (1 + 1·|{</s>}|)


def test_zero_denominator_gives_zero():
    assert ngram_probability(CORPUS, ["梨"], "我") == 0.0
    assert sentence_probability(CORPUS, ["梨"]) == 0.0
    assert ngram_probability([], [], "我", k=1) == 0.0  # empty corpus: |V| = 0


def test_context_uses_last_n_minus_1_tokens_and_pads_short_contexts():
    # trigram: only the last two tokens matter
    long = ngram_probability(CORPUS, ["你", "我", "喜欢"], "苹果", n=3)
    assert long == ngram_probability(CORPUS, ["我", "喜欢"], "苹果", n=3) == pytest.approx(0.5)
    # a short context is left-padded with "<s>": [我] means (<s>, 我)
    assert ngram_probability(CORPUS, ["我"], "喜欢", n=3) == 1.0
    assert ngram_probability(CORPUS, [], "你", n=3) == pytest.approx(1 / 3)
    assert ngram_probability(CORPUS, [], "我", n=2) == pytest.approx(2 / 3)


def test_returns_python_floats():
    assert type(ngram_probability(CORPUS, ["我"], "喜欢")) is float
    assert type(ngram_probability(CORPUS, ["梨"], "我")) is float
    assert type(sentence_probability(CORPUS, ["我"], k=0.5)) is float


def test_rejects_strings_where_token_lists_belong():
    with pytest.raises(TypeError):
        ngram_probability(CORPUS, "我 喜欢", "苹果")
    with pytest.raises(TypeError):
        sentence_probability(["我 喜欢 苹果"], ["我"])
    with pytest.raises(ValueError):
        ngram_probability(CORPUS, [], "我", n=0)
    with pytest.raises(ValueError):
        ngram_probability(CORPUS, [], "我", k=-1)


def test_models_are_cached_per_corpus_and_order():
    corpus = [["a", "b"], ["b", "a"]]
    first = NgramModel.for_corpus(corpus, 2)
    assert NgramModel.for_corpus([list(s) for s in corpus], 2) is first
    assert NgramModel.for_corpus(corpus, 3) is not first
    corpus.append(["c"])  # a changed corpus is a different model
    assert NgramModel.for_corpus(corpus, 2) is not first
    assert "c" in NgramModel.for_corpus(corpus, 2).vocab


# --- nltk.lm as an oracle ----------------------------------------------------


def nltk_mle(corpus, n):
    lm = MLE(n)
    sentences = [padded(s, n) for s in corpus]
    lm.fit([list(ngrams(s, n)) for s in sentences], vocabulary_text=[t for s in sentences for t in s])
    return lm


def nltk_lidstone(corpus, n, k):
    """Lidstone whose len(vocab) equals the contract's |V|.

    nltk's vocabulary always counts "<UNK>" and would also count "<s>". Leaving
    both padding symbols out of the vocabulary maps them to "<UNK>", so
    len(vocab) = |distinct real words| + 1 = |V|. Counts are unchanged because
    the two never share a position: "<s>" appears only in histories and "</s>"
    only as the predicted word. (So only in-vocabulary words may be queried,
    and the corpus needs a real word: nltk gives an empty vocabulary length 0.)
    """
    sentences = [padded(s, n) for s in corpus]
    words = [t for s in sentences for t in s if t not in ("<s>", "</s>")]
    lm = Lidstone(k, n, vocabulary=Vocabulary(words, unk_cutoff=1))
    lm.fit([list(ngrams(s, n)) for s in sentences], vocabulary_text=words)  # words may be empty
    return lm


def histories(corpus, n):
    """Every (n-1)-tuple over the corpus's words and "<s>": the seen histories and
    many unseen ones. (No unknown words: the Lidstone oracle maps those to
    "<UNK>", the name it gives "<s>".)"""
    tokens = sorted({t for s in corpus for t in s}) + ["<s>"]
    return list(itertools.product(tokens, repeat=n - 1))


corpora = st.lists(st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=6), min_size=1, max_size=5)


@FAST
@given(corpora, st.integers(1, 4))
def test_mle_matches_nltk(corpus, n):
    lm = nltk_mle(corpus, n)
    words = sorted({t for s in corpus for t in s}) + ["</s>", "zz-unseen"]
    for h in histories(corpus, n) + [("zz-unseen",) * (n - 1)]:
        for w in words:
            ours = ngram_probability(corpus, list(h), w, n=n)
            assert ours == pytest.approx(lm.score(w, list(h)), rel=1e-12, abs=0), (h, w)


@FAST
@given(corpora, st.integers(1, 4), st.sampled_from([0.1, 0.5, 1.0, 2.0]))
def test_lidstone_matches_nltk(corpus, n, k):
    assume(any(corpus))
    lm = nltk_lidstone(corpus, n, k)
    vocabulary = sorted({t for s in corpus for t in s}) + ["</s>"]
    assert len(lm.vocab) == len(NgramModel.for_corpus(corpus, n).vocab)
    for h in histories(corpus, n):
        for w in vocabulary:
            ours = ngram_probability(corpus, list(h), w, n=n, k=k)
            assert ours == pytest.approx(lm.score(w, list(h)), rel=1e-12), (h, w)


@FAST
@given(corpora, st.lists(st.sampled_from(["a", "b", "c"]), max_size=5), st.integers(1, 4),
       st.sampled_from([0.0, 0.5, 1.0]))
def test_sentence_probability_is_the_product_of_nltk_scores(corpus, sentence, n, k):
    known = {t for s in corpus for t in s}
    assume(known or k == 0)
    lm = nltk_mle(corpus, n) if k == 0 else nltk_lidstone(corpus, n, k)
    if k and not set(sentence) <= known:
        return  # the Lidstone oracle cannot score unseen words (see nltk_lidstone)
    tokens = padded(sentence, n)
    expected = math.prod(lm.score(tokens[i], tokens[i - n + 1:i]) for i in range(n - 1, len(tokens)))
    assert sentence_probability(corpus, sentence, n=n, k=k) == pytest.approx(expected, rel=1e-10, abs=0)


def test_unseen_word_with_smoothing_against_nltk_counts():
    # the one case the Lidstone oracle cannot take: use nltk's counts and |V|
    lm = nltk_mle(CORPUS, 2)
    c_h = lm.counts[["喜欢"]].N()
    assert c_h == 3
    assert ngram_probability(CORPUS, ["喜欢"], "梨", k=0.5) == pytest.approx(0.5 / (c_h + 0.5 * V_SIZE))
