"""Demo data: a province modelled on the reference deployment, deterministic from a seed."""
