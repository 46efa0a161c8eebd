"""Moodle XML questions: reading into Items and writing them back.

    parse_moodle_xml(text) -> list[Item]   raises ImportErrors listing every problem
    export_moodle_xml(items, seed=0) -> str

Read with defusedxml's parser and forbid_dtd: Moodle never writes a DTD, so a
file that declares one (the entity bombs and external entities all need one)
is refused as a whole before any question is read. Line numbers come from
that same parser: defusedxml's XMLParser is the pure-Python ElementTree
parser over expat, and our tree builder asks expat for its current line as
each element opens (ElementTree alone keeps no positions).

Types: multichoice (single or multiple, fractions become option weights),
truefalse, shortanswer (usecase), numerical (tolerance per answer), matching
(subquestions; one without text is a distractor) and cloze (embedded answers
{1:SHORTANSWER:=a~b}, {2:MULTICHOICE:...}, {1:NUMERICAL:=3:0.1} and their
short names, each a gap of the item). Category questions are skipped; any
other type is an error naming the question and its line. Points are
<defaultgrade>, the section travels as a tag "section:2.3.1". HTML text is
turned into plain text (quizzes/interchange.py has the shared conventions).
"""

import re
import xml.etree.ElementTree as ElementTree
from fractions import Fraction

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from quizzes.gift import choice_fields
from quizzes.interchange import (
    NO_EXPLANATION, ImportErrors, ImportProblem, id_from_title, join_languages,
    numeric_view, split_languages, text_of_html, unique_ids,
)
from quizzes.items import (
    CLOZE, MATCHING, MULTIPLE, NUMERIC, PARAMETERISED, SHORT, SINGLE, TRUE_FALSE,
    Item, NumericAnswer, Pair, Text,
)
from quizzes.validation import validate_item

_SECTION_TAG = "section:"


class _Problem(Exception):
    pass


class _LineTreeBuilder(ElementTree.TreeBuilder):
    """Records the line each element's start tag is on (in .lines, by element)."""

    expat = None

    def __init__(self):
        super().__init__()
        self.lines = {}

    def start(self, tag, attrs):
        element = super().start(tag, attrs)
        self.lines[element] = self.expat.CurrentLineNumber
        return element


def _parse_tree(text):
    builder = _LineTreeBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    builder.expat = parser.parser
    try:
        parser.feed(text)
        return parser.close(), builder.lines
    except DefusedXmlException as refused:
        raise ImportErrors([ImportProblem(
            parser.parser.CurrentLineNumber,
            f"refused: the file declares a DTD or entities ({type(refused).__name__}); "
            "Moodle XML needs neither, and they are how XML bombs and file reads work",
        )]) from None
    except ParseError as broken:
        line, column = broken.position
        raise ImportErrors([ImportProblem(line, f"not well-formed XML: {broken}", column + 1)]) from None


def _child_text(element, path, default=""):
    found = element.find(path)
    return default if found is None or found.text is None else found.text


def _rich(element, path):
    """The plain text of a <path format=...><text>...</text></path>."""
    holder = element.find(path)
    if holder is None:
        return ""
    raw = _child_text(holder, "text")
    html = holder.get("format", "html") in ("html", "moodle_auto_format")
    return text_of_html(raw) if html else raw.strip()


def _fraction(answer):
    raw = answer.get("fraction", "0")
    try:
        value = (Fraction(raw) / 100).limit_denominator(100)
    except (ValueError, ZeroDivisionError):
        raise _Problem(f"fraction {raw!r} is not a number") from None
    if not -1 <= value <= 1:
        raise _Problem(f"fraction {raw}% is outside -100% to 100%")
    return value


def _number(raw, what):
    try:
        return float(raw.strip())
    except (ValueError, AttributeError):
        raise _Problem(f"{what} {raw!r} is not a number") from None


def _full_credit_only(weight, what):
    if weight not in (0, 1):
        raise _Problem(f"partial credit on a {what} answer is not supported")
    return weight == 1


def _multichoice(question):
    answers = [(_fraction(a), split_languages(_rich(a, "."))) for a in question.findall("answer")]
    single = _child_text(question, "single", "true").strip().lower() in ("true", "1")
    return choice_fields(answers, single=single)


def _truefalse(question):
    for answer in question.findall("answer"):
        if _fraction(answer) == 1:
            word = _rich(answer, ".").lower()
            if word in ("true", "false"):
                return {"type": TRUE_FALSE, "answer_bool": word == "true"}
    raise _Problem("a truefalse question needs an answer 'true' or 'false' worth 100%")


