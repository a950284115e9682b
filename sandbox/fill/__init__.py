"""What fills a learner's sandbox: a believable company's data, made from a seed.

`populate()` writes it (company.py); the rows are built in rows.py from the words in
text.py, with names from the Faker pools of fakes.py. Creating and resetting a sandbox
(sandbox.services.core) and the exercise builder's dry run call it.
"""

from sandbox.fill.company import STANDARD, populate

__all__ = ["STANDARD", "populate"]
