"""GIFT, Moodle's text format for questions: reading into Items and writing them back.

    parse_gift(text) -> list[Item]     raises ImportErrors listing every problem
    read_gift(text) -> GiftFile        the items and what was skipped, and why
    export_gift(items, seed=0) -> str

Supported: comments (// lines), $CATEGORY (skipped), ::title:: (the id),
[html]/[moodle]/[plain]/[markdown] (HTML is turned into text, the others kept
as written), the escapes \\~ \\= \\# \\{ \\} \\: \\\\ and \\n, multiple choice with
= and ~ and weights ~%50%, true/false, short answer {=a =b}, numerical
{#3.14:0.01}, {#1..2} and {#=1:0.1 =2:0.1}, matching {=a -> b}, missing-word
questions (text after the answers), per-answer feedback #... (read and not
kept) and general feedback ####. A question without answers is a description:
skipped, and listed in GiftFile.skipped. An essay {} is an error, as is every
answer we cannot score the way Moodle would (partial credit on a short or
numerical answer, a numerical answer without tolerance): a file with any error
imports nothing. GIFT carries neither points nor sections: imported items are
worth 1 point; export drops both. See quizzes/interchange.py for the zh/en,
id and HTML conventions shared with Moodle XML.
"""

import re
from dataclasses import dataclass
from fractions import Fraction

from quizzes.interchange import (
    NO_EXPLANATION, ImportErrors, ImportProblem, id_from_title, join_languages,
    numeric_view, split_languages, text_of_html, unique_ids,
)
from quizzes.items import (
    CLOZE, MATCHING, MULTIPLE, NUMERIC, PARAMETERISED, SHORT, SINGLE, TRUE_FALSE,
    Item, NumericAnswer, Option, Pair,
)
from quizzes.validation import validate_item

_SPECIAL = "~=#{}:"
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass(frozen=True)
class GiftFile:
    items: list
    skipped: list  # of ImportProblem: descriptions and categories, not errors


class _Problem(Exception):
    def __init__(self, offset, message):
        super().__init__(message)
        self.offset = offset
        self.message = message