def _shortanswer(question):
    accepted = tuple(
        _rich(a, ".") for a in question.findall("answer")
        if _full_credit_only(_fraction(a), "short")
    )
    return {"type": SHORT, "accepted": accepted,
            "case_sensitive": _child_text(question, "usecase", "0").strip() == "1"}


def _numbers(pairs):
    if not pairs:
        raise _Problem("a numerical question needs an answer worth 100%")
    for value, tolerance in pairs:
        if tolerance <= 0:
            raise _Problem(f"the numerical answer {value:g} needs a tolerance above 0: "
                           "typed numbers rarely match exactly")
    (value, tolerance), more = pairs[0], pairs[1:]
    return {"type": NUMERIC, "answer_number": value, "abs_tol": tolerance,
            "more_numbers": tuple(NumericAnswer(v, t) for v, t in more)}


def _numerical(question):
    pairs = [
        (_number(_rich(a, "."), "answer"), abs(_number(_child_text(a, "tolerance", "0"), "tolerance")))
        for a in question.findall("answer") if _full_credit_only(_fraction(a), "numerical")
    ]
    return _numbers(pairs)


def _matching(question):
    pairs = []
    for n, sub in enumerate(question.findall("subquestion"), start=1):
        prompt = _rich(sub, ".")
        pairs.append(Pair(key=str(n), prompt=split_languages(prompt) if prompt else None,
                          answer=split_languages(_child_text(sub, "answer/text").strip())))
    return {"type": MATCHING, "pairs": tuple(pairs)}


# --- cloze -------------------------------------------------------------------

_GAP = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^\\}])*)\}")
_GAP_TYPES = {
    "SHORTANSWER": SHORT, "SA": SHORT, "MW": SHORT,
    "SHORTANSWER_C": SHORT, "SAC": SHORT, "MWC": SHORT,
    "NUMERICAL": NUMERIC, "NM": NUMERIC,
    "MULTICHOICE": SINGLE, "MC": SINGLE, "MULTICHOICE_V": SINGLE, "MCV": SINGLE,
    "MULTICHOICE_H": SINGLE, "MCH": SINGLE, "MULTICHOICE_S": SINGLE, "MCS": SINGLE,
    "MULTICHOICE_VS": SINGLE, "MCVS": SINGLE, "MULTICHOICE_HS": SINGLE, "MCHS": SINGLE,
    "MULTIRESPONSE": MULTIPLE, "MR": MULTIPLE, "MULTIRESPONSE_H": MULTIPLE, "MRH": MULTIPLE,
    "MULTIRESPONSE_S": MULTIPLE, "MRS": MULTIPLE, "MULTIRESPONSE_HS": MULTIPLE, "MRHS": MULTIPLE,
}
_GAP_ESCAPED = "\\}#~/\""


def _gap_unescape(text):
    return re.sub(r"\\(.)", r"\1", text)


def _gap_escape(text):
    for char in "\\" + _GAP_ESCAPED.replace("\\", ""):
        text = text.replace(char, "\\" + char)
    return text


def _split_unescaped(text, separator):
    pieces, current, i = [], [], 0
    while i < len(text):
        if text[i] == "\\":
            current.append(text[i:i + 2])
            i += 2
            continue
        if text[i] == separator:
            pieces.append("".join(current))
            current = []
        else:
            current.append(text[i])
        i += 1
    pieces.append("".join(current))
    return pieces


def _gap_answers(body):
    """(weight, text) per answer of an embedded question; feedback dropped."""
    answers = []
    for raw in _split_unescaped(body, "~"):
        weight, text = Fraction(0), raw
        match = re.match(r"^%(-?\d+(?:\.\d+)?)%", raw)
        if raw.startswith("="):
            weight, text = Fraction(1), raw[1:]
        elif match:
            weight, text = (Fraction(match.group(1)) / 100).limit_denominator(100), raw[match.end():]
        text = _split_unescaped(text, "#")[0]
        answers.append((weight, _gap_unescape(text).strip()))
    return answers


def _gap(kind, weight, body, code):
    answers = _gap_answers(body)
    fields = {"id": "gap", "prompt": Text("", ""), "explanation": Text("", ""),
              "points": Fraction(weight or 1)}
    if kind == SHORT:
        fields.update(type=SHORT, case_sensitive=code in ("SHORTANSWER_C", "SAC", "MWC"), accepted=tuple(
            text for w, text in answers if _full_credit_only(w, "short")))
    elif kind == NUMERIC:
        pairs = []
        for w, text in answers:
            if _full_credit_only(w, "numerical"):
                value, _, tolerance = text.partition(":")
                pairs.append((_number(value, "answer"), abs(_number(tolerance or "0", "tolerance"))))
        fields.update(_numbers(pairs))
    else:
        fields.update(choice_fields([(w, Text(text, text)) for w, text in answers], single=kind == SINGLE))
    return fields


