"""Readers: one module per input format, all producing `moderation.model.Article`.

Never imports torch or the scorers.
"""
