"""Course bundles: the names the portal has long used for the course format.

The format itself (reading, validating and writing course files) lives in
`portal.courseformat`; this module only gives its pieces their older names for the
callers that still use them.
"""

from __future__ import annotations

from portal.courseformat.course import (
    CourseBundle,
    LessonData,
    bundle_from_dict,
    bundle_to_dict,
)
from portal.courseformat.files import read_folder
from portal.courseformat.problems import FormatError as BundleError
from portal.courseformat.problems import Problem
from portal.courseformat.reader import read_course as read_bundle
from portal.courseformat.values import KEY
from portal.courseformat.writer import bundle_to_files

__all__ = [
    "KEY",
    "BundleError",
    "CourseBundle",
    "LessonData",
    "Problem",
    "bundle_from_dict",
    "bundle_to_dict",
    "bundle_to_files",
    "read_bundle",
    "read_folder",
]
