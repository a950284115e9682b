"""The authoring services, by concern: trainers edit a draft; publishing makes it what
learners see.

- errors: AuthoringError, which every rule below raises
- keys: titles and the stable keys made from them
- drafts: start, load, store and discard a course's draft
- publishing: what blocks a draft, publish, withdraw, delete
- structure: modules and lessons
- questions: a quiz's questions

Callers use this package as one module (`from portal.authoring import services;
services.publish(...)`), so the names are re-exported here.
"""

from portal.authoring.services.drafts import (
    courses_with_pending_drafts,
    create_course,
    discard_draft,
    get_draft,
    has_unpublished_changes,
    load,
    peek,
    save,
    update_details,
)
from portal.authoring.services.errors import AuthoringError
from portal.authoring.services.keys import TITLE_MAX, clean_title, slugify, unique_key
from portal.authoring.services.publishing import delete_course, draft_problems, publish, withdraw
from portal.authoring.services.questions import remove_question, save_question
from portal.authoring.services.structure import (
    add_lesson,
    add_module,
    lesson_in,
    move_lesson,
    move_module,
    remove_lesson,
    remove_module,
    rename_module,
    update_quiz,
    update_reading,
)
from portal.courseformat import bundle_from_dict, bundle_to_dict  # a draft's stored data

__all__ = [
    "TITLE_MAX",
    "AuthoringError",
    "add_lesson",
    "add_module",
    "bundle_from_dict",
    "bundle_to_dict",
    "clean_title",
    "courses_with_pending_drafts",
    "create_course",
    "delete_course",
    "discard_draft",
    "draft_problems",
    "get_draft",
    "has_unpublished_changes",
    "lesson_in",
    "load",
    "move_lesson",
    "move_module",
    "peek",
    "publish",
    "remove_lesson",
    "remove_module",
    "remove_question",
    "rename_module",
    "save",
    "save_question",
    "slugify",
    "unique_key",
    "update_details",
    "update_quiz",
    "update_reading",
    "withdraw",
]
