"""Reading a report's own metadata: headers, and the date of a wire dateline."""

from __future__ import annotations

import datetime as dt

import pytest

from geo_app.text.reports import parse_report


@pytest.mark.parametrize(("opening", "day"), [
    ("KHARTOUM, June 12, 2024 (Reuters) - Fighting spread to the outskirts of the capital.", dt.date(2024, 6, 12)),
    ("ATLANTA, May 28, 2024 (AP) — Storms knocked out power across the state.", dt.date(2024, 5, 28)),
    ("KYIV, Ukraine, 3 March 2025 - Drones struck an energy site overnight.", dt.date(2025, 3, 3)),
])
def test_a_wire_dateline_gives_the_publication_date(opening, day):
    report = parse_report("Storms and strikes\n\n" + opening + "\nMore text follows here.")
    assert report.published == day


@pytest.mark.parametrize("opening", [
    "ISMAIL, Ukraine, Nov 28 - Russian drones struck port warehouses.",  # no year: not a full date
    "The war in Sudan, June 12, 2024 - a retrospective.",                 # not a dateline
])
def test_no_publication_date_is_made_up(opening):
    assert parse_report(opening + "\nMore text.").published is None


def test_a_published_header_wins_over_the_dateline():
    text = "Published: 2024-06-13\n\nKHARTOUM, June 12, 2024 (Reuters) - Fighting spread."
    assert parse_report(text).published == dt.date(2024, 6, 13)


def test_a_header_is_read_without_a_blank_line_after_it():
    report = parse_report("Title: Drones over Odesa\nSource: Coast Desk\nPublished: 2024-03-02\n"
                          "Drones struck the port of Odesa overnight.")
    assert (report.title, report.source, report.published) == ("Drones over Odesa", "Coast Desk", dt.date(2024, 3, 2))
    assert report.text == "Drones struck the port of Odesa overnight."


def test_a_first_line_that_is_not_a_header_stays_text():
    report = parse_report("Officials said: drones struck Odesa.\nMore followed on Tuesday.")
    assert report.title == "" and report.text.startswith("Officials said: drones struck Odesa.")
