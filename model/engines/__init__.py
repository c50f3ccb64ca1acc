"""Adapters that run linesift inside data engines (datatrove, Ray Data); each needs its extra."""
