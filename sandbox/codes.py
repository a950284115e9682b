"""The sandbox's codes and record shapes, with no Flask: what the database stores and what
course files may name.

`sandbox.models` (the tables), `sandbox.vocabulary` (labels) and `portal.courseformat` (the
course file format) all read these, so a status or field is defined here once.
"""

from __future__ import annotations

LEAD_STATUSES = ("new", "assigned", "in_process", "converted", "recycled", "dead")
LEAD_SOURCES = (
    "call",
    "email",
    "existing_customer",
    "partner",
    "public_relations",
    "web_site",
    "campaign",
    "trade_show",
    "referral",
    "other",
)
STAGES = {
    "prospecting": 10,
    "qualification": 20,
    "proposal": 50,
    "negotiation": 80,
    "closed_won": 100,
    "closed_lost": 0,
}
TICKET_STATUSES = ("new", "assigned", "pending", "closed", "rejected", "duplicate")
PRIORITIES = ("low", "normal", "high", "urgent")
CATEGORIES = ("billing", "technical", "delivery", "defect", "return")
TIERS = ("bronze", "silver", "gold", "platinum")
# The product groups of the sandbox's catalogue (sb_products.category). A customer's
# preferences that name one ("Interested in: software") change what their page offers.
INTERESTS = ("hardware", "software", "supplies", "service")
ACTIVITY_KINDS = ("call", "email", "meeting", "note", "task")
TRIGGERS = ("birthday", "purchase_anniversary", "ticket_resolved")
# Triggers whose emails are marketing: sent only to someone who agreed to marketing email.
# A ticket-resolved email (a satisfaction survey, a "we fixed it") is service, sent to all.
MARKETING_TRIGGERS = ("birthday", "purchase_anniversary")
# Why an automation's email was held back in the outbox (sb_outbox.skipped_reason).
SKIP_REASONS = ("no_marketing_consent",)
SLA_MEASURES = ("first_response", "resolution")
# How a customer reached us with a ticket (sb_tickets.channel).
CHANNELS = ("phone", "email", "visit", "web")
# How far a lead's budget is known (sb_leads.budget_status): BANT's "budget".
BUDGET_STATUSES = ("unknown", "indicated", "confirmed", "none")

# Roles: the groups whose words the organisation's CRM decides (sandbox.profiles). Their
# codes above are the roles course files and checks name ("qualification", "closed_won",
# "pending"), in order: "the stage after qualification" is the next stage role. A CRM
# profile labels every role and may add entries of its own that play one of them
# (Salesforce's "Needs Analysis" plays "qualification"); each role's own code is stored
# for it, so the codes stay stable whichever profile an organisation picks.
PROFILED_GROUPS = ("lead_status", "stage", "ticket_status", "priority", "category")
# The widest code each profiled group's column holds (sandbox.models).
CODE_WIDTHS = {"lead_status": 16, "stage": 16, "ticket_status": 12, "priority": 8, "category": 12}
# Entity labels a profile may set (what the organisation's CRM calls each record).
PROFILED_ENTITIES = ("customer", "contact", "lead", "opportunity", "ticket")

# Code lists by vocabulary group (what sandbox.vocabulary labels).
CODES: dict[str, tuple[str, ...]] = {
    "lead_status": LEAD_STATUSES,
    "lead_source": LEAD_SOURCES,
    "stage": tuple(STAGES),
    "ticket_status": TICKET_STATUSES,
    "priority": PRIORITIES,
    "category": CATEGORIES,
    "tier": TIERS,
    "activity": ACTIVITY_KINDS,
    "trigger": TRIGGERS,
    "channel": CHANNELS,
    "budget_status": BUDGET_STATUSES,
}

# What a value in an event's data holds: a code of a CODES group (named by the group), a
# code of a tuple given in place, or one of these.
RECORD = "record"  # a record's id: a check links it to a setup record, {setup: key}
NUMBER = "number"  # a whole number or an amount
FLAG = "flag"  # true or false
TEXT = "text"
NAMES = "names"  # a list: field names, setup keys, ids
MAPPING = "mapping"  # a mapping, logged for people; checks do not compare it
# The records an activity (note, call, task...) can be on (sb_activities.parent_type).
ACTIVITY_PARENTS = ("customer", "lead", "opportunity", "ticket")
REPORTS = ("sales_targets",)  # the reports whose opening is logged (report.viewed)
MAX_CLOCK_DAYS = 31  # the most days the sandbox clock moves on at once

