"""The public API is documented in numpydoc form and every public callable is exercised.

Public = the names in each public module's ``__all__`` (modules of ``nickelates``
and ``nickelates.viz``/``nickelates.symbolic``/``nickelates.btk``, not
``kernels``, not ``_private`` modules, not the ``cli_*`` argument parsers).

For every public function and class (and the public methods of classes):

* a summary line;
* a ``Parameters`` section naming every parameter of the signature
  (``*args``/``**kwargs`` may be documented as ``*args``/``**kwargs``);
* a ``Returns`` (or ``Yields``) section for functions (not for classes,
  properties, or functions annotated ``-> None``);
* an ``Examples`` section for module-level functions and classes (run as
  doctests by ``make unit``).
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from numpydoc.docscrape import ClassDoc, FunctionDoc

import nickelates

SKIP_MODULE = re.compile(r"(^|\.)(_[^.]*|kernels(\..*)?|cli_[^.]*|__main__)$")


def public_modules():
    names = ["nickelates"]
    for info in pkgutil.walk_packages(nickelates.__path__, "nickelates."):
        rel = info.name[len("nickelates."):]
        if SKIP_MODULE.search(rel):
            continue
        names.append(info.name)
    return sorted(names)


def public_objects():
    out = []
    for modname in public_modules():
        mod = importlib.import_module(modname)
        names = getattr(mod, "__all__", None)
        if names is None:
            continue
        for name in names:
            obj = getattr(mod, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                if getattr(obj, "__module__", "").startswith("nickelates") and obj.__module__ == modname:
                    out.append((modname, name, obj))
    return out


OBJECTS = public_objects()


def _params(obj):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    out = []
    for p in sig.parameters.values():
        if p.name in ("self", "cls"):
            continue
        if p.kind is p.VAR_POSITIONAL:
            out.append("*" + p.name)
        elif p.kind is p.VAR_KEYWORD:
            out.append("**" + p.name)
        else:
            out.append(p.name)
    return out


def _documented(doc):
    names = set()
    for entry in doc["Parameters"] + doc["Other Parameters"]:
        for n in entry.name.split(","):
            n = n.strip()
            if n:
                names.add(n)
                names.add(n.lstrip("*"))
    return names


def _problems_function(obj, *, need_examples=True):
    probs = []
    if not (obj.__doc__ or "").strip():
        return ["no docstring"]
    doc = FunctionDoc(obj)
    if not doc["Summary"]:
        probs.append("no summary line")
    missing = [p for p in _params(obj) if p not in _documented(doc) and p.lstrip("*") not in _documented(doc)]
    if missing:
        probs.append(f"Parameters does not document {missing}")
    ann = inspect.signature(obj).return_annotation
    returns_none = ann in (None, "None")
    if not returns_none and not (doc["Returns"] or doc["Yields"]):
        probs.append("no Returns section")
    if need_examples and not doc["Examples"]:
        probs.append("no Examples section")
    return probs


def _problems_class(cls):
    probs = []
    if not (cls.__doc__ or "").strip():
        return ["no docstring"]
    doc = ClassDoc(cls, config={"show_class_members": False})
    if not doc["Summary"]:
        probs.append("no summary line")
    if not doc["Examples"]:
        probs.append("no Examples section")
    init_params = [p for p in _params(cls)]
    documented = _documented(doc) | {a.name for a in doc["Attributes"]}
    if not getattr(cls, "__dataclass_fields__", None):
        missing = [p for p in init_params if p.lstrip("*") not in documented]
        if missing:
            probs.append(f"Parameters does not document {missing}")
    else:  # dataclass: the fields are documented as Attributes or Parameters
        missing = [f for f in cls.__dataclass_fields__ if f not in documented and not f.startswith("_")]
        if missing:
            probs.append(f"Attributes/Parameters do not document fields {missing}")
    for name, member in vars(cls).items():
        if name.startswith("_") or not inspect.isfunction(member):
            continue
        sub = _problems_function(member, need_examples=False)
        probs += [f"method {name}: {p}" for p in sub]
    return probs


@pytest.mark.parametrize("modname,name,obj", OBJECTS, ids=[f"{m}.{n}" for m, n, _ in OBJECTS])
def test_numpydoc_complete(modname, name, obj):
    probs = _problems_class(obj) if inspect.isclass(obj) else _problems_function(obj)
    assert not probs, f"{modname}.{name}: " + "; ".join(probs)


@pytest.mark.parametrize("modname", public_modules())
def test_module_declares_public_names(modname):
    mod = importlib.import_module(modname)
    assert getattr(mod, "__all__", None) is not None, f"{modname} has no __all__"
    missing = [n for n in mod.__all__ if not hasattr(mod, n)]
    assert not missing, f"{modname}.__all__ names undefined {missing}"


def test_every_public_callable_is_exercised():
    """Each public function/class is named in a test file or has a doctest (Examples)."""
    root = Path(__file__).resolve().parent
    text = "\n".join(p.read_text() for p in root.rglob("test_*.py"))
    unexercised = []
    for modname, name, obj in OBJECTS:
        doc = obj.__doc__ or ""
        if ">>>" in doc:
            continue
        if not re.search(rf"\b{re.escape(name)}\b", text):
            unexercised.append(f"{modname}.{name}")
    assert not unexercised, f"not exercised by any test or doctest: {unexercised}"
