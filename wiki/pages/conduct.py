"""The code of conduct every household accepts when it RSVPs: a protected wiki page."""

from wiki.accounts.models import User
from wiki.pages import services
from wiki.pages.models import Page

SLUG = "code-of-conduct"
TITLE = "Code of conduct"

TEXT = """\
Our BarCamp is for everyone: civil servants and their partners, children and
grandparents, first-timers and old hands. We want every one of them to have a good day.

## Be kind

- Listen as much as you talk. In a session, everyone's voice counts, including children's.
- Disagree with ideas, never with people.
- No harassment of any kind: no insults, unwanted attention, or pictures of people who
  asked not to be photographed.

## Children

- Every child is the responsibility of the adult who registered them, at all times.
- Kid-led sessions are hosted by a child *and* their grown-up.
- Only first names of children appear on this wiki.
- Ask before photographing other people's children, and never post them without consent.

## Speak up

If something makes you or someone else uncomfortable, tell a facilitator (look for the
lanyards) or press **Report this** on any page or session. Reports go only to the
facilitators and are handled quietly.

Facilitators may hide content, end a session, or ask someone to leave.

## Safe and welcoming spaces

- The quiet room is for anyone who needs a break from the bustle.
- Toilets, including accessible and baby-changing ones, are signposted.
- Respect the venue and its neighbours.

Thank you for helping make this a festival for the whole family.
"""


def ensure_code_of_conduct(by: User) -> Page:
    """Return the code of conduct page, creating it (protected) if the site has none."""
    page = services.find_page(SLUG, include_deleted=True)
    if page is None:
        page = services.create_page(TITLE, TEXT, by, summary="The code of conduct").page
        services.set_protected(page, True)
    return page
