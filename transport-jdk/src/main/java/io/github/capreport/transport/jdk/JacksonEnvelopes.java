package io.github.capreport.transport.jdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.capreport.spi.EnvelopeParser;
import io.github.capreport.spi.ResponseEnvelope;
import io.github.capreport.spi.TransportRequest;
import java.io.IOException;

/** The request body and the answer's envelope, bound with Jackson's tree model. */
final class JacksonEnvelopes implements EnvelopeParser {
  private final ObjectMapper mapper;

  JacksonEnvelopes(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  byte[] body(TransportRequest request) throws IOException {
    ObjectNode body = mapper.createObjectNode();
    body.put("clientKey", request.clientKey());
    body.put("taskId", request.taskId());
    return mapper.writeValueAsBytes(body);
  }

  /** The tree model ignores unknown fields whatever the user's mapper is configured to do. */
  @Override
  public ResponseEnvelope parse(byte[] json) throws IOException {
    JsonNode root = mapper.readTree(json);
    if (root == null || !root.isObject()) {
      throw new IOException("not a JSON object");
    }
    JsonNode errorId = root.get("errorId");
    return new ResponseEnvelope(
        errorId != null && errorId.isIntegralNumber() ? errorId.longValue() : null,
        text(root, "errorCode"),
        text(root, "errorDescription"),
        text(root, "status"));
  }

  private static String text(JsonNode root, String field) {
    JsonNode node = root.get(field);
    return node != null && node.isTextual() ? node.textValue() : null;
  }
}
