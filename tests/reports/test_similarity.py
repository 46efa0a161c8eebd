"""Similarity: a planted near-copy is found; code that shares only the starter code or the reference is not."""

import pytest

from courses.models import Enrollment
from grader.models import Submission
from review.models import SimilarityReport, SimilarPair
from review.services.similarity import latest_student_submissions, similarity_report_run
from review.similarity import similar_pairs

# A long starter: helpers and a docstring every student is given, around the one function they write.
STARTER = '''import numpy as np


def check_shapes(q, k, v):
    """Raise ValueError unless q, k and v have matching batch and feature dimensions."""
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k differ in their last dimension: {q.shape} vs {k.shape}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v differ in their sequence length: {k.shape} vs {v.shape}")
    return q.shape[-1]


def apply_mask(scores, mask):
    """Set the masked positions of scores to minus infinity; mask is boolean, True where allowed."""
    if mask is None:
        return scores
    return np.where(mask, scores, -np.inf)


def softmax(x, axis=-1):
    """Return the softmax of x along axis."""
    # TODO: write softmax
    raise NotImplementedError
'''

ALICE = STARTER.replace(
    '''    # TODO: write softmax
    raise NotImplementedError
''',
    '''    x = np.asarray(x, dtype=np.float64)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=axis, keepdims=True)
''',
)
# Alice's code with names and comments changed: what copying then disguising looks like.
MALLORY = ALICE.replace("shifted", "centred").replace("exps", "powers").replace(
    "    x = np.asarray", "    # make it a float array first\n    x = np.asarray"
)
# A different solution in the same starter.
BOB = STARTER.replace(
    '''    # TODO: write softmax
    raise NotImplementedError
''',
    '''    values = np.moveaxis(np.array(x, dtype=float), axis, -1)
    peak = values.max(axis=-1)[..., None]
    out = np.exp(values - peak)
    out /= out.sum(axis=-1)[..., None]
    return np.moveaxis(out, -1, axis)
''',
)


def _pairs(codes, **kwargs):
    return {(pair.first, pair.second): pair for pair in similar_pairs(codes, **kwargs)}


def test_a_disguised_copy_is_found():
    pairs = _pairs({"alice": ALICE, "mallory": MALLORY, "bob": BOB}, boilerplate=[STARTER], threshold=0.8)
    assert set(pairs) == {("alice", "mallory")}
    pair = pairs[("alice", "mallory")]
    assert pair.similarity >= 0.8 and pair.shared_tokens > 0
    # The spans cover Alice's own softmax, not the starter's helpers (a k-gram of 25 filtered
    # characters may straddle the few lines just before it: a docstring filters to one character).
    own = ALICE.index("    x = np.asarray")
    helpers_end = ALICE.index("    return np.where")
    assert pair.first_spans and all(helpers_end <= start < own < end for start, end in pair.first_spans)


def test_code_that_differs_only_by_the_starter_is_not_flagged():
    # Without the starter removed, Bob and Alice look alike because of what they were both given.
    assert ("alice", "bob") in _pairs({"alice": ALICE, "bob": BOB}, threshold=0.5)
    assert _pairs({"alice": ALICE, "bob": BOB}, boilerplate=[STARTER], threshold=0.5) == {}


def test_two_students_who_both_hand_in_the_reference_are_not_flagged():
    assert _pairs({"alice": ALICE, "carol": ALICE}, boilerplate=[STARTER, ALICE], threshold=0.1) == {}


def test_progress_is_reported_up_to_the_total():
    seen = []
    codes = {f"s{i}": ALICE.replace("shifted", f"v{i}") for i in range(8)}
    similar_pairs(codes, boilerplate=[STARTER], progress=lambda done, total: seen.append((done, total)), progress_rows=3)
    # After 3 and 6 documents (7 + 6 + 5 pairs, then 4 + 3 + 2), and at the end.
    assert seen == [(18, 28), (27, 28), (28, 28)]


def test_the_share_matrix_gives_compare_files_own_numbers_for_every_pair():
    from itertools import combinations

    from review.similarity import boilerplate_hashes, compare, fingerprint, share_matrix

    texts = [ALICE, MALLORY, BOB, STARTER, ALICE + BOB, "import numpy as np\n", BOB.replace("peak", "p")]
    ignored = boilerplate_hashes([STARTER])
    prints = [fingerprint(text, ignored) for text in texts]
    shares = share_matrix(prints)
    for first, second in combinations(range(len(texts)), 2):
        pair = compare(prints[first], prints[second])
        assert shares[first, second] == pytest.approx(pair.first_similarity, abs=1e-12)
        assert shares[second, first] == pytest.approx(pair.second_similarity, abs=1e-12)


# --- the report, on the database -----------------------------------------------------------------


@pytest.fixture
def classroom(alpha):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    alpha.exercise.starter_code = STARTER
    alpha.exercise.save()
    people = {}
    for name in ("alice", "mallory", "bob"):
        people[name] = User.objects.create_user(username=name)
        Enrollment.objects.create(user=people[name], course=alpha.course)
    return alpha, people


def _submit(user, exercise, code):
    return Submission.objects.create(user=user, exercise=exercise, code=code, code_sha256="0" * 64)


@pytest.mark.django_db
def test_the_report_compares_each_student_s_latest_submission_only(classroom):
    alpha, people = classroom
    _submit(people["alice"], alpha.exercise, ALICE)
    _submit(people["mallory"], alpha.exercise, MALLORY)  # copied first...
    latest_mallory = _submit(people["mallory"], alpha.exercise, BOB.replace("peak", "top"))  # ...then rewritten
    bob = _submit(people["bob"], alpha.exercise, BOB)
    _submit(alpha.instructor, alpha.exercise, ALICE)  # staff: not compared
    latest = set(latest_student_submissions(exercise=alpha.exercise).values_list("pk", flat=True))
    assert latest_mallory.pk in latest and bob.pk in latest and len(latest) == 3
    report = SimilarityReport.objects.create(exercise=alpha.exercise, threshold=0.8)
    assert similarity_report_run(report_id=report.pk) == "done"
    report.refresh_from_db()
    assert (report.status, report.submissions, report.pairs_total, report.pairs_done) == ("done", 3, 3, 3)
    assert list(SimilarPair.objects.values_list("first", "second")) == [(latest_mallory.pk, bob.pk)]


@pytest.mark.django_db
def test_running_a_report_twice_stores_its_pairs_once(classroom):
    alpha, people = classroom
    _submit(people["alice"], alpha.exercise, ALICE)
    _submit(people["mallory"], alpha.exercise, MALLORY)
    report = SimilarityReport.objects.create(exercise=alpha.exercise, threshold=0.8)
    assert similarity_report_run(report_id=report.pk) == "done"
    assert similarity_report_run(report_id=report.pk) == "not_pending"
    assert SimilarPair.objects.count() == 1


@pytest.mark.django_db
def test_a_threshold_outside_0_to_1_is_refused_and_nothing_is_stored(alpha):
    from review.services.similarity import SimilarityRequestInvalid, similarity_report_request

    for threshold in (0, 1.5, -0.1):
        with pytest.raises(SimilarityRequestInvalid, match="阈值"):
            similarity_report_request(exercise=alpha.exercise, requested_by=alpha.instructor, threshold=threshold)
    assert not SimilarityReport.objects.exists()
