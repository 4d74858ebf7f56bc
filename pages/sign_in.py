"""The sign-in screens: e-mail, password, two-step code, and the challenges a program must not pass."""
from __future__ import annotations

import enum
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pages.common import document, text
from pages.robot_check import RobotCheck, robot_check

if TYPE_CHECKING:
    from playwright.sync_api import Page


class SignInStep(enum.StrEnum):
    EMAIL = "email"
    PASSWORD = "password"
    TWO_STEP = "two_step"
    CAPTCHA = "captcha"  # a robot check for a person (pages/robot_check.py), as at any address
    CHALLENGE = "challenge"  # a JavaScript challenge, as at any address
    APPROVAL = "approval"
    UNKNOWN = "unknown"


# Checked in this order, after the robot checks: the most specific screen first. The password page
# also carries a hidden e-mail field, and the e-mail page a hidden password field for autofill, so
# ids decide, not types.
_STEPS = [
    (SignInStep.APPROVAL, "#pollingForm, #resend-approval-form, #verification-code-form, form[action*='/ap/cvf/']"),
    (SignInStep.TWO_STEP, "form#auth-mfa-form"),
    (SignInStep.PASSWORD, "form[name='signIn'] input#ap_password"),
    (SignInStep.EMAIL, "form[name='signIn'] input#ap_email"),
]
ERROR_BOX = "#auth-error-message-box"
ERROR_MESSAGE = ".a-list-item, .a-alert-content"


@dataclass(frozen=True)
class SignInScreen:
    step: SignInStep
    error: str | None


def parse(html: str) -> SignInScreen:
    doc = document(html)
    robot = robot_check(html)  # the one rule for robot checks, here as at any other address
    if robot is not None:
        step = SignInStep.CHALLENGE if robot is RobotCheck.CHALLENGE else SignInStep.CAPTCHA
    else:
        step = next((s for s, css in _STEPS if doc.css_first(css) is not None), SignInStep.UNKNOWN)
    box = doc.css_first(ERROR_BOX)
    message = box.css_first(ERROR_MESSAGE) if box is not None else None
    return SignInScreen(step, text(message if message is not None else box) or None)


class SignInPage:
    PATH = "/ap/signin"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.email = page.locator("input#ap_email")
        self.continue_button = page.locator("input#continue")
        self.password = page.locator("input#ap_password")
        self.remember_me = page.locator("form[name='signIn'] input[name='rememberMe']")
        self.submit_button = page.locator("input#signInSubmit")
        self.otp_code = page.locator("form#auth-mfa-form input#auth-mfa-otpcode")
        self.remember_device = page.locator("input#auth-mfa-remember-device")
        self.otp_submit = page.locator("form#auth-mfa-form input#auth-signin-button")

    @classmethod
    def path_for(cls, return_to: str | None = None) -> str:
        """The first sign-in screen; the store sends the browser on to `return_to` once signed in."""
        return cls.PATH if return_to is None else f"{cls.PATH}?openid.return_to={return_to}"

    @staticmethod
    def is_sign_in_url(url: str) -> bool:
        """Whether an address is one of the sign-in or challenge screens."""
        path = urllib.parse.urlsplit(url).path
        return path.startswith("/ap/") or path.startswith("/errors/validateCaptcha")

    def is_showing(self) -> bool:
        return self.is_sign_in_url(self.page.url)

    def read(self) -> SignInScreen:
        return parse(self.page.content())

    def enter_email(self, email: str) -> None:
        self.email.fill(email)
        with self.page.expect_navigation(wait_until="domcontentloaded"):
            self.continue_button.click()

    def enter_password(self, password: str, remember: bool = True) -> None:
        self.password.fill(password)
        if remember and self.remember_me.count():
            self.remember_me.check()
        with self.page.expect_navigation(wait_until="domcontentloaded"):
            self.submit_button.click()

    def enter_code(self, code: str, remember_device: bool = True) -> None:
        self.otp_code.fill(code)
        if remember_device and self.remember_device.count():
            self.remember_device.check()
        with self.page.expect_navigation(wait_until="domcontentloaded"):
            self.otp_submit.click()
