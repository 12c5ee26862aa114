"""Readers: one module per input format, all producing `moderation.schema.Article`.

Never imports torch or the scorers.
"""
