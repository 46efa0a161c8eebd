"""Compile locale/*/LC_MESSAGES/*.po to .mo with Babel (pure Python).

Django's `compilemessages` needs GNU gettext's msgfmt, a system package; this
needs only requirements.txt, so `make install` and the image build work on a
machine with nothing but Python. Exits non-zero on a catalogue it cannot read.
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compile_catalogue(po_path: Path) -> Path:
    with po_path.open("rb") as po_file:
        catalogue = read_po(po_file, abort_invalid=True)
    mo_path = po_path.with_suffix(".mo")
    with mo_path.open("wb") as mo_file:
        # Fuzzy entries are guesses awaiting review: leave them out, as msgfmt does.
        write_mo(mo_file, catalogue, use_fuzzy=False)
    return mo_path


def main() -> int:
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        compile_catalogue(po_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
