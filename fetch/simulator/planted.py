"""Planted sensitive values and their ground truth.

A *plant* is a short snippet of chat text (a sentence, a config line, a pasted CSV) built from
pieces, some of which are labelled values. ``TextBuilder`` joins pieces into a block's text and
records each labelled value's ``[start, end)`` offsets as it goes, so the ground truth can never
drift from the text.

Offsets follow the classifier's block text (``chatsift/convert.py``): a ``text`` block's ``text``;
a ``tool_use`` block's ``input`` string exactly as served (JSON-encoded); a ``tool_result`` block's
text items joined with ``"\\n"``; the chat ``name`` is ``message_id=None, block=0``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from fetch.simulator import corpus, values

ENTITY_CATEGORIES: dict[str, str] = {
    "EMAIL_ADDRESS": "pii",
    "PHONE_NUMBER": "pii",
    "PERSON": "pii",
    "US_SSN": "pii",
    "LOCATION": "pii",
    "IP_ADDRESS": "pii",
    "CREDIT_CARD": "payment",
    "IBAN_CODE": "payment",
    "AWS_ACCESS_KEY": "secrets",
    "GITHUB_TOKEN": "secrets",
    "PRIVATE_KEY": "secrets",
    "ANTHROPIC_API_KEY": "secrets",
    "PASSWORD": "secrets",
    "FINANCIAL": "financial",
    "HEALTH": "regulated",
    "CUSTOMER_RECORDS": "customer_data",
}


@dataclass(frozen=True, slots=True)
class PlantedValue:
    """Ground truth for one planted value: where it is, what it is, and whether it is genuine.

    ``valid=False`` marks a hard negative (a Luhn-invalid card, a bad IBAN checksum, an impossible
    SSN, a documentation example key): it looks like the entity but a good detector rejects it.
    A value in the chat's name has ``message_id=None`` and ``block=0``. A value inside an
    attachment's content has ``attachment_kind`` (``"file"``, ``"generated_file"``, ``"artifact"``)
    and ``attachment_id`` (the file id, or the artifact *version* id) set; then ``message_id`` is the
    message carrying it, ``block`` its index in that message's list of its kind, and offsets count
    characters of the UTF-8-decoded content.
    """

    chat_id: str
    message_id: str | None
    block: int
    entity: str
    category: str
    start: int
    end: int
    valid: bool = True
    attachment_kind: str | None = None
    attachment_id: str | None = None


def planted_from(
    spans: Sequence[Span],
    chat_id: str,
    message_id: str | None,
    block: int,
    attachment: tuple[str, str] | None = None,
) -> list[PlantedValue]:
    """Ground truth for ``spans`` of one block (or of one attachment: ``(kind, id)``)."""
    kind, ident = attachment if attachment else (None, None)
    out = []
    for s in spans:
        label = (s.entity, ENTITY_CATEGORIES[s.entity])
        out.append(PlantedValue(chat_id, message_id, block, *label, s.start, s.end, s.valid, kind, ident))
    return out


@dataclass(frozen=True, slots=True)
class Val:
    """A labelled value inside a snippet."""

    text: str = field(repr=False)
    entity: str
    valid: bool = True


@dataclass(frozen=True, slots=True)
class Group:
    """A labelled span that encloses other pieces (a CSV of customer records, a health sentence)."""

    entity: str
    pieces: tuple[Piece, ...] = field(repr=False)


Piece: TypeAlias = str | Val | Group


def _json_escape(text: str) -> str:
    """``text`` as it appears inside a JSON string (non-ASCII kept, as JSON.stringify does)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled span of a block's text, before the block's ids are known."""

    entity: str
    start: int
    end: int
    valid: bool


class TextBuilder:
    """Accumulates one block's text from pieces, recording labelled spans."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.spans: list[Span] = []

    def add(self, *pieces: Piece, escape_json: bool = False) -> None:
        """Append pieces; with ``escape_json`` literals are JSON-string escaped (values must need none)."""
        for piece in pieces:
            if isinstance(piece, str):
                self._append(_json_escape(piece) if escape_json else piece)
            elif isinstance(piece, Val):
                if escape_json and _json_escape(piece.text) != piece.text:
                    raise ValueError(
                        f"{piece.entity} value needs JSON escaping; it cannot go in a tool input"
                    )
                start = self._length
                self._append(piece.text)
                self.spans.append(Span(piece.entity, start, self._length, piece.valid))
            else:
                start = self._length
                self.add(*piece.pieces, escape_json=escape_json)
                self.spans.append(Span(piece.entity, start, self._length, True))

    def _append(self, text: str) -> None:
        self._parts.append(text)
        self._length += len(text)

    @property
    def text(self) -> str:
        """The text built so far."""
        return "".join(self._parts)

    def __len__(self) -> int:
        return self._length


