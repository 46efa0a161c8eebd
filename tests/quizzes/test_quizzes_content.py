"""The sample course's quiz bank (content/quizzes/): complete, bilingual, pointing
at the text, parameterised answers checked by hand, and written in our own words."""

import math
import re
from collections import Counter
from pathlib import Path

import opencc
import pytest

from quizzes.bank import load_bank
from quizzes.items import IMPORTED_ONLY_TYPES, ITEM_TYPES, MULTIPLE, NUMERIC, PARAMETERISED, SHORT, SINGLE, TRUE_FALSE
from quizzes.parameterised import draw, render

PROJECT_ROOT = Path(__file__).resolve().parents[2]

BANK = PROJECT_ROOT / "content" / "quizzes"
# CI places a copy of the shared design folder beside the clone, as on a workstation.
SHARED = PROJECT_ROOT.parent / "shared"
COURSE = SHARED / "COURSE.md"
TEXTBOOK = SHARED / "textbook" / "000_ab39f20ba1215115.txt"
LONGEST_SHARED_RUN = 19  # characters; 20 in a row shared with the text is copying


def _read(path):
    if not path.is_file():
        pytest.fail(
            f"{path} is missing: the quiz bank is checked against the course's shared "
            "folder, which must sit beside the checkout (../shared/)"
        )
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def quizzes():
    return {quiz.slug: quiz for quiz in load_bank(BANK)}


@pytest.fixture(scope="module")
def course_sections():
    text = _read(COURSE)
    listing = text[text.index("The numbered sections"):text.index("## Coding exercises")]
    # in order, once each (2.4.1 is named twice: the extract ends inside it)
    sections = list(dict.fromkeys(re.findall(r"\b(\d+\.\d+\.\d+)\b", listing)))
    assert len(sections) >= 20, sections
    return sections


def test_bank_has_the_two_chapter_quizzes(quizzes):
    assert sorted(quizzes) == ["chapter-1-quiz", "chapter-2-quiz"]
    assert [quizzes[f"chapter-{n}-quiz"].chapter for n in (1, 2)] == [1, 2]


@pytest.mark.parametrize("slug", ["chapter-1-quiz", "chapter-2-quiz"])
def test_each_quiz_has_at_least_20_items(quizzes, slug):
    assert len(quizzes[slug].items) >= 20


def test_every_numbered_section_has_an_item_and_every_item_a_listed_section(quizzes, course_sections):
    for quiz in quizzes.values():
        listed = {s for s in course_sections if s.startswith(f"{quiz.chapter}.")}
        used = Counter(item.section for item in quiz.items)
        assert listed - set(used) == set(), f"{quiz.slug}: sections without an item"
        assert set(used) - listed == set(), f"{quiz.slug}: items citing unlisted sections"


def test_every_item_is_bilingual_and_its_explanation_names_its_section(quizzes):
    for quiz in quizzes.values():
        for item in quiz.items:
            assert re.search(r"[\u4e00-\u9fff]", item.prompt.zh), item.id
            assert re.search(r"[A-Za-z]{3}", item.prompt.en), item.id
            assert re.search(r"[A-Za-z]{3}", item.explanation.en), item.id
            assert f"见 {item.section}" in item.explanation.zh, item.id
            assert f"See {item.section}" in item.explanation.en, item.id
            for option in item.options:
                assert option.text.zh.strip() and option.text.en.strip(), (item.id, option.key)


def test_the_bank_mixes_every_type(quizzes):
    for quiz in quizzes.values():
        types = Counter(item.type for item in quiz.items)
        assert {SINGLE, MULTIPLE, TRUE_FALSE, NUMERIC, SHORT} <= set(types), (quiz.slug, types)
    assert Counter(i.type for i in quizzes["chapter-2-quiz"].items)[PARAMETERISED] >= 3
    # matching and cloze arrive by import (tests/quizzes/test_quizzes_gift.py and _moodle_xml.py)
    assert {i.type for q in quizzes.values() for i in q.items} == set(ITEM_TYPES) - set(IMPORTED_ONLY_TYPES)


def test_ids_and_prompts_are_unique_across_the_bank(quizzes):
    items = [item for quiz in quizzes.values() for item in quiz.items]
    assert len({item.id for item in items}) == len(items)
    assert len({item.prompt.zh for item in items}) == len(items)
    assert len({item.prompt.en for item in items}) == len(items)


