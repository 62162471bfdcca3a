"""What the file sources share: reading a text file that may be missing, empty, binary or not UTF-8,
and reading a column of numbers (blank is NaN, anything else unparseable is an error naming the row)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from oracle.errors import InputError

_MISSING_WORDS = frozenset({"", "nan", "na", "n/a", "null", "none"})


def read_bytes(path: Path, what: str) -> bytes:
    """The bytes of `path`; InputError (``"<what> file <path>: ..."``) if missing, a folder or empty."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what} file {path}: not found") from None
    except IsADirectoryError:
        raise InputError(f"{what} file {path}: is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"{what} file {path}: cannot be read ({exc.strerror})") from None
    if not data.strip():
        raise InputError(f"{what} file {path}: empty")
    return data


def decode_text(data: bytes, path: Path, what: str) -> str:
    """UTF-8 text (a BOM is dropped); binary data (NUL bytes) or other encodings are an InputError."""
    if b"\x00" in data:
        raise InputError(f"{what} file {path}: binary data (NUL bytes), not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} file {path}: not UTF-8 text (byte {exc.start})") from None


def read_table(path: Path, what: str, text: str | None = None) -> pd.DataFrame:
    """A CSV file as strings, columns named as in the header (stripped, lower case), indexed by the
    file's line number (the header is line 1 when no ``#`` comment lines precede it).

    Lines starting with ``#`` are comments (where sample files say they are synthetic)."""
    if text is None:
        text = decode_text(read_bytes(path, what), path, what)
    numbered = numbered_lines(text)
    if not numbered:
        raise InputError(f"{what} file {path}: only comments, no header")
    try:
        frame = pd.read_csv(io.StringIO("\n".join(line for _, line in numbered)), dtype=str,
                            keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        raise InputError(f"{what} file {path}: malformed CSV ({_one_line(exc)})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame.index = [n for n, _ in numbered[1:]]
    return frame


def numbered_lines(text: str) -> list[tuple[int, str]]:
    """(line number from 1, line) of the lines that are neither blank nor ``#`` comments."""
    return [(n, line) for n, line in enumerate(text.splitlines(), start=1)
            if line.strip() and not line.lstrip().startswith("#")]


def to_numbers(values: pd.Series, where: str, column: str, place: str = "row") -> pd.Series:
    """float64 of numeric strings; blank (or nan/null/NA) is NaN; other text is an InputError naming
    the place (``row <index label>``)."""
    text = values.astype("string").str.strip()
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    bad = numbers.isna() & text.notna() & ~text.str.lower().isin(_MISSING_WORDS)
    if bad.any():
        at = int(bad.to_numpy().argmax())
        raise InputError(f"{where}: {place} {bad.index[at]}: {column} {text.iloc[at]!r} is not a number")
    return numbers


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def scaled(values: pd.Series, factor: float) -> pd.Series:
    """values x factor (kWh -> Wh, kW -> W), rounded to 1e-6 so decimal inputs give the decimal
    result (0.0767 kWh -> 76.7 Wh, not 76.69999999999999); factor 1 returns values unchanged."""
    if factor == 1:
        return values.astype("float64")
    return (values.astype("float64") * factor).round(6)
