"""Meta-tests: every parser module is registered, names are unique, declarations are complete."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import forensic_kit.phone.android
import forensic_kit.phone.ios
from forensic_kit.phone import labels, registry
from forensic_kit.phone.base import FileParser, Parser, SqliteParser

KINDS = {"phone.device", "phone.contact", "phone.call", "phone.message", "phone.account", "phone.app", "phone.wifi",
         "phone.setting", "phone.process", "phone.app_ops", "phone.browser_visit"}


def _defined_parsers() -> set[type[Parser]]:
    found: set[type[Parser]] = set()
    for pkg in (forensic_kit.phone.android, forensic_kit.phone.ios):
        for mod in pkgutil.iter_modules(pkg.__path__):
            module = importlib.import_module(f"{pkg.__name__}.{mod.name}")
            for _, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, Parser) and obj not in (Parser, SqliteParser, FileParser) \
                        and obj.__module__ == module.__name__:
                    found.add(obj)
    return found


def test_every_parser_module_is_registered() -> None:
    assert _defined_parsers() == set(registry.PARSERS)
    assert len(registry.PARSERS) == 64


def test_names_unique_and_declarations_complete() -> None:
    names = registry.by_name()
    assert len(names) == len(registry.PARSERS)
    for cls in registry.PARSERS:
        assert cls.NAME and cls.VERSION and cls.KIND in KINDS and cls.PLATFORM in ("android", "ios"), cls
        assert (cls.FILENAMES or cls.matches is not Parser.matches) and all(f == f.lower() for f in cls.FILENAMES), cls
        assert cls.__doc__, cls
        if issubclass(cls, SqliteParser):
            assert cls.TABLE and cls.REQUIRED and cls.TABLE in cls.REQUIRED and "rowid" in cls.QUERY.lower(), cls
        if cls.LABELS is not None:
            assert cls.LABELS in labels.names()


def test_labels_come_from_data_files() -> None:
    assert labels.label("android", "call_type", 3) == "missed"
    assert labels.label("android", "sms_type", "2") == "sent"
    assert labels.label("android", "call_type", 99) is None
    assert labels.label("ios", "call_type", 16) == "facetime_audio"
