"""Word lists and templates the generator fills with a seeded RNG.

Plain prose here deliberately carries no names, places, contact details, money figures or
credentials: every sensitive value in a generated chat is planted (see ``planted.py``) and
recorded in the ground truth, so a detector hit on unplanted text is a real false positive.
"""

from __future__ import annotations

import random
import re

FIRST_NAMES = (
    "Maria", "James", "Aisha", "Wei", "Olivia", "Mateo", "Priya", "Lucas", "Fatima", "Noah",
    "Hannah", "Kenji", "Sofia", "Daniel", "Amara", "Ethan", "Ingrid", "Carlos", "Leila", "Samuel",
    "Chloe", "Tomasz", "Nadia", "Oliver", "Yuki", "Gabriel", "Elena", "Marcus", "Zara", "Henrik",
    "Grace", "Diego", "Anika", "Liam", "Rosa", "Kwame", "Clara", "Rahul", "Eva", "Julian",
)  # fmt: skip
LAST_NAMES = (
    "Gonzalez", "Whitfield", "Okafor", "Chen", "Novak", "Patel", "Lindqvist", "Moreau", "Haddad",
    "Kowalski", "Tanaka", "Fischer", "Alvarez", "Brennan", "Mensah", "Sato", "Rossi", "Ibrahim",
    "Larsen", "Dubois", "Castillo", "Nakamura", "Osei", "Petrov", "Schneider", "Quinn", "Varga",
    "Delgado", "Hoffman", "Kaur", "Montgomery", "Ferreira", "Adeyemi", "Bauer", "Sullivan", "Park",
)  # fmt: skip
COMPANIES = (
    "Northwind", "Blue Harbor", "Kestrel", "Ironbridge", "Lumen Fields", "Copperline", "Tidewater",
    "Granite Peak", "Silver Birch", "Redwood Assembly",
)  # fmt: skip
ORG_SUFFIXES = ("Engineering", "Legal", "Research", "Operations", "Finance", "Support")
PERSONAL_DOMAINS = ("example.org", "example.net", "mail.example.com")
STREETS = ("Maple", "Oak", "Cedar", "Harbor", "Willow", "Lakeview", "Hillcrest", "Juniper", "Bayview", "Elm")
STREET_TYPES = ("Street", "Avenue", "Road", "Lane", "Drive", "Court", "Boulevard")
CITIES = (
    ("Springfield", "IL", "627"), ("Portland", "OR", "972"), ("Austin", "TX", "787"),
    ("Madison", "WI", "537"), ("Raleigh", "NC", "276"), ("Boulder", "CO", "803"),
    ("Burlington", "VT", "054"), ("Tucson", "AZ", "857"),
)  # fmt: skip
MODELS = ("claude-opus-4-8", "claude-opus-4-8", "claude-sonnet-4-6", "claude-sonnet-4-5", "claude-haiku-4-5")

FILLERS: dict[str, tuple[str, ...]] = {
    "feature": (
        "the onboarding flow",
        "the billing page",
        "search ranking",
        "the export job",
        "notifications",
        "the admin dashboard",
        "single sign-on",
        "the mobile settings screen",
    ),
    "team": ("platform", "data", "design", "support", "growth", "security", "infrastructure"),
    "quarter": ("Q1", "Q2", "Q3", "Q4"),
    "doc": ("the launch plan", "the design doc", "the postmortem", "the roadmap", "the weekly update"),
    "service": ("billing-service", "auth-gateway", "search-indexer", "report-worker", "ingest-api"),
    "lang": ("Python", "TypeScript", "SQL", "Go"),
    "table": ("orders", "events", "accounts", "sessions", "invoices", "tickets"),
    "column": ("status", "created_at", "region", "plan", "channel", "priority"),
    "metric": (
        "weekly active accounts",
        "p95 latency",
        "churn",
        "conversion",
        "ticket backlog",
        "error rate",
    ),
    "tone": ("friendly", "formal", "short", "apologetic", "direct"),
    "audience": (
        "the leadership group",
        "a new customer",
        "the whole team",
        "our vendor",
        "the on-call rotation",
    ),
}

TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "planning": {
        "names": (
            "{quarter} planning for {feature}",
            "Roadmap draft: {feature}",
            "Milestones for the {team} team",
            "Planning {doc}",
        ),
        "user": (
            "Can you help me break {feature} into milestones for {quarter}?",
            "I need a first draft of {doc} for the {team} team.",
            "What risks should we call out before we commit to {feature}?",
            "Let's tighten the scope: which parts of {feature} can wait until next quarter?",
            "Please turn these notes into a checklist the {team} team can follow.",
        ),
        "assistant": (
            "Here is a phased plan. Phase one covers the minimum needed to ship {feature}; phase two "
            "adds polish and instrumentation.",
            "The main risks are unclear ownership, a dependency on {service}, and testing time that "
            "is easy to underestimate.",
            "I would keep the milestones small enough that each one can be demoed at the end of a sprint.",
            "A good first step is to agree on what done means for {feature} and write it down in {doc}.",
        ),
    },
    "code_review": {
        "names": (
            "Review of the {service} change",
            "{lang} refactor question",
            "Flaky test in {service}",
            "Code review: {feature}",
        ),
        "user": (
            "Could you review this {lang} change before I open the pull request?",
            "This test in {service} fails about one run in ten. Any idea why?",
            "Is there a cleaner way to write this loop?",
            "The reviewer asked me to split this function. Where would you cut it?",
            "Why does this query get slower as the {table} table grows?",
        ),
        "assistant": (
            "The logic is right, but the error path swallows the exception; re-raise it with context "
            "so the caller can decide what to do.",
            "The flakiness most likely comes from relying on dict ordering in the fixture. Sort the "
            "keys before comparing.",
            "I would extract the validation into its own function and keep the loop focused on one job.",
            "Adding an index on {column} should help, since the filter runs on every request.",
        ),
    },
    "email": {
        "names": (
            "Email to {audience}",
            "Draft reply about {feature}",
            "Announcement for the {team} team",
            "Rewrite this message",
        ),
        "user": (
            "Can you write a {tone} email to {audience} about the delay on {feature}?",
            "Make this reply more {tone} but keep it under five sentences.",
            "I need to announce the {service} migration to {audience}.",
            "Please proofread this before I send it.",
        ),
        "assistant": (
            "Here is a {tone} draft. It opens with the news, explains the reason in one sentence, and "
            "ends with the next step.",
            "I shortened the second paragraph and moved the request to the top so it is not missed.",
            "Subject: Update on {feature}\n\nHi all, a quick update on where things stand and what "
            "happens next.",
        ),
    },
    "data_analysis": {
        "names": (
            "{metric} by {column}",
            "Analysis of the {table} export",
            "Why did {metric} change?",
            "Dashboard numbers for {quarter}",
        ),
        "user": (
            "Here is an export of the {table} table. Can you find what drives {metric}?",
            "Can you group these rows by {column} and tell me which segment changed most?",
            "Write a query that counts {table} per {column} per week.",
            "Does this chart support the claim that {metric} improved?",
        ),
        "assistant": (
            "Grouping by {column} shows one segment accounts for most of the change; the rest are "
            "flat within noise.",
            "Before drawing conclusions, check whether the {table} export is missing the last few "
            "days; partial weeks often look like drops.",
            "The trend holds after removing outliers, but the sample in the smallest segment is too "
            "small to trust.",
        ),
    },
}

CODE_SNIPPETS: dict[str, tuple[str, ...]] = {
    "python": (
        "def summarize(rows):\n    totals = {}\n    for row in rows:\n        totals[row['{column}']] = "
        "totals.get(row['{column}'], 0) + 1\n    return totals",
        "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef retry(fn, attempts=3):\n    for i "
        "in range(attempts):\n        try:\n            return fn()\n        except TimeoutError:\n"
        "            log.warning('attempt %d timed out', i)\n    raise RuntimeError('gave up')",
    ),
    "javascript": (
        "export function groupBy(items, key) {\n  return items.reduce((acc, item) => {\n    (acc[item[key]]"
        " ||= []).push(item);\n    return acc;\n  }, {});\n}",
        "const res = await fetch('/api/{table}?limit=50');\nif (!res.ok) throw new Error(`status "
        "${res.status}`);\nconst rows = await res.json();",
    ),
    "sql": (
        "SELECT {column}, count(*) AS n\nFROM {table}\nWHERE created_at >= now() - interval '7 days'\n"
        "GROUP BY {column}\nORDER BY n DESC;",
        "CREATE INDEX CONCURRENTLY idx_{table}_{column} ON {table} ({column});",
    ),
    "yaml": (
        "service: {service}\nreplicas: 3\nresources:\n  limits:\n    cpu: 500m\n    memory: 512Mi\n"
        "healthcheck:\n  path: /healthz\n  interval: 10s",
    ),
}

TOOLS = (
    # (name, integration_name, mcp_server_url, input key)
    ("web_search", None, None, "query"),
    ("google_drive_search", "Google Drive", None, "query"),
    ("repl", None, None, "code"),
    ("jira_search", "Jira", "https://mcp.example.com/jira", "jql"),
    ("slack_search", "Slack", "https://mcp.example.com/slack", "query"),
)
TOOL_RESULTS = (
    "Found 3 results. The most recent document is the {quarter} update for {feature}.",
    "No matching documents in the last 30 days.",
    "Result: 4 open issues tagged {service}, 2 of them blocked on review.",
    "Output:\n{table}: 1843 rows\n{column}: 6 distinct values",
)
FILES = (
    ("roadmap_{quarter}.pdf", "application/pdf"),
    ("{table}_export.csv", "text/csv"),
    ("screenshot.png", "image/png"),
    ("notes.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
)
GENERATED_FILES = (
    ("{table}_summary.csv", "text/csv"),
    ("chart.png", "image/png"),
    ("report.md", "text/markdown"),
)
ARTIFACTS = (("Draft: {doc}", "text/markdown"), ("{service} helper", "application/vnd.ant.code"))

_SLOT = re.compile(r"\{(\w+)\}")


def fill(rng: random.Random, template: str) -> str:
    """Replace every ``{slot}`` in ``template`` with a random filler, the same one for repeats of a slot.

    Unknown slots stay as written.
    """
    chosen: dict[str, str] = {}

    def one(match: re.Match[str]) -> str:
        slot = match.group(1)
        if slot not in chosen:
            options = FILLERS.get(slot)
            chosen[slot] = rng.choice(options) if options else match.group(0)
        return chosen[slot]

    return _SLOT.sub(one, template)


def full_name(rng: random.Random) -> str:
    """A made-up full name."""
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def code_block(rng: random.Random) -> str:
    """A fenced code block in one of the common chat languages."""
    lang = rng.choice(tuple(CODE_SNIPPETS))
    return f"```{lang}\n{fill(rng, rng.choice(CODE_SNIPPETS[lang]))}\n```"
