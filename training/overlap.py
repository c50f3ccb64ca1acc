"""Which evaluation pages a model was trained on: a Bloom filter of its training pages' text,
saved in the model's metadata, so that `evaluate` can warn that figures on those pages are not a
test on unseen pages."""

from __future__ import annotations

import base64
import hashlib
import math
from typing import Iterable, Sequence

import numpy as np

from .data import LabelledPage

#: The filter says "trained on it" wrongly for about this share of unseen pages (probability).
FALSE_POSITIVE_RATE = 0.001
#: The smallest filter (bits): a tiny training set would otherwise get a filter of a few bytes.
MIN_BITS = 1024


def text_digest(lines: Sequence[str]) -> bytes:
    """SHA-256 of a page's text (its lines, labels ignored): the same page however it is labelled."""
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).digest()


def _positions(digest: bytes, bits: int, hashes: int) -> list[int]:
    """Bit positions of one digest: ``hashes`` independent salted BLAKE2b hashes of it."""
    return [int.from_bytes(hashlib.blake2b(digest, digest_size=8, salt=i.to_bytes(16, "little")).digest(), "little") % bits
            for i in range(hashes)]


def page_filter(pages: Iterable[LabelledPage]) -> dict:
    """The Bloom filter of the pages' texts, as JSON-ready metadata (about 1.8 bytes per page)."""
    digests = [text_digest(p.lines) for p in pages]
    n = max(len(digests), 1)
    bits = max(MIN_BITS, math.ceil(-n * math.log(FALSE_POSITIVE_RATE) / math.log(2) ** 2))
    hashes = max(1, round(bits / n * math.log(2)))
    array = np.zeros(bits, dtype=bool)
    for d in digests:
        array[_positions(d, bits, hashes)] = True
    return {"kind": "bloom-sha256-text", "bits": bits, "hashes": hashes,
            "data": base64.b64encode(np.packbits(array, bitorder="little").tobytes()).decode("ascii")}


def trained_on(filter_meta: dict | None, pages: Sequence[LabelledPage]) -> list[bool]:
    """For each page, whether the filter says the model was trained on its text (all False when
    the model has no filter or a damaged one)."""
    try:
        if filter_meta.get("kind") != "bloom-sha256-text":
            raise ValueError(filter_meta.get("kind"))
        bits, hashes = int(filter_meta["bits"]), int(filter_meta["hashes"])
        array = np.unpackbits(np.frombuffer(base64.b64decode(filter_meta["data"], validate=True), dtype=np.uint8),
                              bitorder="little")
        if bits < 1 or hashes < 1 or len(array) < bits:
            raise ValueError("filter shorter than its bit count")
    except (AttributeError, KeyError, TypeError, ValueError):  # absent or damaged: say nothing rather than guess
        return [False] * len(pages)
    return [bool(array[_positions(text_digest(p.lines), bits, hashes)].all()) for p in pages]
