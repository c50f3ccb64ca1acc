"""linesift.training: data reading, training, evaluation and the linesift CLI (never needed to predict)."""
