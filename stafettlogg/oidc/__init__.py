"""Sign-in with OpenID Connect: ID-porten for families (README "ID-porten")."""
