"""Whether an answer is in English: the practice interview is, so another language gets a
remark (answer again in English) rather than a silent 0."""

from __future__ import annotations

from agent.examiner.answer_text import AnswerText

# Function words of the languages candidates most often switch to (Spanish, French, German,
# Portuguese, Italian, romanised Hindi); none is an English word.
_FOREIGN = (
    "el la los las de del que en un una es por para con se lo su al como pero más le les des et est une "
    "dans pour pas sur qui du au avec ce der das und ist nicht ein eine zu mit von sich auf für os uma "
    "não em com da dos das é il di che non una sono della hai hain ka ki ke ko se aur yeh woh bhi nahi "
)
FOREIGN_FUNCTION_WORDS = frozenset(_FOREIGN.split())
NON_LATIN_SHARE = 0.5  # more letters than this outside ASCII: another script
FOREIGN_SHARE = 0.15  # this share of words being foreign function words: another language


def is_not_english(answer: AnswerText) -> bool:
    letters = [c for c in answer.text if c.isalpha()]
    if len(letters) >= 20 and sum(c.isascii() for c in letters) < NON_LATIN_SHARE * len(letters):
        return True
    words = answer.words
    return len(words) >= 8 and sum(w in FOREIGN_FUNCTION_WORDS for w in words) >= FOREIGN_SHARE * len(words)
