"""The password rules, checked wherever a password is set (the create-user command, the demo seed).

Passwords are only set from the command line, so the messages are plain English like the rest of it.
"""
MIN_LENGTH = 10


def password_problem(password: str, username: str | None = None) -> str | None:
    """Return why `password` is refused, or None when it is good enough."""
    if len(password) < MIN_LENGTH:
        return f"The password must have at least {MIN_LENGTH} characters."
    if password.isdigit():
        return "The password must not be digits only."
    if username and password.strip().casefold() == username.strip().casefold():
        return "The password must not be the username."
    return None


def check_password_rules(password: str, username: str | None = None) -> None:
    """Raise ValueError when the password breaks a rule (callers show the message first)."""
    problem = password_problem(password, username)
    if problem is not None:
        raise ValueError(problem)
