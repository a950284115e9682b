"""What each course-format problem says, by its code: English here, translated on screen.

A problem carries a code and its parameters. `english()` words it for files and the
command line (`flask courses validate` prints file:line and this text); the browser passes
the same template to gettext with the parameters, so a trainer reads it in their language.
The templates are marked with `N_`, pybabel's marker for text translated later: this
module has no Flask in it.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticCustomError


def N_(text: str) -> str:  # noqa: N802 - pybabel's marker for text translated later
    return text


TEXTS: dict[str, str] = {
    # Any field
    "unknown_field": N_("unknown field '%(name)s'"),
    "missing": N_("'%(name)s' is missing"),
    "not_text": N_("'%(name)s' must be text"),
    "not_plain": N_("'%(name)s' must be text, a number or true/false"),
    "text_too_long": N_("'%(name)s' is longer than %(limit)s characters"),
    "too_few": N_("'%(name)s' needs at least %(count)s"),
    "not_one_of": N_("'%(name)s' is '%(value)s', not one of: %(expected)s"),
    "tag_unknown": N_("%(name)s '%(value)s' is not one of: %(expected)s"),
    "key_pattern": N_("key '%(value)s' must be lower-case letters, digits, '-' or '_' (max 80)"),
    "invalid": N_("'%(name)s': %(detail)s"),
    "invalid_value": N_("%(detail)s"),
    # Files
    "yaml": N_("not valid YAML: %(detail)s"),
    "not_mapping": N_("%(what)s must be a mapping of names to values"),
    "no_course_file": N_("the course has no course.yaml"),
    "not_listed": N_("this file is not listed in any module of course.yaml"),
    "upload": N_("%(detail)s"),
    # The course and its modules
    "slug_pattern": N_("slug '%(value)s' must be lower-case letters, digits or '-'"),
    "language": N_("language must be one of %(expected)s"),
    "no_modules": N_("'modules' must list at least one module"),
    "module_twice": N_("module key '%(key)s' is used twice"),
    "module_empty": N_("module '%(key)s' lists no lessons"),
    "lesson_twice": N_("lesson '%(key)s' is listed twice"),
    "no_lesson_file": N_(
        "lesson '%(key)s' has no file (%(key)s.md, %(key)s.quiz.yaml or %(key)s.exercise.yaml)"
    ),
    "lesson_files": N_("lesson '%(key)s' has more than one file: %(files)s"),
    "no_original": N_("translation_of: no course '%(slug)s'"),
    "kind_changed": N_(
        "lesson '%(key)s' was a %(was)s and is now a %(now)s: give the new lesson a key of its own"
    ),
    "key_not_file": N_("key must be '%(key)s', as its file name says"),
    "minutes": N_("'minutes' must be a whole number from 1 to 600"),
    # Readings
    "front_matter": N_("a reading starts with front matter between '---' lines"),
    "reading_kind": N_("a .md lesson is a reading: kind must be 'reading'"),
    "reading_too_long": N_("the reading is longer than %(limit)s characters"),
    "reading_empty": N_("the reading has no text"),
    "reading_check": N_("'check' lists the knowledge check's questions, at most %(most)s"),
    # Quizzes
    "quiz_empty": N_("a quiz needs at least one question"),
    "pass_mark": N_("'pass_mark' must be a percentage from 1 to 100"),
    "question_twice": N_("question key '%(key)s' is used twice"),
    "question_kind": N_("question kind must be one of %(expected)s"),
    "two_choices": N_("question '%(key)s' needs at least two choices"),
    "choice_twice": N_("choice key '%(choice)s' is used twice in '%(key)s'"),
    "no_correct": N_("question '%(key)s' has no correct choice"),
    "many_correct": N_("question '%(key)s' is %(kind)s but has %(count)s correct choices"),
    "true_false_two": N_("true/false question '%(key)s' needs exactly two choices"),
    "true_false_keys": N_("true/false question '%(key)s' has the choice keys 'true' and 'false'"),
    # Exercises
    "no_checks": N_("an exercise needs at least one check"),
    "no_required_check": N_("an exercise needs at least one required check"),
    "setup_key_twice": N_("every setup needs its own key: '%(key)s' is used twice"),
    "check_key_twice": N_("every check needs its own key: '%(key)s' is used twice"),
    "setup_field": N_("a %(entity)s record cannot set '%(name)s' (fields: %(expected)s)"),
    "no_setup_record": N_("no setup record '%(key)s'"),
    "relative_date": N_(
        "'%(value)s' is not a relative date like @today-1y+5d or @now+4h "
        "(at most three steps; up to 9999h or d, 999w or m, 99y)"
    ),
    "one_operator": N_("an operator is exactly one of: %(expected)s"),
    "no_field": N_("a %(entity)s has no field '%(name)s' (fields: %(expected)s)"),
    "not_a_code": N_("%(entity)s.%(name)s '%(value)s' is not one of: %(expected)s"),
    "value_or_not_empty": N_("give exactly one of 'value' or 'not_empty: true'"),
    "sla_ticket": N_("within_sla is about a ticket"),
    "no_scenario_event": N_("no scenario event '%(key)s'"),
    "scenario_record": N_("a %(kind)s scenario event names its record in '%(name)s' only"),
    "answer_source_or_value": N_("give exactly one of 'source' (a computation) or 'value'"),
    "answer_source": N_("no computation '%(value)s' (computations: %(expected)s)"),
    "answer_param": N_("computation %(source)s has no parameter '%(name)s' (%(expected)s)"),
    "answer_param_missing": N_("computation %(source)s needs the parameter '%(name)s'"),
    "answer_param_kind": N_("computation %(source)s: '%(name)s' must be %(kind)s"),
    "answer_kind": N_("computation %(source)s gives a %(result)s, not a %(answer)s answer"),
    "answer_options": N_("a choice answer lists at least two options, and only a choice does"),
    "answer_tolerance": N_("only a number, money or percent answer has a tolerance"),
    "one_tolerance": N_("a tolerance is exactly one of: absolute, percent"),
    "content_entity": N_("content checks read a %(expected)s"),
    "min_words_field": N_("%(entity)s.%(name)s is not text: min_words counts %(expected)s"),
    "consent_customer": N_("a consent check is about customers"),
    "consent_nothing": N_("a consent check needs 'marketing', 'consent' or 'channel'"),
    "step_text": N_("'step' is missing: say what the learner does"),
    # Event data in checks, per verb (sandbox.codes.EVENT_VERBS)
    "event_no_data": N_("a %(event)s event carries no data"),
    "event_data_key": N_("a %(event)s event has no data '%(name)s' (data: %(expected)s)"),
    "event_data_code": N_("%(event)s data '%(name)s' is '%(value)s', not one of: %(expected)s"),
    "event_data_record": N_(
        "%(event)s data '%(name)s' is a record: link one with {setup: key}, or use not_empty"
    ),
    "event_data_number": N_("%(event)s data '%(name)s' is a number"),
    "event_data_flag": N_("%(event)s data '%(name)s' is true or false"),
    "event_data_text": N_("%(event)s data '%(name)s' is text"),
    "event_data_list": N_("%(event)s data '%(name)s' is a list: compare it with contains"),
    "event_data_operator": N_("%(event)s data '%(name)s' cannot be compared with %(operator)s"),
    "event_data_mapping": N_("%(event)s data '%(name)s' is not compared by checks"),
    "event_data_target": N_(
        "%(event)s data '%(name)s' compares a value: name a setup record with {setup: key}"
    ),
}


def english(code: str, params: dict[str, Any]) -> str:
    """The problem's text in English (file:line reports and the command line)."""
    return TEXTS[code] % params


def invalid(code: str, **params: Any) -> PydanticCustomError:
    """A validation error with this code and parameters (raise it in a validator)."""
    return PydanticCustomError(code, english(code, params), params)
