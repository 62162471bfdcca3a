"""The oracle's errors, each with the exit code the CLI turns it into (one line on stderr, no traceback).

Exit codes (``python -m oracle``): 0 ok; 1 done, with intervals pending review (or a round refused by
``cosign``); 2 bad configuration or input; 3 chain or network error.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PENDING = 1
EXIT_BAD_INPUT = 2
EXIT_CHAIN = 3


class OracleError(Exception):
    """Base of every error the oracle reports to a person; the message says what to do."""

    exit_code = EXIT_BAD_INPUT


class InputError(OracleError):
    """A file, folder or HTTP answer that cannot be read as what it claims to be (names the file and place)."""

    exit_code = EXIT_BAD_INPUT


class ConfigError(OracleError):
    """The TOML config, a command-line argument, a key or the manifest is missing or wrong."""

    exit_code = EXIT_BAD_INPUT


class ChainError(OracleError):
    """The RPC node cannot be reached, answers for another chain, or a transaction failed."""

    exit_code = EXIT_CHAIN


class SourceError(OracleError):
    """A remote source (VCOM API) cannot be reached or keeps refusing after retries."""

    exit_code = EXIT_CHAIN
