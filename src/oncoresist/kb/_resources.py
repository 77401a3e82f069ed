"""Prior-knowledge resources for activity inference, offline: a registry and a loader.

The package ships no resource file, only :data:`RESOURCES` (``kb/data/resources.tsv``: name, file,
version, licence, source URL, sha256, format). :func:`load_resource` finds a registered file in,
in order: an explicit ``path`` (a file or a folder), the folder named by the environment
variable ``ONCORESIST_RESOURCES``, and the user cache ``~/.cache/oncoresist/resources`` that
:func:`install_resources` fills from a folder of downloaded files (checking each sha256 and
recording version and licence). A user's own network (source, target, weight CSV/TSV) or GMT is
read from its path. Every resource comes back as one long table: ``source``, ``target``,
``weight`` (sites add ``substrate``, ``residue``, ``position``, ``window``, ``accession``).
"""

from __future__ import annotations

import os
import shutil
import warnings
from importlib import resources as _pkg
from io import StringIO
from pathlib import Path

import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike, atomic_path, read_table, read_text, sha256_file, write_csv

__all__ = ["RESOURCES", "install_resources", "load_resource", "read_gmt", "resource_cache", "resource_info"]

ENV_VAR = "ONCORESIST_RESOURCES"
_THREE = {"Ser": "S", "Thr": "T", "Tyr": "Y", "His": "H", "Asp": "D", "Lys": "K", "Arg": "R", "Cys": "C"}


def _registry() -> pd.DataFrame:
    """The shipped registry ``kb/data/resources.tsv`` (one row per resource)."""
    text = _pkg.files("oncoresist.kb").joinpath("data", "resources.tsv").read_text(encoding="utf-8")
    return pd.read_csv(StringIO(text), sep="\t", dtype=str, keep_default_na=False).set_index("name")


#: The registered resources: name -> file, version, licence, source_url, sha256, format, columns.
RESOURCES: pd.DataFrame = _registry()


def resource_cache() -> Path:
    """The user cache folder of installed resources, ``~/.cache/oncoresist/resources``.

    Returns
    -------
    Path
        The folder (not created).

    Examples
    --------
    >>> resource_cache().parts[-2:]
    ('oncoresist', 'resources')
    """
    return Path.home() / ".cache" / "oncoresist" / "resources"


def resource_info(name: str) -> dict[str, str]:
    """The registry entry of resource ``name`` (file, version, licence, source_url, sha256, format).

    Parameters
    ----------
    name
        A registered name (see :data:`RESOURCES`).

    Returns
    -------
    dict
        The entry, with ``name``.

    Examples
    --------
    >>> resource_info("progeny")["licence"]
    'Apache-2.0'
    """
    key = str(name).lower()
    if key not in RESOURCES.index:
        msg = (f"resource {name!r} is not registered; use one of {', '.join(RESOURCES.index)} "
               "or the path to your own network (source, target, weight CSV/TSV) or GMT file.")
        raise InputError(msg)
    return {"name": key, **RESOURCES.loc[key].to_dict()}


def _candidates(info: dict[str, str], path: PathLike | None) -> list[Path]:
    """The places searched for a registered file, in order."""
    places: list[Path] = []
    if path is not None:
        p = Path(path)
        places.append(p / info["file"] if p.is_dir() else p)
    if os.environ.get(ENV_VAR):
        places.append(Path(os.environ[ENV_VAR]) / info["file"])
    places.append(resource_cache() / info["file"])
    return places


def _locate(info: dict[str, str], path: PathLike | None) -> Path:
    """The first existing file among the candidates, or an offline error saying how to get it."""
    places = _candidates(info, path)
    for p in places:
        if p.is_file():
            return p
    msg = (f"resource {info['name']!r} ({info['file']}, {info['version']}, licence {info['licence']}) was not "
           f"found in {', '.join(str(p.parent) for p in places)}. Download it from {info['source_url']}, then run "
           f"'oncoresist activity --install-resources <folder with the file>', set {ENV_VAR}=<folder>, or pass "
           f"path=<file> (CLI: --resource <file>).")
    raise InputError(msg)


def _column_map(spec: str) -> dict[str, str]:
    """``"source=tf;target=target"`` -> ``{"source": "tf", "target": "target"}``."""
    return dict(part.split("=", 1) for part in spec.split(";") if "=" in part)


