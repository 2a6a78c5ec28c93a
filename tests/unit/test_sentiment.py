import pytest

from newsflow.nlp.sentiment import document_tone, sentence_compound


def test_sentence_compound_has_the_right_sign():
    assert sentence_compound("The rescue was a wonderful success and families celebrated.") > 0.5
    assert sentence_compound("The attack killed dozens and destroyed the hospital.") < -0.5
    assert sentence_compound("The meeting is on Tuesday.") == 0


def test_document_tone_is_percent_of_words():
    # 10 words: "good" and "great" are positive, "bad" is negative in VADER's lexicon.
    tone = document_tone("good great bad one two three four five six seven", [0.5, -0.1])
    assert tone.word_count == 10
    assert tone.positive == pytest.approx(20.0)
    assert tone.negative == pytest.approx(10.0)
    assert tone.tone == pytest.approx(10.0)
    assert tone.polarity == pytest.approx(30.0)
    assert tone.compound == pytest.approx(0.2)
    assert tone.sentence_count == 2


def test_empty_document_has_neutral_tone():
    tone = document_tone("", [])
    assert (tone.word_count, tone.tone, tone.compound) == (0, 0.0, 0.0)
