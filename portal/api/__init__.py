"""The integration API (DESIGN §3.10): personal API tokens and the JSON endpoints under `/api/v1/`."""
