"""Phase templates per session kind: the method the room follows."""

from django.utils.translation import gettext_lazy as _

TRIALOOG = [
    (_("Dilemma gepresenteerd"), _("Wat is het dilemma? Wat moet er besloten worden?")),
    (_("Ronde per perspectief"), _("Hoe kijkt u ernaar vanuit politiek, beleid of uitvoering?")),
    (
        _("Samen verkennen"),
        _("Wat betekent dit voor de uitvoering, voor professionals en voor mensen en bedrijven?"),
    ),
    (_("Wat is nodig / vervolg"), _("Wat is er nodig, en wie pakt wat op?")),
]

WHOLE_SYSTEM = [
    (_("Verleden"), _("Welke gebeurtenissen hebben ons hier gebracht?")),
    (_("Heden"), _("Welke trends zien we, en wat doen we nu?")),
    (_("Ideale toekomst"), _("Hoe ziet het eruit als het goed gaat?")),
    (_("Gedeelde grond"), _("Waar zijn we het over eens?")),
    (_("Actieplanning"), _("Welke acties, met welke eigenaar, voor wanneer?")),
]

GENERAL = [
    (_("Opening"), _("Waar gaat het vandaag over?")),
    (_("Gesprek"), _("Wat vindt u? Wat ziet u in de praktijk?")),
    (_("Afronding"), _("Wat nemen we mee?")),
]


def template_for(kind: str) -> list:
    return {"trialoog": TRIALOOG, "whole_system": WHOLE_SYSTEM}.get(kind, GENERAL)
