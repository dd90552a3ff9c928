"""Column helpers shared by the models: UTC timestamps and string enums with CHECK constraints."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import CheckConstraint, DateTime, String, TypeDecorator
from sqlalchemy.engine import Dialect


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on the way in and out, also on SQLite (which stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StrEnum(enum.StrEnum):
    """An enum whose values are the strings stored in the database."""

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.value.replace("_", " ").capitalize()) for m in cls]


E = TypeVar("E", bound=StrEnum)


class EnumString(TypeDecorator[E]):
    """A StrEnum stored as its string value: the member on load, a member or its value on bind.

    The column stays a plain VARCHAR (the CHECK constraint from `enum_check` guards the database),
    so switching a column to this type changes no schema. A string that is not one of the enum's
    values is refused before it reaches the database, with the column's enum named in the error.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum_cls: type[E]) -> None:
        self.enum_cls = enum_cls
        super().__init__(max(len(v) for v in enum_cls.values()) + 4)

    def _member(self, value: object) -> E:
        if isinstance(value, self.enum_cls):
            return value
        if isinstance(value, str):
            try:
                return self.enum_cls(value)
            except ValueError:
                pass
        allowed = ", ".join(self.enum_cls.values())
        name = self.enum_cls.__name__
        raise ValueError(f"{value!r} is not a {name} (expected one of: {allowed})")

    def process_bind_param(self, value: object, dialect: Dialect) -> str | None:
        # Plain str on the way out (also for literal SQL, which reuses this): drivers see no enum.
        return None if value is None else self._member(value).value

    def process_result_value(self, value: object, dialect: Dialect) -> E | None:
        return None if value is None else self._member(value)

    @property
    def python_type(self) -> type[E]:
        return self.enum_cls


def enum_type(enum_cls: type[E]) -> EnumString[E]:
    """The column type for a StrEnum: typed `Mapped[TheEnum]`, stored as its string value.

    Columns declared `Mapped[str]` still work: a member is a str and compares equal to its value.
    """
    return EnumString(enum_cls)


def enum_check(column: str, enum_cls: type[StrEnum], name: str | None = None) -> CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in enum_cls.values())
    return CheckConstraint(f"{column} IN ({allowed})", name=name or f"{column}_valid")
