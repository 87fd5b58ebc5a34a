"""``pii.presidio``'s shortcuts change no result: digit-run and URL gates, lazy tokens, skipped enhancement.

Each test compares the adapter against presidio run the plain way (every pattern entity, tokens
built up front, full context enhancement) on texts made to hit the edges of every shortcut, plus
random texts of digits, letters and separators.
"""

from __future__ import annotations

import random
import re
from typing import cast

import pytest
import regex
from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.language import Language

from classifier.detectors.base import longest_digit_run, min_digit_run
from classifier.detectors.presidio_adapter import (
    _DOTTED_NAME,
    ALLOW_LIST,
    NO_DIGIT_ENTITIES,
    PATTERN_ENTITIES,
    PresidioDetector,
    _LazyArtifacts,
)
from classifier.types import SegmentKind
from tests.classifier.helpers import whole

EDGE_TEXTS = [
    "",
    "no digits at all, only words",
    "Her SSN is 536-22-4187 per HR.",
    "SSN 536224187 and passport 123456789",
    "call (415) 555-0132 or +44 20 7946 0958",
    "licence a1 and b22 and v2 and x86_64 and sha256",
    "see example.com or www.test.org/path?q=1 and file.py",
    "mail dana.whitfield@northwind-example.com today",
    "'http://ex.am.ple.co.uk' \"https://a.io\"",
    "server 10.20.30.40 and 2001:db8::1 and :: and fe80::1%eth0",
    "mac 00:1A:2B:3C:4D:5E and 0011.2233.4455",
    "card 4539 1488 0343 6467 and id 4539-1488-0343",
    "NHS 943 476 5919 and 943-476-5919 for the patient",
    "NINO QQ 12 34 56 C, postcode SW1A 1AA, reg AB51 ABC",
    "Aadhaar 1234 5678 9012 and PAN ABCPE1234F and GSTIN 22AAAAA0000A1Z5",
    "Steuer-ID 12345678903 and PESEL 44051401359 and TC 10000000146",
    "personnummer 19811218-9876 org 556036-0793 and KR 800101-1234567",
    "ZA 8001015009087 TH 1101700230708 FI 131052-308T",
    "Kelvin \u212a1234 long s \u017f.com and dotless \u0131.io and \u0130.IO",
    "Arabic-Indic \u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669, fullwidth \uff11\uff12\uff13",
    "code: x = foo(12, 345); y = bar.baz(6789)\nurl = 'http://h.example.net:8080/p'",
]


def random_texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    pieces = ["0", "1", "5", "9", "12", "4187", "a", "B", "x", "Q", "de", "com", ".", "-", " ", ":", "/", "@"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 60))) for _ in range(n)]


@pytest.fixture(scope="module")
def detector(blank_nlp: Language) -> PresidioDetector:
    return PresidioDetector(patterns_nlp=blank_nlp)


def plain_detect(
    detector: PresidioDetector, text: str, kind: SegmentKind
) -> list[tuple[str, int, int, float]]:
    """The adapter's detections from presidio run the plain way (no shortcut at all)."""
    analyzer = detector._patterns
    plain = AnalyzerEngine(
        registry=analyzer.registry,
        nlp_engine=analyzer.nlp_engine,
        supported_languages=["en"],
        log_decision_process=False,
    )
    entities = PATTERN_ENTITIES if re.search(r"\d", text) else NO_DIGIT_ENTITIES
    results = plain.analyze(text=text, language="en", entities=list(entities), allow_list=list(ALLOW_LIST))
    segment = whole(text, kind)
    return [
        (d.entity, d.start, d.end, d.score) for d in detector._detections(segment, text, entities, results)
    ]


@pytest.mark.parametrize("kind", ["prose", "code"])
def test_shortcuts_change_no_detection(detector: PresidioDetector, kind: SegmentKind) -> None:
    for text in EDGE_TEXTS + random_texts(150):
        got = [(d.entity, d.start, d.end, d.score) for d in detector.detect(whole(text, kind))]
        assert got == plain_detect(detector, text, kind), text


