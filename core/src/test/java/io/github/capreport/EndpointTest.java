package io.github.capreport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EndpointTest {
  @Test
  void pathsAreTheVendors() {
    assertEquals("/reportIncorrectImageCaptcha", ReportEndpoint.IMAGE_CAPTCHA.path());
    assertEquals("/reportIncorrectTokenCaptcha", ReportEndpoint.TOKEN_CAPTCHA.path());
    assertEquals("/reportIncorrectRecaptcha", ReportEndpoint.RECAPTCHA_ALIAS.path());
    assertEquals("/reportIncorrectHcaptcha", ReportEndpoint.HCAPTCHA_ALIAS.path());
    assertEquals("reportIncorrectImageCaptcha", ReportEndpoint.IMAGE_CAPTCHA.methodName());
  }

  @Test
  void imageCaptchasGoToTheImageEndpoint() {
    assertEquals(ReportEndpoint.IMAGE_CAPTCHA, CaptchaKind.IMAGE.endpoint());
  }

  @ParameterizedTest
  @EnumSource(value = CaptchaKind.class, names = "IMAGE", mode = EnumSource.Mode.EXCLUDE)
  void tokenCaptchasGoToTheCanonicalTokenEndpoint(CaptchaKind kind) {
    assertEquals(ReportEndpoint.TOKEN_CAPTCHA, kind.endpoint());
  }

  @Test
  void resultsAreValues() {
    ReportResult a = new ReportResult(ReportEndpoint.TOKEN_CAPTCHA, 7654321L, 200);
    assertEquals(a, new ReportResult(ReportEndpoint.TOKEN_CAPTCHA, 7654321L, 200));
    assertEquals(
        a.hashCode(), new ReportResult(ReportEndpoint.TOKEN_CAPTCHA, 7654321L, 200).hashCode());
    assertEquals(
        "ReportResult{reportIncorrectTokenCaptcha, taskId=7654321, accepted}", a.toString());
  }
}
