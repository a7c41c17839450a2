"""Words that depend on the data: one home for each small rule, and the sentences built from them.

The templates hold the fixed prose. Anything a document says that the numbers
could contradict (how many, which ones, most or few, committed or not) is
written here, so one rule decides it wherever it appears; context.py chooses
which sentence applies and hands it to the templates. In order: the small
rules (numbers, plurals, lists, dates, names mid-sentence, quotes, and for
messages shortening and "did you mean"), sentences from plain values, then
the sentences of the talking points and the memo, which read the template
context's plain dicts. It is longer than most modules
because every data-dependent sentence of the three documents lives here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterable, Sequence, overload

_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

# At most this many condition names in one sentence; longer lists name the
# first ones and count the rest ("A, B, and three more").
MAX_NAMED = 3


@overload
def half_up(value: float) -> int: ...
@overload
def half_up(value: None) -> None: ...
@overload
def half_up(value: float | None) -> int | None: ...
def half_up(value: float | None) -> int | None:
    """A score as a whole number, rounded half up (62.5 -> 63), not Python's round-half-even."""
    return None if value is None else int(value + 0.5)


def number(n: int) -> str:
    """A count as prose says it: words under ten ("four"), digits from ten on ("12", "19,500")."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """The noun (or verb) form that agrees with n: plural(1, "condition") is "condition"."""
    return singular if n == 1 else (plural_form or singular + "s")


def count(n: int, singular: str, plural_form: str | None = None) -> str:
    """ "one condition", "four conditions", "12 conditions"."""
    return f"{number(n)} {plural(n, singular, plural_form)}"


def tally(n: int, singular: str, plural_form: str | None = None) -> str:
    """ "1 place", "3 places", "19,500 places": digits, for a count a reader scans (a table, a message)."""
    return f"{n:,} {plural(n, singular, plural_form)}"


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


def shorten(text: object, limit: int = 70) -> str:
    """Text on one line and at most ``limit`` characters, cut with an ellipsis when longer: for quoting it in a message."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "\u2026"


