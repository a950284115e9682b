"""What changed between two versions of a course, as structured entries for the history."""

from __future__ import annotations

from portal.courseformat import CourseBundle


def describe_changes(old: CourseBundle | None, new: CourseBundle) -> list[dict[str, str]]:
    """Entries like {"change": "lesson_added", "title": "..."}; templates word them."""
    if old is None:
        return [{"change": "course_created", "title": new.title}]
    changes: list[dict[str, str]] = []
    details = ("title", "summary", "cover", "language")
    if any(getattr(old, name) != getattr(new, name) for name in details):
        changes.append({"change": "course_details", "title": new.title})
    old_modules = {m.key: m for m in old.modules}
    new_modules = {m.key: m for m in new.modules}
    for key, module in new_modules.items():
        if key not in old_modules:
            changes.append({"change": "module_added", "title": module.title})
        elif old_modules[key].title != module.title:
            changes.append({"change": "module_renamed", "title": module.title})
    for key, module in old_modules.items():
        if key not in new_modules:
            changes.append({"change": "module_removed", "title": module.title})
    old_lessons = {lesson.key: lesson for lesson in old.lessons}
    new_lessons = {lesson.key: lesson for lesson in new.lessons}
    for key, lesson in new_lessons.items():
        before = old_lessons.get(key)
        if before is None:
            changes.append({"change": "lesson_added", "title": lesson.title})
        elif before != lesson:
            moved_only = (
                before.module_key != lesson.module_key
                and {**before.__dict__, "module_key": lesson.module_key} == lesson.__dict__
            )
            changes.append(
                {"change": "lesson_moved" if moved_only else "lesson_edited", "title": lesson.title}
            )
    for key, lesson in old_lessons.items():
        if key not in new_lessons:
            changes.append({"change": "lesson_removed", "title": lesson.title})
    if [lesson.key for lesson in old.lessons if lesson.key in new_lessons] != [
        lesson.key for lesson in new.lessons if lesson.key in old_lessons
    ]:
        changes.append({"change": "lessons_reordered", "title": ""})
    return changes
