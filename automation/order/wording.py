"""Every message and next step the tool says about an order or a run, in one table. The use case
picks an entry by name and fills in what it knows; nothing else writes these sentences. The table
holds the English (the catalogs' msgids); `say` speaks them in the tool's language (`language`)."""
from __future__ import annotations

from dataclasses import dataclass

from automation.language import N_, Nn_, _, ngettext


@dataclass(frozen=True)
class Wording:
    message: str | tuple[str, str]  # a pair: singular and plural, chosen by the `count` it is said with
    next_step: str | None = None


NO_CREDENTIALS = N_("set ORDERCANCEL_EMAIL and ORDERCANCEL_PASSWORD, or sign in once with 'ordercancel login --headed'")
LOGIN_HEADED = N_("run 'ordercancel login --headed', finish signing in by hand, then run again")
FOLLOW_READS = N_("nothing to do now: 'ordercancel follow' reads the decision and records it")
SOLVE_IT = N_("run 'ordercancel login --headed', solve it, then run again")
REFUND = N_("nothing to do: any charge is refunded, typically within 3-5 business days (by {refund_by})")
SELLER_DECIDES = N_("the seller decides, and the store e-mails the answer: 'ordercancel follow' reads it and records "
                    "it in the journal")
# the next step of an order it is too late to cancel: the order page's own return link where it shows one
RETURN_AT = N_("too late to cancel: return it at {url}{notes}")
RETURN_OPEN = N_("too late to cancel: a return is already open; see its status at {url}")
RETURN_LATER = N_("Once it arrives, return it for a refund through Your Orders > Return or replace items{notes}.")
CHECK_CREDENTIALS = N_("check ORDERCANCEL_EMAIL, ORDERCANCEL_PASSWORD and ORDERCANCEL_TOTP_SECRET")
# who decides a cancellation the store did not make at once: `follow` says it in words of its own for each
FOLLOW_OVERDUE = {"seller": N_("it has been over 7 days: contact the seller through Your Orders > 'Contact seller', "
                               "or the store's customer service"),
                  "store": N_("it has been over 7 days: contact the store's customer service")}

