"""
Published outcomes of the example day, so the kennisbank of the demo is not empty.

Idempotent: a report that is already published stays as it is.
"""

from accounts.models import User
from events.models import Event, SessionKind
from reports.models import OutcomeReport
from reports.services import report_approve, report_publish

# title → (summary, topics) of the outcomes the demo publishes.
OUTCOMES = {
    "Trialoog: de Vereenvoudigingswet": (
        "Politiek, beleid en uitvoering zijn het eens dat één wet voor vele knelpunten helpt, als de "
        "uitvoering vooraf meekijkt. Over de snelheid verschillen zij: de uitvoering vraagt een "
        "uitvoeringstoets per knelpunt, de politiek wil niet op alle toetsen wachten.",
        "vereenvoudiging, uitvoeringstoets, wetgeving",
    ),
    "Trialoog: gegevensdeling tussen uitvoerders": (
        "Iedereen wil dat mensen hun gegevens niet steeds opnieuw hoeven aan te leveren. Beleid en "
        "uitvoering zien de grondslag voor gegevensdeling als knelpunt; de politiek vraagt om een "
        "voorstel dat privacy en gemak samen regelt.",
        "gegevensdeling, privacy, dienstverlening",
    ),
}


def outcomes_seed(event: Event) -> list[OutcomeReport]:
    """Approve and publish the outcome reports of the example day's trialogen named in OUTCOMES."""
    organiser = User.objects.filter(email="organisator@example.org").first()
    if organiser is None:
        return []
    published = []
    for session in event.sessions.filter(kind=SessionKind.TRIALOOG, title__in=OUTCOMES):
        report = OutcomeReport.objects.filter(session=session).first()
        if report is None or report.status != OutcomeReport.Status.PUBLISHED:
            summary, topics = OUTCOMES[session.title]
            report_approve(session=session, user=organiser, summary=summary, topics=topics)
            report = report_publish(session=session, user=organiser)
        published.append(report)
    return published