# --- plant kinds ---------------------------------------------------------------------------------


def _sentence(rng: random.Random, templates: Sequence[str], value: Val) -> tuple[Piece, ...]:
    before, after = rng.choice(templates).split("{}")
    return (before, value, after)


def _email(rng: random.Random) -> str:
    first, last = rng.choice(corpus.FIRST_NAMES).lower(), rng.choice(corpus.LAST_NAMES).lower()
    local = rng.choice([f"{first}.{last}", f"{first[0]}{last}", f"{first}_{last}{rng.randint(1, 99)}"])
    return f"{local}@{rng.choice(corpus.PERSONAL_DOMAINS)}"


def _address(rng: random.Random) -> str:
    city, state, zip3 = rng.choice(corpus.CITIES)
    street = f"{rng.choice(corpus.STREETS)} {rng.choice(corpus.STREET_TYPES)}"
    return f"{rng.randint(12, 9870)} {street}, {city}, {state} {zip3}{rng.randint(1, 99):02d}"


def plant_email(rng: random.Random) -> tuple[Piece, ...]:
    """An email address in a request."""
    tpl = ["Send the signed copy to {} before Friday.", "Can you cc {} on the reply?", "Her address is {}."]
    return _sentence(rng, tpl, Val(_email(rng), "EMAIL_ADDRESS"))


def plant_phone_us(rng: random.Random) -> tuple[Piece, ...]:
    """A US phone number."""
    tpl = [
        "Call me at {} if the deploy breaks.",
        "The vendor's support line is {}.",
        "Text {} when you land.",
    ]
    return _sentence(rng, tpl, Val(values.us_phone(rng), "PHONE_NUMBER"))


def plant_phone_intl(rng: random.Random) -> tuple[Piece, ...]:
    """An international phone number."""
    tpl = ["The partner office number is {}.", "Reach the account manager on {} during their hours."]
    return _sentence(rng, tpl, Val(values.intl_phone(rng), "PHONE_NUMBER"))


def plant_person(rng: random.Random) -> tuple[Piece, ...]:
    """A person named in prose."""
    tpl = [
        "My colleague {} asked me to double-check this.",
        "I'm forwarding a question from {} in finance.",
        "Please draft a thank-you note to {} for covering on-call.",
    ]
    return _sentence(rng, tpl, Val(corpus.full_name(rng), "PERSON"))


def plant_ssn(rng: random.Random, valid: bool = True) -> tuple[Piece, ...]:
    """A US SSN (or, as a hard negative, an impossible one)."""
    tpl = ["The new hire's SSN is {} per the HR form.", "For the background check use SSN {}."]
    return _sentence(rng, tpl, Val(values.ssn(rng, valid=valid), "US_SSN", valid))


def plant_address(rng: random.Random) -> tuple[Piece, ...]:
    """A postal address."""
    tpl = ["Ship the replacement laptop to {}.", "My mailing address changed to {} last month."]
    return _sentence(rng, tpl, Val(_address(rng), "LOCATION"))


def plant_ip(rng: random.Random) -> tuple[Piece, ...]:
    """An IP address in an ops context."""
    tpl = [
        "The bastion host is at {} and only allows our VPN.",
        "Requests from {} keep hitting the rate limit.",
    ]
    return _sentence(rng, tpl, Val(values.ip_address(rng), "IP_ADDRESS"))


