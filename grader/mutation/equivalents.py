"""Mutants an instructor has marked equivalent: content/exercises/<slug>/mutants.toml.

    [[equivalent]]
    id = "3d754cc9e742"          # the id the mutation report prints
    reason = "why no correct check can tell it from the reference"

A mutant that behaves exactly like the reference on every input no test can
kill; marking it keeps it out of the mutation score's denominator. The ids do
not depend on line numbers, so a mark survives edits elsewhere in the file.
"""

import tomllib
from pathlib import Path

MUTANTS_FILE = "mutants.toml"


class EquivalentsError(ValueError):
    pass


def equivalents_read(*, exercise_dir: Path) -> dict[str, str]:
    """Marked mutant id -> reason; empty when the exercise has no mutants.toml."""
    path = exercise_dir / MUTANTS_FILE
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise EquivalentsError(f"{path.name}: not valid TOML: {exc}") from exc
    unknown = set(data) - {"equivalent"}
    if unknown:
        raise EquivalentsError(f"{path.name}: unknown key(s) {', '.join(sorted(unknown))}; known: equivalent")
    marked = {}
    for position, entry in enumerate(data.get("equivalent", []), start=1):
        if not isinstance(entry, dict) or set(entry) - {"id", "reason", "description"}:
            raise EquivalentsError(f"{path.name}: equivalent #{position} may only have id, reason and description")
        identifier, reason = entry.get("id"), entry.get("reason")
        if not isinstance(identifier, str) or not identifier or not isinstance(reason, str) or not reason.strip():
            raise EquivalentsError(f"{path.name}: equivalent #{position} needs a string id and a reason")
        if identifier in marked:
            raise EquivalentsError(f"{path.name}: mutant {identifier} is marked twice")
        marked[identifier] = reason.strip()
    return marked
