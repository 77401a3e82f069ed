"""Docstring fragments of the response models, written once (filled by :func:`oncoresist._core._docs.doc_params`).

The examples share tiny seeded inputs: two cohorts (MuData) in which the first ``rna`` feature drives
the response (60 samples, features ``A``-``D``, one drug ``d1``) or the hazard (120 samples,
features ``A``-``C``, ``survival_time`` / ``survival_event`` in ``obs``), and three tables (response, labels, survival).
"""

from __future__ import annotations

__all__ = ["FRAGMENTS", "DOC_DRUG_COHORT", "DOC_LABEL_TABLE", "DOC_MISSING", "DOC_RESPONSE_TABLE", "DOC_SURVIVAL_COHORT", "DOC_SURVIVAL_TABLE"]

#: ``missing`` parameter of an estimator that aligns the columns of new tables with its fit.
DOC_MISSING = """\
missing
    ``"error"`` (default): :meth:`predict` on a table lacking fitted feature columns raises an
    error naming them; ``"impute"``: they count as missing values (imputed by training medians)."""

#: Example cohort ``m`` with an ``rna`` layer and one drug ``d1`` whose AUC follows ``rna:A``.
DOC_DRUG_COHORT = """\
>>> import anndata as ad, mudata as md, numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> idx = pd.Index([f"s{i}" for i in range(60)])
>>> rna = rng.normal(size=(60, 4))
>>> auc = 0.5 + 0.1 * rna[:, :1] + rng.normal(0, 0.02, (60, 1))
>>> m = md.MuData({"rna": ad.AnnData(rna, obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=list("ABCD"))),
...                "drug": ad.AnnData(auc, obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=["d1"]))})"""

#: Example cohort ``m`` with an ``rna`` layer and follow-up whose hazard rises with ``rna:A``.
DOC_SURVIVAL_COHORT = """\
>>> import anndata as ad, mudata as md, numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> idx = pd.Index([f"p{i}" for i in range(120)])
>>> rna = rng.normal(size=(120, 3))
>>> m = md.MuData({"rna": ad.AnnData(rna, obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=list("ABC")))})
>>> m.obs["survival_time"] = rng.exponential(np.exp(-rna[:, 0]))
>>> m.obs["survival_event"] = (rng.random(120) < 0.8).astype(int)"""

#: Example table ``X`` (60 samples, ``rna`` and ``cnv`` layers) and response ``y`` driven by ``rna:A``.
DOC_RESPONSE_TABLE = """\
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> X = pd.DataFrame(rng.normal(size=(60, 4)), columns=["rna:A", "rna:B", "cnv:A", "cnv:B"])
>>> y = X["rna:A"] * 2 + rng.normal(0, 0.1, 60)"""

#: Example labels ``y`` (classes ``a`` / ``b``, 30 each) and table ``X`` in which ``rna:A`` separates them.
DOC_LABEL_TABLE = """\
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> y = np.repeat(["a", "b"], 30)
>>> X = pd.DataFrame(rng.normal(size=(60, 4)), columns=["rna:A", "rna:B", "prot:A", "prot:B"])
>>> X["rna:A"] += 2 * (y == "b")"""

#: Example table ``X`` (150 samples, ``rna:g0``-``rna:g3``) and survival target ``y`` whose hazard rises with ``rna:g0``.
DOC_SURVIVAL_TABLE = """\
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> X = pd.DataFrame(rng.normal(size=(150, 4)), columns=[f"rna:g{i}" for i in range(4)])
>>> y = survival_target(rng.exponential(np.exp(-X["rna:g0"].to_numpy())), rng.random(150) < 0.8)"""

#: Every fragment by its placeholder name (``{doc_missing}`` ...), as :func:`doc_params` takes them.
FRAGMENTS = {
    "doc_drug_cohort": DOC_DRUG_COHORT,
    "doc_label_table": DOC_LABEL_TABLE,
    "doc_missing": DOC_MISSING,
    "doc_response_table": DOC_RESPONSE_TABLE,
    "doc_survival_cohort": DOC_SURVIVAL_COHORT,
    "doc_survival_table": DOC_SURVIVAL_TABLE,
}
