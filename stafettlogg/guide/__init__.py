"""The decision guide (seed 004): stafettlogg or individual plan, and who coordinates."""
