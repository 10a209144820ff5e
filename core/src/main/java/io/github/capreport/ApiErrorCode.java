package io.github.capreport;

import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The error codes of the CapMonster Cloud error glossary. A code the vendor adds later maps to
 * {@link #UNKNOWN}; the exception that carries it keeps the raw string.
 */
public enum ApiErrorCode {
  ERROR_KEY_DOES_NOT_EXIST(false, "the client key was not found or is malformed"),
  ERROR_ZERO_BALANCE(false, "the account has not enough funds"),
  /**
   * No task with this id, or it expired. The older spelling {@code WRONG_CAPTCHA_ID} maps here too.
   */
  ERROR_NO_SUCH_CAPCHA_ID(false, "no task with this id, or it has expired"),
  ERROR_IP_NOT_ALLOWED(false, "the caller's IP address is not on the key's allow-list"),
  ERROR_IP_BANNED(false, "the IP address is temporarily banned after requests with a wrong key"),
  ERROR_IP_BLOCKED(false, "the IP address is blocked after many failed requests"),
  ERROR_TOO_MUCH_REQUESTS(true, "the request rate is too high"),
  ERROR_NO_SLOT_AVAILABLE(true, "the service has no free servers right now"),
  ERROR_TOO_BIG_CAPTCHA_FILESIZE(false, "the image is over 50 KB"),
  ERROR_ZERO_CAPTCHA_FILESIZE(false, "the image is under 100 bytes"),
  ERROR_CAPTCHA_UNSOLVABLE(false, "the captcha could not be solved"),
  CAPTCHA_NOT_READY(false, "the captcha is still being solved"),
  ERROR_NO_SUCH_METHOD(false, "wrong task type"),
  ERROR_DOMAIN_NOT_ALLOWED(false, "the domain is forbidden"),
  ERROR_TOKEN_EXPIRED(false, "an additional token has expired"),
  ERROR_RECAPTCHA_INVALID_SITEKEY(false, "invalid reCAPTCHA site key"),
  ERROR_RECAPTCHA_INVALID_DOMAIN(false, "invalid reCAPTCHA domain"),
  ERROR_RECAPTCHA_TIMEOUT(false, "reCAPTCHA timed out"),
  ERROR_PROXY_CONNECT_REFUSED(false, "the proxy refused the connection"),
  ERROR_PROXY_BANNED(false, "the proxy is banned"),
  ERROR_PROXY_MISSING(false, "the proxy is missing"),
  ERROR_PROXY_NOT_AUTHORISED(false, "the proxy refused the credentials"),
  ERROR_PROXY_READ_TIMEOUT(false, "the proxy timed out"),
  ERROR_TASK_NOT_SUPPORTED(false, "the task type is not supported"),
  ERROR_TASK_ABSENT(false, "the task is absent or its body is invalid"),
  ERROR_WRONG_USERAGENT(false, "invalid User-Agent"),
  /**
   * A code this version does not know. Never retried: nobody can say that a retry is safe, and the
   * vendor bans clients that repeat bad requests.
   */
  UNKNOWN(false, "an error code this client version does not know");

  private static final Map<String, ApiErrorCode> BY_WIRE_NAME = new HashMap<>();

  static {
    for (ApiErrorCode code : values()) {
      if (code != UNKNOWN) {
        BY_WIRE_NAME.put(code.name(), code);
      }
    }
    BY_WIRE_NAME.put("WRONG_CAPTCHA_ID", ERROR_NO_SUCH_CAPCHA_ID);
  }

  private final boolean retryable;
  private final String meaning;

  ApiErrorCode(boolean retryable, String meaning) {
    this.retryable = retryable;
    this.meaning = meaning;
  }

  /**
   * The code for a raw {@code errorCode} string; {@link #UNKNOWN} for null or a code this version
   * does not know. Never throws.
   */
  public static ApiErrorCode fromWire(@Nullable String rawCode) {
    if (rawCode == null) {
      return UNKNOWN;
    }
    ApiErrorCode code = BY_WIRE_NAME.get(rawCode);
    return code == null ? UNKNOWN : code;
  }

  /**
   * Whether sending the same report again later can succeed. Only transient service conditions
   * qualify: retrying a wrong key or task id cannot succeed, and the vendor bans clients for it.
   */
  public boolean isRetryable() {
    return retryable;
  }

  /**
   * Whether the code says that no report with this key from this address can be served, whatever
   * the task: a wrong key, a zero balance, an IP not allowed, banned or blocked. Sending more is
   * what the vendor blocks clients for; an {@link AccountGuard} stops sending after the first.
   */
  public boolean isAccountWide() {
    return this == ERROR_KEY_DOES_NOT_EXIST
        || this == ERROR_ZERO_BALANCE
        || this == ERROR_IP_NOT_ALLOWED
        || this == ERROR_IP_BANNED
        || this == ERROR_IP_BLOCKED;
  }

  /** What the code means, in a few words. */
  public String meaning() {
    return meaning;
  }
}
