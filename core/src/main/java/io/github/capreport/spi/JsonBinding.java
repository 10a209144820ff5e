package io.github.capreport.spi;

import java.io.IOException;

/**
 * The two JSON documents of a report, bound by the transport's own JSON library (Jackson, Moshi):
 * the narrowest interface that leaves every decision about an answer to core.
 */
public interface JsonBinding {
  /**
   * {@code {"clientKey":"...","taskId":123}}: exactly these two fields, the key as a JSON string,
   * the task id as a JSON number, encoded in UTF-8. Written into memory, so it should not fail;
   * core reports a failure as the transport's bug, before any I/O.
   */
  byte[] reportBody(String clientKey, long taskId) throws IOException;

  /**
   * Decodes an answer's body, ignoring unknown fields; a missing or mistyped field is null. Throws
   * whatever the JSON library throws when the body is not a JSON object.
   */
  ResponseEnvelope envelope(byte[] json) throws Exception;
}