def _card(brand: str, valid: bool = True) -> Callable[[random.Random], tuple[Piece, ...]]:
    def make(rng: random.Random) -> tuple[Piece, ...]:
        number = values.format_card(rng, values.card_number(rng, brand, valid=valid))
        tpl = [
            "Please charge the company card {} for the renewal.",
            "Card on file is {}, exp 09/29.",
            "The customer read me {} over the phone.",
        ]
        return _sentence(rng, tpl, Val(number, "CREDIT_CARD", valid))

    make.__doc__ = f"A {'Luhn-valid' if valid else 'Luhn-invalid'} {brand} card number."
    return make


def _iban(valid: bool = True, spaced: bool | None = None) -> Callable[[random.Random], tuple[Piece, ...]]:
    def make(rng: random.Random) -> tuple[Piece, ...]:
        space = rng.random() < 0.5 if spaced is None else spaced
        value = values.iban(rng, rng.choice(values.IBAN_COUNTRIES), valid=valid, spaced=space)
        tpl = ["Wire the deposit to IBAN {} by Monday.", "Their bank details: {} (reference INV-2231)."]
        return _sentence(rng, tpl, Val(value, "IBAN_CODE", valid))

    make.__doc__ = f"A {'mod-97 valid' if valid else 'mod-97 invalid'} IBAN."
    return make


def plant_aws(rng: random.Random) -> tuple[Piece, ...]:
    """An AWS key id and its secret key line (both labelled AWS_ACCESS_KEY)."""
    key_id, secret = values.aws_access_key_id(rng), values.aws_secret_access_key(rng)
    return (
        "Here is my config, why does the upload fail?\n\n```ini\n[default]\naws_access_key_id = ",
        Val(key_id, "AWS_ACCESS_KEY"),
        "\naws_secret_access_key = ",
        Val(secret, "AWS_ACCESS_KEY"),
        "\nregion = us-east-1\n```",
    )


def plant_aws_example(rng: random.Random) -> tuple[Piece, ...]:
    """The AWS documentation example key id: a hard negative."""
    return (
        "The docs use ",
        Val("AKIAIOSFODNN7EXAMPLE", "AWS_ACCESS_KEY", False),
        " as a placeholder key id.",
    )


def plant_github(rng: random.Random) -> tuple[Piece, ...]:
    """A GitHub personal access token."""
    return _sentence(
        rng,
        [
            "export GITHUB_TOKEN={} before running the release script.",
            "The CI token is {}, can you see why it gets a 403?",
        ],
        Val(values.github_token(rng), "GITHUB_TOKEN"),
    )


def plant_anthropic(rng: random.Random) -> tuple[Piece, ...]:
    """An Anthropic API key."""
    return _sentence(
        rng,
        ["My script sets ANTHROPIC_API_KEY={} and still gets a 401.", "Use the key {} for the staging bot."],
        Val(values.anthropic_key(rng), "ANTHROPIC_API_KEY"),
    )


def plant_pem(rng: random.Random) -> tuple[Piece, ...]:
    """A PEM private-key block."""
    return (
        "This is the deploy key from the old server:\n\n",
        Val(values.pem_private_key(rng), "PRIVATE_KEY"),
        "\n\nCan I reuse it for the new host?",
    )


def plant_password(rng: random.Random) -> tuple[Piece, ...]:
    """A password inside a database connection string (only the password is labelled)."""
    user = rng.choice(["app", "reporting", "admin", "etl_user"])
    scheme, host, tail = rng.choice(
        [
            ("postgres", "db-prod-3.internal.example.com", ":5432/app"),
            ("mysql", "mysql.staging.example.com", ":3306/shop"),
            ("mongodb+srv", "cluster0.example.net", "/analytics"),
        ]
    )
    return (
        "The job connects with ",
        f"{scheme}://{user}:",
        Val(values.password(rng), "PASSWORD"),
        f"@{host}{tail} and times out.",
    )


