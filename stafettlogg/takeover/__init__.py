"""Take-over requests: staff outside a log who find it by the child's fødselsnummer ask the
holder (or the unit leader) to take it over; accepted, the request becomes a handover."""