def read_gmt(path: PathLike) -> pd.DataFrame:
    r"""Read a GMT gene-set file into a long ``source``, ``target``, ``weight`` (= 1) table.

    Parameters
    ----------
    path
        GMT file: one set a line, ``name<TAB>description<TAB>gene<TAB>gene...``.

    Returns
    -------
    DataFrame
        One row per set member (duplicates within a set removed).

    Examples
    --------
    >>> _ = open("sets.gmt", "w").write("S1\tdesc\tA\tB\nS2\t\tC\n")
    >>> read_gmt("sets.gmt")["source"].tolist()
    ['S1', 'S1', 'S2']
    """
    rows = []
    for n, line in enumerate(read_text(path).splitlines(), 1):
        parts = [p.strip() for p in line.rstrip("\n").split("\t")]
        if not line.strip():
            continue
        if len(parts) < 3:
            msg = f"{path}: line {n} has {len(parts)} tab-separated fields; a GMT line is name, description, genes..."
            raise InputError(msg)
        rows += [(parts[0], g) for g in dict.fromkeys(parts[2:]) if g]
    return pd.DataFrame(rows, columns=["source", "target"]).assign(weight=1.0)


def _network_table(df: pd.DataFrame, cols: dict[str, str], path: PathLike) -> pd.DataFrame:
    """A long network with ``source``, ``target``, ``weight`` columns from a read table."""
    missing = [c for c in (cols["source"], cols["target"]) if c not in df.columns]
    if missing:
        msg = (f"{path}: network needs columns {cols['source']!r} and {cols['target']!r} (missing "
               f"{', '.join(missing)}); found {', '.join(map(str, df.columns[:8]))}.")
        raise InputError(msg)
    wcol = cols.get("weight")
    weight = pd.to_numeric(df[wcol], errors="coerce") if wcol in df.columns else pd.Series(1.0, index=df.index)
    if weight.isna().any():
        msg = f"{path}: column {wcol!r} has {int(weight.isna().sum())} non-numeric weights; give numbers (e.g. 1 / -1)."
        raise InputError(msg)
    return pd.DataFrame({"source": df[cols["source"]].astype(str).str.strip(),
                         "target": df[cols["target"]].astype(str).str.strip(),
                         "weight": weight.astype(float).to_numpy()})


def _sites_table(df: pd.DataFrame, cols: dict[str, str]) -> pd.DataFrame:
    """Kinase -> site edges: the target is ``GENE_S123``; rows without a residue are dropped."""
    res = df[cols["residue"]].fillna("").astype(str).str.extract(r"^([A-Za-z]{3})(\d+)$")
    keep = res[0].isin(list(_THREE)).to_numpy()
    df, res = df.loc[keep], res.loc[keep]
    one = res[0].map(_THREE)
    mech = df[cols["mechanism"]].astype(str).str.lower()
    out = pd.DataFrame({
        "source": df[cols["source"]].astype(str).str.strip(),
        "substrate": df[cols["substrate"]].astype(str).str.strip(),
        "residue": one, "position": res[1].astype(int),
        "window": df[cols["window"]].fillna("").astype(str).str.upper(),
        "accession": df[cols["accession"]].fillna("").astype(str),
        "weight": mech.map(lambda m: -1.0 if m.startswith("dephospho") else 1.0),
    })
    out["target"] = out["substrate"] + "_" + out["residue"] + out["position"].astype(str)
    cols_out = ["source", "target", "weight", "substrate", "residue", "position", "window", "accession"]
    return out[cols_out].drop_duplicates(["source", "target"]).reset_index(drop=True)


def _read_user(path: Path) -> pd.DataFrame:
    """A user's own GMT or source / target / weight network."""
    if path.name.lower().endswith((".gmt", ".gmt.gz")):
        return read_gmt(path)
    df = read_table(path)
    lower = {str(c).lower(): c for c in df.columns}
    pick = {role: next((lower[c] for c in names if c in lower), names[0]) for role, names in
            {"source": ("source", "tf", "kinase", "pathway", "set"), "target": ("target", "gene", "substrate", "site"),
             "weight": ("weight", "mor", "sign", "score")}.items()}
    return _network_table(df, pick, path)


