"""The visible-text fallbacks the page objects need, in one per-language table.

Everything else is found through ids, names, `data-component` attributes and URL paths, which
are the same in every language; these are the few screens that carry no such marker."""
from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "order_placed": "Order placed",
        "total": "Total",
        "ship_to": "Ship to",
        "cancelled": "Cancelled",
        "cancellation_requested": "Cancellation requested",
        "not_found": "Looking for something?",
        "server_error": "Something went wrong",
        "sold_by": "Sold by:",
        "attempting_to_cancel": "Attempting to cancel",  # the live site's "pending" answer to a cancel
        "shipped": "Shipped",  # a shipment's status once it has left: the one sign of it with no marker
        "delivered": "Delivered",
        "robot_check": "Enter the characters you see below",  # the classic robot check's heading, at any address
    },
    "da": {
        "order_placed": "Ordre afgivet",
        "total": "I alt",
        "ship_to": "Send til",
        "cancelled": "Annulleret",
        "cancellation_requested": "Annullering anmodet",
        "not_found": "Leder du efter noget?",
        "server_error": "Noget gik galt",
        "sold_by": "Sælges af:",
        "attempting_to_cancel": "Vi forsøger at annullere",
        "shipped": "Afsendt",
        "delivered": "Leveret",
        "robot_check": "Indtast de tegn, du ser nedenfor",
    },
    "de": {
        "order_placed": "Bestellung aufgegeben",
        "total": "Summe",
        "ship_to": "Lieferung an",
        "cancelled": "Storniert",
        "cancellation_requested": "Stornierung beantragt",
        "not_found": "Suchen Sie etwas?",
        "server_error": "Etwas ist schiefgelaufen",
        "sold_by": "Verkauf durch:",
        "attempting_to_cancel": "Wir versuchen, die gewählten Artikel zu stornieren",
        "shipped": "Versandt",
        "delivered": "Zugestellt",
        "robot_check": "Geben Sie die unten angezeigten Zeichen ein",
    },
    "sv": {
        "order_placed": "Beställning gjord",
        "total": "Totalt",
        "ship_to": "Skicka till",
        "cancelled": "Avbruten",
        "cancellation_requested": "Avbrytande begärt",
        "not_found": "Letar du efter något?",
        "server_error": "Något gick fel",
        "sold_by": "Säljs av:",
        "attempting_to_cancel": "Vi försöker avbryta",
        "shipped": "Skickad",
        "delivered": "Levererad",
        "robot_check": "Ange tecknen du ser nedan",
    },
    # amazon.com's spelling where the UK's (and the tables above) differ
    "en-US": {
        "cancelled": "Canceled",
        "cancellation_requested": "Cancelation requested",
    },
    "en-GB": {
        "shipped": "Dispatched",
    },
}


def all_languages(key: str) -> list[str]:
    """The text in every language: the page objects match any, so they need not know the page's."""
    return [table[key] for table in TEXTS.values() if key in table]
