package dev.relay.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The secret of a server run without {@code jwt_secret}: generated once and kept in {@code data_dir/jwt-secret},
 * readable by its owner only. The server and {@code wsserver token} both take it from here, so tokens printed by
 * the command are accepted by a server using the same {@code data_dir}, whichever of the two ran first, and every
 * token survives a restart — the first things a new user tries.
 */
final class TrialSecret {
    /** The file under data_dir. */
    static final String FILE = "jwt-secret";
    private static final int MIN_BYTES = 32;

    private TrialSecret() {
    }

    /** The kept secret, generated and kept first when there is none (or one too short to use). */
    static String keptIn(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        String kept = read(file);
        if (kept != null) {
            return kept;
        }
        Files.createDirectories(dataDir);
        Path fresh = Files.createTempFile(dataDir, FILE, ".tmp");
        try {
            if (fresh.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(fresh, PosixFilePermissions.fromString("rw-------"));
            }
            String secret = random();
            Files.writeString(fresh, secret + "\n", StandardCharsets.UTF_8);
            if (Files.exists(file)) {
                // Too short to use: replaced, as a fresh start would.
                Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return secret;
            }
            try {
                // A link is created only where no file is: when a server and the token command start together,
                // one secret wins and both use it, instead of each keeping its own for a moment.
                Files.createLink(file, fresh);
                return secret;
            } catch (FileAlreadyExistsException otherWon) {
                String theirs = read(file);
                if (theirs == null) {
                    throw new IOException(file + " holds no usable secret");
                }
                return theirs;
            } catch (UnsupportedOperationException noLinks) {
                Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return secret;
            }
        } finally {
            Files.deleteIfExists(fresh);
        }
    }

    /** A secret for one run, when none can be kept. */
    static String random() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        String kept = Files.readString(file, StandardCharsets.UTF_8).strip();
        return kept.getBytes(StandardCharsets.UTF_8).length >= MIN_BYTES ? kept : null;
    }
}
