"""Presentation helpers: folium map builders (no Streamlit) and the app's shared Streamlit widgets."""
