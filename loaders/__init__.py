"""Turns the ANDTS source documents into RDF graphs plus findings."""
