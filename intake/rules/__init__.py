"""Read-only rules over models or snapshot dicts: what a submission must contain
(completeness), the budget's funding rules, the mandates (and their CSV), uploaded files
and canonical snapshots. Nothing here writes; services and reviews ask here."""