def plant_financial(rng: random.Random) -> tuple[Piece, ...]:
    """A revenue / forecast sentence with figures (the sentence is labelled)."""
    quarter, currency = rng.choice(corpus.FILLERS["quarter"]), rng.choice("$$€£")
    actual, above = rng.randint(12, 98) / 10, rng.randint(3, 19)
    sentence = rng.choice(
        [
            f"Confidential: {quarter} revenue came in at {currency}{actual:.1f}M, {above}% above the "
            f"forecast of {currency}{actual / (1 + above / 100):.1f}M.",
            f"Board-only numbers: we are projecting {currency}{actual:.1f}M in {quarter} bookings with a "
            f"gross margin of {rng.randint(41, 79)}%.",
        ]
    )
    return (Group("FINANCIAL", (sentence,)), " Please keep this out of the public deck.")


def plant_health(rng: random.Random) -> tuple[Piece, ...]:
    """A diagnosis-and-medication sentence about a named person (sentence and name labelled)."""
    condition, drug = rng.choice(
        [
            ("type 2 diabetes", "metformin 500 mg twice daily"),
            ("major depressive disorder", "sertraline 50 mg"),
            ("hypertension", "lisinopril 10 mg"),
            ("asthma", "an albuterol inhaler"),
        ]
    )
    name = Val(corpus.full_name(rng), "PERSON")
    sentence = Group("HEALTH", (name, f" was diagnosed with {condition} and has started {drug}."))
    return (sentence, " Can you help me write the accommodation request?")


def plant_customer_csv(rng: random.Random) -> tuple[Piece, ...]:
    """A pasted CSV of customer rows (the block and each name, email and phone labelled)."""
    rows: list[Piece] = ["name,email,phone"]
    for _ in range(rng.randint(3, 6)):
        rows += [
            "\n",
            Val(corpus.full_name(rng), "PERSON"),
            ",",
            Val(_email(rng), "EMAIL_ADDRESS"),
            ",",
            Val(values.us_phone(rng), "PHONE_NUMBER"),
        ]
    return (
        "Dedupe these customer records for me:\n\n",
        Group("CUSTOMER_RECORDS", tuple(rows)),
        "\n\nThanks!",
    )


@dataclass(frozen=True)
class PlantKind:
    """One kind of plant: its name, its snippet maker, and whether it can sit in a JSON tool input."""

    name: str
    make: Callable[[random.Random], tuple[Piece, ...]]
    json_safe: bool


PLANT_KINDS: tuple[PlantKind, ...] = (
    PlantKind("email", plant_email, True),
    PlantKind("phone_us", plant_phone_us, True),
    PlantKind("phone_intl", plant_phone_intl, True),
    PlantKind("person", plant_person, True),
    PlantKind("ssn", plant_ssn, True),
    PlantKind("ssn_invalid", lambda rng: plant_ssn(rng, valid=False), True),
    PlantKind("address", plant_address, True),
    PlantKind("ip", plant_ip, True),
    *(PlantKind(f"card_{brand}", _card(brand), True) for brand in values.CARD_BRANDS),
    PlantKind("card_invalid", _card("visa16", valid=False), True),
    PlantKind("card_invalid_mc", _card("mastercard", valid=False), True),
    PlantKind("iban_spaced", _iban(spaced=True), True),
    PlantKind("iban_compact", _iban(spaced=False), True),
    PlantKind("iban_invalid", _iban(valid=False), True),
    PlantKind("aws", plant_aws, False),
    PlantKind("aws_example", plant_aws_example, True),
    PlantKind("github", plant_github, True),
    PlantKind("anthropic", plant_anthropic, True),
    PlantKind("pem", plant_pem, False),
    PlantKind("password", plant_password, True),
    PlantKind("financial", plant_financial, True),
    PlantKind("health", plant_health, True),
    PlantKind("customer_csv", plant_customer_csv, False),
)
KINDS_BY_NAME: dict[str, PlantKind] = {kind.name: kind for kind in PLANT_KINDS}
