package io.github.capreport.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectIteration;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.github.capreport.ReportEndpoint;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.testkit.TransportConformanceSuite.Call;
import io.github.capreport.testkit.TransportConformanceSuite.Drop;
import io.github.capreport.testkit.UrlConnectionTransport.Flaw;
import java.lang.reflect.Method;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * A suite that passes everything proves nothing: each flaw here breaks the transport contract in
 * one way, and the case named next to it must fail the flawed transport, for that reason. {@link
 * UrlConnectionConformanceTest} is the control: without flaws the same transport passes. Where only
 * some invocations of a parameterized case can meet a flaw, only those run.
 */
class SuiteCatchesFlawsTest {
  /** Every invocation of the case. */
  private static final int[] ALL = null;

  static Stream<Arguments> flawsAndTheCasesThatCatchThem() throws NoSuchMethodException {
    Class<TransportConformanceSuite> s = TransportConformanceSuite.class;
    Method exactRequest =
        s.getMethod("sendsExactlyTheApisRequest", ReportEndpoint.class, Call.class);
    return Stream.of(
        Arguments.of(
            Flaw.FOLLOWS_REDIRECTS,
            s.getMethod("neverFollowsARedirect", int.class, Call.class),
            "requests that followed the redirect",
            ALL),
        Arguments.of(
            Flaw.RESENDS_POST_AFTER_A_FAILURE,
            s.getMethod("failsWhenTheConnectionDrops", Drop.class, Call.class),
            "must not resend a POST",
            ALL),
        Arguments.of(Flaw.TEXT_PLAIN_CONTENT_TYPE, exactRequest, "Content-Type: text/plain", ALL),
        Arguments.of(
            Flaw.TASK_ID_AS_STRING,
            s.getMethod("keepsATaskIdAboveTwoToThe32Intact", Call.class),
            "taskId, a JSON integer",
            ALL),
        Arguments.of(Flaw.NO_USER_AGENT, exactRequest, "but was: <Java>", ALL),
        // A transport that cannot be aborted reads the dripping body to its end, past the timeout.
        Arguments.of(
            Flaw.IGNORES_ABORT,
            s.getMethod("timesOutWhenTheAnswerDripsInTooSlowly", Call.class),
            "but the report was accepted",
            new int[] {Call.BLOCKING.ordinal()}));
  }

  /** The same for the reliability suite. */
  static Stream<Arguments> flawsAndTheReliabilityCasesThatCatchThem() throws NoSuchMethodException {
    Class<TransportReliabilitySuite> s = TransportReliabilitySuite.class;
    return Stream.of(
        Arguments.of(
            Flaw.RESENDS_POST_AFTER_A_FAILURE,
            s.getMethod(
                "retriesATransientFailureOnceThenSucceeds",
                TransportReliabilitySuite.Transient.class,
                Call.class),
            "attempts; retries scheduled: [] ==> expected: <2> but was: <1>",
            // The flaw resends after an I/O failure it was not aborted for: of these failures only
            // the dropped connection; the others are answers, or a timeout, which aborts.
            iterationsOf(
                TransportReliabilitySuite.transientsAndCalls(),
                TransportReliabilitySuite.Transient.DROPPED_CONNECTION)));
  }

  /** The indices of the invocations whose first argument is {@code first}. */
  private static int[] iterationsOf(Stream<Arguments> invocations, Object first) {
    List<Arguments> all = invocations.collect(Collectors.toList());
    return IntStream.range(0, all.size()).filter(i -> all.get(i).get()[0] == first).toArray();
  }

  /** The same for the contract suite, which drives the transport itself. */
  static Stream<Arguments> flawsAndTheContractCasesThatCatchThem() throws NoSuchMethodException {
    Class<TransportContractSuite> s = TransportContractSuite.class;
    Method exactRequest = s.getMethod("sendsExactlyTheRequestItIsGiven", ReportEndpoint.class);
    return Stream.of(
        Arguments.of(
            Flaw.FOLLOWS_REDIRECTS,
            s.getMethod("neverFollowsARedirect", int.class),
            "the redirect itself is the answer"),
        Arguments.of(
            Flaw.RESENDS_POST_AFTER_A_FAILURE,
            s.getMethod("neverSendsARequestTwiceAfterTheConnectionDrops"),
            "requests that reached the server ==> expected: <1> but was: <2>"),
        Arguments.of(
            Flaw.TEXT_PLAIN_CONTENT_TYPE,
            exactRequest,
            "expected: <application/json> but was: <text/plain>"),
        Arguments.of(
            Flaw.TASK_ID_AS_STRING,
            s.getMethod("writesTheReportBodyExactly", String.class),
            "\"taskId\":\"1\""),
        Arguments.of(Flaw.NO_USER_AGENT, exactRequest, "but was: <Java>"),
        Arguments.of(
            Flaw.IGNORES_ABORT,
            s.getMethod("abortEndsAnExchangeWaitingForItsAnswer"),
            "abort() did not end the exchange"),
        Arguments.of(
            Flaw.LAST_HEADER_VALUE,
            s.getMethod("givesTheFirstValueOfARepeatedHeaderWhateverItsCase"),
            "expected: <7> but was: <9>"));
  }

