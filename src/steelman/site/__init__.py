"""Site layers: a site's own moderation decisions tune the judge to its norms.

A site layer sits on top of the bundled judge (its probabilities and pooled encodings; the
encoder is never retrained) and gives the probability that this site's moderators reject a
reply. ``steelman adapt`` fits one from the site's decisions and keeps it only when it beats the
bundled judge on held-out decisions; layers are switched on and rolled back as audited actions.

| module | what it holds |
|---|---|
| ``decisions`` | the decisions read from a site's store |
| ``features`` | what a layer reads of a judgement |
| ``logistic`` | the numpy logistic regression |
| ``fit`` | thread-grouped folds, the penalty, out-of-fold scores |
| ``evaluate`` | bundled against adapted, with bootstrap intervals |
| ``layer`` | a layer's model directory (save, load, hashes) |
| ``registry`` | a site's layers and which one is on |
| ``judge`` | the judge with the active layer on top |
| ``adapt`` | ``steelman adapt`` |
| ``advisor`` | the hold threshold for a chosen review load |
| ``simulate`` | a simulated community with a known rule (CAD) |
| ``card`` | a layer's README |
"""

from steelman.site.adapt import AdaptOptions, AdaptReport, adapt, evaluate_examples, featurise
from steelman.site.advisor import Advice, advise, curve_svg
from steelman.site.decisions import Decision, collect
from steelman.site.evaluate import Comparison, compare
from steelman.site.features import SITE_ATTRIBUTE
from steelman.site.fit import Examples
from steelman.site.judge import SiteJudge
from steelman.site.layer import SiteLayer
from steelman.site.logistic import Logistic
from steelman.site.registry import SiteLayers

__all__ = [
    "SITE_ATTRIBUTE",
    "AdaptOptions",
    "AdaptReport",
    "Advice",
    "Comparison",
    "Decision",
    "Examples",
    "Logistic",
    "SiteJudge",
    "SiteLayer",
    "SiteLayers",
    "adapt",
    "advise",
    "collect",
    "compare",
    "curve_svg",
    "evaluate_examples",
    "featurise",
]
