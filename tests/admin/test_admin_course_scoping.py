"""Admin, scoped to the courses a user staffs: every admin model, for its own instructor, its
teaching assistant, an instructor of another course, a student, a staff member who teaches
nothing, and a superuser.

Two courses, alpha and beta, each with a chapter, an exercise, a student, a
graded submission, an extension and an excusal, an instructor and a teaching
assistant (both staff, not superuser).
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from courses.admin_scoping import ALL_ACTIONS, CourseScopedAdmin
from courses.models import Assignment, Chapter, Course, Enrollment, Excusal, Extension
from grader.models import Exercise, GradingRun, ReferenceCheck, RegradeRequest, Submission
from grader.models import TestResult as ResultRow
from grades.models import Grade, GradeChange
from grades.services import grade_recompute

pytestmark = pytest.mark.django_db

User = get_user_model()


@dataclass
class Side:
    course: Course
    chapter: Chapter
    exercise: Exercise
    student: User
    enrollment: Enrollment
    submission: Submission
    teacher: User
    assignment: Assignment
    run: GradingRun
    grade: Grade
    regrade: RegradeRequest
    reference_check: ReferenceCheck
    ta: User
    extension: Extension
    excusal: Excusal


def _side(name: str) -> Side:
    course = Course.objects.create(slug=f"{name}-course", title_en=f"{name} title", title_zh=f"{name} 标题")
    chapter = Chapter.objects.create(course=course, number=1, title_en=f"{name} chapter", title_zh=f"{name} 章")
    exercise = Exercise.objects.create(
        slug=f"{name}-exercise",
        chapter=chapter,
        title_en=f"{name} exercise",
        title_zh=f"{name} 练习",
        reference_solution="def softmax(x):\n    return x\n",
        required_functions=["softmax"],
        check_suite="softmax",
    )
    student = User.objects.create_user(username=f"{name}-student", email=f"{name}@example.org")
    enrollment = Enrollment.objects.create(user=student, course=course)
    submission = Submission.objects.create(
        user=student, exercise=exercise, code=f"# {name} code\n", code_sha256="0" * 64,
        status=Submission.Status.GRADED, score=Decimal("1"), max_score=Decimal("2"),
    )  # fmt: skip
    assignment = Assignment.objects.create(
        course=course, slug=exercise.slug, kind=Assignment.Kind.CODING, exercise=exercise, points=Decimal("2")
    )
    run = GradingRun.objects.create(
        submission=submission, seed=1, suite_version="v1", status=GradingRun.Status.GRADED,
        score=Decimal("1"), max_score=Decimal("2"), operator_detail=f"{name} operator detail",
    )  # fmt: skip
    Submission.objects.filter(pk=submission.pk).update(current_run=run)
    ResultRow.objects.create(
        run=run, position=0, name_en=f"{name} test", hidden=False, passed=False,
        points=Decimal("0"), max_points=Decimal("1"), message_en=f"{name} result message",
    )  # fmt: skip
    grade = grade_recompute(student=student, assignment=assignment, cause=GradeChange.Cause.GRADED)
    teacher = User.objects.create_user(username=f"{name}-teacher", is_staff=True)
    Enrollment.objects.create(user=teacher, course=course, role=Enrollment.Role.INSTRUCTOR)
    regrade = RegradeRequest.objects.create(exercise=exercise, scope=f"{name} scope", requested_by=teacher)
    reference_check = ReferenceCheck.objects.create(exercise=exercise, requested_by=teacher)
    ta = User.objects.create_user(username=f"{name}-ta", is_staff=True)
    Enrollment.objects.create(user=ta, course=course, role=Enrollment.Role.TEACHING_ASSISTANT)
    extension = Extension.objects.create(assignment=assignment, user=student, extra_attempts=1, reason=f"{name} ill")
    excusal = Excusal.objects.create(assignment=assignment, user=student, reason=f"{name} away")
    return Side(
        course, chapter, exercise, student, enrollment, submission, teacher,
        assignment, run, grade, regrade, reference_check, ta, extension, excusal,
    )  # fmt: skip


@pytest.fixture
def alpha():
    return _side("alpha")


@pytest.fixture
def beta():
    return _side("beta")


def _as(client, user):
    client.force_login(user)
    return client


# (admin url prefix, the row of a side that page shows)
MODELS = {
    "courses_course": lambda side: side.course,
    "courses_chapter": lambda side: side.chapter,
    "courses_enrollment": lambda side: side.enrollment,
    "grader_exercise": lambda side: side.exercise,
    "grader_submission": lambda side: side.submission,
    "auth_user": lambda side: side.student,
    "courses_assignment": lambda side: side.assignment,
    "grades_grade": lambda side: side.grade,
    "grader_gradingrun": lambda side: side.run,
    "grader_regraderequest": lambda side: side.regrade,
    "grader_referencecheck": lambda side: side.reference_check,
    "courses_extension": lambda side: side.extension,
    "courses_excusal": lambda side: side.excusal,
}


def _listed(client, name) -> set[int]:
    response = client.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 200, name
    return {row.pk for row in response.context["cl"].result_list}


@pytest.mark.parametrize("name", MODELS)
def test_the_changelist_shows_only_the_instructor_s_course(client, alpha, beta, name):
    row = MODELS[name]
    listed = _listed(_as(client, alpha.teacher), name)
    assert row(alpha).pk in listed
    assert row(beta).pk not in listed


@pytest.mark.parametrize("name", MODELS)
def test_the_other_course_s_instructor_sees_the_mirror_image(client, alpha, beta, name):
    row = MODELS[name]
    listed = _listed(_as(client, beta.teacher), name)
    assert row(beta).pk in listed and row(alpha).pk not in listed


@pytest.mark.parametrize("name", MODELS)
def test_a_superuser_sees_every_course(admin_client, alpha, beta, name):
    row = MODELS[name]
    assert {row(alpha).pk, row(beta).pk} <= _listed(admin_client, name)


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_course_s_row_by_url_is_not_found(client, alpha, beta, name, view):
    foreign = MODELS[name](beta)
    response = _as(client, alpha.teacher).get(reverse(f"admin:{name}_{view}", args=[foreign.pk]))
    _assert_not_shown(response)


def _assert_not_shown(response):
    # Admin answers a row outside the queryset as one that does not exist (a
    # redirect to the index), or 403 when the action is not the instructor's at all.
    assert response.status_code in (302, 403), response.status_code
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:index")
    assert "beta" not in response.content.decode()


@pytest.mark.parametrize("name", MODELS)
def test_the_instructor_s_own_row_opens(client, alpha, beta, name):
    own = MODELS[name](alpha)
    response = _as(client, alpha.teacher).get(reverse(f"admin:{name}_change", args=[own.pk]))
    assert response.status_code == 200, name
    assert "beta-" not in response.content.decode()


@pytest.mark.parametrize("name", MODELS)
def test_changes_to_another_course_s_row_are_refused(client, alpha, beta, name):
    foreign = MODELS[name](beta)
    before = type(foreign).objects.filter(pk=foreign.pk).values().get()
    _assert_not_shown(_as(client, alpha.teacher).post(reverse(f"admin:{name}_change", args=[foreign.pk]), {}))
    response = _as(client, alpha.teacher).post(reverse(f"admin:{name}_delete", args=[foreign.pk]), {"post": "yes"})
    _assert_not_shown(response)
    assert type(foreign).objects.filter(pk=foreign.pk).values().get() == before


def test_a_staff_member_who_teaches_nothing_sees_no_course_data(client, alpha, beta):
    clerk = User.objects.create_user(username="clerk", is_staff=True)
    Enrollment.objects.create(user=clerk, course=alpha.course)  # a student role grants nothing
    _as(client, clerk)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "alpha" not in index.content.decode() and not index.context["app_list"]
    for name in MODELS:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403, name


def test_the_submission_page_shows_its_runs_and_each_run_its_test_results_to_the_course_s_instructor(
    client, alpha, beta
):
    page = _as(client, alpha.teacher).get(reverse("admin:grader_submission_change", args=[alpha.submission.pk]))
    assert reverse("admin:grader_gradingrun_change", args=[alpha.run.pk]) in page.content.decode()
    assert 'name="_save"' not in page.content.decode()  # records, not editable
    run_page = client.get(reverse("admin:grader_gradingrun_change", args=[alpha.run.pk])).content.decode()
    assert "alpha result message" in run_page and "alpha operator detail" in run_page
    assert 'name="_save"' not in run_page


def _choices(response, field) -> set[int]:
    form = response.context["adminform"].form
    return {int(value.value) for value, _ in form.fields[field].choices if value}


def test_form_dropdowns_offer_only_the_instructor_s_courses(client, alpha, beta):
    _as(client, alpha.teacher)
    exercise_form = client.get(reverse("admin:grader_exercise_add"))
    assert _choices(exercise_form, "chapter") == {alpha.chapter.pk}
    chapter_form = client.get(reverse("admin:courses_chapter_add"))
    assert _choices(chapter_form, "course") == {alpha.course.pk}
    enrollment_form = client.get(reverse("admin:courses_enrollment_add"))
    assert set(enrollment_form.context["adminform"].form.fields["course"].queryset) == {alpha.course}


def test_a_superuser_chooses_from_every_course(admin_client, alpha, beta):
    exercise_form = admin_client.get(reverse("admin:grader_exercise_add"))
    assert _choices(exercise_form, "chapter") == {alpha.chapter.pk, beta.chapter.pk}


def test_the_course_autocomplete_lists_only_taught_courses(client, alpha, beta):
    url = reverse("admin:autocomplete") + "?app_label=courses&model_name=enrollment&field_name=course&term="
    results = _as(client, alpha.teacher).get(url).json()["results"]
    assert [int(item["id"]) for item in results] == [alpha.course.pk]


def _exercise_data(exercise, **changes):
    data = {
        "slug": exercise.slug, "chapter": exercise.chapter_id, "position": 0, "title_zh": exercise.title_zh,
        "title_en": exercise.title_en, "statement_zh": "写。", "statement_en": "Write.", "starter_code": "",
        "reference_solution": exercise.reference_solution, "required_functions": '["softmax"]',
        "check_suite": "softmax", "check_params": "{}", "points": "10", "cpu_limit_seconds": "2",
        "wall_limit_seconds": "5", "memory_limit_mb": "256",
    }  # fmt: skip
    data.update(changes)
    return data


def test_an_exercise_cannot_be_moved_into_another_course(client, alpha, beta):
    url = reverse("admin:grader_exercise_change", args=[alpha.exercise.pk])
    response = _as(client, alpha.teacher).post(url, _exercise_data(alpha.exercise, chapter=beta.chapter.pk))
    assert response.status_code == 200
    assert "chapter" in response.context["adminform"].form.errors
    alpha.exercise.refresh_from_db()
    assert alpha.exercise.chapter_id == alpha.chapter.pk


def test_an_exercise_cannot_be_added_to_another_course(client, alpha, beta):
    data = _exercise_data(alpha.exercise, slug="sneaky", chapter=beta.chapter.pk)
    response = _as(client, alpha.teacher).post(reverse("admin:grader_exercise_add"), data)
    assert response.status_code == 200 and "chapter" in response.context["adminform"].form.errors
    assert not Exercise.objects.filter(slug="sneaky").exists()


def test_the_instructor_edits_their_own_exercise(client, alpha, beta):
    url = reverse("admin:grader_exercise_change", args=[alpha.exercise.pk])
    response = _as(client, alpha.teacher).post(url, _exercise_data(alpha.exercise, title_en="Renamed"))
    assert response.status_code == 302
    alpha.exercise.refresh_from_db()
    assert alpha.exercise.title_en == "Renamed"


def test_a_chapter_cannot_be_added_to_another_course(client, alpha, beta):
    data = {"course": beta.course.pk, "number": 7, "title_zh": "x", "title_en": "x"}
    response = _as(client, alpha.teacher).post(reverse("admin:courses_chapter_add"), data)
    assert response.status_code == 200
    assert not Chapter.objects.filter(number=7).exists()
    data["course"] = alpha.course.pk
    assert _as(client, alpha.teacher).post(reverse("admin:courses_chapter_add"), data).status_code == 302
    assert Chapter.objects.get(number=7).course == alpha.course


def test_an_instructor_enrolls_a_student_by_username_in_their_course_only(client, alpha, beta):
    newcomer = User.objects.create_user(username="newcomer")
    _as(client, alpha.teacher)
    refused = client.post(reverse("admin:courses_enrollment_add"), {"user": "newcomer", "course": beta.course.pk})
    assert refused.status_code == 200
    assert not Enrollment.objects.filter(user=newcomer).exists()

    unknown = client.post(reverse("admin:courses_enrollment_add"), {"user": "nobody", "course": alpha.course.pk})
    assert "没有使用该用户名的有效用户" in unknown.content.decode()

    # Asking for the instructor role is ignored: the field is not the instructor's to set.
    data = {"user": "newcomer", "course": alpha.course.pk, "role": Enrollment.Role.INSTRUCTOR}
    assert client.post(reverse("admin:courses_enrollment_add"), data).status_code == 302
    assert Enrollment.objects.get(user=newcomer).role == Enrollment.Role.STUDENT


def test_an_instructor_cannot_promote_a_student(client, alpha, beta):
    url = reverse("admin:courses_enrollment_change", args=[alpha.enrollment.pk])
    data = {"user": alpha.student.username, "course": alpha.course.pk, "role": Enrollment.Role.INSTRUCTOR}
    assert _as(client, alpha.teacher).post(url, data).status_code == 302
    alpha.enrollment.refresh_from_db()
    assert alpha.enrollment.role == Enrollment.Role.STUDENT


def test_an_instructor_s_enrollment_is_a_superuser_s_to_change_or_remove(client, alpha, beta):
    colleague = User.objects.create_user(username="colleague", is_staff=True)
    theirs = Enrollment.objects.create(user=colleague, course=alpha.course, role=Enrollment.Role.INSTRUCTOR)
    _as(client, alpha.teacher)
    page = client.get(reverse("admin:courses_enrollment_change", args=[theirs.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    data = {"user": "colleague", "course": alpha.course.pk, "role": Enrollment.Role.STUDENT}
    assert client.post(reverse("admin:courses_enrollment_change", args=[theirs.pk]), data).status_code == 403
    assert client.post(reverse("admin:courses_enrollment_delete", args=[theirs.pk]), {"post": "yes"}).status_code == 403
    # Nor through the bulk delete action.
    action = {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"}
    client.post(reverse("admin:courses_enrollment_changelist"), action)
    theirs.refresh_from_db()
    assert theirs.role == Enrollment.Role.INSTRUCTOR


def test_the_bulk_delete_reaches_only_the_instructor_s_rows(client, alpha, beta):
    action = {"action": "delete_selected", "_selected_action": [alpha.enrollment.pk, beta.enrollment.pk], "post": "yes"}
    _as(client, alpha.teacher).post(reverse("admin:courses_enrollment_changelist"), action)
    assert not Enrollment.objects.filter(pk=alpha.enrollment.pk).exists()
    assert Enrollment.objects.filter(pk=beta.enrollment.pk).exists()


def test_a_superuser_makes_someone_an_instructor(admin_client, alpha, beta):
    url = reverse("admin:courses_enrollment_change", args=[alpha.enrollment.pk])
    data = {"user": alpha.student.pk, "course": alpha.course.pk, "role": Enrollment.Role.INSTRUCTOR}
    assert admin_client.post(url, data).status_code == 302
    alpha.enrollment.refresh_from_db()
    assert alpha.enrollment.role == Enrollment.Role.INSTRUCTOR


def test_an_instructor_sees_their_students_but_cannot_change_anyone(client, alpha, beta):
    _as(client, alpha.teacher)
    page = client.get(reverse("admin:auth_user_change", args=[alpha.student.pk])).content.decode()
    assert "alpha@example.org" in page
    assert 'name="is_staff"' not in page and "Superuser status" not in page and "pbkdf2" not in page
    data = {"username": alpha.student.username, "is_staff": "on", "is_superuser": "on"}
    assert client.post(reverse("admin:auth_user_change", args=[alpha.student.pk]), data).status_code == 403
    assert client.post(reverse("admin:auth_user_change", args=[alpha.teacher.pk]), data).status_code == 403
    password_url = reverse("admin:auth_user_password_change", args=[alpha.student.pk])
    assert client.post(password_url, {"password1": "Xx-12345678", "password2": "Xx-12345678"}).status_code == 403
    assert client.get(reverse("admin:auth_user_add")).status_code == 403
    alpha.student.refresh_from_db()
    alpha.teacher.refresh_from_db()
    assert not (alpha.student.is_staff or alpha.teacher.is_superuser)


def test_list_filters_name_no_other_course(client, alpha, beta):
    _as(client, alpha.teacher)
    for name in ("grader_exercise", "grader_submission", "courses_enrollment", "courses_chapter"):
        page = client.get(reverse(f"admin:{name}_changelist")).content.decode()
        assert "beta" not in page, name


def test_superuser_only_models_stay_closed_to_instructors(client, alpha):
    _as(client, alpha.teacher)
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, CourseScopedAdmin):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 403, url


def test_every_admin_of_course_data_is_course_scoped():
    # A new admin for course data (assignments, grades, quizzes) must reuse the
    # mixin; the only others are the superuser-only tables of the libraries.
    unscoped = {
        f"{model._meta.app_label}.{model._meta.model_name}"
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, CourseScopedAdmin)
    }
    # lti.toolkey: the tool's own signing keys, site-wide, belong to no course.
    assert unscoped == {
        "auth.group", "knox.authtoken", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog", "lti.toolkey",
    }



def _scoped_admins():
    """Every course-scoped admin class: the registered ones and their inlines."""
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, CourseScopedAdmin):
            yield model, type(model_admin)
            # (An inline that is not scoped is superuser-only, like the LTI deployments.)
            for inline in model_admin.inlines:
                if issubclass(inline, CourseScopedAdmin):
                    yield model, inline


def test_every_scoped_admin_declares_what_a_teaching_assistant_may_do():
    # Declared on the admin itself (or a base of its own), never left to the
    # mixin's default: adding an admin means deciding what a TA does with it.
    undeclared = []
    for model, admin_class in _scoped_admins():
        declaring = next(klass for klass in admin_class.__mro__ if "ta_actions" in vars(klass))
        if declaring is CourseScopedAdmin:
            undeclared.append(f"{model._meta.label}: {admin_class.__name__}")
        # A TA never does more than an instructor.
        assert admin_class.ta_actions <= admin_class.instructor_actions <= ALL_ACTIONS, admin_class.__name__
    assert undeclared == []


# What a TA may do, admin by admin: read the course, grant extensions and
# excusals; change no exercise, quiz or assignment, override no grade; read
# the review reports and mark no mutant, start or re-send no report.
TA_EXPECTED = {
    "courses_course": {"view"},
    "courses_chapter": {"view"},
    "courses_enrollment": {"view"},
    "grader_exercise": {"view"},
    "grader_submission": {"view"},
    "auth_user": {"view"},
    "courses_assignment": {"view"},
    "grades_grade": {"view"},
    "grader_gradingrun": {"view"},
    "grader_regraderequest": {"view"},
    "grader_referencecheck": {"view"},
    "courses_extension": {"view", "add", "delete"},
    "courses_excusal": {"view", "add", "delete"},
    "quizzes_quiz": {"view"},
    "quizzes_quizattempt": {"view"},
    "review_mutationreport": {"view"},
    "review_similarityreport": {"view"},
    "review_similarpair": {"view"},
    "review_equivalentmark": {"view"},
    "lti_lticontext": set(),
    "lti_agsscoreoutbox": set(),
}
# The same for the inlines, by the model whose page holds them.
TA_EXPECTED_INLINES = {
    "quizzes_quiz": {"QuestionInline": {"view"}},
}


def test_the_teaching_assistant_s_actions_are_as_decided():
    registered = {f"{m._meta.app_label}_{m._meta.model_name}": a for m, a in admin.site._registry.items()}
    for name, expected in TA_EXPECTED.items():
        assert registered[name].ta_actions == expected, name
    for name, inlines in TA_EXPECTED_INLINES.items():
        declared = {inline.__name__: inline.ta_actions for inline in registered[name].inlines}
        for inline_name, expected in inlines.items():
            assert declared[inline_name] == expected, f"{name}: {inline_name}"


@pytest.mark.parametrize("name", MODELS)
def test_the_teaching_assistant_sees_their_course_only(client, alpha, beta, name):
    row = MODELS[name]
    listed = _listed(_as(client, alpha.ta), name)
    assert row(alpha).pk in listed and row(beta).pk not in listed
    own = client.get(reverse(f"admin:{name}_change", args=[row(alpha).pk]))
    assert own.status_code == 200 and "beta-" not in own.content.decode()


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_the_teaching_assistant_finds_nothing_of_another_course_by_url(client, alpha, beta, name, view):
    foreign = MODELS[name](beta)
    _assert_not_shown(_as(client, alpha.ta).get(reverse(f"admin:{name}_{view}", args=[foreign.pk])))


# (The review and quiz pages are walked through by the TA in tests/reports and tests/quiz_attempts.)
@pytest.mark.parametrize("name", [name for name in MODELS if "change" not in TA_EXPECTED[name]])
def test_the_teaching_assistant_changes_nothing_but_extensions(client, alpha, beta, name):
    own = MODELS[name](alpha)
    before = type(own).objects.filter(pk=own.pk).values().get()
    _as(client, alpha.ta)
    page = client.get(reverse(f"admin:{name}_change", args=[own.pk])).content.decode()
    assert 'name="_save"' not in page
    assert client.post(reverse(f"admin:{name}_change", args=[own.pk]), {}).status_code == 403
    if "delete" not in TA_EXPECTED[name]:
        assert client.post(reverse(f"admin:{name}_delete", args=[own.pk]), {"post": "yes"}).status_code == 403
    assert type(own).objects.filter(pk=own.pk).values().get() == before


def test_the_teaching_assistant_cannot_override_a_grade(client, alpha, beta):
    url = reverse("admin:grades_grade_change", args=[alpha.grade.pk])
    response = _as(client, alpha.ta).post(url, {"new_override": "2", "override_why": "because"})
    assert response.status_code == 403
    alpha.grade.refresh_from_db()
    assert alpha.grade.override_score is None and not alpha.grade.changes.filter(cause=GradeChange.Cause.OVERRIDE).exists()


def test_the_teaching_assistant_is_offered_no_regrade_and_cannot_post_one(client, alpha, beta):
    _as(client, alpha.ta)
    page = client.get(reverse("admin:grader_exercise_changelist"))
    assert page.status_code == 200
    # No action at all is left for a TA here: admin drops the action form.
    assert page.context["action_form"] is None
    assert "regrade_exercises" not in page.content.decode()
    action = {"action": "regrade_exercises", "_selected_action": [alpha.exercise.pk]}
    client.post(reverse("admin:grader_exercise_changelist"), action)
    assert not RegradeRequest.objects.filter(exercise=alpha.exercise).exclude(pk=alpha.regrade.pk).exists()


def test_someone_who_teaches_one_course_and_assists_in_another_has_each_role_in_its_course(client, alpha, beta):
    Enrollment.objects.create(user=alpha.teacher, course=beta.course, role=Enrollment.Role.TEACHING_ASSISTANT)
    _as(client, alpha.teacher)
    assert beta.exercise.pk in _listed(client, "grader_exercise")
    # Instructor in alpha: edits; TA in beta: reads only.
    beta_page = client.get(reverse("admin:grader_exercise_change", args=[beta.exercise.pk])).content.decode()
    assert 'name="_save"' not in beta_page
    url = reverse("admin:grader_exercise_change", args=[beta.exercise.pk])
    assert client.post(url, _exercise_data(beta.exercise, title_en="Taken over")).status_code == 403
    # A new exercise may be placed only in a chapter of the course they teach.
    assert _choices(client.get(reverse("admin:grader_exercise_add")), "chapter") == {alpha.chapter.pk}
    # The regrade action runs only on the rows of the course they teach.
    action = {"action": "regrade_exercises", "_selected_action": [alpha.exercise.pk, beta.exercise.pk]}
    client.post(reverse("admin:grader_exercise_changelist"), action)
    assert not RegradeRequest.objects.filter(exercise=beta.exercise).exclude(pk=beta.regrade.pk).exists()


@pytest.mark.parametrize("name", MODELS)
def test_a_student_finds_no_admin_page_even_when_marked_staff(client, alpha, beta, name):
    student = alpha.student
    student.is_staff = True
    student.save()
    _as(client, student)
    assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403
    _assert_not_shown(client.get(reverse(f"admin:{name}_change", args=[MODELS[name](alpha).pk])))


def test_a_student_who_is_not_staff_is_sent_to_the_admin_login(client, alpha, beta):
    response = _as(client, alpha.student).get(reverse("admin:grades_grade_changelist"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
