"""Helpers shared by the tests (imported as `support.…`; pytest puts tests/ on the path, see pyproject.toml's
`pythonpath`). conftest.py files hold fixtures only; what a test module imports lives here:

* polling.py: `wait_until`, waiting for a state with a deadline instead of sleeping for a guessed time;
* stores.py: `make_store` (a published build of a TriG file, as `andts build` publishes one) and the
  server tests' fixture data;
* servers.py: `LiveServer` (uvicorn in a thread), `OxigraphServer` (Oxigraph's server as a remote store),
  `free_port`;
* chromium.py: headless Chromium, by `--dump-dom` or a small DevTools Protocol client;
* processes.py: killing a worker process from outside and waiting until it is dead;
* known_defects.py: the file with known SHACL defects and exactly what validating it reports;
* sources.py: `assert_source_error`, what a loader must say of a malformed document.
"""
