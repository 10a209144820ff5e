/**
 * Testing with capreport without the real service.
 *
 * <ul>
 *   <li>{@link io.github.capreport.testkit.CapMonsterEmulator}: a local stand-in for the CapMonster
 *       Cloud report endpoints that records every request and misbehaves on demand; for the tests
 *       of any code that reports.
 *   <li>{@link io.github.capreport.testkit.CapMonsterEmulatorExtension}: runs it around JUnit 5
 *       tests.
 *   <li>{@link io.github.capreport.testkit.TransportConformanceSuite}: the cases every {@link
 *       io.github.capreport.spi.Transport} must pass; extend it to test a transport.
 * </ul>
 *
 * <p>Needs the {@code jdk.httpserver} module, present in every JDK (not on Android).
 */
package io.github.capreport.testkit;