def closest(word: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The one of ``known`` most like ``word`` (what a misspelling meant), or None when none is close."""
    import difflib  # only a message about a mistake needs it; not imported by every command

    close = difflib.get_close_matches(word, list(known), n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """ ' Did you mean “name”?' to end a message about a misspelt ``word``; empty text when nothing known is close."""
    close = closest(word, known)
    return f" Did you mean \u201c{close}\u201d?" if close else ""


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


# ---------------------------------------------------------------------------
# Sentences for one document's parts, from the template context's plain dicts
# (context.py builds those first, then asks for these).


def attribution(person: dict[str, str]) -> str:
    """ "Ana Ruiz, Department head": who said something, by name and role."""
    return ", ".join(p for p in (person.get("name"), person.get("role")) if p) or person.get("department") or "A respondent"


def next_step(indicator: str, text: str, owner: str, due: str) -> dict[str, str]:
    """A next step, and the step as one sentence with its owner and date inside it."""
    extra = ", ".join(p for p in (f"owner: {owner}" if owner else "", f"by {due}" if due else "") if p)
    line = f"{text.rstrip('.')} ({extra})." if extra else text
    return {"indicator": indicator, "text": text, "owner": owner, "due": due, "line": line}


def standing(name_mid: str, insufficient: bool, score: int | None, status: str) -> str:
    """One sentence on where a condition stands: "The assessment rates cross-sector partnerships developing (56 out of 100)." """
    if insufficient:
        return f"There is not enough information yet to judge {name_mid}."
    return f"The assessment rates {name_mid} {mid_sentence(status)} ({score} out of 100)."


def priorities_sentence(priorities: list[str]) -> str:
    if not priorities:
        return ""
    items = [lower_first_word(p.rstrip(".")) for p in priorities]
    if len(items) == 1:
        return f"It supports a priority we already hold: {items[0]}."
    return f"It supports {number(len(items))} priorities we already hold: {join(items)}."


def respondents_sentence(people: list[dict[str, str]]) -> str:
    if len(people) < 2:
        return ""
    if len(people) > 3:
        return f"Based on ratings from {count(len(people), 'respondent')}, listed under \u201cWho took part\u201d."
    named = [f"{p['name']} ({p['role']})" if p.get("role") else p["name"] for p in people]
    return f"Based on ratings from {count(len(people), 'respondent')}: {join(named)}."


def talking_points(ctx: dict[str, Any], audiences: Sequence[str]) -> dict[str, Any]:
    """Per audience: the sentences to say and what to ask for, true to the scores."""
    overall, counts = ctx["overall"], ctx["counts"]
    total = counts["total"]
    to_strengthen, must = ctx["to_strengthen"], ctx["build_first"]
    some = join_some([c["name_mid"] for c in to_strengthen])
    some_first = join_some([c["name_mid"] for c in must])
    if ctx["strengths"]:
        in_place = (f"{capitalize(of_total(counts['in_place'], total, 'readiness condition'))} "
                    f"{is_are(counts['in_place'])} in place" +
                    ("." if counts["in_place"] == total else f": {ctx['strengths_text']}."))
    elif overall["nothing_scored"]:
        in_place = "The assessment could not judge any condition yet; the missing answers come first."
    else:
        in_place = "No readiness condition is fully in place yet; the assessment shows where to start."
    if overall["nothing_scored"]:
        status = ("We are not launching yet. The readiness assessment could not score any condition, "
                  "so our first step is to find the answers.")
        status_elected = "Staff are gathering the facts the readiness assessment needs before proposing a launch."
    elif overall["ready"]:
        rest = "" if counts["in_place"] == total else (
            " and the rest are close behind" if counts["not_in_place"] == 0 and counts["insufficient"] == 0 else "")
        status = f"Our readiness assessment says we are ready to start: {of_total(counts['in_place'], total, 'condition')} {is_are(counts['in_place'])} in place{rest}."
        status_elected = f"Staff have assessed our readiness, and we are ready to start: {of_total(counts['in_place'], total, 'condition')} {is_are(counts['in_place'])} in place{rest}."
    elif overall["build_first"]:
        status = f"We are not launching yet. The readiness assessment found gaps to close first: {some_first}."
        status_elected = f"Staff are laying the groundwork first, starting with {some_first}; we expect to return with a launch proposal once {'it is' if len(must) == 1 else 'these are'} stronger."
    else:
        status = f"We are ready to start, and we will strengthen {count(len(to_strengthen), 'area')} as we go: {some}."
        status_elected = (f"Staff have assessed our readiness, and we can start while strengthening "
                          f"{count(len(to_strengthen), 'area')} along the way: {some}.")
    essentials = [c for c in ctx["conditions"] if c["essential"]]
    if overall["nothing_scored"]:
        fade = ("We cannot say yet: the assessment could not judge any condition, so we are finding the answers "
                "before anything is decided.")
    elif overall["build_first"]:
        fade = "That is why we are not launching yet: we are building the commitments that keep this going before we announce it."
    elif essentials and all(c["in_place"] for c in essentials):
        names = join([c["name_mid"] for c in essentials])
        fade = (f"The assessment rates {names} in place, and the plan includes measurement and a re-assessment, "
                "so progress is tracked in the open.")
    elif essentials:
        behind = [c for c in essentials if not c["in_place"]]
        names = join([c["name_mid"] for c in behind])
        fade = (f"The assessment rates {names} {mid_sentence(behind[0]['status'])}, so strengthening "
                f"{'it' if len(behind) == 1 else 'them'} is part of the plan. The plan also includes measurement "
                "and a re-assessment, so progress is tracked in the open.")
    else:
        fade = "The plan includes measurement and a re-assessment, so progress is tracked in the open."
    out: dict[str, Any] = {"in_place": in_place, "fade": fade}
    for audience, said in zip(audiences, (status, status_elected)):
        asks = []
        for c in to_strengthen:
            text = c["asks"].get(audience)
            if text:
                asks.append({"condition": c["name"], "condition_id": c["id"], "text": f"{text} {c['standing']}"})
        out[audience] = {"status": said, "asks": asks}
    return out


def memo(ctx: dict[str, Any]) -> dict[str, Any]:
    """Who sends the memo, how it is signed, and what its draft note lists."""
    sponsor, advocate, org = ctx["sponsor"], ctx["advocate"], ctx["place"]["organization"]
    on_behalf = f"on behalf of {place_in_sentence(org)}"
    if sponsor["given"]:
        sender = [sponsor["name"], sponsor["title"], org]
        from_line = ", ".join(p for p in (sponsor["name"], sponsor["title"]) if p)
        as_title = f" as {sponsor['title']}" if sponsor["title"] else ""
        if " ".join(sponsor["name"].casefold().split()) == " ".join(advocate["name"].casefold().split()):
            leads = f"I lead the process as our Mobility Advocate and sponsor it{as_title}."
        else:
            leads = (f"{advocate['name']}{', ' + advocate['title'] + ',' if advocate['title'] else ''} leads the process "
                     f"as our Mobility Advocate, and I will sponsor it{as_title}.")
    else:
        sender = [advocate["name"], advocate["title"], on_behalf]
        from_line = ", ".join(p for p in (advocate["name"], advocate["title"]) if p) + f", {on_behalf}"
        leads = "I lead the process as our Mobility Advocate."
    draft = []
    if ctx["overall"]["nothing_scored"]:
        draft.append("No condition could be scored yet: each needs answers before the process is announced.")
    for c in ctx["build_first"] if not draft else ():
        if c["insufficient"]:
            draft.append(f"{c['name']}: not enough information to judge it yet; the missing answers come first.")
        elif c["below_essential"]:
            draft.append(f"{c['name']}: essential to the process, and {mid_sentence(c['status'])} ({c['score_text']} out of 100).")
        else:
            draft.append(f"{c['name']}: {mid_sentence(c['status'])} ({c['score_text']} out of 100).")
    counts = ctx["counts"]
    if ctx["overall"]["ready"] or ctx["overall"]["build_first"] or not ctx["to_strengthen"]:
        strengthening = ""
    elif not counts["in_place"]:
        strengthening = (f"No readiness condition is fully in place yet, so we will strengthen "
                         f"{count(counts['to_strengthen'], 'area')} as we go: {ctx['to_strengthen_text']}.")
    else:
        strengthening = (f"We start with {of_total(counts['in_place'], counts['total'], 'readiness condition')} in place "
                         f"and will keep strengthening {count(counts['to_strengthen'], 'area')} as we go: {ctx['to_strengthen_text']}.")
    return {"from": from_line, "signature": [line for line in sender if line], "leads": leads,
            "draft_items": draft, "strengthening": strengthening}


# --------------------------------------------------------------------------
# Rounds over time and peers in a cohort (context.baseline_view, context.benchmark_view)


def change_summary(date_text: str, counts: dict[str, int]) -> str:
    """ "Since the assessment of May 1, 2026, three conditions improved, one declined, and five held steady." """
    moves = [(counts[k], verb) for k, verb in (("up", "improved"), ("down", "declined"), ("same", "held steady"),
                                               ("not_comparable", "could not be compared")) if counts[k]]
    # The first group names the noun ("three conditions improved"); the rest follow it ("one declined").
    parts = [f"{count(n, 'condition') if i == 0 else number(n)} {verb}" for i, (n, verb) in enumerate(moves)]
    return f"Since the assessment of {date_text}, {join(parts)}."


def stands_out(above: list[str], below: list[str]) -> str:
    """One sentence on where this place differs most from the cohort (naming at most three conditions per list)."""
    def subject(names: list[str]) -> str:
        if len(names) <= 3:
            return join([mid_sentence(n) for n in names])
        return f"{number(len(names))} conditions"

    def strengths(names: list[str]) -> str:
        return f"{subject(names)} {'is a relative strength' if len(names) == 1 else 'are relative strengths'}"

    def lagging(names: list[str]) -> str:
        return f"{subject(names)} {'lags' if len(names) == 1 else 'lag'} behind most of the cohort"

    if above and below:
        return f"Compared with the other places, {strengths(above)}, and {lagging(below)}."
    if above:
        return f"Compared with the other places, {strengths(above)}."
    if below:
        return f"Compared with the other places, {lagging(below)}."
    return "Every compared condition is within the middle half of the cohort’s scores."
