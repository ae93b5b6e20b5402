"""Meeting mode: the holder writes the log live in the meeting (seeds 001 and 002)."""
