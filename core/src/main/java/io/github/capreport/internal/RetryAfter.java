package io.github.capreport.internal;

import java.text.ParseException;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.Locale;
import java.util.TimeZone;

/** Reads an HTTP {@code Retry-After} header: delta-seconds or an HTTP-date. */
public final class RetryAfter {
  private RetryAfter() {}

  /** The wait in milliseconds, 0 for a date in the past, -1 when absent or unreadable. */
  public static long millis(String header, long nowMillis) {
    if (header == null) {
      return -1;
    }
    String value = header.trim();
    if (value.isEmpty()) {
      return -1;
    }
    if (allDigits(value)) {
      if (value.length() > 9) {
        return Long.MAX_VALUE / 2;
      }
      return Long.parseLong(value) * 1000;
    }
    // SimpleDateFormat is not thread-safe, and java.time is missing before Android API 26.
    SimpleDateFormat format = new SimpleDateFormat("EEE, dd MMM yyyy HH:mm:ss zzz", Locale.US);
    format.setTimeZone(TimeZone.getTimeZone("GMT"));
    try {
      Date date = format.parse(value);
      return Math.max(0, date.getTime() - nowMillis);
    } catch (ParseException e) {
      return -1;
    }
  }

  private static boolean allDigits(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
