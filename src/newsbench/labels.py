"""What a label value means: 0 = real, 1 = fake, read according to the column it is in.

A class-label column (``label``, ``class``, ``target``, or any ``--label-col``) holds 0/1 with
1 = fake, real/fake, or true/false as a veracity verdict (true = real news). A yes/no column named
after one class (``is_fake``, ``is_real``) holds true/false, yes/no or 1/0 meaning that class.
Reading ``is_fake=True`` with the verdict convention would invert every metric, so the column
decides, and the convention used is stored with every source file.
"""

from __future__ import annotations

LABEL_COLUMNS = ("label", "labels", "class", "is_fake", "is_real", "target")
# Class labels (label, class, target, or any --label-col): 1 = fake, and true/false as a veracity
# verdict, so true = real news.
LABEL_VALUES = {"0": 0, "1": 1, "real": 0, "fake": 1, "true": 0, "false": 1}
# Yes/no columns named after one class: true (or 1, yes) means that class.
FLAG_COLUMNS = {"is_fake": 1, "is_real": 0}
FLAG_VALUES = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
FILE_LABELS = {"real": 0, "fake": 1}


def parse_label(value: object, column: str | None = None) -> int | None:
    """0 (real), 1 (fake) or None (unreadable) for a label value, read as its column means it.

    A class label (``label``, ``class``, ``target``, any other column): 0/1 (``1.0`` too) with
    1 = fake, real/fake, and true/false as a verdict (true = real news). A yes/no column named
    after one class (``is_fake``, ``is_real``): true/yes/1 means that class, false/no/0 the
    other; real/fake are read as such. Any case, surrounding spaces ignored.
    """
    text = str(value).strip().lower()
    flag_class = FLAG_COLUMNS.get(column.strip().lower()) if column else None
    if flag_class is not None and text not in FILE_LABELS:
        yes = FLAG_VALUES.get(_number_text(text))
        return None if yes is None else (flag_class if yes else 1 - flag_class)
    return LABEL_VALUES.get(_number_text(text))


def label_convention(column: str) -> str:
    """How ``parse_label`` reads a column, in words (stored with every source file)."""
    flag_class = FLAG_COLUMNS.get(column.strip().lower())
    if flag_class is None:
        return "1/fake/false = fake, 0/real/true = real"
    name = "fake" if flag_class else "real"
    other = "real" if flag_class else "fake"
    return f"yes/no flag: true/yes/1 = {name}, false/no/0 = {other}"


def _number_text(text: str) -> str:
    """``"1.0"`` -> ``"1"``, ``"0.0"`` -> ``"0"``; anything else unchanged."""
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number in (0.0, 1.0) else text
