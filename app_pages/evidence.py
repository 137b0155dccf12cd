"""Evidence page: each council's documented figures beside what the tool recomputes from the bundled data."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analyses import evidence, exports
from geo.council import list_councils
from layers import catalog
from ui import council_setup, state, widgets


def page() -> None:
    """Render the Evidence page."""
    current = state.current_council()
    st.title("Evidence: the documents' figures and the tool's")
    st.caption("Every figure the tool takes from a council's documents, with the document, place and year, beside "
               "what the tool recomputes from its own data where it can (population, rural shares, PCN localities, "
               "hours by district; homes and beds from CQC's care homes shipped with the tool, or from the file "
               "loaded on the Care-home coverage page in their place). "
               "Figures marked 'assumption' are not in the council's documents: they are the tool's placeholders, "
               "each saying why.")
    councils = sorted(list_councils(), key=lambda council: council.slug != current.slug)
    for tab, council in zip(st.tabs([council.name for council in councils]), councils):
        with tab:
            data = state.council_data(council.slug)
            loaded = st.session_state.get(state.LOADED_HOMES_KEY.format(slug=council.slug))
            table = evidence.evidence_table(data, homes=None if loaded is None else loaded.homes,
                                            homes_source="" if loaded is None else loaded.source)
            documented = int((table["Kind"] == "documented").sum())
            own = int((table["Kind"] == evidence.TOOL_KIND).sum())
            if council.bundled:
                st.write(f"**{council.name}**: {documented} documented figures, {len(table) - documented} assumptions.")
            else:
                st.write(f"**{council.name}**: {evidence.NO_DOCUMENT} (set up from the national data). The tool's own "
                         f"{own} figures, then {len(table) - own} labelled national defaults and assumptions.")
            st.dataframe(table, hide_index=True, width="stretch", column_config={
                "Source": st.column_config.TextColumn(width="large"),
                "How the tool gets it": st.column_config.TextColumn(width="medium")})
            with st.expander("Every source in full"):  # a table cell cuts a long citation short
                st.markdown("\n".join(f"- **{widgets.plain(row.Figure)}**: {widgets.plain(row.Source)}"
                                       for row in table[["Figure", "Source"]].itertuples()))
            widgets.download_row(f"evidence_{council.slug}", {
                "CSV": lambda table=table, council=council: exports.csv_bytes(
                    table, [f"Evidence for {council.name}: documented figures beside the tool's own",
                            f"Data vintages: {catalog.vintage_summary(council)}"]),
            })
            _data_dates(council)


def _data_dates(council) -> None:
    """Each layer's date, and for a council set up from the national data, "bring up to date"."""
    st.subheader("Data and their dates")
    # A static table: the dates are long texts that must wrap, not be cut short.
    rows = [(layer, date.replace("_", "_\u200b")) for layer, date in catalog.vintage_rows(council)]  # long names wrap
    st.table(pd.DataFrame(rows, columns=["Layer", "Date of the data"]).set_index("Layer"))
    if council.bundled:
        st.caption(f"{council.name}'s layers are bundled with the tool and go with its {council.whose_figures}: they are "
                   f"kept as they are. Councils set up from the national data can be brought up to date from the "
                   f"publishers (here, on their own tab, or under 'Set up another council').")
        return
    st.caption("Bring this council up to date: the national data are refreshed from the publishers (or from their "
               "files), then its layers are cut again and each layer's date recorded.")
    council_setup.up_to_date_control(council, key=f"uptodate_{council.slug}")
