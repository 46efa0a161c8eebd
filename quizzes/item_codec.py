"""An Item as plain JSON data and back: how a stored question keeps its type's own fields.

Pure (no Django), so the database model, the importers and the tests share one
mapping. `item_body` holds what the Question row does not keep in columns of its
own (id, type, section, points, prompt and explanation are columns, for admin's
forms); `item_from_parts` puts the two back together. Fractions travel as
"numerator/denominator" strings, so a Moodle weight of 1/3 survives exactly.
"""

from fractions import Fraction

from quizzes.items import Item, NumericAnswer, Option, Pair, Text


def _text(data):
    return Text(zh=data["zh"], en=data["en"])


def _text_data(text):
    return {"zh": text.zh, "en": text.en}


def _fraction_data(value):
    return None if value is None else str(Fraction(value))


def item_body(item: Item) -> dict:
    """The type's own fields of `item`, as JSON data; empty fields are left out."""
    body = {}
    if item.options:
        body["options"] = [
            {"key": o.key, "text": _text_data(o.text), "correct": o.correct, "weight": _fraction_data(o.weight)}
            for o in item.options
        ]
    if item.answer_bool is not None:
        body["answer_bool"] = item.answer_bool
    if item.answer_number is not None:
        body["answer_number"] = item.answer_number
    if item.abs_tol:
        body["abs_tol"] = item.abs_tol
    if item.rel_tol:
        body["rel_tol"] = item.rel_tol
    if item.accepted:
        body["accepted"] = list(item.accepted)
    if item.case_sensitive:
        body["case_sensitive"] = True
    if item.more_numbers:
        body["more_numbers"] = [{"value": n.value, "tolerance": n.tolerance} for n in item.more_numbers]
    if item.pairs:
        body["pairs"] = [
            {"key": p.key, "prompt": None if p.prompt is None else _text_data(p.prompt), "answer": _text_data(p.answer)}
            for p in item.pairs
        ]
    if item.parts:
        body["parts"] = [item_to_data(part) for part in item.parts]
    if item.generator:
        body["generator"] = item.generator
    return body


def item_to_data(item: Item) -> dict:
    """The whole item as JSON data (a cloze item's gaps are stored this way)."""
    return {
        "id": item.id,
        "type": item.type,
        "section": item.section,
        "points": _fraction_data(item.points),
        "prompt": _text_data(item.prompt),
        "explanation": _text_data(item.explanation),
        **item_body(item),
    }


def item_from_parts(*, id, type, section, points, prompt, explanation, body) -> Item:
    """An Item from its columns and its body. Raises KeyError/TypeError/ValueError on malformed data."""
    return Item(
        id=id,
        type=type,
        section=section,
        points=Fraction(points),
        prompt=prompt,
        explanation=explanation,
        options=tuple(
            Option(
                key=o["key"],
                text=_text(o["text"]),
                correct=bool(o.get("correct", False)),
                weight=None if o.get("weight") is None else Fraction(o["weight"]),
            )
            for o in body.get("options", ())
        ),
        answer_bool=body.get("answer_bool"),
        answer_number=body.get("answer_number"),
        abs_tol=float(body.get("abs_tol", 0.0)),
        rel_tol=float(body.get("rel_tol", 0.0)),
        accepted=tuple(body.get("accepted", ())),
        case_sensitive=bool(body.get("case_sensitive", False)),
        more_numbers=tuple(NumericAnswer(float(n["value"]), float(n["tolerance"])) for n in body.get("more_numbers", ())),
        pairs=tuple(
            Pair(key=p["key"], prompt=None if p["prompt"] is None else _text(p["prompt"]), answer=_text(p["answer"]))
            for p in body.get("pairs", ())
        ),
        parts=tuple(item_from_data(part) for part in body.get("parts", ())),
        generator=body.get("generator", ""),
    )


def item_from_data(data: dict) -> Item:
    return item_from_parts(
        id=data["id"],
        type=data["type"],
        section=data.get("section", ""),
        points=data.get("points") or "1",
        prompt=_text(data["prompt"]),
        explanation=_text(data["explanation"]),
        body={key: value for key, value in data.items() if key not in _COLUMNS},
    )


_COLUMNS = {"id", "type", "section", "points", "prompt", "explanation"}
