"""People who sign in (admins, municipal staff, auditors): accounts, passwords, roles."""
