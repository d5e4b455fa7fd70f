"""How an email is compared whatever its case: by a key folded in Python, stored beside the email and carrying the
unique index (users across the deployment, stakeholders in a tenant). Folded by the database instead, SQLite's
lower() folds ASCII letters only, so "Élodie@" and "élodie@" were two accounts there."""

from email_validator import EmailNotValidError, validate_email


def email_key(email: str) -> str:
    """An email as the unique indexes compare it, however it was typed: in the API's stored form (sign_in_email),
    folded (folded_email)."""
    return folded_email(sign_in_email(email))


def folded_email(stored: str) -> str:
    """The key of an email already in the API's stored form (EmailStr's result; an import's import_email): lowered by
    Python, alike on every database. An import folds its rows with this alone: normalising again costs ~20 µs a row."""
    return stored.lower()


def sign_in_email(username: str) -> str:
    """The email as POST /users stored it (email-validator's normal form: NFC, the domain in Unicode), so an é typed
    as e + U+0301 reaches the account created as é; a name that is not an address is only stripped."""
    try:
        return validate_email(username.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return username.strip()
