"""The demo organisation's curriculum: the built-in courses under courses/, imported.

Who takes which course is the demo rollout plan's business: its waves tie the courses to
their departments (seed/rollout_demo/).
"""

from __future__ import annotations

from pathlib import Path

from portal.learning.importer import course_folders, import_folders

COURSES_DIR = Path(__file__).resolve().parent.parent / "courses"


def import_builtin_courses() -> int:
    """Import (or update) every course under courses/; returns how many there are."""
    folders = course_folders(COURSES_DIR) if COURSES_DIR.exists() else []
    if not folders:
        return 0
    import_folders(folders)
    return len(folders)
