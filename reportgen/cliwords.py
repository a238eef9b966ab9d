"""argparse's own words (``usage:``, ``options``, ``invalid choice: …``) in the user's language.

argparse asks ``gettext.gettext`` for them, through its module globals ``_`` and ``ngettext``. Installing a
gettext translation would change the process's default domain for every other library; instead
:func:`argparse_words` points argparse's two names at our catalogue for the time reportgen builds and uses
its parser, and puts them back afterwards. The msgids are argparse's own texts (Python 3.11), listed in
:func:`_texts` so that the catalogue extractor finds them; a text argparse adds later stays English.
"""
from __future__ import annotations

from contextlib import contextmanager

from .messages import _ as translate


def _texts() -> dict[str, str]:
    """argparse's texts a user can meet, each in the current language (``%``-placeholders as argparse has them).
    ``_`` here pairs each msgid with its translation; written as ``_("…")`` so that the extractor lists them."""
    def _(msgid: str) -> tuple[str, str]:
        return msgid, translate(msgid)

    return dict([
        _("usage: "),
        _("positional arguments"),
        _("options"),
        _("show this help message and exit"),
        _("%(prog)s: error: %(message)s\n"),
        _("argument %(argument_name)s: %(message)s"),
        _("unrecognized arguments: %s"),
        _("the following arguments are required: %s"),
        _("one of the arguments %s is required"),
        _("invalid choice: %(value)r (choose from %(choices)s)"),
        _("invalid %(type)s value: %(value)r"),
        _("expected one argument"),
        _("expected at most one argument"),
        _("expected at least one argument"),
        _("expected %s argument"),
        _("expected %s arguments"),
        _("ambiguous option: %(option)s could match %(matches)s"),
        _("not allowed with argument %s"),
        _("ignored explicit argument %r"),
        _("unexpected option string: %s"),
    ])


@contextmanager
def argparse_words():
    """While inside: argparse speaks the current language (see the module's docstring)."""
    import argparse

    table = _texts()
    saved = argparse._, argparse.ngettext

    def gettext(message):
        return table.get(message, message) if message is not None else message

    def ngettext(singular, plural, n):
        return gettext(singular if n == 1 else plural)

    argparse._, argparse.ngettext = gettext, ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def lang_option(argv: list[str]) -> str | None:
    """The value of ``--lang`` in ``argv`` (``--lang en``, ``--lang=en``), read before the parser exists:
    its help texts are written in that language. None when absent (the environment then decides)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None
