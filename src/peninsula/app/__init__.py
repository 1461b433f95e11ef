"""The dashboard (``peninsula dashboard``): a Streamlit face over the public API.

Nothing in the package imports this layer; ``state.py`` holds its pure helpers.
"""
