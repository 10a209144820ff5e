package io.github.capreport.jackson;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.capreport.spi.JsonBinding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * The request body and the answer's members, with Jackson: shared by the transports whose ecosystem
 * is Jackson (jdk, apache), so that they bind JSON one way. Not API: it may change in any release.
 *
 * <p>The body is written by a plain {@link JsonFactory}, not the user's mapper, so that no mapper
 * setting (indentation, numbers as strings) can change its shape: exactly {@code clientKey} as a
 * string and {@code taskId} as a number. The answer is read with the streaming parser of the
 * mapper's factory, no tree and no binding to a class: a number goes to core as written, whatever
 * the mapper does with numbers, and no deserialization setting can fail an unknown field. Uses only
 * what Jackson has had since 2.1.
 */
public final class JacksonEnvelopes implements JsonBinding {
  private static final JsonFactory PLAIN = new JsonFactory();

  private final JsonFactory reading;

  /** Reads answers with {@code mapper}'s parser features, or Jackson's defaults when it is null. */
  public JacksonEnvelopes(@Nullable ObjectMapper mapper) {
    this.reading = mapper == null ? PLAIN : mapper.getFactory();
  }

  /** {@code {"clientKey":"...","taskId":123}}, exactly. */
  @Override
  public byte[] reportBody(String clientKey, long taskId) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(96);
    try (JsonGenerator json = PLAIN.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("clientKey", clientKey);
      json.writeNumberField("taskId", taskId);
      json.writeEndObject();
    }
    return out.toByteArray();
  }

  /** Throws when the body is not one JSON object, and nothing after it. */
  @Override
  public void readMembers(byte[] json, Members members) throws IOException {
    try (JsonParser parser = reading.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.getText();
        JsonToken value = parser.nextToken();
        boolean number =
            value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT;
        members.member(
            name, number, number || value == JsonToken.VALUE_STRING ? parser.getText() : null);
        parser.skipChildren(); // of an object or array; nothing for a scalar
      }
      if (parser.nextToken() != null) {
        throw new IOException("text after the JSON object");
      }
    }
  }
}
