"""The clinic's controlled vocabulary: zones, indications, devices and skin conditions.

Enum values are lower snake case and travel unchanged to files, JSON and the database.
Human labels live in the knowledge tables and templates, not here.
"""

from __future__ import annotations

from enum import StrEnum


class Zone(StrEnum):
    """A treatment zone. ``periorbital`` means outside the orbital rim only.

    ``eyelids`` names skin *inside* the orbital rim. It exists so that a request for it can
    be refused by name: no plan ever needles it.
    """

    FOREHEAD = "forehead"
    GLABELLA = "glabella"
    TEMPLES = "temples"
    PERIORBITAL = "periorbital"
    EYELIDS = "eyelids"
    NOSE = "nose"
    CHEEKS = "cheeks"
    PERIORAL = "perioral"
    CHIN = "chin"
    JAWLINE = "jawline"
    NECK = "neck"
    DECOLLETE = "decollete"
    ABDOMEN = "abdomen"
    THIGHS = "thighs"
    BREASTS = "breasts"
    BUTTOCKS = "buttocks"
    UPPER_ARMS = "upper_arms"
    SCALP = "scalp"


FACIAL_ZONES: frozenset[Zone] = frozenset(
    {
        Zone.FOREHEAD,
        Zone.GLABELLA,
        Zone.TEMPLES,
        Zone.PERIORBITAL,
        Zone.EYELIDS,
        Zone.NOSE,
        Zone.CHEEKS,
        Zone.PERIORAL,
        Zone.CHIN,
        Zone.JAWLINE,
    }
)

BODY_ZONES: frozenset[Zone] = frozenset(
    {Zone.ABDOMEN, Zone.THIGHS, Zone.BREASTS, Zone.BUTTOCKS, Zone.UPPER_ARMS}
)


class Indication(StrEnum):
    """What the patient wants treated. ``hair_loss`` is accepted but out of scope."""

    ACNE_SCARS = "acne_scars"
    STRETCH_MARKS = "stretch_marks"
    FINE_LINES = "fine_lines"
    ENLARGED_PORES = "enlarged_pores"
    TEXTURE = "texture"
    HYPERPIGMENTATION = "hyperpigmentation"
    MELASMA = "melasma"
    HAIR_LOSS = "hair_loss"


class Device(StrEnum):
    """The needling device family."""

    PEN = "pen"
    ROLLER = "roller"
    RF = "rf"


class Sex(StrEnum):
    """Sex recorded at consultation (used for anatomy and pregnancy questions only)."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class ZoneCondition(StrEnum):
    """The state of the skin in one zone on the day it is examined."""

    ACTIVE_INFLAMMATORY_ACNE = "active_inflammatory_acne"
    INFECTION = "infection"
    ACTIVE_COLD_SORE = "active_cold_sore"
    OPEN_WOUND = "open_wound"
    SUNBURN = "sunburn"
    DERMATITIS_FLARE = "dermatitis_flare"
    VITILIGO = "vitiligo"
    MELASMA = "melasma"
    KELOID_OR_HYPERTROPHIC_SCAR = "keloid_or_hypertrophic_scar"
    SUSPICIOUS_LESION = "suspicious_lesion"


class TopicalActive(StrEnum):
    """Topical products that matter before and after needling."""

    RETINOID = "retinoid"
    AHA = "aha"
    BHA = "bha"
    BENZOYL_PEROXIDE = "benzoyl_peroxide"
    HYDROQUINONE = "hydroquinone"
    VITAMIN_C = "vitamin_c"
    SCRUB = "scrub"


class ProcedureKind(StrEnum):
    """Procedures that matter when they happened recently in a zone."""

    FILLER = "filler"
    NEUROTOXIN = "neurotoxin"
    SUPERFICIAL_PEEL = "superficial_peel"
    MEDIUM_OR_DEEP_PEEL = "medium_or_deep_peel"
    ABLATIVE_LASER = "ablative_laser"
    NONABLATIVE_LASER = "nonablative_laser"
    DERMABRASION = "dermabrasion"
    SURGERY = "surgery"
    RADIOTHERAPY = "radiotherapy"
    WAXING = "waxing"
    MICRONEEDLING = "microneedling"


class IsotretinoinStatus(StrEnum):
    """Oral isotretinoin: never taken, taking now, or stopped on a known date."""

    NEVER = "never"
    CURRENT = "current"
    STOPPED = "stopped"


class DiabetesControl(StrEnum):
    """Diabetes and how well it is controlled."""

    NONE = "none"
    CONTROLLED = "controlled"
    UNCONTROLLED = "uncontrolled"


class SkinCancerHistory(StrEnum):
    """Skin cancer: none, treated in the past, or under active treatment now."""

    NONE = "none"
    TREATED = "treated"
    ACTIVE = "active"
