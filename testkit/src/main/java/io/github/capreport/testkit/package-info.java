/**
 * Testing with capreport without the real service.
 *
 * <ul>
 *   <li>{@link io.github.capreport.testkit.CapMonsterEmulator}: a local stand-in for the CapMonster
 *       Cloud report endpoints that records every request and misbehaves on demand; for the tests
 *       of any code that reports.
 *   <li>{@link io.github.capreport.testkit.VendorPolicy}: the vendor's rules (blocks, task expiry,
 *       one report per task, a rate limit) the emulator can enforce, on a {@link
 *       io.github.capreport.testkit.ManualClock} the test moves, to prove code gets no one blocked.
 *   <li>{@link io.github.capreport.testkit.CapMonsterEmulatorExtension}: runs it around JUnit 5
 *       tests.
 *   <li>{@link io.github.capreport.testkit.ForwardProxy}: an HTTP forward proxy (absolute-form
 *       requests, {@code CONNECT} tunnels, Basic credentials, failures on demand) that records what
 *       passed through it, for testing code that reaches the service through a proxy.
 *   <li>{@link io.github.capreport.testkit.TransportConformanceSuite}: the cases every {@link
 *       io.github.capreport.spi.Transport} must pass; extend it to test a transport.
 * </ul>
 *
 * <p>Needs the {@code jdk.httpserver} module, present in every JDK (not on Android).
 */
package io.github.capreport.testkit;
