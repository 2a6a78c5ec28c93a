import pytest

from newsflow.nlp.lexicon import MOVEMENTS, NEWS_LEXICON
from newsflow.nlp.sentiment import (
    EntityTone,
    analyzer,
    document_tone,
    entity_sentiment,
    lexicon,
    score_sentence,
    sentence_compound,
    split_sentences,
)


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


def test_negation_flips_and_bare_negation_leans_negative():
    assert sentence_compound("The new plan is good for commuters.") > 0.3
    assert sentence_compound("The new plan is not good for commuters.") < -0.3
    assert sentence_compound("The new plan isn't bad at all.") > 0
    # Nothing rated to negate: the negation itself tilts the sentence negative.
    assert sentence_compound("Obviously, it's not working.") < 0
    # "not only ... but" does not negate.
    assert sentence_compound("The plan is not only good but fair.") > 0.5


def test_what_follows_a_contrast_outweighs_what_precedes_it():
    assert sentence_compound("The food was good, but the service was terrible.") < 0
    assert sentence_compound("The service was terrible, yet the food was excellent.") > 0


def test_news_words_vader_lacks_are_rated():
    assert sentence_compound("Shares fell after the corruption allegations.") < -0.5
    assert sentence_compound("The airline's shares soared.") > 0.3
    assert sentence_compound("The council met last fall.") == 0  # the season, not a drop


def test_movement_words_take_the_sign_of_what_moves():
    assert sentence_compound("Net profit falls 15 per cent") < 0
    assert sentence_compound("Unemployment falls again") > 0
    assert sentence_compound("Losses rise again") < 0
    assert sentence_compound("Net up 26% at Rs 22 crore") > 0


def test_compound_stays_in_range_and_names_carry_no_tone():
    shouted = "TERRIBLE, HORRIBLE, AWFUL, DISASTROUS!!!! not good, never good, worst ever!!!"
    assert -1 <= sentence_compound(shouted) <= 1
    assert -1 <= sentence_compound("great " * 50) <= 1
    sentence = "Nifty ends the day flat"  # "nifty" is a positive word in VADER's lexicon
    assert score_sentence(sentence).compound > 0
    assert score_sentence(sentence, names=[(0, 5)]).compound == 0


def test_entity_praised_in_one_clause_and_criticised_in_another_gets_different_labels():
    tones = entity_sentiment(
        "Acme was praised for its service, while Globex was criticised for delays.", ["Acme", "Globex"]
    )
    assert tones["Acme"].label == "positive" and tones["Globex"].label == "negative"
    tones = entity_sentiment("Infosys rises 3%, but Wipro slips on weak guidance", ["Infosys", "Wipro"])
    assert tones["Infosys"].label == "positive" and tones["Wipro"].label == "negative"
    # A list of names shares the clause that carries the tone.
    tones = entity_sentiment("Sensex, Nifty plunge on global selloff", ["Sensex", "Nifty"])
    assert tones["Sensex"].label == tones["Nifty"].label == "negative"


def test_the_source_after_a_colon_is_not_what_the_headline_judges():
    tones = entity_sentiment("Avoid Reliance Power: Prakash Diwan", ["Reliance Power", "Prakash Diwan"])
    assert tones["Reliance Power"].label == "negative"
    assert tones["Prakash Diwan"] == EntityTone(mentions=1, compound=0.0, label="neutral")


def test_targets_not_in_the_text_get_no_score():
    tones = entity_sentiment("Let us celebrate a great win for the team.", ["US", "Acme", ""])
    assert tones["US"] == EntityTone(mentions=0, compound=None, label=None)  # acronyms keep their case
    assert tones["Acme"].mentions == 0 and tones[""].mentions == 0


def test_mentions_count_across_sentences_plural_and_possessive_forms():
    text = "Acme's results were excellent. Dr. Smith said Acme later made a terrible mistake. NBFCs rally."
    tones = entity_sentiment(text, ["Acme", "NBFC", "Smith"])
    assert tones["Acme"].mentions == 2
    assert -1 <= tones["Acme"].compound <= 1
    assert tones["NBFC"].label == "positive"
    assert tones["Smith"].mentions == 1


def test_sentences_split_after_end_marks_but_not_after_titles_or_initials():
    text = "Dr. Reddy's shares rose. Mr. J. Smith left!\n\nNew paragraph"
    assert [s.strip() for _, s in split_sentences(text)] == [
        "Dr. Reddy's shares rose.",
        "Mr. J. Smith left!",
        "New paragraph",
    ]
    for offset, sentence in split_sentences(text):
        assert text[offset : offset + len(sentence)] == sentence


def test_news_lexicon_only_adds_words_vader_does_not_rate():
    vader = analyzer().lexicon
    assert not set(NEWS_LEXICON) & set(vader)
    assert all(-4 <= v <= 4 for v in NEWS_LEXICON.values())
    assert all(word in lexicon() for word in MOVEMENTS)


def test_a_sentence_scores_how_strongly_it_speaks_not_how_many_words_it_has():
    short = sentence_compound("The plan is a disaster.")
    padded = sentence_compound(
        "The plan, which the council discussed on Tuesday in the town hall in the north of the city, is a disaster."
    )
    assert short < padded < 0  # the same judgement, diluted by the facts around it
    two = sentence_compound("The plan is a disaster and a fraud.")
    assert two < short  # two rated words still say more than one
