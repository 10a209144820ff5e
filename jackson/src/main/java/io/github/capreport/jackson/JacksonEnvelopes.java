package io.github.capreport.jackson;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.github.capreport.spi.JsonBinding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The request body and the answer's envelope, with Jackson: shared by the transports whose
 * ecosystem is Jackson (jdk, apache), so that they bind JSON one way. Not API: it may change in any
 * release.
 *
 * <p>The body is written by a plain {@link JsonFactory}, not the user's mapper, so that no mapper
 * setting (indentation, numbers as strings) can change its shape: exactly {@code clientKey} as a
 * string and {@code taskId} as a number. The answer is read as a tree, whatever the user's mapper
 * is configured to do with classes; the reader also drops {@link
 * DeserializationFeature#FAIL_ON_UNKNOWN_PROPERTIES} so that an unknown field can never fail it.
 */
public final class JacksonEnvelopes implements JsonBinding {
  private static final JsonFactory WRITER = new JsonFactory();

  private final ObjectReader reader;

  /** Reads answers with {@code mapper}, or a default one when it is null. */
  public JacksonEnvelopes(@Nullable ObjectMapper mapper) {
    if (mapper == null) {
      mapper = new ObjectMapper();
    }
    this.reader = mapper.reader().without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  /** {@code {"clientKey":"...","taskId":123}}, exactly. */
  @Override
  public byte[] reportBody(String clientKey, long taskId) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(96);
    try (JsonGenerator json = WRITER.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("clientKey", clientKey);
      json.writeNumberField("taskId", taskId);
      json.writeEndObject();
    }
    return out.toByteArray();
  }

  /** Throws when the body is not a JSON object. */
  @Override
  public void readMembers(byte[] json, Members members) throws IOException {
    JsonNode root = reader.readTree(json);
    if (root == null || !root.isObject()) {
      throw new IOException("not a JSON object");
    }
    for (Map.Entry<String, JsonNode> member : root.properties()) {
      JsonNode value = member.getValue();
      boolean scalar = value.isNumber() || value.isTextual(); // a number's text: 1e0 is "1.0"
      members.member(member.getKey(), value.isNumber(), scalar ? value.asText() : null);
    }
  }
}
