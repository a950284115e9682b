"""The draft's structure: modules, and the lessons in them, added, edited, moved, removed."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.authoring.services.drafts import load, save
from portal.authoring.services.errors import AuthoringError
from portal.authoring.services.keys import clean_title, slugify, unique_key
from portal.courseformat import CourseBundle, LessonData, LessonKind, ModuleData
from portal.extensions import db
from portal.learning.models import Course


def _module(bundle: CourseBundle, key: str) -> ModuleData:
    for module in bundle.modules:
        if module.key == key:
            return module
    raise AuthoringError(_("That module is not in this course."))


def add_module(course: Course, title: str, actor: User) -> str:
    title = clean_title(title, _("Enter a module title."))
    draft, bundle = load(course)
    key = unique_key(slugify(title, "module"), {m.key for m in bundle.modules})
    bundle.modules.append(ModuleData(key=key, title=title))
    save(draft, bundle, actor)
    return key


def rename_module(course: Course, key: str, title: str, actor: User) -> None:
    title = clean_title(title, _("Enter a module title."))
    draft, bundle = load(course)
    _module(bundle, key).title = title
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


def _sync_lesson_order(bundle: CourseBundle) -> None:
    """Keep bundle.lessons in module order, as the files list them."""
    by_key = {lesson.key: lesson for lesson in bundle.lessons}
    ordered = []
    for module in bundle.modules:
        for key in module.lessons:
            if key in by_key:
                by_key[key].module_key = module.key
                ordered.append(by_key[key])
    bundle.lessons = ordered


def lesson_in(bundle: CourseBundle, key: str) -> LessonData:
    for lesson in bundle.lessons:
        if lesson.key == key:
            return lesson
    raise AuthoringError(_("That lesson is not in this course."))


def add_lesson(
    course: Course, module_key: str, kind: LessonKind | str, title: str, actor: User
) -> str:
    title = clean_title(title, _("Enter a lesson title."))
    draft, bundle = load(course)
    if kind not in tuple(LessonKind):
        raise AuthoringError(_("Choose reading, quiz or exercise."), "kind")
    kind = LessonKind(kind)
    module = _module(bundle, module_key)
    # Keys are never reused, even for lessons removed from the draft earlier.
    taken = {lesson.key for lesson in bundle.lessons} | _published_keys(course)
    key = unique_key(slugify(title, kind), taken)
    content: dict = {}
    if kind == LessonKind.QUIZ:
        content = {"pass_mark": 70}
    elif kind == LessonKind.EXERCISE:
        content = {"setup": [], "checks": [], "hints": [], "solution": []}
    lesson = LessonData(
        key=key,
        title=title,
        kind=kind,
        module_key=module_key,
        content=content,
        body=_("Write the lesson here.") if kind == LessonKind.READING else "",
    )
    module.lessons.append(key)
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
    order = [(m.key, k) for m in bundle.modules for k in m.lessons]
    slots = [m.key for m in bundle.modules]
    index = next(i for i, (_m, k) in enumerate(order) if k == key)
    module_key = order[index][0]
    module = _module(bundle, module_key)
    position = module.lessons.index(key)
    target = position + offset
    if 0 <= target < len(module.lessons):
        module.lessons.insert(target, module.lessons.pop(position))
    else:
        neighbour_index = slots.index(module_key) + (1 if offset > 0 else -1)
        if 0 <= neighbour_index < len(slots):
            module.lessons.remove(key)
            neighbour = bundle.modules[neighbour_index]
            if offset > 0:
                neighbour.lessons.insert(0, key)
            else:
                neighbour.lessons.append(key)
    _sync_lesson_order(bundle)
    save(draft, bundle, actor)


def remove_lesson(course: Course, key: str, actor: User) -> None:
    """Take a lesson out of the draft; once published, its learners' history is kept."""
    draft, bundle = load(course)
    lesson = lesson_in(bundle, key)
    bundle.lessons.remove(lesson)
    for module in bundle.modules:
        if key in module.lessons:
            module.lessons.remove(key)
    save(draft, bundle, actor)
