"""The judge with the site's layer on top: each judgement gains the site's own probability that
its moderators reject the reply (``attributes["site_reject"]``) and names the layer
(``model["site_layer"]``). Without a layer switched on it answers exactly as the judge does."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from steelman.judge.result import Judgement
from steelman.site.features import SITE_ATTRIBUTE
from steelman.site.registry import SiteLayers

__all__ = ["SiteJudge"]


class SiteJudge:
    """Wraps a judge (anything with ``info`` and ``judge_batch``; ``pooled`` for layers that read
    encodings) and the site's :class:`SiteLayers`. Other attributes are the wrapped judge's."""

    def __init__(self, judge: Any, layers: SiteLayers) -> None:
        self.inner = judge
        self.layers = layers

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @property
    def info(self) -> dict[str, str]:
        info = dict(self.inner.info)
        layer = self.layers.active()
        if layer is not None:
            info["site_layer"] = layer.name
        return info

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        results: list[Judgement] = self.inner.judge_batch(texts, parents)
        layer = self.layers.active()
        if layer is None or not results:
            return results
        pooled = self.inner.pooled(texts) if layer.pooled_dim else None
        probs = layer.predict_proba([r.to_dict() for r in results], pooled)
        model = {**results[0].model, "site_layer": layer.name}
        return [
            replace(
                r,
                attributes={**r.attributes, SITE_ATTRIBUTE: round(float(p), 4)},
                model=dict(model),
            )
            for r, p in zip(results, np.asarray(probs), strict=True)
        ]
