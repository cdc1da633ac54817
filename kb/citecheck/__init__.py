"""Check the citations in any text: does each cited provision exist, and does it say what the
sentence citing it claims? `checker` decides, `claims` finds citations and their sentences,
`support` judges a claim against the cited words, `models` holds what is returned. Import the
modules themselves; this package file stays empty so that the models load without the search."""
