/** Not API: may change in any release; do not use it from outside the library. */
@NullMarked
package io.github.capreport.micrometer.internal;

import org.jspecify.annotations.NullMarked;
