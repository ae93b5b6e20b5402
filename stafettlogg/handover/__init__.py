"""Handing over the holder role: proposals, accepting, declining, and reassigning the logs
of staff who leave (seed 001, seed 002)."""
