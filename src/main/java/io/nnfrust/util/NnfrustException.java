package io.nnfrust.util;

/**
 * A problem with the user's input (file, model, option) that is reported as one line and exit code 2.
 * The message must name what was wrong and where; it must fit on one line.
 */
public class NnfrustException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NnfrustException(String message) {
        super(message);
    }

    public NnfrustException(String message, Throwable cause) {
        super(message, cause);
    }
}
