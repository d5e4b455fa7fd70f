"""The address rule of api.scrub.remove_people, line by line: what an erasure and the calendar feed take out of staff's
words (tests/stakeholders/test_erasure.py and tests/calendar go through the API)."""

import pytest

from api.scrub import Contacts, remove_people

BOTH = pytest.mark.parametrize("about_them", [True, False])


def without(text: str, address: str, *, about_them: bool, postcode: str | None = None) -> str:
    return remove_people(text, names=[], contacts=[Contacts(address=address, postcode=postcode)],
                         about_them=about_them)


@BOTH
def test_a_town_is_never_taken_out(about_them):
    # Written with the house's line, or with the postcode on its line, it is still anyone's town
    assert without("Home visit, 12 Elm Road, Bridport", "12 Elm Road\nBridport", about_them=about_them) == \
        "Home visit, [removed], Bridport"
    assert without("Meet at Bridport DT6 3AJ", "12 Elm Road\nBridport DT6 3AJ", about_them=about_them) == \
        "Meet at Bridport [removed]"
    assert without("Bridport library, dt63aj", "Bridport", postcode="DT6 3AJ", about_them=about_them) == \
        "Bridport library, [removed]"


@BOTH
def test_a_street_without_a_number_is_never_taken_out(about_them):
    assert without("Station Road car park", "Station Road, Bridport", about_them=about_them) == \
        "Station Road car park"
    assert without("Parking in Elm Road", "12\nElm Road\nBridport", about_them=about_them) == "Parking in Elm Road"


@BOTH
def test_a_short_line_with_a_digit_goes_only_with_the_line_after_it(about_them):
    """'Flat 1' alone is in everyone's address; with the next line ('Flat 1, 12 Elm Road') it is theirs. A line with a
    digit and two words is theirs alone."""
    address = "Flat 1\n12 Elm Road\nBridport"
    assert without("Flat 1, 40 Castle Street", address, about_them=about_them) == "Flat 1, 40 Castle Street"
    assert without("Visit flat 1, 12 elm road", address, about_them=about_them) == "Visit [removed]"
    assert without("Behind 12 Elm Road", address, about_them=about_them) == "Behind [removed]"
    assert without("Unit 4 is ours", "Unit 4\nBridport Business Park", about_them=about_them) == "Unit 4 is ours"
    assert without("Unit 4, Bridport Business Park", "Unit 4\nBridport Business Park", about_them=about_them) == \
        "[removed]"
    assert without("At Flat 3 Rose Court", "Flat 3 Rose Court\nBridport", about_them=about_them) == "At [removed]"


def test_a_house_name_goes_only_from_text_about_them():
    """The first line of three or more without a digit is a house's name: their home on their own records, but it may
    name something else elsewhere ('Rose Cottage tea room'). An address of two lines starts with its street."""
    address = "Rose Cottage\nElm Lane\nBridport"
    assert without("Rose Cottage, Elm Lane", address, about_them=True) == "[removed], Elm Lane"
    assert without("Rose Cottage, Elm Lane", address, about_them=False) == "Rose Cottage, Elm Lane"
    assert without("Rose Cottage, Bridport", "Rose Cottage\nBridport", about_them=True) == "Rose Cottage, Bridport"


@BOTH
def test_an_address_typed_on_one_line_gives_its_house_number_and_street(about_them):
    assert without("Park behind 12 Elm Road", "12 Elm Road Bridport", about_them=about_them) == "Park behind [removed]"
    assert without("From 4a high street", "4a High Street Bridport DT6 3AJ", about_them=about_them) == \
        "From [removed]"
    assert without("12 Elm Road Bridport", "12 Elm Road Bridport", about_them=about_them) == "[removed]"

