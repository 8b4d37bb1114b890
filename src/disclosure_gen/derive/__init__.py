"""Stage 3, derive: every figure a document prints (roll-ups, totals, shares, year-over-year changes,
the facts of the declaration forms), computed once from the model."""
