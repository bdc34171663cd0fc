"""The starting text of an event proposal, which the community then drafts together."""

PROPOSAL_TEMPLATE = """\
This is the draft proposal for **{name}**. Everyone can edit it: say what you think on the
discussion page, or just improve the text. Every change is kept in the history.

## Why

Why run this BarCamp, and why now? Last time some people stayed away because they *did not
know about it*, or because *it was a weekend and they could not leave the family*. How do we
fix both?

## When

- Proposed dates:
- Start and finish times each day:
- Why these dates work for families (school holidays, travel):

## Where

- Venue:
- Address and how to get there (public transport, parking, cycling):
- Indoor and outdoor space:

## Families and children

Bring the family: partners and children are welcome, and kids can pitch sessions too.

- Age groups we expect:
- Kid-led sessions and how children pitch (drawings welcome!):
- Supervision and safeguarding:
- Childcare or a crèche:

## Facilities

A festival, with toilets.

- Toilets (including accessible and baby-changing):
- A quiet room:
- Food and drink (dietary needs, children's food):
- Camping or places to stay:
- Power and Wi-Fi:

## Accessibility

- Step-free access:
- Hearing loops, captions, sign language:
- Quiet times and sensory needs:

## Who is helping

Tick a task when you take it on: your name is added to it for everyone to see.

- [ ] Find and book the venue
- [ ] Plan toilets, food and the quiet room
- [ ] Safeguarding lead for children
- [ ] Spread the word (see below)
- [ ] Facilitate the session grid on the day

## How we will spread the word

Nobody should be able to say "I did not know about it".

- A longer lead time: announce at least three months ahead
- Mailing lists, blogs and social media:
- Posters with a QR code in offices:
- Ask each person who comes to bring one more (and their family)

See also: [[Sessions]] and [[Code of conduct]].
"""


def proposal_text(name: str) -> str:
    """Return the proposal template for an event called ``name``."""
    return PROPOSAL_TEMPLATE.format(name=name.strip() or "Our BarCamp")
