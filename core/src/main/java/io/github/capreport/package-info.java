@NullMarked
package io.github.capreport;

import org.jspecify.annotations.NullMarked;
