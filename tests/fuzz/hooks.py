"""Schemathesis hooks (loaded through `SCHEMATHESIS_HOOKS`): text that a database refuses.

Schemathesis sends NUL already, but rarely in few examples, and never a lone surrogate ("cannot
be encoded for the wire"); yet a JSON body carries one as a `\\ud800` escape, and PostgreSQL and
SQLite each refuse a different part of them. So some generated values get one such character.
"""

import copy
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.hooks import HookContext

NUL = "\x00"
# What JSON can carry and no database stores: NUL and unpaired surrogates at both ends.
REFUSED_IN_JSON = (NUL, "\ud800", "\udbff", "\udc00", "\udfff")
# A URL or a form carries no surrogate (UTF-8 cannot encode one): NUL only.
REFUSED_IN_URLS = (NUL,)
JSON_MEDIA_TYPES = ("application/json",)


@schemathesis.hook
def flatmap_body(context: HookContext, body: Any) -> st.SearchStrategy[Any]:
    json_only = context.operation is not None and all(
        alternative.media_type in JSON_MEDIA_TYPES for alternative in context.operation.body
    )
    return poisoned(body, REFUSED_IN_JSON if json_only else REFUSED_IN_URLS)


@schemathesis.hook
def flatmap_query(context: HookContext, query: Any) -> st.SearchStrategy[Any]:
    return poisoned(query, REFUSED_IN_URLS)


@schemathesis.hook
def flatmap_path_parameters(context: HookContext, path_parameters: Any) -> st.SearchStrategy[Any]:
    return poisoned(path_parameters, REFUSED_IN_URLS)


def poisoned(value: Any, characters: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """`value`, or (about half the time) a copy with one of its strings given a refused character."""
    places = len(list(_strings(value)))
    if not places:
        return st.just(value)
    poison = st.tuples(st.integers(0, places - 1), st.sampled_from(characters), st.integers(0, 8))
    return st.one_of(st.just(value), poison.map(lambda drawn: _with_character(value, *drawn)))


def _with_character(value: Any, place: int, character: str, position: int) -> Any:
    copied = copy.deepcopy(value)
    container, key = list(_strings(copied))[place]
    text = container[key]
    position = min(position, len(text))
    container[key] = text[:position] + character + text[position:]
    return copied


def _strings(value: Any) -> Any:
    """(container, key) of every string in nested dicts and lists."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(item, str):
            yield value, key
        else:
            yield from _strings(item)
