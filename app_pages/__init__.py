"""Streamlit pages: thin views over the computation packages."""
