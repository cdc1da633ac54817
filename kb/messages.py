"""The product's own words in the languages it answers in: one catalogue of the lead of an
answer in part, the outcome lines and the notices, in English, German and French.

Only the product's words are translated, never the law's: a provision is quoted in its official
English text (the only one the knowledge base holds) and the answer says so in the question's
language. A message is keyed by its English template, as gettext keys by msgid, so the English
path is the code as it was; `localize` renders an English message produced from a template of
this catalogue in another language, and leaves any other text (a quote, a notice not in the
catalogue) as it is. Translations written for this catalogue (German and French).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from string import Formatter

ENGLISH = "en"
# The languages the product's words are written in; a question in another language (Italian,
# Spanish …) gets them in English.
LANGUAGES = ("en", "de", "fr")


@dataclass(frozen=True)
class Message:
    """One message: its English template (fields in braces) and the same in German and French."""

    en: str
    de: str
    fr: str

    def render(self, lang: str, /, **fields: str) -> str:
        """The message in language `lang` ("de"), English where it is not one of LANGUAGES."""
        return str(getattr(self, lang if lang in LANGUAGES else ENGLISH)).format(**fields)


DECLINED = Message(
    "The acts in this knowledge base do not answer this. {reason} The closest provisions are "
    "listed below: they do not answer the question.",
    "Die Rechtsakte in dieser Wissensbasis beantworten das nicht. {reason} Unten stehen die "
    "nächstliegenden Bestimmungen: Sie beantworten die Frage nicht.",
    "Les actes de cette base de connaissances n’y répondent pas. {reason} Les dispositions les "
    "plus proches figurent ci-dessous : elles ne répondent pas à la question.",
)
NOT_ANSWERED = Message(
    "Not answered by the acts.", "Von den Rechtsakten nicht beantwortet.", "Les actes n’y répondent pas."
)
IN_PART = Message(
    "Answered in part. {reason}", "Teilweise beantwortet. {reason}", "Réponse partielle. {reason}"
)
LEAVES = Message(
    "The {act} leaves this to {to} ({where}): “{quoted}”",
    "{act_de} überlässt dies {to_de} ({where}): „{quoted}“",
    "{act_fr} laisse cela {to_fr} ({where}) : « {quoted} »",
)
LEAVES_PART = Message(
    "The {act} leaves part of this to {to} ({where}).",
    "{act_de} überlässt einen Teil davon {to_de} ({where}).",
    "{act_fr} laisse une partie de cela {to_fr} ({where}).",
)
NATIONAL = Message(
    "What {who} decided is national law, which this knowledge base does not hold.",
    "Was {who} entschieden hat, ist nationales Recht, das diese Wissensbasis nicht enthält.",
    "Ce que {who} a décidé relève du droit national, que cette base de connaissances ne contient pas.",
)
OTHER_LAW = Message(
    "What that law says on {field} is not in this knowledge base.",
    "Was dieses Recht zu {field} sagt, ist nicht in dieser Wissensbasis.",
    "Ce que ce droit dit de {field} n’est pas dans cette base de connaissances.",
)
ADOPTED = Message(
    "What the Commission has adopted under it since, or will adopt, is not in the text of the act "
    "and not in this knowledge base.",
    "Was die Kommission seither auf dieser Grundlage erlassen hat oder erlassen wird, steht nicht im "
    "Text des Rechtsakts und nicht in dieser Wissensbasis.",
    "Ce que la Commission a adopté depuis sur cette base, ou adoptera, ne figure ni dans le texte de "
    "l’acte ni dans cette base de connaissances.",
)
NOTHING_CLOSE = Message(
    "Nothing in the acts comes close to this question.",
    "Nichts in den Rechtsakten kommt dieser Frage nahe.",
    "Rien dans les actes ne se rapproche de cette question.",
)
ABOUT_NOT_HELD = Message(
    "The question is about {names}, which is not in this knowledge base.",
    "Die Frage betrifft {names}, das nicht in dieser Wissensbasis ist.",
    "La question porte sur {names}, qui n’est pas dans cette base de connaissances.",
)
NOT_HELD = Message(
    "{name} is not in this knowledge base{where}.",
    "{name} ist nicht in dieser Wissensbasis{where}.",
    "{name} n’est pas dans cette base de connaissances{where}.",
)
WORLD = Message(
    "The question asks about facts in the world (what has happened, who was named, what it "
    "costs), which the text of the acts cannot tell.",
    "Die Frage betrifft Tatsachen in der Welt (was geschehen ist, wer benannt wurde, was es "
    "kostet), die der Text der Rechtsakte nicht sagen kann.",
    "La question porte sur des faits (ce qui s’est passé, qui a été désigné, ce que cela coûte), "
    "que le texte des actes ne peut pas dire.",
)
TRANSLATED = Message(
    "The question seems to be in {language} ({code}). It was translated into English by a local "
    "model ({model}) and searched as: “{translation}” The provisions are quoted in their official "
    "English text, the only language the knowledge base holds.",
    "Die Frage scheint auf Deutsch zu sein (de). Sie wurde von einem lokalen Modell ({model}) ins "
    "Englische übersetzt und so gesucht: „{translation}“ Die Bestimmungen werden in ihrem amtlichen "
    "englischen Wortlaut zitiert, der einzigen Sprache, die die Wissensbasis enthält.",
    "La question semble être en français (fr). Elle a été traduite en anglais par un modèle local "
    "({model}) et recherchée ainsi : « {translation} » Les dispositions sont citées dans leur texte "
    "officiel anglais, la seule langue que contient la base de connaissances.",
)
MATCHED = Message(
    "The question seems to be in {language} ({code}). It was matched against the acts with a "
    "multilingual encoder ({model}); the provisions are quoted in their official English text, the "
    "only language the knowledge base holds.",
    "Die Frage scheint auf Deutsch zu sein (de). Sie wurde mit einem mehrsprachigen Modell ({model}) "
    "mit den Rechtsakten abgeglichen; die Bestimmungen werden in ihrem amtlichen englischen Wortlaut "
    "zitiert, der einzigen Sprache, die die Wissensbasis enthält.",
    "La question semble être en français (fr). Elle a été rapprochée des actes par un modèle "
    "multilingue ({model}) ; les dispositions sont citées dans leur texte officiel anglais, la seule "
    "langue que contient la base de connaissances.",
)
# The progress of a streamed answer while a question is translated (POST /v1/ask/stream's
# `progress` event), shown at once in the web page.
TRANSLATING = Message(
    "Translating the question from {language} into English with a local model ({model}) …",
    "Übersetze die Frage mit einem lokalen Modell ({model}) ins Englische …",
    "Traduction de la question en anglais par un modèle local ({model}) …",
)
SEARCHING_AS = Message(
    "Translated; searching the acts as: “{translation}”",
    "Übersetzt; die Rechtsakte werden so durchsucht: „{translation}“",
    "Traduite ; recherche dans les actes ainsi : « {translation} »",
)
# A generated answer given in the question's language (kb/answer_language.py).
ANSWER_TRANSLATED = Message(
    "The answer was written and checked against the provisions in English, then machine-translated "
    "into {language} by a local model ({model}), sentence by sentence; each sentence keeps its checked "
    "English, and the provisions' words stay in their official English text.",
    "Die Antwort wurde auf Englisch geschrieben und an den Bestimmungen geprüft, dann Satz für Satz von "
    "einem lokalen Modell ({model}) maschinell ins Deutsche übersetzt; zu jedem Satz bleibt der geprüfte "
    "englische, und die Worte der Bestimmungen stehen im amtlichen englischen Wortlaut.",
    "La réponse a été rédigée et vérifiée en anglais au regard des dispositions, puis traduite "
    "automatiquement en français, phrase par phrase, par un modèle local ({model}) ; chaque phrase garde "
    "son anglais vérifié, et les mots des dispositions restent dans leur texte officiel anglais.",
)
KEPT_IN_ENGLISH = Message(
    "Sentences left in English, as checked, because their translation lost a quotation, a number or "
    "a negation: {count}.",
    "Sätze, die auf Englisch bleiben, wie geprüft, weil ihre Übersetzung ein Zitat, eine Zahl oder "
    "eine Verneinung verlor: {count}.",
    "Phrases laissées en anglais, telles que vérifiées, parce que leur traduction perdait une citation, "
    "un nombre ou une négation : {count}.",
)
ANSWER_IN_ENGLISH = Message(
    "The answer is in English, as written and checked against the provisions: it was not translated "
    "into {language} ({why}).",
    "Die Antwort steht auf Englisch, so wie sie geschrieben und an den Bestimmungen geprüft wurde: Sie "
    "wurde nicht ins Deutsche übersetzt ({why}).",
    "La réponse est en anglais, telle qu’elle a été rédigée et vérifiée au regard des dispositions : elle "
    "n’a pas été traduite en français ({why}).",
)

# Who and what the acts name, as the lead of an answer in part says it in each language.
_TO = {
    "the Member States": ("den Mitgliedstaaten", "aux États membres"),
    "the Commission": ("der Kommission", "à la Commission"),
    "other Union law": ("anderem Unionsrecht", "à d’autres actes du droit de l’Union"),
}
_ACT = {
    "AI Act": ("Die KI-Verordnung", "Le règlement sur l’IA"),
    "Data Act": ("Das Datengesetz", "Le règlement sur les données"),
}

CATALOGUE = (
    DECLINED, NOT_ANSWERED, IN_PART, LEAVES, LEAVES_PART, NATIONAL, OTHER_LAW, ADOPTED,
    NOTHING_CLOSE, ABOUT_NOT_HELD, NOT_HELD, WORLD, TRANSLATED, MATCHED, TRANSLATING, SEARCHING_AS,
    ANSWER_TRANSLATED, KEPT_IN_ENGLISH, ANSWER_IN_ENGLISH,
)  # fmt: skip


@cache
def _pattern(template: str) -> re.Pattern[str]:
    """The English template as a regular expression, one named group a field."""
    out = []
    for literal, name, _spec, _conv in Formatter().parse(template):
        out.append(re.escape(literal))
        if name is not None:
            out.append(f"(?P<{name}>.*?)")
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def localize(text: str, language: str) -> str:
    """`text`, an English message of the catalogue, in `language`; unchanged when `language` is
    English or not one of LANGUAGES, or `text` is no message of the catalogue. A declined answer's
    reason is localized with it."""
    if language == ENGLISH or language not in LANGUAGES:
        return text
    for message in CATALOGUE:
        found = _pattern(message.en).match(text)
        if found is None:
            continue
        fields = dict(found.groupdict())
        if "reason" in fields:
            fields["reason"] = localize(fields["reason"], language)
        which = 0 if language == "de" else 1
        if "to" in fields:
            fields[f"to_{language}"] = _TO.get(fields["to"], (fields["to"],) * 2)[which]
        if "act" in fields:
            fields[f"act_{language}"] = _ACT.get(fields["act"], (fields["act"],) * 2)[which]
        return message.render(language, **fields)
    return text
