"""Who you are: password logins with lockout, and API tokens."""
