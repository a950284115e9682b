"""People and departments: the builders behind the demo organisation and test fixtures.

Builders return plain dicts, so the demo seed can insert them in bulk and tests can
override any field.
"""

from __future__ import annotations

from faker import Faker

# The demo organisation and the test factories make their people with the same seeded
# Faker as the sandbox customers.
from sandbox.fill.fakes import make_faker  # noqa: F401

DEPARTMENTS = ("Sales", "Customer Service", "Marketing", "Billing", "IT")

JOB_TITLES = {
    "Sales": ("Sales Executive", "Account Manager", "Sales Team Lead", "Business Developer"),
    "Customer Service": ("Service Agent", "Support Specialist", "Service Team Lead"),
    "Marketing": ("Marketing Officer", "Campaign Manager", "Content Specialist"),
    "Billing": ("Billing Officer", "Accounts Receivable Clerk", "Billing Supervisor"),
    "IT": ("Systems Administrator", "CRM Administrator", "Support Engineer"),
}

DEMO_PASSWORD = "demo-password"
DEMO_DOMAIN = "demo.test"

# email, name, department, job title, roles
DEMO_ACCOUNTS = (
    ("admin@demo.test", "Ayesha Siddiqui", "IT", "CRM Administrator", ("admin",)),
    ("trainer@demo.test", "Rahul Verma", "Customer Service", "CRM Trainer", ("trainer",)),
    ("exec@demo.test", "Farah Naqvi", "Sales", "Chief Operating Officer", ("executive",)),
    ("learner@demo.test", "Imran Qureshi", "Sales", "Sales Executive", ("learner",)),
)


def employee(faker: Faker, department: str, taken: set[str], **overrides) -> dict:
    """One employee: realistic name, a unique work email, a job title that fits."""
    name = overrides.pop("name", None) or faker.name()
    email = overrides.pop("email", None)
    if email is None:
        local = ".".join(part.lower() for part in name.split() if part.isalpha()) or "staff"
        email, suffix = f"{local}@{DEMO_DOMAIN}", 1
        while email in taken:
            suffix += 1
            email = f"{local}{suffix}@{DEMO_DOMAIN}"
    taken.add(email)
    return {
        "name": name,
        "email": email,
        "department": department,
        "job_title": faker.random_element(JOB_TITLES.get(department, ("Staff",))),
        "roles": ("learner",),
    } | overrides


def employees(faker: Faker, count: int, departments=DEPARTMENTS, taken=None) -> list[dict]:
    """`count` employees spread over the departments, Sales and Service the largest."""
    taken = set() if taken is None else taken
    weights = {"Sales": 4, "Customer Service": 3, "Marketing": 1, "Billing": 1, "IT": 1}
    pool = [d for d in departments for _ in range(weights.get(d, 1))]
    return [employee(faker, faker.random_element(pool), taken) for _ in range(count)]
