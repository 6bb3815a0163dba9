package io.fleetwarden.broker.identity;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CRL;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The revocation lists of the trusted CAs, read from one folder and re-read when any file in it
 * changes (name, size or modification time). Thread-safe: readers see one immutable snapshot.
 *
 * <p>A CRL is only used when its signature verifies against one of the trusted CA certificates; an
 * unverifiable or unreadable file is logged and skipped, never trusted. A CRL past its nextUpdate is
 * still used (a stale list still names revoked certificates) but logged.
 */
public final class CrlStore {

    private static final Logger LOG = LoggerFactory.getLogger(CrlStore.class);

    private final Path folder;
    private final List<X509Certificate> cas;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), List.of());

    private record Snapshot(Map<String, String> fingerprint, List<X509CRL> crls) {
    }

    /**
     * @param folder CRL folder, or {@code null} when no CRLs are configured
     * @param cas    the trusted CA certificates that sign the CRLs
     */
    public CrlStore(Path folder, List<X509Certificate> cas) {
        this.folder = folder;
        this.cas = List.copyOf(cas);
    }

    /**
     * Re-reads the folder if its content changed since the last call.
     *
     * @return true when a new set of CRLs was loaded
     */
    public synchronized boolean reloadIfChanged() {
        if (folder == null) {
            return false;
        }
        Map<String, String> now = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path f : files) {
                if (Files.isRegularFile(f)) {
                    now.put(f.getFileName().toString(), Files.size(f) + "@" + Files.getLastModifiedTime(f).toMillis());
                }
            }
        } catch (IOException e) {
            LOG.error("cannot list CRL folder {}: {}; keeping the previous CRLs", folder, e.getMessage());
            return false;
        }
        if (now.equals(snapshot.fingerprint())) {
            return false;
        }
        List<X509CRL> loaded = new ArrayList<>();
        for (String name : now.keySet()) {
            loaded.addAll(read(folder.resolve(name)));
        }
        snapshot = new Snapshot(now, List.copyOf(loaded));
        LOG.info("loaded {} CRL(s) from {}", loaded.size(), folder);
        return true;
    }

    private List<X509CRL> read(Path file) {
        List<X509CRL> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (CRL crl : CertificateFactory.getInstance("X.509").generateCRLs(in)) {
                if (crl instanceof X509CRL x && verified(x)) {
                    if (x.getNextUpdate() != null && x.getNextUpdate().getTime() < System.currentTimeMillis()) {
                        LOG.warn("CRL {} from {} is past its nextUpdate {}; still applied", file.getFileName(),
                                x.getIssuerX500Principal(), x.getNextUpdate());
                    }
                    out.add(x);
                } else {
                    LOG.warn("CRL in {} is not signed by a trusted CA; ignored", file);
                }
            }
        } catch (IOException | GeneralSecurityException e) {
            LOG.warn("unreadable CRL file {}: {}; ignored", file, e.getMessage());
        }
        return out;
    }

    private boolean verified(X509CRL crl) {
        for (X509Certificate ca : cas) {
            if (ca.getSubjectX500Principal().equals(crl.getIssuerX500Principal())) {
                try {
                    crl.verify(ca.getPublicKey());
                    return true;
                } catch (GeneralSecurityException e) {
                    // try the next CA with the same name (CA key rollover)
                }
            }
        }
        return false;
    }

    /** Whether a CRL of the certificate's issuer lists it. */
    public boolean isRevoked(X509Certificate cert) {
        for (X509CRL crl : snapshot.crls()) {
            if (crl.getIssuerX500Principal().equals(cert.getIssuerX500Principal()) && crl.isRevoked(cert)) {
                return true;
            }
        }
        return false;
    }
}
