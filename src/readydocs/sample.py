"""A fictional example assessment used to fill the sample intake workbook.

Everything here is invented: the City of Riverbend, its people and its numbers
do not exist. The data are plain dicts so that tests and other modules can
import the expected values and compare them with what a workbook or a
document contains. workbook.py writes them with ``write_intake(..., sample=True)``.

Keys follow form.py: ``SAMPLE_PROFILE`` uses ``ProfileField.key``; the
indicator dicts use the indicator ids of the bundled framework
(mobility-readiness). A profile field or note that is absent is left blank.
"""

from __future__ import annotations

from datetime import date

# Stands for the framework's "Don't know" answer (Scale.dont_know) in SAMPLE_RATINGS.
DONT_KNOW = "dont_know"

SAMPLE_PROFILE: dict[str, str | date] = {
    "municipality_name": "City of Riverbend",
    "jurisdiction_type": "City",
    "state": "Minnesota",
    "organization_name": "City of Riverbend Office of the City Manager",
    # logo_file is left blank on purpose.
    "advocate_name": "Dana Whitfield",
    "advocate_title": "Senior Policy Analyst, Office of the City Manager",
    "advocate_email": "dana.whitfield@riverbend.example",
    "sponsor_name": "Marcus Oyelaran",
    "sponsor_title": "City Manager",
    "respondent_name": "Dana Whitfield",
    "respondent_role": "Mobility Advocate",
    "respondent_department": "Office of the City Manager",
    "assessment_date": date(2026, 10, 15),
    "target_launch_date": date(2027, 1, 12),
    "departments": "\n".join((
        "Housing and Community Development",
        "Economic Development",
        "Parks and Recreation",
        "Public Health",
        "Budget Office",
        "Police",
    )),
    "insight_1": "Mobility Metrics show that about 46 percent of Riverbend renter households spend more than 30 percent of their income on housing.",
    "insight_2": "Mobility Metrics show that only about half of the city's three- and four-year-olds are enrolled in preschool, with the lowest rates on the east side.",
    "insight_3": "Mobility Metrics show that east-side residents who ride transit spend roughly 45 minutes each way getting to work, about twice the citywide driving commute.",
    "insight_4": "Mobility Metrics show that about one household in six has no home broadband, rising to one in four in the Northgate neighborhood.",
    # insight_5 is left blank on purpose.
    "priorities": "\n".join((
        "Keep renters stably housed as rents rise",
        "Get more children ready for kindergarten",
        "Connect east-side residents to jobs by reliable transit",
    )),
}

# One rating per indicator: an integer on the framework's scale, or DONT_KNOW.
SAMPLE_RATINGS: dict[str, int | str] = {
    "LEAD-1": 4, "LEAD-2": 4, "LEAD-3": 3, "LEAD-4": 3,
    "PART-1": 3, "PART-2": 2, "PART-3": 3,
    "CAP-1": 2, "CAP-2": 2, "CAP-3": 1,
    "CULT-1": 3, "CULT-2": 3, "CULT-3": 4,
    "STAFF-1": 3, "STAFF-2": DONT_KNOW, "STAFF-3": 2,
    "EQ-1": 4, "EQ-2": 3, "EQ-3": 3,
    "DATA-1": 4, "DATA-2": 4, "DATA-3": 3,
    "ENG-1": 2, "ENG-2": 1, "ENG-3": 2,
    "LRN-1": 3, "LRN-2": 4,
}

