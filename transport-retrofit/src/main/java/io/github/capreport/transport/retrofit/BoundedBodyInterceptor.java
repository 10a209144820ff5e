package io.github.capreport.transport.retrofit;

import java.io.IOException;
import okhttp3.Call;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import okio.Source;

/**
 * Lets at most {@link BodyLimit#maxBytes} of a report's answer through, then drops the connection.
 *
 * <p>Needed because Retrofit reads the whole body of a non-2xx answer into memory before handing it
 * over as {@code errorBody()}: a proxy's endless error page would otherwise be buffered whole. Once
 * the limit is reached the call is cancelled, which closes the socket at once instead of draining
 * the rest, and the body ends there; the reader then sees more bytes than it allows and reports an
 * oversized answer. Requests without a {@link BodyLimit} tag pass untouched, so the interceptor is
 * harmless on a client shared with other uses.
 */
final class BoundedBodyInterceptor implements Interceptor {
  static final BoundedBodyInterceptor INSTANCE = new BoundedBodyInterceptor();

  private BoundedBodyInterceptor() {}

  @Override
  public Response intercept(Chain chain) throws IOException {
    Response response = chain.proceed(chain.request());
    BodyLimit limit = chain.request().tag(BodyLimit.class);
    ResponseBody body = response.body();
    if (limit == null || body == null) {
      return response;
    }
    return response
        .newBuilder()
        .body(new BoundedResponseBody(body, limit.maxBytes, chain.call()))
        .build();
  }

  @Override
  public String toString() {
    return "BoundedBodyInterceptor";
  }

  private static final class BoundedResponseBody extends ResponseBody {
    private final ResponseBody delegate;
    private final long maxBytes;
    private final Call call;
    private BufferedSource source;

    BoundedResponseBody(ResponseBody delegate, long maxBytes, Call call) {
      this.delegate = delegate;
      this.maxBytes = maxBytes;
      this.call = call;
    }

    @Override
    public MediaType contentType() {
      return delegate.contentType();
    }

    @Override
    public long contentLength() {
      long length = delegate.contentLength();
      return length <= maxBytes ? length : -1L;
    }

    @Override
    public synchronized BufferedSource source() {
      if (source == null) {
        source = Okio.buffer(new LimitingSource(delegate.source(), maxBytes, call));
      }
      return source;
    }
  }

  private static final class LimitingSource extends ForwardingSource {
    private final Call call;
    private long remaining;
    private boolean dropped;

    LimitingSource(Source delegate, long maxBytes, Call call) {
      super(delegate);
      this.remaining = maxBytes;
      this.call = call;
    }

    @Override
    public long read(Buffer sink, long byteCount) throws IOException {
      if (remaining <= 0) {
        drop();
        return -1L;
      }
      long read = super.read(sink, Math.min(byteCount, remaining));
      if (read > 0) {
        remaining -= read;
        if (remaining <= 0) {
          drop();
        }
      }
      return read;
    }

    @Override
    public void close() throws IOException {
      if (!dropped) {
        super.close();
      }
    }

    /** Stops reading: cancelling closes the socket, so closing the body drains nothing. */
    private void drop() {
      if (dropped) {
        return;
      }
      dropped = true;
      call.cancel();
      try {
        super.close();
      } catch (IOException ignored) {
        // The socket is already closed; there is nothing left to release.
      }
    }
  }
}
