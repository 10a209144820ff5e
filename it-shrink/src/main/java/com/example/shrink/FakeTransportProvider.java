package com.example.shrink;

import io.github.capreport.spi.ResponseEnvelope;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportCallback;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A transport that answers every report with success, without any I/O: it stands for an app's
 * transport, which only {@code ServiceLoader} reaches.
 */
public final class FakeTransportProvider implements TransportProvider {
  public FakeTransportProvider() {}

  @Override
  public String id() {
    return "fake";
  }

  @Override
  public int priority() {
    return 1;
  }

  @Override
  public Transport create(TransportOptions options) {
    return new Transport() {
      @Override
      public String id() {
        return "fake";
      }

      @Override
      public TransportResponse send(TransportRequest request) throws IOException {
        byte[] body = "{\"errorId\":0,\"status\":\"success\"}".getBytes(StandardCharsets.UTF_8);
        return TransportResponse.read(
            200,
            null,
            new ByteArrayInputStream(body),
            request.maxResponseBytes(),
            json -> new ResponseEnvelope(0L, null, null, "success"));
      }

      @Override
      public void sendAsync(TransportRequest request, TransportCallback callback) {
        new Thread(
                () -> {
                  try {
                    callback.onResponse(send(request));
                  } catch (IOException e) {
                    callback.onFailure(e);
                  }
                })
            .start();
      }

      @Override
      public void close() {}
    };
  }
}
