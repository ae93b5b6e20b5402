"""The guardians (and the youth with their own access): their read-only view of the log,
the access history, consent withdrawal, deletion requests, the family print, and the
holder's invitations."""
