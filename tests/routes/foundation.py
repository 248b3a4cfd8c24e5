"""Matrix entries of the foundation: accounts, dashboard, notifications, admin."""
from tests.routes import CHANGED, EVERYONE, Route, expect

ROUTES = [
    Route("main.healthz", "/healthz", expect(EVERYONE, anon=200)),
    Route("accounts.login", "/login", expect(EVERYONE, ok=302, anon=200)),
    Route("accounts.logout", "/logout", expect(EVERYONE, anon=302)),
    Route("accounts.set_language", "/language", expect(EVERYONE, ok=302, anon=302),
          method="POST", data={"locale": "en", "next": "/"}),
    Route("accounts.profile", "/account", expect(EVERYONE)),
    Route("main.dashboard", "/", expect(EVERYONE)),
    Route("notifications.index", "/notifications/", expect(EVERYONE)),
    Route("notifications.mark_read", "/notifications/read", expect(EVERYONE, ok=302),
          method="POST", data={}),
    Route("notifications.open_note", lambda w: f"/notifications/{w.note.id}/open",
          expect({"dealer_sales"}, ok=302, denied=404), method="POST", data={}),
    Route("accounts.team", "/team/", expect({"dealer_admin", "other_dealer"})),
    Route("accounts.team_user", "/team/new", expect({"dealer_admin", "other_dealer"})),
    Route("accounts.team_user", lambda w: f"/team/{w.dealer_sales.id}",
          expect({"dealer_admin"}, other_dealer=404)),
    Route("accounts.team_user", lambda w: f"/team/{w.dealer_sales.id}",
          expect({"dealer_admin"}, ok=CHANGED, other_dealer=404), method="POST",
          data=lambda w: {"name": "Renamed", "role": "dealer_sales", "locale": "en",
                          "email": "a.sales@test.example", "active": "y"}),
    Route("admin.index", "/admin/", expect({"admin", "sales_director", "finance"})),
    Route("admin.dealers", "/admin/dealers/", expect({"admin"})),
    Route("admin.dealer", "/admin/dealers/new", expect({"admin"})),
    Route("admin.dealer", lambda w: f"/admin/dealers/{w.dealer_a.id}", expect({"admin"})),
    Route("admin.dealer_status", lambda w: f"/admin/dealers/{w.dealer_b.id}/status",
          expect({"admin"}, ok=302), method="POST", data={"status": "active"}),
    Route("admin.users", "/admin/users/", expect({"admin"})),
    Route("admin.user", "/admin/users/new", expect({"admin"})),
    Route("admin.user", lambda w: f"/admin/users/{w.dealer_sales.id}", expect({"admin"})),
    Route("admin.audit", "/admin/audit/", expect({"admin", "sales_director", "finance"})),
    Route("admin.settings", "/admin/settings", expect({"admin"})),
]


def build(world) -> None:
    """A notification of dealer A's salesperson: only its owner may open it."""
    from portal.notifications.services import notify

    world.note = notify([world.dealer_sales], "decision_made", "Saved.", "/")[0]
