"""The storefront's cancellation reasons, and the ways a user may name one."""
from __future__ import annotations

import enum

from automation.errors import BadInput
from automation.order.input import has_line_break_or_control
from pages.common import shown


class CancelReason(enum.StrEnum):
    ORDER_WAS_CREATED_BY_MISTAKE = "ORDER_WAS_CREATED_BY_MISTAKE"
    ITEMS_WOULD_ARRIVE_TOO_LATE = "ITEMS_WOULD_ARRIVE_TOO_LATE"
    SHIPPING_COST_IS_TOO_HIGH = "SHIPPING_COST_IS_TOO_HIGH"
    ITEM_PRICE_IS_TOO_HIGH = "ITEM_PRICE_IS_TOO_HIGH"
    FOUND_CHEAPER_SOMEWHERE_ELSE = "FOUND_CHEAPER_SOMEWHERE_ELSE"
    ITEM_IS_SOLD_BY_THIRD_PARTY = "ITEM_IS_SOLD_BY_THIRD_PARTY"
    NEED_TO_CHANGE_SHIPPING_ADDRESS = "NEED_TO_CHANGE_SHIPPING_ADDRESS"
    NEED_TO_CHANGE_SHIPPING_SPEED = "NEED_TO_CHANGE_SHIPPING_SPEED"
    NEED_TO_CHANGE_BILLING_ADDRESS = "NEED_TO_CHANGE_BILLING_ADDRESS"
    NEED_TO_CHANGE_PAYMENT_METHOD = "NEED_TO_CHANGE_PAYMENT_METHOD"
    OTHER_REASON = "OTHER_REASON"


# (alias, then the label in English, Danish, German and Swedish) per reason, as the drop-down shows them
NAMES: dict[CancelReason, tuple[str, ...]] = {
    CancelReason.ORDER_WAS_CREATED_BY_MISTAKE: ("mistake", "Order Created by Mistake", "Ordren blev oprettet ved en fejl",
        "Bestellung versehentlich aufgegeben", "Beställningen gjordes av misstag"),
    CancelReason.ITEMS_WOULD_ARRIVE_TOO_LATE: ("too-late", "Item(s) Would Not Arrive on Time", "Varen/varerne ville ikke ankomme til tiden",
        "Artikel würden nicht rechtzeitig ankommen", "Artiklarna skulle inte komma fram i tid"),
    CancelReason.SHIPPING_COST_IS_TOO_HIGH: ("shipping-cost", "Shipping Cost Too High", "Forsendelsesomkostningerne er for høje",
        "Versandkosten zu hoch", "Fraktkostnaden är för hög"),
    CancelReason.ITEM_PRICE_IS_TOO_HIGH: ("price", "Item Price Too High", "Varens pris er for høj",
        "Artikelpreis zu hoch", "Artikelpriset är för högt"),
    CancelReason.FOUND_CHEAPER_SOMEWHERE_ELSE: ("cheaper", "Found Cheaper Somewhere Else", "Fundet billigere et andet sted",
        "Woanders günstiger gefunden", "Hittade billigare någon annanstans"),
    CancelReason.ITEM_IS_SOLD_BY_THIRD_PARTY: ("third-party", "Item Sold by Third Party", "Varen sælges af en tredjepart",
        "Artikel wird von einem Drittanbieter verkauft", "Artikeln säljs av tredje part"),
    CancelReason.NEED_TO_CHANGE_SHIPPING_ADDRESS: ("address", "Need to Change Shipping Address", "Skal ændre leveringsadresse",
        "Lieferadresse muss geändert werden", "Måste ändra leveransadress"),
    CancelReason.NEED_TO_CHANGE_SHIPPING_SPEED: ("speed", "Need to Change Shipping Speed", "Skal ændre leveringshastighed",
        "Versandart muss geändert werden", "Måste ändra leveranshastighet"),
    CancelReason.NEED_TO_CHANGE_BILLING_ADDRESS: ("billing", "Need to Change Billing Address", "Skal ændre faktureringsadresse",
        "Rechnungsadresse muss geändert werden", "Måste ändra faktureringsadress"),
    CancelReason.NEED_TO_CHANGE_PAYMENT_METHOD: ("payment", "Need to Change Payment Method", "Skal ændre betalingsmetode",
        "Zahlungsart muss geändert werden", "Måste ändra betalningssätt"),
    CancelReason.OTHER_REASON: ("other", "Other", "Andet",
        "Sonstiges", "Annat"),
}
# What people type for the most common reason, as the help pages phrase it.
EXTRA_ALIASES = {"ordered by mistake": CancelReason.ORDER_WAS_CREATED_BY_MISTAKE,
                 "by mistake": CancelReason.ORDER_WAS_CREATED_BY_MISTAKE}


def _key(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").casefold().split())


_LOOKUP: dict[str, CancelReason] = {}
for _reason, _names in NAMES.items():
    for _name in (_reason.value, *_names):
        _LOOKUP[_key(_name)] = _reason
_LOOKUP.update({_key(k): v for k, v in EXTRA_ALIASES.items()})


def parse_reason(text: str) -> CancelReason:
    reason = None if has_line_break_or_control(text) else _LOOKUP.get(_key(text))
    if reason is None:
        choices = ", ".join(names[0] for names in NAMES.values())
        raise BadInput(f"unknown reason {shown(text)}; use one of: {choices} (or the reason's code or label)")
    return reason

