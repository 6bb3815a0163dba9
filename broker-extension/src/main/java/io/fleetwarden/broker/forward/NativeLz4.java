package io.fleetwarden.broker.forward;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jpountz.lz4.LZ4Factory;

/**
 * Makes the Kafka clients of this extension compress and decompress lz4 with lz4-java's native (JNI) codec.
 *
 * <p>Why: lz4-java hands out its native codec from {@code LZ4Factory.fastestInstance()} (which Kafka's lz4 streams
 * use) only when it was loaded by the system class loader or when the native library is already loaded in its own
 * class loader. HiveMQ loads every extension with its own class loader, so without this call every telemetry batch
 * and every security event would be compressed by the pure-Java safe codec (lz4-java 1.10 has no {@code Unsafe}
 * codec any more), which costs the producer's threads noticeably more CPU per record, worst of all for the small
 * one-record batches of connect and disconnect events (a fresh 16 KiB hash table per batch). Loading the library
 * here, in the extension's class loader, turns {@code fastestInstance()} native for the producer and the controls
 * consumer alike. lz4-java copies the library to a fresh temporary file per load, so several class loaders (a
 * restarted extension, two brokers in one JVM) each load their own copy.
 *
 * <p>If the native library cannot be loaded on this platform, the Java codec stays in use: same records, more CPU.
 */
public final class NativeLz4 {

    private static final Logger LOG = LoggerFactory.getLogger(NativeLz4.class);

    private NativeLz4() {
    }

    /** Loads the native lz4 codec for this class loader. @return whether Kafka's lz4 streams now use it */
    public static boolean enable() {
        try {
            LZ4Factory.nativeInstance();
        } catch (Throwable e) { // UnsatisfiedLinkError and friends: no native build for this platform
            LOG.info("lz4: native codec unavailable ({}); Kafka records are compressed by the Java codec", e.toString());
            return false;
        }
        boolean nativeCodec = LZ4Factory.fastestInstance() == LZ4Factory.nativeInstance();
        LOG.info("lz4: Kafka records are compressed by the {} codec", nativeCodec ? "native" : "Java");
        return nativeCodec;
    }
}