def _cloze_language(text):
    """(prompt with {#n} markers, gap fields) of one language's cloze text."""
    gaps = []

    def replace(match):
        weight, code, body = match.groups()
        if code not in _GAP_TYPES:
            raise _Problem(f"unknown embedded question type {code!r}")
        gaps.append(_gap(_GAP_TYPES[code], int(weight) if weight else 1, body, code))
        return f"{{#{len(gaps)}}}"

    return _GAP.sub(replace, text), gaps


def _cloze(question):
    text = split_languages(_rich(question, "questiontext"))
    prompt_zh, gaps_zh = _cloze_language(text.zh)
    prompt_en, gaps_en = _cloze_language(text.en)
    if len(gaps_zh) != len(gaps_en):
        raise _Problem("the zh and en texts have different gaps")
    parts = []
    for n, (zh, en) in enumerate(zip(gaps_zh, gaps_en), start=1):
        if zh["type"] in (SINGLE, MULTIPLE):
            # option words may differ by language; the rest must not
            if len(zh["options"]) != len(en["options"]):
                raise _Problem(f"gap {n} has different options in zh and en")
            zh["options"] = tuple(
                type(a)(key=a.key, text=Text(a.text.zh, b.text.en), correct=a.correct, weight=a.weight)
                for a, b in zip(zh["options"], en["options"])
            )
            en["options"] = zh["options"]
        if zh != en:
            raise _Problem(f"gap {n} differs between the zh and en texts")
        parts.append(Item(**{**zh, "id": str(n)}))
    return {"type": CLOZE, "parts": tuple(parts), "prompt": Text(prompt_zh, prompt_en)}


_READERS = {
    "multichoice": _multichoice, "truefalse": _truefalse, "shortanswer": _shortanswer,
    "numerical": _numerical, "matching": _matching, "cloze": _cloze,
}


def _question(question, position):
    kind = question.get("type", "")
    name = _child_text(question, "name/text").strip()
    if kind not in _READERS:
        raise _Problem(f"question type {kind!r} is not supported "
                       f"(supported: {', '.join(sorted(_READERS))}, and category)")
    fields = {
        "id": id_from_title(name, position),
        "prompt": split_languages(_rich(question, "questiontext")),
        "explanation": split_languages(_rich(question, "generalfeedback")),
    }
    if not _rich(question, "generalfeedback"):
        fields["explanation"] = NO_EXPLANATION
    grade = _child_text(question, "defaultgrade", "1")
    # validation names a zero or negative grade rather than it being replaced
    fields["points"] = Fraction(grade.strip() or "1").limit_denominator(100)
    for tag in question.findall("tags/tag"):
        label = _child_text(tag, "text").strip()
        if label.startswith(_SECTION_TAG):
            fields["section"] = label[len(_SECTION_TAG):]
    fields.update(_READERS[kind](question))
    return fields


def parse_moodle_xml(text):
    """The questions (``text``: str, or the file's bytes) of a Moodle XML file as validated Items; ImportErrors lists
    every problem, each naming the question and its line."""
    # bytes go to expat as they are, so the file's own encoding declaration holds
    root, lines = _parse_tree(text)
    if root.tag != "quiz":
        raise ImportErrors([ImportProblem(1, f"the root element is <{root.tag}>, not <quiz>")])
    found, errors = [], []
    for position, question in enumerate(root.findall("question"), start=1):
        line = lines.get(question, 0)
        if question.get("type") == "category":
            continue
        name = _child_text(question, "name/text").strip() or f"question {position}"
        try:
            fields = _question(question, position)
        except (_Problem, ValueError, ZeroDivisionError) as problem:
            errors.append(ImportProblem(line, f"question {position} ({name!r}): {problem}"))
            continue
        found.append((line, name, fields))
    ids = unique_ids([fields["id"] for _, _, fields in found])
    items = []
    for (line, name, fields), item_id in zip(found, ids):
        item = Item(**{**fields, "id": item_id})
        errors += [ImportProblem(line, f"question {name!r}: {p}") for p in validate_item(item)]
        items.append(item)
    if errors:
        raise ImportErrors(errors)
    return items


# --- export ------------------------------------------------------------------

