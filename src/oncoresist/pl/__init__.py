"""Figures (matplotlib, static, one function per figure); each returns the Figure.

Every function that draws a single axes takes ``ax=`` (draw into your own figure):
``association``, ``batch_correction``, ``ctdna_timeline``, ``factor_scatter``, ``k_selection``,
``activity_bar``, ``activity_heatmap``, ``activity_response``, ``confusion_matrix``, ``kaplan_meier``, ``sbs96_profile``, ``per_drug_scores``, ``predicted_vs_observed``, ``sensitivity_heatmap``,
``synergy_heatmap``, ``synergy_surface`` (a 3-D axes) and ``volcano``. These draw several axes
and so make their own figure: ``variance_explained`` (heatmap + per-layer bar), ``top_loadings``
(one panel per layer), ``sample_overlap`` (UpSet: bars + membership matrix), ``missingness``
(samples and features panels), ``layer_distributions`` (one panel per layer),
``dose_response_curves`` and ``synergy_matrices`` (a grid of panels), ``ccf_scatter`` (one panel
per pair of samples), ``synergy_landscapes`` (one panel per synergy method) and
``synergy_single_agents`` (one panel per drug); each of them takes ``fig=`` (a Figure or a
SubFigure to draw its panels into) and returns it. ``synergy_response_matrix`` and
``synergy_scores`` take ``ax=``. ``patient_dose_response`` (one patient's curve over the cohort's) takes
``ax=`` and returns that Axes.
"""

from ._qc import layer_distributions, missingness, sample_overlap

__all__: list[str] = [
    "layer_distributions",
    "missingness",
    "sample_overlap",
]
from ._factors import (  # noqa: E402
    batch_correction,
    factor_scatter,
    k_selection,
    top_loadings,
    variance_explained,
)

__all__ += ["batch_correction", "factor_scatter", "k_selection", "top_loadings", "variance_explained"]
from ._screen import (  # noqa: E402
    dose_response_curves,
    patient_dose_response,
    sensitivity_heatmap,
    synergy_heatmap,
    synergy_matrices,
    synergy_surface,
)

__all__ += ["dose_response_curves", "patient_dose_response", "sensitivity_heatmap", "synergy_heatmap", "synergy_matrices", "synergy_surface"]
from ._models import (  # noqa: E402
    association,
    kaplan_meier,
    km_greenwood,
    per_drug_scores,
    predicted_vs_observed,
    volcano,
)

__all__ += ["association", "kaplan_meier", "km_greenwood", "per_drug_scores", "predicted_vs_observed", "volcano"]
from ._monitor import ctdna_timeline  # noqa: E402

__all__ += ["ctdna_timeline"]

from ._clonal import ccf_scatter  # noqa: E402

__all__ += ["ccf_scatter"]
from ._clonal_time import clone_tree, fish_plot  # noqa: E402

__all__ += ["clone_tree", "fish_plot"]


from ._biomarkers import genome_biomarkers  # noqa: E402

__all__ += ["genome_biomarkers"]
from ._activity import activity_bar, activity_heatmap, activity_response  # noqa: E402

__all__ += ["activity_bar", "activity_heatmap", "activity_response"]
from ._classify import confusion_matrix  # noqa: E402

__all__ += ["confusion_matrix"]
from ._sbs96 import sbs96_profile  # noqa: E402

__all__ += ["sbs96_profile"]
from ._synergy import (  # noqa: E402
    synergy_landscapes,
    synergy_response_matrix,
    synergy_scores,
    synergy_single_agents,
)

__all__ += ["synergy_landscapes", "synergy_response_matrix", "synergy_scores", "synergy_single_agents"]
