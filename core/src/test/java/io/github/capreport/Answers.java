package io.github.capreport;

import io.github.capreport.spi.ResponseEnvelope;
import io.github.capreport.spi.TransportResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Builds transport answers for core's tests, which have no JSON library. */
public final class Answers {
  private Answers() {}

  public static TransportResponse envelope(
      int status, Long errorId, String code, String description, String apiStatus) {
    return body(status, "{...}", new ResponseEnvelope(errorId, code, description, apiStatus));
  }

  public static TransportResponse success() {
    return envelope(200, 0L, null, null, "success");
  }

  public static TransportResponse refusal(int status, String code) {
    return envelope(status, 1L, code, null, null);
  }

  /** A body that the parser rejects, as a JSON library rejects HTML. */
  public static TransportResponse notJson(int status, String body) {
    return body(status, body, null);
  }

  private static TransportResponse body(int status, String body, ResponseEnvelope envelope) {
    try {
      return TransportResponse.read(
          status,
          null,
          new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)),
          64 * 1024,
          json -> {
            if (envelope == null) {
              throw new IOException("not JSON");
            }
            return envelope;
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
