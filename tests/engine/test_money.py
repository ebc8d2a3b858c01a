"""engine/money.py: the budget, what a plan costs, admission and the retakes' allowance, as one object (Purse)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from filmcrew.engine import money


class FakeJournal:
    def __init__(self, paid_keys=(), spent=None):
        self.keys, self._spent = set(paid_keys), dict(spent or {})

    def paid(self, key):
        return key in self.keys

    def spent(self):
        return dict(self._spent)


def item(key, amount, role="animator", currency="CNY"):
    est = {"amount": amount, "currency": currency}
    return SimpleNamespace(task=SimpleNamespace(key=key, role=role, estimate=lambda: est))


def test_costs_skip_resumed_jobs_and_keep_retakes_apart():
    c = money.costs(FakeJournal({"a"}, {"CNY": 2.0}), [item("a", 5), item("b", 3), item("c", 1, "consistency")])
    assert c.resumed == 1 and c.to_pay == {"CNY": 3} and c.retakes == {"CNY": 1} and c.paid == {"CNY": 2.0}


def test_a_purse_refuses_a_make_over_budget_and_its_retakes_draw_on_what_is_left():
    purse = money.Purse(money.Budget(10.0, "CNY"), FakeJournal(spent={"CNY": 4.0}))
    with pytest.raises(money.BudgetError, match="Nothing was sent"):
        purse.admit([item("b", 7)])
    c = purse.admit([item("b", 5)])
    assert c.to_pay == {"CNY": 5}
    assert purse.allowance.left() == pytest.approx(1.0)  # 10 - 4 paid - 5 first takes
    assert purse.allowance.reserve({"amount": 1.0, "currency": "CNY"})
    assert not purse.allowance.reserve({"amount": 0.5, "currency": "CNY"})


def test_a_purse_never_admitted_allows_retakes_only_within_what_is_left_of_the_budget():
    purse = money.Purse(money.Budget(5.0, "CNY"), FakeJournal(spent={"CNY": 4.5}))
    assert purse.allowance.left() == pytest.approx(0.5)
    assert money.Purse(money.Budget(None, "USD"), FakeJournal()).allowance.reserve({"amount": 99, "currency": "USD"})


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1.0])
def test_a_budget_that_is_not_a_finite_amount_is_refused(value):
    with pytest.raises(Exception, match="make --budget.*finite amount"):
        money.Budget.of(SimpleNamespace(currency="CNY", budget=None), value)
