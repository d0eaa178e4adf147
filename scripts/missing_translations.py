"""Print a .po stub for every user-facing string that has no zh_CN translation yet.

    python scripts/missing_translations.py >> trainhub/translations/<domain>/zh_CN/LC_MESSAGES/messages.po
then fill in each msgstr.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_i18n import _extracted, _translated  # noqa: E402


def main() -> None:
    translated = _translated()
    seen = set()
    for name, line, message in _extracted():
        if message in translated or message in seen:
            continue
        seen.add(message)
        escaped = message.replace("\\", "\\\\").replace('"', '\\"')
        print(f"#: {name}:{line}\nmsgid \"{escaped}\"\nmsgstr \"\"\n")


if __name__ == "__main__":
    main()
