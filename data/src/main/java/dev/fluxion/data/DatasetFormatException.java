package dev.fluxion.data;

import java.io.IOException;

/**
 * A data file that is not what it should be: truncated, a wrong magic number, a checksum mismatch, image and label
 * counts that disagree, a ragged or non-numeric CSV row. The message always names the file and says what was
 * expected and what was found; loaders raise it instead of returning a partial data set.
 */
public class DatasetFormatException extends IOException {
    private final String file;

    public DatasetFormatException(String file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public DatasetFormatException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file (or URL, or classpath resource) at fault. */
    public String file() {
        return file;
    }
}
