"""Column presets for the usage reports the vendors' CRMs export.

No vendor exports, in one file, a row per user and day with sign-ins and records created
and updated per kind. Each CRM has a login log and a report builder; the preset below
names the columns of a summary report built there (grouped by user and by day or week),
headed with the vendor's own labels for the fields it counts, and says what the vendor
has no column for. Targets a preset leaves out are read as 0 unless mapped by hand on the
mapping screen. Headers match without regard to case or surrounding spaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

# What a column can be mapped to: who, when, then the counts (see models.COUNTS).
TARGETS: dict[str, LazyString] = {
    "email": _l("User's email"),
    "period_start": _l("Day, or first day of the week"),
    "period_end": _l("Last day of the week (optional)"),
    "sign_ins": _l("Sign-ins"),
    "leads_created": _l("Leads created"),
    "leads_updated": _l("Leads updated"),
    "deals_created": _l("Deals created"),
    "deals_updated": _l("Deals updated"),
    "tickets_created": _l("Tickets created"),
    "tickets_updated": _l("Tickets updated"),
    "activities_created": _l("Activities created"),
    "activities_updated": _l("Activities updated"),
}
REQUIRED = ("email", "period_start")


@dataclass(frozen=True)
class Preset:
    """A vendor's report columns: target -> the header the vendor's export writes."""

    key: str
    name: str
    columns: dict[str, str]
    note: LazyString
    source: str  # the page the column names come from
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)


PRESETS: dict[str, Preset] = {
    # EspoCRM: Administration > Auth Log lists sign-ins (User, Created At); Action History
    # records create/update per entity type (action "create"/"update", target type,
    # user). Labels from the entity definitions AuthLogRecord and ActionHistoryRecord:
    # https://github.com/espocrm/espocrm/tree/master/application/Espo/Resources/metadata/entityDefs
    # A Report (Advanced Pack) grouped by user and date gives one row per user and day.
    "espocrm": Preset(
        key="espocrm",
        name="EspoCRM",
        columns={
            "email": "User Email",
            "period_start": "Date",
            "sign_ins": "Auth Log Records",
            "leads_created": "Lead Create",
            "leads_updated": "Lead Update",
            "deals_created": "Opportunity Create",
            "deals_updated": "Opportunity Update",
            "tickets_created": "Case Create",
            "tickets_updated": "Case Update",
            "activities_created": "Call Create",
            "activities_updated": "Call Update",
        },
        note=_l(
            "EspoCRM's report counts calls as activities; meetings and tasks are in their "
            "own columns of Action History and are not added here."
        ),
        source="https://github.com/espocrm/espocrm (entityDefs AuthLogRecord, ActionHistoryRecord)",
    ),
    # SuiteCRM: sign-ins are tracker sessions (Trackers module, tracker_sessions:
    # user_id, date_start); records are counted by an AOR report on each module grouped
    # by "Assigned to" and "Date Created"/"Date Modified". Sources:
    # https://raw.githubusercontent.com/salesagility/SuiteCRM/047a9b66a88145310ed86ac068ffe075f7baaaef/modules/AOR_Reports/AOR_Report.php
    # modules/Trackers/vardefs (tracker_sessions) in SuiteCRM's Sugar-derived tree.
    "suitecrm": Preset(
        key="suitecrm",
        name="SuiteCRM",
        columns={
            "email": "Email Address",
            "period_start": "Date Start",
            "sign_ins": "Sessions",
            "leads_created": "Leads Created",
            "leads_updated": "Leads Modified",
            "deals_created": "Opportunities Created",
            "deals_updated": "Opportunities Modified",
            "tickets_created": "Cases Created",
            "tickets_updated": "Cases Modified",
            "activities_created": "Calls Created",
            "activities_updated": "Calls Modified",
        },
        note=_l(
            "SuiteCRM has no single export with every column: the sessions come from the "
            "tracker and each count from a report on its module, joined by user and day."
        ),
        source="https://raw.githubusercontent.com/salesagility/SuiteCRM/"
        "047a9b66a88145310ed86ac068ffe075f7baaaef/modules/AOR_Reports/AOR_Report.php",
    ),
    # Salesforce: Login History (LoginHistory: UserId, Login Time, Status) for sign-ins;
    # a summary report on Leads, Opportunities, Cases and Activities grouped by Owner
    # and Created Date / Last Modified Date for the counts. Field labels from
    # https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-loginhistory.html
    "salesforce": Preset(
        key="salesforce",
        name="Salesforce",
        columns={
            "email": "Email",
            "period_start": "Login Time",
            "sign_ins": "Record Count",
            "leads_created": "Leads Created",
            "leads_updated": "Leads Last Modified",
            "deals_created": "Opportunities Created",
            "deals_updated": "Opportunities Last Modified",
            "tickets_created": "Cases Created",
            "tickets_updated": "Cases Last Modified",
            "activities_created": "Activities Created",
            "activities_updated": "Activities Last Modified",
        },
        note=_l(
            "Salesforce's Login History export has one row per sign-in: summarise it by "
            "user and day (Record Count) and add the object reports' counts beside it."
        ),
        source="https://developer.salesforce.com/docs/platform/field-reference/references/"
        "field-reference/salesforce-field-reference-loginhistory.html",
    ),
    # HubSpot: account activity export / login API (email, loginAt, loginSucceeded);
    # CRM object counts from a custom report on contacts (leads), deals, tickets and
    # activities by owner and create date. Fields from
    # https://developers.hubspot.com/docs/api-reference/legacy/account/audit-logs/get-login
    "hubspot": Preset(
        key="hubspot",
        name="HubSpot",
        columns={
            "email": "email",
            "period_start": "loginAt",
            "sign_ins": "Logins",
            "leads_created": "Leads created",
            "deals_created": "Deals created",
            "tickets_created": "Tickets created",
            "activities_created": "Activities created",
        },
        note=_l(
            "HubSpot's reports count records by create date only: the updated columns are "
            "not exported and are read as 0."
        ),
        source="https://developers.hubspot.com/docs/api-reference/legacy/account/"
        "audit-logs/get-login",
    ),
    # Odoo: sign-ins from res.users.log (one row per login: Created by, Created on);
    # records from the CRM's Pipeline Analysis and Activities Analysis (crm.activity.report:
    # Date, Salesperson, Activity Type), exported with "Salesperson/Email". Sources:
    # https://github.com/odoo/odoo/blob/9f847076530cf83d7198c16a341b4f5d29392ceb/addons/crm/report/crm_opportunity_report_views.xml
    # https://gist.github.com/tienhieuD/51e3332dc73fa099415e2659be03f6ee (crm.activity.report)
    "odoo": Preset(
        key="odoo",
        name="Odoo",
        columns={
            "email": "Salesperson/Email",
            "period_start": "Date",
            "sign_ins": "Logins",
            "leads_created": "Leads",
            "deals_created": "Opportunities",
            "activities_created": "Activities",
        },
        note=_l(
            "Odoo has no helpdesk in its CRM app and its analyses count created records: "
            "tickets and the updated columns are read as 0."
        ),
        source="https://github.com/odoo/odoo/blob/9f847076530cf83d7198c16a341b4f5d29392ceb/"
        "addons/crm/report/crm_opportunity_report_views.xml",
    ),
}

# Headers a file without a preset may use, matched to targets on the mapping screen.
GENERIC = {
    "email": ("email", "e-mail", "user email", "username", "user"),
    "period_start": ("date", "day", "period start", "week", "week start", "period_start"),
    "period_end": ("period end", "week end", "end", "period_end"),
    "sign_ins": ("sign-ins", "sign ins", "logins", "log-ins", "sign_ins"),
}


def _key(header: str) -> str:
    return " ".join(header.split()).casefold()


def suggest_mapping(header: list[str], preset: str | None) -> dict[str, str]:
    """target -> the header it reads: the preset's where it matches, else by name."""
    found = {_key(name): name for name in header}
    mapping: dict[str, str] = {}
    if preset in PRESETS:
        for target, name in PRESETS[preset].columns.items():
            if _key(name) in found:
                mapping[target] = found[_key(name)]
    for target in TARGETS:
        if target in mapping:
            continue
        for name in (target, target.replace("_", " "), *GENERIC.get(target, ())):
            if _key(name) in found:
                mapping[target] = found[_key(name)]
                break
    return mapping
