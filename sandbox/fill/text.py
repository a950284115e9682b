"""The words behind the sandbox's fake data: a retail-systems company's catalogue, and the
subjects, notes and reasons its salespeople and service agents would write.

The sandbox company sells tills, scanners, printers, loyalty cards and software to
shops, pharmacies, bakeries and restaurants; every customer is such a business, with one
contact person. Text placeholders: {product}, {first_name}, {company}, {quantity}.
"""

from __future__ import annotations

import string
from functools import cache

from sandbox.models_storage import SEP, seeded

SANDBOX_COMPANY = "Harbour Retail Systems"

# name, category, price; the category codes double as customers' interests
PRODUCTS = [
    ("ProScan 200 barcode scanner", "hardware", 180),
    ("Receipt printer RP-80", "hardware", 220),
    ("Loyalty card pack (500)", "supplies", 90),
    ("Point-of-sale terminal", "hardware", 950),
    ("Inventory software licence", "software", 400),
    ("Annual support plan", "service", 300),
    ("Cash drawer", "hardware", 120),
    ("Label printer", "hardware", 160),
    ("Customer display", "hardware", 140),
    ("Online shop add-on", "software", 250),
    ("Gift voucher stock (1000)", "supplies", 75),
    ("Installation visit", "service", 110),
    ("Handheld stock counter", "hardware", 340),
    ("Staff training day", "service", 600),
    ("Thermal paper rolls (50)", "supplies", 45),
]
# How often each product sells, in the order of PRODUCTS: paper and cards sell most.
PRODUCT_WEIGHTS = [6, 4, 8, 2, 3, 3, 3, 3, 2, 2, 5, 2, 2, 1, 12]
INTERESTS = ["hardware", "software", "supplies", "service", "online shop", "training"]

JOB_TITLES = [
    "Owner",
    "Store manager",
    "Operations manager",
    "Buyer",
    "Finance officer",
    "Branch manager",
    "IT coordinator",
    "Director",
]

LEAD_NOTES = [
    "Asked for prices on {product} for {quantity} branches.",
    "Wants to replace an old till system before the festive season.",
    "Came by the stand; interested in a loyalty scheme for regular customers.",
    "Downloaded the brochure on {product}. Call to qualify.",
    "Referred by an existing customer; opening a second branch soon.",
    "Budget not confirmed yet; the owner decides next month.",
    "Unhappy with their current supplier's support. Wants a demo of {product}.",
    "Needs stock counting for a new warehouse.",
]

TICKETS = {
    "billing": [
        ("Invoice amount looks wrong", "The invoice for {product} shows more than the quote."),
        ("Charged twice this month", "Our card was charged twice for the same invoice."),
        ("Refund not received", "We returned {product} three weeks ago and have no refund yet."),
        ("VAT missing on invoice", "Our accountant needs the tax shown on the invoice."),
    ],
    "technical": [
        ("Terminal will not connect", "The {product} cannot reach the network since this morning."),
        ("Software crashes at closing", "The end-of-day report crashes the till software."),
        ("Sync errors between branches", "Stock levels differ between our two branches."),
        ("Cannot print receipts", "{product} shows an error light and prints nothing."),
    ],
    "delivery": [
        ("Order arrived late", "The {product} arrived four days after the promised date."),
        ("Parcel missing an item", "The box came without the {product}."),
        ("Wrong address on delivery", "The courier went to our old shop."),
    ],
    "defect": [
        ("Scanner stops working", "{product} stops reading barcodes after a few minutes."),
        ("Printer jams every day", "{product} jams at least once a day."),
        ("Display flickers", "The {product} flickers when the shop lights are on."),
        ("Cash drawer does not open", "{product} stays shut when a sale is completed."),
    ],
    "return": [
        ("Want to return unused stock", "We ordered too much {product} and want to return it."),
        ("Return label needed", "Please send a return label for {product}."),
        ("Exchange for a different model", "{product} is too small for our counter."),
    ],
}
RESOLUTIONS = {
    "billing": "Corrected the invoice and sent the customer a credit note.",
    "technical": "Reset the network settings remotely and confirmed sales go through.",
    "delivery": "Sent the missing item by express courier; the customer confirmed receipt.",
    "defect": "Replaced the unit under warranty and tested it on site.",
    "return": "Collected the goods and refunded the customer in full.",
}

