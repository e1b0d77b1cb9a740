import pytest

from fangkong.lib import phone
from fangkong.lib.masking import mask_id_number, mask_phone


@pytest.mark.parametrize("raw", ["13800001234", "+86 138 0000 1234", "138-0000-1234",
                                 "0086 13800001234", "+86-138-0000-1234"])
def test_mobile_numbers_are_normalised(raw):
    assert phone.normalise(raw) == "13800001234"


@pytest.mark.parametrize("raw", ["12800001234", "1380000123", "138000012345", "0349-1234567",
                                 "abc", ""])
def test_non_mobile_numbers_are_refused(raw):
    with pytest.raises(phone.PhoneError):
        phone.normalise(raw)


def test_id_numbers_and_phones_are_masked():
    assert mask_id_number("14060219850312021X") == "140602********021X"
    assert mask_phone("13800005678") == "138****5678"
