"""Words that depend on the data: one home for each small rule, and the sentences built from them.

The templates hold the fixed prose. Anything a document says that the numbers
could contradict (how many, which ones, most or few, committed or not) is
chosen here from the facts, so one rule decides it wherever it appears. The
helpers come first (numbers, plurals, lists, dates, names mid-sentence,
quotes); the sentences after them take plain values, not the context.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Sequence

_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

# At most this many condition names in one sentence; longer lists name the
# first ones and count the rest ("A, B, and three more").
MAX_NAMED = 3


def half_up(value: float | None) -> int | None:
    """A score as a whole number, rounded half up (62.5 -> 63), not Python's round-half-even."""
    return None if value is None else int(value + 0.5)


def number(n: int) -> str:
    """A count as prose says it: words under ten ("four"), digits from ten on ("12")."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """The noun (or verb) form that agrees with n: plural(1, "condition") is "condition"."""
    return singular if n == 1 else (plural_form or singular + "s")


def count(n: int, singular: str, plural_form: str | None = None) -> str:
    """ "one condition", "four conditions", "12 conditions"."""
    return f"{number(n)} {plural(n, singular, plural_form)}"


def is_are(n: int) -> str:
    return "is" if n == 1 else "are"


def of_total(n: int, total: int, noun: str, plural_form: str | None = None) -> str:
    """ "one of nine conditions": the noun agrees with the total, the verb (is_are) with n."""
    return f"{number(n)} of {number(total)} {plural(total, noun, plural_form)}"


def capitalize(text: str) -> str:
    """The first letter upper-cased, for a sentence that starts with a generated phrase."""
    return text[:1].upper() + text[1:]


def join(items: Sequence[str]) -> str:
    """ "A", "A and B", "A, B, and C": the serial comma, as US style guides use it."""
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + f", and {items[-1]}"


def join_some(items: Sequence[str], limit: int = MAX_NAMED) -> str:
    """Up to ``limit`` items by name; a longer list names one fewer and counts the rest.

    ["A", "B", "C", "D"] with the default limit reads "A, B, and two more".
    """
    items = list(items)
    if len(items) <= limit:
        return join(items)
    shown = items[: limit - 1]
    return join(shown + [f"{number(len(items) - len(shown))} more"])


def format_date(d: dt.date | None) -> str:
    """ "October 15, 2026"; empty text for no date."""
    return f"{d:%B} {d.day}, {d.year}" if d else ""


def mid_sentence(name: str, proper: bool = False) -> str:
    """A title-like name ("Leadership commitment") as it reads inside a sentence.

    Only the first letter is lowered, and only when the first word is not an
    acronym or a proper name ("Mobility Metrics", "CAP-1" stay as they are).
    """
    if proper or not name:
        return name
    words = name.split()
    first = words[0]
    if len(first) > 1 and (first[1:].lower() != first[1:] or not first[0].isupper()):
        return name
    if len(words) > 1 and words[1][:1].isupper():
        return name  # "Mobility Metrics access": the first two words name something
    return name[:1].lower() + name[1:]


_PLACE_WITH_ARTICLE = re.compile(r"^[A-Z][\w-]*\s+(?:(?:and\s+)?[A-Z][\w-]*\s+){0,3}of\s+\S", re.UNICODE)
_OFFICE_WORDS = ("Office", "Department", "Division", "Bureau", "Agency")


def place_in_sentence(name: str) -> str:
    """A place's or office's name inside a sentence: "the Town of Eastbrook", but "Riverbend" and "Marlow County".

    Names of the form "City of X", "Town of X", "County of X" (any capitalized
    words before "of") and names of offices ("County Administrator’s Office")
    take "the"; a name already starting with "The" keeps it, lower-cased.
    """
    if name.startswith("The "):
        return "the " + name[4:]
    if _PLACE_WITH_ARTICLE.match(name) or name.split()[-1:] in ([w] for w in _OFFICE_WORDS):
        return "the " + name
    return name


def curly(text: str) -> str:
    """Straight quotes and apostrophes as typographic ones, so a document uses one quote style.

    An apostrophe inside or at the end of a word becomes \u2019; a quote opening
    after a space, a bracket or at the start becomes \u201c or \u2018; the rest close.
    """
    if "'" not in text and '"' not in text:
        return text
    out = []
    for i, ch in enumerate(text):
        if ch not in "'\"":
            out.append(ch)
            continue
        before = text[i - 1] if i else " "
        opening = before.isspace() or before in "([{\u2014\u2013-/"
        if ch == '"':
            out.append("\u201c" if opening else "\u201d")
        else:
            after = text[i + 1] if i + 1 < len(text) else " "
            # 'til, '90s: an apostrophe before a word but not opening a quote is rare; read as opening.
            out.append("\u2018" if opening and not after.isspace() else "\u2019")
    return "".join(out)


def lower_first_word(text: str) -> str:
    """A list item typed in sentence case ("Keep renters housed") as it reads after a colon.

    The first letter is lowered only when the first word is capitalized, not an
    acronym, and the next word starts lower-case (so "Riverbend Housing Trust
    grants" and "ADA upgrades" keep their capitals).
    """
    words = text.split(maxsplit=2)
    if len(words) < 2:
        return text
    first, second = words[0], words[1]
    if not first[:1].isupper() or first[1:].lower() != first[1:] or not second[:1].islower():
        return text
    return text[:1].lower() + text[1:]


# ---------------------------------------------------------------------------
# Sentences. Each takes plain facts and returns one or two sentences.


def quoted(label: str) -> str:
    return f"\u201c{curly(label)}\u201d"


def scored_summary(average: int | None, n_conditions: int, n_scored: int) -> str:
    """The average, or plainly that nothing could be scored."""
    if average is None:
        return "No condition could be scored."
    if n_scored == n_conditions:
        return f"The average score across the {number(n_conditions)} conditions is {average} out of 100."
    return (f"The average score across the {count(n_scored, 'condition')} that could be scored "
            f"is {average} out of 100.")


def standing_summary(n_in_place: int, n_developing: int, n_lowest: int, n_insufficient: int, total: int,
                     labels: tuple[str, str, str]) -> str:
    """How the conditions stand as a whole ("most", "only", "no"), then the counts that bear it out.

    ``labels`` are the band labels, best first: in place, developing, lowest.
    """
    in_place, developing, lowest = (mid_sentence(x) for x in labels)
    close = n_in_place + n_developing
    behind = []
    if n_lowest:
        behind.append(f"{number(n_lowest)} {is_are(n_lowest)} {lowest}")
    if n_insufficient:
        behind.append(f"{number(n_insufficient)} could not be judged")
    if n_in_place == total:
        return f"Every condition is {in_place}."
    if n_in_place * 2 > total:
        rest = [f"{number(n_developing)} {developing}"] if n_developing else []
        rest += [f"{number(n_lowest)} {lowest}"] if n_lowest else []
        rest += [f"{number(n_insufficient)} that could not be judged"] if n_insufficient else []
        return f"Most conditions are {in_place}: {number(n_in_place)} of the {number(total)}, with {join(rest)}."
    if close == 0:
        return f"No condition is {in_place} or close to it: {join(behind)}."
    counts = [f"{number(n_in_place)} {is_are(n_in_place)} {in_place}"] if n_in_place else []
    counts += [f"{number(n_developing)} {is_are(n_developing)} {developing}"] if n_developing else []
    if close * 2 > total:
        lead = "Most conditions are"
    else:
        lead = f"Only {number(close)} of the {number(total)} conditions {is_are(close)}"
    tail = f", while {join(behind)}" if behind else ""
    return f"{lead} {in_place} or close to it: {join(counts)}{tail}."


def unknown_summary(n_gaps: int, n_indicators: int, dont_know: str, several: bool) -> str:
    """How many indicators nobody could rate; empty text when there are none."""
    if not n_gaps:
        return ""
    if several:
        return f"No respondent could rate {number(n_gaps)} of the {number(n_indicators)} indicators."
    return (f"{capitalize(of_total(n_gaps, n_indicators, 'indicator'))} {plural(n_gaps, 'was', 'were')} "
            f"answered {quoted(dont_know)}.")


NOTHING_SCORED_DECISION = ("Hold the launch until the indicators can be rated: find the answers, rate the indicators "
                           "in the workbook, and build the documents again.")


def nothing_scored(dont_know: str) -> str:
    return (f"Nothing could be scored: every indicator was answered {quoted(dont_know)}, or too few were rated "
            "to judge any condition. Find out the answers with the colleagues who know, rate the indicators "
            "in the workbook again, and build the documents once more.")


def essential_held(names: Sequence[str], unscored: Sequence[str], level_label: str) -> str:
    """Why an essential condition held the level down, true to whether it was scored at all."""
    below = [n for n in names if n not in unscored]
    parts = []
    if below:
        parts.append(f"{join(below)} {is_are(len(below))} essential to this process and scored below "
                     f"{'its' if len(below) == 1 else 'their'} minimum")
    if unscored:
        parts.append(f"{join(unscored)} {is_are(len(unscored))} essential and could not be scored")
    return capitalize(join(parts)) + f", so the overall level is {quoted(level_label)} whatever the average."


def prepared_by(name: str, title: str, organization: str) -> str:
    """ "Dana Whitfield, Senior Policy Analyst, City of Riverbend Office of the City Manager".

    A title that already ends with (part of) the organization's name does not
    repeat it: the organization's full name takes that part's place.
    """
    parts = [p for p in (name, title) if p]
    if not organization:
        return ", ".join(parts)
    if title:
        pieces = [p.strip() for p in title.split(",")]
        last = pieces[-1].casefold()
        if len(pieces) > 1 and last and last in organization.casefold():
            parts = [p for p in (name, ", ".join(pieces[:-1])) if p]
        elif organization.casefold() in title.casefold():
            return ", ".join(parts)
    return ", ".join(parts + [organization])
