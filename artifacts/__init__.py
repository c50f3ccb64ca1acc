"""The bundled linesift model (``linesift.joblib`` and its metadata ``linesift.json``)."""
