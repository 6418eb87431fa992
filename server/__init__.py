"""HTTP server over the ANDTS store: SPARQL endpoint, linked-data pages."""
