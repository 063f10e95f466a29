"""The base of every settings section: each field names its environment variable once.

A section is a pydantic-settings model whose fields carry their variable as `validation_alias`
(`env(...)`), a default and a description. Built in code (`OperatorSettings(mode="copilot")`) it
reads nothing; `load()` reads the process environment. An invalid value is a `ConfigError` naming
the variable, its value and the problem, which the CLI turns into exit 2.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Annotated, Any, Self

from pydantic import AliasChoices, BeforeValidator, Field, ValidationError
from pydantic.config import JsonDict
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.exceptions import SettingsError

from dr_kube.errors import ConfigError


def env(
    name: str | tuple[str, ...], description: str, *, shown: str | None = None, **kw: Any
) -> Any:
    """A field read from `name` (or the first set of several names); `shown` is the default as the
    README prints it when the value itself does not say it well."""
    alias = name if isinstance(name, str) else AliasChoices(*name)
    extra: JsonDict | None = {"shown_default": shown} if shown is not None else None
    return Field(validation_alias=alias, description=description, json_schema_extra=extra, **kw)


def env_names(field: FieldInfo) -> tuple[str, ...]:
    alias = field.validation_alias
    if isinstance(alias, str):
        return (alias,)
    if isinstance(alias, AliasChoices):
        return tuple(c for c in alias.choices if isinstance(c, str))
    return ()


def _comma_set(lower: bool) -> Any:
    def split(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        items = (v.strip() for v in value.split(","))
        return frozenset(v.lower() if lower else v for v in items if v)

    return split


CommaSet = Annotated[frozenset[str], NoDecode, BeforeValidator(_comma_set(lower=False))]
"""`a, b,c` → {"a", "b", "c"}."""
LowerCommaSet = Annotated[frozenset[str], NoDecode, BeforeValidator(_comma_set(lower=True))]
"""Like CommaSet, lower-cased (GitHub logins)."""
OneMeansOn = Annotated[
    bool, BeforeValidator(lambda v: v.strip() == "1" if isinstance(v, str) else v)
]
"""`1` switches it on; any other value leaves it off."""
SetMeansOn = Annotated[
    bool, BeforeValidator(lambda v: bool(v.strip()) if isinstance(v, str) else v)
]
"""Any non-empty value switches it on."""


@dataclass(frozen=True)
class EnvVar:
    name: str
    section: str
    field: str
    default: str
    description: str


class EnvSection(BaseSettings):
    model_config = SettingsConfigDict(
        frozen=True,
        extra="ignore",
        case_sensitive=True,
        env_ignore_empty=True,
        validate_by_name=True,
        validate_by_alias=True,
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Built in code a section is exactly what the caller passed; load() is the environment.
        return (init_settings,)

    @classmethod
    def env_fields(cls) -> dict[str, tuple[str, ...]]:
        """Field name → the variable(s) it is read from, for the fields read from the environment."""
        return {
            name: names for name, field in cls.model_fields.items() if (names := env_names(field))
        }

    @classmethod
    def load(cls, **overrides: Any) -> Self:
        """The section from the environment; `overrides` (field names) win over it."""
        # EnvSettingsSource keys a value by the field's first variable name.
        field_of = {names[0]: field for field, names in cls.env_fields().items()}
        try:
            found = EnvSettingsSource(cls)()
        except SettingsError as exc:
            raise ConfigError(str(exc)) from None
        values = {k: v for k, v in found.items() if field_of.get(k, k) not in overrides}
        values = {k: v for k, v in values.items() if k in field_of}
        try:
            return cls(**values, **overrides)
        except ValidationError as exc:
            raise ConfigError(cls._describe(exc)) from None

    @classmethod
    def _describe(cls, exc: ValidationError) -> str:
        fields = cls.env_fields()
        field_of = {names[0]: field for field, names in fields.items()}
        problems = []
        for error in exc.errors():
            key = str(error["loc"][0]) if error["loc"] else ""
            field = field_of.get(key, key)
            names = fields.get(field, (key,))
            name = next((n for n in names if os.environ.get(n)), names[0])
            secret = (
                "SecretStr" in str(cls.model_fields[field].annotation)
                if field in cls.model_fields
                else False
            )
            shown = "'***'" if secret else _masked(repr(error["input"]))
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{name}={shown}: {message}")
        return "; ".join(problems)

    @classmethod
    def env_vars(cls, section: str) -> list[EnvVar]:
        found = []
        for name, names in cls.env_fields().items():
            field = cls.model_fields[name]
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            shown = extra.get("shown_default")
            default = (
                str(shown)
                if shown is not None
                else _shown(field.get_default(call_default_factory=True))
            )
            for var in names:
                found.append(EnvVar(var, section, name, default, field.description or ""))
        return found


def _masked(text: str) -> str:
    """A value as an error shows it, without the password of a URL in it."""
    return re.sub(r"(://[^/@\s:]*:)[^/@\s]*@", r"\1***@", text)


def _shown(value: Any) -> str:
    if value is None or value == frozenset() or value is False:
        return "–"
    if isinstance(value, float) and value.is_integer():
        return f"`{int(value)}`"
    return f"`{value}`"
