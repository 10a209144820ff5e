package io.github.capreport.benchmarks;

import io.github.capreport.testkit.CapMonsterEmulator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Runs the emulator in a JVM of its own, so that its CPU time and allocation are not counted as the
 * client's. Prints {@code ready <baseUrl>}, then answers one command a line on stdin: {@code reset}
 * (prints {@code ok}), {@code stats} (prints {@code <requests> <connections>}) and {@code exit}.
 * Ends when stdin closes, so it never outlives the benchmark that started it.
 */
public final class EmulatorProcess {
  private EmulatorProcess() {}

  public static void main(String[] args) throws IOException {
    try (CapMonsterEmulator emulator = Bench.startEmulator()) {
      System.out.println("ready " + emulator.baseUrl());
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        switch (line.trim()) {
          case "reset":
            emulator.reset();
            System.out.println("ok");
            break;
          case "stats":
            System.out.println(emulator.requestCount() + " " + emulator.connectionsSeen());
            break;
          case "exit":
            return;
          default:
            System.out.println("unknown command");
            break;
        }
        System.out.flush();
      }
    }
  }
}
