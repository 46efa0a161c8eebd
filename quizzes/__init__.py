"""Chapter quizzes.

The modules here that define, validate, score and load items (items, normalise,
parameterised, validation, scoring, bank) import nothing from Django, so they are
tested without a database and shared by the loader, admin and the importers.
"""
