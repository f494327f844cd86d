import json

import pytest

from inventory.storage import Store, UnknownItem, reorder_plan


def make_store(rows=[("BOLT-00042", "hex bolt", 40), ("NUT-00007", "wing nut", 0)]):
    store = Store()
    for sku, name, quantity in rows:
        store.add(sku, name, quantity)
    return store


def test_get_returns_the_item():
    assert make_store().get("BOLT-00042").quantity == 40


def test_unknown_sku_raises():
    with pytest.raises(UnknownItem):
        make_store().get("WASHER-00001")


def test_save_then_load_round_trips(tmp_path):
    path = tmp_path / "stock.json"
    make_store().save(path)
    assert [item.sku for item in Store.load(path).items()] == ["BOLT-00042", "NUT-00007"]


def test_load_treats_bad_quantities_as_zero(tmp_path):
    path = tmp_path / "stock.json"
    rows = [{"sku": "NUT-00001", "name": "nut", "quantity": "lots"}]
    path.write_text(json.dumps(rows), encoding="utf-8")
    assert Store.load(path).get("NUT-00001").quantity == 0


def test_reorder_plan_tops_up_to_minimum():
    plan, _ = reorder_plan(make_store(), minimum=10)
    assert plan == {"NUT-00007": 10}
