"""Exercise statements are Markdown written in admin: render, then sanitise.

Instructors are trusted, but an admin account can be phished; a statement is
shown to every student, so what it may contain is an allow-list (nh3).
"""

import markdown
import nh3

_EXTENSIONS = ["fenced_code", "tables"]


def markdown_to_safe_html(text: str) -> str:
    return nh3.clean(markdown.markdown(text, extensions=_EXTENSIONS, output_format="html"))