  @ParameterizedTest(name = "{0} is caught by {1}")
  @MethodSource("flawsAndTheContractCasesThatCatchThem")
  void failsAFlawedTransportInTheContractSuite(Flaw flaw, Method catcher, String reason) {
    Flawed.flaw = flaw;
    assertCaught(flaw, FlawedContract.class, catcher, reason, ALL);
  }

  /** Not run by the build on its own (a nested class); the test above launches it. */
  static class FlawedContract extends TransportContractSuite {
    @Override
    protected TransportProvider provider() {
      Flaw flaw = Flawed.flaw;
      return flaw == null
          ? UrlConnectionTransport.provider()
          : UrlConnectionTransport.provider(flaw);
    }

    /**
     * An exchange whose abort is ignored never ends, so any bound catches it; the suite's own, for
     * transports that must pass, is generous, and would only make this test wait it out.
     */
    @Override
    long abortWaitSeconds() {
      return 1;
    }
  }

  @AfterEach
  void clearFlaw() {
    Flawed.flaw = null;
  }

  @ParameterizedTest(name = "{0} is caught by {1}")
  @MethodSource("flawsAndTheCasesThatCatchThem")
  void failsAFlawedTransport(Flaw flaw, Method catcher, String reason, int[] iterations) {
    Flawed.flaw = flaw;
    assertCaught(flaw, Flawed.class, catcher, reason, iterations);
  }

  @ParameterizedTest(name = "{0} is caught by {1}")
  @MethodSource("flawsAndTheReliabilityCasesThatCatchThem")
  void failsAFlawedTransportInTheReliabilitySuite(
      Flaw flaw, Method catcher, String reason, int[] iterations) {
    Flawed.flaw = flaw;
    assertCaught(flaw, FlawedReliability.class, catcher, reason, iterations);
  }

  /**
   * Runs {@code catcher} of {@code suite}, of a parameterized one the invocations numbered {@code
   * iterations} (from 0) unless they are {@link #ALL}, and asserts that one failed saying {@code
   * reason}.
   */
  private static void assertCaught(
      Flaw flaw, Class<?> suite, Method catcher, String reason, int[] iterations) {
    DiscoverySelector selector =
        iterations == ALL
            ? selectMethod(suite, catcher)
            : selectIteration(selectMethod(suite, catcher), iterations);
    Events tests = EngineTestKit.engine("junit-jupiter").selectors(selector).execute().testEvents();
    assertTrue(tests.started().count() > 0, "cases run");
    List<String> failures =
        tests.failed().stream()
            .map(
                event ->
                    event
                        .getPayload(TestExecutionResult.class)
                        .flatMap(TestExecutionResult::getThrowable)
                        .map(String::valueOf)
                        .orElse("?"))
            .collect(Collectors.toList());
    assertTrue(
        failures.stream().anyMatch(failure -> failure.contains(reason)),
        "no case of "
            + catcher.getName()
            + " failed "
            + flaw
            + " saying '"
            + reason
            + "': "
            + failures);
  }

  /** Not run by the build on its own (a nested class); the test above launches it. */
  static class FlawedReliability extends TransportReliabilitySuite {
    @Override
    protected TransportProvider provider() {
      Flaw flaw = Flawed.flaw;
      return flaw == null
          ? UrlConnectionTransport.provider()
          : UrlConnectionTransport.provider(flaw);
    }
  }

  /** Not run by the build on its own (a nested class); the test above launches it. */
  static class Flawed extends TransportConformanceSuite {
    static volatile Flaw flaw;

    @Override
    protected TransportProvider provider() {
      return flaw == null
          ? UrlConnectionTransport.provider()
          : UrlConnectionTransport.provider(flaw);
    }
  }
}
