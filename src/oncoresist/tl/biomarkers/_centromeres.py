"""GRCh38 centromere positions, hand-curated from the UCSC Genome Browser hg38 ``cytoBand`` table.

Each span runs from the start of the chromosome's first ``acen`` band (p11.1) to the end of its
last (q11): the rows of ``cytoBand.txt`` whose ``gieStain`` is ``acen``
(https://hgdownload.soe.ucsc.edu/goldenPath/hg38/database/cytoBand.txt.gz; UCSC annotation
tables are freely usable, the cytogenetic bands come from the NCBI / ISCN ideograms). 0-based
starts as in the UCSC table; the HRD scores only compare segment ends with these positions.
"""

from __future__ import annotations

__all__ = ["GRCH38_CENTROMERES"]

#: Chromosome -> (centromere start, centromere end) in GRCh38 base pairs (UCSC hg38 cytoBand ``acen``).
GRCH38_CENTROMERES: dict[str, tuple[int, int]] = {
    "1": (121_700_000, 125_100_000),
    "2": (91_800_000, 96_000_000),
    "3": (87_800_000, 94_000_000),
    "4": (48_200_000, 51_800_000),
    "5": (46_100_000, 51_400_000),
    "6": (58_500_000, 62_600_000),
    "7": (58_100_000, 62_100_000),
    "8": (43_200_000, 47_200_000),
    "9": (42_200_000, 45_500_000),
    "10": (38_000_000, 41_600_000),
    "11": (51_000_000, 55_800_000),
    "12": (33_200_000, 37_800_000),
    "13": (16_500_000, 18_900_000),
    "14": (16_100_000, 18_200_000),
    "15": (17_500_000, 20_500_000),
    "16": (35_300_000, 38_400_000),
    "17": (22_700_000, 27_400_000),
    "18": (15_400_000, 21_500_000),
    "19": (24_200_000, 28_100_000),
    "20": (25_700_000, 30_400_000),
    "21": (10_900_000, 13_000_000),
    "22": (13_700_000, 17_400_000),
    "X": (58_100_000, 63_800_000),
    "Y": (10_300_000, 10_600_000),
}
