"""Read services of the staff workspace, one module per screen: `dashboard`, `search`,
`review` (an opening's ranked candidates), `timelines` (the candidate page and the audit log),
`lists` (the pipeline board, batch fill, admin and outbox lists).

The rule for views (README, "Where queries live"): a view loads at most the one object its
URL names, with its access check; everything else a page shows comes from a read service like
these, each function issuing a fixed number of statements whatever the number of rows.
"""
