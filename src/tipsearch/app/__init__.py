"""The Streamlit app: one module per page (search_page, timeline_page, reader_page, library_page, pack_page),
the sidebar filters, the state the pages share, display (document text shown as text) and uploads.
app.py at the repository root routes between the pages; nothing is imported here, so that importing
`tipsearch.app.uploads` does not start Streamlit."""