def test_the_gates_do_skip_recognisers(detector: PresidioDetector) -> None:
    # Otherwise the shortcut tests above would pass without testing anything.
    assert "US_PASSPORT" not in detector._entities_for("only 12 and 345 here")
    assert "US_PASSPORT" in detector._entities_for("passport 123456789")
    assert "URL" not in detector._entities_for("a sentence. Another one")
    assert "URL" in detector._entities_for("see example.com")
    assert detector._url_gate


def test_digit_run_bounds_hold_for_every_match(detector: PresidioDetector) -> None:
    recognizers = [r for r in detector._patterns.registry.recognizers if isinstance(r, PatternRecognizer)]
    texts = EDGE_TEXTS + random_texts(400, seed=11)
    checked = 0
    for recognizer in recognizers:
        flags = int(recognizer.global_regex_flags or 0)
        patterns: list[Pattern] = getattr(recognizer, "patterns", [])
        for pattern in patterns:
            bound = min_digit_run(pattern.regex, flags)
            compiled = regex.compile(pattern.regex, flags=flags)
            for text in texts:
                for match in compiled.finditer(text):
                    assert longest_digit_run(match.group()) >= bound, pattern.regex
                    checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    ("pattern", "bound"),
    [
        (r"\b\d{9}\b", 9),
        (r"\d{3}-\d{2}-\d{4}", 4),
        (r"[A-Z][0-9]{1,12}", 1),
        (r"\b(\d{6,8})([-+]?)\d{4}\b", 6),
        (r"\b[1-9]\d{2}([- ])\d{3}\1\d{3}\b", 3),
        (r"(\d\d)?x", 0),
        (r"\d\d[a-z]?\d\d", 2),
        (r"(?:12|3)\d", 2),
        (r"[^a]\d{5}", 5),
        (r"\b(?i)\d{5}", 0),  # a global flag after the start: not parsed, so no bound
    ],
)
def test_min_digit_run(pattern: str, bound: int) -> None:
    assert min_digit_run(pattern, re.IGNORECASE) == bound


def test_longest_digit_run_counts_every_decimal_digit() -> None:
    assert longest_digit_run("ab 12 3456x7") == 4
    assert longest_digit_run("") == 0
    assert longest_digit_run("\u0661\u0662\u0663") == 3


def test_dotted_name_gate_takes_case_folded_letters() -> None:
    # The URL recogniser's (?i) top-level domains match these; the gate must let them through.
    for text in ("x.\u017fe", "a.c\u212a", "\u0130.IO"):
        assert _DOTTED_NAME.search(text), text


def test_lazy_artifacts_are_presidios(detector: PresidioDetector) -> None:
    engine = detector._patterns.nlp_engine
    for text in [*EDGE_TEXTS, "Hello World  \u00c4\u00d6\u00dc  Stra\u00dfe\n\n\t x:y key:value -PRON- be"]:
        lazy = _LazyArtifacts(engine, text)
        reference = engine.process_text(text, "en")
        assert lazy.lemmas == reference.lemmas
        assert lazy.tokens_indices == reference.tokens_indices
        assert lazy.keywords == reference.keywords
        assert list(lazy.tokens) == [t.text for t in reference.tokens]
        assert [len(t) for t in lazy.tokens] == [len(t) for t in reference.tokens]
        assert list(lazy.entities) == list(reference.entities) == []


def test_lazy_artifacts_are_not_built_without_a_result(detector: PresidioDetector) -> None:
    lazy = _LazyArtifacts(detector._patterns.nlp_engine, "nothing here")
    assert "lemmas" not in vars(lazy)
    assert (
        detector._patterns.analyze(
            text="nothing here",
            language="en",
            entities=["EMAIL_ADDRESS"],
            nlp_artifacts=cast(NlpArtifacts, lazy),
        )
        == []
    )
    assert "lemmas" not in vars(lazy)  # presidio never asked for the tokens


def test_blank_pipeline_lemmas_are_lower_case_tokens(blank_nlp: Language) -> None:
    text = "Hello WORLD \u0130stanbul \u03a3\u038a\u03a3\u03a5\u03a6\u039f\u03a3 Stra\u00dfe  \n x"
    doc = blank_nlp(text)
    assert [t.lemma_ for t in doc] == [t.text.lower() for t in doc]
    assert len(blank_nlp("")) == 0
