"""One account per mailbox: e-mail addresses in one canonical form, look-alikes refused.

- NFKC, then casefold, on the whole address: fullwidth `ａｄａ`, the Kelvin sign and other
  compatibility forms become the plain letters they stand for, and case never matters
  (`Ada@Example.com` is `ada@example.com`).
- The domain is kept in its ASCII (IDNA) form: `bücher.de` and `xn--bcher-kva.de` are one
  domain, and a look-alike domain such as `exаmple.com` (Cyrillic `а`) is stored and shown
  as the `xn--` name it really is, not as a copy of `example.com`.
- A new address (registration, admin create, e-mail change, `keel create-admin`) must have
  an ASCII local part. Checking scripts (Latin mixed with Cyrillic) would still pass an
  all-Cyrillic `аda` beside the Latin `ada`; Unicode local parts need SMTPUTF8, which few
  mail servers take; so Keel takes none. Lookups (login, password reset) fold the same way
  but refuse nothing: an address that cannot be an account simply finds none.

Provider rules (dots and `+tags` at some providers) are not folded: they are not the same
everywhere, and two such addresses are two mailboxes to every other server.
"""

import unicodedata

from email_validator import EmailNotValidError, validate_email


def fold_email(address: str) -> str:
    return unicodedata.normalize("NFKC", address).casefold().strip()


def with_ascii_domain(address: str) -> str:
    """`local@bücher.de` as `local@xn--bcher-kva.de`; an address that is no address, as given."""
    local, _, domain = address.rpartition("@")
    if domain.isascii():
        return address
    try:
        return f"{local}@{validate_email(address, check_deliverability=False).ascii_domain}"
    except EmailNotValidError:
        return address


def comparable_email(address: str) -> str:
    """The form addresses are stored and looked up in."""
    return with_ascii_domain(fold_email(address))


def refuse_look_alikes(address: object) -> object:
    """For a new address, before it is folded: `ValueError` if its local part is not ASCII
    once compatibility forms are plain letters. Checked before casefold, which would turn
    `ß` into `ss`: the mailbox would then be one its owner never typed."""
    if isinstance(address, str):
        local = unicodedata.normalize("NFKC", address).strip().rpartition("@")[0]
        if not local.isascii():
            raise ValueError("the part before @ must be ASCII (look-alike letters are refused)")
    return address
