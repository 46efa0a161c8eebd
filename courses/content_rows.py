"""Writing one row of file content (course, chapter, exercise, quiz, question, assignment), and
remembering what was written so that a later load does not undo an edit made in admin.

Instructors author in admin with no deploy, and the sample course is loaded again by every
`make install`, `make run` and deploy. So each load records, per row, a digest of every value it
wrote (courses.models.ContentFingerprint), and the next load decides per row:

- created: no such row yet;
- unchanged: the row already holds the files' values (its fingerprint is brought up to date);
- updated: the row differs from the files, and every field still holds what the last load wrote
  (so a content change shipped in a release arrives);
- kept: a field was changed since the last load (in admin): the whole row is left as it is and
  reported with those fields, so an edit and a release never mix into a row nobody wrote;
- kept, unrecorded: the row differs from the files and no load recorded it (rows loaded before
  fingerprints existed): nobody can tell an admin edit from an older file, so it is kept too.

With overwrite, every row takes the files' values, as loads did before fingerprints.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from courses.models import ContentFingerprint

EDITED = "edited"  # changed in admin since the last load
UNRECORDED = "unrecorded"  # differs from the files, and no load recorded what it wrote


@dataclass(frozen=True)
class KeptRow:
    reason: str  # EDITED or UNRECORDED
    fields: list[str]  # EDITED: the fields changed since the last load; UNRECORDED: those differing from the files


def content_key(model, natural_key: str) -> str:
    """How a row loaded from files is named in ContentFingerprint, e.g. "grader.exercise:softmax"."""
    return f"{model._meta.label_lower}:{natural_key}"


def _canonical(value):
    """A JSON form in which a value read from a file and the same value read back from its
    column give the same text (10, 10.0 and Decimal("10.00") alike; a relation by its key)."""
    if isinstance(value, models.Model):
        value = value.pk  # a relation is recorded by its key, as _current reads it back
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float, Decimal)):
        # 10 == 10.0 == Decimal("10.00"): a file's number and the column's read back alike.
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return {"number": str(number.normalize())}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    raise TypeError(f"no canonical form for {type(value).__name__}")


def value_digest(value) -> str:
    text = json.dumps(_canonical(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _current(row: models.Model, name: str, wanted):
    # Compare keys for relations: reading row.<fk> could cost a query per row.
    return getattr(row, f"{name}_id") if isinstance(wanted, models.Model) else getattr(row, name)


def fields_differing(row: models.Model, values: dict) -> list[str]:
    return [
        name
        for name, wanted in values.items()
        if _current(row, name, wanted) != (wanted.pk if isinstance(wanted, models.Model) else wanted)
    ]


class ContentRows:
    """The fingerprints of one load: read in one query up front, written in one query at the end."""

    def __init__(self, keys, *, overwrite: bool = False):
        self.overwrite = overwrite
        self._recorded = dict(ContentFingerprint.objects.filter(key__in=list(keys)).values_list("key", "digests"))
        self._pending: dict[str, dict[str, str]] = {}

    def load(self, model, *, existing, lookup: dict, values: dict, key: str, label: str, result, before_write=None):
        """Create, update, keep or leave one row; count it in `result` (created, updated, kept, unchanged).

        `before_write(row_or_none)` runs only when the row is to be written, before it is.
        Returns the row (the existing one when nothing is written).
        """
        digests = {name: value_digest(value) for name, value in values.items()}
        if existing is not None:
            changed = fields_differing(existing, values)
            if not changed:
                # Nothing to write: the common case on every `make install`. A row loaded before
                # fingerprints, or an edit since undone, is now known to be as the files say.
                if self._recorded.get(key) != digests:
                    self._pending[key] = digests
                result.unchanged += 1
                return existing
            kept = None if self.overwrite else self._kept(existing, values, changed, self._recorded.get(key))
            if kept is not None:
                result.kept[label] = kept
                return existing
        if before_write is not None:
            before_write(existing)
        if existing is None:
            row = model.objects.create(**lookup, **values)
            result.created.append(label)
        else:
            for name, value in values.items():
                setattr(existing, name, value)
            auto_now = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
            existing.save(update_fields=[*values, *auto_now])
            row = existing
            result.updated[label] = changed
        self._pending[key] = digests
        return row

    @staticmethod
    def _kept(existing, values: dict, changed: list[str], recorded: dict | None) -> KeptRow | None:
        if recorded is None:
            return KeptRow(UNRECORDED, changed)
        # Only what the last load wrote can have been edited since. A field the files begin to
        # set (say `published = true` in a release) is the files' new word on it, as before.
        edited = [
            name
            for name, wanted in values.items()
            if name in recorded and value_digest(_current(existing, name, wanted)) != recorded[name]
        ]
        return KeptRow(EDITED, edited) if edited else None

    def save(self) -> None:
        """Record what this load wrote (inside the load's transaction: a failed load records nothing)."""
        if not self._pending:
            return
        ContentFingerprint.objects.bulk_create(
            [ContentFingerprint(key=key, digests=digests) for key, digests in self._pending.items()],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["digests", "loaded_at"],
        )
        self._recorded.update(self._pending)
        self._pending = {}
