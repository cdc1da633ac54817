"""Chapter titles, printed in capitals in the acts, in sentence case with the acts' own names kept."""

from __future__ import annotations

from kb.headings import acronyms, proper_words, sentence_case

# Sentences as the Data Act writes them (Articles 14, 15 and 44).
DATA_ACT = [
    "Data holders shall make data available to a public sector body, the Commission, the European "
    "Central Bank or a Union body demonstrating an exceptional need.",
    "The Commission shall adopt guidelines. In such cases the European Central Bank and the Commission "
    "shall inform the Union bodies; the Commission may request data.",
    "This Regulation is without prejudice to Directive 96/9/EC and to Directive (EU) 2019/790 of the "
    "European Parliament, which apply to data made available under Union law.",
    "The business shall notify the data holder. Data may be shared between businesses.",
]


def test_a_title_in_capitals_keeps_the_acts_names() -> None:
    # Issue 31: "the commission, the european central bank" in the Data Act's Chapter V heading.
    keep = acronyms(DATA_ACT) | proper_words(DATA_ACT)
    assert {"Commission", "European", "Central", "Bank", "Union", "Directive"} <= keep
    assert "Data" not in keep and "Business" not in keep  # "Data may …" starts a sentence
    assert sentence_case(
        "MAKING DATA AVAILABLE TO PUBLIC SECTOR BODIES, THE COMMISSION, THE EUROPEAN CENTRAL BANK AND "
        "UNION BODIES ON THE BASIS OF AN EXCEPTIONAL NEED",
        keep,
    ) == (
        "Making data available to public sector bodies, the Commission, the European Central Bank and "
        "Union bodies on the basis of an exceptional need"
    )
    assert sentence_case("SUI GENERIS RIGHT UNDER DIRECTIVE 96/9/EC", keep) == (
        "Sui generis right under Directive 96/9/EC"
    )
    assert sentence_case("PROHIBITED AI PRACTICES", {"AI"}) == "Prohibited AI practices"
