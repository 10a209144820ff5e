package io.github.capreport.transport.retrofit;

import java.util.Map;
import okhttp3.ResponseBody;
import retrofit2.Call;
import retrofit2.SkipCallbackExecutor;
import retrofit2.http.Body;
import retrofit2.http.HeaderMap;
import retrofit2.http.POST;
import retrofit2.http.Streaming;
import retrofit2.http.Tag;
import retrofit2.http.Url;

/**
 * The report endpoint as Retrofit sees it.
 *
 * <ul>
 *   <li>{@code @Url}: the absolute URI core built; the Retrofit base URL is never used.
 *   <li>{@code @HeaderMap}: exactly the request's headers. Retrofit turns its Content-Type into the
 *       body's media type, so the wire carries one Content-Type, the request's.
 *   <li>{@code @Streaming}: Retrofit hands over the body unread, so that {@link
 *       io.github.capreport.spi.TransportResponse#read} bounds it.
 *   <li>{@code @SkipCallbackExecutor}: callbacks run on OkHttp's thread, which reads the body,
 *       never on Android's main thread (Retrofit's default callback executor there).
 *   <li>{@code @Tag}: how many bytes of answer {@link BoundedBodyInterceptor} lets through.
 * </ul>
 */
interface ReportService {
  @POST
  @Streaming
  @SkipCallbackExecutor
  Call<ResponseBody> report(
      @Url String url,
      @HeaderMap Map<String, String> headers,
      @Body ReportBody body,
      @Tag BodyLimit limit);
}
