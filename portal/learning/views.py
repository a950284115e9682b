"""The learner's pages: my learning, catalogue, course outline, lessons, certificates."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, g, redirect, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import clock
from portal.accounts.roles import Role
from portal.arguments import arg_page
from portal.domain import transaction
from portal.extensions import limiter
from portal.learning import exercises, queries, services
from portal.learning.forms import DoneForm, LeaveForm, QuizForm
from portal.learning.models import Course, Lesson, LessonKind, QuestionKind
from portal.learning.services import TamperedSubmission
from portal.markdown import render_markdown
from portal.rendering import render, render_form
from portal.security import is_safe_redirect, roles_required

bp = Blueprint("learning", __name__, template_folder="templates")
bp.add_app_template_filter(render_markdown, "markdown")
# Templates compare lesson and question kinds with the enums, as the code does.
bp.add_app_template_global(LessonKind, "LessonKind")
bp.add_app_template_global(QuestionKind, "QuestionKind")
# An exercise's answer inputs, and the summary of how a learner who passed worked.
bp.add_app_template_global(exercises.answer_checks, "answer_checks_of")
bp.add_app_template_global(exercises.event_label, "event_label")
bp.add_app_template_global(exercises.sandbox_span, "sandbox_span")


def _learner_route(rule: str, method: str = "GET") -> Callable:
    """Route `rule` on `method` to the view, for signed-in learners only."""

    def decorator(view: Callable) -> Callable:
        guarded = login_required(roles_required(Role.LEARNER)(view))
        return bp.route(rule, methods=[method])(guarded)

    return decorator


def _lesson_or_404(slug: str, key: str) -> tuple[Course, Lesson]:
    """The published course `slug` and its current lesson `key`, else 404."""
    course = queries.course_by_slug(slug)
    lesson = queries.lesson_by_key(course, key) if course is not None else None
    if lesson is None:
        abort(404)
    return course, lesson


# Course cards on My learning in all, each part (to do, in progress, finished) given at least
# one when it has any, so the page stays the same size as courses grow; ?all=1 shows all.
HOME_CARDS = 6


@_learner_route("/learn/")
def home():
    """My learning: assigned courses with due dates and progress, and what to do next."""
    everything = request.args.get("all") == "1"
    limit = None if everything else HOME_CARDS
    home = queries.my_learning(current_user, str(get_locale()), limit)
    return render("learning/home.html", home=home, everything=everything, today=clock.today())


@_learner_route("/courses/")
def catalogue():
    """The published courses, a page of cards at a time, with a search by title."""
    search = request.args.get("q", "")[:200]
    page = queries.catalogue(current_user, str(get_locale()), arg_page(), search)
    return render("learning/catalogue.html", page=page, search=search, today=clock.today())


# The session's list of course versions chosen from the language links, the latest few.
CHOSEN_COURSES, CHOSEN_KEPT = "chosen_courses", 10


@_learner_route("/courses/<slug>/")
def course(slug: str):
    """A course's outline with the learner's progress, due date and next step."""
    # A version opened from a course page's language links stays the learner's choice
    # (kept in the session) until they begin the course in some language.
    kept = session.get(CHOSEN_COURSES, [])
    asked = request.args.get("language") == "chosen"
    page = queries.course_page(current_user, slug, str(get_locale()), asked or slug in kept)
    if page is None:
        abort(404)
    if page.elsewhere is not None:
        return redirect(url_for("learning.course", slug=page.elsewhere.slug))
    if asked and slug not in kept:
        session[CHOSEN_COURSES] = [*kept, slug][-CHOSEN_KEPT:]
    return render("learning/course.html", outline=page.outline, today=clock.today())


@_learner_route("/courses/<slug>/<key>/")
def lesson(slug: str, key: str):
    course, lesson = _lesson_or_404(slug, key)
    services.queue_view(current_user, lesson)
    return _render_lesson(course, lesson)


def _render_lesson(course: Course, lesson: Lesson, *, status: int = 200, **extra):
    outline = queries.outline(current_user, course)
    context = {"course": course, "lesson": lesson, "outline": outline, **extra}
    if lesson.kind == LessonKind.QUIZ:
        context.setdefault("attempts", queries.quiz_history(current_user, lesson))
        context.setdefault("form", QuizForm.blank(lesson))
    elif lesson.kind == LessonKind.EXERCISE:
        context.setdefault("attempt", exercises.latest_attempt(current_user, lesson))
    elif services.has_check(lesson):
        context.setdefault("form", QuizForm.blank(lesson))
    return render("learning/lesson.html", status=status, **context)


@_learner_route("/courses/<slug>/<key>/done", "POST")
def lesson_done(slug: str, key: str):
    """Mark a reading as done and go on to the next lesson."""
    course, lesson = _lesson_or_404(slug, key)
    with transaction() as saved:
        services.complete_reading(current_user, lesson)
        certificate = services.issue_certificate_if_complete(current_user, course)
    if not saved and lesson.kind == LessonKind.READING:  # its check is not answered yet
        flash(saved.error.message, "warning")
        return redirect(url_for("learning.lesson", slug=course.slug, key=lesson.key))
    if not saved:
        abort(400)
    if certificate is not None and DoneForm().last.data == "1":
        return redirect(url_for("learning.certificate", code=certificate.code))
    following = queries.outline(current_user, course).next_after(lesson)
    if following is None:
        return redirect(url_for("learning.course", slug=course.slug))
    return redirect(url_for("learning.lesson", slug=course.slug, key=following.key))


@_learner_route("/courses/<slug>/<key>/quiz", "POST")
def quiz_submit(slug: str, key: str):
    """Score a quiz attempt; htmx swaps in the per-question feedback."""
    return _answered(slug, key, services.submit_quiz, QUIZ)


@_learner_route("/courses/<slug>/<key>/knowledge-check", "POST")
def reading_check(slug: str, key: str):
    """Answer a reading's knowledge check; htmx swaps in the feedback per choice, and the
    reading is done once every answer is right."""
    return _answered(slug, key, services.answer_check, READING_CHECK)


QUIZ = "learning/_quiz.html"
READING_CHECK = "learning/_reading_check.html"


def _answered(slug: str, key: str, score: Callable, fragment: str):
    """Score the questions' answers with `score` and show the outcome in `fragment`.

    Answers that do not read, or name another lesson's questions, were not sent by the page.
    """
    course, lesson = _lesson_or_404(slug, key)
    form = QuizForm()
    if not form.validate_on_submit():
        abort(400)
    with transaction(form) as saved:
        attempt, results = score(current_user, lesson, form.chosen())
        certificate = services.issue_certificate_if_complete(current_user, course)
    if isinstance(saved.error, TamperedSubmission):
        abort(400)
    page = _quiz_page(course, lesson)
    if not saved:
        return render_form("learning/lesson.html", form, fragment, **page)
    done = {"attempt": attempt, "results": results, "certificate": certificate, "form": form}
    oob = bool(request.htmx)
    return render("learning/lesson.html", fragment, lesson_nav_oob=oob, **done, **page)


def _quiz_page(course: Course, lesson: Lesson) -> dict:
    outline = queries.outline(current_user, course)
    attempts = queries.quiz_history(current_user, lesson)
    return {"course": course, "lesson": lesson, "outline": outline, "attempts": attempts}


@bp.get("/certificates/<code>")
@login_required
def certificate(code: str):
    """The learner's own printable certificate; anyone else's is not found."""
    found = services.find_certificate(code)
    if found is None or found.user_id != current_user.id:
        abort(404)
    return render("learning/certificate.html", certificate=found)


@bp.get("/verify/")
@bp.get("/verify/<code>")
@limiter.limit("30 per minute")
def verify(code: str | None = None):
    """Public check that a certificate code is genuine."""
    code = code or request.args.get("code", "").strip()
    found = services.find_certificate(code) if code else None
    status = 404 if code and found is None else 200
    if code and found is None:
        flash(_("No certificate has this code. Check it and try again."), "danger")
    return render("learning/verify.html", code=code, certificate=found, status=status)


# The panel on sandbox pages posts Check my work with this target; it gets the results only.
PANEL_RESULT = "exercise-panel-result"
LEFT_EXERCISE = "exercise_left"  # session: the attempt whose panel the learner closed


def _render_exercise(course: Course, lesson: Lesson, *, status: int = 200, **extra):
    context = {
        "course": course,
        "lesson": lesson,
        "outline": queries.outline(current_user, course),
        "attempt": exercises.latest_attempt(current_user, lesson),
        # The lesson list beside the exercise follows the new status (htmx out of band).
        "lesson_nav_oob": bool(request.htmx),
        **extra,
    }
    if request.htmx and request.htmx.target == PANEL_RESULT:
        return render("learning/_panel_result.html", status=status, **context)
    return render("learning/lesson.html", "learning/_exercise.html", status=status, **context)


@bp.app_template_global()
def open_exercise_panel(sandbox) -> exercises.OpenExercise | None:
    """The exercise whose task and Check button the sandbox pages show beside the work
    (looked up once per request: the layout and the clock both ask)."""
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return None
    key = (sandbox.id, sandbox.generation, session.get(LEFT_EXERCISE))
    found = g.setdefault("open_exercise_panel", {})
    if key not in found:
        found[key] = exercises.open_exercise(user, sandbox, key[2])
    return found[key]


@_learner_route("/courses/<slug>/<key>/start", "POST")
def exercise_start(slug: str, key: str):
    """Put the exercise's scenario into the learner's sandbox."""
    course, lesson = _lesson_or_404(slug, key)
    with transaction() as saved:
        exercises.start_exercise(current_user, lesson)
    if not saved:
        abort(400)
    if request.htmx:
        return _render_exercise(course, lesson, started=True)
    return redirect(url_for("learning.lesson", slug=slug, key=key))


@_learner_route("/courses/<slug>/<key>/check", "POST")
def exercise_check(slug: str, key: str):
    """Check my work: every check against the learner's own sandbox, with hints."""
    course, lesson = _lesson_or_404(slug, key)
    with transaction() as saved:
        # A documented exception to "forms, not request.form": the answer boxes are named by
        # the exercise's own answer checks, which differ per lesson; each is cut to 100
        # characters and only compared, so there is no form to declare.
        answers = {
            check["key"]: request.form.get(f"answer-{check['key']}", "")[:100]
            for check in exercises.answer_checks(lesson)
            if f"answer-{check['key']}" in request.form
        }
        _attempt, outcomes = exercises.check_exercise(current_user, lesson, answers)
        certificate = services.issue_certificate_if_complete(current_user, course)
    if not saved:
        return _render_exercise(course, lesson, status=422, exercise_error=saved.error.message)
    return _render_exercise(course, lesson, outcomes=outcomes, certificate=certificate)


@_learner_route("/courses/<slug>/<key>/leave", "POST")
def exercise_leave(slug: str, key: str):
    """Close the exercise's panel on the sandbox pages (starting again reopens it)."""
    _course, lesson = _lesson_or_404(slug, key)
    attempt = exercises.latest_attempt(current_user, lesson)
    if attempt is not None:
        session[LEFT_EXERCISE] = attempt.id
    if request.htmx:
        return ""
    target = LeaveForm().next_page.data or ""
    return redirect(
        target if is_safe_redirect(target) else url_for("learning.lesson", slug=slug, key=key)
    )


@_learner_route("/learn/rollout")
def rollout_plan():
    """Our rollout plan, read-only: phases, goals, waves, and the learner's own wave."""
    from portal.learning.rollout_plan import plan_for
    from portal.rollout.models import Horizon

    view = plan_for(current_user)
    return render("learning/rollout_plan.html", view=view, horizons=list(Horizon))