def _sub(parent, tag, text=None, **attrs):
    element = ElementTree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _text_element(parent, tag, text, **attrs):
    holder = _sub(parent, tag, format="plain_text", **attrs)
    _sub(holder, "text", join_languages(text) if isinstance(text, Text) else text)
    return holder


def _percent(weight):
    percent = Fraction(weight) * 100
    return str(percent.numerator) if percent.denominator == 1 else f"{float(percent):.7f}"


def _choice_weights(item):
    if all(o.weight is None for o in item.options):
        if item.type == SINGLE:
            return [Fraction(int(o.correct)) for o in item.options]
        k = sum(o.correct for o in item.options)
        return [Fraction(1 if o.correct else -1, k) for o in item.options]
    return [Fraction(o.weight) for o in item.options]


def _gap_text(part):
    if part.type in (SINGLE, MULTIPLE):
        code = "MULTICHOICE" if part.type == SINGLE else "MULTIRESPONSE"
        answers = [(w, o.text) for w, o in zip(_choice_weights(part), part.options)]
    elif part.type == SHORT:
        code = "SHORTANSWER_C" if part.case_sensitive else "SHORTANSWER"
        answers = [(Fraction(1), Text(a, a)) for a in part.accepted]
    else:
        code = "NUMERICAL"
        numbers = [(part.answer_number, part.abs_tol)] + [(a.value, a.tolerance) for a in part.more_numbers]
        answers = [(Fraction(1), Text(f"{v!r}:{t!r}", f"{v!r}:{t!r}")) for v, t in numbers]
    return code, answers


def _cloze_text(item, language):
    text = getattr(item.prompt, language)
    for n, part in enumerate(item.parts, start=1):
        code, answers = _gap_text(part)
        body = "~".join(f"%{_percent(w)}%{_gap_escape(getattr(t, language))}" for w, t in answers)
        text = text.replace(f"{{#{n}}}", f"{{{int(part.points)}:{code}:{body}}}")
    return text


def _question_element(quiz, item, seed):
    kinds = {SINGLE: "multichoice", MULTIPLE: "multichoice", TRUE_FALSE: "truefalse",
             NUMERIC: "numerical", PARAMETERISED: "numerical", SHORT: "shortanswer",
             MATCHING: "matching", CLOZE: "cloze"}
    question = _sub(quiz, "question", type=kinds[item.type])
    name = _sub(question, "name")
    _sub(name, "text", item.id)
    prompt = numeric_view(item, seed)[0]
    if item.type == CLOZE:
        prompt = Text(_cloze_text(item, "zh"), _cloze_text(item, "en"))
    _text_element(question, "questiontext", prompt)
    explanation = "" if item.explanation == NO_EXPLANATION else item.explanation
    _text_element(question, "generalfeedback", explanation)
    _sub(question, "defaultgrade", f"{float(item.points):.7f}")
    if item.type in (SINGLE, MULTIPLE):
        _sub(question, "single", "true" if item.type == SINGLE else "false")
        for weight, option in zip(_choice_weights(item), item.options):
            _text_element(question, "answer", option.text, fraction=_percent(weight))
    elif item.type == TRUE_FALSE:
        for word in ("true", "false"):
            _text_element(question, "answer", word, fraction="100" if item.answer_bool == (word == "true") else "0")
    elif item.type in (NUMERIC, PARAMETERISED):
        _, answer, tolerance, more = numeric_view(item, seed)
        for value, tol in [(answer, tolerance)] + [(a.value, a.tolerance) for a in more]:
            element = _text_element(question, "answer", repr(float(value)), fraction="100")
            _sub(element, "tolerance", repr(float(tol)))
    elif item.type == SHORT:
        _sub(question, "usecase", "1" if item.case_sensitive else "0")
        for answer in item.accepted:
            _text_element(question, "answer", answer, fraction="100")
    elif item.type == MATCHING:
        for pair in item.pairs:
            sub = _text_element(question, "subquestion", pair.prompt or "")
            _sub(_sub(sub, "answer"), "text", join_languages(pair.answer))
    if item.section:
        tags = _sub(question, "tags")
        _sub(_sub(tags, "tag"), "text", _SECTION_TAG + item.section)


def export_moodle_xml(items, *, seed=0):
    """Moodle XML for ``items``; parameterised items are written as their draw for
    ``seed`` (a numerical question: the random numbers are ours, not Moodle's)."""
    quiz = ElementTree.Element("quiz")
    for item in items:
        _question_element(quiz, item, seed)
    ElementTree.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(quiz, encoding="unicode") + "\n"
