"""Front ends besides the Streamlit app: the command line (``cli``) and the workshop scenarios."""
