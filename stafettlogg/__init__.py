"""Stafettlogg: the BTI model's stafettlogg for Norwegian municipalities.

The app is made by stafettlogg.application.create_app; the README's "Code map" says
what each package owns and what it may import."""