# (subject, body) per activity kind and parent type ("*" for any parent)
ACTIVITIES = {
    "call": [
        ("Follow-up call", "Called {first_name} to check the {product} is working well."),
        ("Discussed the order", "{first_name} wants to add {quantity} more units next month."),
        ("Left a voicemail", "No answer; will try again tomorrow."),
    ],
    "email": [
        ("Sent the quotation", "Emailed the quotation for {product} to {first_name}."),
        ("Sent the user guide", "Sent the quick-start guide for {product}."),
        ("Thank-you email", "Thanked {first_name} for the order."),
    ],
    "meeting": [
        ("Visited the shop", "Met {first_name} at {company}; looked at the counter layout."),
        ("Product demo", "Showed {product} to {first_name} and the shop team."),
    ],
    "note": [
        ("Prefers WhatsApp", "{first_name} prefers messages to calls during opening hours."),
        ("Decision maker", "The owner of {company} signs off anything above 1,000."),
        ("Busy season", "{company} is busiest before Eid and Diwali: avoid visits then."),
        ("Competitor quote", "They have a cheaper quote from a competitor for {product}."),
    ],
    "task": [
        ("Send a revised quote", "Include installation and training in the price."),
        ("Book an installation visit", "Agree a date with {first_name}."),
        ("Check payment received", "Invoice for {product} is due this week."),
        ("Call back about the demo", "{first_name} asked for a call next week."),
    ],
}

WON_REASONS = ["Best price and local support", "Liked the demo", "Existing customer, happy"]
LOST_REASONS = ["Went with a cheaper competitor", "Budget cut", "No decision; project on hold"]

# A customer's interests (preferences): some of INTERESTS, stored as their places.
INTEREST_LIST = "{interests}"
# A deal's name: the account's and the product's.
DEAL_NAME = "{account}: {product}"

# Every sentence above, as the fill stores it: a code, its place in this list
# (sandbox.models_storage.SeededText). Stored codes must keep meaning the same sentence,
# so sentences are only ever added at the end of a group's list or of this one; a test
# pins the order.
STORED = tuple(
    dict.fromkeys(
        [
            *(text for said in ACTIVITIES.values() for pair in said for text in pair),
            *(text for said in TICKETS.values() for pair in said for text in pair),
            *RESOLUTIONS.values(),
            *LEAD_NOTES,
            *WON_REASONS,
            *LOST_REASONS,
            INTEREST_LIST,
            *JOB_TITLES,
            DEAL_NAME,
        ]
    )
)
_INTEREST_PLACE = {interest: str(place) for place, interest in enumerate(INTERESTS)}
# Each sentence's fields, in the order their values are stored.
_FIELDS = [
    tuple(dict.fromkeys(name for _t, name, _s, _c in string.Formatter().parse(text) if name))
    for text in STORED
]


# Each sentence's code without its fields, and the names of those, by sentence: `stored`
# runs for about 1,200 values of every new sandbox.
_CODE = {text: seeded(place) for place, text in enumerate(STORED)}
_NAMES = {text: _FIELDS[place] for place, text in enumerate(STORED)}


def stored(text: str, **values) -> str:
    """The stored form of `text` (a sentence of STORED) with these values for its fields;
    `product` is a place in PRODUCTS."""
    names = _NAMES[text]
    if not names:
        return _CODE[text]
    return _CODE[text] + SEP.join([str(values[name]) for name in names])


def fill_stored(place: int, fields: list[str]) -> str:
    """The sentence at `place` in STORED with its stored field values filled in."""
    text, names = STORED[place], _FIELDS[place]
    if not names:
        return text
    values = dict(zip(names, fields, strict=True))
    if "product" in values:
        values["product"] = PRODUCTS[int(values["product"])][0]
    if "interests" in values:
        values["interests"] = ", ".join(INTERESTS[int(place)] for place in values["interests"])
    return text.format(**values)


def stored_form(text: str) -> tuple[str, tuple[str, ...]]:
    """`text`'s code without its fields' values, and the names of its fields (in the order
    their values follow the code, separated by SEP)."""
    return _CODE[text], _NAMES[text]


@cache
def stored_interests(interests: tuple[str, ...]) -> str:
    """The stored form of some of INTERESTS, joined by commas."""
    return stored(INTEREST_LIST, interests="".join(_INTEREST_PLACE[item] for item in interests))
