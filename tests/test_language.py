"""Report language: script shares and English function words (geo_app.text.language)."""

from __future__ import annotations

import pytest

from geo_app import settings
from geo_app.text.language import detect_language, script_shares, stop_word_ratios

ENGLISH = ("Troops moved from Gomel towards the border of Ukraine on Monday, and officials in Kyiv said "
           "that they were watching the situation closely.")


def test_english_news_is_english():
    guess = detect_language(ENGLISH)
    assert guess.language == "English" and guess.supported and guess.script == "Latin"
    assert guess.stop_word_ratio > 0.3
    assert guess.message("r.txt") is None


def test_every_sample_report_is_english():
    from geo_app.text.reports import sample_reports

    assert all(detect_language(r.text).supported for r in sample_reports())


@pytest.mark.parametrize(("text", "language"), [
    ("Войска перебросили из Гомеля к границе с Украиной в понедельник, как сообщили в штабе; "
     "власти объяснили это учениями.", "Russian"),  # ы, э, ё, ъ: Russian only
    ("Війська перекинули з Гомеля до кордону з Україною в понеділок, повідомили у штабі.", "Ukrainian"),
    ("Вайскі перакінулі з Гомеля да мяжы з Украінай у панядзелак, паведамілі ў штабе.", "Belarusian"),
    ("Les troupes ont été déplacées de Gomel vers la frontière ukrainienne lundi, selon l'état-major.", "French"),
    ("Die Truppen wurden am Montag von Gomel an die ukrainische Grenze verlegt, teilte der Stab mit.", "German"),
    ("Las tropas fueron trasladadas el lunes desde Gomel hacia la frontera con Ucrania, según el mando.", "Spanish"),
    ("部队周一从戈梅利调往乌克兰边境，总参谋部表示。部队周一从戈梅利调往乌克兰边境，总参谋部表示。", "Chinese"),
    ("部隊は月曜日にゴメリからウクライナ国境へ移動したと参謀本部が発表した。部隊は月曜日にゴメリから", "Japanese"),
])
def test_other_languages_are_named_and_not_supported(text, language):
    guess = detect_language(text)
    assert guess.language == language and not guess.supported
    message = guess.message("report.txt")
    assert message.startswith("report.txt: this report looks ") and "Only English reports are supported" in message
    assert "settings" not in message  # user advice, not developer advice
    assert guess.message().startswith(f"Looks {language}, not English")


def test_cyrillic_without_marker_letters_is_named_by_its_script():
    guess = detect_language("Войска перебросили из Гомеля к границе с Украиной в понедельник.")
    assert guess.script == "Cyrillic" and not guess.supported and "Cyrillic" in guess.language


def test_arabic_script():
    guess = detect_language("انتقلت القوات من غوميل إلى الحدود الأوكرانية يوم الاثنين حسب ما أعلنته القيادة العسكرية")
    assert guess.script == "Arabic" and not guess.supported


def test_an_unlisted_latin_language_without_english_words_is_flagged():
    text = " ".join(["Birlikler pazartesi günü Gomel'den Ukrayna sınırına kaydırıldı, genelkurmay açıkladı."] * 3)
    guess = detect_language(text)
    assert not guess.supported and guess.language.startswith("a Latin-script language")


def test_english_with_quoted_cyrillic_names_is_english():
    text = ENGLISH + " The sign read «Гомель» in Russian."
    assert detect_language(text).supported


def test_short_texts_and_place_lists_raise_no_warning():
    assert detect_language("Brest and Pinsk.").language == "unknown"
    assert detect_language("Brest and Pinsk.").supported
    assert detect_language("").supported
    assert detect_language("Brest, Pinsk, Gomel, Mozyr, Minsk, Vitebsk, Grodno, Mogilev, Lida.").supported


def test_script_shares_and_ratios():
    shares, n = script_shares("abc где")
    assert n == 6 and shares == pytest.approx({"Latin": 0.5, "Cyrillic": 0.5})
    assert script_shares("12 34 !!")[1] == 0
    ratios, words = stop_word_ratios("the cat and the dog")
    assert words == 5 and ratios["English"] == pytest.approx(3 / 5)
    assert stop_word_ratios("где это")[1] == 0  # no Latin words


def test_thresholds_come_from_settings(monkeypatch):
    monkeypatch.setattr(settings, "LANGUAGE_MIN_LETTERS", 10_000)
    assert detect_language("Войска перебросили из Гомеля к границе с Украиной.").language == "unknown"
