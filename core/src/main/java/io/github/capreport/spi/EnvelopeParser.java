package io.github.capreport.spi;

/** Binds a JSON body to a {@link ResponseEnvelope} with the transport's own JSON library. */
public interface EnvelopeParser {
  /**
   * Decodes {@code json}, ignoring unknown fields. Throws whatever the JSON library throws when the
   * body is not a JSON object; a missing field is null, not an error.
   */
  ResponseEnvelope parse(byte[] json) throws Exception;
}
