"""Where the project is, for scripts that read or write its files (deployments/, bench/, reports/, data/)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
