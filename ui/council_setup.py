"""Setting councils up and bringing data up to date from the app: the sidebar's "Set up another council" (any of
England's social-care councils, from the national data) and "Bring up to date" (from the publishers, the cache or a
folder), for the national data or one council."""

from __future__ import annotations

import streamlit as st

from geo.council import Council
from geo.errors import CareMapError
from ui.widgets import plain

PENDING_COUNCIL_KEY = "council_slug_pending"
"""Session key of a council just set up, opened on the next run (a widget's own key cannot change once it is drawn)."""


def national_data() -> None:
    """The date of the national data councils are set up from, source by source, and "bring up to date"."""
    from layers.catalog import date_in
    from layers.refresh import source_dates

    st.markdown("**The national data and their dates**")
    st.markdown("\n".join(f"- {plain(title[:1].upper() + title[1:])}: "
                           f"{plain(', '.join(dict.fromkeys(date_in(vintage) for vintage in vintages)))} "
                           f"({'refreshed' if refreshed else 'shipped'})"
                           for _, title, vintages, refreshed in source_dates()))
    st.caption("Each council's Evidence page gives the full date of every layer it was cut from.")
    up_to_date_control(None, key="national")


UP_TO_DATE_DONE = "up_to_date_done_{key}"
"""Session key of what the last "bring up to date" did (shown after the rerun that shows its new data)."""
FROM_CHOICES = {"online": "the publishers (internet)", "offline": "the downloads already in the cache (offline)",
                "folder": "a folder of files downloaded by hand"}


def up_to_date_control(council: Council | None, *, key: str) -> None:
    """Bring a council (or, with None, the national data and every council set up from them) up to date: from the
    publishers online, from the downloads already cached, or from a folder of files downloaded by hand, with a
    progress bar; then what was refreshed, and a warning for each source that was not (how old what is kept is)."""
    done = st.session_state.pop(UP_TO_DATE_DONE.format(key=key), None)
    if done is not None:
        lines, warnings = done
        st.success("\n".join(f"- {plain(line)}" for line in lines))
        for warning in warnings:
            st.warning(plain(warning))
    where = st.radio("Bring up to date from", list(FROM_CHOICES), format_func=FROM_CHOICES.get, key=f"{key}_from",
                     help="The publishers: ONS, Nomis, OS, NHS ODS and CQC (a source that cannot be reached falls "
                          "back to its last download, saying how old). A folder: the publishers' files downloaded in "
                          "a browser elsewhere, recognised by their content whatever their names.")
    folder = st.text_input("Folder of the downloaded files", key=f"{key}_folder",
                           placeholder="/home/me/Downloads") if where == "folder" else None
    label = f"Bring {council.name} up to date" if council else "Bring the national data up to date"
    if not st.button(label, key=f"{key}_go", disabled=where == "folder" and not (folder or "").strip()):
        return
    from layers.setup import bring_up_to_date

    bar = st.progress(0.0, text="Starting…")
    try:
        result = bring_up_to_date(council.slug if council else None, offline=where == "offline",
                                  from_folder=(folder or "").strip() or None,
                                  progress=lambda fraction, message: bar.progress(min(1.0, fraction),
                                                                                  text=plain(message)))
    except CareMapError as error:  # offline, an unknown folder, a folder of nothing usable: said in one message
        bar.empty()
        st.error(plain(error))
        return
    lines = [outcome.line().splitlines()[0] for outcome in result.report.outcomes]
    lines += [f"{item.council.name}: {item.status}" for item in result.results]
    st.session_state[UP_TO_DATE_DONE.format(key=key)] = (lines, result.warnings())
    st.cache_data.clear()  # the councils cut again read their new layers
    st.rerun()


@st.cache_data(show_spinner=False)
def _social_care_councils():
    from layers.social_care import social_care_councils

    return social_care_councils()


def setup_another(ready: set[str]) -> None:
    """A searchable list of England's social-care councils not yet ready, and a button that sets the chosen one up
    from the national data with a progress bar, then opens it."""
    try:
        waiting = [c for c in _social_care_councils() if c.code not in ready and c.slug not in ready]
    except CareMapError as error:  # a missing or damaged national pack: the message names the file and the fix
        st.error(plain(error))
        return
    by_code = {c.code: c for c in waiting}
    choice = st.selectbox("Any English social-care council", list(by_code), index=None, key="setup_choice",
                          format_func=lambda code: f"{by_code[code].short_name} ({by_code[code].kind}, {code})",
                          placeholder=f"Type to search {len(by_code)} councils…",
                          help="Set up offline from the national data shipped with the tool (ONS, OS, NHS and CQC "
                               "open data): areas, people, postcodes, GP practices, PCN localities and care homes. "
                               "No council document is held, so every figure is a labelled default or assumption.")
    st.caption("Travel times are the labelled straight-line estimate until you prepare real roads (Road network, or "
               "python -m caremap roads).")
    if not st.button("Set up this council", disabled=choice is None, key="setup_go", type="primary"):
        return
    from layers.setup import setup_council

    bar = st.progress(0.0, text="Starting…")
    try:
        result = setup_council(choice, progress=lambda fraction, message: bar.progress(fraction, text=plain(message)))
    except CareMapError as error:
        st.error(plain(error))
        return
    st.session_state[PENDING_COUNCIL_KEY] = result.council.slug
    st.rerun()
