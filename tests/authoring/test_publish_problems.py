"""What blocks publishing is shown in people's words, never in the course-file format."""

from __future__ import annotations

from portal.authoring import services
from portal.extensions import db


def _problems(author, course) -> str:
    response = author.publish(course)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    problems = page[page.index('data-testid="problems"') :]
    return problems[: problems.index("</ul>")]


def _alter_draft(course, change) -> None:
    """Change the stored draft the way an older draft or an import may have left it."""
    draft, bundle = services.load(course)
    change(bundle)
    draft.data = services.bundle_to_dict(bundle)
    db.session.commit()


def test_a_question_without_a_correct_choice_is_named_by_its_text(client, author):
    course = author.course()
    quiz = author.lesson(course, "Lead basics", kind="quiz")
    assert (
        author.question(
            course, quiz, "Who owns a new lead?", [("Sales", True), ("Nobody", False)]
        ).status_code
        == 302
    )

    def no_correct_choice(bundle):
        for choice in bundle.lessons[0].questions[0].choices:
            choice.correct = False

    _alter_draft(course, no_correct_choice)
    problems = _problems(author, course)
    assert (
        "Lead basics</a>: The question “Who owns a new lead?” has no correct choice: "
        "mark the right answer." in problems
    )
    assert "q-" not in problems and "correct choice'" not in problems


def test_a_problem_the_editor_has_no_words_for_gets_a_plain_sentence(client, author):
    course = author.course()
    author.lesson(course, "Lead basics", kind="quiz")

    def bad_pass_mark_and_kind(bundle):
        bundle.lessons[0].content["pass_mark"] = 0
        bundle.lessons[0].questions = [
            {
                "key": "q-1",
                "kind": "essay",
                "prompt": "Why?",
                "explanation": "",
                "choices": [
                    {"key": "a", "text": "A", "correct": True, "feedback": ""},
                    {"key": "b", "text": "B", "correct": False, "feedback": ["x"]},
                ],
            }
        ]

    _alter_draft(course, bad_pass_mark_and_kind)
    problems = _problems(author, course)
    assert "The pass mark must be a percentage from 1 to 100." in problems
    assert "A question has a type this editor does not know: choose its type again." in problems
    # A problem with no wording of its own gets a general sentence, not the file's English.
    assert "Something here cannot be published as it is: open it and check every field." in (
        problems
    )
    assert "pass_mark" not in problems and "must be text" not in problems
    assert "must be one of" not in problems


def test_the_editor_words_problems_by_codes_the_format_has():
    from portal.authoring.problems import MESSAGES, WORDED
    from portal.courseformat.messages import TEXTS

    assert set(WORDED) <= set(TEXTS)
    assert {code.split(":")[0] for code in MESSAGES} <= set(TEXTS)
