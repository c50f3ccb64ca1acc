"""Runtime input and output: reading pages, JSONL records and folders, writing predictions.

Shared by the CLI and any engine adapter; depends on ``linesift.model`` only.
"""
