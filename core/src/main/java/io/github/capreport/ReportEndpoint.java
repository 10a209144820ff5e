package io.github.capreport;

/**
 * The CapMonster Cloud report endpoints. Most callers should not pick one by hand: {@link
 * CaptchaKind#endpoint()} names the right one for the captcha that was solved.
 */
public enum ReportEndpoint {
  /** {@code POST /reportIncorrectImageCaptcha}: image captchas (ImageToText tasks). */
  IMAGE_CAPTCHA("/reportIncorrectImageCaptcha"),
  /**
   * {@code POST /reportIncorrectTokenCaptcha}: token captchas (reCAPTCHA v2, v3 and Enterprise,
   * hCaptcha, GeeTest, Turnstile).
   */
  TOKEN_CAPTCHA("/reportIncorrectTokenCaptcha"),
  /** {@code POST /reportIncorrectRecaptcha}: the vendor's alias of {@link #TOKEN_CAPTCHA}. */
  RECAPTCHA_ALIAS("/reportIncorrectRecaptcha"),
  /**
   * {@code POST /reportIncorrectHcaptcha}: the vendor's alias of {@link #TOKEN_CAPTCHA}. Some newer
   * vendor pages list only the reCAPTCHA alias, so prefer {@link #TOKEN_CAPTCHA}.
   */
  HCAPTCHA_ALIAS("/reportIncorrectHcaptcha");

  private final String path;

  ReportEndpoint(String path) {
    this.path = path;
  }

  /**
   * The path below the base URL, with its leading slash, e.g. {@code /reportIncorrectImageCaptcha}.
   */
  public String path() {
    return path;
  }

  /** The endpoint name as the vendor writes it, e.g. {@code reportIncorrectImageCaptcha}. */
  public String methodName() {
    return path.substring(1);
  }
}
