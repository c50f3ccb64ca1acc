"""The label words of every file format and output, in one place; importable without scikit-learn."""

CONTENT, CHROME, BLANK = "content", "chrome", "blank"
#: Labels a line can be given by the model.
LABELS = (CONTENT, CHROME, BLANK)
#: "Not judged": a line of labelled data that is featurised as context but carries no weight in
#: training, thresholds or line metrics (snippet corpora, partial hand labels). Never predicted.
UNKNOWN = "unknown"
#: Labels a line of labelled data may carry.
DATA_LABELS = LABELS + (UNKNOWN,)
