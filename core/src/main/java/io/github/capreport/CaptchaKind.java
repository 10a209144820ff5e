package io.github.capreport;

/**
 * The kinds of captcha a CapMonster Cloud task can solve, mapped to the endpoint that reports it.
 */
public enum CaptchaKind {
  /** An image read as text (ImageToText task). */
  IMAGE(ReportEndpoint.IMAGE_CAPTCHA),
  RECAPTCHA_V2(ReportEndpoint.TOKEN_CAPTCHA),
  RECAPTCHA_V3(ReportEndpoint.TOKEN_CAPTCHA),
  RECAPTCHA_ENTERPRISE(ReportEndpoint.TOKEN_CAPTCHA),
  HCAPTCHA(ReportEndpoint.TOKEN_CAPTCHA),
  GEETEST(ReportEndpoint.TOKEN_CAPTCHA),
  TURNSTILE(ReportEndpoint.TOKEN_CAPTCHA);

  private final ReportEndpoint endpoint;

  CaptchaKind(ReportEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  /**
   * The endpoint that reports a wrong answer for this kind. Token kinds use the canonical {@code
   * /reportIncorrectTokenCaptcha}, never an alias, since the vendor lists the aliases
   * inconsistently.
   */
  public ReportEndpoint endpoint() {
    return endpoint;
  }
}
