"""Password sign-in hardening: the second factor (TOTP and recovery codes) and the growing
delay per account (SECURITY.md "Sessions and login")."""
