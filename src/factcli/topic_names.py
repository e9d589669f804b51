"""What a typed topic name may mean among the stored names, by plain string rules: the part of
`factcli.topics` a `topic NAME` query needs, apart from its word lists, so the query starts
without building them."""

from __future__ import annotations


def name_variants(name: str) -> list[str]:
    """The stored names a topic query may mean: "the interest rates" → "interest rates",
    "interest rate"; "rates of interest" → also "interest rate". Plain string rules, so a query
    needs neither spaCy nor wordfreq."""
    words = name.split()
    if len(words) > 1 and words[0].lower() in ("the", "a", "an"):
        words = words[1:]
    text = " ".join(words)
    bases = [text]
    lowered = text.lower()
    if " of " in lowered:
        at = lowered.index(" of ")
        head, tail = text[:at], text[at + 4 :]
        if tail.lower().startswith("the "):
            tail = tail[4:]
        if head and tail:
            bases.append(f"{tail} {head}")
    out: list[str] = []
    for base in bases:
        stem, _, last = base.rpartition(" ")
        for form in [last, *number_forms(last)]:
            variant = f"{stem} {form}" if stem else form
            if variant and variant.casefold() not in {o.casefold() for o in out}:
                out.append(variant)
    return out


def number_forms(word: str) -> list[str]:
    """Singular and plural spellings a word may have: "rates" → "rate"; "crises" → "crisis";
    "policy" → "policies"."""
    low = word.lower()
    forms: list[str] = []
    if low.endswith("ies") and len(low) > 4:
        forms.append(word[:-3] + "y")
    if low.endswith("ses") and len(low) > 4:
        forms.append(word[:-2] + "is")
    if low.endswith("es") and len(low) > 3:
        forms.append(word[:-2])
    if low.endswith("s") and not low.endswith("ss") and len(low) > 2:
        forms.append(word[:-1])
    if not low.endswith("s"):
        forms.append(word[:-1] + "ies" if low.endswith("y") and low[-2:-1] not in "aeiou" else "")
        forms.append(word + "s")
        forms.append(word + "es")
    return [f for f in forms if f]
