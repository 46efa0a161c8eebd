"""Exercise statements are Markdown written in admin: render, then sanitise.

Instructors are trusted, but an admin account can be phished; a statement is
shown to every student, so what it may contain is an allow-list (nh3).
"""

import html
import re

import markdown
import nh3

_EXTENSIONS = ["fenced_code", "tables"]
_FENCE = re.compile(r"(^```.*?^```[ \t]*$)", re.MULTILINE | re.DOTALL)
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<![\\$])\$([^$\n]+?)\$")


def _protect_math(text: str) -> str:
    # Markdown would read the underscores and asterisks of TeX as emphasis.
    # Math stays TeX source marked class="math"; the exercise page renders it
    # with KaTeX from our own static files, and without JavaScript the source shows.
    text = _DISPLAY_MATH.sub(lambda m: f'\n\n<pre class="math">{html.escape(m.group(1).strip())}</pre>\n\n', text)
    return _INLINE_MATH.sub(lambda m: f'<code class="math">{html.escape(m.group(1))}</code>', text)


def markdown_to_safe_html(text: str) -> str:
    parts = _FENCE.split(text)
    # Odd parts are fenced code blocks: `$` there is code, not math.
    prepared = "".join(part if index % 2 else _protect_math(part) for index, part in enumerate(parts))
    html_text = markdown.markdown(prepared, extensions=_EXTENSIONS, output_format="html")
    # The one class kept is "math", on the two elements _protect_math makes.
    return nh3.clean(html_text, allowed_classes={"pre": {"math"}, "code": {"math"}})
