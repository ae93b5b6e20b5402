"""Overviews for unit leaders and KE (seed 000), and statistics without personal data."""
