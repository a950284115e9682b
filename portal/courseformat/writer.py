"""Write a course back out as the files the reader reads."""

from __future__ import annotations

from typing import Any

from portal.courseformat.course import CourseBundle, LessonKind
from portal.courseformat.files import dump_yaml


def bundle_to_files(bundle: CourseBundle) -> dict[str, str]:
    """Write the bundle as course files: course.yaml plus one file per lesson."""
    course: dict[str, Any] = {"slug": bundle.slug, "title": bundle.title}
    if bundle.summary:
        course["summary"] = bundle.summary
    if bundle.cover:
        course["cover"] = bundle.cover
    course["language"] = bundle.language
    if bundle.translation_of:
        course["translation_of"] = bundle.translation_of
    course["modules"] = [
        {"key": m["key"], "title": m["title"], "lessons": list(m["lessons"])}
        for m in bundle.modules
    ]
    files = {"course.yaml": dump_yaml(course)}
    for lesson in bundle.lessons:
        head: dict[str, Any] = {"key": lesson.key, "title": lesson.title}
        if lesson.kind == LessonKind.READING:
            head |= {"kind": "reading", "minutes": lesson.minutes}
            if not lesson.required:
                head["required"] = False
            files[f"{lesson.key}.md"] = f"---\n{dump_yaml(head)}---\n{lesson.body.strip()}\n"
            continue
        head["minutes"] = lesson.minutes
        if not lesson.required:
            head["required"] = False
        if lesson.kind == LessonKind.QUIZ:
            head["pass_mark"] = lesson.content.get("pass_mark", 70)
            if lesson.body:
                head["intro"] = lesson.body
            head["questions"] = [
                {
                    "key": q["key"],
                    "kind": q["kind"],
                    "prompt": q["prompt"],
                    **({"explanation": q["explanation"]} if q.get("explanation") else {}),
                    "choices": [
                        {
                            "key": c["key"],
                            "text": c["text"],
                            "correct": bool(c["correct"]),
                            **({"feedback": c["feedback"]} if c.get("feedback") else {}),
                        }
                        for c in q["choices"]
                    ],
                }
                for q in lesson.questions
            ]
            files[f"{lesson.key}.quiz.yaml"] = dump_yaml(head)
        else:
            head["task"] = lesson.body
            for part in ("setup", "checks", "hints", "solution"):
                head[part] = lesson.content.get(part, [])
            files[f"{lesson.key}.exercise.yaml"] = dump_yaml(head)
    return files
