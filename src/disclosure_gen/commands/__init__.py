"""The commands a user runs (cli) and what drives the stages for them: render one file atomically
(pipeline), new, rollover, diff, batch, import, schema."""