# Every verb a sandbox event may carry (the log exercises grade "how" from), with what its
# data holds, key by key, as sandbox.services logs it: what a check's `data` may compare.
EVENT_VERBS: dict[str, dict[str, str | tuple[str, ...]]] = {
    "sandbox.reset": {"generation": NUMBER},
    "clock.advanced": {"days": NUMBER},
    "exercise.started": {"data_keys": NAMES},
    # A scenario event played: a customer wrote, a ticket arrived (on the event's record).
    "scenario.played": {"key": TEXT, "kind": TEXT},
    "lead.created": {"source": "lead_source"},
    "lead.updated": {"fields": NAMES},
    "lead.status_changed": {"from": "lead_status", "to": "lead_status"},
    "lead.assigned": {"owner": RECORD, "to_me": FLAG},
    "lead.converted": {
        "customer": RECORD,
        "contact": RECORD,
        "opportunity": RECORD,
        "existing": FLAG,
    },
    "customer.created": {"is_company": FLAG, "works_for": RECORD},
    "customer.updated": {"fields": NAMES},
    # from, to (consent on or off), channel (how it was given or withdrawn)
    "customer.consent_changed": {"from": FLAG, "to": FLAG, "channel": "channel"},
    # survivor (id), merged (ids deleted), kept (field -> id of the record whose value stayed)
    "lead.merged": {"survivor": RECORD, "merged": NAMES, "kept": MAPPING},
    "customer.merged": {"survivor": RECORD, "merged": NAMES, "kept": MAPPING},
    "opportunity.updated": {"fields": NAMES, "amount": NUMBER},
    "opportunity.stage_changed": {
        "from": "stage",
        "to": "stage",
        "amount": NUMBER,
        "probability": NUMBER,
    },
    "activity.created": {"kind": "activity", "parent": ACTIVITY_PARENTS, "parent_id": RECORD},
    "task.completed": {"parent": ACTIVITY_PARENTS, "parent_id": RECORD, "overdue": FLAG},
    "ticket.created": {"channel": "channel", "category": "category", "priority": "priority"},
    "ticket.assigned": {"assignee": RECORD, "to_me": FLAG},
    "ticket.category_changed": {"from": "category", "to": "category"},
    "ticket.priority_changed": {"from": "priority", "to": "priority"},
    "ticket.responded": {"first": FLAG, "late": FLAG},
    "ticket.pending": {},
    "ticket.resolved": {"late": FLAG},
    "ticket.closed": {"satisfaction": NUMBER},
    "ticket.rejected": {},
    "ticket.duplicate": {},
    "ticket.reopened": {},
    "automation.created": {"trigger": "trigger", "active": FLAG},
    "automation.updated": {"trigger": "trigger", "active": FLAG},
    "outbox.sent": {"customer": RECORD, "trigger": "trigger", "automation": RECORD},
    "outbox.skipped": {
        "customer": RECORD,
        "trigger": "trigger",
        "automation": RECORD,
        "reason": SKIP_REASONS,
    },
    "report.viewed": {"report": REPORTS},
    "import.completed": {
        "records": ("lead", "customer"),
        "imported": NUMBER,
        "skipped": NUMBER,
        "companies": NUMBER,
        "ids": NAMES,
    },
}

# Fields that link to another record, by the name course files use, and their columns.
LINK_FIELDS = {
    "customer": "customer_id",  # the account a deal, ticket or purchase belongs to
    "contact": "contact_id",  # the person there
    "works_for": "company_id",  # the company account a person works for
    "purchase": "purchase_id",
    "owner": "owner_id",
    "assignee": "assignee_id",
    "parent": "parent_id",
}

# The contact columns customers (people) and leads share, a customer's own columns, and the
# terms every deal has: what setup records may set and checks may read of each.
_CONTACT_DETAILS = ("first_name", "last_name", "company", "title", "email", "phone")
_CUSTOMER_DETAILS = (
    "is_company",
    "works_for",
    *_CONTACT_DETAILS,
    "city",
    "birthday",
    "customer_since",
    "tier",
    "loyalty_card",
    "preferences",
    "email_consent",
)
_DEAL_TERMS = ("name", "customer", "contact", "owner", "stage", "amount", "close_date")

