"""Every message and next step the tool says about an order or a run, in one table. The use case
picks an entry by name and fills in what it knows; nothing else writes these sentences."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Wording:
    message: str
    next_step: str | None = None


NO_CREDENTIALS = "set ORDERCANCEL_EMAIL and ORDERCANCEL_PASSWORD, or sign in once with 'ordercancel login --headed'"
LOGIN_HEADED = "run 'ordercancel login --headed', finish signing in by hand, then run again"
SOLVE_IT = "run 'ordercancel login --headed', solve it, then run again"
REFUND = "nothing to do: any charge is refunded, typically within 3-5 business days (by {refund_by})"
SELLER_DECIDES = "the seller decides; see the answer with 'ordercancel check {order_id}'"
# the next step of an order it is too late to cancel: the order page's own return link where it shows one
RETURN_AT = "too late to cancel: return it at {url}{notes}"
RETURN_OPEN = "too late to cancel: a return is already open; see its status at {url}"
RETURN_LATER = "Once it arrives, return it for a refund through Your Orders > Return or replace items{notes}."

WORDING: dict[str, Wording] = {
    # check
    "checked_cancellable": Wording("can be cancelled now ({count} open item(s)); the store closes the window a short while "
                                   "after the order is placed, without saying when",
                                   "ordercancel cancel {order_id} --reason <reason>"),
    "checked_not_cancellable": Wording("cannot be cancelled (status: {status})", "{advice}"),
    "checked_cancelled": Wording("the order is cancelled"),
    "checked_requested": Wording("a cancellation was requested; the seller decides"),
    # outcomes that change nothing
    "not_found": Wording("the store has no order {order_id} on this account",
                         "check the number, and that ORDERCANCEL_EMAIL is the account that placed it"),
    "already_cancelled": Wording("{what} already cancelled; nothing changed", "nothing to do"),
    "already_requested": Wording("a cancellation was already requested from the seller; nothing changed",
                                 SELLER_DECIDES),
    "digital": Wording("digital orders cannot be cancelled once delivered (status: {status})",
                       "ask the store's customer service about a refund for the digital purchase"),
    "window_closed": Wording("the order can no longer be cancelled: the store no longer offers 'Cancel items' "
                             "(status: {status})", "{advice}"),
    "not_offered": Wording("the store no longer offers to cancel {names}; nothing was submitted", "{advice}"),
    "would_cancel": Wording("ready to cancel {count} item(s): {names}; nothing was submitted (dry run)",
                            "run again without --dry-run to cancel"),
    "not_confirmed": Wording("nothing cancelled: not confirmed ({count} item(s) would have been: {names})",
                             "to cancel them, run again and answer y, or add --yes"),
    # what a submit did
    "cancelled": Wording("cancelled {count} item(s): {names}{heard}", REFUND),
    "requested": Wording("the seller was asked to cancel {names}{heard}",
                         "the seller decides, and the store e-mails the answer: 'ordercancel follow' reads it and "
                         "records it in the journal"),
    "pending": Wording("the store is attempting to cancel {names} and will decide later{heard}; the items still "
                       "show as ordered", "nothing to do now, and nothing to click again: 'ordercancel follow' reads "
                       "the store's decision and records it in the journal"),
    "awaiting_earlier": Wording("a cancellation asked for at {when} still waits for {decider}'s decision; "
                                "nothing was pressed again",
                                "nothing to do now: 'ordercancel follow' reads the decision and records it"),
    "refused": Wording("the store refused: {refusal}", "{advice}"),
    "refused_partial": Wording("the store refused to cancel only part of the order: {refusal}",
                               "cancel the whole order instead: ordercancel cancel {order_id}"),
    "screens_disagree": Wording("the order's page before and after this run disagrees about {names}, so whether "
                                "this run cancelled them is not known"),
    "unconfirmed_signed_out": Wording("not confirmed: {why}, and the order page still shows the items as ordered",
                                      "nothing changed; running the same command again is safe"),
    "unconfirmed_unanswered": Wording("not confirmed: {why}, and the order page still shows the items as ordered",
                                      "the store may still act on the submit: see 'ordercancel check {order_id}' in a "
                                      "few minutes before trying again"),
    # a row an earlier run may have pressed for, read again and never pressed again (sweeps)
    "confirmed_earlier": Wording("an earlier run's request to cancel {names} is confirmed: the order page shows "
                                 "them cancelled", "nothing to do"),
    "earlier_unconfirmed_other": Wording("an earlier run may have pressed 'Request cancellation' for {names}, and "
                                         "the order page does not show them cancelled; this run was asked for "
                                         "{asked}, not for exactly those, and presses for nothing else while that "
                                         "press is unconfirmed: nothing was submitted",
                                         "a person should look at the order: 'ordercancel check {order_id}', then "
                                         "cancel by hand what should still go ('ordercancel cancel {order_id} "
                                         "--item ...')"),
    "journal_conflict": Wording("{error}",
                                "another process wrote this journal during the run, and a click may have happened: "
                                "look at the order ('ordercancel check {order_id}') before running again"),
    "unconfirmed_earlier": Wording("an earlier run may have pressed 'Request cancellation' for {names}, and the order "
                                   "page does not show them cancelled (status: {status}); the sweep never presses "
                                   "twice, so nothing was submitted",
                                   "a person should look at the order: 'ordercancel check {order_id}', then cancel it "
                                   "by hand ('ordercancel cancel {order_id}') if it should still go"),
    # what `follow` reads later
    "follow_cancelled": Wording("{decider} cancelled {what}", REFUND),
    "follow_declined": Wording("{decider} did not cancel {what}; the order moves on (status: {status})",
                               "{advice}"),
    "follow_waiting": Wording("still waiting for {decider}'s decision, {waited} after the request",
                              "nothing to do yet; 'ordercancel follow' again later"),
    "follow_overdue": Wording("still waiting for {decider}'s decision, {waited} after the request",
                              "{overdue}"),
    # the store's e-mail, a second witness in `follow`: the order page stays the judge
    "mail_agrees": Wording("confirmed by the store's e-mail of {when}{who}"),
    "mail_not_shown_yet": Wording("the store's e-mail of {when} says {what} {said}, but the order page does not show "
                                  "it yet: nothing changes until it does"),
    "mail_contradicted": Wording("the store's e-mail of {when} said {what} {said}, but the order page does not"),
    "mail_confirms_earlier": Wording("cancelled earlier; confirmed by the store's e-mail of {when}{who}", "nothing to do"),
    "mail_elsewhere": Wording("cancelled by the store or elsewhere: the store's e-mail of {when} says {what} "
                              "cancelled{who}, and the order page agrees",
                              "nothing to do if you expected it; otherwise see why on the store's order page"),
    "mail_elsewhere_not_shown": Wording("an e-mail from {sender} of {when} says {what} cancelled, but the order page "
                                        "does not show it: nothing changed",
                                        "if you did not cancel it, the mail may be forged: do not follow its links"),
    # failures of one order
    "bad_input": Wording("{error}", "nothing was submitted; fix the input"),
    "auth_failed": Wording("{error}", "check ORDERCANCEL_EMAIL, ORDERCANCEL_PASSWORD and ORDERCANCEL_TOTP_SECRET"),
    "no_credentials": Wording("{error}", NO_CREDENTIALS),
    "needs_human": Wording("{error}", LOGIN_HEADED),
    "robot_check": Wording("{error}", SOLVE_IT),
    "error": Wording("{error}", "look at the screenshot and HTML in the artifacts; nothing is submitted twice, so "
                                "running again is safe"),
    "error_without_evidence": Wording("{error}", "nothing is submitted twice, so running again is safe"),
    "unreachable": Wording("{error}", "is ORDERCANCEL_BASE_URL right, is the store up?"),
    "store_timeout": Wording("{error}", "try again later (nothing is submitted twice, so that is safe), or give a slow "
                                        "store more time with ORDERCANCEL_TIMEOUT_S"),
    "no_display": Wording("{error}", "run it on a desktop, or under xvfb-run"),
    "browser_failed": Wording("the browser could not start or connect: {error}",
                              "install Chromium (make setup), or check ORDERCANCEL_BROWSER_EXECUTABLE and "
                              "ORDERCANCEL_BROWSER_ENDPOINT"),
    # failures of a batch's one sign-in: nothing was done
    "run_auth_failed": Wording("sign-in failed, nothing was done: {error}",
                               "check ORDERCANCEL_EMAIL, ORDERCANCEL_PASSWORD and ORDERCANCEL_TOTP_SECRET"),
    "run_no_credentials": Wording("sign-in failed, nothing was done: {error}", NO_CREDENTIALS),
    "run_needs_human": Wording("{error}; nothing was done", "run 'ordercancel login --headed', then run the batch "
                                                            "again"),
    "run_robot_check": Wording("{error}; nothing was done", "run 'ordercancel login --headed', solve it, then run the "
                                                            "batch again"),
    "run_error": Wording("the store could not be reached: {error}; nothing was done",
                         "running the batch again is safe"),
    "run_unreachable": Wording("{error}; nothing was done", "is ORDERCANCEL_BASE_URL right, is the store up?"),
    "run_store_timeout": Wording("{error}; nothing was done", "try again later (running the batch again is safe), or "
                                                              "give a slow store more time with ORDERCANCEL_TIMEOUT_S"),
}


def say(key: str, **values: object) -> tuple[str, str | None]:
    """The message and next step of one entry, filled in."""
    wording = WORDING[key]
    next_step = wording.next_step.format(**values) if wording.next_step else None
    return wording.message.format(**values), next_step
