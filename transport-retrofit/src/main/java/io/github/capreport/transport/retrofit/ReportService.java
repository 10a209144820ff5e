package io.github.capreport.transport.retrofit;

import java.util.Map;
import okhttp3.RequestBody;
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
 *   <li>{@code @HeaderMap}: the request's headers but Content-Type, which is the media type of the
 *       {@code @Body}, so the wire carries exactly the request's headers.
 *   <li>{@code @Body}: the JSON, written by {@link MoshiEnvelopes}, as a ready {@link
 *       okhttp3.RequestBody}: no converter runs per report.
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
      @Body RequestBody body,
      @Tag BodyLimit limit);
}
