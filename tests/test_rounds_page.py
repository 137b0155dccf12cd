"""The Round viability page without a browser (Streamlit's AppTest): a two-tier council's districts are areas to
plan, as its PCN localities are."""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest


def _hertfordshire_rounds_page():
    import streamlit as st

    from app_pages import rounds

    st.session_state.setdefault("council_slug", "hertfordshire")
    rounds.page()


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def test_a_district_of_a_two_tier_council_can_be_planned(all_councils):
    from analyses.demand import DemandAssumptions, area_share

    app = AppTest.from_function(_hertfordshire_rounds_page, default_timeout=240).run()
    assert not app.exception and not app.error
    area = app.selectbox(key="rv_area_hertfordshire")
    # The page opens on the most rural of the localities of a typical size: Ware and Rurals, not the first in
    # the list (Abbey Health, 20 clients of a typical 100) nor St Albans' Alban Healthcare (no rural areas).
    assert area.options[1] == "Abbey Health PCN" and area.value == "Ware and Rurals PCN"
    assert "District: Dacorum" in area.options and "District: Watford" in area.options
    area.set_value("District: Watford").run()
    assert not app.exception and not app.error
    data = all_councils["hertfordshire"]
    share = area_share(data, None, DemandAssumptions(), district="Watford")
    # Watford's documented 2,845 hours a week of the rows' 39,518 (Table 10): its share of the council's clients.
    assert share == pytest.approx(2_845 / 39_518, abs=1e-12)
    count = app.number_input(key="rv_count_hertfordshire_District: Watford").value
    assert count == round(data.council.home_care_clients * share)
    assert any("SYNTHETIC clients placed" in caption.value for caption in app.caption)


def _herefordshire_rounds_page():
    import streamlit as st

    from app_pages import rounds

    st.session_state.setdefault("council_slug", "herefordshire")
    rounds.page()


def test_pay_follows_the_fee_until_the_user_types_their_own():
    app = AppTest.from_function(_herefordshire_rounds_page, default_timeout=240).run()
    assert not app.exception and not app.error
    pay = app.number_input(key="rv_pay_herefordshire")
    assert pay.value == 8.21  # the legal minimum of the 2019/20 fee's year
    assert any("Legal minimum: £8.21 (National Living Wage from April 2019" in c.value for c in app.caption)
    app.radio(key="rv_fee_herefordshire").set_value("current").run()
    assert app.number_input(key="rv_pay_herefordshire").value == 10.42  # the fee is paid from April 2023
    app.radio(key="rv_pay_basis").set_value("real").run()
    assert app.number_input(key="rv_pay_herefordshire").value == 10.90  # the real Living Wage from May 2023
    app.radio(key="rv_pay_basis").set_value("minimum").run()
    app.number_input(key="rv_pay_herefordshire").set_value(9.5).run()
    # A typed pay below the fee year's minimum is used, and flagged beside the box.
    assert [error.value for error in app.error] == [
        "Below the legal minimum, £10.42 from April 2023 (the fee's year): used only because you typed it."]
    app.radio(key="rv_fee_herefordshire").set_value("base").run()
    assert not app.exception and app.number_input(key="rv_pay_herefordshire").value == 9.5  # a typed pay is kept
    assert not app.error  # above April 2019's £8.21


def test_a_fee_paid_from_this_year_is_judged_at_this_years_minimum():
    app = AppTest.from_function(_herefordshire_rounds_page, default_timeout=240).run()
    year = app.number_input(key="rv_fee_year_herefordshire")
    assert year.value == 2019 and app.number_input(key="rv_pay_herefordshire").value == 8.21
    assert any("the legal minimum now is £12.71 (National Living Wage from April 2026)" in c.value for c in app.caption)
    year.set_value(2026.0).run()
    assert not app.exception and not app.error
    # Pay follows the year typed (it was not typed itself), and the page no longer says the money is 2019's.
    assert app.number_input(key="rv_pay_herefordshire").value == 12.71
    assert any("paid from 2026" in c.value for c in app.caption)
    assert not any("the legal minimum now is" in c.value for c in app.caption)


@pytest.mark.slow
def test_paying_waiting_time_keeps_the_plan_and_changes_only_its_money():
    app = AppTest.from_function(_herefordshire_rounds_page, default_timeout=240).run()
    area = app.selectbox(key="rv_area_herefordshire").value
    app.number_input(key=f"rv_count_herefordshire_{area}").set_value(6).run()
    app.select_slider(key="rv_iterations").set_value(300).run()
    app.button(key="rv_build").click().run()
    assert not app.exception and not app.error
    plan = app.session_state["rv_plan"]["plan"]
    before = next(m.value for m in app.markdown if m.value.startswith("**Verdict:**"))
    margin = next(m.value for m in app.metric if m.label == "Margin a week")
    app.checkbox(key="rv_waiting").check().run()
    assert not app.exception and not app.error
    assert app.session_state["rv_plan"]["plan"] is plan  # the same rounds, re-judged: not planned again
    assert not any("Press the button" in info.value for info in app.info)
    assert any(m.value.startswith("**Verdict:**") for m in app.markdown) and before
    waiting = float(plan.rounds["idle_hours"].sum())
    if waiting > 0:  # paid waiting can only cost more
        assert next(m.value for m in app.metric if m.label == "Margin a week") != margin
