"""A patient's consent (ADR 0029): signing the form that applies, the gate, documents."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.checkins import PhotoTooManyPixelsError, PhotoTypeError
from needlepoint.domain.consent import (
    ConsentExistsError,
    ConsentFormMissingError,
    ConsentRequest,
    ConsentRequiredError,
    ConsentStanding,
    ConsentUnwitnessedError,
    ConsentWithdrawnError,
    SignedConsent,
    SignedVia,
    Signing,
    Withdrawal,
    Witness,
    consent_for_series,
    require_consent,
    series_indications,
)
from needlepoint.domain.consent_templates import (
    ConsentTemplateVersion,
    Procedure,
    TemplateChangedError,
    TemplateKey,
    template_text,
)
from needlepoint.domain.documents import DocumentCorruptedError, DocumentKind, StoredDocument
from needlepoint.domain.errors import InvalidInputError, InvalidTransitionError
from needlepoint.domain.series_plan import PlannedZone, SeriesPlan
from needlepoint.domain.signatures import (
    MAX_DRAWING_BYTES,
    SignatureRejectedError,
    cleaned_drawing,
    drawing_from_data_url,
)
from needlepoint.domain.treatment import SeriesStatus, TreatmentSeries
from needlepoint.domain.vocabulary import Indication, Zone

AT = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
CLINICIAN = UUID(int=1)
FORM = template_text("Consent to microneedling", "## Risks\n- Infection.")


def form(key: TemplateKey | None = None, number: int = 1) -> ConsentTemplateVersion:
    made = ConsentTemplateVersion(
        uuid4(),
        UUID(int=9),
        key or TemplateKey(Procedure.MICRONEEDLING, None),
        number,
        FORM,
        AT,
        CLINICIAN,
    )
    return made.published(by=CLINICIAN, at=AT, expected_sha256=made.sha256)


def series(status: SeriesStatus = SeriesStatus.PLANNED) -> TreatmentSeries:
    plan = SeriesPlan(
        zones=(PlannedZone(Zone.CHEEKS, Decimal("1.0"), Decimal("1.5")),),
        sessions=3,
        interval_days=28,
    )
    proposal = {
        "plan": {
            "zones": [
                {"zone": "cheeks", "indication": "acne_scars"},
                {"zone": "chin", "indication": "fine_lines"},
            ]
        }
    }
    return TreatmentSeries(
        uuid4(), UUID(int=9), uuid4(), uuid4(), proposal, plan, (), status, AT, CLINICIAN
    )


def request(
    to: ConsentTemplateVersion,
    *,
    sha256: str = "",
    name: str = "  Amira   Okafor ",
    agreed: bool = True,
) -> ConsentRequest:
    return ConsentRequest(to.id, sha256 or to.sha256, name, b"png", agreed=agreed)


def signing(at: datetime = AT, via: SignedVia = SignedVia.PORTAL) -> Signing:
    return Signing(uuid4(), b"jpeg", at, via, None)


def signed(
    of: TreatmentSeries, to: ConsentTemplateVersion, at: datetime = AT, *, witnessed: bool = True
) -> SignedConsent:
    consent = consent_for_series(of, request(to), forms=[to], signed=[], signing=signing(at))
    return consent.witnessed(Witness(CLINICIAN, at)) if witnessed else consent


def test_a_signature_records_the_version_its_hash_the_name_and_where() -> None:
    applies = form()

    consent = consent_for_series(
        series(), request(applies), forms=[applies], signed=[], signing=signing()
    )

    assert (consent.template_id, consent.template_version) == (applies.id, 1)
    assert consent.template_sha256 == applies.sha256 == FORM.sha256
    assert consent.signature.typed_name == "Amira Okafor"
    assert (consent.signed_via, consent.standing) == (
        SignedVia.PORTAL,
        ConsentStanding.AWAITING_WITNESS,
    )


def test_a_signature_on_text_other_than_the_form_that_applies_is_refused() -> None:
    applies = form()
    newer = form(number=2)

    with pytest.raises(TemplateChangedError):
        consent_for_series(
            series(), request(applies), forms=[applies, newer], signed=[], signing=signing()
        )
    with pytest.raises(TemplateChangedError):
        consent_for_series(
            series(),
            request(newer, sha256="f" * 64),
            forms=[newer],
            signed=[],
            signing=signing(),
        )


def test_a_signature_needs_agreement_and_a_printable_name() -> None:
    applies = form()

    with pytest.raises(InvalidInputError) as refused:
        consent_for_series(
            series(),
            request(applies, agreed=False, name="\t"),
            forms=[applies],
            signed=[],
            signing=signing(),
        )

    assert {(p.field, p.code) for p in refused.value.problems} == {
        ("agreed", "required"),
        ("typed_name", "not-text"),
    }


def test_a_series_takes_one_live_consent_needs_a_form_and_must_be_active() -> None:
    applies, of = form(), series()
    live = signed(of, applies)

    with pytest.raises(ConsentExistsError):
        consent_for_series(of, request(applies), forms=[applies], signed=[live], signing=signing())
    with pytest.raises(ConsentFormMissingError):
        consent_for_series(of, request(applies), forms=[], signed=[], signing=signing())
    with pytest.raises(InvalidTransitionError):
        consent_for_series(
            series(SeriesStatus.CANCELLED),
            request(applies),
            forms=[applies],
            signed=[],
            signing=signing(),
        )


def test_a_series_is_consented_with_the_form_of_its_indications() -> None:
    acne = form(TemplateKey(Procedure.MICRONEEDLING, Indication.ACNE_SCARS))
    general = form()
    of = series()  # its plan treats the cheeks only: acne scars

    consent = consent_for_series(
        of, request(acne), forms=[general, acne], signed=[], signing=signing()
    )

    assert series_indications(of) == {Indication.ACNE_SCARS}
    assert consent.template_id == acne.id


def test_the_gate_refuses_with_its_own_code_until_a_witnessed_consent_holds() -> None:
    applies, of = form(), series()
    unwitnessed = signed(of, applies, witnessed=False)
    valid = unwitnessed.witnessed(Witness(CLINICIAN, AT))
    withdrawn = valid.withdrawn(Withdrawal(AT, "changed her mind", None))

    with pytest.raises(ConsentRequiredError) as none:
        require_consent(of.id, [], [applies])
    with pytest.raises(ConsentUnwitnessedError) as waiting:
        require_consent(of.id, [unwitnessed], [applies])
    with pytest.raises(ConsentWithdrawnError) as stopped:
        require_consent(of.id, [withdrawn], [applies])

    assert (none.value.code, waiting.value.code, stopped.value.code) == (
        "consent-required",
        "consent-unwitnessed",
        "consent-withdrawn",
    )
    assert require_consent(of.id, [valid], [applies]) == valid


def test_the_gate_refuses_a_consent_whose_form_no_longer_matches_its_hash() -> None:
    applies, of = form(), series()
    valid = signed(of, applies)
    altered = replace(applies, text=template_text("Consent", "## Risks\n- None."))

    with pytest.raises(ConsentRequiredError) as refused:
        require_consent(of.id, [valid], [altered])
    with pytest.raises(ConsentRequiredError):
        require_consent(of.id, [valid], [])

    assert refused.value.code == "consent-required"
    assert "SHA-256" in str(refused.value)


@given(steps=st.lists(st.sampled_from(["sign", "witness", "withdraw"]), min_size=0, max_size=12))
def test_a_session_may_start_exactly_when_the_newest_consent_is_witnessed_and_not_withdrawn(
    steps: list[str],
) -> None:
    applies, of = form(), series()
    consents: list[SignedConsent] = []
    moment = AT
    for step in steps:
        moment += timedelta(minutes=1)
        live = next((c for c in consents if c.withdrawal is None), None)
        if step == "sign" and live is None:
            new = signing(moment)
            made = consent_for_series(
                of, request(applies), forms=[applies], signed=consents, signing=new
            )
            consents.append(made)
        elif step == "witness" and live is not None and live.witness is None:
            consents[consents.index(live)] = live.witnessed(Witness(CLINICIAN, moment))
        elif step == "withdraw" and live is not None:
            reason = Withdrawal(moment, "no longer wishes it", None)
            consents[consents.index(live)] = live.withdrawn(reason)

    live = next((c for c in consents if c.withdrawal is None), None)
    opens = live is not None and live.witness is not None
    try:
        require_consent(of.id, consents, [applies])
    except ConsentRequiredError:
        assert not opens
    else:
        assert opens


def test_a_withdrawn_consent_cannot_be_witnessed_or_withdrawn_again_and_needs_a_reason() -> None:
    consent = signed(series(), form(), witnessed=False)
    stopped = consent.withdrawn(Withdrawal(AT, "  feels unwell about it  ", CLINICIAN))

    with pytest.raises(InvalidTransitionError):
        stopped.witnessed(Witness(CLINICIAN, AT))
    with pytest.raises(InvalidTransitionError):
        stopped.withdrawn(Withdrawal(AT, "again", CLINICIAN))
    with pytest.raises(InvalidInputError) as blank:
        consent.withdrawn(Withdrawal(AT, "   ", CLINICIAN))
    with pytest.raises(InvalidTransitionError):
        consent.witnessed(Witness(CLINICIAN, AT)).witnessed(Witness(CLINICIAN, AT))

    assert stopped.withdrawal is not None
    assert stopped.withdrawal.reason == "feels unwell about it"
    assert [(p.field, p.code) for p in blank.value.problems] == [("reason", "required")]


def test_a_drawing_comes_as_a_png_data_url_or_not_at_all() -> None:
    png = b"\x89PNG\r\n\x1a\nrest"
    url = "data:image/png;base64," + base64.b64encode(png).decode()

    assert drawing_from_data_url(url) == png
    assert drawing_from_data_url("  ") is None
    for bad in ("data:image/jpeg;base64,AAAA", "data:image/png;base64,***", "hello"):
        with pytest.raises(InvalidInputError) as refused:
            drawing_from_data_url(bad)
        assert refused.value.problems[0].field == "signature"
    too_big = "data:image/png;base64," + "A" * (MAX_DRAWING_BYTES * 2)
    with pytest.raises(InvalidInputError) as big:
        drawing_from_data_url(too_big)
    assert big.value.problems[0].code == "too-long"


def test_a_drawing_the_photo_checks_refuse_is_refused_as_the_signature_with_their_code() -> None:
    def refuse_type(_: bytes) -> tuple[bytes, int, int]:
        raise PhotoTypeError

    def refuse_bomb(_: bytes) -> tuple[bytes, int, int]:
        raise PhotoTooManyPixelsError(40_000_000)

    with pytest.raises(SignatureRejectedError) as typed:
        cleaned_drawing(b"not an image", refuse_type)
    with pytest.raises(SignatureRejectedError) as bomb:
        cleaned_drawing(b"\x89PNG huge", refuse_bomb)

    assert [(p.field, p.code) for p in typed.value.problems] == [("signature", "photo-type")]
    assert [(p.field, p.code) for p in bomb.value.problems] == [
        ("signature", "photo-too-many-pixels")
    ]
    assert cleaned_drawing(None, refuse_type) is None
    assert cleaned_drawing(b"png", lambda _: (b"jpeg", 10, 5)) == b"jpeg"


@given(data=st.binary(min_size=1, max_size=2000), position=st.integers(0), bit=st.integers(0, 7))
def test_any_flipped_bit_in_a_stored_document_is_caught_on_reading(
    data: bytes, position: int, bit: int
) -> None:
    document = StoredDocument.made(
        (uuid4(), uuid4(), uuid4()), DocumentKind.SIGNED_CONSENT, "application/pdf", data, AT
    )
    where = position % len(data)
    flipped = bytearray(data)
    flipped[where] ^= 1 << bit

    assert document.verified() is document
    with pytest.raises(DocumentCorruptedError) as refused:
        replace(document, data=bytes(flipped)).verified()
    assert refused.value.code == "document-corrupted"
    assert "not served" in str(refused.value)
