"""ClinicMatch matching engine: scoring, ranking and text models for medical office staffing."""

__all__ = ["__version__"]

__version__ = "1.0.0"
