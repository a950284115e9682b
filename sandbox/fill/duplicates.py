"""Records entered twice, as every real customer list has, for the Duplicates page to find.

A fresh sandbox gets three people entered twice (once with a typo in the name; each time
the phone written another way), one company whose name a contact gave with another
spelling, and one lead logged twice. Apart from those, no two people and no two open leads
share a phone: Faker's pool of numbers repeats, which would flag strangers as duplicates.
Nothing here draws random numbers, so the rest of the seed is the same as without it.
"""

from __future__ import annotations

# Fewer records than this and the sandbox is a test's small one: nothing is copied.
MINIMUM = 12


def _unique_phones(rows: list[dict]) -> None:
    """Change the last digits of a phone another row already has, until it is new."""
    seen: set[str] = set()
    for row in rows:
        phone = row["phone"]
        while phone in seen:
            phone = f"{phone[:-4]}{(int(phone[-4:]) + 1) % 10000:04d}"
        row["phone"] = phone
        seen.add(phone)


def _other_format(phone: str, style: int) -> str:
    """The same number written another way: with the country code, digits only, spaced."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if style == 0:
        return f"+92 {digits[1:4]} {digits[4:]}"
    if style == 1:
        return digits
    return f"{digits[:4]} {digits[4:7]} {digits[7:]}"


def _slip(name: str) -> str:
    """A typing slip: two neighbouring letters in the middle of the name swapped."""
    middle = len(name) // 2
    if len(name) < 4 or name[middle - 1] == name[middle]:
        return name + name[-1]  # a doubled last letter instead
    return name[: middle - 1] + name[middle] + name[middle - 1] + name[middle + 1 :]


def people_entered_twice(people: list[dict]) -> None:
    """Three retail customers entered a second time, over the last three retail rows: the
    same person with another email, the phone in another format, one name with a slip."""
    _unique_phones(people)
    retail = [i for i, person in enumerate(people) if not person["company"]]
    if len(people) < MINIMUM or len(retail) < 6:
        return
    taken = {person["email"] for person in people}
    for style, (original, copy) in enumerate(zip(retail[:3], retail[-1:-4:-1], strict=True)):
        source, twin = people[original], people[copy]
        local = source["email"].split("@")[0]
        email, n = f"{local}@post.example", 2
        while email in taken:
            email, n = f"{local}{n}@post.example", n + 1
        taken.add(email)
        twin.update(
            first_name=source["first_name"],
            last_name=_slip(source["last_name"]) if style == 1 else source["last_name"],
            email=email,
            phone=_other_format(source["phone"], style),
            city=source["city"],
            birthday=source["birthday"],
        )


def company_entered_twice(people: list[dict]) -> None:
    """The last contact of the company with most gives its name spelled another way, so
    the company is entered a second time (before `rows.accounts` makes the companies)."""
    at = {}
    for i, person in enumerate(people):
        if person["company"]:
            at.setdefault(person["company"], []).append(i)
    several = sorted((indexes for indexes in at.values() if len(indexes) > 1), key=len)
    # Some company must keep several contacts: the largest gives one, if that leaves some.
    if len(people) < MINIMUM or not several or (len(several) == 1 and len(several[0]) < 3):
        return
    contact = people[several[-1][-1]]
    name = contact["company"]
    if " and " in name:
        variant = name.replace(",", "").replace(" and ", " & ")
    elif name.endswith(("Inc", "Ltd", "LLC", "PLC")):
        variant = name + "."
    else:
        variant = name + " Ltd"
    contact["company"] = variant


def entered_twice(people: list[dict]) -> None:
    """People and a company entered twice (see the module's docstring)."""
    people_entered_twice(people)
    company_entered_twice(people)


def lead_logged_twice(leads: list[dict]) -> None:
    """The first open lead logged again later (same email, the phone written another way);
    no other two open leads share a phone."""
    open_leads = [lead for lead in leads if lead["converted_contact_id"] is None]
    _unique_phones(open_leads)
    if len(open_leads) < MINIMUM:
        return
    source, twin = open_leads[0], open_leads[-1]
    twin.update(
        first_name=source["first_name"],
        last_name=source["last_name"],
        company=source["company"],
        email=source["email"],
        phone=_other_format(source["phone"], 0),
    )
