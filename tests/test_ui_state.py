"""The app's shared state: a page reads another page's choices through ui.state, never by its widget keys."""

from streamlit.testing.v1 import AppTest


def _rounds_reading_the_fee_zone_choices():
    import streamlit as st

    from geo.council import load_council
    from ui import state

    council = load_council("rutland")
    st.write(repr(state.fee_zone_choice(council, {"Oakham", "Uppingham"})))
    st.session_state[state.fee_zone_key("radius", council)] = 6.0  # as the fee-zone page's widgets leave them
    st.session_state[state.fee_zone_key("centres", council)] = ["Oakham", "Nowhere"]
    st.session_state[state.fee_zone_key("cost_reading", council)] = "road"
    st.write(repr(state.fee_zone_choice(council, {"Oakham", "Uppingham"})))


def test_a_page_starts_from_the_fee_zone_pages_choices():
    app = AppTest.from_function(_rounds_reading_the_fee_zone_choices).run()
    assert not app.exception
    before, after = (element.value for element in app.markdown)
    assert before == ("FeeZoneChoice(centres=('Oakham', 'Uppingham'), radius_miles=4.0, measure_from='point', "
                      "reading='straight')")
    assert after == "FeeZoneChoice(centres=('Oakham',), radius_miles=6.0, measure_from='point', reading='road')"
