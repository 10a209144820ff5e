package io.github.capreport.benchmarks;

import com.squareup.moshi.Moshi;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import retrofit2.Call;
import retrofit2.Callback;
import retrofit2.Response;
import retrofit2.Retrofit;
import retrofit2.converter.moshi.MoshiConverterFactory;
import retrofit2.http.Body;
import retrofit2.http.Headers;
import retrofit2.http.POST;

/**
 * The raw baseline for the retrofit transport: a hand-written Retrofit interface with Moshi's
 * reflective adapters, no capreport code. The OkHttp client is configured as {@code
 * RetrofitTransport} configures its own (daemon dispatcher threads, 64 requests per host, a pool of
 * 64, the same timeouts, no redirects, no silent retries). A blocking report is {@code execute()},
 * an asynchronous one {@code enqueue()}: what a Retrofit user writes.
 */
final class RawRetrofit implements Reporter {
  /** The request body, bound by Moshi's reflection. */
  static final class ReportRequest {
    String clientKey;
    long taskId;
  }

  /** The answer, bound by Moshi's reflection. */
  static final class ReportAnswer {
    Long errorId;
    String errorCode;
    String errorDescription;
    String status;
  }

  interface Api {
    @POST("reportIncorrectImageCaptcha")
    @Headers({"Accept: application/json", "User-Agent: capreport/0.1.0-SNAPSHOT (retrofit)"})
    Call<ReportAnswer> report(@Body ReportRequest body);
  }

  private final ExecutorService executor =
      new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          60,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          runnable -> {
            Thread thread = new Thread(runnable, "raw-retrofit");
            thread.setDaemon(true);
            return thread;
          });
  private final OkHttpClient client;
  private final Api api;

  RawRetrofit(String baseUrl) {
    Dispatcher dispatcher = new Dispatcher(executor);
    dispatcher.setMaxRequestsPerHost(64);
    dispatcher.setMaxRequests(64);
    this.client =
        new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            .connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES))
            .connectTimeout(10, TimeUnit.SECONDS)
            .readTimeout(30, TimeUnit.SECONDS)
            .writeTimeout(30, TimeUnit.SECONDS)
            .callTimeout(30, TimeUnit.SECONDS)
            .followRedirects(false)
            .followSslRedirects(false)
            .retryOnConnectionFailure(false)
            .build();
    this.api =
        new Retrofit.Builder()
            .baseUrl(baseUrl + "/")
            .client(client)
            .addConverterFactory(MoshiConverterFactory.create(new Moshi.Builder().build()))
            .build()
            .create(Api.class);
  }

  private static ReportRequest body() {
    ReportRequest body = new ReportRequest();
    body.clientKey = Bench.CLIENT_KEY;
    body.taskId = Bench.TASK_ID;
    return body;
  }

  @Override
  public Object report() throws IOException {
    return check(api.report(body()).execute());
  }

  @Override
  public void reportAsync(Done done) {
    api.report(body())
        .enqueue(
            new Callback<ReportAnswer>() {
              @Override
              public void onResponse(Call<ReportAnswer> call, Response<ReportAnswer> response) {
                try {
                  check(response);
                } catch (IOException e) {
                  done.done(e);
                  return;
                }
                done.done(null);
              }

              @Override
              public void onFailure(Call<ReportAnswer> call, Throwable failure) {
                done.done(failure);
              }
            });
  }

  private static ReportAnswer check(Response<ReportAnswer> response) throws IOException {
    ReportAnswer answer = response.body();
    if (answer == null
        || answer.errorId == null
        || answer.errorId != 0
        || !"success".equals(answer.status)) {
      throw new IOException("not accepted: HTTP " + response.code());
    }
    return answer;
  }

  @Override
  public void close() {
    client.dispatcher().cancelAll();
    executor.shutdownNow();
    client.connectionPool().evictAll();
  }
}
