"""Course authoring: trainers edit a draft; publishing makes it what learners see.

A draft is a CourseBundle kept as JSON. Every edit loads it, changes it, and stores it
back; publishing runs it through the same importer as the built-in curriculum, so
lessons keep their keys (and learners their progress) across every publish.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import replace

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.domain import DomainError
from portal.extensions import db
from portal.learning.bundle import (
    KEY,
    BundleError,
    CourseBundle,
    LessonData,
    Problem,
    bundle_from_dict,
    bundle_to_dict,
    bundle_to_files,
    read_bundle,
)
from portal.learning.importer import ImportResult, apply_bundle, bundle_hash, latest_version

__all__ = ["bundle_from_dict"]
from portal.learning.models import Course, CourseDraft, CourseVersion

LESSON_KINDS = ("reading", "quiz", "exercise")


class AuthoringError(DomainError):
    """An edit the authoring rules refuse; `field` names the form field at fault."""


def slugify(text: str, fallback: str = "item") -> str:
    """A lower-case key from a title ('Leads & Qualification' -> 'leads-qualification')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or fallback


def unique_key(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        key = f"{base[:70]}-{n}"
        n += 1
    return key


# Courses and drafts


def create_course(title: str, summary: str, language: str, actor: User) -> Course:
    """A new, unpublished course with one empty module to start from."""
    title = " ".join(title.split())
    if not title:
        raise AuthoringError(_("Enter a title."), "title")
    taken = set(db.session.scalars(select(Course.slug)))
    slug = unique_key(slugify(title, "course"), taken)
    course = Course(
        slug=slug,
        title=title,
        summary=summary.strip(),
        language=language,
        published=False,
        version=0,
    )
    db.session.add(course)
    db.session.flush()
    bundle = CourseBundle(
        slug=slug,
        title=title,
        summary=summary.strip(),
        language=language,
        translation_of=None,
        modules=[{"key": "module-1", "title": _("Module 1"), "lessons": []}],
        lessons=[],
    )
    db.session.add(
        CourseDraft(
            course_id=course.id,
            data=bundle_to_dict(bundle),
            based_on_version=0,
            updated_by_id=actor.id,
        )
    )
    db.session.flush()
    return course


def _existing_draft(course: Course) -> CourseDraft | None:
    return db.session.scalar(select(CourseDraft).where(CourseDraft.course_id == course.id))


def _version_to_edit(course: Course) -> CourseVersion:
    """The published version a new draft starts from."""
    version = latest_version(course)
    if version is None:
        raise AuthoringError(_("This course has no content to edit."))
    return version


def get_draft(course: Course) -> CourseDraft:
    """The course's draft, started from the published version when there is none."""
    draft = _existing_draft(course)
    if draft is None:
        version = _version_to_edit(course)
        draft = CourseDraft(course_id=course.id, data=version.data, based_on_version=version.number)
        db.session.add(draft)
        db.session.flush()
    return draft


def load(course: Course) -> tuple[CourseDraft, CourseBundle]:
    draft = get_draft(course)
    return draft, bundle_from_dict(draft.data)


def peek(course: Course) -> CourseBundle:
    """What load() would give, without starting a draft: for pages that only read."""
    draft = _existing_draft(course)
    return bundle_from_dict((draft or _version_to_edit(course)).data)


def save(draft: CourseDraft, bundle: CourseBundle, actor: User) -> None:
    """Store the bundle as the draft; AuthoringError when the course would grow past the
    size every editor page can afford to read (the import limit)."""
    from portal.authoring.transfer import MAX_COURSE_BYTES

    data = bundle_to_dict(bundle)
    if len(json.dumps(data, ensure_ascii=False).encode()) > MAX_COURSE_BYTES:
        raise AuthoringError(
            _(
                "The course is larger than %(size)d MB; split it into two courses.",
                size=MAX_COURSE_BYTES // (1024 * 1024),
            )
        )
    draft.data = data
    draft.updated_by_id = actor.id
    db.session.flush()


def has_unpublished_changes(course: Course, bundle: CourseBundle) -> bool:
    return not course.published or bundle_hash(bundle) != course.source_hash


def courses_with_pending_drafts(courses: list[Course]) -> set[int]:
    """Ids of the courses whose draft differs from what learners see, read from the drafts'
    stored digests (a draft saved before digests were kept is read once, here)."""
    digests = dict(
        db.session.execute(select(CourseDraft.course_id, CourseDraft.content_hash)).all()
    )
    unknown = [course_id for course_id, digest in digests.items() if digest is None]
    if unknown:
        query = select(CourseDraft).where(CourseDraft.course_id.in_(unknown))
        for draft in db.session.scalars(query):
            digests[draft.course_id] = bundle_hash(bundle_from_dict(draft.data))
    return {
        course.id
        for course in courses
        if course.id in digests
        and (not course.published or digests[course.id] != course.source_hash)
    }


def draft_problems(bundle: CourseBundle) -> list[Problem]:
    """Everything that would stop the draft from publishing (the importer's own rules)."""
    try:
        read_bundle(bundle_to_files(bundle))
    except BundleError as error:
        return error.problems
    if not bundle.lessons:
        message = _("Add at least one lesson before publishing.")
        return [Problem("course.yaml", None, message, code="no_lessons")]
    return []


def publish(course: Course, actor: User) -> ImportResult:
    """Make the draft what learners see; raises BundleError listing what blocks it."""
    draft, bundle = load(course)
    problems = draft_problems(bundle)
    if not problems:
        from portal.authoring.dry_run import dry_run

        for lesson in bundle.lessons:
            if lesson.kind == "exercise":
                report = dry_run(lesson, actor)
                if not report.passes:
                    problems.append(
                        Problem(
                            f"{lesson.key}.exercise.yaml",
                            None,
                            _("Dry run: %(problem)s", problem=report.problem),
                            lesson=lesson.key,
                            code="dry_run",
                        )
                    )
    if problems:
        raise BundleError(problems)
    result = apply_bundle(read_bundle(bundle_to_files(bundle)), actor_id=actor.id)
    draft.based_on_version = result.version
    course.published = True  # also brings back a withdrawn course that did not change
    db.session.flush()
    return result


def withdraw(course: Course) -> None:
    """Take a course away from learners; their progress and certificates are kept, and
    publishing it again brings it back."""
    if not course.published:
        raise AuthoringError(_("The course is not published."))
    course.published = False
    db.session.flush()


def delete_course(course: Course) -> None:
    """Delete a course nobody has started, with its drafts, versions and assignments."""
    from portal.learning.models import Certificate, LessonProgress

    started = db.session.scalar(
        select(LessonProgress.id).where(LessonProgress.course_id == course.id).limit(1)
    ) or db.session.scalar(
        select(Certificate.id).where(Certificate.course_id == course.id).limit(1)
    )
    if started:
        raise AuthoringError(
            _("Learners have worked on this course: withdraw it instead, so their records stay.")
        )
    translations = db.session.scalars(
        select(Course.title).where(Course.translation_of_id == course.id)
    ).all()
    if translations:
        raise AuthoringError(
            _(
                "These courses translate this one: %(titles)s. Delete them first.",
                titles=", ".join(translations),
            )
        )
    db.session.execute(db.delete(Course).where(Course.id == course.id))
    db.session.expire_all()


def discard_draft(course: Course) -> None:
    """Throw the draft away; the next edit starts again from the published version."""
    if latest_version(course) is None:
        raise AuthoringError(_("A course that was never published has only its draft."))
    db.session.execute(db.delete(CourseDraft).where(CourseDraft.course_id == course.id))
    db.session.flush()


def update_details(
    course: Course, title: str, summary: str, language: str, actor: User, cover: str = ""
) -> None:
    draft, bundle = load(course)
    title = " ".join(title.split())
    if not title:
        raise AuthoringError(_("Enter a title."), "title")
    changed = replace(
        bundle, title=title, summary=summary.strip(), cover=cover.strip(), language=language
    )
    save(draft, changed, actor)


# Modules


TITLE_MAX = 200  # course, module and lesson titles (the course format's limit)


def clean_title(title: str, missing: str) -> str:
    """The title with its spaces tidied; AuthoringError (at "title") if empty or too long."""
    title = " ".join(title.split())
    if not title:
        raise AuthoringError(missing, "title")
    if len(title) > TITLE_MAX:
        raise AuthoringError(
            _("Keep the title to %(count)d characters or fewer.", count=TITLE_MAX), "title"
        )
    return title


def _module(bundle: CourseBundle, key: str) -> dict:
    for module in bundle.modules:
        if module["key"] == key:
            return module
    raise AuthoringError(_("That module is not in this course."))


def add_module(course: Course, title: str, actor: User) -> str:
    title = clean_title(title, _("Enter a module title."))
    draft, bundle = load(course)
    key = unique_key(slugify(title, "module"), {m["key"] for m in bundle.modules})
    bundle.modules.append({"key": key, "title": title, "lessons": []})
    save(draft, bundle, actor)
    return key


def rename_module(course: Course, key: str, title: str, actor: User) -> None:
    title = clean_title(title, _("Enter a module title."))
    draft, bundle = load(course)
    _module(bundle, key)["title"] = title
    save(draft, bundle, actor)


def remove_module(course: Course, key: str, actor: User) -> None:
    """Remove a module and its lessons from the draft (published history stays)."""
    draft, bundle = load(course)
    module = _module(bundle, key)
    if len(bundle.modules) == 1:
        raise AuthoringError(_("A course needs at least one module."))
    bundle.modules.remove(module)
    bundle.lessons = [lesson for lesson in bundle.lessons if lesson.module_key != key]
    save(draft, bundle, actor)


def move_module(course: Course, key: str, offset: int, actor: User) -> None:
    draft, bundle = load(course)
    module = _module(bundle, key)
    index = bundle.modules.index(module)
    target = max(0, min(len(bundle.modules) - 1, index + offset))
    bundle.modules.insert(target, bundle.modules.pop(index))
    _sync_lesson_order(bundle)
    save(draft, bundle, actor)


# Lessons


def _sync_lesson_order(bundle: CourseBundle) -> None:
    """Keep bundle.lessons in module order, as the files list them."""
    by_key = {lesson.key: lesson for lesson in bundle.lessons}
    ordered = []
    for module in bundle.modules:
        for key in module["lessons"]:
            if key in by_key:
                by_key[key].module_key = module["key"]
                ordered.append(by_key[key])
    bundle.lessons = ordered


def lesson_in(bundle: CourseBundle, key: str) -> LessonData:
    for lesson in bundle.lessons:
        if lesson.key == key:
            return lesson
    raise AuthoringError(_("That lesson is not in this course."))


def add_lesson(course: Course, module_key: str, kind: str, title: str, actor: User) -> str:
    title = clean_title(title, _("Enter a lesson title."))
    draft, bundle = load(course)
    if kind not in LESSON_KINDS:
        raise AuthoringError(_("Choose reading, quiz or exercise."), "kind")
    module = _module(bundle, module_key)
    # Keys are never reused, even for lessons removed from the draft earlier.
    taken = {lesson.key for lesson in bundle.lessons} | _published_keys(course)
    key = unique_key(slugify(title, kind), taken)
    content: dict = {}
    if kind == "quiz":
        content = {"pass_mark": 70}
    elif kind == "exercise":
        content = {"setup": [], "checks": [], "hints": [], "solution": []}
    lesson = LessonData(
        key=key,
        title=title,
        kind=kind,
        module_key=module_key,
        content=content,
        body=_("Write the lesson here.") if kind == "reading" else "",
    )
    module["lessons"].append(key)
    bundle.lessons.append(lesson)
    _sync_lesson_order(bundle)
    save(draft, bundle, actor)
    return key


def _published_keys(course: Course) -> set[str]:
    from portal.learning.models import Lesson

    return set(db.session.scalars(select(Lesson.key).where(Lesson.course_id == course.id)))


def _check_basics(title: str, minutes: int) -> str:
    title = clean_title(title, _("Enter a lesson title."))
    if not 1 <= minutes <= 600:
        raise AuthoringError(_("Minutes must be between 1 and 600."), "minutes")
    return title


def update_reading(
    course: Course, key: str, *, title: str, minutes: int, required: bool, body: str, actor: User
) -> None:
    draft, bundle = load(course)
    lesson = lesson_in(bundle, key)
    lesson.title = _check_basics(title, minutes)
    if not body.strip():
        raise AuthoringError(_("A reading needs some text."), "body")
    lesson.minutes, lesson.required, lesson.body = minutes, required, body.strip()
    save(draft, bundle, actor)


def update_quiz(
    course: Course,
    key: str,
    *,
    title: str,
    minutes: int,
    required: bool,
    pass_mark: int,
    intro: str,
    actor: User,
) -> None:
    draft, bundle = load(course)
    lesson = lesson_in(bundle, key)
    lesson.title = _check_basics(title, minutes)
    if not 1 <= pass_mark <= 100:
        raise AuthoringError(_("The pass mark is a percentage from 1 to 100."), "pass_mark")
    lesson.minutes, lesson.required, lesson.body = minutes, required, intro.strip()
    lesson.content = {**lesson.content, "pass_mark": pass_mark}
    save(draft, bundle, actor)


def move_lesson(course: Course, key: str, offset: int, actor: User) -> None:
    """Move a lesson up or down; past the end of its module it joins the next one."""
    draft, bundle = load(course)
    lesson_in(bundle, key)
    order = [(m["key"], k) for m in bundle.modules for k in m["lessons"]]
    slots = [m["key"] for m in bundle.modules]
    index = next(i for i, (_m, k) in enumerate(order) if k == key)
    module_key = order[index][0]
    module = _module(bundle, module_key)
    position = module["lessons"].index(key)
    target = position + offset
    if 0 <= target < len(module["lessons"]):
        module["lessons"].insert(target, module["lessons"].pop(position))
    else:
        neighbour_index = slots.index(module_key) + (1 if offset > 0 else -1)
        if 0 <= neighbour_index < len(slots):
            module["lessons"].remove(key)
            neighbour = bundle.modules[neighbour_index]
            if offset > 0:
                neighbour["lessons"].insert(0, key)
            else:
                neighbour["lessons"].append(key)
    _sync_lesson_order(bundle)
    save(draft, bundle, actor)


def remove_lesson(course: Course, key: str, actor: User) -> None:
    """Take a lesson out of the draft; once published, its learners' history is kept."""
    draft, bundle = load(course)
    lesson = lesson_in(bundle, key)
    bundle.lessons.remove(lesson)
    for module in bundle.modules:
        if key in module["lessons"]:
            module["lessons"].remove(key)
    save(draft, bundle, actor)


# Quiz questions


def save_question(
    course: Course,
    lesson_key: str,
    question_key: str | None,
    *,
    kind: str,
    prompt: str,
    explanation: str,
    choices: list[dict],
    actor: User,
) -> str:
    """Add or replace one question; choices are dicts with text, correct and feedback."""
    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    if lesson.kind != "quiz":
        raise AuthoringError(_("Only quizzes have questions."))
    prompt = prompt.strip()
    if not prompt:
        raise AuthoringError(_("Write the question."), "prompt")
    if kind not in ("single", "multiple", "true_false"):
        raise AuthoringError(_("Choose a question type."), "kind")
    existing = next((q for q in lesson.questions if q["key"] == question_key), None)
    if kind == "true_false":
        choices = _true_false_choices(choices, existing, bundle.language)
    filled = [c for c in choices if c.get("text", "").strip()]
    if len(filled) < 2:
        raise AuthoringError(_("Fill in at least two choices."), "choices")
    if kind == "true_false" and len(filled) != 2:
        raise AuthoringError(_("A true/false question has exactly two choices."), "choices")
    correct = sum(1 for c in filled if c.get("correct"))
    if correct == 0:
        raise AuthoringError(_("Mark at least one choice as correct."), "choices")
    if kind in ("single", "true_false") and correct > 1:
        raise AuthoringError(
            _(
                "This question type has exactly one correct choice; %(count)d are marked.",
                count=correct,
            ),
            "choices",
        )
    if question_key and existing is None:
        raise AuthoringError(_("That question is not in this quiz."))
    old_choices = {c["key"]: c for c in (existing or {}).get("choices", [])}
    taken_choice_keys: set[str] = set()
    parsed = []
    for choice in filled:
        key = choice.get("key") if choice.get("key") in old_choices else None
        key = key or unique_key(
            slugify(choice["text"], "choice"), taken_choice_keys | set(old_choices)
        )
        taken_choice_keys.add(key)
        parsed.append(
            {
                "key": key,
                "text": choice["text"].strip(),
                "correct": bool(choice.get("correct")),
                "feedback": choice.get("feedback", "").strip(),
            }
        )
    question = {
        "key": question_key
        or unique_key(slugify(prompt, "question"), {q["key"] for q in lesson.questions}),
        "kind": kind,
        "prompt": prompt,
        "explanation": explanation.strip(),
        "choices": parsed,
    }
    if existing is not None:
        lesson.questions[lesson.questions.index(existing)] = question
    else:
        lesson.questions.append(question)
    save(draft, bundle, actor)
    return question["key"]


def _true_false_choices(choices: list[dict], existing: dict | None, language: str) -> list[dict]:
    """Exactly the two choices True and False, in the course's language, keeping the keys a
    true/false question had; `choices` gives each one's correct mark and feedback."""
    if len(choices) != 2:
        raise AuthoringError(_("A true/false question has exactly two choices."), "choices")
    if not any(c.get("correct") for c in choices):
        raise AuthoringError(_("Choose whether True or False is the correct answer."), "choices")
    with force_locale(language):
        texts = (_("True"), _("False"))
    was_true_false = existing is not None and existing["kind"] == "true_false"
    kept = existing["choices"] if was_true_false else []
    keys = [c["key"] for c in kept] if len(kept) == 2 else ["true", "false"]
    return [
        {**choice, "key": key, "text": text}
        for choice, key, text in zip(choices, keys, texts, strict=True)
    ]


def remove_question(course: Course, lesson_key: str, question_key: str, actor: User) -> None:
    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    before = len(lesson.questions)
    lesson.questions = [q for q in lesson.questions if q["key"] != question_key]
    if len(lesson.questions) == before:
        raise AuthoringError(_("That question is not in this quiz."))
    save(draft, bundle, actor)


def is_valid_key(key: str) -> bool:
    return bool(KEY.match(key))
