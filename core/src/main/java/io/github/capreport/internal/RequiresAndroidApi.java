package io.github.capreport.internal;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method that needs a newer Android API level than the library's floor of 21. The build's
 * API-21 signature check skips it; its javadoc names the API-21 alternative.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.TYPE})
public @interface RequiresAndroidApi {
  /** The lowest Android API level the marked code runs on. */
  int value();
}
