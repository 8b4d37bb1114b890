"""Stage 1, reading: an input file (YAML with the position of every value, or the budget system's
Excel export) into plain data with positions; problems in Chinese at their line and column."""
