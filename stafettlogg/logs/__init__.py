"""The stafettlogg itself: create with consent, write, measures, participants."""
