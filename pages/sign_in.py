"""The sign-in screens: e-mail, password, two-step code, and the challenges a program must not pass."""
from __future__ import annotations

import enum
import urllib.parse

from playwright.sync_api import Page


class SignInStep(enum.StrEnum):
    EMAIL = "email"
    PASSWORD = "password"
    TWO_STEP = "two_step"
    CAPTCHA = "captcha"
    APPROVAL = "approval"
    UNKNOWN = "unknown"


# Checked in this order: the most specific screen first. The password page also carries a hidden
# e-mail field, and the e-mail page a hidden password field for autofill, so ids decide, not types.
_STEPS = [
    (SignInStep.CAPTCHA, "form[action$='validateCaptcha'], #captchacharacters"),
    (SignInStep.APPROVAL, "#pollingForm, #resend-approval-form, #verification-code-form, form[action*='/ap/cvf/']"),
    (SignInStep.TWO_STEP, "form#auth-mfa-form"),
    (SignInStep.PASSWORD, "form[name='signIn'] input#ap_password"),
    (SignInStep.EMAIL, "form[name='signIn'] input#ap_email"),
]
_STEP_JS = "(steps) => (steps.find(([, css]) => document.querySelector(css)) || ['unknown'])[0]"


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
        self.error_box = page.locator("#auth-error-message-box")

    def open(self, return_to: str | None = None) -> SignInPage:
        self.page.goto(self.PATH if return_to is None else f"{self.PATH}?openid.return_to={return_to}")
        return self

    @staticmethod
    def is_sign_in_url(url: str) -> bool:
        """Whether an address is one of the sign-in or challenge screens."""
        path = urllib.parse.urlsplit(url).path
        return path.startswith("/ap/") or path.startswith("/errors/validateCaptcha")

    @staticmethod
    def is_showing(page: Page) -> bool:
        return SignInPage.is_sign_in_url(page.url)

    def step(self) -> SignInStep:
        return SignInStep(self.page.evaluate(_STEP_JS, [[s.value, css] for s, css in _STEPS]))

    def error(self) -> str | None:
        if self.error_box.count() == 0:
            return None
        message = self.error_box.locator(".a-list-item, .a-alert-content").first
        text = message.inner_text() if message.count() else self.error_box.inner_text()
        return " ".join(text.split()) or None

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
