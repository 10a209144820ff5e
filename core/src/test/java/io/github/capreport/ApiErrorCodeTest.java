package io.github.capreport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ApiErrorCodeTest {
  /** The vendor's glossary, as listed in shared/docs/API.md. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "ERROR_KEY_DOES_NOT_EXIST",
        "ERROR_ZERO_BALANCE",
        "ERROR_NO_SUCH_CAPCHA_ID",
        "ERROR_IP_NOT_ALLOWED",
        "ERROR_IP_BANNED",
        "ERROR_IP_BLOCKED",
        "ERROR_TOO_MUCH_REQUESTS",
        "ERROR_NO_SLOT_AVAILABLE",
        "ERROR_TOO_BIG_CAPTCHA_FILESIZE",
        "ERROR_ZERO_CAPTCHA_FILESIZE",
        "ERROR_CAPTCHA_UNSOLVABLE",
        "CAPTCHA_NOT_READY",
        "ERROR_NO_SUCH_METHOD",
        "ERROR_DOMAIN_NOT_ALLOWED",
        "ERROR_TOKEN_EXPIRED",
        "ERROR_RECAPTCHA_INVALID_SITEKEY",
        "ERROR_RECAPTCHA_INVALID_DOMAIN",
        "ERROR_RECAPTCHA_TIMEOUT",
        "ERROR_PROXY_CONNECT_REFUSED",
        "ERROR_PROXY_BANNED",
        "ERROR_PROXY_MISSING",
        "ERROR_PROXY_NOT_AUTHORISED",
        "ERROR_PROXY_READ_TIMEOUT",
        "ERROR_TASK_NOT_SUPPORTED",
        "ERROR_TASK_ABSENT",
        "ERROR_WRONG_USERAGENT"
      })
  void everyGlossaryCodeMapsToItself(String wire) {
    ApiErrorCode code = ApiErrorCode.fromWire(wire);
    assertEquals(wire, code.name());
    assertFalse(code.meaning().isEmpty());
  }

  @org.junit.jupiter.api.Test
  void olderSpellingOfNoSuchTaskIsUnderstood() {
    assertEquals(ApiErrorCode.ERROR_NO_SUCH_CAPCHA_ID, ApiErrorCode.fromWire("WRONG_CAPTCHA_ID"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ERROR_SOMETHING_NEW", "", "error_key_does_not_exist", "UNKNOWN"})
  void unknownCodesNeverThrow(String wire) {
    assertEquals(ApiErrorCode.UNKNOWN, ApiErrorCode.fromWire(wire));
  }

  @org.junit.jupiter.api.Test
  void nullCodeIsUnknown() {
    assertEquals(ApiErrorCode.UNKNOWN, ApiErrorCode.fromWire(null));
  }

  @ParameterizedTest
  @EnumSource(ApiErrorCode.class)
  void onlyTransientServiceConditionsAreRetryable(ApiErrorCode code) {
    Set<ApiErrorCode> transientCodes =
        EnumSet.of(ApiErrorCode.ERROR_NO_SLOT_AVAILABLE, ApiErrorCode.ERROR_TOO_MUCH_REQUESTS);
    assertEquals(transientCodes.contains(code), code.isRetryable(), code.name());
  }

  @org.junit.jupiter.api.Test
  void banTriggeringCodesAreNeverRetryable() {
    assertFalse(ApiErrorCode.ERROR_KEY_DOES_NOT_EXIST.isRetryable());
    assertFalse(ApiErrorCode.ERROR_NO_SUCH_CAPCHA_ID.isRetryable());
    assertFalse(ApiErrorCode.UNKNOWN.isRetryable());
    assertTrue(ApiErrorCode.ERROR_NO_SLOT_AVAILABLE.isRetryable());
  }
}