# Evidence notes; most indicators have one.
SAMPLE_EVIDENCE: dict[str, str] = {
    "LEAD-1": "The mayor backed the process at the 12 August 2026 council work session; the minutes record it.",
    "LEAD-2": "City Manager Marcus Oyelaran agreed to sponsor the work and will hold monthly check-ins.",
    "LEAD-3": "Staff time is agreed until June 2027; money for the second year is not yet confirmed.",
    "LEAD-4": "Five of seven council members have been briefed; two meetings are still to be booked.",
    "PART-1": "Working ties with the Riverbend Housing Trust and the regional workforce board; health and school links are informal.",
    "PART-2": "Community groups were consulted on the 2024 parks plan, but only through comment forms.",
    "PART-3": "Leadership will share decisions on program design; budget choices stay in-house for now.",
    "CAP-1": "The advocate can give about one afternoon a week; nobody else has time set aside.",
    "CAP-2": "Housing and Parks can release staff; other departments point to open vacancies.",
    "CAP-3": "No budget for a facilitator or project manager, and no partner has offered one.",
    "CULT-1": "The 2023 permit overhaul changed practice in three departments and has held since.",
    "CULT-2": "In the 2025 staff survey, 58 percent said they feel safe raising concerns with managers.",
    "CULT-3": "The innovation fund allows pilots to stop early; two did in 2025 without blame.",
    "STAFF-1": "Six of nine department heads have been briefed and most link the work to their plans.",
    "STAFF-2": "No record of front-line staff being asked; nobody we spoke to was sure.",
    "STAFF-3": "Housing and Parks have said yes; Economic Development and Public Health are still deciding.",
    "EQ-1": "The council's 2025 strategic plan names racial equity as a citywide goal.",
    "EQ-2": "Managers had equity training in spring 2025; nothing is planned yet for the core team.",
    "EQ-3": "Housing and health dashboards show results by race and ethnicity; most others do not.",
    "DATA-1": "A Budget Office analyst has already worked with the Mobility Metrics and census tables.",
    "DATA-2": "Data gaps are listed, and Riverbend State University has offered a graduate analyst.",
    "ENG-1": "Engagement costs are paid project by project; there is no line for stipends or childcare.",
    "ENG-2": "Past outreach relied on public hearings; little experience reaching renters or non-English speakers.",
    "ENG-3": "Results of the 2024 parks survey were never shared back with the people who took part.",
    "LRN-2": "The City Manager has agreed to repeat this assessment six months after the launch.",
}

# Follow-up for the low ratings (1 or 2) and the "Don't know" answer.
SAMPLE_FOLLOW_UP: dict[str, dict[str, str | date]] = {
    "PART-2": {
        "next_step": "Hold a listening session with three community organizations before the launch.",
        "owner": "Dana Whitfield",
        "due": date(2027, 1, 29),
    },
    "CAP-1": {
        "next_step": "Move two of the advocate's current duties to free one day a week for coordination.",
        "owner": "Marcus Oyelaran",
        "due": date(2026, 12, 18),
    },
    "CAP-2": {
        "next_step": "Ask each department head to name a contact and agree their monthly hours.",
        "owner": "Dana Whitfield",
        "due": date(2027, 1, 15),
    },
    "CAP-3": {
        "next_step": "Get a quote from a facilitator and request the funds in the mid-year budget adjustment.",
        "owner": "Budget Office",
        "due": date(2027, 2, 5),
    },
    "STAFF-2": {
        "next_step": "Run two short listening sessions with library and code enforcement staff.",
        "owner": "Dana Whitfield",
        "due": date(2027, 2, 12),
    },
    "STAFF-3": {
        "next_step": "Ask department heads to confirm in writing whether they will take part.",
        "owner": "Marcus Oyelaran",
        "due": date(2027, 1, 8),
    },
    "ENG-1": {
        "next_step": "Propose an engagement line covering stipends, interpretation and childcare.",
        "owner": "Budget Office",
        "due": date(2027, 3, 5),
    },
    "ENG-2": {
        "next_step": "Agree outreach partnerships with two trusted neighborhood organizations.",
        "owner": "Dana Whitfield",
        "due": date(2027, 2, 26),
    },
    "ENG-3": {
        "next_step": "Choose how findings go back to residents (web page and a community meeting) and set dates.",
        "owner": "Dana Whitfield",
        "due": date(2027, 3, 19),
    },
}


def sample_inputs(indicator_id: str) -> dict[str, str | int | date]:
    """The sample's input values for one indicator, keyed like form.RATING_INPUTS.

    ``rating`` is an int or DONT_KNOW; the other keys are present only when
    the sample gives a value.
    """
    values: dict[str, str | int | date] = {}
    if indicator_id in SAMPLE_RATINGS:
        values["rating"] = SAMPLE_RATINGS[indicator_id]
    if indicator_id in SAMPLE_EVIDENCE:
        values["evidence"] = SAMPLE_EVIDENCE[indicator_id]
    values.update(SAMPLE_FOLLOW_UP.get(indicator_id, {}))
    return values