WORDING: dict[str, Wording] = {
    # check
    "checked_cancellable": Wording(Nn_("can be cancelled now ({count} open item); the store closes the window a short "
                                       "while after the order is placed, without saying when",
                                       "can be cancelled now ({count} open items); the store closes the window a short "
                                       "while after the order is placed, without saying when"),
                                   N_("ordercancel cancel {order_id} --reason <reason>")),
    "checked_not_cancellable": Wording(N_("cannot be cancelled (status: {status})"), "{advice}"),
    "checked_cancelled": Wording(N_("the order is cancelled")),
    "checked_requested": Wording(N_("a cancellation was requested; the seller decides")),
    # outcomes that change nothing
    "not_found": Wording(N_("the store has no order {order_id} on this account"),
                         N_("check the number, and that ORDERCANCEL_EMAIL is the account that placed it")),
    "already_cancelled": Wording(N_("the order was already cancelled; nothing changed"), N_("nothing to do")),
    "already_cancelled_items": Wording(N_("the asked-for items were already cancelled; nothing changed"),
                                       N_("nothing to do")),
    "already_requested": Wording(N_("a cancellation was already requested from the seller; nothing changed"),
                                 SELLER_DECIDES),
    "digital": Wording(N_("digital orders cannot be cancelled once delivered (status: {status})"),
                       N_("ask the store's customer service about a refund for the digital purchase")),
    "window_closed": Wording(N_("the order can no longer be cancelled: the store no longer offers 'Cancel items' "
                                "(status: {status})"), "{advice}"),
    "not_offered": Wording(N_("the store no longer offers to cancel {names}; nothing was submitted"), "{advice}"),
    "would_cancel": Wording(Nn_("ready to cancel {count} item: {names}; nothing was submitted (dry run)",
                                "ready to cancel {count} items: {names}; nothing was submitted (dry run)"),
                            N_("run again without --dry-run to cancel")),
    "not_confirmed": Wording(Nn_("nothing cancelled: not confirmed ({count} item would have been: {names})",
                                 "nothing cancelled: not confirmed ({count} items would have been: {names})"),
                             N_("to cancel them, run again and answer y, or add --yes")),
    # what a submit did
    "cancelled": Wording(Nn_("cancelled {count} item: {names}{heard}", "cancelled {count} items: {names}{heard}"),
                         REFUND),
    "requested": Wording(N_("the seller was asked to cancel {names}{heard}"), SELLER_DECIDES),
    "pending": Wording(N_("the store is attempting to cancel {names} and will decide later{heard}; the items still "
                          "show as ordered"),
                       N_("nothing to do now, and nothing to click again: 'ordercancel follow' reads the store's "
                          "decision and records it in the journal")),
    # in a sentence of its own for each decider (the seller, the store), as `follow`'s are
    "awaiting_earlier_seller": Wording(N_("a cancellation asked for at {when} still waits for the seller's "
                                          "decision; nothing was pressed again"), FOLLOW_READS),
    "awaiting_earlier_store": Wording(N_("a cancellation asked for at {when} still waits for the store's "
                                         "decision; nothing was pressed again"), FOLLOW_READS),
    "refused": Wording(N_("the store refused: {refusal}"), "{advice}"),
    "refused_partial": Wording(N_("the store refused to cancel only part of the order: {refusal}"),
                               N_("cancel the whole order instead: ordercancel cancel {order_id}")),
    "screens_disagree": Wording(N_("the order's page before and after this run disagrees about {names}, so whether "
                                   "this run cancelled them is not known")),
    "unconfirmed_signed_out": Wording(N_("not confirmed: {why}, and the order page still shows the items as ordered"),
                                      N_("nothing changed; running the same command again is safe")),
    "unconfirmed_unanswered": Wording(N_("not confirmed: {why}, and the order page still shows the items as ordered"),
                                      N_("the store may still act on the submit: see 'ordercancel check {order_id}' "
                                         "in a few minutes before trying again")),
    # a row an earlier run may have pressed for, read again and never pressed again (sweeps)
    "confirmed_earlier": Wording(N_("an earlier run's request to cancel {names} is confirmed: the order page shows "
                                    "them cancelled"), N_("nothing to do")),
    "earlier_unconfirmed_other": Wording(N_("an earlier run may have pressed 'Request cancellation' for {names}, and "
                                            "the order page does not show them cancelled; this run was asked for "
                                            "{asked}, not for exactly those, and presses for nothing else while that "
                                            "press is unconfirmed: nothing was submitted"),
                                         N_("a person should look at the order: 'ordercancel check {order_id}', then "
                                            "cancel by hand what should still go ('ordercancel cancel {order_id} "
                                            "--item ...')")),
    "journal_conflict": Wording("{error}",
                                N_("another process wrote this journal during the run, and a click may have "
                                   "happened: look at the order ('ordercancel check {order_id}') before running "
                                   "again")),
    "unconfirmed_earlier": Wording(N_("an earlier run may have pressed 'Request cancellation' for {names}, and the "
                                      "order page does not show them cancelled (status: {status}); the sweep never "
                                      "presses twice, so nothing was submitted"),
                                   N_("a person should look at the order: 'ordercancel check {order_id}', then "
                                      "cancel it by hand ('ordercancel cancel {order_id}') if it should still go")),
    # what `follow` reads later, in a sentence of its own for each decider (the seller, the store)
    "follow_cancelled_seller": Wording(N_("The seller cancelled {what}"), REFUND),
    "follow_cancelled_store": Wording(N_("The store cancelled {what}"), REFUND),
    "follow_declined_seller": Wording(N_("The seller did not cancel {what}; the order moves on (status: {status})"),
                                      "{advice}"),
    "follow_declined_store": Wording(N_("The store did not cancel {what}; the order moves on (status: {status})"),
                                     "{advice}"),
    "follow_waiting_seller": Wording(N_("still waiting for the seller's decision, {waited} after the request"),
                                     N_("nothing to do yet; 'ordercancel follow' again later")),
    "follow_waiting_store": Wording(N_("still waiting for the store's decision, {waited} after the request"),
                                    N_("nothing to do yet; 'ordercancel follow' again later")),
    "follow_overdue_seller": Wording(N_("still waiting for the seller's decision, {waited} after the request"),
                                     FOLLOW_OVERDUE["seller"]),
    "follow_overdue_store": Wording(N_("still waiting for the store's decision, {waited} after the request"),
                                    FOLLOW_OVERDUE["store"]),
    # the store's e-mail, a second witness in `follow`: the order page stays the judge. {said} is
    # what the mail says of the order (`mail_said`), {who} who cancelled it, where the mail says
    "mail_agrees": Wording(N_("confirmed by the store's e-mail of {when}{who}")),
    "mail_not_shown_yet": Wording(N_("the store's e-mail of {when} says {said}, but the order page does not show it "
                                     "yet: nothing changes until it does")),
    "mail_contradicted": Wording(N_("the store's e-mail of {when} said {said}, but the order page does not")),
    "mail_confirms_earlier": Wording(N_("cancelled earlier; confirmed by the store's e-mail of {when}{who}"),
                                     N_("nothing to do")),
    "mail_elsewhere": Wording(N_("cancelled by the store or elsewhere: the store's e-mail of {when} says {said}{who}, "
                                 "and the order page agrees"),
                              N_("nothing to do if you expected it; otherwise see why on the store's order page")),
    "mail_elsewhere_not_shown": Wording(N_("an e-mail from {sender} of {when} says {said}, but the order page does "
                                           "not show it: nothing changed"),
                                        N_("if you did not cancel it, the mail may be forged: do not follow its "
                                           "links")),
    # failures of one order
    "bad_input": Wording("{error}", N_("nothing was submitted; fix the input")),
    "auth_failed": Wording("{error}", CHECK_CREDENTIALS),
    "no_credentials": Wording("{error}", NO_CREDENTIALS),
    "needs_human": Wording("{error}", LOGIN_HEADED),
    "robot_check": Wording("{error}", SOLVE_IT),
    "error": Wording("{error}", N_("look at the screenshot and HTML in the artifacts; nothing is submitted twice, so "
                                   "running again is safe")),
    "error_without_evidence": Wording("{error}", N_("nothing is submitted twice, so running again is safe")),
    "unreachable": Wording("{error}", N_("is ORDERCANCEL_BASE_URL right, is the store up?")),
    "store_timeout": Wording("{error}", N_("try again later (nothing is submitted twice, so that is safe), or give a "
                                           "slow store more time with ORDERCANCEL_TIMEOUT_S")),
    "no_display": Wording("{error}", N_("run it on a desktop, or under xvfb-run")),
    "browser_failed": Wording(N_("the browser could not start or connect: {error}"),
                              N_("install Chromium (make setup), or check ORDERCANCEL_BROWSER_EXECUTABLE and "
                                 "ORDERCANCEL_BROWSER_ENDPOINT")),
    # failures of a batch's one sign-in: nothing was done
    "run_auth_failed": Wording(N_("sign-in failed, nothing was done: {error}"), CHECK_CREDENTIALS),
    "run_no_credentials": Wording(N_("sign-in failed, nothing was done: {error}"), NO_CREDENTIALS),
    "run_needs_human": Wording(N_("{error}; nothing was done"),
                               N_("run 'ordercancel login --headed', then run the batch again")),
    "run_robot_check": Wording(N_("{error}; nothing was done"),
                               N_("run 'ordercancel login --headed', solve it, then run the batch again")),
    "run_error": Wording(N_("the store could not be reached: {error}; nothing was done"),
                         N_("running the batch again is safe")),
    "run_unreachable": Wording(N_("{error}; nothing was done"), N_("is ORDERCANCEL_BASE_URL right, is the store up?")),
    "run_store_timeout": Wording(N_("{error}; nothing was done"),
                                 N_("try again later (running the batch again is safe), or give a slow store more "
                                    "time with ORDERCANCEL_TIMEOUT_S")),
}


def say(key: str, **values: object) -> tuple[str, str | None]:
    """The message and next step of one entry in the tool's language, filled in; a message with a
    singular and a plural is said with the one its `count` needs."""
    wording = WORDING[key]
    if isinstance(wording.message, tuple):
        message = ngettext(*wording.message, int(values["count"]))  # type: ignore[call-overload]
    else:
        message = _(wording.message)
    next_step = _(wording.next_step).format(**values) if wording.next_step else None
    return message.format(**values), next_step


def mail_said(cancelled: bool, count: int) -> str:
    """What a store's e-mail says of an order, as {said} in the mail entries: the order, or so many
    of its items, cancelled or not."""
    if count:
        return ngettext("{count} item was cancelled", "{count} items were cancelled", count).format(count=count) \
            if cancelled else \
            ngettext("{count} item was not cancelled", "{count} items were not cancelled", count).format(count=count)
    return _("the order was cancelled") if cancelled else _("the order was not cancelled")
