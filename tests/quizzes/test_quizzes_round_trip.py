"""The round-trip property: items of every type, exported to GIFT or Moodle XML
and imported again, come back the same (as far as each format holds them)."""

from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from quizzes.gift import export_gift, parse_gift
from quizzes.interchange import NO_EXPLANATION, portable
from quizzes.items import (
    CLOZE, MATCHING, MULTIPLE, NUMERIC, SHORT, SINGLE, TRUE_FALSE, Item, NumericAnswer,
    Option, Pair, Text,
)
from quizzes.moodle_xml import export_moodle_xml, parse_moodle_xml
from quizzes.validation import validate_item

# Every GIFT special character and Chinese, but none of what the formats leave
# ambiguous by design (documented in quizzes/interchange.py and gift.py): a
# leading "[zh]", "%" weights, "->" inside matching text.
ALPHABET = "abcxyzABC019 中文测试~=#{}:\\.,!?-/\"'\n"

words = st.text(ALPHABET, min_size=1, max_size=12).map(str.strip).filter(bool)
texts = st.one_of(words.map(lambda w: Text(w, w)), st.builds(Text, words, words))
numbers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).filter(lambda x: x == x)
tolerances = st.floats(min_value=1e-6, max_value=1e3)
weights = st.sampled_from([Fraction(n, d) for n, d in [(1, 2), (1, 3), (1, 4), (1, 5), (1, 10), (0, 1),
                                                         (-1, 2), (-1, 3), (-1, 1)]])
KEYS = "abcdefgh"


def _unweighted_pattern(kind, option_weights):
    if kind == SINGLE:
        return set(option_weights) <= {0, 1} and option_weights.count(1) == 1
    k = sum(1 for w in option_weights if w > 0)
    return bool(k) and all(w in (Fraction(1, k), Fraction(-1, k)) for w in option_weights)


@st.composite
def choice_fields(draw, kind):
    count = draw(st.integers(2, 5))
    option_texts = [draw(texts) for _ in range(count)]
    style = draw(st.sampled_from(["plain", "weighted"]))
    if kind == SINGLE:
        right = draw(st.integers(0, count - 1))
        option_weights = [Fraction(1) if n == right else (draw(weights) if style == "weighted" else Fraction(0))
                          for n in range(count)]
        option_weights = [w if n == right or w < 1 else Fraction(0) for n, w in enumerate(option_weights)]
    else:
        right = draw(st.lists(st.integers(0, count - 1), min_size=1, unique=True))
        if style == "plain":
            option_weights = [Fraction(n in right) for n in range(count)]
        else:
            negatives = [draw(weights.filter(lambda w: w <= 0)) for _ in range(count)]
            option_weights = [Fraction(1, len(right)) if n in right else negatives[n] for n in range(count)]
    weighted = style == "weighted" and not _unweighted_pattern(kind, option_weights)
    options = tuple(
        Option(key=KEYS[n], text=option_texts[n],
               correct=(w == 1) if kind == SINGLE else w > 0, weight=w if weighted else None)
        for n, w in enumerate(option_weights)
    )
    return {"type": kind, "options": options}


@st.composite
def numeric_fields(draw):
    more = draw(st.lists(st.builds(NumericAnswer, numbers, tolerances), max_size=2))
    return {"type": NUMERIC, "answer_number": draw(numbers), "abs_tol": draw(tolerances),
            "more_numbers": tuple(more)}


@st.composite
def short_fields(draw):
    accepted = draw(st.lists(words.filter(lambda w: "\n" not in w), min_size=1, max_size=3))
    return {"type": SHORT, "accepted": tuple(accepted), "case_sensitive": draw(st.booleans())}


@st.composite
def matching_fields(draw):
    count = draw(st.integers(2, 4))
    pairs = [Pair(key=str(n + 1), prompt=draw(texts), answer=draw(texts)) for n in range(count)]
    if draw(st.booleans()):
        pairs.append(Pair(key=str(count + 1), prompt=None, answer=draw(texts)))
    return {"type": MATCHING, "pairs": tuple(pairs)}


gap_words = st.text("abc xyz中文019.,!?", min_size=1, max_size=10).map(str.strip).filter(bool)


@st.composite
def cloze_fields(draw):
    parts = []
    for n in range(1, draw(st.integers(1, 3)) + 1):
        kind = draw(st.sampled_from([SINGLE, MULTIPLE, NUMERIC, SHORT]))
        fields = draw(choice_fields(kind) if kind in (SINGLE, MULTIPLE)
                      else numeric_fields() if kind == NUMERIC else short_fields())
        parts.append(Item(id=str(n), prompt=Text("", ""), explanation=Text("", ""),
                          points=Fraction(draw(st.integers(1, 5))), **fields))
    zh = " ".join(f"{draw(gap_words)} {{#{n}}}" for n in range(1, len(parts) + 1))
    en = " ".join(f"{draw(gap_words)} {{#{n}}}" for n in range(1, len(parts) + 1))
    return {"type": CLOZE, "parts": tuple(parts), "prompt": Text(zh, en)}


def type_fields(with_cloze):
    kinds = [choice_fields(SINGLE), choice_fields(MULTIPLE),
             st.builds(lambda b: {"type": TRUE_FALSE, "answer_bool": b}, st.booleans()),
             numeric_fields(), short_fields(), matching_fields()]
    return st.one_of(*kinds, *([cloze_fields()] if with_cloze else []))


@st.composite
def items(draw, with_cloze=True):
    count = draw(st.integers(1, 4))
    result = []
    for n in range(count):
        base = draw(st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True))
        fields = {"prompt": draw(texts), **draw(type_fields(with_cloze))}
        result.append(Item(
            id=f"{base}-{n}", explanation=draw(st.one_of(st.just(NO_EXPLANATION), texts)),
            points=Fraction(draw(st.integers(1, 500)), 100),
            section=draw(st.sampled_from(["", "2.3", "1.1.2"])), **fields,
        ))
    assume(all(validate_item(item) == [] for item in result))
    return result


RELAXED = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


@RELAXED
@given(items())
def test_moodle_xml_round_trip(generated):
    assert parse_moodle_xml(export_moodle_xml(generated)) == generated


@RELAXED
@given(items(with_cloze=False))
def test_gift_round_trip(generated):
    expected = [portable(item, gift=True) for item in generated]
    # GIFT has no case flag: answers told apart by case alone cannot survive it
    assume(all(validate_item(item) == [] for item in expected))
    assert parse_gift(export_gift(generated)) == expected


@RELAXED
@given(items(with_cloze=False))
def test_gift_and_moodle_xml_agree(generated):
    assume(all(validate_item(portable(item, gift=True)) == [] for item in generated))
    via_gift = parse_gift(export_gift(generated))
    via_xml = [portable(item, gift=True) for item in parse_moodle_xml(export_moodle_xml(generated))]
    assert via_gift == via_xml
