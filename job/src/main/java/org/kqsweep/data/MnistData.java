package org.kqsweep.data;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MNIST train and test splits, loaded from a folder with the four standard IDX files
 * {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}
 * and {@code t10k-labels-idx1-ubyte}.
 *
 * <p>Each file may instead carry a {@code .gz} suffix, and the loader takes whichever of the two
 * names exists. The suffix only selects the name: {@link IdxFile} decides from the file content
 * whether to decompress. Loading fails with {@link IdxFormatException} when a file is missing,
 * when both names of one file exist, when images are not 28x28, when a split has different image
 * and label counts, or when a label is not a digit 0 to 9.
 *
 * <p>Limits: the whole data set is held in memory as floats, 4 bytes per pixel (about 188 MB for
 * the 60,000 training images of the original MNIST).
 */
public record MnistData(MnistSplit train, MnistSplit test) {

    /** File name of the training images. */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";

    /** File name of the training labels. */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";

    /** File name of the test images. */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";

    /** File name of the test labels. */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    /** The four standard file names, without the optional {@code .gz} suffix. */
    public static final List<String> FILE_NAMES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    /** Optional suffix of each file name. */
    public static final String GZIP_SUFFIX = ".gz";

    private static final Logger LOG = LoggerFactory.getLogger(MnistData.class);

    /**
     * Loads both splits from a folder on a Hadoop file system. A path without a scheme resolves
     * against {@code fs.defaultFS} of {@code conf}, which is the local file system unless
     * configured.
     *
     * @throws IdxFormatException if a file is missing, ambiguous or invalid, as listed on the class
     */
    public static MnistData load(Path directory, Configuration conf) throws IOException {
        FileSystem fileSystem = FileSystem.get(directory.toUri(), conf);
        if (!fileSystem.exists(directory)) {
            throw new IdxFormatException("MNIST data folder " + directory + " not found. Create it with the files "
                    + FILE_NAMES + " (each optionally ending in " + GZIP_SUFFIX + "), or pass another folder.");
        }
        if (!fileSystem.getFileStatus(directory).isDirectory()) {
            throw new IdxFormatException("MNIST data path " + directory + " is a file, but it must be a folder "
                    + "that contains " + FILE_NAMES + " (each optionally ending in " + GZIP_SUFFIX + ").");
        }

        List<Path> files = findFiles(fileSystem, directory);
        MnistSplit train = loadSplit(files.get(0), files.get(1), conf);
        MnistSplit test = loadSplit(files.get(2), files.get(3), conf);
        LOG.info("Loaded MNIST from {}: {} train and {} test images", directory, train.count(), test.count());
        return new MnistData(train, test);
    }

    /**
     * Loads both splits from a folder on the local file system.
     *
     * @throws IdxFormatException if a file is missing, ambiguous or invalid, as listed on the class
     */
    public static MnistData load(java.nio.file.Path directory) throws IOException {
        return load(new Path(directory.toAbsolutePath().toUri()), new Configuration());
    }

    /**
     * Returns the SHA-256 digest, as 64 lowercase hex digits, of the raw bytes of the train
     * labels, train pixels, test labels and test pixels, in that order. See
     * {@link MnistSplit#fingerprint()} for the byte layout of one split.
     */
    public String fingerprint() {
        MessageDigest digest = MnistSplit.newSha256();
        train.update(digest);
        test.update(digest);
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Finds each standard file, with or without the {@code .gz} suffix.
     *
     * @return the paths in the order of {@link #FILE_NAMES}
     */
    private static List<Path> findFiles(FileSystem fileSystem, Path directory) throws IOException {
        List<Path> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : FILE_NAMES) {
            Path raw = new Path(directory, name);
            Path gzip = new Path(directory, name + GZIP_SUFFIX);
            boolean rawExists = fileSystem.exists(raw);
            boolean gzipExists = fileSystem.exists(gzip);
            if (rawExists && gzipExists) {
                throw new IdxFormatException("MNIST data folder " + directory + " contains both " + name + " and "
                        + name + GZIP_SUFFIX + ", so the data source is ambiguous. Remove one of them.");
            }
            if (rawExists) {
                found.add(raw);
            } else if (gzipExists) {
                found.add(gzip);
            } else {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IdxFormatException("MNIST data folder " + directory + " is missing " + missing
                    + ". It must contain all of " + FILE_NAMES + ", each optionally ending in " + GZIP_SUFFIX
                    + ". Add the missing files or pass another folder.");
        }
        return found;
    }

    private static MnistSplit loadSplit(Path imagesPath, Path labelsPath, Configuration conf) throws IOException {
        IdxImages images = IdxFile.readImages(imagesPath, conf);
        if (images.rows() != MnistSplit.ROWS || images.columns() != MnistSplit.COLUMNS) {
            throw new IdxFormatException(imagesPath + ": the header declares images of " + images.rows() + "x"
                    + images.columns() + " pixels, but MNIST images are " + MnistSplit.ROWS + "x"
                    + MnistSplit.COLUMNS + ". Use MNIST image files or resize the images to 28x28.");
        }

        byte[] labels = IdxFile.readLabels(labelsPath, conf);
        if (labels.length != images.count()) {
            throw new IdxFormatException(labelsPath + " contains " + labels.length + " labels, but " + imagesPath
                    + " contains " + images.count() + " images. The two files of a split must contain the "
                    + "same number of items. Replace the file that does not belong to the split.");
        }
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i] & 0xFF;
            if (label > 9) {
                throw new IdxFormatException(labelsPath + ": label " + i + " is " + label
                        + ", but MNIST labels are digits 0 to 9. Replace the file with an MNIST label file.");
            }
        }
        return MnistSplit.fromIdx(labels, images);
    }
}