def load_resource(name: str, *, path: PathLike | None = None) -> pd.DataFrame:
    r"""Load a prior-knowledge resource as one long ``source``, ``target``, ``weight`` table.

    Parameters
    ----------
    name
        A registered name (``progeny``, ``collectri``, ``dorothea``, ``signor``, ``hallmark``,
        ``reactome``, ``wikipathways``) or the path of a user's network (CSV/TSV with source /
        tf / kinase, target / gene / substrate / site and optional weight / mor / sign columns) or GMT.
    path
        Where a registered file is: the file itself or its folder. Without it: the folder in
        ``$ONCORESIST_RESOURCES``, then :func:`resource_cache`.

    Returns
    -------
    DataFrame
        The edges; ``attrs`` records ``resource``, ``version``, ``licence``, ``file`` and ``sha256``.
        Site resources add ``substrate``, ``residue``, ``position``, ``window`` and ``accession``.

    Examples
    --------
    >>> _ = open("net.csv", "w").write("source,target,weight\nTF1,G1,1\nTF1,G2,-1\n")
    >>> net = load_resource("net.csv")
    >>> net["weight"].tolist(), net.attrs["resource"]
    ([1.0, -1.0], 'net')
    """
    user = Path(str(name))
    if str(name).lower() not in RESOURCES.index and (user.is_file() or user.suffix):
        if not user.is_file():
            msg = f"resource file {user} does not exist; give a registered name ({', '.join(RESOURCES.index)}) or a file."
            raise InputError(msg)
        net = _read_user(user)
        net.attrs.update(resource=user.name.split(".")[0], version="user file", licence="user's own",
                         file=str(user), sha256=sha256_file(user))
        return net
    info = resource_info(name)
    file = _locate(info, path)
    digest = sha256_file(file)
    if digest != info["sha256"]:
        warnings.warn(f"resource {info['name']}: {file} has sha256 {digest[:12]}..., not the registered "
                      f"{info['version']} ({info['sha256'][:12]}...); results may differ from the documented version.",
                      UserWarning, stacklevel=2)
    net = _parse(info, file)
    net.attrs.update(resource=info["name"], version=info["version"], licence=info["licence"], file=str(file), sha256=digest)
    return net


def _parse(info: dict[str, str], file: Path) -> pd.DataFrame:
    """Read a registered file by its declared format."""
    if info["format"] == "gmt":
        return read_gmt(file)
    df = read_table(file)
    cols = _column_map(info["columns"])
    return _sites_table(df, cols) if info["format"] == "sites" else _network_table(df, cols, file)


def install_resources(from_dir: PathLike, *, dest: PathLike | None = None) -> pd.DataFrame:
    """Copy the registered resource files found in ``from_dir`` into the user cache, checking sha256.

    Parameters
    ----------
    from_dir
        A folder holding downloaded resource files under their registered names.
    dest
        Target folder (default :func:`resource_cache`).

    Returns
    -------
    DataFrame
        One row per registered resource: ``name``, ``file``, ``status`` (installed, missing,
        sha256_mismatch), ``version``, ``licence``. The installed ones are recorded in
        ``dest/installed.tsv``.

    Examples
    --------
    >>> import tempfile
    >>> rep = install_resources(tempfile.mkdtemp(), dest=tempfile.mkdtemp())
    >>> set(rep["status"])
    {'missing'}
    """
    src = Path(from_dir)
    if not src.is_dir():
        msg = f"--install-resources {src}: not a folder; give the folder holding the downloaded resource files."
        raise InputError(msg)
    out = Path(dest) if dest is not None else resource_cache()
    rows = []
    for name, row in RESOURCES.iterrows():
        f = src / row["file"]
        status = "missing" if not f.is_file() else ("installed" if sha256_file(f) == row["sha256"] else "sha256_mismatch")
        if status == "installed":
            out.mkdir(parents=True, exist_ok=True)
            with atomic_path(out / row["file"]) as tmp:
                shutil.copyfile(f, tmp)
        rows.append({"name": name, "file": row["file"], "status": status, "version": row["version"],
                     "licence": row["licence"]})
    report = pd.DataFrame(rows)
    if (report["status"] == "installed").any():
        write_csv(report[report["status"] == "installed"], out / "installed.tsv")
    return report
