"""Tiny random BERT checkpoints for tests (a folder as `save_pretrained` writes it)."""

from __future__ import annotations

from pathlib import Path

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", ":", "?", "!"]


def tiny_bert(
    folder: Path,
    words: list[str],
    architecture: str = "BertModel",
    labels: list[str] | None = None,
    seed: int = 0,
    jitter: float = 0.0,
    **config_options: object,
) -> Path:
    """A BERT of `architecture` (a transformers class name) over a vocabulary of `words`, with
    `labels` for a classifier; `jitter` adds that much noise to every weight after initialising
    (so that every tensor matters); `config_options` override the small defaults."""
    import torch
    import transformers
    from transformers import BertConfig, BertTokenizerFast

    folder.mkdir()
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join([*SPECIAL, *words]) + "\n")
    options: dict[str, object] = {
        "hidden_size": 16,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "intermediate_size": 32,
        "max_position_embeddings": 64,
    }
    if labels is not None:
        options |= {"id2label": dict(enumerate(labels)), "label2id": {lab: i for i, lab in enumerate(labels)}}
    config = BertConfig(vocab_size=len(SPECIAL) + len(words), **(options | config_options))
    torch.manual_seed(seed)
    model = getattr(transformers, architecture)(config)
    if jitter:
        with torch.no_grad():
            for param in model.parameters():
                param.add_(torch.randn_like(param) * jitter)
    model.save_pretrained(folder)
    BertTokenizerFast(vocab_file=str(vocab), do_lower_case=True).save_pretrained(folder)
    return folder