# What an exercise's setup record may set, per entity (and `created_at`, when it was made).
SETUP_FIELDS: dict[str, tuple[str, ...]] = {
    "customer": (*_CUSTOMER_DETAILS, "consent_channel", "created_at"),
    "lead": (*_CONTACT_DETAILS, "source", "status", "owner", "description", "created_at"),
    "opportunity": (*_DEAL_TERMS, "next_step", "created_at"),
    "purchase": ("customer", "product", "quantity", "purchased_on", "created_at"),
    "ticket": (
        "customer",
        "contact",
        "purchase",
        "subject",
        "category",
        "priority",
        "status",
        "assignee",
        "description",
        "first_response_due",
        "resolution_due",
        "created_at",
    ),
    "automation": ("name", "trigger", "subject", "body", "active", "created_at"),
    "sales_target": ("owner", "period_start", "period_end", "amount", "created_at"),
}

# What a check may compare or filter on, per entity: every column of the sandbox table, links
# by their course-file name (tests/learning/test_format.py keeps this equal to the tables).
CHECK_FIELDS: dict[str, tuple[str, ...]] = {
    "customer": (*_CUSTOMER_DETAILS, "consent_at", "consent_channel", "lead_id", "created_at"),
    "product": ("name", "category", "price"),
    "purchase": ("customer", "product_id", "quantity", "amount", "purchased_on"),
    "lead": (
        *_CONTACT_DETAILS,
        "source",
        "status",
        "description",
        "converted_customer_id",
        "converted_contact_id",
        "converted_opportunity_id",
        "owner",
        "need",
        "authority",
        "budget",
        "budget_status",
        "timing",
        "created_at",
    ),
    "opportunity": (*_DEAL_TERMS, "closed_reason", "next_step", "lead_id", "closed_on"),
    "ticket": (
        "customer",
        "contact",
        "purchase",
        "subject",
        "description",
        "channel",
        "category",
        "priority",
        "status",
        "assignee",
        "opened_at",
        "first_response_due",
        "resolution_due",
        "first_responded_at",
        "resolved_at",
        "resolution",
        "resolution_cause",
        "resolution_action",
        "resolution_expectation",
        "satisfaction",
    ),
    "activity": ("kind", "parent_type", "parent", "subject", "body", "due_on", "done", "at"),
    "automation": ("name", "trigger", "subject", "body", "active"),
    "outbox_email": (
        "customer",
        "automation_id",
        "trigger",
        "to",
        "subject",
        "body",
        "sent_at",
        "skipped_reason",
    ),
    "sales_target": ("owner", "period_start", "period_end", "amount"),
    "colleague": ("name", "role", "is_learner"),
}
# Free-text fields whose words a content check counts, per entity: the structured parts
# of a qualification (BANT) and of a resolution note, and notes' text.
TEXT_PARTS: dict[str, tuple[str, ...]] = {
    "lead": ("need", "authority", "description"),
    "ticket": (
        "resolution_cause",
        "resolution_action",
        "resolution_expectation",
        "resolution",
        "description",
    ),
    "activity": ("subject", "body"),
    "opportunity": ("next_step", "closed_reason"),
    "customer": ("preferences",),
}
SETUP_ENTITIES = tuple(SETUP_FIELDS)
CHECK_ENTITIES = tuple(CHECK_FIELDS)

# Fields whose values are codes, and the group each one draws from.
CODE_GROUPS = {
    ("lead", "status"): "lead_status",
    ("lead", "source"): "lead_source",
    ("lead", "budget_status"): "budget_status",
    ("opportunity", "stage"): "stage",
    ("ticket", "status"): "ticket_status",
    ("ticket", "priority"): "priority",
    ("ticket", "category"): "category",
    ("ticket", "channel"): "channel",
    ("automation", "trigger"): "trigger",
    ("customer", "tier"): "tier",
    ("customer", "consent_channel"): "channel",
    ("activity", "kind"): "activity",
    ("outbox_email", "trigger"): "trigger",
}


def codes_for(entity: str | None, field: str) -> tuple[str, ...] | None:
    """The codes a field of an entity may hold, or None when it is free text."""
    group = CODE_GROUPS.get((entity or "", field))
    return CODES[group] if group else None


def event_codes(verb: str, key: str) -> tuple[str, ...] | None:
    """The codes an event's data value may hold, or None when it holds no code."""
    kind = EVENT_VERBS.get(verb, {}).get(key)
    return kind if isinstance(kind, tuple) else CODES.get(kind or "")


def event_code_group(verb: str, key: str) -> str | None:
    """The CODES group of an event's data value (a profile may name its codes), or None."""
    kind = EVENT_VERBS.get(verb, {}).get(key)
    return kind if isinstance(kind, str) and kind in CODES else None
