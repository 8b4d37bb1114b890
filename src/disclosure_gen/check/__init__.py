"""Stage 4, check: rules over the model and the derived facts; each finding has a rule id, a severity,
a Chinese message and the YAML position the author must change."""
