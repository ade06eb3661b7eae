"""Make article text speakable: numbers, dates, times, money, ordinals, abbreviations, acronyms.

Neural voices read "Dec. 16" as "dec sixteen" and "$5.2m" as "dollar five point two m". This turns
written news English into what a newsreader would say, before the text reaches any engine.
The pronunciation lexicon (editable in the admin) decides how acronyms are read.
"""

import re

ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
SCALES = [(10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand")]
ORDINAL_WORDS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
MONTHS = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "sept": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}
ABBREVIATIONS = {
    "U.S.": "U S",
    "U.K.": "U K",
    "U.N.": "U N",
    "E.U.": "E U",
    "Mr.": "Mister",
    "Mrs.": "Missus",
    "Dr.": "Doctor",
    "Gen.": "General",
    "Lt.": "Lieutenant",
    "Col.": "Colonel",
    "Sgt.": "Sergeant",
    "Gov.": "Governor",
    "Sen.": "Senator",
    "Rep.": "Representative",
    "Pres.": "President",
    "St.": "Saint",
    "No.": "number",
    "vs.": "versus",
    "etc.": "et cetera",
    "approx.": "approximately",
}
UNITS = {
    "km": "kilometres",
    "kg": "kilograms",
    "m": "metres",
    "mm": "millimetres",
    "MW": "megawatts",
    "GW": "gigawatts",
    "kW": "kilowatts",
    "%": "percent",
}
CURRENCIES = {
    "$": ("dollar", "dollars"),
    "€": ("euro", "euros"),
    "£": ("pound", "pounds"),
    "₴": ("hryvnia", "hryvnias"),
}
CURRENCY_CODES = {
    "USD": ("dollar", "dollars"),
    "EUR": ("euro", "euros"),
    "UAH": ("hryvnia", "hryvnias"),
    "GBP": ("pound", "pounds"),
}
MAGNITUDES = {
    "k": "thousand",
    "m": "million",
    "mn": "million",
    "bn": "billion",
    "b": "billion",
    "million": "million",
    "billion": "billion",
    "trillion": "trillion",
    "thousand": "thousand",
}


def number_words(n):
    """0 <= n < 10**15 in words: 2,014 -> 'two thousand fourteen'."""
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else "-" + ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return ONES[n // 100] + " hundred" + ("" if rest == 0 else " " + number_words(rest))
    for value, name in SCALES:
        if n >= value:
            rest = n % value
            return (
                number_words(n // value)
                + f" {name}"
                + ("" if rest == 0 else " " + number_words(rest))
            )
    raise ValueError(n)


def ordinal_words(n):
    words = number_words(n)
    head, sep, last = words.rpartition(" ") if " " in words else ("", "", words)
    if "-" in last:
        first, _, unit = last.rpartition("-")
        return f"{head}{sep}{first}-{_ordinal(unit)}"
    return f"{head}{sep}{_ordinal(last)}"


def _ordinal(word):
    if word in ORDINAL_WORDS:
        return ORDINAL_WORDS[word]
    if word.endswith("y"):
        return word[:-1] + "ieth"
    return word + "th"


def year_words(n):
    """1991 -> 'nineteen ninety-one', 2008 -> 'two thousand eight', 2024 -> 'twenty twenty-four'."""
    if 2000 <= n <= 2009 or n % 1000 == 0 or not 1100 <= n <= 2099:
        return number_words(n)
    high, low = divmod(n, 100)
    if low == 0:
        return number_words(high) + " hundred"
    return number_words(high) + " " + (f"oh {ONES[low]}" if low < 10 else number_words(low))


def decimal_words(text):
    whole, _, fraction = text.partition(".")
    words = number_words(int(whole.replace(",", "") or 0))
    if fraction:
        words += " point " + " ".join(ONES[int(d)] for d in fraction)
    return words


def _money(match):
    symbol, amount, magnitude = match.group("symbol"), match.group("amount"), match.group("mag")
    singular, plural = CURRENCIES.get(symbol) or CURRENCY_CODES[symbol]
    words = decimal_words(amount)
    if magnitude:
        return f"{words} {MAGNITUDES[magnitude.lower()]} {plural}"
    return f"{words} {singular if amount in ('1', '1.00') else plural}"


def _money_after(match):
    amount, magnitude, code = match.group("amount"), match.group("mag"), match.group("code")
    singular, plural = CURRENCY_CODES[code]
    words = decimal_words(amount)
    if magnitude:
        return f"{words} {MAGNITUDES[magnitude.lower()]} {plural}"
    return f"{words} {singular if amount == '1' else plural}"


def _date(match):
    month = MONTHS[match.group("month").lower()]
    day = ordinal_words(int(match.group("day")))
    year = match.group("year")
    return f"{month} {day}" + (f", {year_words(int(year))}" if year else "")


def _time(match):
    hour, minute = int(match.group("h")), int(match.group("m"))
    suffix = (match.group("ampm") or "").replace(".", "").lower()
    words = number_words(hour)
    if minute:
        words += " " + (f"oh {ONES[minute]}" if minute < 10 else number_words(minute))
    elif not suffix:
        words += " hundred" if hour >= 13 or hour == 0 else " o'clock"
    if suffix:
        words += " " + " ".join(suffix)
    if match.group(0).endswith("."):
        words += "."  # "p.m." may end the sentence too
    return words


def _acronym(match, lexicon):
    word = match.group(0)
    if word in lexicon:
        return lexicon[word]
    # Short all-caps words are initialisms (SBU, ZSU); longer ones are usually said as words.
    return " ".join(word) if len(word) <= 4 else word.capitalize()


def _decade(year):
    """1990s -> 'nineteen nineties', 1900s -> 'nineteen hundreds'."""
    words = year_words(year)
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


MONTH_PATTERN = r"(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?"


def speakable(text, lexicon=None):
    """Return text a speech engine reads as a newsreader would. `lexicon` maps ACRONYM -> spoken."""
    lexicon = lexicon or {}
    for written, spoken in ABBREVIATIONS.items():
        text = re.sub(rf"(?<![\w.]){re.escape(written)}(?=\W|$)", spoken, text)
    text = re.sub(
        r"(?P<symbol>[$€£₴])\s?(?P<amount>\d[\d,]*(?:\.\d+)?)(?:\s?(?P<mag>bn|mn|billion|million|trillion|thousand|[kmb])\b)?",
        _money,
        text,
    )
    text = re.sub(
        r"(?P<amount>\d[\d,]*(?:\.\d+)?)\s?(?P<mag>bn|mn|billion|million|thousand)?\s?(?P<code>USD|EUR|UAH|GBP)\b",
        _money_after,
        text,
    )
    text = re.sub(
        rf"\b{MONTH_PATTERN}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{{4}}))?",
        _date,
        text,
    )
    text = re.sub(
        r"\b(?P<h>\d{1,2}):(?P<m>\d{2})\s*(?P<ampm>[AaPp]\.[Mm]\.|[AaPp][Mm])?(?![\w:])",
        _time,
        text,
    )
    text = re.sub(r"\b(\d+)(st|nd|rd|th)\b", lambda m: ordinal_words(int(m.group(1))), text)
    text = re.sub(r"\b(1[1-9]\d\d|20\d\d)s\b", lambda m: _decade(int(m.group(1))), text)
    text = re.sub(
        r"\b(?i:in|since|by|until|of|from|to)\s+(1[1-9]\d\d|20\d\d)\b",
        lambda m: m.group(0).replace(m.group(1), year_words(int(m.group(1)))),
        text,
    )
    text = re.sub(
        r"(\d[\d,]*(?:\.\d+)?)\s?%", lambda m: decimal_words(m.group(1)) + " percent", text
    )
    text = re.sub(
        r"(\d[\d,]*(?:\.\d+)?)\s?(km|kg|mm|MW|GW|kW)\b",
        lambda m: decimal_words(m.group(1)) + " " + UNITS[m.group(2)],
        text,
    )
    text = re.sub(
        r"\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b|\b\d+\.\d+\b", lambda m: decimal_words(m.group(0)), text
    )
    text = re.sub(
        r"\b\d+\b",
        lambda m: (
            number_words(int(m.group(0)))
            if len(m.group(0)) <= 15
            else " ".join(ONES[int(d)] for d in m.group(0))
        ),
        text,
    )
    text = re.sub(r"\b[A-Z]{2,}\b", lambda m: _acronym(m, lexicon), text)
    return re.sub(r"[ \t]+", " ", text).strip()
