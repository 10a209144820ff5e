package io.github.capreport.testkit;

import static io.github.capreport.testkit.Http.KEY;
import static io.github.capreport.testkit.Http.post;
import static io.github.capreport.testkit.Http.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
class CapMonsterEmulatorTest {
  private final CapMonsterEmulator emulator =
      CapMonsterEmulator.builder().clientKey(KEY).taskIds(7654321, 9_000_000_000L).start();

  @AfterEach
  void close() {
    emulator.close();
  }

  private String url(String path) {
    return emulator.baseUrl() + path;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/reportIncorrectImageCaptcha",
        "/reportIncorrectTokenCaptcha",
        "/reportIncorrectRecaptcha",
        "/reportIncorrectHcaptcha"
      })
  void answersEachEndpointLikeTheApi(String path) throws IOException {
    Http.Answer accepted = post(url(path), "application/json", report(KEY, 7654321));
    assertEquals(200, accepted.status());
    assertEquals("application/json", accepted.contentType());
    assertEquals("{\"errorId\":0,\"status\":\"success\"}", accepted.body());

    Http.Answer wrongKey = post(url(path), "application/json", report("other", 7654321));
    assertEquals(200, wrongKey.status());
    assertEquals("{\"errorId\":1,\"errorCode\":\"ERROR_KEY_DOES_NOT_EXIST\"}", wrongKey.body());

    Http.Answer wrongTask = post(url(path), "application/json", report(KEY, 1));
    assertEquals(200, wrongTask.status());
    assertEquals("{\"errorId\":1,\"errorCode\":\"ERROR_NO_SUCH_CAPCHA_ID\"}", wrongTask.body());
  }

  @Test
  void checksTheKeyBeforeTheTask() throws IOException {
    Http.Answer answer =
        post(url("/reportIncorrectImageCaptcha"), "application/json", report("x", 1));
    assertTrue(answer.body().contains("ERROR_KEY_DOES_NOT_EXIST"));
  }

  @Test
  void keepsTaskIdsAboveTwoToThe31() throws IOException {
    Http.Answer answer =
        post(url("/reportIncorrectTokenCaptcha"), "application/json", report(KEY, 9_000_000_000L));
    assertTrue(answer.body().contains("success"));
    assertEquals(9_000_000_000L, emulator.lastRequest().taskId());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not json",
        "{\"clientKey\":\"" + KEY + "\",\"taskId\":\"7654321\"}",
        "{\"clientKey\":\"" + KEY + "\"}",
        "{\"taskId\":7654321}",
        "{\"clientKey\":\"" + KEY + "\",\"taskId\":7654321.5}",
        "{\"clientKey\":\"" + KEY + "\",\"taskId\":99999999999999999999}",
        "{\"clientKey\":\"" + KEY + "\",\"taskId\":7654321,\"taskId\":7654321}",
        "{\"clientKey\":\"" + KEY + "\",\"taskId\":7654321}trailing",
        "[1,2]"
      })
  void answersABodyThatIsNotTheApisJsonWith400(String body) throws IOException {
    Http.Answer answer = post(url("/reportIncorrectImageCaptcha"), "application/json", body);
    assertEquals(400, answer.status());
    assertTrue(answer.body().startsWith("{\"errorId\":1,\"errorCode\":\"ERROR_TASK_ABSENT\""));
    assertFalse(emulator.lastRequest().isWellFormedReport());
  }

  @Test
  void refusesAnotherContentType() throws IOException {
    Http.Answer answer =
        post(url("/reportIncorrectImageCaptcha"), "text/plain", report(KEY, 7654321));
    assertEquals(400, answer.status());
    assertTrue(answer.body().contains("Content-Type"));
  }

  @Test
  void acceptsJsonWithACharset() throws IOException {
    Http.Answer answer =
        post(
            url("/reportIncorrectImageCaptcha"),
            "application/json; charset=UTF-8",
            report(KEY, 7654321));
    assertTrue(answer.body().contains("success"));
  }

  @Test
  void answers404ForOtherPathsAnd405ForOtherMethods() throws IOException {
    assertEquals(
        404,
        post(url("/reportIncorrectImageCaptcha/x?a=b"), "application/json", report(KEY, 1))
            .status());
    assertEquals("a=b", emulator.lastRequest().query());
    assertEquals(404, post(url("/createTask"), "application/json", report(KEY, 1)).status());
    Http.Answer get = Http.get(url("/reportIncorrectImageCaptcha"));
    assertEquals(405, get.status());
    assertEquals("POST", get.header("Allow"));
    assertEquals(3, emulator.requestCount());
    assertEquals("GET", emulator.lastRequest().method());
  }

  @Test
  void acceptsAnyPositiveTaskIdWhenAsked() throws IOException {
    String path = url("/reportIncorrectImageCaptcha");
    assertTrue(post(path, "application/json", report(KEY, 123)).body().contains("NO_SUCH"));
    emulator.acceptAnyTaskId(true);
    assertTrue(post(path, "application/json", report(KEY, 123)).body().contains("success"));
    assertTrue(post(path, "application/json", report(KEY, 0)).body().contains("NO_SUCH"));
    emulator.addClientKey("second").acceptAnyTaskId(false).addTaskIds(55);
    assertTrue(post(path, "application/json", report("second", 55)).body().contains("success"));
  }

  @Test
  void recordsEveryRequestWithoutShowingTheKey() throws IOException {
    post(url("/reportIncorrectRecaptcha"), "application/json", report(KEY, 7654321));
    RecordedRequest request = emulator.lastRequest();
    assertEquals("POST", request.method());
    assertEquals("/reportIncorrectRecaptcha", request.path());
    assertNull(request.query());
    assertEquals("application/json", request.header("content-type"));
    assertEquals("application/json", request.header("ACCEPT"));
    assertTrue(request.header("User-Agent").startsWith("Java"));
    assertEquals(KEY, request.clientKey());
    assertEquals(7654321L, request.taskId());
    assertEquals(Set.of("clientKey", "taskId"), request.jsonFieldNames());
    assertEquals(report(KEY, 7654321), request.bodyText());
    assertEquals("127.0.0.1", request.remoteAddress().getAddress().getHostAddress());
    assertFalse(request.toString().contains(KEY), request.toString());
    assertTrue(request.toString().contains("7654321"));
    assertFalse(emulator.toString().contains(KEY));
  }

  @Test
  void countsResetsAndKnowsTheLastRequest() throws IOException {
    assertNull(emulator.lastRequest());
    String path = url("/reportIncorrectImageCaptcha");
    post(path, "application/json", report(KEY, 7654321));
    post(path, "application/json", report(KEY, 7654321));
    post(path, "application/json", report(KEY, 1));
    assertEquals(2, emulator.count(7654321));
    assertEquals(1, emulator.count(1));
    assertEquals(0, emulator.count(2));
    assertEquals(3, emulator.requestCount());
    assertEquals(3, emulator.reports().size());

    emulator.addClientKey("later");
    emulator.nextRequest().respond(503, "text/plain", "busy");
    emulator.reset();
    assertEquals(0, emulator.requestCount());
    assertEquals(0, emulator.connectionsSeen());
    assertNull(emulator.lastRequest());
    // Queued misbehaviour and keys added after the start are gone; the builder's remain.
    assertEquals(200, post(path, "application/json", report(KEY, 7654321)).status());
    assertTrue(post(path, "application/json", report("later", 7654321)).body().contains("KEY"));
  }

  @Test
  void countsDistinctConnections() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", emulator.port())) {
      socket.setSoTimeout(10_000);
      // Two requests on one kept-alive connection, the second asking to close it.
      Http.writeRequest(socket, "/reportIncorrectImageCaptcha", report(KEY, 7654321), false);
      Http.writeRequest(socket, "/reportIncorrectImageCaptcha", report(KEY, 7654321), true);
      String both = Http.readUntilClosed(socket);
      assertEquals(2, both.split("HTTP/1.1 200", -1).length - 1, both);
    }
    assertEquals(1, emulator.connectionsSeen());
    Http.rawExchange(emulator.port(), "/reportIncorrectImageCaptcha", report(KEY, 7654321));
    assertEquals(2, emulator.connectionsSeen());
    assertEquals(3, emulator.requestCount());
  }

  @Test
  void answers64ConcurrentClients() throws Exception {
    emulator.acceptAnyTaskId(true);
    ExecutorService pool = Executors.newFixedThreadPool(64);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Http.Answer>> answers = new ArrayList<>();
      for (int i = 1; i <= 64; i++) {
        long id = i;
        answers.add(
            pool.submit(
                () -> {
                  start.await();
                  return post(
                      url("/reportIncorrectImageCaptcha"), "application/json", report(KEY, id));
                }));
      }
      start.countDown();
      for (Future<Http.Answer> answer : answers) {
        assertEquals(200, answer.get(20, TimeUnit.SECONDS).status());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(64, emulator.requestCount());
    for (int i = 1; i <= 64; i++) {
      assertEquals(1, emulator.count(i));
    }
  }

  @Test
  void closeStopsAtOnceAndReleasesHeldRequests() throws Exception {
    emulator.nextRequest().neverAnswer();
    try (Socket socket = new Socket("127.0.0.1", emulator.port())) {
      socket.setSoTimeout(10_000);
      Http.writeRequest(socket, "/reportIncorrectImageCaptcha", report(KEY, 7654321), false);
      assertTrue(emulator.awaitRequests(1, 10, TimeUnit.SECONDS));
      emulator.close();
      assertEquals("", Http.readUntilClosed(socket));
    }
    Http.assertNothingListensOn(emulator.port());
    emulator.close();
  }

  @Test
  void startsWithoutKeysOrTasks() throws IOException {
    try (CapMonsterEmulator bare = CapMonsterEmulator.start()) {
      assertTrue(bare.baseUrl().startsWith("http://127.0.0.1:"));
      Http.Answer answer =
          post(bare.baseUrl() + "/reportIncorrectImageCaptcha", "application/json", report(KEY, 1));
      assertTrue(answer.body().contains("ERROR_KEY_DOES_NOT_EXIST"));
    }
  }
}
