"""Every schema of the API has its own name: django-ninja names an OpenAPI component after its
class, so two apps' `FindingOut` would document (and validate) one app's answers with the
other's shape."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

from anyun.api import api


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def test_no_two_api_schemas_share_a_class_name() -> None:
    api.get_openapi_schema()  # every router imported and its schemas built
    by_name: dict[str, set[str]] = defaultdict(set)
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("anyun."):
            by_name[schema.__name__].add(schema.__module__)
    assert {name: mods for name, mods in by_name.items() if len(mods) > 1} == {}