def test_fixed_numeric_answers_by_hand(quizzes):
    items = {item.id: item for quiz in quizzes.values() for item in quiz.items}
    # GPT-3 has 1750 亿 parameters, BERT-Base 1.1 亿
    assert items["c2-gpt3-vs-bert-base"].answer_number == pytest.approx(1750 / 1.1, rel=1e-6)


# --- parameterised items: the engine's answer against a hand computation --------

def _hand_bigram(values):
    corpus = [sentence.split(" ") for sentence in re.findall(r"「([^」]*)」", values["corpus"])]
    assert len(corpus) == 3
    history, word = values["history"], values["word"]
    # each occurrence of the history is followed by exactly one token (</s> after the last)
    followers = [
        sentence[i + 1] if i + 1 < len(sentence) else "</s>"
        for sentence in corpus for i, token in enumerate(sentence) if token == history
    ]
    return followers.count(word) / len(followers)


def _hand_cosine(values):
    (a1, a2), (b1, b2) = (
        tuple(int(x) for x in re.findall(r"-?\d+", values[name])) for name in ("a", "b")
    )
    return (a1 * b1 + a2 * b2) / (math.hypot(a1, a2) * math.hypot(b1, b2))


HAND = {
    "scaled_score": lambda v: int(v["score"]) / math.sqrt(int(v["d_k"])),
    "softmax_weight": lambda v: 1 / (1 + math.exp((int(v["s2"]) - int(v["s1"])) / math.sqrt(int(v["d_k"])))),
    "sentence_frequency": lambda v: int(v["n"]) / int(v["N"]),
    "bigram_probability": _hand_bigram,
    "cosine_similarity": _hand_cosine,
}


def test_parameterised_answers_agree_with_a_hand_computation(quizzes):
    items = [i for q in quizzes.values() for i in q.items if i.type == PARAMETERISED]
    assert len(items) >= 4
    for item in items:
        for seed in range(30):
            drawn = draw(item, seed)
            rendered = render(item, seed)
            assert rendered.answer == pytest.approx(HAND[item.generator](drawn.values), abs=1e-12)
            for shown in drawn.values.values():
                assert shown in rendered.prompt.zh and shown in rendered.prompt.en
            assert "$" not in rendered.prompt.zh + rendered.prompt.en


def test_the_textbook_example_is_what_the_softmax_item_computes():
    # 112 and 96 with d_k = 64 (the text's example) give 0.88 and 0.12
    assert HAND["softmax_weight"]({"s1": "112", "s2": "96", "d_k": "64"}) == pytest.approx(0.8808, abs=1e-4)


# --- our own words ---------------------------------------------------------------

_GARBLE = re.compile(r"\([a-zü\u00e0-\u01dc]+\)")  # pinyin the encoding mix-up inserted


def _comparable(text, converter):
    # Compare simplified with simplified, letters and digits only: punctuation or
    # spacing changes do not make a copied sentence our own.
    text = converter.convert(_GARBLE.sub("", text))
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _zh_texts(item):
    yield "prompt", item.prompt.zh
    yield "explanation", item.explanation.zh
    for option in item.options:
        yield f"option {option.key}", option.text.zh
    for answer in item.accepted:
        yield "accepted answer", answer


def test_no_item_copies_a_run_of_the_textbook(quizzes):
    converter = opencc.OpenCC("t2s")
    book = _comparable(_read(TEXTBOOK), converter)
    assert len(book) > 20000  # the chapters, not an empty or truncated copy
    window = LONGEST_SHARED_RUN + 1
    copied = []
    for quiz in quizzes.values():
        for item in quiz.items:
            for where, text in _zh_texts(item):
                ours = _comparable(text, converter)
                for start in range(len(ours) - window + 1):
                    if ours[start:start + window] in book:
                        copied.append(f"{item.id} {where}: {ours[start:start + window]}")
                        break
    assert copied == []


def test_the_copy_check_would_catch_a_copied_sentence():
    # A sentence of the text (1.3.3, in simplified characters) must be caught
    converter = opencc.OpenCC("t2s")
    book = _comparable(_read(TEXTBOOK), converter)
    copied = _comparable("自回归模型以准确预测下一个词元为学习目标。在每次训练时", converter)
    assert copied[:LONGEST_SHARED_RUN + 1] in book
