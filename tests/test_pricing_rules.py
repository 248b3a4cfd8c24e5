"""The approval matrix is data: admins edit it, and routing follows the edited rows."""
from __future__ import annotations

from portal.pricing import workflow
from tests.routes.pricing import request_exception


def rows(*rules):
    data = {}
    for i, (level, depth, value, approvers, days) in enumerate(rules):
        data.update({f"level-{i}": level, f"depth-{i}": depth, f"value-{i}": value,
                     f"days-{i}": days})
        for k, role in enumerate(approvers):
            data[f"approver-{i}-{k}"] = role
    return data


def test_default_matrix_is_seeded_by_the_migration(client, login_as, world):
    assert [(r.level, r.depth_above_bp, r.value_from_fen, r.approvers, r.target_business_days)
            for r in workflow.rules()] == [
        (1, -1, None, ["channel_manager"], 1),
        (2, 500, 50_000_000, ["channel_manager", "sales_director"], 2),
        (3, 1000, None, ["channel_manager", "sales_director", "finance"], 3)]
    login_as(world.admin)
    page = client.get("/admin/approval-matrix").get_data(as_text=True)
    assert 'name="depth-1" value="5"' in page and 'name="value-1" value="500000.00"' in page


def test_admin_edits_the_matrix_and_routing_follows(client, login_as, world, db):
    login_as(world.admin)
    bad = rows(("1", "", "", ["channel_manager"], "1"), ("1", "x", "", [], "0"))
    r = client.post("/admin/approval-matrix", data=bad)
    assert r.status_code == 422 and len(workflow.rules()) == 3
    good = rows(("1", "", "", ["channel_manager"], "1"),
                ("2", "2", "", ["channel_manager", "finance"], "2"))
    assert client.post("/admin/approval-matrix", data=good).status_code == 302
    assert [r.approvers for r in workflow.rules()] == [["channel_manager"],
                                                       ["channel_manager", "finance"]]
    exc = request_exception(world.dealer_sales, world.pdeal, [("P-SRV-1", 1, "7200")])  # 3 pp
    assert [s.role for s in exc.steps] == ["channel_manager", "finance"]
    # below the floor the director is added after the channel manager
    exc = request_exception(world.dealer_sales, world.pdeal, [("P-SRV-1", 1, "5900")])
    assert [s.role for s in exc.steps] == ["channel_manager", "sales_director", "finance"]
