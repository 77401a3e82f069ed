"""Datasets: the simulated cohort with planted ground truth, and small example inputs."""

from ._drugs import drug_panel
from ._examples import EXAMPLE_FILES, example_file, example_screen
from ._sim_clones import ClonalTruth, simulate_clones
from ._sim_evolution import EVOLUTION_THERAPIES, EvolutionTruth, add_evolution, simulate_evolution
from ._sim_genome import GENOME_PHENOTYPES, add_genome_phenotypes
from ._sim_network import kinase_network, pathway_network, tme_markers
from ._sim_regions import MultiRegionTruth, simulate_multiregion
from ._sim_signatures import simulated_signatures
from ._simulate import SimulatedCohort, SimulationTruth, simulate_cohort

__all__: list[str] = []
__all__ += ["SimulatedCohort", "SimulationTruth", "drug_panel", "simulate_cohort"]
__all__ += ["ClonalTruth", "simulate_clones"]
__all__ += ["MultiRegionTruth", "simulate_multiregion"]
__all__ += ["kinase_network", "pathway_network", "tme_markers"]
__all__ += ["EVOLUTION_THERAPIES", "EvolutionTruth", "add_evolution", "simulate_evolution"]
__all__ += ["EXAMPLE_FILES", "example_file", "example_screen"]
__all__ += ["GENOME_PHENOTYPES", "add_genome_phenotypes", "simulated_signatures"]
