"""The course list reads no draft's content: its cost does not grow with draft size."""

from __future__ import annotations

import re

from sqlalchemy import update

from portal.authoring.models import CourseDraft
from portal.extensions import db

PENDING = "Unpublished changes"


def _published_with_reading(author, title):
    course = author.course(title=title)
    key = author.lesson(course, "Intro")
    assert author.reading(course, key, "Read me.").status_code == 302
    assert author.publish(course).status_code == 302
    return course, key


def test_the_course_list_says_which_drafts_changed_without_reading_them(
    client, author, count_queries
):
    changed, key = _published_with_reading(author, "Changed course")
    _published_with_reading(author, "Untouched course")
    assert author.reading(changed, key, "Read me, edited.").status_code == 302

    with count_queries() as counter:
        page = client.get("/author/")
    assert page.status_code == 200
    row = {
        title: chunk
        for title, chunk in re.findall(r"(Changed|Untouched) course(.*?)</tr>", page.text, re.S)
    }
    assert PENDING in row["Changed"] and PENDING not in row["Untouched"]
    drafts_read = [s for s in counter.statements if "course_drafts" in s]
    assert drafts_read and not any("course_drafts.data" in s for s in drafts_read)


def test_a_draft_saved_before_digests_were_kept_is_still_compared(client, author):
    changed, key = _published_with_reading(author, "Changed course")
    assert author.reading(changed, key, "Read me, edited.").status_code == 302
    db.session.execute(update(CourseDraft).values(content_hash=None))
    db.session.commit()

    assert PENDING in client.get("/author/").text
