"""Small inline SVG charts drawn at build time: per-thread sentiment and heat.

Only numbers and escaped text go into the markup; every row carries a text label and a
<title>, so the chart reads without colour and with a screen reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import escape

ROW = 18
LABEL_W = 150
BAR_W = 150
GAP = 14
VALUE_W = 40
SENTIMENT_COLOURS = (("negative", "#c2410c"), ("neutral", "#cbd5e1"), ("positive", "#15803d"))


def _f(x: float) -> str:
    return f"{x:.1f}"


def thread_label(thread: dict[str, Any]) -> str:
    tid = str(thread["thread_id"])
    short = "#" + tid.rsplit("#", 1)[-1] if "#" in tid else tid
    author = (thread.get("root") or {}).get("author") or "anonymous"
    if len(author) > 14:
        author = author[:13] + "…"
    # FSI ... PDI: a right-to-left or override character in the name stays inside it
    return f"{short} \u2068{author}\u2069 ({thread['n_comments']})"


def heat_colour(heat: float, threshold: float | None) -> str:
    if threshold is not None and heat >= threshold:
        return "#b91c1c"
    if heat >= 0.3 or (threshold is not None and heat >= threshold / 2):
        return "#d97706"
    return "#64748b"


def thread_chart(threads: Sequence[dict[str, Any]]) -> str:
    """One row per thread: label, stacked sentiment bar (mean distribution), heat bar with value."""
    x_sent = LABEL_W
    x_heat = LABEL_W + BAR_W + GAP
    width = x_heat + BAR_W + VALUE_W
    height = ROW * (len(threads) + 1) + 4
    attribute = next((t["attribute"] for t in threads if t.get("attribute")), "hostility")
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        "<title>Sentiment (mean share negative / neutral / positive) and heat "
        "(highest score of the heat attribute) per thread</title>",
        f'<text class="axis" x="{x_sent}" y="11">sentiment: neg · neu · pos</text>',
        f'<text class="axis" x="{x_heat}" y="11">heat (highest {escape(attribute)} score)</text>',
    ]
    for i, t in enumerate(threads):
        y = ROW * (i + 1) + 2
        label = thread_label(t)
        tip = [label]
        row = [
            f'<g class="trow" data-thread="{escape(t["thread_id"])}" tabindex="0">',
            f'<text class="lbl" x="0" y="{y + 11}">{escape(label)}</text>',
        ]
        sentiment = t.get("sentiment")
        if sentiment:
            x = float(x_sent)
            total = sum(sentiment.get(k, 0.0) for k, _ in SENTIMENT_COLOURS) or 1.0
            for key, colour in SENTIMENT_COLOURS:
                w = BAR_W * sentiment.get(key, 0.0) / total
                if w > 0:
                    row.append(f'<rect x="{_f(x)}" y="{y + 2}" width="{_f(w)}" height="{ROW - 6}" fill="{colour}"/>')
                x += w
            tip.append("sentiment " + ", ".join(f"{k} {sentiment.get(k, 0.0):.2f}" for k, _ in SENTIMENT_COLOURS))
        else:
            row.append(f'<text class="na" x="{x_sent}" y="{y + 11}">no sentiment</text>')
        heat = t.get("heat")
        if heat is not None:
            threshold = t.get("threshold")
            w = BAR_W * max(0.0, min(1.0, heat))
            row.append(f'<rect x="{x_heat}" y="{y + 2}" width="{BAR_W}" height="{ROW - 6}" fill="#f1f5f9"/>')
            row.append(
                f'<rect x="{x_heat}" y="{y + 2}" width="{_f(w)}" height="{ROW - 6}" '
                f'fill="{heat_colour(heat, threshold)}"/>'
            )
            if threshold is not None:
                tx = x_heat + BAR_W * max(0.0, min(1.0, threshold))
                row.append(f'<line x1="{_f(tx)}" x2="{_f(tx)}" y1="{y}" y2="{y + ROW - 2}" class="thr"/>')
            flag = " ⚑" if t.get("n_flagged") else ""
            row.append(f'<text class="val" x="{x_heat + BAR_W + 4}" y="{y + 11}">{heat:.2f}{flag}</text>')
            over = f" of {threshold:.2f}" if threshold is not None else ""
            tip.append(f"heat {heat:.2f}, {t.get('n_flagged', 0)} flagged; {t.get('attribute')} threshold{over}")
        else:
            row.append(f'<text class="na" x="{x_heat}" y="{y + 11}">no scores</text>')
        row.insert(1, f"<title>{escape('; '.join(tip))}</title>")
        row.append("</g>")
        parts.extend(row)
    parts.append("</svg>")
    return "".join(parts)
