"""Filing a log in the municipality's Noark 5 archive (seed 003): the history of
events in words, PDF/A documents, the Fiks Arkiv arkivmelding package and its
transports, and the rule that a log is archived before it is deleted."""
