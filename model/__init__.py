"""linesift.model: everything prediction needs; never imports linesift.training."""
