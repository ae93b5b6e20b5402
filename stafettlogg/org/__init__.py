"""Areas, units and staff: who administers whom (seed 001), staff accounts, ITO
delegation and the admin's outbox."""
