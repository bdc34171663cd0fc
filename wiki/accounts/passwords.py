"""Password hashing with argon2id and the rules for a password people may choose."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# OWASP's Password Storage Cheat Sheet asks argon2id for at least m=19 MiB, t=2, p=1.
# argon2-cffi's default (RFC 9106's low-memory profile: m=64 MiB, t=3, p=4) is above it.
OWASP_MINIMUM = {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}

PROFILES = {
    "owasp": PasswordHasher(),
    # Only for the test suite, which creates hundreds of accounts.
    "fast-insecure-for-tests": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}

MIN_LENGTH = 10
MAX_LENGTH = 256
COMMON = frozenset(
    """password password1 password12 password123 passw0rd 1234567890 123456789 12345678
    0123456789 qwertyuiop qwerty1234 1q2w3e4r5t iloveyou12 letmein123 welcome123 admin12345
    administrator changeme12 football12 baseball12 monkey1234 dragon1234 sunshine12
    abcdefghij abc1234567 trustno1234 princess12 superman12 starwars12 whatever12
    campwiki123 barcamp123 govbarcamp""".split()
)


def hasher() -> PasswordHasher:
    """Return the hasher the current app is configured for."""
    return PROFILES[current_app.config["ARGON2_PROFILE"]]


def hash_password(password: str) -> str:
    """Hash ``password`` with argon2id."""
    return hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Tell whether ``password`` matches ``stored_hash``."""
    try:
        return hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Tell whether the hash was made with weaker parameters than today's."""
    try:
        return hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def password_problem(password: str, *, username: str = "", display_name: str = "") -> str | None:
    """Return why ``password`` is too weak, or None when it will do."""
    if len(password) < MIN_LENGTH:
        return (
            f"Use at least {MIN_LENGTH} characters; "
            "a short phrase of a few words is easy to remember."
        )
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.casefold()
    if lowered in COMMON or len(set(lowered)) < 4:
        return "That password is too common or too easy to guess; choose another."
    for name in (username, display_name):
        if name and len(name) >= 3 and name.casefold() in lowered:
            return "Your password must not contain your name."
    return None
