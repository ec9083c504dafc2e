"""The shells: use cases shared by the command line and the Streamlit page."""
