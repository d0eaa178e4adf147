"""Every reason code the engine documents has a message in the user's language."""
import re
from pathlib import Path

from trainhub.staffing.reasons import MESSAGES

FORMAT_DOC = Path(__file__).resolve().parents[2] / "docs" / "allocation-format.md"


def _documented_codes() -> set[str]:
    text = FORMAT_DOC.read_text(encoding="utf-8")
    table = text[text.index("### Reasons and reason codes"):text.index("## Training-seat apportionment")]
    codes = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            codes |= set(re.findall(r"`([a-z_]+)`", first_cell))
    return codes


def test_every_documented_reason_code_is_translated():
    translated = {code for code, _what in MESSAGES}
    documented = _documented_codes()
    assert len(documented) > 30  # the table was found and read
    assert sorted(documented - translated) == []
