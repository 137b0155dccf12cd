"""Evidence page: each council's documented figures beside what the tool recomputes from the bundled data."""

from __future__ import annotations

import streamlit as st

from analyses import evidence, exports
from geo.council import list_councils
from ui import state, widgets


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
                    table, [f"Evidence for {council.name}: documented figures beside the tool's own"]),
            })
