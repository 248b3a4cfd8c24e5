"""factory_boy factories and the standard `world` used by many tests."""
from __future__ import annotations

from types import SimpleNamespace

import factory
from sqlalchemy import select

from portal.accounts.auth import hash_password
from portal.accounts.models import Dealer, Region, User
from portal.core.permissions import Role
from portal.extensions import db

PASSWORD = "test-password-1"
_HASH = hash_password(PASSWORD)


def region(code: str) -> Region:
    return db.session.scalar(select(Region).where(Region.code == code))


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class DealerFactory(Base):
    class Meta:
        model = Dealer

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"测试经销商{n}有限公司")
    tier = "gold"
    region_id = factory.LazyFunction(lambda: region("north").id)
    city = "北京"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@test.example")
    name = factory.Sequence(lambda n: f"User {n}")
    role = Role.DEALER_SALES
    password_hash = _HASH
    locale = "en"

    @factory.post_generation
    def regions(obj, create, extracted, **kwargs):
        if extracted:
            obj.regions = list(extracted)


def build_world() -> SimpleNamespace:
    """Dealer A (north, platinum) and dealer B (east, gold); one user per role.

    `other_region_cm` manages the east: dealer A's objects are outside its regions.
    """
    north, east = region("north"), region("east")
    dealer_a = DealerFactory(code="DA001", name="北京甲方科技有限公司", tier="platinum",
                             region_id=north.id)
    dealer_b = DealerFactory(code="DB002", name="上海乙方信息有限公司", tier="gold",
                             region_id=east.id, city="上海")
    w = SimpleNamespace(north=north, east=east, dealer_a=dealer_a, dealer_b=dealer_b)
    w.users = {
        "dealer_admin": UserFactory(role=Role.DEALER_ADMIN, dealer_id=dealer_a.id,
                                    email="a.admin@test.example"),
        "dealer_sales": UserFactory(role=Role.DEALER_SALES, dealer_id=dealer_a.id,
                                    email="a.sales@test.example"),
        "other_dealer": UserFactory(role=Role.DEALER_ADMIN, dealer_id=dealer_b.id,
                                    email="b.admin@test.example"),
        "other_dealer_sales": UserFactory(role=Role.DEALER_SALES, dealer_id=dealer_b.id,
                                          email="b.sales@test.example"),
        "sales_rep": UserFactory(role=Role.SALES_REP, regions=[north], email="rep@test.example"),
        "channel_manager": UserFactory(role=Role.CHANNEL_MANAGER, regions=[north],
                                       email="cm@test.example"),
        "other_region_cm": UserFactory(role=Role.CHANNEL_MANAGER, regions=[east],
                                       email="cm.east@test.example"),
        "sales_director": UserFactory(role=Role.SALES_DIRECTOR, email="director@test.example"),
        "finance": UserFactory(role=Role.FINANCE, email="finance@test.example"),
        "admin": UserFactory(role=Role.ADMIN, email="admin@test.example"),
    }
    for key, user in w.users.items():
        setattr(w, key, user)
    db.session.flush()
    from tests.routes import build_domain_objects

    build_domain_objects(w)
    db.session.flush()
    return w
