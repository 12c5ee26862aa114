"""Training the default preset's heads: `python -m moderation.training --help`.

Reads the labelled sets under the shared data folder through `datasets` (local files only),
embeds them once with the packaged MiniLM (cached under /tmp), fits small logistic heads with
fixed seeds and writes them with a model card into `models/<name>/`.
"""