def _find(text, chars, start=0):
    """Index of the first unescaped character of ``chars`` from ``start``, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in chars:
            return i
        i += 1
    return -1


def _find_run(text, char, length, start=0):
    """Index of the first run of ``length`` unescaped ``char``s from ``start``, or -1."""
    at = _find(text, char, start)
    while at >= 0 and text[at:at + length] != char * length:
        at = _find(text, char, at + 1)
    return at


def _split(text, chars):
    """``text`` (which starts with one of ``chars``) cut before each further
    unescaped character of ``chars``: a list of (offset, piece)."""
    cuts, cut = [], _find(text, chars, 1)
    while cut >= 0:
        cuts.append(cut)
        cut = _find(text, chars, cut + 1)
    bounds = [0, *cuts, len(text)]
    return [(start, text[start:end]) for start, end in zip(bounds, bounds[1:])]


def unescape(text):
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt if nxt in _SPECIAL + "\\" else "\\" + nxt)
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def escape(text):
    text = text.replace("\\", "\\\\")
    for char in _SPECIAL:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _text(raw, html=False):
    plain = unescape(raw)
    return split_languages(text_of_html(plain) if html else plain)


def _weight(raw, offset):
    match = _WEIGHT.match(raw)
    if not match:
        return None, raw, 0
    value = Fraction(match.group(1)) / 100
    if not -1 <= value <= 1:
        raise _Problem(offset, f"weight {match.group(1)}% is outside -100% to 100%")
    return value.limit_denominator(100), raw[match.end():], match.end()


def _answers(body, base):
    """(offset, marker, weight, text) for each answer of the body, feedback cut off."""
    answers = []
    stripped = body.lstrip()
    lead = len(body) - len(stripped)
    if stripped[:1] not in ("=", "~"):
        raise _Problem(base + lead, "each answer must begin with = or ~")
    for offset, piece in _split(stripped, "=~"):
        at = base + lead + offset
        marker, rest = piece[0], piece[1:]
        weight, rest, _ = _weight(rest, at)
        feedback = _find(rest, "#")
        text = rest if feedback < 0 else rest[:feedback]
        answers.append((at, marker, weight, text))
    return answers


def _number(raw, offset):
    try:
        return float(raw.strip())
    except ValueError:
        raise _Problem(offset, f"{raw.strip()!r} is not a number") from None


def _numeric_answer(raw, offset):
    raw = raw.strip()
    if ".." in raw:
        low, high = raw.split("..", 1)
        low, high = _number(low, offset), _number(high, offset)
        if high < low:
            raise _Problem(offset, f"the range {raw} ends below its start")
        return (low + high) / 2, (high - low) / 2
    if ":" in raw:
        value, tolerance = raw.split(":", 1)
        return _number(value, offset), abs(_number(tolerance, offset))
    return _number(raw, offset), 0.0


def _numerical(body, base):
    if _find(body, "=~") < 0:
        feedback = _find(body, "#")
        answers = [(base, "=", None, body if feedback < 0 else body[:feedback])]
    else:
        answers = _answers(body, base)
    accepted = []
    for offset, marker, weight, text in answers:
        if marker == "~" or weight == 0:
            continue  # a wrong answer kept for its feedback: ours has none to give
        if weight not in (None, 1):
            raise _Problem(offset, "partial credit on a numerical answer is not supported")
        value, tolerance = _numeric_answer(unescape(text), offset)
        if tolerance <= 0:
            raise _Problem(offset, f"the numerical answer {value:g} needs a tolerance above 0 "
                                   "(write {#value:tolerance}): typed numbers rarely match exactly")
        accepted.append((value, tolerance))
    if not accepted:
        raise _Problem(base, "a numerical question needs a right answer")
    (value, tolerance), more = accepted[0], accepted[1:]
    return {"type": NUMERIC, "answer_number": value, "abs_tol": tolerance,
            "more_numbers": tuple(NumericAnswer(v, t) for v, t in more)}


def choice_fields(weights_and_texts, *, single):
    """The Item fields of a choice question from (weight, Text) in order; shared
    with the Moodle XML reader (``single``: GIFT's "=" present, Moodle's <single>).
    Weights that our default rules score the same way are dropped, so a round
    trip through either format gives the item back as it was."""
    weights = [weight for weight, _ in weights_and_texts]
    keys = [chr(ord("a") + n) if n < 26 else f"o{n + 1}" for n in range(len(weights))]
    if single:
        kind = SINGLE
        weighted = not (set(weights) <= {0, 1} and weights.count(1) == 1)
    else:
        kind = MULTIPLE
        k = sum(1 for w in weights if w > 0)
        # Canvas's rule (scoring.py) is Moodle's with +1/k and -1/k
        weighted = not (k and all(w in (Fraction(1, k), Fraction(-1, k)) for w in weights))
    options = tuple(
        Option(
            key=key, text=text,
            correct=(weight == 1) if kind == SINGLE else weight > 0,
            weight=weight if weighted else None,
        )
        for key, (weight, text) in zip(keys, weights_and_texts)
    )
    return {"type": kind, "options": options}


def _parse_body(body, base, html):
    stripped = body.strip()
    if not stripped:
        raise _Problem(base, "essay questions ({}) are not supported")
    head = stripped.split("#", 1)[0].strip()
    if head.upper() in _TRUE_FALSE and _find(stripped, "=~") < 0:
        return {"type": TRUE_FALSE, "answer_bool": _TRUE_FALSE[head.upper()]}
    if stripped.startswith("#"):
        lead = body.index("#")
        return _numerical(body[lead + 1:], base + lead + 1)
    answers = _answers(body, base)
    if any("->" in text for _, _, _, text in answers):
        pairs = []
        for n, (offset, marker, _, text) in enumerate(answers, start=1):
            if marker != "=" or "->" not in text:
                raise _Problem(offset, "every answer of a matching question is =prompt -> answer")
            prompt, answer = text.split("->", 1)
            pairs.append(Pair(key=str(n), prompt=_text(prompt, html) if prompt.strip() else None,
                              answer=_text(answer)))
        return {"type": MATCHING, "pairs": tuple(pairs)}
    if any(marker == "~" for _, marker, _, _ in answers):
        return choice_fields([
            (weight if weight is not None else Fraction(marker == "="), _text(text, html))
            for _, marker, weight, text in answers
        ], single=any(marker == "=" for _, marker, _, _ in answers))
    accepted = []
    for offset, _, weight, text in answers:
        if weight == 0:
            continue
        if weight not in (None, 1):
            raise _Problem(offset, "partial credit on a short answer is not supported")
        accepted.append(unescape(text).strip())
    return {"type": SHORT, "accepted": tuple(accepted)}


def _parse_question(text, position):
    """Item fields of one question (id from its title) or None for a description."""
    rest, title = text, ""
    lead = len(rest) - len(rest.lstrip())
    if rest.lstrip().startswith("::"):
        close = _find_run(rest, ":", 2, lead + 2)
        if close < 0:
            raise _Problem(lead, "the title (::title::) is not closed")
        title, rest = unescape(rest[lead + 2:close]).strip(), rest[close + 2:]
    start = len(text) - len(rest)
    fmt = _FORMAT.match(rest)
    html = bool(fmt) and fmt.group(1).lower() == "html"
    if fmt:
        rest, start = rest[fmt.end():], start + fmt.end()
    opening = _find(rest, "{")
    if opening < 0:
        if _find(rest, "}") >= 0:
            raise _Problem(start + _find(rest, "}"), "a } without its {")
        return None
    closing = _find(rest, "}", opening + 1)
    if closing < 0:
        raise _Problem(start + opening, "the answers ({) are not closed with }")
    if _find(rest, "{", opening + 1) not in (-1,) and _find(rest, "{", opening + 1) < closing:
        raise _Problem(start + _find(rest, "{", opening + 1), "a { inside the answers (write \\{)")
    body = rest[opening + 1:closing]
    feedback = _find_run(body, "#", 4)
    explanation = NO_EXPLANATION
    if feedback >= 0:
        explanation = _text(body[feedback + 4:], html)
        body = body[:feedback]
    after = rest[closing + 1:]
    if _find(after, "{}") >= 0:
        raise _Problem(start + closing + 1 + _find(after, "{}"), "a question has one answer block")
    prompt = rest[:opening]
    if after.strip():
        prompt = prompt.rstrip() + " _____ " + after.lstrip()
    fields = _parse_body(body, start + opening + 1, html)
    return {"id": id_from_title(title, position), "prompt": _text(prompt, html),
            "explanation": explanation, **fields}


def _blocks(text):
    """(first line number, text) of each question: blank lines separate them."""
    blocks, lines, first = [], [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("//"):
            continue
        if line.strip():
            if not lines:
                first = number
            lines.append(line)
        elif lines:
            blocks.append((first, "\n".join(lines)))
            lines = []
    if lines:
        blocks.append((first, "\n".join(lines)))
    return blocks


def _line_column(first, text, offset):
    before = text[:offset]
    return first + before.count("\n"), offset - (before.rfind("\n") + 1) + 1


def read_gift(text):
    if text.startswith("\ufeff"):
        text = text[1:]
    found, errors, skipped = [], [], []
    for position, (first, block) in enumerate(_blocks(text), start=1):
        if block.lstrip().startswith("$CATEGORY:"):
            skipped.append(ImportProblem(first, "category line: questions are imported into one quiz"))
            continue
        try:
            fields = _parse_question(block, position)
        except _Problem as problem:
            line, column = _line_column(first, block, problem.offset)
            errors.append(ImportProblem(line, problem.message, column))
            continue
        if fields is None:
            skipped.append(ImportProblem(first, "description (no answers): not a question, skipped"))
            continue
        found.append((first, fields))
    ids = unique_ids([fields["id"] for _, fields in found])
    items = []
    for (first, fields), item_id in zip(found, ids):
        item = Item(**{**fields, "id": item_id})
        errors += [ImportProblem(first, f"question {item_id!r}: {p}") for p in validate_item(item)]
        items.append(item)
    if errors:
        raise ImportErrors(errors)
    return GiftFile(items=items, skipped=skipped)


def parse_gift(text):
    """The questions of a GIFT file as validated Items; ImportErrors lists every problem."""
    return read_gift(text).items


# --- export ----------------------------------------------------------------

def _out(text):
    return escape(join_languages(text))


def _weight_text(weight):
    percent = weight * 100
    return f"%{percent.numerator}%" if percent.denominator == 1 else f"%{float(percent):.5f}%"


def _options_gift(item):
    if item.type == MULTIPLE and all(o.weight is None for o in item.options):
        k = sum(o.correct for o in item.options)
        weights = [Fraction(1 if o.correct else -1, k) for o in item.options]
    elif all(o.weight is None for o in item.options):
        return " ".join(("=" if o.correct else "~") + _out(o.text) for o in item.options)
    else:
        weights = [Fraction(o.weight) for o in item.options]
    return " ".join(
        ("=" if w == 1 and item.type == SINGLE else "~" + _weight_text(w)) + _out(o.text)
        for w, o in zip(weights, item.options)
    )


def _number_text(value):
    return repr(float(value))


def _body(item, seed):
    if item.type in (SINGLE, MULTIPLE):
        return _options_gift(item)
    if item.type == TRUE_FALSE:
        return "TRUE" if item.answer_bool else "FALSE"
    if item.type in (NUMERIC, PARAMETERISED):
        _, answer, tolerance, more = numeric_view(item, seed)
        if not more:
            return f"#{_number_text(answer)}:{_number_text(tolerance)}"
        answers = [(answer, tolerance)] + [(a.value, a.tolerance) for a in more]
        return "#" + " ".join(f"={_number_text(v)}:{_number_text(t)}" for v, t in answers)
    if item.type == SHORT:
        return " ".join("=" + escape(answer) for answer in item.accepted)
    if item.type == MATCHING:
        return " ".join(
            f"={_out(pair.prompt) if pair.prompt else ''} -> {_out(pair.answer)}" for pair in item.pairs
        )
    raise ValueError(f"item {item.id!r}: a {item.type} item cannot be written as GIFT")


def export_gift(items, *, seed=0):
    """GIFT text for ``items``. Parameterised items are written as their draw for
    ``seed`` (GIFT has no random numbers); a cloze item cannot be GIFT and raises
    ValueError naming it (export it as Moodle XML)."""
    unsupported = [item.id for item in items if item.type == CLOZE]
    if unsupported:
        raise ValueError(f"cloze items cannot be written as GIFT (use Moodle XML): {unsupported}")
    out = ["// Exported by the course's autograder. Points and sections are not part of GIFT.", ""]
    for item in items:
        prompt = numeric_view(item, seed)[0]
        feedback = "" if item.explanation == NO_EXPLANATION else f" ####{_out(item.explanation)}"
        out.append(f"::{item.id}:: {_out(prompt)} {{{_body(item, seed)}{feedback}}}")
        out.append("")
    return "\n".join(out)
