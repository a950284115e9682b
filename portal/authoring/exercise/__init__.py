"""The exercise builder: an exercise's task, setup records, checks and reference solution.

Everything is edited as forms on the course draft:

- entities: the records an exercise can name, their fields and code lists; values in forms
- task: the task text and hints
- setup_records: the records injected into the learner's sandbox before they start
- conditions: conditions and targets as rows of the check form, and back
- checks: checks read from and shown in the check form; saving and removing them
- actions: the actions a solution step can take, and their arguments
- step_form: a solution step as the step form's values, and back
- steps: what steps make and point at; saving, moving and removing them in order
- context: what the exercise editor's templates read
- forms: the WTForms forms the builder's views read and its templates render (each
  repeated row a FieldList)
- validation: what the builder makes, checked by the course format (portal.courseformat)
"""
