"""Every change the sandbox makes inside moto, in one registry.

An addition wraps one moto method with a decorator that names the class and the method:

    @patches.wraps(IAMBackend, "create_user")
    def create_user(original, self, region_name, user_name, path="/", tags=None):
        check(user_name_problems(user_name))
        return original(self, region_name, user_name, path=path, tags=tags)

The wrapper takes moto's original method first, then exactly moto's parameters (moto
passes some by keyword). `apply()` puts every registered wrapper in place; it is
idempotent (applying twice wraps once). tests/sandbox/test_moto_contract.py walks
`REGISTRY`, so no change to moto escapes the check that the method still exists with
the parameters the wrapper was written for.

A moto module's data the sandbox has no use for is let go the same way, registered with
`releases(module, name, replacement, why)` and replaced by `apply()`; a module-level
function whose answer the sandbox shapes otherwise (moto's request ids) is replaced with
`replaces(module, name, replacement, why)`, the same mechanism.

Request-level behaviour (who is calling, may they) is not here: it sits in one layer in
front of moto's app (gate.py).
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(eq=False)
class Patch:
    owner: type
    name: str
    wrapper: Callable
    original: Callable | None = None

    @property
    def where(self) -> str:
        return f"{self.owner.__module__}.{self.owner.__name__}.{self.name}"

    @property
    def module(self) -> str:
        return self.wrapper.__module__


REGISTRY: list[Patch] = []


@dataclass(eq=False)
class Release:
    """Data a moto module holds that the sandbox replaces with a small stand-in, to free the
    memory (for example moto's 4.7 MB string of AWS managed policies, which
    managed_policies.py reads from its file instead)."""

    module: str
    name: str
    replacement: object
    why: str


RELEASES: list[Release] = []


def releases(module: str, name: str, replacement: object, why: str) -> None:
    """Register: once applied, `module.name` is `replacement` (the module's data is let go)."""
    if not any(r.module == module and r.name == name for r in RELEASES):
        RELEASES.append(Release(module, name, replacement, why))


def replaces(module: str, name: str, replacement: Callable, why: str) -> None:
    """Register: once applied, the function `module.name` is `replacement` (for the module's
    own callers, which look the name up in the module when they run)."""
    releases(module, name, replacement, why)


def wraps(owner: type, name: str) -> Callable[[Callable], Callable]:
    """Register the decorated function as the replacement of `owner.name`."""

    def register(wrapper: Callable) -> Callable:
        if not any(p.owner is owner and p.name == name and p.wrapper is wrapper for p in REGISTRY):
            REGISTRY.append(Patch(owner, name, wrapper))
        return wrapper

    return register


def apply() -> None:
    """Put every registered wrapper in place, once (a second call changes nothing)."""
    for patch in REGISTRY:
        current = patch.owner.__dict__.get(patch.name)
        if getattr(current, "__awslab_patch__", None) is patch:
            continue
        if current is None:
            raise AttributeError(f"moto has no {patch.where} to wrap (awslab addition {patch.module})")
        patch.original = current
        setattr(patch.owner, patch.name, _bind(patch, current))
    for release in RELEASES:
        module = importlib.import_module(release.module)
        if not hasattr(module, release.name):
            raise AttributeError(f"moto has no {release.module}.{release.name} to release")
        setattr(module, release.name, release.replacement)


def _bind(patch: Patch, original: Callable) -> Callable:
    wrapper = patch.wrapper

    @functools.wraps(original)
    def method(*args, **kwargs):
        return wrapper(original, *args, **kwargs)

    method.__awslab_patch__ = patch
    return method


def unpatched(owner: type, name: str) -> Callable:
    """moto's own method, whether or not a wrapper is in place."""
    method = owner.__dict__[name]
    patch = getattr(method, "__awslab_patch__", None)
    return patch.original if patch is not None else method


def original_parameters(patch: Patch) -> list[str]:
    """The parameter names of moto's method as it is now."""
    target = patch.original or patch.owner.__dict__[patch.name]
    return list(inspect.signature(target).parameters)


def wrapper_parameters(patch: Patch) -> list[str]:
    """The parameter names the wrapper was written for (moto's, after `original`)."""
    return list(inspect.signature(patch.wrapper).parameters)[1:]
