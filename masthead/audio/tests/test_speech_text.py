"""Written news English into what a newsreader says."""

import pytest

from masthead.audio.speech_text import number_words, ordinal_words, speakable, year_words


@pytest.mark.parametrize(
    "n, words",
    [
        (0, "zero"),
        (7, "seven"),
        (42, "forty-two"),
        (100, "one hundred"),
        (2014, "two thousand fourteen"),
        (1_250_000, "one million two hundred fifty thousand"),
    ],
)
def test_numbers(n, words):
    assert number_words(n) == words


def test_ordinals_and_years():
    assert [ordinal_words(n) for n in (1, 2, 3, 12, 16, 21, 40)] == [
        "first", "second", "third", "twelfth", "sixteenth", "twenty-first", "fortieth",
    ]  # fmt: skip
    assert [year_words(n) for n in (1991, 2008, 2024, 1900, 1905)] == [
        "nineteen ninety-one", "two thousand eight", "twenty twenty-four", "nineteen hundred",
        "nineteen oh five",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "written, spoken",
    [
        ("The attack came on Dec. 16.", "The attack came on December sixteenth."),
        (
            "Talks resume Sept. 3, 2026 in Geneva.",
            "Talks resume September third, twenty twenty-six in Geneva.",
        ),
        ("Sirens sounded at 7:04 PM.", "Sirens sounded at seven oh four p m."),
        ("The curfew starts at 23:00.", "The curfew starts at twenty-three hundred."),
        ("The U.S. pledged $5.2 billion.", "The U S pledged five point two billion dollars."),
        ("Aid worth €300m arrived.", "Aid worth three hundred million euros arrived."),
        ("It costs ₴1,200 a month.", "It costs one thousand two hundred hryvnias a month."),
        ("Salaries rose to 15,000 UAH.", "Salaries rose to fifteen thousand hryvnias."),
        ("The 3rd brigade held.", "The third brigade held."),
        ("Prices rose 12.5% in March.", "Prices rose twelve point five percent in March."),
        ("A 40km front line.", "A forty kilometres front line."),
        ("Since 2014 the war has changed.", "Since twenty fourteen the war has changed."),
        ("Built in the 1980s.", "Built in the nineteen eighties."),
        ("Gen. Petrenko spoke to Mr. Smith.", "General Petrenko spoke to Mister Smith."),
    ],
)
def test_news_text_is_read_as_a_newsreader_would(written, spoken):
    assert speakable(written) == spoken


def test_acronyms_follow_the_lexicon_else_short_ones_are_spelled():
    lexicon = {"NATO": "Nay-toe", "SBU": "S B U", "UNESCO": "you-NESS-co"}
    assert (
        speakable("NATO and the SBU met UNESCO.", lexicon)
        == "Nay-toe and the S B U met you-NESS-co."
    )
    assert speakable("The IAEA and ZSU said.") == "The I A E A and Z S U said."
    assert speakable("UKRENERGO reported.") == "Ukrenergo reported."
