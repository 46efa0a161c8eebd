"""Questions as a student's page shows them, and a form's fields back as responses.

The page and the scoring must agree on what each control sends, so both
directions live here: `question_view` names the controls of one question
(`q-<key>`, and `q-<key>-<part>` for the lines of a matching item and the gaps
of a cloze item), `responses_from_form` reads them back into the responses
quizzes.scoring takes. Numbers of parameterised items come from the attempt's
seed, the same draw the scoring makes.
"""

import random
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext

from quizzes.items import CLOZE, MATCHING, MULTIPLE, SINGLE, TRUE_FALSE, Item
from quizzes.parameterised import render

_GAP = re.compile(r"\{#(\d+)\}")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    checked: bool = False


@dataclass(frozen=True)
class Part:
    """One line of a matching item or one gap of a cloze item: its own control."""

    name: str
    label: str
    kind: str  # "select", "checkboxes" or "text"
    choices: tuple = ()
    value: str = ""


@dataclass(frozen=True)
class QuestionView:
    number: int
    key: str
    type: str
    name: str  # the control's name
    prompt: str
    points: object
    section: str
    kind: str  # "radio", "checkboxes", "text", "parts"
    choices: tuple = ()
    parts: tuple = field(default=())
    value: str = ""  # a text control's current value


def _name(item: Item) -> str:
    return f"q-{item.id}"


def _choices(item: Item, language: str, chosen) -> tuple:
    chosen = set(chosen if isinstance(chosen, (list, tuple)) else [chosen] if chosen else [])
    return tuple(Choice(o.key, o.text.get(language), o.key in chosen) for o in item.options)


def _matching_answers(item: Item, seed: int, language: str) -> list:
    # Shuffled per attempt: in the author's order, the nth answer would give away the nth prompt.
    pairs = list(item.pairs)
    random.Random(f"{item.id}:{seed}:answers").shuffle(pairs)
    return [(pair.key, pair.answer.get(language)) for pair in pairs]


def question_view(item: Item, *, number: int, seed: int, language: str, response=None) -> QuestionView:
    """The controls of one question for the attempt with `seed`, holding `response` if given."""
    name = _name(item)
    prompt = render(item, seed).prompt.get(language)
    common = {"number": number, "key": item.id, "type": item.type, "name": name, "points": f"{float(item.points):g}",
              "section": item.section}  # fmt: skip
    if item.type in (SINGLE, MULTIPLE):
        kind = "radio" if item.type == SINGLE else "checkboxes"
        return QuestionView(prompt=prompt, kind=kind, choices=_choices(item, language, response), **common)
    if item.type == TRUE_FALSE:
        chosen = str(response).lower() if response is not None else ""
        choices = (Choice("true", gettext("True"), chosen == "true"), Choice("false", gettext("False"), chosen == "false"))
        return QuestionView(prompt=prompt, kind="radio", choices=choices, **common)
    if item.type == MATCHING:
        chosen = response if isinstance(response, dict) else {}
        answers = _matching_answers(item, seed, language)
        parts = tuple(
            Part(f"{name}-{pair.key}", pair.prompt.get(language), "select",
                 tuple(Choice(key, text, chosen.get(pair.key) == key) for key, text in answers))
            for pair in item.pairs
            if pair.prompt is not None
        )  # fmt: skip
        return QuestionView(prompt=prompt, kind="parts", parts=parts, **common)
    if item.type == CLOZE:
        chosen = response if isinstance(response, dict) else {}
        parts = []
        for n, gap in enumerate(item.parts, start=1):
            gap_response = chosen.get(str(n))
            if gap.type in (SINGLE, MULTIPLE):
                kind = "select" if gap.type == SINGLE else "checkboxes"
                parts.append(Part(f"{name}-{n}", f"({n})", kind, _choices(gap, language, gap_response)))
            else:
                parts.append(Part(f"{name}-{n}", f"({n})", "text", value=gap_response or ""))
        return QuestionView(prompt=_GAP.sub(r"(\1) ____", prompt), kind="parts", parts=tuple(parts), **common)
    return QuestionView(prompt=prompt, kind="text", value=response if isinstance(response, str) else "", **common)


def _one(item: Item, data, name: str):
    if item.type == MULTIPLE:
        return [value for value in data.getlist(name) if value]
    value = data.get(name)
    return value if value else None


def responses_from_form(items, data) -> dict:
    """The responses in a posted form (a QueryDict) for `items`; blanks are left out (unanswered).

    Controls the items do not have are ignored; a value no control could
    send (an option key the item lacks) is kept, for scoring to refuse.
    """
    responses = {}
    for item in items:
        name = _name(item)
        if item.type == MATCHING:
            chosen = {pair.key: data.get(f"{name}-{pair.key}") for pair in item.pairs if pair.prompt is not None}
            value = {key: chosen_key for key, chosen_key in chosen.items() if chosen_key}
        elif item.type == CLOZE:
            gaps = {str(n): _one(gap, data, f"{name}-{n}") for n, gap in enumerate(item.parts, start=1)}
            value = {n: gap for n, gap in gaps.items() if gap}
        else:
            value = _one(item, data, name)
        if value:
            responses[item.id] = value
    return responses


def response_text(item: Item, response, language: str) -> str:
    """What the student answered, as they would read it ("" when unanswered)."""
    if response in (None, "", [], {}):
        return ""
    if item.type in (SINGLE, MULTIPLE):
        keys = response if isinstance(response, list) else [response]
        return "; ".join(
            f"{option.key}. {option.text.get(language)}" for option in item.options if option.key in keys
        )
    if item.type == TRUE_FALSE:
        return gettext("True") if str(response).lower() == "true" else gettext("False")
    if item.type == MATCHING:
        pairs = {pair.key: pair for pair in item.pairs}
        return "; ".join(
            f"{pairs[key].prompt.get(language)} → {pairs[chosen].answer.get(language)}"
            for key, chosen in response.items()
            if key in pairs and chosen in pairs and pairs[key].prompt is not None
        )
    if item.type == CLOZE:
        return "; ".join(
            f"({n}) {response_text(gap, response.get(str(n)), language)}" for n, gap in enumerate(item.parts, start=1)
            if response.get(str(n))
        )  # fmt: skip
    return str(response)
