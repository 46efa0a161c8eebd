"""What the GIFT and Moodle XML importers and exporters share: the error type,
the zh/en convention, ids from titles, and turning HTML into our plain text.

Conventions (the same in both formats):
- Bilingual text: a text written ``[zh]中文[en]English`` fills both languages;
  any other text fills both with the same words. Exporters write the markers
  only when the two languages differ.
- Ids: a question's title (GIFT ``::title::``, Moodle ``<name>``) becomes its
  id, lower-cased with anything but letters and digits turned into hyphens;
  a title that leaves nothing (a Chinese title, say) gives ``q<position>``.
  Exporters write the id as the title, so a second import keeps it.
- HTML: our items are plain text (the pages escape them), so HTML question
  text is turned into text on import: tags dropped, <br> and block ends made
  line breaks, entities decoded. Exporters declare plain text. Images and
  other media are not imported.
- Numbers: both formats hold an absolute tolerance per answer, so a relative
  tolerance is written as the absolute one it gives around the answer; a
  parameterised item (numbers drawn per student) is written as the numeric
  item its draw for a fixed seed gives. ``portable`` says what comes back.
- Explanation: a question without general feedback gets NO_EXPLANATION, which
  exporters leave out again. Per-answer feedback is not kept (an item has one
  explanation).
"""

import re
from dataclasses import dataclass, replace
from fractions import Fraction
from html.parser import HTMLParser

from quizzes.items import NUMERIC, PARAMETERISED, Text
from quizzes.parameterised import render

NO_EXPLANATION = Text("（本题没有解析。）", "(No explanation given.)")


@dataclass(frozen=True)
class ImportProblem:
    line: int  # 1-based; 0 when the problem is the file as a whole
    message: str
    column: int = 0  # 1-based when known

    def __str__(self):
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ImportErrors(ValueError):
    """A file that cannot be imported; ``errors`` lists every problem found."""

    def __init__(self, errors):
        self.errors = sorted(errors, key=lambda problem: (problem.line, problem.column))
        super().__init__("; ".join(str(problem) for problem in self.errors))


_BILINGUAL = re.compile(r"^\s*\[zh\](.*?)\[en\](.*)$", re.DOTALL)


def split_languages(text):
    match = _BILINGUAL.match(text)
    if match:
        return Text(match.group(1).strip(), match.group(2).strip())
    return Text(text.strip(), text.strip())


def join_languages(text):
    return text.zh if text.zh == text.en else f"[zh]{text.zh}[en]{text.en}"


def id_from_title(title, position):
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80].strip("-")
    return slug or f"q{position}"


def unique_ids(ids):
    """The same ids, with -2, -3 ... appended to the repeats."""
    seen, result = set(), []
    for candidate in ids:
        unique, n = candidate, 1
        while unique in seen:
            n += 1
            unique = f"{candidate[:75]}-{n}"
        seen.add(unique)
        result.append(unique)
    return result


class _TextOfHtml(HTMLParser):
    _BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def text_of_html(html):
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    return "\n".join(line for line in lines if line).strip()


def numeric_view(item, seed):
    """(prompt, answer, absolute tolerance, further answers) as the formats hold a
    numeric or parameterised item; the prompt alone for the other types."""
    rendered = render(item, seed)
    if item.type not in (NUMERIC, PARAMETERISED):
        return rendered.prompt, None, None, ()
    answer = rendered.answer if item.type == PARAMETERISED else item.answer_number
    return rendered.prompt, answer, max(item.abs_tol, item.rel_tol * abs(answer)), item.more_numbers


def portable(item, *, seed=0, gift=False):
    """``item`` as an export and a re-import give it back: what the formats cannot
    hold is gone (for GIFT also points, section and case sensitivity)."""
    if item.type in (NUMERIC, PARAMETERISED):
        prompt, answer, tolerance, more = numeric_view(item, seed)
        item = replace(item, type=NUMERIC, prompt=prompt, answer_number=float(answer),
                       abs_tol=float(tolerance), rel_tol=0.0, generator="")
    if gift:
        item = replace(item, points=Fraction(1), section="")
        if item.case_sensitive:
            item = replace(item, case_sensitive=False)
    return item
