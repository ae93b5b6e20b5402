"""The start page, notifications, the language switch and the health check."""
