/**
 * The Retrofit transport: reports travel over Retrofit 3 and OkHttp 4, JSON is bound by Moshi. The
 * transport for Android (API 21 and up) and for applications that already use OkHttp.
 *
 * <p>On the classpath it is found by discovery ({@code transportId("retrofit")} picks it when the
 * Apache transport, priority 300, is present too). To share an application's OkHttpClient:
 *
 * <pre>{@code
 * RetrofitTransport transport = RetrofitTransport.builder().okHttpClient(appClient).build();
 * CapReportClient client =
 *     CapReportClient.builder().clientKey(key).transport(transport).build();
 * }</pre>
 *
 * <p>The jar ships R8/ProGuard consumer rules in {@code
 * META-INF/proguard/capreport-transport-retrofit.pro}; Retrofit, OkHttp and Moshi ship their own.
 */
@NullMarked
package io.github.capreport.transport.retrofit;

import org.jspecify.annotations.NullMarked;
