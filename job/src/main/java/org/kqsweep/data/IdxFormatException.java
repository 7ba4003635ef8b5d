package org.kqsweep.data;

import java.io.IOException;

/**
 * Signals that an IDX file, or a folder of MNIST IDX files, does not match its header or the
 * expected layout. The message names the file, what the header declares, what was found and
 * what to do next.
 */
public class IdxFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public IdxFormatException(String message) {
        super(message);
    }

    public IdxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
