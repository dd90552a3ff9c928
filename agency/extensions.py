"""Flask extensions, created unbound so the app factory and tests can bind them."""

from typing import TYPE_CHECKING, Any

from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic autogenerate and SQLite batch migrations agree.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Primary keys are 32-bit integers; an id read from a URL or a form can be any number.
ID_RANGE = range(-(2**31), 2**31)


class Session(FlaskSession):
    """The app's session: `get` of an integer id no row can have answers None, like any other
    missing row (a 404 in the views), instead of an overflow error from the database driver."""

    def get(self, entity: Any, ident: Any, **kw: Any) -> Any:
        if isinstance(ident, int) and not isinstance(ident, bool) and ident not in ID_RANGE:
            return None
        return super().get(entity, ident, **kw)


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})

# The base of every model. Flask-SQLAlchemy builds db.Model at run time, out of mypy's sight;
# to the type checker a model is the declarative Base it extends.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# Rendered template fragments, per process (see templates/public/_macros.html, job_card).
fragment_cache = Cache()
